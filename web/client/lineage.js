// Adoption on the page: where this model is in use (the lineage API), adopting it (a fork),
// and, for a fork's owner, reviewing what changed upstream cell by cell and pulling it.
// Everything goes through the JSON API with the page's token; the server does the merging.

import { day, element } from './dom.js'

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
        ? 'Mallia ei ole vielä otettu käyttöön muualla (not adopted elsewhere yet).'
        : `Käytössä ${lineage.in_use.length} muussa paikassa (in use in ${lineage.in_use.length} other places).`
      this.inUse.replaceChildren(...lineage.in_use.map((entry) => {
        const row = element('tr')
        const name = element('td')
        const title = titles.get(entry.id)
        if (title) name.append(element('a', title, { href: `/workshops/${entry.id}` }))
        else name.textContent = '(yksityinen tai poistettu / private or deleted)'
        // A private or deleted workshop is listed by its place alone, as the server sends it.
        const changed = entry.cells_changed == null ? '–' : String(entry.cells_changed)
        row.append(name, element('td', entry.organisation ?? '–'),
          element('td', day(entry.forked_at)), element('td', day(entry.last_activity)),
          element('td', changed))
        return row
      }))
      this.inUse.closest('table').hidden = lineage.in_use.length === 0
    } catch (error) {
      summary.textContent = `Käyttötietoja ei saatu (could not read the lineage): ${error.message}`
    }
  }

  async fork () {
    const organisation = document.getElementById('fork-organisation').value.trim()
    const reason = document.getElementById('fork-reason').value.trim()
    const result = document.getElementById('fork-result')
    if (!organisation || !reason) return
    try {
      const created = await this.api.call('POST', '/fork', { organisation, reason })
      const link = element('a', created.title, {
        href: `/workshops/${created.id}?token=${encodeURIComponent(created.owner_token)}`
      })
      result.replaceChildren(
        'Malli otettu käyttöön (adopted): ', link,
        element('span', ' – tallenna linkki, se on uuden työpajan omistajan avain ' +
          '(keep the link: it is the new workshop\'s owner key).'))
      this.announce('Malli otettu käyttöön (adopted)')
      this.showInUse()
    } catch (error) {
      result.textContent = `Käyttöönotto epäonnistui (adoption failed): ${error.message}`
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
        this.announce('Ei uusia muutoksia alkuperäisessä mallissa (nothing new upstream)')
        return
      }
      list.replaceChildren(...reviewFieldsets(changes, 'upstream', this.labelOf, {
        current: 'Nyt (now)', incoming: 'Alkuperäisessä (upstream)'
      }))
      form.hidden = false
      list.querySelector('input')?.focus()
    } catch (error) {
      this.announce(`Muutoksia ei saatu (could not read upstream): ${error.message}`)
    }
  }

  async pull () {
    const review = decisions(document.getElementById('upstream-changes'))
    if (review === null) return
    try {
      const result = await this.api.call('POST', '/upstream/pull', review)
      document.getElementById('upstream-form').hidden = true
      this.announce(`Päivitetty: ${result.accepted.length} otettu, ${result.rejected.length} ` +
        `pidetty omana (pulled: ${result.accepted.length} accepted, ` +
        `${result.rejected.length} kept)`)
    } catch (error) {
      this.announce(`Päivitys epäonnistui (pull failed): ${error.message}`)
    }
  }

  /** For the origin's owner: each direct fork's changes on offer, a review form per fork. */
  async proposals () {
    const list = document.getElementById('proposal-list')
    try {
      const { items } = await this.api.call('GET', '/proposals')
      if (items.length === 0) {
        list.replaceChildren()
        this.announce('Ei ehdotuksia (no proposals)')
        return
      }
      list.replaceChildren(...items.map((offer) => {
        const form = element('form', undefined, { 'data-fork': offer.fork, class: 'card' })
        form.append(element('h4', `${offer.organisation} ehdottaa (proposes)`),
          ...reviewFieldsets(offer.changes, `proposal-${offer.fork}`, this.labelOf, {
            current: 'Nyt (now)', incoming: 'Ehdotus (proposed)'
          }),
          element('button', 'Hyväksy valinnoin (accept as chosen)', { type: 'submit' }))
        form.addEventListener('submit', (event) => {
          event.preventDefault()
          this.accept(offer, form)
        })
        return form
      }))
      list.querySelector('input')?.focus()
    } catch (error) {
      this.announce(`Ehdotuksia ei saatu (could not read proposals): ${error.message}`)
    }
  }

  async accept (offer, form) {
    const review = decisions(form)
    if (review === null) return
    try {
      const result = await this.api.call('POST', `/proposals/${offer.fork}/accept`, review)
      form.remove()
      this.announce(`${offer.organisation}: ${result.accepted.length} hyväksytty, ` +
        `${result.rejected.length} hylätty (accepted, rejected)`)
    } catch (error) {
      this.announce(`Hyväksyntä epäonnistui (could not accept): ${error.message}`)
    }
  }
}

/** A fieldset per changed cell: both texts, and a required choice to take it or keep ours. */
function reviewFieldsets (changes, prefix, labelOf, names) {
  return changes.map((change, index) => {
    const item = element('fieldset', undefined, { 'data-cell': change.cell })
    item.append(
      element('legend', labelOf(change.cell)),
      element('p', `${names.current}: ${change.current ?? '–'}`),
      element('p', `${names.incoming}: ${change.incoming ?? '(poistettu / removed)'}`))
    for (const [value, text] of [['accept', 'Ota muutos (accept)'], ['reject', 'Pidä oma (keep ours)']]) {
      const id = `${prefix}-${index}-${value}`
      const radio = element('input', undefined, {
        type: 'radio', name: `${prefix}-${index}`, value, id, required: ''
      })
      item.append(radio, element('label', text, { for: id }))
    }
    return item
  })
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
