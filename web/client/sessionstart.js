// Starting a live session, for the facilitators and the owner: a title and the agenda, a list
// of phases, each with the part of the workshop it works on (the needs and goals, a section, a
// matrix column or row, one text, or the whole workshop) and whether participants write hidden
// notes during it. The agenda starts as the innovation model's three task groups, Ideoi,
// Kehitä and Toteuta, each on its own part, and may be changed as a whole before the start.

import { button, element } from './dom.js'
import { _ } from './i18n.js'
import { CONTENT, SECTIONS } from './targets.js'
import { refusalText } from './sessionwords.js'

const NEEDS_AND_GOALS = ['path/needs', 'path/goals']

let phases = 0

export class StartForm {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {Targets} options.targets
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, targets, announce }) {
    Object.assign(this, { api, targets, announce })
    this.node = element('form', undefined, { class: 'card session-start', 'aria-labelledby': 'session-start-title' })
    this.titleInput = element('input', undefined, { id: 'session-title', required: '', maxlength: '300' })
    this.list = element('ol', undefined, { class: 'agenda-edit' })
    const fieldset = element('fieldset')
    fieldset.append(element('legend', _('Phases')), this.list,
      button(_('Add a phase'), () => this.addPhase(_('New phase'), [CONTENT], true, true)))
    this.node.append(
      element('h3', _('Start an Innopaja session'), { id: 'session-start-title' }),
      element('label', _('Title'), { for: 'session-title' }), this.titleInput,
      fieldset,
      element('button', _('Start the session'), { type: 'submit' }))
    this.addPhase(_('Ideate'), NEEDS_AND_GOALS, true)
    this.addPhase(_('Develop'), ['matrix'], true)
    this.addPhase(_('Implement'), ['evaluation'], true)
    this.node.addEventListener('submit', (event) => { event.preventDefault(); this.start() })
  }

  /** Every part a phase may work on: `[label, targets]`, in groups. */
  choices () {
    const t = this.targets
    const { columns, rows } = t.matrix()
    const cells = (section) => t.cells(section).map((cell) => [t.label(cell), [cell]])
    return [
      [_('Sections'), [
        [t.describe(NEEDS_AND_GOALS), NEEDS_AND_GOALS],
        ...SECTIONS.map((section) => [t.label(section), [section]]),
        [t.label(CONTENT), [CONTENT]]]],
      [_('Matrix columns'), columns.map((group) => [group.label, group.cells])],
      [_('Matrix rows'), rows.map((group) => [group.label, group.cells])],
      ...['path', 'evaluation', 'model'].map((section) => [t.label(section), cells(section)])
    ]
  }

  workSelect (id, chosen) {
    const select = element('select', undefined, { id })
    const wanted = JSON.stringify(chosen)
    for (const [group, options] of this.choices()) {
      const node = element('optgroup', undefined, { label: group })
      for (const [label, targets] of options) {
        const option = element('option', label, { value: JSON.stringify(targets) })
        option.selected = option.value === wanted
        node.append(option)
      }
      select.append(node)
    }
    return select
  }

  addPhase (title, targets, notes, focus = false) {
    const n = ++phases
    const item = element('li', undefined, { class: 'phase-edit' })
    const name = element('input', undefined, { id: `phase-title-${n}`, required: '', maxlength: '100' })
    name.value = title
    const notesBox = element('input', undefined, { type: 'checkbox', id: `phase-notes-${n}` })
    notesBox.checked = notes
    const notesLabel = element('label', undefined, { for: `phase-notes-${n}` })
    notesLabel.append(notesBox, ' ', _('Hidden notes during this phase'))
    const move = (step) => {
      const other = step < 0 ? item.previousElementSibling : item.nextElementSibling
      if (!other) return
      if (step < 0) other.before(item)
      else other.after(item)
      this.renumber()
      item.querySelector(`[data-action="${step < 0 ? 'up' : 'down'}"]`).focus()
    }
    const up = button(_('Move up'), () => move(-1))
    up.dataset.action = 'up'
    const down = button(_('Move down'), () => move(1))
    down.dataset.action = 'down'
    const remove = button(_('Remove the phase'), () => {
      if (this.list.children.length === 1) return
      const next = item.nextElementSibling || item.previousElementSibling
      item.remove()
      this.renumber()
      next.querySelector('input').focus()
    })
    const actions = element('div', undefined, { class: 'actions' })
    actions.append(up, down, remove)
    item.append(
      element('label', '', { for: name.id, class: 'phase-name' }), name,
      element('label', _('Works on'), { for: `phase-work-${n}` }), this.workSelect(`phase-work-${n}`, targets),
      notesLabel, actions)
    this.list.append(item)
    this.renumber()
    if (focus) name.focus()
  }

  /** Each phase's name label says its place in the agenda. */
  renumber () {
    [...this.list.children].forEach((item, index) => {
      item.querySelector('.phase-name').textContent = _('Phase {number}', { number: index + 1 })
    })
  }

  async start () {
    const phasesSent = [...this.list.children].map((item) => ({
      title: item.querySelector('input').value.trim(),
      targets: JSON.parse(item.querySelector('select').value),
      notes: item.querySelector('input[type="checkbox"]').checked
    }))
    try {
      await this.api.call('POST', '/sessions', { title: this.titleInput.value.trim(), phases: phasesSent })
      this.announce(_('The session started.'))
    } catch (error) {
      this.announce(_('The session did not start: {error}', { error: refusalText(error) }))
    }
  }
}
