// My dots on the open vote of a live session. Every cast and take-back goes through the server,
// which holds the limits (dots per person, most on one item) in one locked transaction and
// answers 409 over one of them: the page shows the server's answer, it does not count for
// itself. Nobody sees the tallies before the facilitator closes the vote; I see my own dots.

import { button, element } from './dom.js'
import { _, ngettext } from './i18n.js'
import { refusalText } from './sessionwords.js'

export class Dots {
  /**
   * @param {object} options
   * @param {Person} options.person
   * @param {string} options.sessionId
   * @param {(item: string) => string} options.labelOf what an item (ideas/ID, model/components/ID) reads
   * @param {(text: string) => void} options.announce
   * @param {() => void} options.rejoin
   */
  constructor ({ person, sessionId, labelOf, announce, rejoin }) {
    Object.assign(this, { person, sessionId, labelOf, announce, rejoin })
    this.vote = null
    this.mine = {}
    this.left = null
    this.node = element('section', undefined, { class: 'session-vote', 'aria-labelledby': 'vote-title', hidden: '' })
    this.summary = element('p', '', { id: 'dots-left' })
    this.message = element('p', '', { class: 'session-message', role: 'status' })
    this.list = element('ul', undefined, { class: 'vote-items' })
    this.node.append(element('h3', _('Dot vote'), { id: 'vote-title' }), this.summary, this.message, this.list)
  }

  /** The session document's open vote (null: none). */
  async show (vote) {
    const changed = (vote && vote.id) !== (this.vote && this.vote.id)
    this.vote = vote
    this.node.hidden = vote === null
    if (vote === null) return
    if (changed) {
      this.mine = {}
      this.left = vote.per_person
      this.message.textContent = ''
      this.layout()
      this.render()
      await this.refresh()
    }
  }

  get path () {
    return `/sessions/${this.sessionId}/votes/${this.vote.id}`
  }

  async refresh () {
    try {
      this.take(await this.person.call('GET', this.path, undefined, this.rejoin))
    } catch (error) {
      this.message.textContent = refusalText(error)
    }
  }

  take (answer) {
    this.mine = answer.mine || {}
    this.left = answer.dots_left ?? this.left
    this.render()
  }

  async dot (item, take) {
    const vote = this.vote
    try {
      this.take(await this.person.call('POST', `${this.path}/${take ? 'uncast' : 'cast'}`, { item }, this.rejoin))
      this.message.textContent = take ? _('Dot taken back.') : _('Dot given.')
    } catch (error) {
      this.message.textContent = refusalText(error, vote)
    }
  }

  /** Lay out the vote's items (once per vote, so the focus stays on the button used). */
  layout () {
    this.rows = new Map()
    this.list.replaceChildren(...this.vote.items.map((item, index) => {
      const row = element('li', undefined, { 'data-vote-item': item })
      const id = `vote-item-${index}`
      const give = button(_('Give a dot'), () => this.dot(item, false))
      const back = button(_('Take a dot back'), () => this.dot(item, true))
      for (const action of [give, back]) action.setAttribute('aria-describedby', id)
      const mine = element('span', '', { class: 'mine' })
      row.append(element('span', this.labelOf(item), { id, class: 'vote-label' }), mine, give, back)
      this.rows.set(item, mine)
      return row
    }))
  }

  render () {
    const vote = this.vote
    const left = ngettext('You have {n} dot left.', 'You have {n} dots left.', this.left)
    const rules = ngettext('Each person has {n} dot', 'Each person has {n} dots', vote.per_person)
    const cap = ngettext('at most {n} on one item.', 'at most {n} on one item.', vote.max_per_item)
    this.summary.textContent = [left, _('{rules}, {cap}', { rules, cap })].join(' ')
    for (const [item, mine] of this.rows) {
      const count = this.mine[item] || 0
      mine.textContent = ngettext('my dots: {n}', 'my dots: {n}', count)
      mine.dataset.count = String(count)
    }
  }
}
