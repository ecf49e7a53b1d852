// The content document's texts as CodeMirror editors.

import * as Y from 'yjs'
import { EditorState, StateEffect } from '@codemirror/state'
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
      EditorView.lineWrapping,
      // Read-only, not uneditable: a reader's editor still takes focus and a caret, so that
      // keyboard users can move through the text and select words to comment on.
      EditorState.readOnly.of(!canWrite),
      EditorView.contentAttributes.of({
        'aria-label': label,
        'aria-multiline': 'true',
        'aria-readonly': String(!canWrite),
        'data-field': element.dataset.field
      })
    ]
  })
  element.textContent = ''
  return { view: new EditorView({ state, parent: element }), label, ytext }
}
