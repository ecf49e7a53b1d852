/** A random item id (16 hex digits, as documents/workshop_doc.py's `new_item_id`), so replicas
 * adding items concurrently never pick the same map key. */
export function newItemId () {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}
