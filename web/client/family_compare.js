// Members side by side, from one call to the family API: each part of the model cell by cell,
// a column per member, what that member changed since its adoption marked (in words, not by
// colour alone), the cells nobody changed folded away, and "only where the implementations
// differ"; and each member's evaluation in a card of its own.

import { element } from './dom.js'
import { _, ngettext } from './i18n.js'

const PARTS = ['model', 'matrix', 'path', 'evaluation']
const COMPONENTS = 'model/components/'

function changeWord (change) {
  if (change === 'added') return _('added here')
  if (change === 'removed') return _('removed here')
  if (change === 'rewritten') return _('changed here')
  return ''
}

/** A cell's label: from the page's labels, a component by its title. */
function cellLabel (labels, cell, members) {
  if (!cell.startsWith(COMPONENTS)) return labels.cells[cell] ?? cell
  for (const member of members) {
    const text = member.cells[cell]?.text
    const title = text ? text.split('\n')[0] : ''
    if (title) return `${labels.components}: ${title}`
  }
  return labels.components
}

function textCell (view) {
  const cell = element('td')
  if (view?.text === null || view === undefined) {
    cell.append(element('span', _('(not in this implementation)'), { class: 'empty' }))
  } else {
    cell.append(element('span', view.text || '–', { class: 'text' }))
  }
  if (view?.change) {
    cell.classList.add(`change-${view.change}`)
    cell.prepend(element('strong', changeWord(view.change), { class: 'mark' }), ' ')
  }
  return cell
}

function differs (members, cell) {
  const texts = new Set(members.map((member) => member.cells[cell]?.text ?? null))
  return texts.size > 1
}

/** Organisation, place and municipality, each once. */
function whereabouts (member) {
  return [...new Set([member.organisation, member.place, member.municipality].filter(Boolean))].join(' · ')
}

function memberHead (member) {
  const head = element('th', undefined, { scope: 'col' })
  head.append(element('a', member.title, { href: `/workshops/${member.id}` }),
    element('span', whereabouts(member), { class: 'facts' }))
  return head
}

function table (rows, members, labels, caption) {
  const result = element('table', undefined, { class: 'compare' })
  result.append(element('caption', caption))
  const head = element('tr')
  head.append(element('th', _('Cell'), { scope: 'col' }), ...members.map(memberHead))
  result.append(element('thead'))
  result.tHead.append(head)
  const body = element('tbody')
  for (const cell of rows) {
    const row = element('tr', undefined, { 'data-cell': cell })
    if (!differs(members, cell)) row.dataset.same = 'true'
    row.append(element('th', cellLabel(labels, cell, members), { scope: 'row' }),
      ...members.map((member) => textCell(member.cells[cell])))
    body.append(row)
  }
  result.append(body)
  return result
}

/** The comparison, part by part: cells someone changed first, the rest folded. */
export function renderComparison (container, answer, labels) {
  const members = answer.members.filter((member) => member.cells)
  const hidden = answer.members.length - members.length
  const blocks = []
  for (const part of PARTS) {
    const cells = answer.cells.filter((cell) => cell.split('/')[0] === part)
    if (cells.length === 0) continue
    const changed = cells.filter((cell) => members.some((member) => member.cells[cell]?.change))
    const unchanged = cells.filter((cell) => !changed.includes(cell))
    const section = element('section', undefined, { class: 'part', 'data-part': part })
    section.append(element('h3', labels.parts[part]))
    if (changed.length) {
      section.append(table(changed, members, labels, _('Cells an implementation changed')))
    } else {
      section.append(element('p', _('No implementation changed this part.')))
    }
    if (unchanged.length) {
      const fold = element('details', undefined, { class: 'unchanged' })
      fold.append(element('summary', ngettext('{n} cell nobody changed', '{n} cells nobody changed', unchanged.length)),
        table(unchanged, members, labels, _('Cells nobody changed')))
      section.append(fold)
    }
    blocks.push(section)
  }
  if (hidden) {
    blocks.push(element('p', ngettext('{n} member is private or deleted: its texts are not shown.',
      '{n} members are private or deleted: their texts are not shown.', hidden), { class: 'note' }))
  }
  container.replaceChildren(...blocks)
}

/** Hide the rows where every implementation reads the same, or show them again. */
export function onlyDifferences (container, only) {
  for (const row of container.querySelectorAll('tr[data-same="true"]')) row.hidden = only
  for (const section of container.querySelectorAll('section.part')) {
    const rows = section.querySelectorAll('tbody tr')
    const shown = [...rows].filter((row) => !row.hidden).length
    section.classList.toggle('all-same', only && shown === 0)
  }
}

/** Each implementation's trial, evaluation and decision, with its organisation and place. */
export function renderEvaluations (container, answer, labels) {
  const cells = answer.cells.filter((cell) => cell.startsWith('evaluation/'))
  const cards = answer.members.filter((member) => member.cells).map((member) => {
    const card = element('article', undefined, { class: 'evaluation', 'data-member': member.id })
    card.append(element('h3', member.title),
      element('p', whereabouts(member), { class: 'facts' }))
    const list = element('dl')
    for (const cell of cells) {
      const view = member.cells[cell]
      const text = element('dd', view?.text || _('Not written yet.'))
      if (view?.change) {
        text.classList.add(`change-${view.change}`)
        text.prepend(element('strong', changeWord(view.change), { class: 'mark' }), ' ')
      }
      list.append(element('dt', labels.cells[cell] ?? cell), text)
    }
    card.append(list)
    return card
  })
  container.replaceChildren(...(cards.length ? cards : [element('p', _('No evaluations to show.'))]))
}
