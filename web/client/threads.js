// The comment threads on the page: each in the comments of the part its words are in (beside
// the part's texts, or below them on a narrow screen), in the order of the words in the page;
// each part's count of open threads in the section navigation; the skip link to the comments
// pointing at the first part that has any.

import { element } from './dom.js'
import { _, ngettext, number, when } from './i18n.js'

/** The part (`section.part`'s data-part) a field is shown in. A field no longer on the page
 * (a removed component or idea) belongs to the part its path starts with. */
function partOf (field, parts) {
  const shown = document.querySelector(`.field[data-field="${CSS.escape(field)}"]`)
  const part = shown?.closest('section.part[data-part]')?.dataset.part
  if (part) return part
  const root = field.split('/')[0]
  return parts.has(root) ? root : parts.keys().next().value
}

export class ThreadLists {
  /**
   * @param {object} actions what a thread's buttons do: show(view), reply(view), toggle(view)
   * @param {() => boolean} canComment whether reply and resolve are offered
   */
  constructor (actions, canComment) {
    Object.assign(this, { actions, canComment })
    this.parts = new Map([...document.querySelectorAll('ol.threads[data-part]')]
      .map((list) => [list.dataset.part, list]))
    this.skip = document.getElementById('skip-comments')
  }

  /** Lay out every thread (`views`: plain values), rebuilding only those that changed, so a
   * button a keyboard user is on keeps focus while others comment elsewhere; a rebuilt
   * thread gives the focus to the same button in its new node. */
  render (views) {
    const order = new Map([...document.querySelectorAll('main .field[data-field]')]
      .map((node, index) => [node.dataset.field, index]))
    const grouped = new Map([...this.parts.keys()].map((part) => [part, []]))
    for (const view of views) grouped.get(partOf(view.field, this.parts)).push(view)
    const existing = new Map([...document.querySelectorAll('ol.threads > li[data-thread]')]
      .map((node) => [node.dataset.thread, node]))
    for (const [part, inPart] of grouped) {
      inPart.sort((a, b) => (order.get(a.field) ?? Infinity) - (order.get(b.field) ?? Infinity) ||
        (a.range?.from ?? 0) - (b.range?.from ?? 0) || (a.created < b.created ? -1 : 1))
      this.place(this.parts.get(part), inPart.map((view) => this.node(view, existing.get(view.id))))
      this.count(part, inPart.filter((view) => !view.resolved).length)
    }
    const first = [...grouped].find(([, inPart]) => inPart.length > 0)
    if (this.skip && first) this.skip.setAttribute('href', `#comments-${first[0]}`)
  }

  /** The thread's node: the one shown if nothing changed, a fresh one otherwise. */
  node (view, shown) {
    const signature = JSON.stringify([view, this.canComment()])
    if (shown && shown.dataset.signature === signature) return shown
    const fresh = this.threadNode(view)
    fresh.dataset.signature = signature
    if (shown) {
      const form = shown.querySelector('form')
      if (form) fresh.append(form) // a reply being written stays with its thread
      const focused = shown.contains(document.activeElement)
        ? document.activeElement.dataset.action
        : null
      shown.replaceWith(fresh)
      if (focused) fresh.querySelector(`[data-action="${focused}"]`)?.focus()
    }
    return fresh
  }

  place (list, nodes) {
    const same = nodes.length === list.children.length &&
      nodes.every((node, index) => list.children[index] === node)
    if (!same) {
      const focused = list.contains(document.activeElement) ? document.activeElement : null
      list.replaceChildren(...nodes)
      if (focused?.isConnected) focused.focus() // moving a node takes the focus off it
    }
    list.parentElement.querySelector('.threads-empty').hidden = nodes.length > 0
  }

  count (part, open) {
    const counter = document.querySelector(`.sections-nav [data-count="${CSS.escape(part)}"]`)
    if (!counter) return
    if (open === 0) {
      counter.replaceChildren()
      return
    }
    // The number for the eye; for the ear, in words after a space from the part's title.
    counter.replaceChildren(' ',
      element('span', number(open), { 'aria-hidden': 'true', class: 'badge' }),
      element('span', ngettext('{n} open comment', '{n} open comments', open), { class: 'visually-hidden' }))
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
    const button = (text, action) => {
      const node = element('button', text, { type: 'button', 'data-action': action })
      node.addEventListener('click', () => this.actions[action](view))
      actions.append(node)
      return node
    }
    button(_('Show in the text'), 'show').disabled = view.range === null
    if (this.canComment()) {
      button(_('Reply'), 'reply')
      button(view.resolved ? _('Reopen') : _('Mark as resolved'), 'toggle')
    }
    item.append(actions)
    return item
  }
}
