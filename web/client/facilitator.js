// The facilitator's console on the workshop page, for the facilitators and the owner while a
// session is live: the agenda and its phases, the shared timer, what everyone is shown
// ("follow me"), the locks, the incoming hidden notes and their reveal, the dot vote, a
// participant link to give out and the end of the session. Every control is a request to the
// session API; what the console shows is what the session document (and, for what only
// facilitators see, the API) says back, so two facilitators' consoles agree.

import { button, element } from './dom.js'
import { _, ngettext } from './i18n.js'
import { CONTENT, SECTIONS, itemTarget } from './targets.js'
import { refusalText } from './sessionwords.js'
import { LockPanel } from './lockpanel.js'
import { NoteFeed } from './notefeed.js'
import { VotePanel } from './votepanel.js'

const POLL_MS = 5000 // how often the people who joined and the voters are counted again

function block (id, title) {
  const node = element('section', undefined, { class: 'console-block', 'aria-labelledby': id })
  node.append(element('h3', title, { id }))
  return node
}

export class Console {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string} options.sessionId
   * @param {Targets} options.targets
   * @param {Y.Doc} options.content
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, sessionId, targets, content, announce }) {
    Object.assign(this, { api, targets, announce })
    this.path = `/sessions/${sessionId}`
    this.session = null
    this.node = element('div', undefined, { class: 'console', id: 'session-console' })
    const steer = (suffix, body, done) => this.steer(suffix, body, done)
    this.locks = new LockPanel({ targets, steer })
    this.notes = new NoteFeed({ api, path: this.path, steer })
    this.vote = new VotePanel({ content, targets, steer })
    this.node.append(
      element('h3', _('Facilitator’s console'), { class: 'session-sr-only' }),
      this.phaseBlock(), this.timerBlock(), this.focusBlock(),
      this.locks.node, this.notes.node, this.vote.node, this.peopleBlock(), this.endBlock())
    this.lastField = null
    this.onFocus = (event) => {
      const field = event.target.closest?.('.cm-content')?.dataset.field
      if (field) this.lastField = itemTarget(field) ?? field
    }
    document.getElementById('workshop')?.addEventListener('focusin', this.onFocus)
    this.poll = setInterval(() => this.count(), POLL_MS)
    this.count()
  }

  /** The session is over: nothing of this console runs on. */
  stop () {
    clearInterval(this.poll)
    document.getElementById('workshop')?.removeEventListener('focusin', this.onFocus)
    this.notes.stop()
    this.vote.stop()
  }

  /** A facilitator's request; says `done` when it went through, the refusal when not. */
  async steer (suffix, body, done) {
    try {
      const answer = await this.api.call('POST', `${this.path}${suffix}`, body)
      if (done) this.announce(done)
      return answer
    } catch (error) {
      this.announce(refusalText(error))
      return null
    }
  }

  show (session) {
    this.session = session
    this.renderPhases()
    this.renderTimer()
    this.focusState.textContent = session.focus === null
      ? _('Nobody is shown anything: everyone roams freely.')
      : _('Everyone is shown: {where}', { where: this.targets.label(session.focus) })
    this.locks.show(session.locks)
    this.notes.start()
    this.vote.show(session.vote)
  }

  phaseBlock () {
    const node = block('console-phases-title', _('Phases'))
    this.agenda = element('ol', undefined, { class: 'agenda' })
    const actions = element('div', undefined, { class: 'actions' })
    actions.append(
      button(_('Previous phase'), () => this.goTo(this.session.phase - 1)),
      button(_('Next phase'), () => this.goTo(this.session.phase + 1)))
    node.append(this.agenda, actions)
    return node
  }

  goTo (index) {
    if (index < 0 || index >= this.session.phases.length) return
    this.steer('/phase', { index }, _('Phase: {title}.', { title: this.session.phases[index].title }))
  }

  renderPhases () {
    const { phases, phase } = this.session
    // A phase's button goes when it becomes the current one: the focus goes to that phase.
    const hadFocus = this.agenda.contains(document.activeElement)
    this.agenda.replaceChildren(...phases.map((one, index) => {
      const item = element('li', undefined, { tabindex: '-1' })
      if (index === phase) item.setAttribute('aria-current', 'step')
      item.append(element('strong', one.title), ` ${this.targets.describe(one.targets)}`)
      if (!one.notes) item.append(' · ', _('no notes'))
      if (index === phase) item.append(element('span', _('now'), { class: 'badge' }))
      else item.append(' ', button(_('Go to {title}', { title: one.title }), () => this.goTo(index)))
      return item
    }))
    if (hadFocus) this.agenda.children[phase].focus()
  }

  timerBlock () {
    const node = block('console-timer-title', _('Timer'))
    const form = element('form', undefined, { class: 'inline' })
    const minutes = element('input', undefined, {
      id: 'timer-minutes', type: 'number', min: '0.5', max: '1440', step: '0.5', value: '5', required: ''
    })
    form.append(element('label', _('Minutes'), { for: 'timer-minutes' }), minutes,
      element('button', _('Start the timer'), { type: 'submit' }))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      this.steer('/timer', { action: 'start', seconds: Number(minutes.value) * 60 })
    })
    this.pause = button(_('Pause'), () => this.steer('/timer', { action: 'pause' }))
    this.resume = button(_('Resume'), () => this.steer('/timer', { action: 'resume' }))
    const add = (seconds, label) => button(label, () => this.steer('/timer', { action: 'add', seconds }))
    this.timerActions = element('div', undefined, { class: 'actions' })
    this.timerActions.append(this.pause, this.resume,
      add(60, _('+1 min')), add(300, _('+5 min')), add(-60, _('−1 min')))
    node.append(form, this.timerActions)
    return node
  }

  renderTimer () {
    const timer = this.session.timer
    this.timerActions.hidden = timer === null
    if (timer === null) return
    // The one of the two that applies; the focus moves to it when the other one was used.
    const had = document.activeElement
    this.pause.hidden = !timer.running
    this.resume.hidden = timer.running
    if (had === this.pause && !timer.running) this.resume.focus()
    if (had === this.resume && timer.running) this.pause.focus()
  }

  focusBlock () {
    const node = block('console-focus-title', _('Follow me'))
    this.focusState = element('p', '')
    this.focusSelect = element('select', undefined, { id: 'focus-target' })
    this.focusSelect.addEventListener('focus', () => this.fillFocus())
    this.fillFocus()
    const actions = element('div', undefined, { class: 'actions' })
    actions.append(
      button(_('Show everyone'), () => {
        const target = this.focusSelect.value
        this.steer('/focus', { target }, _('Everyone is shown: {where}', { where: this.targets.label(target) }))
      }),
      button(_('Let everyone roam'), () => this.steer('/focus', { target: null }, _('Everyone roams freely.'))))
    node.append(this.focusState,
      element('label', _('What to show (by default the text you were last in)'), { for: 'focus-target' }),
      this.focusSelect, actions)
    return node
  }

  /** The choices of what to show, the text last worked in chosen. */
  fillFocus () {
    const t = this.targets
    const chosen = this.lastField ?? this.focusSelect.value
    const groups = [[_('Sections'), [CONTENT, ...SECTIONS]],
      ...['model', 'matrix', 'path', 'evaluation'].map((section) => [t.label(section), t.cells(section)]),
      [t.label('ideas'), t.items('ideas')], [_('Components'), t.items('components')]]
    this.focusSelect.replaceChildren(...groups.filter(([, targets]) => targets.length).map(([label, targets]) => {
      const group = element('optgroup', undefined, { label })
      group.append(...targets.map((target) => element('option', t.label(target), { value: target })))
      return group
    }))
    if (chosen) this.focusSelect.value = chosen
    this.lastField = null
  }

  peopleBlock () {
    const node = block('console-people-title', _('Participants'))
    this.people = element('p', '')
    this.linkBox = element('div', undefined, { class: 'participant-link' })
    node.append(this.people, button(_('Make a participant link'), () => this.makeLink()), this.linkBox)
    return node
  }

  async makeLink () {
    const link = await this.steer('/links', {}, _('A participant link was made. It stops working when the session ends.'))
    if (!link) return
    const field = element('input', undefined, {
      id: 'participant-link', readonly: '', value: new URL(link.url, window.location.href).href
    })
    field.addEventListener('focus', () => field.select())
    this.linkBox.replaceChildren(element('label', _('Participant link (stops working when the session ends)'),
      { for: 'participant-link' }), field)
    field.focus()
  }

  /** The people who joined and the open vote's voters, as the API counts them. */
  async count () {
    try {
      const session = await this.api.call('GET', this.path)
      this.people.textContent = ngettext('{n} person has joined.', '{n} people have joined.', session.participants)
      this.vote.voters(session.vote)
    } catch {
      // The next round tries again; the console's controls say what fails.
    }
  }

  endBlock () {
    const node = block('console-end-title', _('End the session'))
    node.append(
      element('p', _('Ending closes the open vote, releases every lock, revokes the participant links and saves a version of the content.')),
      button(_('End the session'), () => {
        if (!window.confirm(_('End the session now?'))) return
        this.steer('/end', undefined, _('The session has ended. A version of the content was saved.'))
      }))
    return node
  }
}
