// Who is here, and where: the content document's awareness, shown as a list of names and roles
// with the part or text each person is in, and at each text as the names of the people in it.

import { _, roleName } from './i18n.js'

const COLOURS = ['#1f6feb', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7ea4']

export function setUser (awareness, name) {
  const colour = COLOURS[awareness.clientID % COLOURS.length]
  awareness.setLocalStateField('user', { name, color: colour, colorLight: `${colour}33` })
}

/** Publish where this person's focus is (`where`: the part, and the text if in one; null
 * outside the parts), for the others' lists and texts. A window losing focus keeps it: the
 * person is still reading there. */
export function trackWhere (awareness) {
  document.addEventListener('focusin', (event) => {
    const part = event.target.closest('section.part[data-part]')
    const field = event.target.closest('.field[data-field]')
    const where = part ? { part: part.dataset.part, field: field ? field.dataset.field : null } : null
    const now = awareness.getLocalState()?.where ?? null
    if (JSON.stringify(now) !== JSON.stringify(where)) awareness.setLocalStateField('where', where)
  })
}

/** Every awareness state with a user, this client first. */
function people (awareness) {
  return [...awareness.getStates().entries()]
    .filter(([, state]) => state && state.user)
    .sort(([a], [b]) => (a === awareness.clientID ? -1 : b === awareness.clientID ? 1 : a - b))
}

/** The list of who is here. Roles are those the server stamped into the states it relayed;
 * this client's own state never comes back stamped (awareness ignores echoes of its own
 * clock), so its role is the page's. `placeOf(where)` names a part or text, or gives null. */
export function renderPresence (awareness, list, ownRole, placeOf) {
  list.replaceChildren(...people(awareness).map(([clientId, state]) => {
    const item = document.createElement('li')
    item.style.borderColor = state.user.color
    const own = clientId === awareness.clientID
    const role = own ? ownRole : state.role
    const values = { name: state.user.name, role: roleName(role) }
    let who
    if (own) who = role ? _('{name} ({role}), you', values) : _('{name}, you', values)
    else who = role ? _('{name} ({role})', values) : state.user.name
    const place = state.where ? placeOf(state.where) : null
    item.textContent = place ? _('{who}, in {place}', { who, place }) : who
    return item
  }))
}

/** The names of the others at each text, on the text's top edge in their colours. Laid out
 * again only when someone moved to another text, changed their name, or a text was laid out anew. */
export class PeopleAtTexts {
  constructor (awareness, root) {
    Object.assign(this, { awareness, root })
    this.shown = ''
    this.lists = []
  }

  render () {
    const here = people(this.awareness)
      .filter(([clientId, state]) => clientId !== this.awareness.clientID && state.where?.field)
      .map(([, state]) => ({ field: state.where.field, name: state.user.name, colour: state.user.color }))
    const signature = JSON.stringify(here)
    if (signature === this.shown && this.lists.every((list) => list.isConnected)) return
    this.shown = signature
    for (const old of this.lists) old.remove()
    this.lists = []
    for (const { field, name, colour } of here) {
      const element = this.root.querySelector(`.field[data-field="${CSS.escape(field)}"]`)
      if (!element) continue
      let list = element.querySelector(':scope > .here')
      if (!list) {
        list = document.createElement('ul')
        list.className = 'here'
        list.setAttribute('aria-label', _('Here now'))
        element.prepend(list)
        this.lists.push(list)
      }
      const item = document.createElement('li')
      item.textContent = name
      item.style.borderColor = colour
      list.append(item)
    }
  }
}
