// Taking part in a live session: participants need no account. They join under a display name
// (POST .../participants), chosen on their first visit and remembered in the browser, and get
// a person key that names their hidden notes and their dots; the page keeps it per session and
// sends it as the `Verstas-Person` header beside the share link's token. The key works only
// with the link it was obtained with: when the server no longer knows it, the person joins
// again.

import { element } from './dom.js'
import { _ } from './i18n.js'

const NAME_KEY = 'verstas.name' // the name the page's presence and comments use too
export const JOINING_ROLES = ['participant', 'editor']

function storageKey (sessionId) {
  return `verstas.person.${sessionId}`
}

export class Person {
  /**
   * @param {WorkshopApi} api
   * @param {string} sessionId
   */
  constructor (api, sessionId) {
    Object.assign(this, { api, sessionId })
    const saved = window.localStorage.getItem(storageKey(sessionId))
    this.key = saved || null
  }

  get joined () {
    return this.key !== null
  }

  /** The headers of a request made as this person. */
  headers () {
    return { 'Verstas-Person': this.key }
  }

  async join (name) {
    const joined = await this.api.call('POST', `/sessions/${this.sessionId}/participants`, { name })
    this.key = joined.person_token
    window.localStorage.setItem(storageKey(this.sessionId), this.key)
    window.localStorage.setItem(NAME_KEY, joined.name)
    // The page's own name field (workshop.js) signs comments and shows in the presence list.
    const field = document.getElementById('name')
    if (field) {
      field.value = joined.name
      field.dispatchEvent(new Event('change'))
    }
  }

  /** The server does not know the key (another link, say): join again. */
  forget () {
    this.key = null
    window.localStorage.removeItem(storageKey(this.sessionId))
  }

  /** A request as this person; a refusal of the key itself forgets it and calls `rejoin`. */
  async call (method, path, body, rejoin) {
    try {
      return await this.api.call(method, path, body, this.headers())
    } catch (error) {
      if (error.code === 'unknown_person' || error.code === 'person_required') {
        this.forget()
        rejoin()
      }
      throw error
    }
  }
}

/** The form that asks a first-time visitor for the name the others will see. */
export function joinForm (onJoin) {
  const form = element('form', undefined, { class: 'card session-join' })
  const input = element('input', undefined, {
    id: 'session-name', required: '', maxlength: '100', autocomplete: 'nickname'
  })
  input.value = window.localStorage.getItem(NAME_KEY) || ''
  const submit = element('button', _('Join the session'), { type: 'submit' })
  form.append(
    element('h3', _('Join the Innopaja')),
    element('p', _('Write the name the others will see beside your notes. This browser remembers it.')),
    element('label', _('Your name in the session'), { for: 'session-name' }),
    input,
    submit)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (!name) return
    submit.disabled = true
    try {
      await onJoin(name)
    } finally {
      submit.disabled = false
    }
  })
  return form
}
