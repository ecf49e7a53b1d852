// Share links, for the owner: a link per role to give out, the links given so far, and
// revoking one (its open sockets are closed by the server at once).

import { button, element } from './dom.js'
import { _, roleName, when } from './i18n.js'

const ROLES = ['viewer', 'commenter', 'editor', 'facilitator']

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
    buttons.replaceChildren(...ROLES.map((role) =>
      button(_('New link: {role}', { role: roleName(role) }), () => this.create(role))))
    this.refresh()
  }

  async refresh () {
    try {
      const { items } = await this.api.call('GET', '/links')
      this.list.replaceChildren(...items
        .filter((link) => link.revoked_at === null)
        .map((link) => this.row(link)))
    } catch (error) {
      this.announce(_('Could not list the links: {error}', { error: error.message }))
    }
  }

  row (link) {
    const item = element('li', undefined, { 'data-link': link.id })
    const url = new URL(link.url, window.location.href).href
    const field = element('input', undefined, {
      readonly: '', value: url, 'aria-label': _('Link: {role}', { role: roleName(link.role) }), size: '60'
    })
    field.addEventListener('focus', () => field.select())
    item.append(element('strong', roleName(link.role)), ` ${when(link.created_at)} `, field)
    if (link.role !== 'owner') {
      item.append(button(_('Revoke the link'), () => this.revoke(link)))
    }
    return item
  }

  async create (role) {
    try {
      await this.api.call('POST', '/links', { role })
      await this.refresh()
      this.announce(_('A new link was made: {role}.', { role: roleName(role) }))
      this.list.lastElementChild?.querySelector('input')?.focus()
    } catch (error) {
      this.announce(_('The link was not made: {error}', { error: error.message }))
    }
  }

  async revoke (link) {
    try {
      await this.api.call('DELETE', `/links/${link.id}`)
      await this.refresh()
      this.announce(_('The link was revoked: {role}.', { role: roleName(link.role) }))
    } catch (error) {
      this.announce(_('The link was not revoked: {error}', { error: error.message }))
    }
  }
}
