// Versions on the page: the workshop's named and automatic versions, naming one, comparing any
// two (or one with the content now) cell by cell, and restoring one. A restore is a new change
// on the live document made by the server, which first keeps the content it replaces as a
// version of its own ("before a restore"), so a restore is undone from this list.
//
// The list stays current without asking the server again and again: the server writes a
// notice into the comments document (which the page syncs anyway) whenever it adds a version
// or restores one (documents/version_notice.py), and the page lists the versions again only
// then. A restore also clears a comparison with the content now: that content is gone.

import { button, element } from './dom.js'
import { _, ngettext, when } from './i18n.js'

const NOW = 'now'

export class Versions {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string} options.workshopId
   * @param {boolean} options.canWrite who may name and restore versions (editors and up)
   * @param {(cell: string) => string} options.labelOf a cell key's label
   * @param {() => string} options.author the name versions and restores are signed with
   * @param {(text: string) => void} options.announce
   * @param {import('yjs').Map} options.notices the server's notices (the comments document's
   *   `versions` map: `latest`, the newest version's id; `restore`, new on every restore)
   */
  constructor ({ api, workshopId, canWrite, labelOf, author, announce, notices }) {
    Object.assign(this, { api, workshopId, canWrite, labelOf, author, announce })
    this.items = []
    this.comparison = null // { from, to } of the comparison shown
    this.loading = null // the listing under way, and whether another must follow it
    this.again = false
    this.list = document.getElementById('version-list')
    this.diff = document.getElementById('version-diff')
    this.compareForm = document.getElementById('version-compare')
    this.from = document.getElementById('compare-from')
    this.to = document.getElementById('compare-to')
    const form = document.getElementById('version-form')
    form.hidden = !canWrite
    form.addEventListener('submit', (event) => { event.preventDefault(); this.name() })
    this.compareForm.addEventListener('submit', (event) => {
      event.preventDefault()
      this.compare(this.from.value, this.to.value)
    })
    notices.observe((event) => {
      if (event.keysChanged.has('restore')) this.restored()
      if (notices.get('latest') !== this.items[0]?.id || event.keysChanged.has('restore')) {
        this.refresh()
      }
    })
    this.refresh()
  }

  /** The version's name as a person reads it: the server names automatic ones in English
   * for the API, so the page words them in its language by their kind. */
  title (version) {
    if (version.kind === 'before_restore') return _('Before a restore')
    if (version.kind === 'automatic') return _('Automatic version')
    return version.label
  }

  described (id) {
    if (id === NOW) return _('the content now')
    const version = this.items.find((item) => item.id === id)
    return version ? _('“{label}” ({when})', { label: this.title(version), when: when(version.created_at) }) : id
  }

  /** List the versions again; calls while one is under way make one more afterwards. */
  async refresh () {
    if (this.loading) {
      this.again = true
      return this.loading
    }
    this.loading = this.load()
    try {
      await this.loading
    } finally {
      this.loading = null
    }
    if (this.again) {
      this.again = false
      await this.refresh()
    }
  }

  async load () {
    try {
      const { items } = await this.api.call('GET', '/versions')
      this.items = items
      this.render()
    } catch (error) {
      this.announce(_('Could not list the versions: {error}', { error: error.message }))
    }
  }

  /** New versions are added above the ones shown, which stay as they are (a version never
   * changes), so a keyboard user on one of their buttons keeps focus while others work. */
  render () {
    document.getElementById('versions-empty').hidden = this.items.length > 0
    const shown = new Map([...this.list.children].map((node) => [node.dataset.version, node]))
    let cursor = this.list.firstElementChild
    for (const version of this.items) {
      const node = shown.get(version.id)
      if (node === cursor && node) {
        cursor = cursor.nextElementSibling
      } else {
        this.list.insertBefore(node || this.row(version), cursor)
      }
    }
    while (cursor) {
      const next = cursor.nextElementSibling
      cursor.remove()
      cursor = next
    }
    this.compareForm.hidden = this.items.length === 0
    if (this.items.length) this.fillChoices()
  }

  /** The versions to compare, and now; a choice made stays while versions are added, and
   * until one is made the newest version is compared with now. */
  fillChoices () {
    const choices = (select, fallback) => {
      const kept = select.value
      const options = this.items.map((version) =>
        element('option', this.described(version.id), { value: version.id }))
      select.replaceChildren(element('option', _('the content now'), { value: NOW }), ...options)
      select.value = [...select.options].some((option) => option.value === kept) ? kept : fallback
    }
    choices(this.from, this.items[0]?.id ?? NOW)
    choices(this.to, NOW)
  }

  row (version) {
    const item = element('li', undefined, { 'data-version': version.id })
    const who = version.author ? ` · ${version.author}` : ''
    item.append(
      element('strong', this.title(version)),
      element('span', ` · ${when(version.created_at)}${who} `),
      button(_('Compare with now'), () => this.compare(version.id, NOW)),
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

  /** A cell's label; a component or an idea is named by its text's first line. */
  cellLabel (change) {
    const firstLine = (change.to ?? change.from ?? '').split('\n')[0]
    if (change.cell.startsWith('model/components/')) {
      return firstLine ? _('Component “{title}”', { title: firstLine }) : _('Component')
    }
    if (change.cell.startsWith('ideas/')) {
      return firstLine ? _('Idea “{text}”', { text: firstLine }) : _('Idea')
    }
    return this.labelOf(change.cell)
  }

  async compare (from, to) {
    if (from === to) {
      this.announce(_('Choose two different versions to compare.'))
      return
    }
    try {
      const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
      const { changes } = await this.api.call('GET', `/diff?${query}`)
      this.comparison = { from, to }
      this.showDiff(from, to, changes)
    } catch (error) {
      this.announce(_('Could not compare: {error}', { error: error.message }))
    }
  }

  showDiff (from, to, changes) {
    const values = { from: this.described(from), to: this.described(to) }
    const title = element('h3', ngettext('{n} change from {from} to {to}',
      '{n} changes from {from} to {to}', changes.length, values), {
      id: 'version-diff-title', tabindex: '-1'
    })
    const shown = (text) => {
      if (text === null) return element('em', _('(none)'))
      if (text === '') return element('em', _('(empty)'))
      return document.createTextNode(text)
    }
    const cell = (tag, text) => {
      const node = element('td')
      const mark = element(tag)
      mark.append(shown(text))
      node.append(mark)
      return node
    }
    const head = element('tr')
    head.append(
      element('th', _('Cell'), { scope: 'col' }),
      element('th', _('Before: {version}', { version: values.from }), { scope: 'col' }),
      element('th', _('After: {version}', { version: values.to }), { scope: 'col' }))
    const rows = changes.map((change) => {
      const row = element('tr')
      row.append(element('th', this.cellLabel(change), { scope: 'row' }),
        cell('del', change.from), cell('ins', change.to))
      return row
    })
    const parts = [title]
    if (rows.length) {
      const table = element('table', undefined, { 'aria-labelledby': 'version-diff-title' })
      const thead = element('thead')
      thead.append(head)
      const tbody = element('tbody')
      tbody.append(...rows)
      table.append(thead, tbody)
      parts.push(table)
    }
    parts.push(button(_('Close the comparison'), () => this.closeDiff(true)))
    this.diff.replaceChildren(...parts)
    this.diff.hidden = false
    title.focus()
  }

  closeDiff (returnFocus) {
    const hadFocus = this.diff.contains(document.activeElement)
    this.comparison = null
    this.diff.hidden = true
    this.diff.replaceChildren()
    if (returnFocus || hadFocus) this.compareForm.querySelector('button').focus()
  }

  /** A restore (here or on another page): a comparison with the content now is stale. */
  restored () {
    const { comparison } = this
    if (!comparison || (comparison.from !== NOW && comparison.to !== NOW)) return
    this.closeDiff(false)
    this.announce(_('A version was restored: the comparison with the content now was closed.'))
  }

  async restore (version) {
    const label = this.title(version)
    if (!window.confirm(_('Restore the version “{label}”?', { label }))) return
    try {
      const { changed, before } = await this.api.call(
        'POST', `/versions/${version.id}/restore`, { author: this.author() })
      this.restored()
      const done = ngettext('Version “{label}” restored: {n} cell changed.',
        'Version “{label}” restored: {n} cells changed.', changed.length, { label })
      const undo = before
        ? _('To undo it, restore “{label}” in the list.', { label: this.title(before) })
        : ''
      this.announce(undo ? `${done} ${undo}` : done)
      await this.refresh()
    } catch (error) {
      this.announce(_('The restore failed: {error}', { error: error.message }))
    }
  }
}
