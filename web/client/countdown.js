// The shared timer of a live session, shown on a page. The session document holds the timer as
// the server keeps it (documents/live/timer.py): running, the instant it ends on the server's
// clock (milliseconds); paused, the time it had left. Each page counts down from the server's
// clock (servertime.js), so every page shows the same time left.
//
// Screen readers are told at sensible moments, not every second: when the facilitator starts,
// pauses, resumes or changes the timer, when the time left passes 10, 5, 2 and 1 minutes, 30
// and 10 seconds, and when the time is up. The visible time is a `role="timer"` element, which
// screen readers do not read out by themselves.

import { _, ngettext } from './i18n.js'

const MARKS = [600, 300, 120, 60, 30, 10] // seconds left that are announced
const TICK_MS = 250

/** Milliseconds left on `timer` when the server's clock reads `now`. */
export function remaining (timer, now) {
  if (!timer.running) return Math.max(0, timer.remaining)
  return Math.max(0, timer.ends_at - now)
}

/** Whole seconds left, counting a started second as whole (a 5-minute timer shows 5:00 at its
 * start and 0:01 until it is over). */
function seconds (ms) {
  return Math.ceil(ms / 1000)
}

/** The time left as a clock shows it: 4:05, 1:02:03. */
export function clockText (ms) {
  const total = seconds(ms)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/** The time left in words, for screen readers: "4 minuuttia ja 5 sekuntia". */
export function spokenTime (ms) {
  const total = seconds(ms)
  const minutes = Math.floor(total / 60)
  const rest = total % 60
  const m = ngettext('{n} minute', '{n} minutes', minutes)
  const s = ngettext('{n} second', '{n} seconds', rest)
  if (minutes === 0) return s
  if (rest === 0) return m
  return _('{minutes} and {seconds}', { minutes: m, seconds: s })
}

/** What changed between two states of the timer, in words; null when nothing did. */
function change (before, after, left) {
  if (after === null) return before === null ? null : _('The timer was removed.')
  const time = spokenTime(left)
  if (before === null) return _('The timer started: {time} left.', { time })
  if (before.running && !after.running) return _('The timer is paused: {time} left.', { time })
  const sameLength = after.duration === before.duration
  if (!before.running && after.running) {
    return sameLength ? _('The timer goes on: {time} left.', { time }) : _('The timer started: {time} left.', { time })
  }
  if (!sameLength) return _('The time changed: {time} left.', { time })
  // Started again with the same length while running.
  if (after.running && after.ends_at !== before.ends_at) return _('The timer started: {time} left.', { time })
  return null
}

export class Countdown {
  /**
   * @param {object} options
   * @param {HTMLElement} options.display shows the time left (role="timer")
   * @param {HTMLElement} options.state says whether the timer is paused or over
   * @param {(text: string) => void} options.announce tells screen readers (a live region)
   * @param {ServerClock} options.clock
   */
  constructor ({ display, state, announce, clock }) {
    Object.assign(this, { display, state, announce, clock })
    this.timer = null
    this.known = false // whether a timer has been shown yet (the first is not announced)
    this.lastLeft = null
    this.interval = null
    clock.onChange(() => this.tick())
  }

  /** Show the session document's timer (null: no timer). */
  show (timer) {
    const before = this.timer
    this.timer = timer
    const now = this.clock.now()
    const left = timer && now !== null ? remaining(timer, now) : null
    if (this.known && now !== null) {
      const said = change(before, timer, left ?? 0)
      if (said) this.announce(said)
    }
    this.known = true
    // The marks count from here; one within a second of what was just said is not repeated.
    this.lastLeft = left === null ? null : left - 1000
    clearInterval(this.interval)
    if (timer && timer.running) this.interval = setInterval(() => this.tick(), TICK_MS)
    this.tick()
  }

  tick () {
    const timer = this.timer
    const now = this.clock.now()
    if (timer === null || now === null) {
      this.display.textContent = timer === null ? '' : '–:––'
      this.state.textContent = ''
      return
    }
    const left = remaining(timer, now)
    this.display.textContent = clockText(left)
    this.display.dataset.state = left === 0 ? 'over' : timer.running ? 'running' : 'paused'
    this.state.textContent = left === 0 ? _('Time is up') : timer.running ? '' : _('Paused')
    if (timer.running) this.passMarks(left)
  }

  /** Announce the marks the time left has passed since the last tick. */
  passMarks (left) {
    const before = this.lastLeft
    if (before === null) {
      this.lastLeft = left - 1000 // the server's clock was learnt only now
      return
    }
    if (left >= before) return
    this.lastLeft = left
    if (left === 0 && before > 0) {
      this.announce(_('Time is up.'))
      clearInterval(this.interval)
      return
    }
    const passed = MARKS.find((mark) => before > mark * 1000 && left <= mark * 1000)
    if (passed !== undefined) this.announce(_('{time} left.', { time: spokenTime(passed * 1000) }))
  }
}
