// The console's lock toggles: the whole workshop, each section, each matrix column and row,
// each text and each idea and component. A toggle asks the server to lock or unlock; what it
// shows is the session document's locks, so a toggle that the server refused (or another
// facilitator changed) shows the truth. A text inside a locked section shows as locked and
// cannot be unlocked on its own: the section's toggle unlocks it.

import { element } from './dom.js'
import { _ } from './i18n.js'
import { CONTENT, SECTIONS } from './targets.js'

let boxes = 0

/** Whether `target` is under a broader lock than itself (its section, or the whole content). */
function underBroader (target, locks) {
  return locks.some((lock) => lock !== target && (lock === CONTENT || target.startsWith(`${lock}/`)))
}

export class LockPanel {
  /**
   * @param {object} options
   * @param {Targets} options.targets
   * @param {(suffix: string, body: object, done: string) => Promise} options.steer
   */
  constructor ({ targets, steer }) {
    Object.assign(this, { targets, steer })
    this.locks = []
    this.toggles = [] // {box, targets}
    this.node = element('section', undefined, { class: 'console-block locks', 'aria-labelledby': 'console-locks-title' })
    const sections = element('fieldset')
    sections.append(element('legend', _('Sections')),
      ...[CONTENT, ...SECTIONS].map((target) => this.toggle(this.targets.label(target), [target])))
    const { columns, rows } = targets.matrix()
    const matrix = this.group(_('Matrix columns and rows'), [
      ...columns.map((column) => this.toggle(column.label, column.cells)),
      ...rows.map((row) => this.toggle(row.label, row.cells))])
    const texts = ['model', 'matrix', 'path', 'evaluation'].map((section) => this.group(
      _('Texts: {section}', { section: targets.label(section) }),
      targets.cells(section).map((cell) => this.toggle(targets.label(cell), [cell]))))
    this.itemBox = element('div')
    this.itemIds = null
    this.items = this.group(_('Ideas and components'), [this.itemBox])
    this.items.addEventListener('toggle', () => this.render())
    this.node.append(
      element('h3', _('Locks'), { id: 'console-locks-title' }),
      element('p', _('Only facilitators and the owner may edit a locked text: the server refuses everyone else’s changes to it.')),
      sections, matrix, ...texts, this.items)
  }

  group (title, children) {
    const details = element('details')
    details.append(element('summary', title), ...children)
    return details
  }

  /** A checkbox that locks or unlocks `targets` together. */
  toggle (label, targets) {
    const id = `lock-toggle-${++boxes}`
    const box = element('input', undefined, { type: 'checkbox', id, 'data-lock': targets.join(' ') })
    box.addEventListener('change', async () => {
      const locked = box.checked
      const what = label
      const answer = await this.steer('/locks', { targets, locked },
        locked ? _('Locked: {what}.', { what }) : _('Unlocked: {what}.', { what }))
      if (answer) this.locks = answer.locks
      this.render()
    })
    const node = element('label', undefined, { for: id, class: 'lock-toggle' })
    node.append(box, ` ${label}`)
    this.toggles.push({ box, targets })
    return node
  }

  show (locks) {
    this.locks = locks
    this.render()
  }

  render () {
    if (this.items.open) this.layoutItems()
    this.toggles = this.toggles.filter(({ box }) => box.isConnected)
    for (const { box, targets } of this.toggles) {
      box.checked = targets.every((target) => this.locks.includes(target) || underBroader(target, this.locks))
      box.disabled = targets.every((target) => underBroader(target, this.locks))
    }
  }

  /** The ideas' and components' toggles, laid out again when the items changed. */
  layoutItems () {
    const items = [...this.targets.items('ideas'), ...this.targets.items('components')]
    if (items.join() === this.itemIds) return
    this.itemIds = items.join()
    this.itemBox.replaceChildren(...items.map((item) => this.toggle(this.targets.label(item), [item])))
    if (items.length === 0) this.itemBox.append(element('p', _('No ideas or components yet.')))
  }
}
