#!/usr/bin/env node
// Golden Yjs updates on a workshop-shaped document, made by the REAL yjs, with what they touch.
//
//   node tests/js/make_update_vectors.mjs > tests/unit/vectors/yjs_updates.json
//
// Why: collab/yupdate.py decodes v1 updates and collab/touched.py tells which field paths an
// update touches. Both must agree with what browsers send, not with what pycrdt happens to
// write. Each vector holds a base document state (Y.encodeStateAsUpdate of a "server" doc), the
// updates applied to it in order, yjs's own decoding of every update (Y.decodeUpdate) and, for
// each update, the field paths whose content changed when yjs applied it (null when yjs kept
// part of it pending). tests/integration/test_update_vectors_fresh.py re-runs this script and
// compares, so the committed file cannot drift from what the pinned yjs produces.
//
// A path is map keys from a root joined by "/", as documents/workshop_doc.py's text_at names
// texts. The base mirrors seed_update's structure (root maps path, matrix, evaluation, model,
// ideas; a text per section; model/components a map of id -> map), written by client 1.
// Output is deterministic: fixed clientIDs and item ids, keys sorted, bytes as lowercase hex.

import * as Y from 'yjs'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const ROOTS = ['path', 'matrix', 'evaluation', 'model', 'ideas']
const SECTIONS = {
  path: ['starting_point', 'target_group', 'needs', 'co_developers', 'goals'],
  matrix: ['client', 'professional', 'organisational', 'political_administrative'].flatMap((p) =>
    ['actors', 'tasks', 'knowledge', 'laws', 'principles', 'finances'].map((t) => `${p}.${t}`)),
  evaluation: ['trial', 'evaluation_questions', 'evaluation_criteria', 'results', 'adoption_decision'],
  model: ['name', 'short_description', 'purpose', 'core_idea', 'operating_environment', 'conditions']
}
const SERVER = 1
const BIG_CLIENT_31 = 2 ** 31 + 7
const BIG_CLIENT_53 = Number.MAX_SAFE_INTEGER

const require = createRequire(import.meta.url)
const versionOf = (/** @type {string} */ name) =>
  JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version

/** @param {Uint8Array} bytes */
const hex = (bytes) => Buffer.from(bytes).toString('hex')

/** @type {Array<Y.Doc>} */
const docs = []
/** @param {number} clientID */
const newDoc = (clientID) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  docs.push(doc)
  return doc
}

/** The server's document: the seed's structure, written by client 1 in one transaction. */
const seeded = () => {
  const doc = newDoc(SERVER)
  doc.transact(() => {
    for (const [name, keys] of Object.entries(SECTIONS)) {
      const section = doc.getMap(name)
      for (const key of keys) section.set(key, new Y.Text())
    }
    doc.getMap('model').set('components', new Y.Map())
  })
  return doc
}

/** @param {Y.Doc} from @param {Y.Doc} to */
const sync = (from, to) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

/** A replica of `server` as it is now. @param {Y.Doc} server @param {number} clientID */
const replica = (server, clientID) => {
  const doc = newDoc(clientID)
  sync(server, doc)
  return doc
}

/** The update one transaction of `edit` on `doc` emits. */
const capture = (/** @type {Y.Doc} */ doc, /** @type {(doc: Y.Doc) => void} */ edit) => {
  /** @type {Array<Uint8Array>} */
  const updates = []
  const handler = (/** @type {Uint8Array} */ update) => updates.push(update)
  doc.on('update', handler)
  doc.transact(() => edit(doc))
  doc.off('update', handler)
  if (updates.length !== 1) throw new Error(`expected one update, got ${updates.length}`)
  return updates[0]
}

const text = (/** @type {Y.Doc} */ doc, /** @type {string} */ path) => {
  /** @type {any} */
  let node = doc.getMap(path.split('/')[0])
  for (const key of path.split('/').slice(1)) node = node.get(key)
  if (!(node instanceof Y.Text)) throw new Error(`no text at ${path}`)
  return node
}

const components = (/** @type {Y.Doc} */ doc) => /** @type {Y.Map<any>} */ (doc.getMap('model').get('components'))

const component = (/** @type {string} */ title, /** @type {number} */ order) =>
  new Y.Map([['order', order], ['title', new Y.Text(title)], ['description', new Y.Text('')]])

