// Comment threads: the comments document (its own room, so commenters can write it without
// writing the content), anchored to ranges of content texts by Yjs relative positions.
//
// The layout is the one documents/comments.py reads and exports: threads/{id} = {anchor:
// {field, start, end}, author, created, resolved, body: Text, replies: [{author, created,
// body: Text}]}. The start position sticks to the first commented character (assoc 0, or -1
// at the very end of the text) and the end position to the last one (assoc -1), so text typed
// just outside the range stays outside it.

import * as Y from 'yjs'
import { _ } from './i18n.js'
import { newItemId } from './ids.js'
import { refreshHighlights } from './fields.js'
import { reveal, wide } from './layout.js'
import { ThreadLists } from './threads.js'

/** Positions naming the characters of `ytext` from `from` to `to` (UTF-16 indices). */
export function anchorPositions (ytext, from, to) {
  const start = Y.createRelativePositionFromTypeIndex(ytext, from, from < ytext.length ? 0 : -1)
  const end = Y.createRelativePositionFromTypeIndex(ytext, to, -1)
  return { start: Y.encodeRelativePosition(start), end: Y.encodeRelativePosition(end) }
}

/** Where an anchor's positions point now in the content document, or null once its text is
 * gone (or the positions are unreadable: they come from other clients). */
function resolve (content, anchor) {
  try {
    const start = Y.createAbsolutePositionFromRelativePosition(
      Y.decodeRelativePosition(anchor.get('start')), content)
    const end = Y.createAbsolutePositionFromRelativePosition(
      Y.decodeRelativePosition(anchor.get('end')), content)
    if (start === null || end === null || start.type !== end.type) return null
    return { type: start.type, from: start.index, to: Math.max(start.index, end.index) }
  } catch {
    return null
  }
}

function plain (value) {
  return value === undefined || value === null ? '' : value.toString()
}

export class Comments {
  /**
   * @param {object} options
   * @param {Y.Doc} options.doc the comments document
   * @param {Y.Doc} options.content the content document the anchors point into
   * @param {Map<string, {view, label, ytext}>} options.editors the content editors by field
   * @param {Access} options.access whether comments may be written (until the page stops saving)
   * @param {() => string} options.author the name comments are signed with
   * @param {(text: string) => void} options.announce a message for the page's status line
   */
  constructor ({ doc, content, editors, access, author, announce }) {
    Object.assign(this, { doc, content, editors, access, author, announce })
    this.threads = doc.getMap('threads')
    this.form = document.getElementById('comment-form')
    this.replyForm = document.getElementById('reply-form')
    this.pending = null // the anchor of the comment being written
    this.replyTo = null // the thread being replied to
    this.lastField = null // the editor last focused: the one whose selection is commented
    this.scheduled = false
    this.threadsChanged = true // the editors mark no thread yet
    this.lists = new ThreadLists({
      show: (view) => this.show(view.field, view.range),
      reply: (view) => this.startReply(view.id),
      toggle: (view) => this.toggle(view.id)
    }, () => this.access.canComment)
    this.wire()
    this.render()
  }

