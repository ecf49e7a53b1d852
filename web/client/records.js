// The records of a workshop's past Innopaja sessions, for everyone who may read it: when each
// was held, how many people joined, and its record to download (JSON, and Markdown in the
// page's language): the phases and their times, the revealed notes and the votes' results.

import { element } from './dom.js'
import { _, ngettext, when } from './i18n.js'

export class Records {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, announce }) {
    Object.assign(this, { api, announce })
    this.node = element('details', undefined, { class: 'session-records', hidden: '' })
    this.summary = element('summary', _('Past sessions'))
    this.list = element('ul')
    this.node.append(this.summary, this.list)
    this.any = false
    this.listeners = []
  }

  onChange (listener) {
    this.listeners.push(listener)
  }

  async refresh () {
    let items
    try {
      ({ items } = await this.api.call('GET', '/sessions'))
    } catch (error) {
      // A link that no longer opens the workshop: the page says so already.
      if (error.status !== 401 && error.status !== 403) {
        this.announce(_('Could not list the past sessions: {error}', { error: error.message }))
      }
      return
    }
    const past = items.filter((session) => !session.live)
    this.any = past.length > 0
    this.node.hidden = !this.any
    this.summary.textContent = ngettext('Past sessions ({n})', 'Past sessions ({n})', past.length)
    this.list.replaceChildren(...past.map((session) => this.row(session)))
    for (const listener of this.listeners) listener()
  }

  row (session) {
    const base = `/api/workshops/${this.api.workshopId}/sessions/${session.id}`
    const lang = document.documentElement.lang || 'fi'
    const item = element('li', undefined, { 'data-session': session.id })
    item.append(
      element('strong', session.title),
      ' ', when(session.created_at), ' · ',
      ngettext('{n} person joined', '{n} people joined', session.participants), ' ',
      element('a', _('Record (JSON)'), { href: `${base}/export.json`, download: '' }),
      ' ',
      element('a', _('Record (Markdown)'), { href: `${base}/export.md?lang=${lang}`, download: '' }))
    return item
  }
}
