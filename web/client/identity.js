// The workshop's own name: its owner renames it on the page (an adoption starts as
// "TITLE (ORGANISATION)"). The server keeps it; every page that names the workshop, its
// family's graph included, shows the new title from then on.

import { _ } from './i18n.js'

/**
 * @param {object} options
 * @param {WorkshopApi} options.api
 * @param {(text: string) => void} options.announce
 */
export function offerRename ({ api, announce }) {
  const button = document.getElementById('rename')
  const form = document.getElementById('rename-form')
  if (!button || !form) return
  const heading = document.getElementById('workshop-title')
  const input = document.getElementById('rename-title')
  button.hidden = false
  const close = () => {
    form.hidden = true
    button.hidden = false
    button.focus()
  }
  button.addEventListener('click', () => {
    button.hidden = true
    form.hidden = false
    input.value = heading.textContent
    input.focus()
    input.select()
  })
  form.querySelector('[data-cancel]').addEventListener('click', close)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const title = input.value.trim()
    if (!title) return
    try {
      const updated = await api.call('PATCH', '', { title })
      heading.textContent = updated.title
      document.title = `${updated.title} – Verstas`
      close()
      announce(_('The workshop is renamed.'))
    } catch (error) {
      announce(_('Could not rename: {error}', { error: error.message }))
    }
  })
}
