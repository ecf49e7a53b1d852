// When the server refused this page's change to the content: a lock landed while the person was
// typing (the page learns of a lock through the session document, a moment after the server
// holds it), or text written offline reached a text that was locked meanwhile. The server
// says so with a y-protocols auth message ("permission denied", its reason), which y-websocket
// itself only logs; the page takes it from the provider instead.
//
// The page must then stop showing what the server refused. A Y.Doc cannot forget an update it
// applied, and every later change this page makes builds on it (the server would hold those
// back as having missing dependencies), so the page's content document is of no more use:
// the page is loaded again, which builds every editor, list and comment anchor afresh from
// what the server holds. Where the person was (the text they were in, the scroll position) and
// why it happened are kept in the tab's session storage and given back after the load.

import { readAuthMessage } from 'y-protocols/auth'
import { _ } from './i18n.js'

const MESSAGE_AUTH = 2 // y-protocols' message type
const KEY = 'verstas.refused'
const FRESH_MS = 60 * 1000

/** Run `onRefused(reason)` when the server refuses one of this provider's updates. */
export function watchRefusals (provider, onRefused) {
  provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder, from) => {
    readAuthMessage(decoder, from.doc, (_doc, reason) => onRefused(reason))
  }
}

/** Load the page again from the server's state, remembering where the person was. */
export function reloadAfterRefusal (workshopId, reason) {
  const editor = document.activeElement?.closest?.('.cm-content')
  window.sessionStorage.setItem(KEY, JSON.stringify({
    workshopId,
    locked: reason.includes('lock'),
    field: editor ? editor.dataset.field : null,
    scroll: window.scrollY,
    at: Date.now()
  }))
  window.location.reload()
}

/** What the page told itself before it was loaded again after a refusal (null if it was
 * not), once: the message to show and where the person was. */
export function takeRefusal (workshopId) {
  const raw = window.sessionStorage.getItem(KEY)
  window.sessionStorage.removeItem(KEY)
  let saved
  try {
    saved = raw ? JSON.parse(raw) : null
  } catch {
    return null
  }
  if (!saved || saved.workshopId !== workshopId || Date.now() - saved.at > FRESH_MS) return null
  const message = saved.locked
    ? _('Your last change was not saved: the facilitator had locked that text. The page now shows what the server holds.')
    : _('Your last change was not saved: the server refused it. The page now shows what the server holds.')
  return { message, field: saved.field, scroll: saved.scroll }
}
