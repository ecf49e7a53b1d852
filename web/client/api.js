// The workshop's JSON API, called with the page's token.

export class WorkshopApi {
  constructor (workshopId, token) {
    this.workshopId = workshopId
    this.token = token
  }

  /** The answer's JSON; an Error with the API's own message for any refusal. */
  async call (method, path, body) {
    const headers = { Accept: 'application/json' }
    if (this.token) headers.Authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const response = await fetch(`/api/workshops/${this.workshopId}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body)
    })
    const data = response.status === 204 ? null : await response.json()
    if (!response.ok) {
      const message = data && data.error ? data.error.message : response.statusText
      throw new Error(`${response.status}: ${message}`)
    }
    return data
  }
}
