// Comment threads: the comments document (its own room, so commenters can write it without
// writing the content), anchored to ranges of content texts by Yjs relative positions.
//
// The layout is the one documents/comments.py reads and exports: threads/{id} = {anchor:
// {field, start, end}, author, created, resolved, body: Text, replies: [{author, created,
// body: Text}]}. The start position sticks to the first commented character (assoc 0, or -1
// at the very end of the text) and the end position to the last one (assoc -1), so text typed
// just outside the range stays outside it.

import * as Y from 'yjs'
import { element } from './dom.js'
import { _, when } from './i18n.js'
import { newItemId } from './ids.js'
import { refreshHighlights } from './fields.js'

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
   * @param {boolean} options.canComment
   * @param {() => string} options.author the name comments are signed with
   * @param {(text: string) => void} options.announce a message for the page's status line
   */
  constructor ({ doc, content, editors, canComment, author, announce }) {
    Object.assign(this, { doc, content, editors, canComment, author, announce })
    this.threads = doc.getMap('threads')
    this.list = document.getElementById('threads')
    this.form = document.getElementById('comment-form')
    this.replyForm = document.getElementById('reply-form')
    this.pending = null // the anchor of the comment being written
    this.replyTo = null // the thread being replied to
    this.lastField = null // the editor last focused: the one whose selection is commented
    this.scheduled = false
    this.threadsChanged = true // the editors mark no thread yet
    this.wire()
    this.render()
  }

  wire () {
    const button = document.getElementById('comment-selection')
    button.hidden = !this.canComment
    button.addEventListener('click', () => this.open())
    document.getElementById('workshop').addEventListener('focusin', (event) => {
      const field = event.target.closest('.field[data-field]')
      if (field) this.lastField = field.dataset.field
    })
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit() })
    this.form.querySelector('[data-cancel]').addEventListener('click', () => this.close())
    this.replyForm.addEventListener('submit', (event) => { event.preventDefault(); this.reply() })
    this.replyForm.querySelector('[data-cancel]').addEventListener('click', () => {
      this.replyForm.hidden = true
    })
    this.threads.observeDeep(() => { this.threadsChanged = true; this.schedule() })
    this.content.on('update', () => this.schedule())
  }

  /** Start a comment on the selection of the editor last focused. */
  open () {
    if (!this.canComment) return
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
    this.form.hidden = false
    document.getElementById('comment-body').focus()
  }

  close () {
    this.form.hidden = true
    this.pending = null
    document.getElementById('comment-body').value = ''
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

  startReply (id, quote) {
    this.replyTo = id
    document.getElementById('reply-to').textContent = _('Reply to: “{quote}”', { quote })
    this.replyForm.hidden = false
    document.getElementById('reply-body').focus()
  }

  reply () {
    const textarea = document.getElementById('reply-body')
    const thread = this.threads.get(this.replyTo)
    const body = textarea.value.trim()
    if (!(thread instanceof Y.Map) || !body) return
    const replies = thread.get('replies')
    if (!(replies instanceof Y.Array)) return
    replies.push([new Y.Map([
      ['author', this.author()],
      ['created', new Date().toISOString()],
      ['body', new Y.Text(body)]
    ])])
    textarea.value = ''
    this.replyForm.hidden = true
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

  /** Each thread as plain values, oldest first (as the export orders them). */
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
        range: range && editor && range.type === editor.ytext ? range : null,
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
    return views.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1
      : a.id < b.id ? -1 : 1))
  }

  /** Rebuild only the threads that changed, so a button a keyboard user is on keeps focus
   * while others comment elsewhere. */
  render () {
    const views = this.views()
    const existing = new Map([...this.list.children].map((node) => [node.dataset.thread, node]))
    const inOrder = views.length === existing.size &&
      views.every((view, index) => this.list.children[index].dataset.thread === view.id)
    const nodes = views.map((view) => {
      const signature = JSON.stringify(view)
      const node = existing.get(view.id)
      if (node && node.dataset.signature === signature) return node
      const fresh = this.threadNode(view)
      fresh.dataset.signature = signature
      if (node && inOrder) node.replaceWith(fresh)
      return fresh
    })
    if (!inOrder) this.list.replaceChildren(...nodes)
    document.getElementById('threads-empty').hidden = views.length > 0
    if (this.threadsChanged) {
      // A text's own edits move its marks; a thread opened, resolved or removed moves none.
      this.threadsChanged = false
      for (const { view } of this.editors.values()) {
        view.dispatch({ effects: refreshHighlights.of(null) })
      }
    }
  }

  threadNode (view) {
    const item = element('li', undefined, { 'data-thread': view.id, class: 'thread' })
    if (view.resolved) item.classList.add('resolved')
    const where = view.resolved ? _('{label} · resolved', { label: view.label }) : view.label
    item.append(
      element('p', where, { class: 'meta' }),
      element('blockquote', view.quote || _('(the commented text has been removed)')),
      element('p', view.body, { class: 'body' }),
      element('p', `${view.author}, ${when(view.created)}`, { class: 'meta' })
    )
    if (view.replies.length) {
      const replies = element('ol', undefined, { class: 'replies' })
      for (const reply of view.replies) {
        replies.append(element('li', `${reply.author}, ${when(reply.created)}: ${reply.body}`))
      }
      item.append(replies)
    }
    const actions = element('div', undefined, { class: 'actions' })
    const show = element('button', _('Show in the text'), { type: 'button' })
    show.disabled = view.range === null
    show.addEventListener('click', () => this.show(view.field, view.range))
    actions.append(show)
    if (this.canComment) {
      const reply = element('button', _('Reply'), { type: 'button' })
      reply.addEventListener('click', () => this.startReply(view.id, view.quote || view.body))
      const toggle = element('button', view.resolved ? _('Reopen') : _('Mark as resolved'),
        { type: 'button' })
      toggle.addEventListener('click', () => this.toggle(view.id))
      actions.append(reply, toggle)
    }
    item.append(actions)
    return item
  }
}
