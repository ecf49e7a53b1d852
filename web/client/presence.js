// Who is here: the content document's awareness, shown as a list of names and roles.

import { _, roleName } from './i18n.js'

const COLOURS = ['#1f6feb', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7ea4']

export function setUser (awareness, name) {
  const colour = COLOURS[awareness.clientID % COLOURS.length]
  awareness.setLocalStateField('user', { name, color: colour, colorLight: `${colour}33` })
}

/** Every awareness state with a user, this client first. Roles are those the server stamped
 * into the states it relayed; this client's own state never comes back stamped (awareness
 * ignores echoes of its own clock), so its role is the page's. */
export function renderPresence (awareness, list, ownRole) {
  const states = [...awareness.getStates().entries()]
    .filter(([, state]) => state && state.user)
    .sort(([a], [b]) => (a === awareness.clientID ? -1 : b === awareness.clientID ? 1 : a - b))
  list.replaceChildren(...states.map(([clientId, state]) => {
    const item = document.createElement('li')
    item.style.borderColor = state.user.color
    const own = clientId === awareness.clientID
    const role = own ? ownRole : state.role
    const values = { name: state.user.name, role: roleName(role) }
    if (own) item.textContent = role ? _('{name} ({role}), you', values) : _('{name}, you', values)
    else item.textContent = role ? _('{name} ({role})', values) : state.user.name
    return item
  }))
}
