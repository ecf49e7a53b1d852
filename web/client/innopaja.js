// Live Innopaja sessions on the workshop page (issue 15): the session document brings the
// state everyone may see (phase, focus, timer, locks, the open vote, the results, the revealed
// notes); the strip shows the phase, the time left and following the facilitator; the locks
// turn locked texts read-only before anyone types in them; the panel holds what is mine (my
// hidden notes and dots), the results and past sessions, and the facilitator's console. The
// server decides every rule; the page mirrors it.

import { WorkshopApi } from './api.js'
import { LiveSession } from './livesession.js'
import { Targets } from './targets.js'
import { Follow } from './follow.js'
import { SessionStrip } from './sessionstrip.js'
import { SessionPanel } from './sessionpanel.js'
import { EXEMPT, LockView } from './locks.js'
import { reloadAfterRefusal, takeRefusal, watchRefusals } from './lockrefusal.js'

/**
 * Start following the workshop's live session, once the content's editors are up.
 * @param {object} page
 * @param {HTMLElement} page.main the page's texts
 * @param {string} page.workshopId
 * @param {string | null} page.token
 * @param {string | null} page.role
 * @param {boolean} page.canWrite
 * @param {Y.Doc} page.content the content document
 * @param {WebsocketProvider} page.provider the content document's provider
 * @param {Map} page.editors the page's editors by field
 * @param {(text: string) => void} page.announce the page's status line
 */
export function startInnopaja ({ main, workshopId, token, role, canWrite, content, provider, editors, announce }) {
  const api = new WorkshopApi(workshopId, token)
  const targets = new Targets(main, editors, content)
  const live = new LiveSession({ workshopId, token, api })
  let strip = null
  const follow = new Follow({ targets, leads: EXEMPT.includes(role), announce: (text) => strip.say(text) })
  strip = new SessionStrip({ node: document.getElementById('session-strip'), clock: live.clock, follow, targets })
  const locks = new LockView({ main, editors, content, role, canWrite })
  const panel = new SessionPanel({
    node: document.getElementById('session-panel'),
    tools: document.getElementById('session-tools'),
    api,
    role,
    targets,
    content,
    announce
  })
  watchRefusals(provider, (reason) => reloadAfterRefusal(workshopId, reason))
  const refused = takeRefusal(workshopId)
  if (refused) {
    panel.warn(refused.message)
    window.scrollTo(0, refused.scroll)
    if (refused.field) editors.get(refused.field)?.view.focus()
  }
  live.onChange((session, before) => {
    const on = session !== null && session.live
    strip.show(session, before)
    locks.show(on ? session.locks : [])
    follow.show(on ? session.focus : null)
    panel.show(session, before)
  })
}
