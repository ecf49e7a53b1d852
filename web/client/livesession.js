// A workshop's live Innopaja session as a page follows it: the `{id}.session` document, which
// the server alone writes (a client's update to it is refused like any forbidden write), and
// the server's clock its timer runs on.
//
// The document's root map `session` holds what everyone in the session may see, each entry a
// plain JSON value (the table is in documents/live/view.py): id, title, live, revision, phases,
// phase, phase_started_at, focus, timer, locks, vote (the open vote, without tallies), results
// (the closed votes) and revealed (the revealed notes). It shows the last session after it
// ended (`live` false), and nothing before the first one.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { ServerClock } from './servertime.js'

/** Whether two JSON values are the same. */
export function same (a, b) {
  return JSON.stringify(a) === JSON.stringify(b)
}

export class LiveSession {
  /**
   * @param {object} options
   * @param {string} options.workshopId
   * @param {string | null} options.token the page's share-link token
   * @param {WorkshopApi} options.api
   */
  constructor ({ workshopId, token, api }) {
    this.api = api
    this.doc = new Y.Doc()
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    // As the page's other documents: through the server only, never a BroadcastChannel.
    this.provider = new WebsocketProvider(
      `${scheme}://${window.location.host}/collab`, `${workshopId}.session`, this.doc,
      { params: token ? { token } : {}, disableBc: true })
    this.map = this.doc.getMap('session')
    this.state = null // the session as the document shows it (null before the first one)
    this.over = false // whether the server ended this page's part in it
    this.listeners = []
    this.clock = new ServerClock(() => this.serverTime())
    this.map.observe(() => this.changed())
    // The server ended this page's part for good (a participant link revoked as the session
    // ended, say): the session is over for this page, whatever the document last showed.
    this.provider.on('connection-close', (event) => {
      if (event && event.code >= 4000 && this.state && this.state.live) {
        this.over = true
        this.changed()
      }
    })
    this.changed()
  }

  /** What the document shows proves how far the server's clock had come when it wrote it: the
   * current phase began before, and a running timer started before (it ends `duration` after
   * its start at the latest). */
  boundClock () {
    const { phase_started_at: phaseStarted, timer } = this.state || {}
    if (typeof phaseStarted === 'number') this.clock.atLeast(phaseStarted)
    if (timer && timer.running) this.clock.atLeast(timer.ends_at - timer.duration)
  }

  /** The shown session's API path. */
  get path () {
    return `/sessions/${this.state.id}`
  }

  /** `listener(session, before)` runs on every change, and once at once. */
  onChange (listener) {
    this.listeners.push(listener)
    listener(this.state, null)
  }

  async serverTime () {
    return (await this.api.call('GET', this.path)).server_time
  }

  changed () {
    const before = this.state
    const shown = this.map.toJSON()
    this.state = typeof shown.id === 'string' ? { ...shown, live: shown.live === true && !this.over } : null
    if (same(before, this.state)) return
    this.boundClock()
    // A page learns the server's clock once there is a session to time.
    if (this.state && this.state.live && !this.clock.known &&
        (before === null || before.id !== this.state.id)) {
      this.clock.measure()
    }
    for (const listener of this.listeners) listener(this.state, before)
  }
}
