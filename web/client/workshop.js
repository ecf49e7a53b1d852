// The workshop page's live editor: every text of the content document (the operating model,
// the perspective matrix, the development path, implementation and evaluation) is a CodeMirror
// editor bound to its Y.Text, synchronised with the server over the unmodified y-websocket
// protocol. The page renders the fields and their labels; this script only brings them to life.
//
// The server creates the document's structure as its first update, so the texts are looked up
// after the first sync and never created here: a client that created a map entry could make
// another replica's text vanish (documents/workshop_doc.py).

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { EditorState } from '@codemirror/state'
import { EditorView, keymap } from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'

const COLOURS = ['#1f6feb', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7ea4']
const NAME_KEY = 'verstas.name'

const STATUS_TEXT = {
  connecting: 'Yhdistetään… (connecting)',
  connected: 'Yhdistetty (connected)',
  disconnected: 'Yhteys katkesi, yhdistetään uudelleen… (disconnected, reconnecting)'
}

/** The page's settings, written by the server into the main element's data attributes. */
function settings () {
  const main = document.getElementById('workshop')
  return {
    main,
    workshopId: main.dataset.workshop,
    token: main.dataset.token || null,
    canWrite: main.dataset.canWrite === 'true',
    role: main.dataset.role || null
  }
}

function socketBase () {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${window.location.host}/collab`
}

/** The Y.Text at a field path such as `matrix/client.actors` (root map, then keys). */
function textAt (doc, field) {
  const [root, ...keys] = field.split('/')
  let node = doc.getMap(root)
  for (const key of keys) {
    if (!(node instanceof Y.Map) || !node.has(key)) return null
    node = node.get(key)
  }
  return node instanceof Y.Text ? node : null
}

function colourFor (clientId) {
  return COLOURS[clientId % COLOURS.length]
}

function mountEditor (element, ytext, awareness, canWrite) {
  const label = element.getAttribute('aria-label') || element.dataset.field
  element.removeAttribute('aria-label') // the editable area inside carries it
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
      yCollab(ytext, awareness),
      EditorView.lineWrapping,
      EditorState.readOnly.of(!canWrite),
      EditorView.editable.of(canWrite),
      EditorView.contentAttributes.of({
        'aria-label': label,
        'aria-multiline': 'true',
        'aria-readonly': String(!canWrite),
        'data-field': element.dataset.field
      })
    ]
  })
  element.textContent = ''
  return new EditorView({ state, parent: element })
}

/** Who is here: every awareness state with a user, this client first. Roles are those the
 * server stamped into the states it relayed; this client's own state never comes back stamped
 * (awareness ignores echoes of its own clock), so its role is the page's. */
function renderPresence (awareness, list, ownRole) {
  const states = [...awareness.getStates().entries()]
    .filter(([, state]) => state && state.user)
    .sort(([a], [b]) => (a === awareness.clientID ? -1 : b === awareness.clientID ? 1 : a - b))
  list.replaceChildren(...states.map(([clientId, state]) => {
    const item = document.createElement('li')
    item.style.borderColor = state.user.color
    const own = clientId === awareness.clientID
    const role = own ? ownRole : state.role
    const self = own ? ', sinä (you)' : ''
    item.textContent = `${state.user.name}${role ? ` (${role})` : ''}${self}`
    return item
  }))
}

function setUser (awareness, name) {
  const colour = colourFor(awareness.clientID)
  awareness.setLocalStateField('user', { name, color: colour, colorLight: `${colour}33` })
}

function start () {
  const { main, workshopId, token, canWrite, role } = settings()
  const status = document.getElementById('status')
  const presence = document.getElementById('present')
  const nameInput = document.getElementById('name')

  const doc = new Y.Doc()
  const provider = new WebsocketProvider(socketBase(), workshopId, doc, {
    params: token ? { token } : {},
    // Every tab goes through the server, which enforces each connection's role: tabs syncing
    // among themselves could carry a viewer's change to an editor's socket.
    disableBc: true
  })
  const awareness = provider.awareness

  const storedName = window.localStorage.getItem(NAME_KEY)
  nameInput.value = storedName || `Vieras ${awareness.clientID % 1000}`
  setUser(awareness, nameInput.value)
  nameInput.addEventListener('change', () => {
    const name = nameInput.value.trim() || `Vieras ${awareness.clientID % 1000}`
    window.localStorage.setItem(NAME_KEY, name)
    setUser(awareness, name)
  })
  awareness.on('change', () => renderPresence(awareness, presence, role))
  renderPresence(awareness, presence, role)

  provider.on('status', ({ status: state }) => {
    status.textContent = STATUS_TEXT[state] || state
    main.dataset.connection = state
  })
  provider.on('connection-close', (event) => {
    if (event && event.code >= 4000) {
      status.textContent = `Palvelin sulki yhteyden (${event.code}): ${event.reason || 'ei syytä'}`
    }
  })

  let mounted = false
  provider.on('sync', (synced) => {
    if (!synced || mounted) return
    mounted = true
    for (const element of main.querySelectorAll('.field[data-field]')) {
      const ytext = textAt(doc, element.dataset.field)
      if (ytext === null) {
        element.textContent = 'Tätä kenttää ei löydy asiakirjasta (field missing).'
        continue
      }
      mountEditor(element, ytext, awareness, canWrite)
    }
    main.dataset.ready = 'true'
  })
}

start()
