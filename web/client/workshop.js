// The workshop page's live editor. Every text of the content document (the operating model,
// the perspective matrix, the development path, implementation and evaluation) is a CodeMirror
// editor bound to its Y.Text; comment threads live in the comments document. Both are
// synchronised with the server over the unmodified y-websocket protocol. The page renders the
// fields and their labels; this script brings them to life.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { mountEditor, setWritable, textAt } from './fields.js'
import { PeopleAtTexts, renderPresence, setUser, trackWhere } from './presence.js'
import { Comments } from './comments.js'
import { componentList, ideaList } from './lists.js'
import { Lineage } from './lineage.js'
import { WorkshopApi } from './api.js'
import { Versions } from './versions.js'
import { Sharing } from './sharing.js'
import { offerRename } from './identity.js'
import { guardUnsentEdits, watchConnections } from './connection.js'
import { Access } from './access.js'
import { stopSaving } from './refusal.js'
import { _ } from './i18n.js'
import { startInnopaja } from './innopaja.js'

const NAME_KEY = 'verstas.name'

/** The page's settings, written by the server into the main element's data attributes. */
function settings () {
  const main = document.getElementById('workshop')
  return {
    main,
    workshopId: main.dataset.workshop,
    token: main.dataset.token || null,
    canWrite: main.dataset.canWrite === 'true',
    canComment: main.dataset.canComment === 'true',
    isFork: main.dataset.isFork === 'true',
    role: main.dataset.role || null
  }
}

/** A provider for one of the workshop's documents. Every tab goes through the server, which
 * enforces each connection's role: tabs syncing among themselves over a BroadcastChannel
 * could carry a viewer's change to an editor's socket. */
function connect (name, doc, token) {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return new WebsocketProvider(`${scheme}://${window.location.host}/collab`, name, doc, {
    params: token ? { token } : {},
    disableBc: true
  })
}

function whenSynced (provider) {
  return new Promise((resolve) => {
    if (provider.synced) resolve()
    else provider.once('sync', () => resolve())
  })
}

/** Right after a workshop is created, its page shows the owner link: the workshop's key. */
function offerOwnerLink (announce) {
  const copy = document.getElementById('copy-owner-link')
  const field = document.getElementById('owner-link')
  if (!copy || !field) return
  copy.hidden = false
  field.addEventListener('focus', () => field.select())
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value)
      announce(_('The owner link is copied. Keep it safe.'))
    } catch {
      field.focus()
      announce(_('The link could not be copied: it is selected, copy it with Ctrl+C.'))
    }
  })
}

/** What a presence list says of where someone is: the text's label, or the part's title. */
function placeOf (editors) {
  return ({ part, field }) => editors.get(field)?.label ??
    document.getElementById(`part-${part}`)?.textContent ?? null
}

function start () {
  const { main, workshopId, token, canWrite, canComment, isFork, role } = settings()
  const status = document.getElementById('status')
  const presence = document.getElementById('present')
  const nameInput = document.getElementById('name')
  const announce = (text) => { status.textContent = text }
  offerOwnerLink(announce)

  const content = new Y.Doc()
  const provider = connect(workshopId, content, token)
  const comments = new Y.Doc()
  const commentsProvider = connect(`${workshopId}.comments`, comments, token)
  const awareness = provider.awareness
  const access = new Access({ role, canWrite, canComment })
  const api = new WorkshopApi(workshopId, token)
  const editors = new Map()

  const guestName = () => _('Guest {number}', { number: awareness.clientID % 1000 })
  // The name comments, ideas and versions are signed with.
  const author = () => nameInput.value.trim() || guestName()
  nameInput.value = window.localStorage.getItem(NAME_KEY) || guestName()
  setUser(awareness, nameInput.value)
  nameInput.addEventListener('change', () => {
    const name = nameInput.value.trim() || guestName()
    window.localStorage.setItem(NAME_KEY, name)
    setUser(awareness, name)
  })
  const atTexts = new PeopleAtTexts(awareness, main)
  const showPresence = () => {
    renderPresence(awareness, presence, role, placeOf(editors))
    if (main.dataset.ready === 'true') atTexts.render()
  }
  awareness.on('change', showPresence)
  showPresence()
  trackWhere(awareness)

  watchConnections(main, provider, [commentsProvider], {
    announce, refused: (code) => stopSaving(code, { access, api, announce })
  })
  guardUnsentEdits([[content, provider], [comments, commentsProvider]])
  access.onChange(() => {
    main.dataset.canWrite = 'false'
    main.dataset.canComment = 'false'
    for (const editor of editors.values()) setWritable(editor, false)
  })

  let panel = null
  const comment = () => panel && panel.open()
  // The commented ranges, known once the comments document has arrived.
  const commentRanges = { rangesFor: (ytext) => (panel ? panel.rangesFor(ytext) : []) }
  whenSynced(provider).then(() => {
    for (const element of main.querySelectorAll('.field[data-field]')) {
      const field = element.dataset.field
      const ytext = textAt(content, field)
      if (ytext === null) {
        element.textContent = _('This field is missing from the document.')
        continue
      }
      editors.set(field, mountEditor(element, ytext, awareness, {
        canWrite: access.canWrite, onComment: comment, comments: commentRanges
      }))
    }
    // The lists live as long as the document they observe, laid out again on every change.
    const common = {
      doc: content, editors, awareness, access, onComment: comment, comments: commentRanges, announce
    }
    componentList(common)
    ideaList(common, author)
    const labelOf = (cell) => editors.get(cell)?.label ??
      (cell.startsWith('model/components/') ? _('Component') : cell.startsWith('ideas/') ? _('Idea') : cell)
    new Lineage({ api, role, isFork, labelOf, announce })
    new Versions({
      api, workshopId, canWrite, labelOf, author, announce, notices: comments.getMap('versions')
    })
    if (role === 'owner') new Sharing({ api, announce })
    if (role === 'owner') offerRename({ api, announce })
    startInnopaja({ main, workshopId, token, role, canWrite, content, provider, editors, announce })
    return whenSynced(commentsProvider)
  }).then(() => {
    panel = new Comments({ doc: comments, content, editors, access, author, announce })
    main.dataset.ready = 'true'
    showPresence()
  })
}

start()
