// The page's connections: what their state is, and what may not be lost while they are down.

import { _ } from './i18n.js'

function statusText (state) {
  if (state === 'connecting') return _('Connecting…')
  if (state === 'connected') return _('Connected')
  return _('The connection was lost: reconnecting…')
}

/** Why the server closed a connection for good, in words (the codes are in collab/errors.py). */
function refusalText (code) {
  if (code === 4403) {
    return _('The server closed the connection: this link has been revoked, or it does not allow what was tried. Ask for a new link.')
  }
  if (code === 4413) {
    return _('The server closed the connection: the workshop is over its size limit, so nothing more can be saved.')
  }
  return _('The server closed the connection ({code}). Ask for a new link.', { code })
}

/** Announce the content connection's state, and mark it on `main` (data-connection) for
 * styling and tests. A refusal (4403: the link was revoked, or writes this role may not make)
 * ends both connections for good: reconnecting would only be refused again. */
export function watchConnections (main, provider, others, announce) {
  let refusal = null
  let wasConnected = false
  provider.on('status', ({ status: state }) => {
    if (refusal !== null) return
    // While the server is away the provider retries, saying "connecting" at each attempt.
    const lost = state !== 'connected' && wasConnected
    wasConnected = wasConnected || state === 'connected'
    announce(statusText(lost ? 'disconnected' : state))
    main.dataset.connection = state
  })
  const all = [provider, ...others]
  for (const each of all) {
    each.on('connection-close', (event) => {
      if (!event || event.code < 4000 || refusal !== null) return
      refusal = refusalText(event.code)
      for (const one of all) one.disconnect()
      main.dataset.connection = 'refused'
      announce(refusal)
    })
  }
}

/** Edits made while a document's socket is down wait in the page until it reconnects:
 * leaving then would lose them, so the browser asks first. `pairs` are [doc, provider]. */
export function guardUnsentEdits (pairs) {
  const unsent = new Set()
  for (const [doc, provider] of pairs) {
    doc.on('update', (update, origin) => {
      if (origin !== provider && !provider.wsconnected) unsent.add(provider)
    })
    provider.on('sync', (synced) => { if (synced) unsent.delete(provider) })
  }
  window.addEventListener('beforeunload', (event) => {
    if (unsent.size > 0) event.preventDefault()
  })
}
