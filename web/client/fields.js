// The content document's texts as CodeMirror editors.

import * as Y from 'yjs'
import { Compartment, EditorState, StateEffect } from '@codemirror/state'
import { Decoration, EditorView, ViewPlugin, keymap } from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'

/** The Y.Text at a field path such as `matrix/client.actors` (root map, then keys), or null.
 * Never created here: the server wrote the structure as the document's first update, and a
 * client creating a map entry could make another replica's text vanish. */
export function textAt (doc, field) {
  const [root, ...keys] = field.split('/')
  let node = doc.getMap(root)
  for (const key of keys) {
    if (!(node instanceof Y.Map) || !node.has(key)) return null
    node = node.get(key)
  }
  return node instanceof Y.Text ? node : null
}

/** Sent to an editor when the commented ranges may have changed without its text changing. */
export const refreshHighlights = StateEffect.define()

const commented = Decoration.mark({ class: 'cm-comment' })

/** Marks the ranges `source.rangesFor(ytext)` gives: the words open comment threads are on. */
function highlights (ytext, source) {
  return ViewPlugin.fromClass(class {
    constructor (view) { this.decorations = this.build(view) }

    update (update) {
      const asked = update.transactions.some((tr) => tr.effects.some((e) => e.is(refreshHighlights)))
      if (update.docChanged || asked) this.decorations = this.build(update.view)
    }

    build (view) {
      const length = view.state.doc.length
      const ranges = source.rangesFor(ytext)
        .map(({ from, to }) => [Math.min(from, length), Math.min(to, length)])
        .filter(([from, to]) => from < to)
      return Decoration.set(ranges.map(([from, to]) => commented.range(from, to)), true)
    }
  }, { decorations: (plugin) => plugin.decorations })
}

/** Where an editor may be written: read-only, not uneditable, when it may not, so that a
 * reader's editor still takes focus and a caret and keyboard users can move through the text
 * and select words to comment on. One compartment, so a page that stops saving makes every
 * editor read-only at once (`setWritable`). */
const writable = new Compartment()

function writing (canWrite) {
  return [
    EditorState.readOnly.of(!canWrite),
    EditorView.contentAttributes.of({ 'aria-readonly': String(!canWrite) })
  ]
}

export function setWritable (editor, canWrite) {
  editor.view.dispatch({ effects: writable.reconfigure(writing(canWrite)) })
}

/** Keeps the names on the other people's carets readable inside their editor, shown all the
 * time (not only on hover): above the caret, or below it on the first line, and shifted left
 * where the name would run past the editor's right edge. Measured and placed in CodeMirror's
 * measure cycle, after every update. */
const caretNames = ViewPlugin.fromClass(class {
  constructor (view) {
    this.view = view
    this.request = { key: this, read: (v) => this.read(v), write: (placed) => this.write(placed) }
    view.requestMeasure(this.request)
  }

  update () {
    this.view.requestMeasure(this.request)
  }

  read (view) {
    const box = view.scrollDOM.getBoundingClientRect()
    return [...view.contentDOM.querySelectorAll('.cm-ySelectionInfo')].map((info) => {
      const caret = info.parentElement.getBoundingClientRect()
      const width = Math.min(info.scrollWidth, box.width)
      return {
        info,
        width: box.width,
        left: Math.max(Math.min(0, box.right - caret.left - width), box.left - caret.left),
        below: caret.top - info.offsetHeight < box.top
      }
    })
  }

  write (placed) {
    for (const { info, width, left, below } of placed) {
      info.style.maxWidth = `${width}px`
      info.style.left = `${left}px`
      info.style.top = below ? '100%' : 'auto'
      info.style.bottom = below ? 'auto' : '100%'
    }
  }
})

/** An editor for `ytext` in `element`, named for screen readers by the element's aria-label.
 * `onComment` runs on Ctrl+Alt+M (the usual "comment" key of document editors); `comments`
 * gives the ranges to mark as commented. */
export function mountEditor (element, ytext, awareness, { canWrite, onComment, comments }) {
  const label = element.getAttribute('aria-label') || element.dataset.field
  element.removeAttribute('aria-label') // the editable area inside carries it
  const commentKey = { key: 'Mod-Alt-m', run: () => { onComment(); return true } }
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      keymap.of([commentKey, ...yUndoManagerKeymap, ...defaultKeymap]),
      yCollab(ytext, awareness),
      highlights(ytext, comments),
      caretNames,
      EditorView.lineWrapping,
      writable.of(writing(canWrite)),
      EditorView.contentAttributes.of({
        'aria-label': label,
        'aria-multiline': 'true',
        'data-field': element.dataset.field
      })
    ]
  })
  element.textContent = ''
  return { view: new EditorView({ state, parent: element }), label, ytext }
}
