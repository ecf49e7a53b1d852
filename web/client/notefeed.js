// The incoming hidden notes, for the facilitators: every participant's notes as they are
// written, edited and withdrawn, live. The server keeps hidden notes out of every document, so
// they come over HTTP: a long poll (`GET .../notes?after=VERSION`, see web/note_feed.py) that
// answers as soon as the notes change, asked again at once. Then the reveal: every hidden note
// into the workshop's ideas, with its author's name or anonymously.

import { button, element } from './dom.js'
import { _, ngettext } from './i18n.js'

const WAIT_SECONDS = 25
const RETRY_MS = 2000

export class NoteFeed {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string} options.path the session's API path
   * @param {(suffix: string, body: object, done: string) => Promise} options.steer
   */
  constructor ({ api, path, steer }) {
    Object.assign(this, { api, path, steer })
    this.running = false
    this.node = element('section', undefined, { class: 'console-block', 'aria-labelledby': 'console-notes-title' })
    this.count = element('p', '', { id: 'note-count' })
    this.list = element('ul', undefined, { class: 'notes', id: 'incoming-notes' })
    const anonymous = element('input', undefined, { type: 'checkbox', id: 'reveal-anonymous' })
    const choice = element('label', undefined, { for: 'reveal-anonymous' })
    choice.append(anonymous, ' ', _('Reveal without names'))
    const reveal = button(_('Reveal the notes'), () => this.steer('/reveal', { anonymous: anonymous.checked },
      anonymous.checked ? _('The notes were revealed without names.') : _('The notes were revealed with names.')))
    this.node.append(element('h3', _('Hidden notes'), { id: 'console-notes-title' }),
      this.count, this.list, choice, reveal)
  }

  /** Follow the notes until `stop()`; starting again while it runs changes nothing. */
  start () {
    if (this.running) return
    this.running = true
    this.follow()
  }

  stop () {
    this.running = false
  }

  async follow () {
    let version = null
    while (this.running) {
      const query = version === null ? '' : `?after=${version}&wait=${WAIT_SECONDS}`
      try {
        const answer = await this.api.call('GET', `${this.path}/notes${query}`)
        version = answer.version
        if (this.running) this.render(answer.items)
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      }
    }
  }

  render (notes) {
    const hidden = notes.filter((note) => note.revealed_at === null).length
    const revealed = ngettext('{n} revealed', '{n} revealed', notes.length - hidden)
    this.count.textContent = [ngettext('{n} hidden note', '{n} hidden notes', hidden),
      ...(notes.length > hidden ? [revealed] : [])].join(' · ')
    this.list.replaceChildren(...notes.map((note) => {
      const item = element('li', undefined, { class: 'note', 'data-note': note.id })
      item.append(element('p', note.text, { class: 'note-text' }),
        element('p', note.revealed_at ? _('{author} · revealed', { author: note.author }) : note.author, { class: 'quiet' }))
      return item
    }))
  }
}
