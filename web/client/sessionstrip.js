// The live session's strip on the workshop page, for everyone while a session is on: the
// phase and the part of the workshop it works on, the time left on the shared timer, and
// whether I follow the facilitator (with the one button that steps out or back in). It stays
// at the bottom of the screen while the page scrolls.

import { button, element } from './dom.js'
import { _ } from './i18n.js'
import { Countdown } from './countdown.js'
import { reveal } from './layout.js'

export class SessionStrip {
  /**
   * @param {object} options
   * @param {HTMLElement} options.node the strip's element (#session-strip)
   * @param {ServerClock} options.clock
   * @param {Follow} options.follow
   * @param {Targets} options.targets
   */
  constructor ({ node, clock, follow, targets }) {
    Object.assign(this, { node, follow, targets })
    this.title = element('h2', '', { id: 'session-strip-title' })
    this.phase = element('p', '', { class: 'phase' })
    this.work = button('', () => this.goToWork())
    this.work.className = 'link'
    const display = element('span', '', { role: 'timer', class: 'time', id: 'session-time', 'aria-label': _('Time left') })
    const state = element('span', '', { class: 'timer-state' })
    this.timeBox = element('p', undefined, { class: 'timer' })
    this.timeBox.append(display, ' ', state)
    this.following = element('span', '', { id: 'follow-state' })
    this.toggle = button('', () => follow.toggle())
    this.toggle.id = 'follow-toggle'
    this.goTo = button(_('Go there'), () => follow.go())
    this.followBox = element('p', undefined, { class: 'follow' })
    this.followBox.append(this.following, ' ', this.toggle, ' ', this.goTo)
    // Screen readers hear the timer's news and the facilitator's moves from here.
    this.live = element('p', '', { class: 'session-sr-only', 'aria-live': 'polite', id: 'session-news' })
    const phaseBox = element('div', undefined, { class: 'phase-box' })
    phaseBox.append(this.phase, this.work)
    node.replaceChildren(this.title, phaseBox, this.timeBox, this.followBox, this.live)
    this.countdown = new Countdown({ display, state, announce: (text) => this.say(text), clock })
    follow.onChange(() => this.renderFollow())
    new ResizeObserver(() => {
      document.documentElement.style.setProperty('--session-strip-height', `${node.offsetHeight}px`)
    }).observe(node)
  }

  say (text) {
    this.live.textContent = text
  }

  /** The session document's state (null, or not live: the strip goes). */
  show (session, before) {
    const live = session !== null && session.live
    this.node.hidden = !live
    document.body.classList.toggle('with-session-strip', live)
    if (!live) {
      this.countdown.show(null)
      return
    }
    this.session = session
    this.title.textContent = _('Now: {title}', { title: session.title })
    const phase = session.phases[session.phase]
    this.phase.textContent = _('Phase {number}/{count}: {title}',
      { number: session.phase + 1, count: session.phases.length, title: phase.title })
    this.work.textContent = this.targets.describe(phase.targets)
    this.work.setAttribute('aria-label', _('Go to the phase’s part: {part}', { part: this.work.textContent }))
    if (before && before.live && before.id === session.id && before.phase !== session.phase) {
      this.say(_('The phase is now {title}.', { title: phase.title }))
    }
    this.timeBox.hidden = session.timer === null
    if (!before || JSON.stringify(before.timer) !== JSON.stringify(session.timer)) {
      this.countdown.show(session.timer)
    }
    this.renderFollow()
  }

  renderFollow () {
    const { focus, following, leads } = this.follow
    const where = focus === null ? null : this.targets.label(focus)
    this.toggle.hidden = leads
    this.goTo.hidden = where === null
    if (leads) {
      this.following.textContent = where === null ? _('Everyone roams freely.') : _('Everyone is shown: {where}', { where })
      return
    }
    this.toggle.textContent = following ? _('Stop following') : _('Follow again')
    if (where === null) {
      this.following.textContent = following ? _('You follow the facilitator.') : _('You do not follow the facilitator.')
    } else {
      this.following.textContent = following
        ? _('You follow the facilitator: {where}', { where })
        : _('You do not follow the facilitator, who shows: {where}', { where })
    }
  }

  /** Scroll to the first part the current phase works on and put the keyboard there. */
  goToWork () {
    const phase = this.session.phases[this.session.phase]
    const node = this.targets.element(phase.targets[0])
    if (!node) return
    reveal(node)
    node.scrollIntoView({ block: 'center' })
    node.querySelector('.cm-content')?.focus({ preventScroll: true })
  }
}
