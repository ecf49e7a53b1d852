// Versions on the page: the workshop's named and automatic versions, naming one, comparing one
// with now cell by cell, and restoring one. A restore is a new change on the live document
// (everyone connected sees it; restoring the version before it undoes it), made by the server.

import { button, element } from './dom.js'
import { _, ngettext, when } from './i18n.js'

export class Versions {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string} options.workshopId
   * @param {boolean} options.canWrite who may name and restore versions (editors and up)
   * @param {(cell: string) => string} options.labelOf a cell key's label
   * @param {() => string} options.author the name a version is signed with
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, workshopId, canWrite, labelOf, author, announce }) {
    Object.assign(this, { api, workshopId, canWrite, labelOf, author, announce })
    this.list = document.getElementById('version-list')
    this.diff = document.getElementById('version-diff')
    const form = document.getElementById('version-form')
    form.hidden = !canWrite
    form.addEventListener('submit', (event) => { event.preventDefault(); this.name() })
    this.refresh()
  }

  async refresh () {
    try {
      const { items } = await this.api.call('GET', '/versions')
      document.getElementById('versions-empty').hidden = items.length > 0
      this.list.replaceChildren(...items.map((version) => this.row(version)))
    } catch (error) {
      this.announce(_('Could not list the versions: {error}', { error: error.message }))
    }
  }

  row (version) {
    const item = element('li', undefined, { 'data-version': version.id })
    const who = version.automatic ? _('automatic') : (version.author || '')
    item.append(
      element('strong', version.label),
      element('span', ` · ${when(version.created_at)}${who ? ` · ${who}` : ''} `),
      button(_('Compare with now'), () => this.compare(version)),
      element('a', _('Download (JSON)'), {
        href: `/api/workshops/${this.workshopId}/versions/${version.id}/export.json`
      }))
    if (this.canWrite) {
      item.append(button(_('Restore'), () => this.restore(version)))
    }
    return item
  }

  async name () {
    const input = document.getElementById('version-label')
    const label = input.value.trim()
    if (!label) return
    try {
      await this.api.call('POST', '/versions', { label, author: this.author() })
      input.value = ''
      this.announce(_('Version “{label}” saved.', { label }))
      await this.refresh()
    } catch (error) {
      this.announce(_('The version was not saved: {error}', { error: error.message }))
    }
  }

  async compare (version) {
    try {
      const { changes } = await this.api.call(
        'GET', `/diff?from=${encodeURIComponent(version.id)}&to=now`)
      const title = element('h3', ngettext('{n} change since the version “{label}”',
        '{n} changes since the version “{label}”', changes.length, { label: version.label }))
      const rows = changes.map((change) => {
        const row = element('li')
        row.append(
          element('strong', this.labelOf(change.cell)),
          element('del', change.from ?? '–'),
          element('ins', change.to ?? _('(removed)')))
        return row
      })
      this.diff.replaceChildren(title, element('ul'))
      this.diff.querySelector('ul').replaceChildren(...rows)
      this.diff.hidden = false
      title.setAttribute('tabindex', '-1')
      title.focus()
    } catch (error) {
      this.announce(_('Could not compare: {error}', { error: error.message }))
    }
  }

  async restore (version) {
    if (!window.confirm(_('Restore the version “{label}”?', { label: version.label }))) return
    try {
      const { changed } = await this.api.call('POST', `/versions/${version.id}/restore`)
      this.announce(ngettext('Version “{label}” restored: {n} cell changed.',
        'Version “{label}” restored: {n} cells changed.', changed.length, { label: version.label }))
    } catch (error) {
      this.announce(_('The restore failed: {error}', { error: error.message }))
    }
  }
}
