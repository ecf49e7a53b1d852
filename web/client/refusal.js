// A page the server has stopped: when it ends the page's connections for good, the page turns
// read-only at once (nothing typed from now on could be saved) and says why in words, having
// asked the server what the page's link may still do: a revoked link, a role lowered since the
// page was opened, or a workshop over its size limit.

import { _, roleName } from './i18n.js'

const TOO_LARGE = 4413

/** Why nothing more is saved, in words: `now` is the role the link has now (null when the link
 * opens the workshop no more, undefined when the server could not be asked). */
function reason (code, role, now) {
  if (code === TOO_LARGE) {
    return _('The workshop is over its size limit: nothing more can be saved, so the page is read-only.')
  }
  if (now === null) {
    return _('This link has been revoked: the page is read-only and saves nothing more. Ask the workshop’s owner for a new link.')
  }
  if (now !== undefined && now !== role) {
    return _('Your role here is now {role}: the page is read-only and saves nothing more. Reload the page to go on as {role}.', { role: roleName(now) })
  }
  return _('The server refused this page’s changes and closed its connection: the page is read-only and saves nothing more. Reload the page.')
}

/** The link's role now, null when it no longer opens the workshop, undefined when unknown. */
async function roleNow (api) {
  try {
    return (await api.call('GET', '')).role ?? null
  } catch (error) {
    return error.status === 401 || error.status === 403 || error.status === 404 ? null : undefined
  }
}

/**
 * @param {number} code the close code the server ended the connection with
 * @param {object} page
 * @param {Access} page.access stopped at once, before the server is asked anything
 * @param {WorkshopApi} page.api
 * @param {(text: string) => void} page.announce
 */
export async function stopSaving (code, { access, api, announce }) {
  access.stopWriting()
  const notice = document.getElementById('notice')
  const say = (text) => {
    notice.textContent = text
    notice.hidden = false
    announce(text)
  }
  say(reason(code, access.role, undefined))
  if (code === TOO_LARGE) return
  const now = await roleNow(api)
  say(reason(code, access.role, now))
  const role = now || access.role
  if (role) document.getElementById('role').textContent = _('Role: {role} – read only', { role: roleName(role) })
}
