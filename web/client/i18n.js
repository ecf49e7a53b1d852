// The page's language. The server sends its catalogue with the page, as a JSON data block
// (`<script type="application/json" id="i18n">`, which runs nothing, so the page's
// Content-Security-Policy stays strict): the translations of the messages below, the role
// names, and how the language writes dates, numbers and plurals.
//
// Message ids are the English source strings, with {name} placeholders. `_` and `ngettext`
// are the names `scripts/translations` extracts them by (babel.cfg), so every message must be
// a plain string literal in the call.

let cached = null

function catalogue () {
  if (cached === null) {
    const node = document.getElementById('i18n')
    cached = node
      ? JSON.parse(node.textContent)
      : { lang: 'en', locale: 'en-GB', plurals: ['one', 'other'], formats: {}, roles: {}, messages: {} }
  }
  return cached
}

function fill (text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole))
}

/** The message in the page's language, its {placeholders} filled from `values`. */
export function _ (message, values = {}) {
  const found = catalogue().messages[message]
  return fill(typeof found === 'string' && found ? found : message, values)
}

/** The form of a message for `n` (given to it as {n}, written as the language writes
 * numbers), chosen by the language's plural rules as gettext orders its forms. */
export function ngettext (singular, plural, n, values = {}) {
  const { messages, plurals, locale } = catalogue()
  const forms = messages[singular]
  let index = plurals.indexOf(new Intl.PluralRules(locale).select(n))
  if (index < 0) index = plurals.length - 1
  const text = Array.isArray(forms) && forms[index] ? forms[index] : (n === 1 ? singular : plural)
  return fill(text, { n: number(n), ...values })
}

/** A translated message with DOM nodes in place of its placeholders, for messages that hold
 * a link or other element (the words around it stay in the translator's order). */
export function withNodes (text, nodes) {
  return text.split(/\{(\w+)\}/).map((part, index) => (index % 2 === 1 ? nodes[part] ?? part : part))
    .filter((part) => part !== '')
}

export function number (n) {
  return new Intl.NumberFormat(catalogue().locale).format(n)
}

export function roleName (role) {
  return catalogue().roles[role] || role
}

function formatted (iso, options) {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(catalogue().locale, options).format(date)
}

/** A moment as the page's language writes it; anything unreadable as given. */
export function when (iso) {
  return formatted(iso, catalogue().formats.datetime)
}

/** A day as the page's language writes it (4.12.2026, 4 Dec 2026). */
export function day (iso) {
  return iso ? formatted(iso, catalogue().formats.date) : '–'
}
