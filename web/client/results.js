// A closed dot vote's results, most dots first (equal counts share a rank), as the session
// document gives them once the facilitator closed the vote: on the workshop page and, large,
// on the shared screen.

import { element } from './dom.js'
import { _, ngettext, number } from './i18n.js'

/** The results of `vote` (a closed vote of the session document) as a list. */
export function resultList (vote) {
  const most = Math.max(1, ...vote.results.map((tally) => tally.count))
  const list = element('ol', undefined, { class: 'results' })
  list.replaceChildren(...vote.results.map((tally) => {
    const row = element('li', undefined, { 'data-item': tally.item })
    const bar = element('span', undefined, { class: 'bar', 'aria-hidden': 'true' })
    bar.style.width = `${(100 * tally.count) / most}%`
    row.append(
      element('span', _('{rank}.', { rank: number(tally.rank) }), { class: 'rank' }),
      element('span', tally.label || _('(no text)'), { class: 'label' }),
      element('span', ngettext('{n} dot', '{n} dots', tally.count), { class: 'count' }),
      bar)
    return row
  }))
  return list
}

/** The latest closed vote of a session (null when none has closed). */
export function latestResults (session) {
  const closed = session && session.results ? session.results : []
  return closed.length ? closed[closed.length - 1] : null
}
