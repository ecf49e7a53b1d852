// The page's connections: what their state is, and what may not be lost while they are down.

const STATUS_TEXT = {
  connecting: 'Yhdistetään… (connecting)',
  connected: 'Yhdistetty (connected)',
  disconnected: 'Yhteys katkesi, yhdistetään uudelleen… (disconnected, reconnecting)'
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
    announce(lost ? STATUS_TEXT.disconnected : STATUS_TEXT[state] || state)
    main.dataset.connection = state
  })
  const all = [provider, ...others]
  for (const each of all) {
    each.on('connection-close', (event) => {
      if (!event || event.code < 4000 || refusal !== null) return
      refusal = `Palvelin sulki yhteyden (${event.code}): ${event.reason || 'ei syytä'}. ` +
        'Pyydä uusi linkki (ask for a new link).'
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
