// What this page may write. The server decides: it stamped the visitor's role into the page and
// enforces it on every socket; the page only mirrors it. When the server ends the page's
// connections for good (a revoked link, a lowered role, a workshop over its size limit), the
// page saves nothing more, so every part that offers writing stops offering it at once.

export class Access {
  /**
   * @param {object} options
   * @param {string | null} options.role the role the page was opened with
   * @param {boolean} options.canWrite whether the content may be changed
   * @param {boolean} options.canComment whether comments may be written
   */
  constructor ({ role, canWrite, canComment }) {
    Object.assign(this, { role, canWrite, canComment })
    this.listeners = []
  }

  /** `listener(access)` runs on every change. */
  onChange (listener) {
    this.listeners.push(listener)
  }

  /** Nothing more can be saved: no text, list or comment may be changed from now on. */
  stopWriting () {
    if (!this.canWrite && !this.canComment) return
    this.canWrite = false
    this.canComment = false
    for (const listener of this.listeners) listener(this)
  }
}
