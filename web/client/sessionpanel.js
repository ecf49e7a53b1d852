// The live session's panel on the workshop page, below its header while a session is live:
// for a participant (and an editor), joining under a name, my hidden notes and my dots on the
// open vote; for everyone, the closed votes' results; for the facilitators and the owner, the
// console that runs the session (facilitator.js). Among the page's tools, further down: the
// form that starts a session (facilitators and the owner, while none is live) and the records
// of past sessions (everyone).

import { element } from './dom.js'
import { _ } from './i18n.js'
import { Dots } from './dots.js'
import { JOINING_ROLES, Person, joinForm } from './participant.js'
import { MyNotes } from './mynotes.js'
import { latestResults, resultList } from './results.js'
import { Records } from './records.js'
import { Console } from './facilitator.js'
import { StartForm } from './sessionstart.js'
import { EXEMPT } from './locks.js'
import { same } from './livesession.js'
import { refusalText } from './sessionwords.js'

export class SessionPanel {
  /**
   * @param {object} options
   * @param {HTMLElement} options.node the panel's element (#session-panel)
   * @param {HTMLElement} options.tools the tools' element (#session-tools)
   * @param {WorkshopApi} options.api
   * @param {string | null} options.role
   * @param {Targets} options.targets
   * @param {Y.Doc} options.content
   * @param {(text: string) => void} options.announce
   */
  constructor ({ node, tools, api, role, targets, content, announce }) {
    Object.assign(this, { node, tools, api, role, targets, content, announce })
    this.leads = EXEMPT.includes(role)
    this.joins = JOINING_ROLES.includes(role)
    this.title = element('h2', _('Innopaja'), { id: 'session-panel-title' })
    this.alert = element('p', '', { class: 'session-alert', role: 'alert', hidden: '' })
    this.mine = element('div', undefined, { class: 'session-mine' })
    this.results = element('section', undefined, { class: 'session-results', 'aria-labelledby': 'results-title', hidden: '' })
    this.steering = element('div', undefined, { class: 'session-console' })
    node.replaceChildren(this.title, this.alert, this.mine, this.results, this.steering)
    this.records = new Records({ api, announce })
    this.starting = element('div')
    tools.replaceChildren(element('h2', _('Innopaja sessions'), { id: 'session-tools-title' }),
      this.starting, this.records.node)
    this.sessionId = null
    this.console = null
    this.start = null
    this.records.onChange(() => this.visibility())
  }

  /** A message everyone on this page should see at once (role="alert"). */
  warn (text) {
    this.alert.textContent = text
    this.alert.hidden = false
    this.visibility()
  }

  show (session, before) {
    const live = session !== null && session.live
    this.title.textContent = live ? _('Innopaja: {title}', { title: session.title }) : _('Innopaja')
    this.session = session
    if (live && session.id !== this.sessionId) this.begin(session)
    if (!live && this.sessionId !== null) this.finish()
    if (live) {
      this.showMine()
      if (before && before.live && !same(before.revealed, session.revealed)) this.notes?.refresh()
      this.console?.show(session)
    }
    if (this.leads && !live) this.offerStart()
    if (live) this.start?.node.remove()
    this.showResults(live ? session : null)
    if (!before || before.live !== (session && session.live) || before.id !== session?.id) this.records.refresh()
    this.visibility()
  }

  /** Each shows when it has anything to show. */
  visibility () {
    this.node.hidden = this.sessionId === null && this.alert.hidden
    this.tools.hidden = !(this.start?.node.isConnected || this.records.any)
  }

  begin (session) {
    this.finish()
    this.sessionId = session.id
    if (this.joins) this.joinAs(new Person(this.api, session.id))
    if (this.leads) {
      this.console = new Console({
        api: this.api, sessionId: session.id, targets: this.targets, content: this.content, announce: this.announce
      })
      this.steering.replaceChildren(this.console.node)
    }
  }

  finish () {
    this.sessionId = null
    this.notes = null
    this.dots = null
    this.console?.stop()
    this.console = null
    this.mine.replaceChildren()
    this.steering.replaceChildren()
  }

  /** The parts that are mine: the join form first, then my notes and my dots. */
  joinAs (person) {
    const rejoin = () => this.joinAs(person)
    if (!person.joined) {
      this.notes = null
      this.dots = null
      const form = joinForm(async (name) => {
        try {
          await person.join(name)
          this.announce(_('You joined the session as {name}.', { name }))
          this.joinAs(person)
          this.mine.querySelector('#note-text')?.focus()
        } catch (error) {
          this.announce(_('Could not join: {error}', { error: refusalText(error) }))
        }
      })
      this.mine.replaceChildren(form)
      return
    }
    const common = { person, sessionId: person.sessionId, announce: this.announce, rejoin }
    this.notes = new MyNotes(common)
    this.dots = new Dots({ ...common, labelOf: (item) => this.targets.itemLabel(item) })
    this.mine.replaceChildren(this.notes.node, this.dots.node)
    this.showMine()
  }

  /** My notes and dots as the session stands: whether its phase takes notes, its open vote. */
  showMine () {
    const session = this.session
    this.notes?.setPhase(session.phases[session.phase].notes)
    this.dots?.show(session.vote)
  }

  showResults (session) {
    const vote = latestResults(session)
    this.results.hidden = vote === null
    if (vote === null) return
    if (this.results.dataset.vote === vote.id) return
    this.results.dataset.vote = vote.id
    this.results.replaceChildren(element('h3', _('Results of the dot vote'), { id: 'results-title' }), resultList(vote))
  }

  offerStart () {
    if (!this.start) this.start = new StartForm({ api: this.api, targets: this.targets, announce: this.announce })
    if (!this.start.node.isConnected) this.starting.replaceChildren(this.start.node)
  }
}
