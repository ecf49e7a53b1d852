// Reorderable lists of the content document on the page: the operating model's key components
// and the ideas (sticky notes) of a session, ordered as order.js says.

import * as Y from 'yjs'
import { button } from './dom.js'
import { _ } from './i18n.js'
import { mountEditor } from './fields.js'
import { newItemId } from './ids.js'
import { moveBy, orderBetween, ordered } from './order.js'

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
   * @param {Access} options.access whether the list may be changed (until the page stops saving)
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
    add.hidden = !this.access.canWrite || !(this.items instanceof Y.Map)
    add.addEventListener('click', () => this.add())
    this.access.onChange(() => {
      add.hidden = true
      for (const node of this.list.querySelectorAll('[data-writes]')) node.remove()
    })
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
    if (!moveBy(this.doc, this.items, id, step)) return
    this.shown.get(id)?.node.querySelector(`[data-action="${which}"]`)?.focus()
  }

  /** Remove an item; the focus goes to the remove button of the item that takes its place
   * (or of the one before it), else to the add button, not off the page. */
  remove (id) {
    const node = this.shown.get(id)?.node
    const neighbour = node?.nextElementSibling ?? node?.previousElementSibling
    this.items.delete(id)
    const next = neighbour?.isConnected ? neighbour.querySelector('[data-action="remove"]') : null
    ;(next ?? document.getElementById(`add-${this.prefix}`)).focus()
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
          canWrite: this.access.canWrite, onComment: this.onComment, comments: this.comments
        })
        this.editors.set(element.dataset.field, editor)
        fields.push({ field: element.dataset.field, editor })
      }
    }
    const actions = document.createElement('div')
    actions.className = 'actions'
    const extra = this.extra(id, item)
    if (extra) actions.append(extra)
    if (this.access.canWrite) {
      const up = button(_('Move up'), () => this.move(id, -1, 'up'))
      up.dataset.action = 'up'
      const down = button(_('Move down'), () => this.move(id, 1, 'down'))
      down.dataset.action = 'down'
      const remove = button(_('Remove'), () => this.remove(id))
      remove.dataset.action = 'remove'
      for (const node of [up, down, remove]) node.dataset.writes = ''
      actions.append(up, down, remove)
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