const idea = (/** @type {string} */ body, /** @type {number} */ order) =>
  new Y.Map([['order', order], ['text', new Y.Text(body)], ['author', 'Aino'], ['votes', new Y.Map()]])

/** Every field path of the document with a comparable rendering of what is there. */
const flatten = (/** @type {Y.Doc} */ doc) => {
  /** @type {Map<string, string>} */
  const out = new Map()
  const walk = (/** @type {string} */ path, /** @type {any} */ value) => {
    if (value instanceof Y.Map) {
      out.set(path, 'map')
      for (const [key, inner] of value.entries()) walk(`${path}/${key}`, inner)
    } else if (value instanceof Y.Text) {
      out.set(path, JSON.stringify(value.toDelta()))
    } else if (value instanceof Y.XmlFragment) {
      out.set(path, value.toString())
    } else if (value instanceof Uint8Array) {
      out.set(path, `bytes:${hex(value)}`)
    } else if (value instanceof Y.Doc) {
      out.set(path, `doc:${value.guid}`)
    } else {
      out.set(path, String(JSON.stringify(value, (_, v) => typeof v === 'bigint' ? `${v}n` : v)))
    }
  }
  for (const name of ROOTS) walk(name, doc.getMap(name))
  return out
}

/** The paths whose rendering differs, or that exist on one side only. */
const changed = (/** @type {Map<string, string>} */ before, /** @type {Map<string, string>} */ after) =>
  [...new Set([...before.keys(), ...after.keys()])]
    .filter((path) => before.get(path) !== after.get(path) || before.has(path) !== after.has(path))
    .sort()

/** What yjs itself reads from an update (the struct fields collab/yupdate.py keeps). */
const decoded = (/** @type {Uint8Array} */ update) => {
  const { structs, ds } = Y.decodeUpdate(update)
  const id = (/** @type {Y.ID | null} */ i) => i === null ? null : [i.client, i.clock]
  return {
    structs: structs.map((s) => {
      const base = { client: s.id.client, clock: s.id.clock, length: s.length }
      if (s instanceof Y.Item) {
        const parent = s.parent
        return {
          ...base,
          ref: s.content.getRef(),
          origin: id(s.origin),
          right_origin: id(s.rightOrigin),
          parent: typeof parent === 'string' || parent === null ? parent : id(/** @type {Y.ID} */ (/** @type {unknown} */ (parent))),
          parent_sub: s.parentSub
        }
      }
      return { ...base, ref: s instanceof Y.GC ? 0 : 10, origin: null, right_origin: null, parent: null, parent_sub: null }
    }),
    deletes: [...ds.clients.entries()].flatMap(([client, items]) =>
      items.map((item) => [client, item.clock, item.len]))
  }
}

/** @type {Array<object>} */
const vectors = []

/**
 * Record `updates` applied in order to the state `server` has now. For each update: what yjs
 * decodes and the paths that changed on a copy of the server (null: something stayed pending).
 * The base's own decoding is recorded when `decodeBase` (the seed part is the same everywhere).
 */
const add = (/** @type {string} */ name, /** @type {string} */ description,
  /** @type {Y.Doc} */ server, /** @type {Array<Uint8Array>} */ updates, decodeBase = false) => {
  const base = Y.encodeStateAsUpdate(server)
  const copy = newDoc(999)
  Y.applyUpdate(copy, base)
  const steps = updates.map((update) => {
    const before = flatten(copy)
    Y.applyUpdate(copy, update)
    const pending = copy.store.pendingStructs !== null || copy.store.pendingDs !== null
    return {
      update_hex: hex(update),
      decoded: decoded(update),
      touched: pending ? null : changed(before, flatten(copy))
    }
  })
  vectors.push({ name, description, base_hex: hex(base), base_decoded: decodeBase ? decoded(base) : null, steps })
  for (const update of updates) Y.applyUpdate(server, update)
}

// ---------------------------------------------------------------------------- one cell