  wire () {
    const button = document.getElementById('comment-selection')
    button.hidden = !this.access.canComment
    button.addEventListener('click', () => this.open())
    document.getElementById('workshop').addEventListener('focusin', (event) => {
      const field = event.target.closest('.field[data-field]')
      if (field) this.lastField = field.dataset.field
    })
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit() })
    this.form.querySelector('[data-cancel]').addEventListener('click', () => this.close())
    this.replyForm.addEventListener('submit', (event) => { event.preventDefault(); this.reply() })
    this.replyForm.querySelector('[data-cancel]').addEventListener('click', () => this.closeReply())
    // Escape cancels, Ctrl+Enter sends (as in document editors' comment boxes).
    for (const form of [this.form, this.replyForm]) {
      form.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') form.querySelector('[data-cancel]').click()
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit()
      })
    }
    this.threads.observeDeep(() => { this.threadsChanged = true; this.schedule() })
    this.content.on('update', () => this.schedule())
    this.access.onChange(() => {
      button.hidden = true
      this.form.hidden = true
      this.replyForm.hidden = true
      this.render()
    })
  }

  /** Start a comment on the selection of the editor last focused: the form opens beside the
   * words (in the part's comments on a wide screen, right under the text on a narrow one). */
  open () {
    if (!this.access.canComment) return
    const editor = this.editors.get(this.lastField)
    const selection = editor ? editor.view.state.selection.main : null
    if (!selection || selection.empty) {
      this.announce(_('Select the text to comment on first.'))
      return
    }
    this.pending = {
      field: this.lastField,
      ...anchorPositions(editor.ytext, selection.from, selection.to)
    }
    const quote = editor.ytext.toString().slice(selection.from, selection.to)
    document.getElementById('comment-quote').textContent = _('{label}: “{quote}”', { label: editor.label, quote })
    this.place(editor.view.dom.closest('.field'))
    this.form.hidden = false
    document.getElementById('comment-body').focus()
  }

  place (field) {
    if (wide()) {
      const heading = field.closest('section.part').querySelector('.part-comments h3')
      heading.after(this.form)
    } else {
      field.after(this.form)
    }
  }

  /** Close the form; the focus goes back to the commented words, where the person was. */
  close () {
    const editor = this.editors.get(this.pending?.field)
    this.form.hidden = true
    this.pending = null
    document.getElementById('comment-body').value = ''
    editor?.view.focus()
  }

  submit () {
    const body = document.getElementById('comment-body').value.trim()
    if (!this.pending || !body) return
    const { field, start, end } = this.pending
    this.doc.transact(() => {
      this.threads.set(newItemId(), new Y.Map([
        ['anchor', new Y.Map([['field', field], ['start', start], ['end', end]])],
        ['author', this.author()],
        ['created', new Date().toISOString()],
        ['resolved', false],
        ['body', new Y.Text(body)],
        ['replies', new Y.Array()]
      ]))
    })
    this.close()
    this.announce(_('Comment added.'))
  }

  /** The reply form opens inside its thread. */
  startReply (id) {
    const thread = this.threads.get(id)
    const node = document.querySelector(`li[data-thread="${CSS.escape(id)}"]`)
    if (!(thread instanceof Y.Map) || !node) return
    this.replyTo = id
    const quote = plain(thread.get('body'))
    document.getElementById('reply-to').textContent = _('Reply to: “{quote}”', { quote })
    node.append(this.replyForm)
    this.replyForm.hidden = false
    document.getElementById('reply-body').focus()
  }

  /** Close the reply form; the focus goes back to the thread's reply button. */
  closeReply () {
    this.replyForm.hidden = true
    document.getElementById('reply-body').value = ''
    this.replyForm.closest('li[data-thread]')?.querySelector('[data-action="reply"]')?.focus()
  }

  reply () {
    const textarea = document.getElementById('reply-body')
    const thread = this.threads.get(this.replyTo)
    const body = textarea.value.trim()
    if (!(thread instanceof Y.Map) || !body) return
    const replies = thread.get('replies')
    if (!(replies instanceof Y.Array)) return
    // The reply button keeps the focus while the thread is laid out again with the reply.
    this.closeReply()
    replies.push([new Y.Map([
      ['author', this.author()],
      ['created', new Date().toISOString()],
      ['body', new Y.Text(body)]
    ])])
    this.announce(_('Reply added.'))
  }

  toggle (id) {
    const thread = this.threads.get(id)
    if (thread instanceof Y.Map) thread.set('resolved', thread.get('resolved') !== true)
  }

  /** Select the commented words in their editor. */
  show (field, range) {
    const editor = this.editors.get(field)
    if (!editor || range === null) return
    reveal(editor.view.dom)
    editor.view.dispatch({ selection: { anchor: range.from, head: range.to }, scrollIntoView: true })
    editor.view.focus()
  }

  schedule () {
    if (this.scheduled) return
    this.scheduled = true
    window.requestAnimationFrame(() => { this.scheduled = false; this.render() })
  }

  /** The ranges of `ytext` that open threads are on, for its editor to mark. */
  rangesFor (ytext) {
    const ranges = []
    this.threads.forEach((thread) => {
      if (!(thread instanceof Y.Map) || thread.get('resolved') === true) return
      const anchor = thread.get('anchor')
      const range = anchor instanceof Y.Map ? resolve(this.content, anchor) : null
      if (range !== null && range.type === ytext) ranges.push(range)
    })
    return ranges
  }

  /** Each thread as plain values. */
  views () {
    const views = []
    this.threads.forEach((thread, id) => {
      if (!(thread instanceof Y.Map)) return
      const anchor = thread.get('anchor')
      const field = anchor instanceof Y.Map ? plain(anchor.get('field')) : ''
      const range = anchor instanceof Y.Map ? resolve(this.content, anchor) : null
      const editor = this.editors.get(field)
      const quote = range && editor && range.type === editor.ytext
        ? editor.ytext.toString().slice(range.from, range.to)
        : ''
      const replies = thread.get('replies')
      views.push({
        id,
        field,
        label: editor ? editor.label : field,
        range: range && editor && range.type === editor.ytext ? { from: range.from, to: range.to } : null,
        quote,
        author: plain(thread.get('author')),
        created: plain(thread.get('created')),
        resolved: thread.get('resolved') === true,
        body: plain(thread.get('body')),
        replies: (replies instanceof Y.Array ? replies.toArray() : [])
          .filter((reply) => reply instanceof Y.Map)
          .map((reply) => ({
            author: plain(reply.get('author')),
            created: plain(reply.get('created')),
            body: plain(reply.get('body'))
          }))
      })
    })
    return views
  }

  render () {
    this.lists.render(this.views())
    if (this.threadsChanged) {
      // A text's own edits move its marks; a thread opened, resolved or removed moves none.
      this.threadsChanged = false
      for (const { view } of this.editors.values()) {
        view.dispatch({ effects: refreshHighlights.of(null) })
      }
    }
  }
}
