// Locked texts on the workshop page. The server decides: while a live session's facilitator
// holds a lock, the server refuses every update that touches a locked text from anyone but the
// facilitators and the owner (collab/locks.py). The page mirrors the locks the session
// document shows, before anyone types: a locked text's editor turns read-only (it still takes
// a caret, so it can be read and selected) and says so, with a lock mark and words beside it
// and to screen readers; the buttons that would change a locked list item are disabled.
// Facilitators and the owner write through locks: they see the marks ("locked for others")
// and keep writing.

import { Compartment, EditorState, Prec, StateEffect } from '@codemirror/state'
import { EditorView, keymap } from '@codemirror/view'
import { element } from './dom.js'
import { _ } from './i18n.js'
import { covered, isLocked, itemTarget } from './targets.js'

/** The roles that write through locks (web/session_locks.py's EXEMPT). */
export const EXEMPT = ['facilitator', 'owner']

const lock = new Compartment()
const withCompartment = new WeakSet()

/** A locked editor: read-only, described by its mark, and deaf to undo and redo (the
 * y-codemirror undo commands change the text whether or not the editor is read-only). */
function lockedExtension (markId) {
  const swallow = (key) => ({ key, run: () => true })
  return Prec.highest([
    EditorState.readOnly.of(true),
    EditorView.contentAttributes.of({ 'aria-readonly': 'true', 'aria-describedby': markId }),
    keymap.of(['Mod-z', 'Mod-y', 'Mod-Shift-z'].map(swallow))
  ])
}

function setLocked (view, markId) {
  const extension = markId ? lockedExtension(markId) : []
  if (withCompartment.has(view)) {
    view.dispatch({ effects: lock.reconfigure(extension) })
  } else {
    withCompartment.add(view)
    view.dispatch({ effects: StateEffect.appendConfig.of(lock.of(extension)) })
  }
}

let marks = 0

export class LockView {
  /**
   * @param {object} options
   * @param {HTMLElement} options.main the page's texts
   * @param {Map<string, {view: EditorView}>} options.editors the page's editors by field (the
   *   lists' items' texts join and leave it as they are laid out)
   * @param {Y.Doc} options.content the content document; every change may lay out items
   * @param {string | null} options.role
   * @param {boolean} options.canWrite
   */
  constructor ({ main, editors, content, role, canWrite }) {
    Object.assign(this, { main, editors, role, canWrite })
    this.exempt = EXEMPT.includes(role)
    this.locks = []
    this.shown = new Map() // field -> the mark element of a locked editor
    content.on('afterTransaction', () => this.render())
  }

  /** Show the session document's locks (an empty list when no session is live). */
  show (locks) {
    this.locks = locks
    this.render()
  }

  render () {
    if (!this.canWrite) return
    for (const [field, editor] of this.editors) {
      const locked = isLocked(field, this.locks)
      const mark = this.shown.get(field)
      if (locked === (mark !== undefined && mark.isConnected)) continue
      if (locked) this.lockText(field, editor)
      else this.unlockText(field, editor)
    }
    for (const [field, mark] of this.shown) {
      if (!this.editors.has(field)) {
        mark.remove()
        this.shown.delete(field)
      }
    }
    this.renderLists()
  }

  lockText (field, editor) {
    const id = `lock-mark-${++marks}`
    const words = this.exempt ? _('Locked for others: you may still edit it.') : _('Locked by the facilitator: read only.')
    const mark = element('p', undefined, { class: 'lock-mark', id })
    mark.append(element('span', '🔒 ', { 'aria-hidden': 'true' }), words)
    const host = editor.view.dom.closest('.field')
    host.classList.add('locked')
    host.prepend(mark) // inside the text's box: lists lay their items out as grids
    this.shown.set(field, mark)
    if (!this.exempt) setLocked(editor.view, id)
  }

  unlockText (field, editor) {
    this.shown.get(field)?.remove()
    this.shown.delete(field)
    editor.view.dom.closest('.field')?.classList.remove('locked')
    if (!this.exempt) setLocked(editor.view, null)
  }

  /** The lists' buttons: adding needs the list's section unlocked, moving and removing an
   * item needs the item unlocked. */
  renderLists () {
    if (this.exempt) return
    const lists = [['idea', 'ideas/'], ['component', 'model/components/']]
    for (const [prefix, itemPrefix] of lists) {
      const add = document.getElementById(`add-${prefix}`)
      if (add) add.disabled = this.locks.some((target) => covered(`${itemPrefix}new`, target))
      for (const item of document.querySelectorAll(`#${prefix}-list [data-item]`)) {
        const target = itemTarget(`${itemPrefix}${item.dataset.item}/`)
        const locked = this.locks.some((one) => covered(target, one))
        for (const button of item.querySelectorAll('.actions button')) button.disabled = locked
      }
    }
  }
}
