// The workshop's JSON API, called with the page's token.

import { _ } from './i18n.js'

/** What a refusal means to the person on the page (the API's own message is for developers
 * and stays in `error.detail`). */
function explain (status) {
  if (status === 400 || status === 422) return _('The server did not accept this: check what you entered.')
  if (status === 401) return _('Your link is not valid here. Ask for a new link.')
  if (status === 403) return _('Your link does not allow this.')
  if (status === 404) return _('Not found: it may have been deleted.')
  if (status === 413) return _('That is too large to send.')
  return _('The server could not do this now ({status}). Try again in a moment.', { status })
}

export class WorkshopApi {
  constructor (workshopId, token) {
    this.workshopId = workshopId
    this.token = token
  }

  /** The answer's JSON; an Error saying in the page's language what went wrong otherwise
   * (with the API's `code` and `detail`, so a caller may say more about a known refusal).
   * `extra` are more headers (a live session's `Verstas-Person`). */
  async call (method, path, body, extra = {}) {
    const headers = { Accept: 'application/json', ...extra }
    if (this.token) headers.Authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let response
    try {
      response = await fetch(`/api/workshops/${this.workshopId}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch {
      throw new Error(_('The server cannot be reached. Try again in a moment.'))
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null)
    if (!response.ok) {
      const error = new Error(explain(response.status))
      error.status = response.status
      error.code = data && data.error ? data.error.code : null
      error.detail = data && data.error ? data.error.message : response.statusText
      throw error
    }
    return data
  }
}
