// The page's connections: what their state is, and what may not be lost while they are down.

import { _ } from './i18n.js'

function statusText (state) {
  if (state === 'connecting') return _('Connecting…')
  if (state === 'connected') return _('Connected')
  return _('The connection was lost: reconnecting…')
}

/** Announce the content connection's state, and mark it on `main` (data-connection) for
 * styling and tests. A refusal (a close code from 4000 up: the link was revoked, writes this
 * role may not make, a workshop over its size limit) ends both connections for good, since
 * reconnecting would only be refused again, and is handed to `refused(code)`. */
export function watchConnections (main, provider, others, { announce, refused }) {
  let ended = false
  let wasConnected = false
  provider.on('status', ({ status: state }) => {
    if (ended) return
    // While the server is away the provider retries, saying "connecting" at each attempt.
    const lost = state !== 'connected' && wasConnected
    wasConnected = wasConnected || state === 'connected'
    announce(statusText(lost ? 'disconnected' : state))
    main.dataset.connection = state
  })
  const all = [provider, ...others]
  for (const each of all) {
    each.on('connection-close', (event) => {
      if (!event || event.code < 4000 || ended) return
      ended = true
      for (const one of all) one.disconnect()
      main.dataset.connection = 'refused'
      refused(event.code)
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
