// Adoption on the page: where this model is in use (the lineage API), adopting it (a fork),
// and, for a fork's owner, reviewing what changed upstream cell by cell and pulling it.
// Everything goes through the JSON API with the page's token; the server does the merging.

import { element } from './dom.js'
import { _, day, ngettext, number, withNodes } from './i18n.js'

export class Lineage {
  /**
   * @param {object} options
   * @param {WorkshopApi} options.api
   * @param {string | null} options.role
   * @param {boolean} options.isFork
   * @param {(cell: string) => string} options.labelOf a cell key's label
   * @param {(text: string) => void} options.announce
   */
  constructor ({ api, role, isFork, labelOf, announce }) {
    Object.assign(this, { api, role, isFork, labelOf, announce })
    this.inUse = document.getElementById('in-use')
    this.forkForm = document.getElementById('fork-form')
    this.upstream = document.getElementById('upstream')
    this.forkForm.addEventListener('submit', (event) => { event.preventDefault(); this.fork() })
    this.upstream.hidden = !(isFork && role === 'owner')
    const offers = document.getElementById('proposals')
    offers.hidden = role !== 'owner'
    document.getElementById('proposals-check').addEventListener('click', () => this.proposals())
    document.getElementById('upstream-check').addEventListener('click', () => this.preview())
    document.getElementById('upstream-form').addEventListener('submit', (event) => {
      event.preventDefault()
      this.pull()
    })
    this.showInUse()
  }

  async showInUse () {
    const summary = document.getElementById('in-use-summary')
    try {
      const lineage = await this.api.call('GET', '/lineage')
      const titles = new Map(lineage.nodes.map((node) => [node.id, node.title]))
      summary.textContent = lineage.in_use.length === 0
        ? _('The model has not been adopted elsewhere yet.')
        : ngettext('In use in {n} other place.', 'In use in {n} other places.', lineage.in_use.length)
      this.inUse.replaceChildren(...lineage.in_use.map((entry) => {
        const row = element('tr')
        const name = element('td')
        const title = titles.get(entry.id)
        if (title) name.append(element('a', title, { href: `/workshops/${entry.id}` }))
        else name.textContent = _('(private or deleted)')
        // A private or deleted workshop is listed by its place alone, as the server sends it.
        const changed = entry.cells_changed == null ? '–' : number(entry.cells_changed)
        row.append(name, element('td', entry.organisation ?? '–'),
          element('td', day(entry.forked_at)), element('td', day(entry.last_activity)),
          element('td', changed))
        return row
      }))
      this.inUse.closest('table').hidden = lineage.in_use.length === 0
    } catch (error) {
      summary.textContent = _('Could not read where the model is in use: {error}', { error: error.message })
    }
  }

  async fork () {
    const organisation = document.getElementById('fork-organisation').value.trim()
    const reason = document.getElementById('fork-reason').value.trim()
    const title = document.getElementById('fork-title').value.trim()
    const result = document.getElementById('fork-result')
    if (!organisation || !reason) return
    try {
      const body = title ? { organisation, reason, title } : { organisation, reason }
      const created = await this.api.call('POST', '/fork', body)
      const link = element('a', created.title, {
        href: `/workshops/${created.id}?token=${encodeURIComponent(created.owner_token)}`
      })
      result.replaceChildren(...withNodes(
        _('Model adopted: {link}. Keep the link: it is the owner key of the new workshop.'), { link }))
      this.announce(_('Model adopted.'))
      this.showInUse()
    } catch (error) {
      result.textContent = _('The adoption failed: {error}', { error: error.message })
    }
  }

  /** What changed upstream since the fork or the last pull, a choice per cell. */
  async preview () {
    const list = document.getElementById('upstream-changes')
    const form = document.getElementById('upstream-form')
    try {
      const { changes } = await this.api.call('GET', '/upstream')
      if (changes.length === 0) {
        form.hidden = true
        this.announce(_('Nothing new in the original model.'))
        return
      }
      list.replaceChildren(...reviewFieldsets(changes, 'upstream', this.labelOf, {
        current: _('Now'), incoming: _('In the original model')
      }))
      form.hidden = false
      list.querySelector('input')?.focus()
    } catch (error) {
      this.announce(_('Could not read the changes: {error}', { error: error.message }))
    }
  }

  async pull () {
    const review = decisions(document.getElementById('upstream-changes'))
    if (review === null) return
    try {
      const result = await this.api.call('POST', '/upstream/pull', review)
      document.getElementById('upstream-form').hidden = true
      this.announce(_('Updated. Changes taken: {accepted}; kept our own: {rejected}.', {
        accepted: number(result.accepted.length), rejected: number(result.rejected.length)
      }))
    } catch (error) {
      this.announce(_('The update failed: {error}', { error: error.message }))
    }
  }

