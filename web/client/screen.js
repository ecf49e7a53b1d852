// The shared screen of a live Innopaja session (`/workshops/{id}/screen`), for the room's
// projector: the phase, a large timer, the revealed notes and the latest vote's results, read
// from the session document; no controls. It follows the session as the facilitator steers
// it, and shows the next one when it starts.

import { WorkshopApi } from './api.js'
import { LiveSession } from './livesession.js'
import { Countdown } from './countdown.js'
import { element } from './dom.js'
import { _, ngettext } from './i18n.js'
import { latestResults, resultList } from './results.js'

function start () {
  const main = document.getElementById('screen')
  const workshopId = main.dataset.workshop
  const token = main.dataset.token || null
  const api = new WorkshopApi(workshopId, token)
  const live = new LiveSession({ workshopId, token, api })
  const part = (id) => document.getElementById(id)
  const news = part('screen-news')
  const countdown = new Countdown({
    display: part('screen-timer'), state: part('screen-timer-state'),
    announce: (text) => { news.textContent = text }, clock: live.clock
  })
  live.onChange((session, before) => {
    const on = session !== null && session.live
    part('screen-idle').hidden = on
    part('screen-live').hidden = !on
    if (session && !on) part('screen-idle').textContent = _('The session “{title}” has ended.', { title: session.title })
    if (!on) {
      countdown.show(null)
      main.dataset.ready = 'true'
      return
    }
    part('screen-session').textContent = _('Innopaja: {title}', { title: session.title })
    const phase = session.phases[session.phase]
    part('screen-phase').textContent = _('Phase {number}/{count}: {title}',
      { number: session.phase + 1, count: session.phases.length, title: phase.title })
    part('screen-timer-box').hidden = session.timer === null
    if (!before || JSON.stringify(before.timer) !== JSON.stringify(session.timer)) countdown.show(session.timer)
    showVote(session)
    showRevealed(session.revealed)
    main.dataset.ready = 'true'
  })
}

function showVote (session) {
  const open = document.getElementById('screen-vote-open')
  open.hidden = session.vote === null
  if (session.vote) {
    open.textContent = ngettext('A dot vote is open: {n} dot per person.', 'A dot vote is open: {n} dots per person.',
      session.vote.per_person)
  }
  const results = document.getElementById('screen-results')
  const vote = latestResults(session)
  results.hidden = vote === null
  if (vote) results.replaceChildren(element('h2', _('Results of the dot vote')), resultList(vote))
}

function showRevealed (revealed) {
  const section = document.getElementById('screen-revealed')
  section.hidden = revealed.length === 0
  const list = element('ul', undefined, { class: 'revealed' })
  list.replaceChildren(...revealed.map((note) => {
    const item = element('li', note.text, { 'data-note': note.id })
    if (note.author) item.append(element('span', note.author, { class: 'author' }))
    return item
  }))
  section.replaceChildren(element('h2', ngettext('{n} note', '{n} notes', revealed.length)), list)
}

start()
