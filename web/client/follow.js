// "Follow me": the facilitator's focus (a section or a text of the workshop, in the session
// document) moves the view of everyone who follows: the page scrolls it into view and marks it.
// Following is on until the person steps out, and one click takes them back in (to where the
// facilitator is now). Scrolling moves no keyboard focus, so nobody is pulled out of what they
// are typing; the strip offers to go there, and screen readers are told where the
// facilitator is.

import { _ } from './i18n.js'
import { reveal } from './layout.js'

function smooth () {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth'
}

export class Follow {
  /**
   * @param {object} options
   * @param {Targets} options.targets
   * @param {boolean} options.leads whether this page is the facilitator's (who is not moved)
   * @param {(text: string) => void} options.announce
   */
  constructor ({ targets, leads, announce }) {
    Object.assign(this, { targets, leads, announce })
    this.following = !leads
    this.focus = null
    this.marked = null
    this.listeners = []
  }

  /** `listener()` runs when the focus or following changes. */
  onChange (listener) {
    this.listeners.push(listener)
  }

  changed () {
    for (const listener of this.listeners) listener()
  }

  /** The session document's focus (null: everyone roams). */
  show (focus) {
    if (focus === this.focus) return
    this.focus = focus
    this.mark()
    if (focus !== null && !this.leads) {
      const where = this.targets.label(focus)
      this.announce(this.following
        ? _('The facilitator shows: {where}.', { where })
        : _('The facilitator shows: {where}. You do not follow.', { where }))
    }
    if (this.following) this.view()
    this.changed()
  }

  /** Step out (the view stays where it is), or back in (the view goes to the focus). */
  toggle () {
    this.following = !this.following
    if (this.following) this.view()
    this.announce(this.following ? _('You follow the facilitator.') : _('You no longer follow the facilitator.'))
    this.changed()
  }

  /** Mark the focused part for everyone, followers or not. */
  mark () {
    this.marked?.classList.remove('session-focus')
    this.marked = this.focus === null ? null : this.targets.element(this.focus)
    this.marked?.classList.add('session-focus')
  }

  /** Scroll the focused part into view. */
  view () {
    if (this.focus === null) return
    const node = this.targets.element(this.focus)
    if (!node) return
    reveal(node) // a matrix cell a narrow screen shows one perspective at a time
    node.scrollIntoView({ block: 'center', behavior: smooth() })
  }

  /** Go to the focused part with the keyboard too: its text (or first text) takes the focus. */
  go () {
    if (this.focus === null) return
    this.view()
    const node = this.targets.element(this.focus)
    const editable = node && (node.querySelector('.cm-content') || node.querySelector('h2, h3, button'))
    editable?.focus({ preventScroll: true })
  }
}
