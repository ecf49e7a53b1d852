// The content document's two reorderable lists, as the page shows them.

import * as Y from 'yjs'
import { _ } from './i18n.js'
import { ReorderableList } from './reorderable.js'

/** The operating model's key components / implementation phases. `common`: the options every
 * list takes (see ReorderableList). */
export function componentList (common) {
  return new ReorderableList({
    ...common,
    items: common.doc.getMap('model').get('components'),
    path: 'model/components',
    prefix: 'component',
    texts: [['title', _('Component title')], ['description', _('Component description')]],
    create: () => [['title', new Y.Text()], ['description', new Y.Text()]],
    said: { added: _('Component added.'), removed: _('Component removed.') }
  })
}

/** Ideas on sticky notes, put in order; a live session's dot votes on them go through the
 * server (dots.js), never into the content. */
export function ideaList (common, author) {
  return new ReorderableList({
    ...common,
    items: common.doc.getMap('ideas'),
    path: 'ideas',
    prefix: 'idea',
    texts: [['text', _('Idea')]],
    create: () => [['text', new Y.Text()], ['author', author()]],
    said: { added: _('Idea added.'), removed: _('Idea removed.') }
  })
}