{
  const server = seeded()
  const writer = replica(server, 1001)
  Y.applyUpdate(server, capture(writer, (d) => text(d, 'matrix/client.actors').insert(0, 'Asiakas ja omainen')))
  const a = capture(writer, (d) => text(d, 'matrix/client.actors').insert(7, 'x'))
  add('keystroke', 'A typical keystroke: one character typed into a cell that has text.', server, [a])
  const b = capture(writer, (d) => text(d, 'matrix/client.actors').delete(2, 5))
  add('delete_in_cell', 'A deletion in a cell: no structs, a delete set only.', server, [b])
  const c = capture(writer, (d) => text(d, 'matrix/client.actors').format(0, 4, { bold: true }))
  add('format_in_cell', 'Bold on four characters: two format items around them.', server, [c])
  const e = capture(writer, (d) => text(d, 'matrix/client.actors').insertEmbed(1, { image: 'kuva.png' }))
  add('embed_in_cell', 'An embed in a cell (content ref 5).', server, [e])
  const f = capture(writer, (d) => text(d, 'matrix/client.actors').insert(0, 'Näkökulma ✓ 😀 '))
  add('non_ascii_in_cell', 'Text whose length counts UTF-16 code units, one astral character.', server, [f])
}

// ------------------------------------------------------------------ components and ideas

{
  const server = seeded()
  const writer = replica(server, BIG_CLIENT_31)
  const added = capture(writer, (d) => components(d).set('c0ffee0000000001', component('Yöpartio', 1)))
  add('add_component', 'A component added as a map with its order and two texts.', server, [added])
  const title = capture(writer, (d) => text(d, 'model/components/c0ffee0000000001/title').insert(3, '-'))
  add('edit_component_title', "A character typed into a component's title.", server, [title])
  const order = capture(writer, (d) => components(d).get('c0ffee0000000001').set('order', 0.5))
  add('overwrite_order', 'A map value overwritten: the new value has the old one as origin.', server, [order])
  const removed = capture(writer, (d) => components(d).delete('c0ffee0000000001'))
  add('remove_component', 'A component removed: the map entry and everything in it deleted.', server, [removed])
}

{
  const server = seeded()
  const writer = replica(server, BIG_CLIENT_53)
  const added = capture(writer, (d) => d.getMap('ideas').set('1dea000000000001', idea('Kotikäynti', 1)))
  add('add_idea', 'An idea (sticky note) added by client 2**53-1.', server, [added])
  const vote = capture(writer, (d) => d.getMap('ideas').get('1dea000000000001').get('votes').set('u1', 2))
  const unvote = capture(writer, (d) => d.getMap('ideas').get('1dea000000000001').get('votes').delete('u1'))
  add('vote_and_unvote', "A user's votes set, then taken back.", server, [vote, unvote])
  const values = capture(writer, (d) => {
    const item = d.getMap('ideas').get('1dea000000000001')
    item.set('meta', {
      nothing: null, int: -123456, small: 1.5, float: 0.1, big: 2n ** 60n, yes: true, no: false,
      name: 'Aino ✓', list: [1, [2, { deep: [] }], 'x'], bytes: new Uint8Array([1, 2, 3])
    })
    item.set('missing', undefined)
    item.set('image', new Uint8Array([137, 80, 78, 71]))
    item.set('attachment', new Y.Doc({ guid: 'liite-1' }))
    const prose = new Y.XmlFragment()
    item.set('prose', prose)
    const paragraph = new Y.XmlElement('p')
    paragraph.insert(0, [new Y.XmlText('Kappale')])
    prose.insert(0, [paragraph])
  })
  add('every_kind_of_content', 'Map values of every content kind: lib0 Any of every type, ' +
    'undefined, binary, a subdocument, an XML fragment with an element and its text.', server,
  [values], true)
  const hook = capture(writer, (d) => {
    const prose = new Y.XmlFragment()
    d.getMap('ideas').get('1dea000000000001').set('sketch', prose)
    prose.insert(0, [new Y.XmlHook('kuva')])
  })
  add('xml_hook', 'An XML hook (a named type), which yjs writes and pycrdt 0.14 cannot read.',
    server, [hook])
}

// ------------------------------------------------------------------------ several cells

{
  const server = seeded()
  const writer = replica(server, 1002)
  const both = capture(writer, (d) => {
    text(d, 'matrix/client.actors').insert(0, 'Asiakas')
    text(d, 'model/purpose').insert(0, 'Tarkoitus')
  })
  add('two_cells_in_one_transaction', 'One transaction that types into two cells.', server, [both])
}

// ------------------------------------------------------------------ step 2, many clients

