// Reorderable lists of the content document: the operating model's key components and the
// ideas (sticky notes) of a session.
//
// As documents/workshop_doc.py keeps them, a list is a map of id -> item with an `order`, read
// in (order, id) order, never an array: moving an item rewrites only its order, so concurrent
// moves never duplicate it and never lose a concurrent edit of its texts. The ordering below
// is that module's, step for step, so that both sides place items alike.

import * as Y from 'yjs'
import { button } from './dom.js'
import { _ } from './i18n.js'
import { mountEditor } from './fields.js'
import { newItemId } from './ids.js'

function orderOf (item) {
  const order = item.get('order')
  return typeof order === 'number' && Number.isFinite(order) ? order : 0
}

/** The entries in (order, id) order: the same on every replica. */
export function ordered (items) {
  return [...items.entries()]
    .filter(([, item]) => item instanceof Y.Map)
    .sort(([a, x], [b, y]) => orderOf(x) - orderOf(y) || (a < b ? -1 : a > b ? 1 : 0))
}

/** An order strictly between two neighbours' orders, or null when floats leave no room. */
function between (low, high) {
  let candidate
  if (low === null) candidate = high === null ? 0 : high - 1
  else if (high === null) candidate = low + 1
  else candidate = low + (high - low) / 2
  const above = low === null || low < candidate
  const below = high === null || candidate < high
  return above && below ? candidate : null
}

/** The order that puts an item after `beforeId` and before `afterId` (null: the list's end);
 * when repeated moves exhaust a float's precision, every other item is renumbered first. */
function orderBetween (items, moving, beforeId, afterId) {
  const ids = ordered(items).map(([id]) => id).filter((id) => id !== moving)
  const neighbours = () => between(
    beforeId === null ? null : orderOf(items.get(beforeId)),
    afterId === null ? null : orderOf(items.get(afterId)))
  let order = neighbours()
  if (order === null) {
    ids.forEach((id, rank) => items.get(id).set('order', rank))
    order = neighbours()
  }
  return order
}

export class ReorderableList {
  /**
   * @param {object} options
   * @param {Y.Map} options.items the list's map in the content document
   * @param {string} options.path the field path of the map (`model/components`, `ideas`)
   * @param {string} options.prefix the ids of the list's elements: `${prefix}-list`,
   *   `${prefix}-empty`, `add-${prefix}`
   * @param {Array<[string, string]>} options.texts each item's texts: key and label
   * @param {() => Array<[string, any]>} options.create a new item's entries besides its order
   * @param {(id: string, item: Y.Map) => Node | null} options.extra more for an item's node
   * @param {{added: string, removed: string}} options.said what to announce
   * @param {Y.Doc} options.doc the content document
   * @param {Map} options.editors the page's editors by field, which the items' texts join
   * @param {object} options.awareness
   * @param {boolean} options.canWrite
   * @param {() => void} options.onComment
   * @param {{rangesFor: Function}} options.comments the commented ranges, for the editors
   * @param {(text: string) => void} options.announce
   */
  constructor (options) {
    Object.assign(this, { extra: () => null }, options)
    this.list = document.getElementById(`${this.prefix}-list`)
    this.empty = document.getElementById(`${this.prefix}-empty`)
    this.shown = new Map() // id -> {node, fields}
    const add = document.getElementById(`add-${this.prefix}`)
    add.hidden = !this.canWrite || !(this.items instanceof Y.Map)
    add.addEventListener('click', () => this.add())
    if (!(this.items instanceof Y.Map)) return
    // Texts typed inside an item need no new layout; an item added, removed or moved does.
    this.items.observeDeep((events) => {
      if (events.some((event) => event.target === this.items || event.keysChanged?.has('order'))) {
        this.render()
      }
    })
    this.render()
  }

  add () {
    const last = ordered(this.items).at(-1)
    const id = newItemId()
    this.doc.transact(() => {
      const order = orderBetween(this.items, null, last ? last[0] : null, null)
      this.items.set(id, new Y.Map([['order', order], ...this.create()]))
    })
    this.shown.get(id)?.fields[0]?.editor.view.focus()
    this.announce(this.said.added)
  }

  /** Move an item one place up (-1) or down (+1), keeping the focus on the button used. */
  move (id, step, which) {
    const ids = ordered(this.items).map(([key]) => key)
    const at = ids.indexOf(id)
    const target = at + step
    if (at < 0 || target < 0 || target >= ids.length) return
    const rest = ids.filter((key) => key !== id)
    const before = target === 0 ? null : rest[target - 1]
    const after = target >= rest.length ? null : rest[target]
    this.doc.transact(() => {
      this.items.get(id).set('order', orderBetween(this.items, id, before, after))
    })
    this.shown.get(id)?.node.querySelector(`[data-action="${which}"]`)?.focus()
  }

  remove (id) {
    this.items.delete(id)
    this.announce(this.said.removed)
  }

  itemNode (id, item) {
    const node = document.createElement('li')
    node.className = 'item'
    node.dataset.item = id
    const fields = []
    for (const [key, label] of this.texts) {
      const element = document.createElement('div')
      element.className = 'field'
      element.dataset.field = `${this.path}/${id}/${key}`
      element.setAttribute('aria-label', label)
      node.append(element)
      const ytext = item.get(key)
      if (ytext instanceof Y.Text) {
        const editor = mountEditor(element, ytext, this.awareness, {
          canWrite: this.canWrite, onComment: this.onComment, comments: this.comments
        })
        this.editors.set(element.dataset.field, editor)
        fields.push({ field: element.dataset.field, editor })
      }
    }
    const actions = document.createElement('div')
    actions.className = 'actions'
    const extra = this.extra(id, item)
    if (extra) actions.append(extra)
    if (this.canWrite) {
      const up = button(_('Move up'), () => this.move(id, -1, 'up'))
      up.dataset.action = 'up'
      const down = button(_('Move down'), () => this.move(id, 1, 'down'))
      down.dataset.action = 'down'
      actions.append(up, down, button(_('Remove'), () => this.remove(id)))
    }
    node.append(actions)
    return { node, fields }
  }

  render () {
    const entries = ordered(this.items)
    const present = new Set(entries.map(([id]) => id))
    for (const [id, shown] of this.shown) {
      if (present.has(id)) continue
      for (const { field, editor } of shown.fields) {
        this.editors.delete(field)
        editor.view.destroy()
      }
      shown.node.remove()
      this.shown.delete(id)
    }
    entries.forEach(([id, item], index) => {
      let shown = this.shown.get(id)
      if (!shown) {
        shown = this.itemNode(id, item)
        this.shown.set(id, shown)
      }
      if (this.list.children[index] !== shown.node) {
        this.list.insertBefore(shown.node, this.list.children[index] || null)
      }
    })
    this.empty.hidden = entries.length > 0
  }
}
