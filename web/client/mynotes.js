// My hidden notes in a live session: written during a phase that takes notes, seen only by me
// and the facilitators (the server keeps them in its database, never in a document anyone's
// page receives) until a facilitator reveals them into the workshop's ideas. Until then I may
// edit or withdraw mine. The note being written is kept in the tab, so a reload loses nothing.

import { button, element } from './dom.js'
import { _ } from './i18n.js'
import { refusalText } from './sessionwords.js'

function draftKey (sessionId) {
  return `verstas.note-draft.${sessionId}`
}

export class MyNotes {
  /**
   * @param {object} options
   * @param {Person} options.person who I am in this session
   * @param {string} options.sessionId
   * @param {(text: string) => void} options.announce
   * @param {() => void} options.rejoin when the server no longer knows my person key
   */
  constructor ({ person, sessionId, announce, rejoin }) {
    Object.assign(this, { person, sessionId, announce, rejoin })
    this.path = `/sessions/${sessionId}/notes`
    this.notes = []
    this.takesNotes = false
    this.node = element('section', undefined, { class: 'session-notes', 'aria-labelledby': 'my-notes-title' })
    this.list = element('ul', undefined, { class: 'notes', id: 'my-notes' })
    this.closed = element('p', _('This phase takes no notes.'), { class: 'quiet' })
    this.form = this.noteForm()
    this.node.append(
      element('h3', _('My notes'), { id: 'my-notes-title' }),
      element('p', _('Only you and the facilitator see your notes until the facilitator reveals them.')),
      this.form, this.closed, this.list)
    this.refresh()
  }

  noteForm () {
    const form = element('form', undefined, { class: 'card' })
    const text = element('textarea', undefined, { id: 'note-text', rows: '2', maxlength: '2000', required: '' })
    text.value = window.sessionStorage.getItem(draftKey(this.sessionId)) || ''
    text.addEventListener('input', () => window.sessionStorage.setItem(draftKey(this.sessionId), text.value))
    form.append(element('label', _('A new note'), { for: 'note-text' }), text,
      element('button', _('Add the note'), { type: 'submit' }))
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      if (!text.value.trim()) return
      if (await this.act(() => this.person.call('POST', this.path, { text: text.value.trim() }, this.rejoin),
        _('Note added. Only you and the facilitator see it.'))) {
        text.value = ''
        window.sessionStorage.removeItem(draftKey(this.sessionId))
        text.focus()
      }
    })
    return form
  }

  /** Whether the current phase takes notes (the session document says). */
  setPhase (takesNotes) {
    this.takesNotes = takesNotes
    this.form.hidden = !takesNotes
    this.closed.hidden = takesNotes
  }

  async refresh () {
    try {
      const { items } = await this.person.call('GET', this.path, undefined, this.rejoin)
      this.notes = items
      this.render()
    } catch (error) {
      this.announce(_('Could not fetch your notes: {error}', { error: refusalText(error) }))
    }
  }

  /** Run a request; on success refresh the list and say `done`. */
  async act (request, done) {
    try {
      await request()
      this.announce(done)
      await this.refresh()
      return true
    } catch (error) {
      this.announce(refusalText(error))
      await this.refresh()
      return false
    }
  }

  render () {
    this.list.replaceChildren(...this.notes.map((note) => this.row(note)))
  }

  row (note) {
    const item = element('li', undefined, { class: 'note', 'data-note': note.id })
    item.append(element('p', note.text, { class: 'note-text' }))
    if (note.revealed_at) {
      item.append(element('p', _('Revealed'), { class: 'quiet' }))
      return item
    }
    const actions = element('div', undefined, { class: 'actions' })
    actions.append(
      button(_('Edit'), () => this.edit(item, note)),
      button(_('Withdraw'), () => this.withdraw(item, note)))
    item.append(actions)
    return item
  }

  /** Withdraw a note; the focus goes to the note after it (or before it), else to the form. */
  async withdraw (item, note) {
    const neighbour = (item.nextElementSibling || item.previousElementSibling)?.dataset.note
    await this.act(() => this.person.call('DELETE', `${this.path}/${note.id}`, undefined, this.rejoin),
      _('Note withdrawn.'))
    const next = neighbour && this.list.querySelector(`[data-note="${neighbour}"] button`)
    ;(next || this.form.querySelector('textarea')).focus()
  }

  edit (item, note) {
    const form = element('form', undefined, { class: 'card' })
    const id = `note-edit-${note.id}`
    const text = element('textarea', undefined, { id, rows: '2', maxlength: '2000', required: '' })
    text.value = note.text
    const cancel = button(_('Cancel'), () => {
      this.render()
      this.list.querySelector(`[data-note="${note.id}"] button`)?.focus()
    })
    form.append(element('label', _('Your note'), { for: id }), text,
      element('button', _('Save'), { type: 'submit' }), cancel)
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      if (!text.value.trim()) return
      await this.act(() => this.person.call('PATCH', `${this.path}/${note.id}`, { text: text.value.trim() }, this.rejoin),
        _('Note saved.'))
      this.list.querySelector(`[data-note="${note.id}"] button`)?.focus()
    })
    item.replaceChildren(form)
    text.focus()
  }
}