{
  const server = seeded()
  const base = replica(server, 1003)
  Y.applyUpdate(server, capture(base, (d) => {
    text(d, 'path/needs').insert(0, 'Yöllä tarvitaan apua')
    components(d).set('c0ffee0000000002', component('Turvapuhelin', 1))
  }))
  const clients = [5, 300, 70000, BIG_CLIENT_31, 9000000, BIG_CLIENT_53 - 1, 42, 777, 123456789, 12]
  const replicas = clients.map((id) => replica(server, id))
  replicas.forEach((doc, i) => {
    const cell = `matrix/${SECTIONS.matrix[i * 2]}`
    text(doc, cell).insert(0, `Solu ${i}: `.repeat(i + 1))
    if (i % 3 === 0) text(doc, 'path/needs').insert(5, `[${i}]`)
    if (i === 4) text(doc, 'path/needs').delete(0, 3)
    if (i === 5) components(doc).get('c0ffee0000000002').set('order', 7)
    if (i === 6) doc.getMap('ideas').set(`1dea00000000000${i}`, idea(`Idea ${i}`, i))
  })
  // Offline peers meeting each other: everything ends up with the last one.
  for (let i = 1; i < replicas.length; i++) sync(replicas[i - 1], replicas[i])
  const last = replicas[replicas.length - 1]
  text(last, 'matrix/client.actors').insert(3, 'ääkköset')
  text(last, `matrix/${SECTIONS.matrix[2]}`).delete(0, 4)
  const step2 = Y.encodeStateAsUpdate(last, Y.encodeStateVector(server))
  add('step2_many_clients', "A client's sync step 2 after offline work with ten other clients: " +
    'structs of eleven clients, deletes of several.', server, [step2], true)
}

// ---------------------------------------------------------- concurrency and dependencies

{
  const server = seeded()
  const a = replica(server, 2001)
  Y.applyUpdate(server, capture(a, (d) => components(d).set('c0ffee0000000003', component('Poistuva', 1))))
  const b = replica(server, 2002)
  Y.applyUpdate(server, capture(a, (d) => text(d, 'model/components/c0ffee0000000003/title').insert(0, 'ab')))
  sync(server, b)
  const late = capture(b, (d) => text(d, 'model/components/c0ffee0000000003/title').insert(2, 'c'))
  Y.applyUpdate(server, capture(a, (d) => components(d).delete('c0ffee0000000003')))
  add('edit_of_removed_component', 'A character typed into a component that another client ' +
    'removed meanwhile (its texts are garbage collected in the base): nothing changes.', server,
  [late], true)
}

{
  const server = seeded()
  const a = replica(server, 2003)
  Y.applyUpdate(server, capture(a, (d) => text(d, 'evaluation/results').insert(0, 'tulokset')))
  const b = replica(server, 2004)
  const first = capture(a, (d) => text(d, 'evaluation/results').delete(0, 2))
  const again = capture(b, (d) => text(d, 'evaluation/results').delete(0, 1))
  const partly = capture(b, (d) => text(d, 'evaluation/results').delete(0, 2))
  add('concurrent_deletes', 'Two clients delete the same characters: a delete of what is ' +
    'already deleted changes nothing, one that overlaps changes only the rest.', server,
  [first, again, partly])
}

{
  const server = seeded()
  const a = replica(server, 2005)
  const one = capture(a, (d) => text(d, 'model/core_idea').insert(0, 'ydin'))
  const two = capture(a, (d) => text(d, 'model/conditions').insert(0, 'ehdot'))
  const three = capture(a, (d) => text(d, 'model/core_idea').insert(4, 'ajatus'))
  add('missing_dependency', 'Updates arriving out of order: the second and third wait for the ' +
    'first (yjs keeps them pending), which then brings all three in.', server, [two, three, one])
}

// ------------------------------------------------------------------------------- output

/** @param {any} value */
const sortKeys = (value) => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]))
  }
  return value
}

const output = {
  description: 'Yjs v1 updates made by the real yjs on a workshop-shaped document, what yjs ' +
    'decodes from each, and the field paths each changed. Regenerate with ' +
    '`node tests/js/make_update_vectors.mjs > tests/unit/vectors/yjs_updates.json`.',
  generator: {
    script: 'tests/js/make_update_vectors.mjs',
    versions: { lib0: versionOf('lib0'), yjs: versionOf('yjs') }
  },
  roots: ROOTS,
  vectors
}

process.stdout.write(JSON.stringify(sortKeys(output), null, 2) + '\n')
for (const doc of docs) doc.destroy()
