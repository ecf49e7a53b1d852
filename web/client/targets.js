// What a facilitator points at in the content document, on the page: focus ("follow me"),
// locks and the parts a phase works on all name targets, field paths as the server names them
// (documents/live/targets.py): a cell (`matrix/client.actors`, `model/purpose`,
// `model/components/ID`, `ideas/ID`), a section (`path`, `matrix`, `evaluation`, `model`,
// `ideas`) or `content`, the whole document. A matrix column or row is the list of its cells.
//
// The labels and the elements come from the page as the server laid it out: a section's title
// is its heading (`#part-KEY`), a text's label its editor's, a matrix column's and row's their
// table headers.

import * as Y from 'yjs'
import { _ } from './i18n.js'
import { ordered } from './order.js'

export const CONTENT = 'content'
export const SECTIONS = ['path', 'matrix', 'evaluation', 'model', 'ideas']

/** Whether a change at `path` is under the lock `target` (as collab/touched.py's `covered`):
 * the same path, a path inside it, or one around it. */
export function covered (path, target) {
  return target === CONTENT || path === target || path.startsWith(`${target}/`) ||
    target.startsWith(`${path}/`)
}

/** Whether the text at `field` is under any of `locks`. */
export function isLocked (field, locks) {
  return locks.some((target) => covered(field, target))
}

/** An item's own target from a text of it: `ideas/ID/text` -> `ideas/ID`. */
export function itemTarget (field) {
  const match = /^(ideas\/[^/]+|model\/components\/[^/]+)\//.exec(field)
  return match ? match[1] : null
}

function text (node) {
  return node ? node.textContent.trim() : ''
}

export class Targets {
  /**
   * @param {HTMLElement} main the workshop page's main element, holding the texts
   * @param {Map<string, {label: string}>} editors the page's editors by field
   * @param {Y.Doc} content the content document (the items' texts)
   */
  constructor (main, editors, content) {
    Object.assign(this, { main, editors, content })
  }

  /** The section's heading element. */
  heading (section) {
    return document.getElementById(`part-${section}`)
  }

  /** The page's text fields of a section, in page order (not the items of lists). */
  cells (section) {
    return [...this.main.querySelectorAll(`.field[data-field^="${section}/"]`)]
      .map((node) => node.dataset.field)
      .filter((field) => itemTarget(field) === null)
  }

  /** The matrix as columns (perspectives) and rows (topics): `[{label, cells}]` each. */
  matrix () {
    const columns = new Map()
    const rows = new Map()
    for (const field of this.cells('matrix')) {
      const cell = this.main.querySelector(`.field[data-field="${field}"]`).closest('td')
      const table = cell && cell.closest('table')
      if (!cell || !table || !table.tHead) continue
      const column = text(table.tHead.rows[0].cells[cell.cellIndex])
      const row = text(cell.parentElement.cells[0])
      if (!columns.has(column)) columns.set(column, [])
      if (!rows.has(row)) rows.set(row, [])
      columns.get(column).push(field)
      rows.get(row).push(field)
    }
    const list = (groups) => [...groups].map(([label, cells]) => ({ label, cells }))
    return { columns: list(columns), rows: list(rows) }
  }

  /** What a target reads as on the page. */
  label (target) {
    if (target === CONTENT) return _('The whole workshop')
    if (SECTIONS.includes(target)) return text(this.heading(target)) || target
    const [root] = target.split('/')
    if (root === 'ideas' && itemTarget(`${target}/`)) return _('Idea: {text}', { text: this.itemLabel(target) })
    if (root === 'model' && itemTarget(`${target}/`)) return _('Component: {text}', { text: this.itemLabel(target) })
    return this.editors.get(target)?.label ??
      this.main.querySelector(`.field[data-field="${target}"]`)?.getAttribute('aria-label') ?? target
  }

  /** The ideas' (`ideas`) or the components' (`components`) targets, in their order. */
  items (kind) {
    const map = kind === 'ideas' ? this.content.getMap('ideas') : this.content.getMap('model').get('components')
    if (!(map instanceof Y.Map)) return []
    const prefix = kind === 'ideas' ? 'ideas/' : 'model/components/'
    return ordered(map).map(([id]) => `${prefix}${id}`)
  }

  /** What an idea (`ideas/ID`) or a component (`model/components/ID`) reads as now: its text
   * or title (a component without one, its description). */
  itemLabel (target) {
    const [root, kind, id] = target.split('/')
    const item = root === 'ideas'
      ? this.content.getMap('ideas').get(kind)
      : this.content.getMap('model').get('components')?.get(id)
    const read = (key) => (item && item.get(key) ? item.get(key).toString().trim() : '')
    return (root === 'ideas' ? read('text') : read('title') || read('description')) || _('(no text)')
  }

  /** The page's parts as the texts each shows: `[{label, cells}]` (a part may show some texts
   * of a section, as the needs and goals of the development path). */
  parts () {
    return [...this.main.querySelectorAll('section[aria-labelledby^="part-"]')]
      .map((section) => ({
        label: text(section.querySelector('h2')),
        cells: [...section.querySelectorAll('.field[data-field]')]
          .map((node) => node.dataset.field).filter((field) => itemTarget(field) === null)
      }))
      .filter((part) => part.cells.length > 0)
  }

  /** What a list of targets reads as: a matrix column's or row's name, or a part's of the
   * page, for their texts. */
  describe (targets) {
    const { columns, rows } = this.matrix()
    const group = [...columns, ...rows, ...this.parts()].find((one) =>
      one.cells.length === targets.length && one.cells.every((cell) => targets.includes(cell)))
    if (group) return group.label
    return targets.map((target) => this.label(target)).join(', ')
  }

  /** The element a target names on the page, or null. */
  element (target) {
    if (target === CONTENT) return this.main
    if (SECTIONS.includes(target)) return this.heading(target)?.closest('section') ?? null
    const [root, kind, id] = target.split('/')
    if (root === 'ideas' && kind) return document.querySelector(`#idea-list [data-item="${CSS.escape(kind)}"]`)
    if (root === 'model' && kind === 'components' && id) {
      return document.querySelector(`#component-list [data-item="${CSS.escape(id)}"]`)
    }
    return this.main.querySelector(`.field[data-field="${CSS.escape(target)}"]`)
  }
}
