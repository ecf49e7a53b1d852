// The family page: the model's lineage as a graph and as a table of the same members, and
// the chosen members side by side. The lineage comes from the lineage API (which shows private
// and deleted members only by their place), the comparison from one call to the family API.

import { WorkshopApi } from './api.js'
import { element } from './dom.js'
import { _, day, ngettext, number } from './i18n.js'
import { Family, drawGraph } from './family_graph.js'
import { onlyDifferences, renderComparison, renderEvaluations } from './family_compare.js'

const MAX_COMPARED = 200
const main = document.getElementById('family')
const status = document.getElementById('status')
const labels = JSON.parse(document.getElementById('labels').textContent)
const api = new WorkshopApi(main.dataset.workshop, main.dataset.token || null)
const announce = (text) => { status.textContent = text }
const chosen = new Set()
let family = null

function memberCell (id) {
  const node = family.nodes.get(id)
  if (node?.private || node?.deleted) return element('td', family.name(id), { class: 'hidden-member' })
  const cell = element('td')
  const link = element('a', family.name(id), { href: `/workshops/${id}/family` })
  if (id === family.current) link.setAttribute('aria-current', 'page')
  cell.append(link)
  return cell
}

function adoptionsCell (id) {
  const cell = element('td', number(family.kids(id).length))
  const more = family.hiddenChildren(id)
  if (more) {
    const button = element('button', _('Show {count} more', { count: number(Math.min(more, 12)) }), {
      type: 'button', 'data-expand': id
    })
    button.addEventListener('click', () => {
      family.showMore(id)
      render()
      announce(_('More adoptions shown.'))
      document.querySelector(`[data-expand="${id}"]`)?.focus()
    })
    cell.append(' ', button)
  }
  return cell
}

function row (id) {
  const node = family.nodes.get(id)
  const edge = family.edges.get(id)
  const tr = element('tr', undefined, { 'data-member': id })
  if (id === family.current) tr.classList.add('current')
  const pick = element('td')
  if (!node?.deleted) {
    const box = element('input', undefined, {
      type: 'checkbox', 'aria-label': _('Compare {name}', { name: family.name(id) })
    })
    box.checked = chosen.has(id)
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(id)
      else chosen.delete(id)
    })
    pick.append(box)
  }
  const parent = edge ? family.name(edge.parent) : '–'
  tr.append(pick, memberCell(id), element('td', node?.organisation ?? '–'),
    element('td', node?.place ?? '–'), element('td', edge?.forked_at ? day(edge.forked_at) : '–'),
    element('td', parent), adoptionsCell(id))
  return tr
}

function render () {
  const shown = family.visible()
  drawGraph(document.getElementById('graph'), family, shown)
  document.querySelector('#members tbody').replaceChildren(...shown.map(row))
  const note = document.getElementById('hidden-note')
  const notShown = family.nodes.size - shown.length
  note.hidden = notShown === 0
  note.textContent = ngettext('{n} member is not shown: show more adoptions in the table.',
    '{n} members are not shown: show more adoptions in the table.', notShown)
}

async function compare () {
  const members = [...chosen].slice(0, MAX_COMPARED)
  if (members.length === 0) {
    announce(_('Choose the members to compare.'))
    return
  }
  announce(_('Loading…'))
  try {
    const answer = await api.call('GET', `/family/content?members=${members.join(',')}&cells=model,matrix,path,evaluation`)
    const comparison = document.getElementById('comparison')
    renderComparison(comparison, answer, labels)
    onlyDifferences(comparison, document.getElementById('only-different').checked)
    renderEvaluations(document.getElementById('evaluations'), answer, labels)
    main.dataset.compared = members.join(',')
    announce(ngettext('{n} member compared.', '{n} members compared.', members.length))
  } catch (error) {
    announce(_('Could not compare: {error}', { error: error.message }))
  }
}

async function start () {
  try {
    const lineage = await api.call('GET', '/lineage')
    family = new Family(lineage, {
      id: main.dataset.workshop, title: main.dataset.title, organisation: main.dataset.organisation
    })
  } catch (error) {
    announce(_('Could not read the family: {error}', { error: error.message }))
    return
  }
  const inUse = family.inUse(family.root)
  document.getElementById('in-use-root').textContent = inUse
    ? ngettext('The model is in use in {n} place besides its origin.', 'The model is in use in {n} places besides its origin.', inUse)
    : _('The model has not been adopted elsewhere yet.')
  // By default the origin and its direct adoptions, as far as they can be read.
  for (const id of [family.root, ...family.kids(family.root)]) {
    const node = family.nodes.get(id)
    if (!node?.deleted && chosen.size < MAX_COMPARED) chosen.add(id)
  }
  render()
  document.getElementById('compare-chosen').addEventListener('click', compare)
  document.getElementById('only-different').addEventListener('change', (event) => {
    onlyDifferences(document.getElementById('comparison'), event.target.checked)
  })
  await compare()
  main.dataset.ready = 'true'
}

start()
