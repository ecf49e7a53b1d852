// The server's clock, as a page reads it. A live session's timer ends at an instant on the
// server's clock, and every answer about a session carries `server_time` (milliseconds since
// the epoch); so each page learns where the server's clock stands against its own and every
// page, whatever its own clock says, shows the same time left.
//
// The reading is kept against the page's monotonic clock (`performance.now()`), not against
// `Date.now()`: the wall clock may be wrong, and may be set while the page is open (by a
// person, by NTP); the monotonic one only runs. A reading is taken as the midpoint of the
// request's round trip, and of a few readings the one with the shortest trip is kept (its
// midpoint is nearest to when the server read its clock; the error is at most half the trip).

const READINGS = 3
const AGAIN_AFTER_MS = 5 * 60 * 1000 // the monotonic clock may stall while a laptop sleeps

export class ServerClock {
  /**
   * @param {() => Promise<number>} read asks the server, resolving to its `server_time`
   */
  constructor (read) {
    this.read = read
    this.base = null // server time minus monotonic time
    this.listeners = []
    this.timer = null
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.measure()
    })
  }

  /** The server's time now (milliseconds since the epoch), or null until it has been read. */
  now () {
    return this.base === null ? null : this.base + performance.now()
  }

  /** `listener()` runs whenever a new reading is kept. */
  onChange (listener) {
    this.listeners.push(listener)
  }

  /** Read the server's clock a few times and keep the best reading; again every few minutes.
   * A failed reading keeps the one before it. */
  async measure () {
    clearTimeout(this.timer)
    let best = null
    for (let i = 0; i < READINGS; i++) {
      const sent = performance.now()
      let serverTime
      try {
        serverTime = await this.read()
      } catch {
        continue
      }
      const received = performance.now()
      if (best === null || received - sent < best.trip) {
        best = { trip: received - sent, base: serverTime - (sent + received) / 2 }
      }
    }
    this.timer = setTimeout(() => this.measure(), AGAIN_AFTER_MS)
    if (best === null) return
    this.base = best.base
    for (const listener of this.listeners) listener()
  }
}
