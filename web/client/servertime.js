// The server's clock, as a page reads it. A live session's timer ends at an instant on the
// server's clock, and every answer about a session carries `server_time` (milliseconds since
// the epoch); so each page learns where the server's clock stands against its own and every
// page, whatever its own clock says, shows the same time left.
//
// The reading is kept against the page's monotonic clock (`performance.now()`), not against
// `Date.now()`: the wall clock may be wrong, and may be set while the page is open (by a
// person, by NTP); the monotonic one only runs. What is known is a range: an answer that says
// `server_time` was read by the server after the request was sent and before the answer
// arrived, so the server's clock was at least `server_time` when it arrived, and at most that
// when the request left; and the session document shows times the server had reached when it
// wrote them (a phase's start, a timer's start). The page takes the latest time so proven: it
// is never ahead of the server's clock, and behind it by no more than the time one answer or
// one change takes to arrive (a busy server reads its clock late in a request, after its
// database work, so the end of the range is the nearer one). Readings are taken again every few
// minutes, and when the tab is shown again: a laptop's sleep may have stopped the monotonic
// clock, which the next reading finds (its range no longer meets the one known) and starts over.

const READINGS = 5
const GOOD_ENOUGH_MS = 50 // a round trip this short needs no more readings
const AGAIN_AFTER_MS = 5 * 60 * 1000

export class ServerClock {
  /**
   * @param {() => Promise<number>} read asks the server, resolving to its `server_time`
   */
  constructor (read) {
    this.read = read
    // The server's time minus the page's monotonic time lies in [low, high] (milliseconds).
    this.low = null
    this.high = null
    this.floor = -Infinity // the latest lower bound the session document gave
    this.listeners = []
    this.timer = null
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.measure()
    })
  }

  /** The server's time now (milliseconds since the epoch), or null until it has been read. */
  now () {
    return this.low === null ? null : this.low + performance.now()
  }

  /** Whether the server's clock has been read. */
  get known () {
    return this.low !== null
  }

  /** `listener()` runs whenever the reading changes. */
  onChange (listener) {
    this.listeners.push(listener)
  }

  changed () {
    for (const listener of this.listeners) listener()
  }

  /** The server's clock read `serverTime` between `sent` and `received` (monotonic). */
  reading (serverTime, sent, received) {
    const low = Math.max(serverTime - received, this.floor)
    const high = Math.max(serverTime - sent, low)
    if (this.low === null || low > this.high || high < this.low) {
      this.low = low // the first reading, or the monotonic clock stopped meanwhile
      this.high = high
    } else {
      this.low = Math.max(this.low, low)
      this.high = Math.min(this.high, high)
    }
  }

  /** The server has reached `serverTime` (it wrote it before what the page just received). */
  atLeast (serverTime) {
    const low = serverTime - performance.now()
    if (low <= this.floor) return
    this.floor = low
    if (this.low === null || low <= this.low) return
    this.low = low
    this.high = Math.max(this.high, low)
    this.changed()
  }

  /** Read the server's clock a few times (fewer when a round trip is short), and again every
   * few minutes. A failed reading changes nothing. */
  async measure () {
    clearTimeout(this.timer)
    let taken = false
    for (let i = 0; i < READINGS; i++) {
      const sent = performance.now()
      let serverTime
      try {
        serverTime = await this.read()
      } catch {
        continue
      }
      const received = performance.now()
      this.reading(serverTime, sent, received)
      taken = true
      if (received - sent < GOOD_ENOUGH_MS) break
    }
    this.timer = setTimeout(() => this.measure(), AGAIN_AFTER_MS)
    if (taken) this.changed()
  }
}
