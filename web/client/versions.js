// Versions on the page: the workshop's named and automatic versions, naming one, comparing one
// with now cell by cell, and restoring one. A restore is a new change on the live document
// (everyone connected sees it; restoring the version before it undoes it), made by the server.

import { button, element, when } from './dom.js'

export class Versions {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string} options.workshopId
   * @param {boolean} options.canWrite who may name and restore versions (editors and up)
   * @param {(cell: string) => string} options.labelOf a cell key's label
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, workshopId, canWrite, labelOf, announce }) {
    Object.assign(this, { api, workshopId, canWrite, labelOf, announce })
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
      this.announce(`Versioita ei saatu (could not list versions): ${error.message}`)
    }
  }

  row (version) {
    const item = element('li', undefined, { 'data-version': version.id })
    const who = version.automatic ? 'automaattinen (automatic)' : (version.author || '')
    item.append(
      element('strong', version.label),
      element('span', ` · ${when(version.created_at)}${who ? ` · ${who}` : ''} `),
      button('Vertaa nykyiseen (compare with now)', () => this.compare(version)),
      element('a', 'JSON', {
        href: `/api/workshops/${this.workshopId}/versions/${version.id}/export.json`
      }))
    if (this.canWrite) {
      item.append(button('Palauta (restore)', () => this.restore(version)))
    }
    return item
  }

  async name () {
    const input = document.getElementById('version-label')
    const label = input.value.trim()
    if (!label) return
    try {
      await this.api.call('POST', '/versions', { label })
      input.value = ''
      this.announce(`Versio "${label}" tallennettu (version saved)`)
      await this.refresh()
    } catch (error) {
      this.announce(`Versiota ei tallennettu (version not saved): ${error.message}`)
    }
  }

  async compare (version) {
    try {
      const { changes } = await this.api.call(
        'GET', `/diff?from=${encodeURIComponent(version.id)}&to=now`)
      const title = element('h4', `Muutokset versiosta "${version.label}" nykyiseen ` +
        `(changes since the version): ${changes.length}`)
      const rows = changes.map((change) => {
        const row = element('li')
        row.append(
          element('strong', this.labelOf(change.cell)),
          element('del', change.from ?? '–'),
          element('ins', change.to ?? '(poistettu / removed)'))
        return row
      })
      this.diff.replaceChildren(title, element('ul'))
      this.diff.querySelector('ul').replaceChildren(...rows)
      this.diff.hidden = false
      title.setAttribute('tabindex', '-1')
      title.focus()
    } catch (error) {
      this.announce(`Vertailu epäonnistui (could not compare): ${error.message}`)
    }
  }

  async restore (version) {
    if (!window.confirm(`Palautetaanko versio "${version.label}"? (restore this version?)`)) return
    try {
      const { changed } = await this.api.call('POST', `/versions/${version.id}/restore`)
      this.announce(`Versio "${version.label}" palautettu, ${changed.length} kenttää muuttui ` +
        `(restored, ${changed.length} cells changed)`)
    } catch (error) {
      this.announce(`Palautus epäonnistui (restore failed): ${error.message}`)
    }
  }
}
