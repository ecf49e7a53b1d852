// The console's dot vote: open one over the workshop's ideas and components, with the dots each
// person has and the most one person may put on one item; while it is open, how many have
// voted (never the tallies: nobody reads them before the close); close it, and the ordered
// results are everyone's (the session document carries them to every page and the screen).

import * as Y from 'yjs'
import { button, element } from './dom.js'
import { _, ngettext } from './i18n.js'

let forms = 0

export class VotePanel {
  /**
   * @param {object} options
   * @param {Y.Doc} options.content the content document (the ideas and components to vote on)
   * @param {Targets} options.targets
   * @param {(suffix: string, body: object, done: string) => Promise} options.steer
   */
  constructor ({ content, targets, steer }) {
    Object.assign(this, { targets, steer })
    this.vote = null
    this.itemIds = null
    this.labels = new Map()
    this.node = element('section', undefined, { class: 'console-block', 'aria-labelledby': 'console-vote-title' })
    this.form = this.openForm()
    this.open = element('div', undefined, { hidden: '' })
    this.openState = element('p', '', { id: 'vote-state' })
    this.open.append(this.openState, button(_('Close the vote and show the results'), () => this.close()))
    this.node.append(element('h3', _('Dot vote'), { id: 'console-vote-title' }), this.form, this.open)
    // The choices follow the ideas and components as they are added, edited and removed.
    let queued = false
    const relayout = () => {
      if (queued) return
      queued = true
      requestAnimationFrame(() => { queued = false; this.layoutItems() })
    }
    const components = content.getMap('model').get('components')
    this.observed = [content.getMap('ideas'), ...(components instanceof Y.Map ? [components] : [])]
    for (const map of this.observed) map.observeDeep(relayout)
    this.stop = () => {
      for (const map of this.observed) map.unobserveDeep(relayout)
    }
  }

  openForm () {
    const n = ++forms
    const form = element('form', undefined, { class: 'card' })
    this.choices = element('fieldset')
    this.choiceLegend = element('legend', _('What is voted on'))
    const number = (id, label, value) => {
      const input = element('input', undefined, { id: `${id}-${n}`, type: 'number', min: '1', max: '100', value, required: '' })
      return [element('label', label, { for: input.id }), input]
    }
    const [perPersonLabel, perPerson] = number('vote-per-person', _('Dots per person'), '3')
    const [perItemLabel, perItem] = number('vote-per-item', _('At most on one item'), '2')
    form.append(this.choices, perPersonLabel, perPerson, perItemLabel, perItem,
      element('button', _('Open the vote'), { type: 'submit' }))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const items = [...this.choices.querySelectorAll('input:checked')].map((box) => box.value)
      if (items.length === 0) {
        this.choices.querySelector('input')?.focus()
        return
      }
      this.steer('/votes', { items, per_person: Number(perPerson.value), max_per_item: Number(perItem.value) },
        _('The vote is open.'))
    })
    this.layoutItems()
    return form
  }

  /** A checkbox for every idea and component, the ideas chosen by default; choices made
   * stay made, and only a changed list is laid out again (edited texts are relabelled). */
  layoutItems () {
    if (!this.choices) return
    const items = [...this.targets.items('ideas'), ...this.targets.items('components')]
    if (items.join() === this.itemIds) {
      for (const [item, text] of this.labels) text.textContent = ` ${this.targets.label(item)}`
      return
    }
    this.itemIds = items.join()
    const before = new Map([...this.choices.querySelectorAll('input')].map((box) => [box.value, box.checked]))
    this.labels = new Map()
    this.choices.replaceChildren(this.choiceLegend, ...items.map((item, index) => {
      const id = `vote-choice-${index}`
      const box = element('input', undefined, { type: 'checkbox', id, value: item })
      box.checked = before.get(item) ?? item.startsWith('ideas/')
      const text = element('span', ` ${this.targets.label(item)}`)
      this.labels.set(item, text)
      const label = element('label', undefined, { for: id })
      label.append(box, text)
      return label
    }))
    if (items.length === 0) this.choices.append(element('p', _('Add ideas or components to vote on.')))
  }

  /** The session document's open vote (null: none open). */
  show (vote) {
    this.vote = vote
    this.form.hidden = vote !== null
    this.open.hidden = vote === null
    if (vote && !this.openState.textContent) {
      this.openState.textContent = ngettext('The vote is open: {n} item.', 'The vote is open: {n} items.', vote.items.length)
    }
    if (!vote) this.openState.textContent = ''
  }

  /** The API's count of the open vote's voters (the session's `vote`, or null). */
  voters (vote) {
    if (!vote || !this.vote || vote.id !== this.vote.id) return
    const open = ngettext('The vote is open: {n} item.', 'The vote is open: {n} items.', vote.items.length)
    this.openState.textContent = [open, ngettext('{n} person has voted.', '{n} people have voted.', vote.voters)].join(' ')
  }

  async close () {
    if (!this.vote) return
    await this.steer(`/votes/${this.vote.id}/close`, undefined, _('The vote is closed: the results are shown to everyone.'))
  }
}
