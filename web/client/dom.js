// Small DOM helpers shared by the page's parts.

/** An element with text content (set as text, never parsed as HTML) and attributes. */
export function element (tag, text, attributes = {}) {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = text
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  return node
}

export function button (text, onClick) {
  const node = element('button', text, { type: 'button' })
  node.addEventListener('click', onClick)
  return node
}
