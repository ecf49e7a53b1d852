// The page's layout as the stylesheet draws it at the screen's width (web/static/verstas.css):
// comments beside the texts from 64rem up, below them on narrower screens; the matrix whole
// from 75rem up, one perspective at a time on narrower screens.

const WIDE = '(min-width: 64rem)'

/** Whether the comments sit beside the texts (a laptop) rather than below them. */
export function wide () {
  return window.matchMedia(WIDE).matches
}

/** Make the text in `field` (a `.field` element) visible before moving to it: a matrix cell
 * that a narrow screen hides behind the perspective switch is shown by switching to its
 * perspective. */
export function reveal (field) {
  const cell = field.closest('td[data-perspective]')
  if (!cell) return
  const choice = document.querySelector(
    `.matrix-switch input[value="${CSS.escape(cell.dataset.perspective)}"]`)
  if (choice) choice.checked = true
}
