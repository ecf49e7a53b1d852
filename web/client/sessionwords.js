// What a refusal of the session API means, in the page's language. The server decides every
// rule (a vote's limits, whether a phase takes notes, whether a note may still change) and
// answers 409 or 422 with a code that names it; its own message is English, for developers.

import { _, ngettext } from './i18n.js'

/** The words for a refused session request; `vote` gives the limits a dot refusal names. */
export function refusalText (error, vote = null) {
  switch (error.code) {
    case 'vote_budget_spent':
      return ngettext('All your dots are used ({n} dot): take one back to move it.',
        'All your dots are used ({n} dots): take one back to move it.', vote ? vote.per_person : 0)
    case 'vote_item_cap':
      return ngettext('At most {n} dot may go on one item.',
        'At most {n} dots may go on one item.', vote ? vote.max_per_item : 0)
    case 'vote_no_dot': return _('You have no dot on this item to take back.')
    case 'vote_closed': return _('The vote is closed already.')
    case 'vote_open': return _('A vote is open already: close it before opening another.')
    case 'invalid_vote': return _('The vote names items that are not in the workshop any more.')
    case 'notes_closed': return _('This phase takes no notes.')
    case 'too_many_notes': return _('You have written as many notes as one person may.')
    case 'note_revealed': return _('The note is revealed already: it is everyone’s now.')
    case 'session_ended': return _('The session has ended.')
    case 'session_live': return _('The workshop has a live session already.')
    case 'session_full': return _('The session is full.')
    case 'timer_state': return _('The timer cannot do that now.')
    case 'too_many_locks': return _('That is more locks than one session holds.')
    default: return error.message
  }
}
