// Share links, for the owner: a link per role to give out, the links given so far, and
// revoking one (its open sockets are closed by the server at once).

import { button, element, when } from './dom.js'

const ROLES = [
  ['viewer', 'lukija (viewer)'],
  ['commenter', 'kommentoija (commenter)'],
  ['editor', 'muokkaaja (editor)'],
  ['facilitator', 'fasilitaattori (facilitator)']
]

export class Sharing {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, announce }) {
    Object.assign(this, { api, announce })
    this.list = document.getElementById('link-list')
    document.getElementById('sharing').hidden = false
    const buttons = document.getElementById('link-roles')
    buttons.replaceChildren(...ROLES.map(([role, name]) =>
      button(`Uusi linkki: ${name}`, () => this.create(role))))
    this.refresh()
  }

  async refresh () {
    try {
      const { items } = await this.api.call('GET', '/links')
      this.list.replaceChildren(...items
        .filter((link) => link.revoked_at === null)
        .map((link) => this.row(link)))
    } catch (error) {
      this.announce(`Linkkejä ei saatu (could not list links): ${error.message}`)
    }
  }

  row (link) {
    const item = element('li', undefined, { 'data-link': link.id })
    const url = new URL(link.url, window.location.href).href
    const field = element('input', undefined, {
      readonly: '', value: url, 'aria-label': `Linkki (${link.role})`, size: '60'
    })
    field.addEventListener('focus', () => field.select())
    item.append(element('strong', link.role), ` ${when(link.created_at)} `, field)
    if (link.role !== 'owner') {
      item.append(button('Peru linkki (revoke)', () => this.revoke(link)))
    }
    return item
  }

  async create (role) {
    try {
      await this.api.call('POST', '/links', { role })
      await this.refresh()
      this.announce(`Uusi ${role}-linkki luotu (link created)`)
      this.list.lastElementChild?.querySelector('input')?.focus()
    } catch (error) {
      this.announce(`Linkkiä ei luotu (link not created): ${error.message}`)
    }
  }

  async revoke (link) {
    try {
      await this.api.call('DELETE', `/links/${link.id}`)
      await this.refresh()
      this.announce(`Linkki peruttu (link revoked: ${link.role})`)
    } catch (error) {
      this.announce(`Linkkiä ei peruttu (not revoked): ${error.message}`)
    }
  }
}
