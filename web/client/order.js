// The order of reorderable lists (the operating model's key components, the ideas of a
// session), apart from the page so that the tests run exactly this code.
//
// As documents/workshop_doc.py keeps them, a list is a map of id -> item with an `order`, read
// in (order, id) order, never an array: moving an item rewrites only its order, so concurrent
// moves never duplicate it and never lose a concurrent edit of its texts. The ordering below
// is that module's, step for step, so that both sides place items alike.

import * as Y from 'yjs'

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
export function orderBetween (items, moving, beforeId, afterId) {
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

/** Move an item `step` places (negative: up) in one transaction of `doc`; false, and nothing
 * changed, when the list has no such place. */
export function moveBy (doc, items, id, step) {
  const ids = ordered(items).map(([key]) => key)
  const at = ids.indexOf(id)
  const target = at + step
  if (at < 0 || target < 0 || target >= ids.length) return false
  const rest = ids.filter((key) => key !== id)
  const before = target === 0 ? null : rest[target - 1]
  const after = target >= rest.length ? null : rest[target]
  doc.transact(() => {
    items.get(id).set('order', orderBetween(items, id, before, after))
  })
  return true
}