  /** For the origin's owner: each direct fork's changes on offer, a review form per fork. */
  async proposals () {
    const list = document.getElementById('proposal-list')
    try {
      const { items } = await this.api.call('GET', '/proposals')
      if (items.length === 0) {
        list.replaceChildren()
        this.announce(_('No proposals.'))
        return
      }
      list.replaceChildren(...items.map((offer) => {
        const form = element('form', undefined, { 'data-fork': offer.fork, class: 'card' })
        form.append(element('h4', _('{organisation} proposes', { organisation: offer.organisation })),
          ...reviewFieldsets(offer.changes, `proposal-${offer.fork}`, this.labelOf, {
            current: _('Now'), incoming: _('Proposed')
          }),
          element('button', _('Accept as chosen'), { type: 'submit' }))
        form.addEventListener('submit', (event) => {
          event.preventDefault()
          this.accept(offer, form)
        })
        return form
      }))
      list.querySelector('input')?.focus()
    } catch (error) {
      this.announce(_('Could not read the proposals: {error}', { error: error.message }))
    }
  }

  async accept (offer, form) {
    const review = decisions(form)
    if (review === null) return
    try {
      const result = await this.api.call('POST', `/proposals/${offer.fork}/accept`, review)
      form.remove()
      this.announce(_('{organisation}: accepted {accepted}, rejected {rejected}.', {
        organisation: offer.organisation,
        accepted: number(result.accepted.length),
        rejected: number(result.rejected.length)
      }))
    } catch (error) {
      this.announce(_('Could not accept: {error}', { error: error.message }))
    }
  }
}

/** What a reviewer reads a cell by: its label, and a component or idea by its own words
 * (its title, or its first words), never its id. */
function reviewLabel (change, labelOf) {
  const label = labelOf(change.cell)
  if (!change.cell.startsWith('model/components/') && !change.cell.startsWith('ideas/')) return label
  const words = (change.incoming ?? change.current ?? '').split('\n')[0].trim()
  const short = words.length > 60 ? `${words.slice(0, 59)}…` : words
  return short ? `${label}: ${short}` : label
}

/** Buttons that choose the same for every cell of a review at once. */
function chooseAll (container) {
  const bar = element('p', undefined, { class: 'actions' })
  for (const [value, text] of [['accept', _('Take every change')], ['reject', _('Keep our own everywhere')]]) {
    const all = element('button', text, { type: 'button', 'data-all': value })
    all.addEventListener('click', () => {
      for (const radio of container.querySelectorAll(`input[type=radio][value=${value}]`)) {
        radio.checked = true
        radio.dispatchEvent(new Event('change', { bubbles: true }))
      }
    })
    bar.append(all)
  }
  return bar
}

/** A fieldset per changed cell: both texts, and a required choice to take it or keep ours,
 * which can be undone until the review is sent. */
function reviewFieldsets (changes, prefix, labelOf, names) {
  const removed = _('(removed)')
  const items = changes.map((change, index) => {
    const item = element('fieldset', undefined, { 'data-cell': change.cell })
    item.append(
      element('legend', reviewLabel(change, labelOf)),
      element('p', `${names.current}: ${change.current ?? '–'}`),
      element('p', `${names.incoming}: ${change.incoming ?? removed}`))
    for (const [value, text] of [['accept', _('Take the change')], ['reject', _('Keep our own')]]) {
      const id = `${prefix}-${index}-${value}`
      const radio = element('input', undefined, {
        type: 'radio', name: `${prefix}-${index}`, value, id, required: ''
      })
      item.append(radio, element('label', text, { for: id }))
    }
    const undo = element('button', _('Undo the choice'), { type: 'button', hidden: '' })
    undo.addEventListener('click', () => {
      for (const radio of item.querySelectorAll('input[type=radio]')) radio.checked = false
      undo.hidden = true
      item.querySelector('input[type=radio]').focus()
    })
    item.addEventListener('change', () => { undo.hidden = !item.querySelector('input:checked') })
    item.append(' ', undo)
    return item
  })
  return [chooseAll({ querySelectorAll: (selector) => items.flatMap((item) => [...item.querySelectorAll(selector)]) }), ...items]
}

/** The cells to accept and to reject, or null while a cell has no choice. */
function decisions (container) {
  const accept = []
  const reject = []
  for (const fieldset of container.querySelectorAll('fieldset[data-cell]')) {
    const chosen = fieldset.querySelector('input:checked')
    if (!chosen) return null
    ;(chosen.value === 'accept' ? accept : reject).push(fieldset.dataset.cell)
  }
  return { accept, reject }
}
