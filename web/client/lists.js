// The content document's two reorderable lists, as the page shows them.

import * as Y from 'yjs'
import { button } from './dom.js'
import { _, number } from './i18n.js'
import { newItemId } from './ids.js'
import { ReorderableList } from './reorderable.js'

const VOTER_KEY = 'verstas.voter'

/** This browser's voter id: a vote is one per voter, whatever name they go by. */
function voterId () {
  let id = window.localStorage.getItem(VOTER_KEY)
  if (!id) {
    id = newItemId()
    window.localStorage.setItem(VOTER_KEY, id)
  }
  return id
}

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

/** Ideas on sticky notes, put in order and prioritised by votes (one per voter). */
export function ideaList (common, author) {
  const voter = voterId()
  return new ReorderableList({
    ...common,
    items: common.doc.getMap('ideas'),
    path: 'ideas',
    prefix: 'idea',
    texts: [['text', _('Idea')]],
    create: () => [['text', new Y.Text()], ['author', author()], ['votes', new Y.Map()]],
    extra: (id, item) => voteButton(item, voter, common.access),
    said: { added: _('Idea added.'), removed: _('Idea removed.') }
  })
}

function voteButton (item, voter, access) {
  const votes = item.get('votes')
  if (!(votes instanceof Y.Map)) return null
  const node = button('', () => {
    if (votes.has(voter)) votes.delete(voter)
    else votes.set(voter, 1)
  })
  node.dataset.action = 'vote'
  node.disabled = !access.canWrite
  access.onChange(() => { node.disabled = true })
  const show = () => {
    const total = [...votes.values()]
      .filter((count) => typeof count === 'number' && count >= 1)
      .reduce((sum, count) => sum + count, 0)
    const mine = votes.has(voter)
    const action = mine ? _('Take back my vote') : _('Vote')
    node.textContent = `${action} · ${number(total)}`
    node.setAttribute('aria-pressed', String(mine))
  }
  votes.observe(show)
  show()
  return node
}
