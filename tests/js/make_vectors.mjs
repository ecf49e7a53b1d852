#!/usr/bin/env node
// Golden y-websocket protocol vectors, produced by the REAL yjs + y-protocols + lib0 encoders.
//
//   node tests/js/make_vectors.mjs > tests/unit/vectors/yjs_protocol.json
//
// Why: the Python codec (collab/protocol.py) must agree byte for byte with what browsers send
// and accept. Hand-written expectations would only prove the codec agrees with its author.
// tests/integration/test_golden_vectors_fresh.py re-runs this script and compares, so the
// committed file cannot drift from what the pinned libraries produce.
//
// Output is deterministic: fixed clientIDs, no timestamps, keys sorted, bytes as lowercase hex.
// Message envelope (y-websocket): varUint type (0 sync, 1 awareness, 2 auth, 3 query-awareness);
// sync: varUint subtype (0 step1, 1 step2, 2 update) + varUint8Array payload;
// awareness: varUint8Array(update), update = varUint count, then per entry
// varUint clientID, varUint clock, varString JSON (length in UTF-8 bytes);
// auth: varUint subtype (0 permission denied) + varString reason.

import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as authProtocol from 'y-protocols/auth'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const MESSAGE_TYPE_NAMES = { 0: 'sync', 1: 'awareness', 2: 'auth', 3: 'query_awareness' }
const SYNC_TYPE_NAMES = { 0: 'step1', 1: 'step2', 2: 'update' }

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const MESSAGE_AUTH = 2
const MESSAGE_QUERY_AWARENESS = 3
const TEXT_KEY = 't'
const BIG_CLIENT_31 = 2 ** 31 + 7 // above int32: breaks code that uses signed 32-bit ints
const BIG_CLIENT_53 = Number.MAX_SAFE_INTEGER // 2**53 - 1: the largest id lib0 can encode

const require = createRequire(import.meta.url)
/** @param {string} name */
const versionOf = (name) =>
  JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version

/** @param {Uint8Array} bytes */
const hex = (bytes) => Buffer.from(bytes).toString('hex')

/** @param {number} clientID */
const newDoc = (clientID) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  return doc
}

/** @type {Array<Y.Doc>} */
const docsToDestroy = []
/** @param {number} clientID */
const trackedDoc = (clientID) => {
  const doc = newDoc(clientID)
  docsToDestroy.push(doc)
  return doc
}

/** Text content after applying `update` to a fresh document (proves the update is complete). */
const textAfterApplyingToEmpty = (/** @type {Uint8Array} */ update) => {
  const doc = newDoc(999)
  Y.applyUpdate(doc, update)
  const text = doc.getText(TEXT_KEY).toString()
  doc.destroy()
  return text
}

/** Bytes of the varUint that prefixes a payload of `length` bytes. */
const lengthPrefixHex = (/** @type {number} */ length) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, length)
  return hex(encoding.toUint8Array(encoder))
}

/** The entries of an encoded state vector, as lib0 reads them (in encoded order). */
const decodeStateVector = (/** @type {Uint8Array} */ sv) => {
  const decoder = decoding.createDecoder(sv)
  const count = decoding.readVarUint(decoder)
  const entries = []
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    entries.push({ client_id: client, clock })
  }
  return entries
}

/** The entries of an awareness update, as y-protocols' applyAwarenessUpdate reads them. */
const decodeAwarenessUpdate = (/** @type {Uint8Array} */ update) => {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const entries = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const stateJson = decoding.readVarString(decoder)
    entries.push({
      client_id: clientId,
      clock,
      state: JSON.parse(stateJson),
      state_json: stateJson,
      state_json_utf8_length: Buffer.byteLength(stateJson, 'utf8')
    })
  }
  return entries
}

/** @type {Array<object>} */
const vectors = []

/**
 * Record one message. `build` writes the message into an encoder exactly as y-websocket or the
 * y-protocols helpers do; `decoded` is what a decoder must produce from the bytes.
 */
const add = (name, description, build, decoded) => {
  const encoder = encoding.createEncoder()
  build(encoder)
  const message = encoding.toUint8Array(encoder)
  // Cross-check the envelope with lib0's own decoder, so the recorded fields cannot be a typo.
  const decoder = decoding.createDecoder(message)
  const type = decoding.readVarUint(decoder)
  if (type !== decoded.message_type) throw new Error(`${name}: type ${type} != ${decoded.message_type}`)
  vectors.push({
    name,
    description,
    hex: hex(message),
    length: message.length,
    decoded: { message_type_name: MESSAGE_TYPE_NAMES[type], ...decoded }
  })
}

/**
 * A sync message (type 0). `build` writes the sync body with the y-protocols helper the real
 * peers use; `payload` is the varUint8Array content it must carry (a state vector for step 1,
 * an update for step 2 and update), checked against the helper's bytes.
 */
const addSync = (name, description, syncType, payload, build, extra) => {
  const expected = encoding.createEncoder()
  encoding.writeVarUint(expected, MESSAGE_SYNC)
  encoding.writeVarUint(expected, syncType)
  encoding.writeVarUint8Array(expected, payload)
  add(name, description, (encoder) => {
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    build(encoder)
  }, {
    message_type: MESSAGE_SYNC,
    sync_type: syncType,
    sync_type_name: SYNC_TYPE_NAMES[syncType],
    payload_hex: hex(payload),
    payload_length: payload.length,
    payload_length_prefix_hex: lengthPrefixHex(payload.length),
    ...extra
  })
  if (vectors.at(-1).hex !== hex(encoding.toUint8Array(expected))) {
    throw new Error(`${name}: helper output differs from the documented envelope`)
  }
}

/** An awareness message (type 1) carrying `update`, as y-websocket frames it. */
const addAwareness = (name, description, update) => {
  add(name, description, (encoder) => {
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(encoder, update)
  }, {
    message_type: MESSAGE_AWARENESS,
    awareness_update_hex: hex(update),
    awareness_update_length: update.length,
    entries: decodeAwarenessUpdate(update)
  })
}

// ---------------------------------------------------------------------------- sync step 1

{
  const empty = trackedDoc(1)
  const sv = Y.encodeStateVector(empty)
  addSync(
    'sync_step1_empty_doc',
    'What a fresh y-websocket client sends first on open: sync step 1 with the empty state vector.',
    syncProtocol.messageYjsSyncStep1, sv,
    (encoder) => syncProtocol.writeSyncStep1(encoder, empty),
    { state_vector: decodeStateVector(sv) }
  )
}

// Two independent editors, merged: client 1 and client 300 (a 2-byte varUint id).
const docA = trackedDoc(1)
docA.getText(TEXT_KEY).insert(0, 'Näkökulma ✓ ')
const docB = trackedDoc(300)
docB.getText(TEXT_KEY).insert(0, 'Palvelu')
const onlyA = Y.encodeStateAsUpdate(docA)
const onlyB = Y.encodeStateAsUpdate(docB)
Y.applyUpdate(docA, onlyB)
Y.applyUpdate(docB, onlyA)
if (docA.getText(TEXT_KEY).toString() !== docB.getText(TEXT_KEY).toString()) throw new Error('no convergence')
const mergedText = docA.getText(TEXT_KEY).toString()

{
  const sv = Y.encodeStateVector(docA)
  addSync(
    'sync_step1_with_content',
    'Sync step 1 of a document edited by clients 1 and 300. State vector entries are written ' +
      'in descending clientID order; clocks count UTF-16 code units of inserted text.',
    syncProtocol.messageYjsSyncStep1, sv,
    (encoder) => syncProtocol.writeSyncStep1(encoder, docA),
    { state_vector: decodeStateVector(sv) }
  )
}

{
  const big = trackedDoc(BIG_CLIENT_53)
  big.getText(TEXT_KEY).insert(0, 'iso')
  const sv = Y.encodeStateVector(big)
  addSync(
    'sync_step1_client_id_2pow53_minus_1',
    'Sync step 1 whose state vector names clientID 2**53-1 (an 8-byte varUint): a decoder ' +
      'that caps varUints at 32 bits or goes through a float gets it wrong.',
    syncProtocol.messageYjsSyncStep1, sv,
    (encoder) => syncProtocol.writeSyncStep1(encoder, big),
    { state_vector: decodeStateVector(sv) }
  )
}

// ---------------------------------------------------------------------------- sync step 2

/** What `readSyncStep1` (the peer's answer to step 1) writes after the message type. */
const answerStep1 = (/** @type {Y.Doc} */ doc, /** @type {Uint8Array} */ sv) =>
  (/** @type {encoding.Encoder} */ encoder) =>
    syncProtocol.readSyncStep1(decoding.createDecoder(lengthPrefixed(sv)), encoder, doc)

/** @param {Uint8Array} bytes */
const lengthPrefixed = (bytes) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint8Array(encoder, bytes)
  return encoding.toUint8Array(encoder)
}

{
  const empty = trackedDoc(2)
  const emptySv = Y.encodeStateVector(trackedDoc(3))
  const update = Y.encodeStateAsUpdate(empty, emptySv)
  addSync(
    'sync_step2_empty_doc',
    'Sync step 2 for an empty document (the answer a new room gives): the update is 0x00 0x00 ' +
      '(no structs, empty delete set). The client reports synced on receiving it.',
    syncProtocol.messageYjsSyncStep2, update, answerStep1(empty, emptySv),
    { text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) } }
  )
}

{
  const emptySv = Y.encodeStateVector(trackedDoc(4))
  const update = Y.encodeStateAsUpdate(docA, emptySv)
  if (textAfterApplyingToEmpty(update) !== mergedText) throw new Error('step2 incomplete')
  addSync(
    'sync_step2_full_state',
    'Sync step 2 answering an empty state vector: the whole two-client document.',
    syncProtocol.messageYjsSyncStep2, update, answerStep1(docA, emptySv),
    { text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) } }
  )
}

{
  const knowsOnlyA = trackedDoc(6)
  Y.applyUpdate(knowsOnlyA, onlyA)
  const sv = Y.encodeStateVector(knowsOnlyA)
  const update = Y.encodeStateAsUpdate(docA, sv)
  Y.applyUpdate(knowsOnlyA, update)
  if (knowsOnlyA.getText(TEXT_KEY).toString() !== mergedText) throw new Error('diff incomplete')
  addSync(
    'sync_step2_diff',
    "Sync step 2 answering a state vector that already has client 1's edits: only client " +
      "300's structs. Client 300's edit did not depend on client 1's, so it applies alone too.",
    syncProtocol.messageYjsSyncStep2, update, answerStep1(docA, sv),
    {
      state_vector_answered: decodeStateVector(sv),
      text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) }
    }
  )
}

// --------------------------------------------------------------------------- sync update

/**
 * The update a local edit emits (the doc's 'update' event, which y-websocket's
 * `_updateHandler` frames with `syncProtocol.writeUpdate`).
 * @param {Y.Doc} doc
 * @param {(doc: Y.Doc) => void} edit
 */
const capturedUpdate = (doc, edit) => {
  /** @type {Array<Uint8Array>} */
  const updates = []
  const handler = (/** @type {Uint8Array} */ update) => updates.push(update)
  doc.on('update', handler)
  doc.transact(() => edit(doc))
  doc.off('update', handler)
  if (updates.length !== 1) throw new Error(`expected one update, got ${updates.length}`)
  return updates[0]
}

/** @param {Uint8Array} update */
const writeUpdate = (update) => (/** @type {encoding.Encoder} */ encoder) =>
  syncProtocol.writeUpdate(encoder, update)

{
  const doc = trackedDoc(7)
  const update = capturedUpdate(doc, (d) => d.getText(TEXT_KEY).insert(0, 'hei'))
  addSync(
    'sync_update_local_insert',
    'The message y-websocket sends after a local edit (insert "hei" by client 7 into an empty ' +
      'Y.Text): type 0, subtype 2, the doc "update" event payload.',
    syncProtocol.messageYjsUpdate, update, writeUpdate(update),
    { text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) } }
  )
}

{
  const doc = trackedDoc(8)
  const base = capturedUpdate(doc, (d) => d.getText(TEXT_KEY).insert(0, 'poistettava'))
  const update = capturedUpdate(doc, (d) => d.getText(TEXT_KEY).delete(0, 6))
  const check = newDoc(998)
  Y.applyUpdate(check, base)
  Y.applyUpdate(check, update)
  addSync(
    'sync_update_local_delete',
    'A deletion update: zero structs, only a delete set (client 8, clock 0, length 6). ' +
      'Applied after base_update_hex (the insert "poistettava") it leaves "ttava".',
    syncProtocol.messageYjsUpdate, update, writeUpdate(update),
    {
      base_update_hex: hex(base),
      text_after_applying_to_base: { [TEXT_KEY]: check.getText(TEXT_KEY).toString() }
    }
  )
  check.destroy()
}

{
  const doc = trackedDoc(9)
  const update = capturedUpdate(doc, (d) => d.getText(TEXT_KEY).insert(0, 'abcdefghij'.repeat(15)))
  if (!(update.length > 127 && update.length <= 16383)) throw new Error(`2-byte length ${update.length}`)
  addSync(
    'sync_update_length_2_byte_varuint',
    'An update of more than 127 bytes: its varUint8Array length prefix takes two bytes.',
    syncProtocol.messageYjsUpdate, update, writeUpdate(update),
    { text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) } }
  )
}

{
  const doc = trackedDoc(10)
  const update = capturedUpdate(doc, (d) => d.getText(TEXT_KEY).insert(0, 'Näkökulma ✓ '.repeat(1500)))
  if (!(update.length > 16383 && update.length <= 2097151)) throw new Error(`3-byte length ${update.length}`)
  addSync(
    'sync_update_length_3_byte_varuint',
    'An update of more than 16383 bytes (non-ASCII text): its length prefix takes three bytes.',
    syncProtocol.messageYjsUpdate, update, writeUpdate(update),
    { text_after_applying_to_empty_doc: { [TEXT_KEY]: textAfterApplyingToEmpty(update) } }
  )
}

// ------------------------------------------------------------------------------ awareness

const userState = { user: { color: '#30bced', name: 'Näkökulma ✓' } }

{
  const doc = trackedDoc(11)
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState(userState)
  addAwareness(
    'awareness_one_client',
    'What y-websocket sends on open when the local state is set: one entry (client 11, clock 1 ' +
      'after one setLocalState beyond the initial {}). The JSON has non-ASCII text, so its ' +
      'varString length (UTF-8 bytes) differs from its character count.',
    awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])
  )
}

{
  const doc1 = trackedDoc(12)
  const aw1 = new awarenessProtocol.Awareness(doc1)
  aw1.setLocalState(userState)
  const doc2 = trackedDoc(13)
  const aw2 = new awarenessProtocol.Awareness(doc2)
  aw2.setLocalState({ user: { name: 'Toinen' } })
  awarenessProtocol.applyAwarenessUpdate(aw1, awarenessProtocol.encodeAwarenessUpdate(aw2, [13]), 'test')
  aw2.setLocalState(null) // client 13 leaves: clock 2, state null
  awarenessProtocol.applyAwarenessUpdate(aw1, awarenessProtocol.encodeAwarenessUpdate(aw2, [13]), 'test')
  addAwareness(
    'awareness_two_clients_with_removal',
    'Two entries: client 12 with a state, then client 13 that left (setLocalState(null)), ' +
      'whose entry is the JSON text "null" with its clock bumped. A removal is not a missing entry.',
    awarenessProtocol.encodeAwarenessUpdate(aw1, [12, 13])
  )
}

{
  const doc = trackedDoc(14)
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState(userState)
  addAwareness(
    'awareness_disconnect_removal',
    "What y-websocket's provider.disconnect() broadcasts: its own entry with state null and " +
      'the clock NOT bumped (encodeAwarenessUpdate with an empty states map).',
    awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID], new Map())
  )
}

{
  const doc1 = trackedDoc(BIG_CLIENT_31)
  const aw1 = new awarenessProtocol.Awareness(doc1)
  aw1.setLocalState({ n: 1 })
  const doc2 = trackedDoc(BIG_CLIENT_53)
  const aw2 = new awarenessProtocol.Awareness(doc2)
  aw2.setLocalState({ n: 2 })
  awarenessProtocol.applyAwarenessUpdate(aw1, awarenessProtocol.encodeAwarenessUpdate(aw2, [BIG_CLIENT_53]), 'test')
  addAwareness(
    'awareness_large_client_ids',
    'Client ids 2**31+7 (5-byte varUint, above int32) and 2**53-1 (8-byte varUint, the largest ' +
      'lib0 encodes) in one awareness update.',
    awarenessProtocol.encodeAwarenessUpdate(aw1, [BIG_CLIENT_31, BIG_CLIENT_53])
  )
}

// ----------------------------------------------------------------- query awareness, auth

add(
  'query_awareness',
  'Query awareness (type 3, no payload): the receiver answers with all awareness states it knows.',
  (encoder) => encoding.writeVarUint(encoder, MESSAGE_QUERY_AWARENESS),
  { message_type: MESSAGE_QUERY_AWARENESS }
)

{
  const reason = 'Ei kirjoitusoikeutta: vain luku ✗'
  add(
    'auth_permission_denied',
    'Auth (type 2), subtype 0 permission denied, varString reason (UTF-8 byte length prefix). ' +
      'y-websocket only logs it with console.warn; it does not close the socket.',
    (encoder) => {
      encoding.writeVarUint(encoder, MESSAGE_AUTH)
      authProtocol.writePermissionDenied(encoder, reason)
    },
    {
      message_type: MESSAGE_AUTH,
      auth_type: authProtocol.messagePermissionDenied,
      auth_type_name: 'permission_denied',
      reason,
      reason_utf8_length: Buffer.byteLength(reason, 'utf8')
    }
  )
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
  description: 'y-websocket wire messages produced by the real JS libraries. Each vector: the ' +
    'whole message as lowercase hex (one websocket binary frame) and the fields a decoder must ' +
    'produce. Regenerate with `node tests/js/make_vectors.mjs > tests/unit/vectors/yjs_protocol.json`.',
  generator: {
    script: 'tests/js/make_vectors.mjs',
    versions: {
      lib0: versionOf('lib0'),
      'y-protocols': versionOf('y-protocols'),
      yjs: versionOf('yjs')
    }
  },
  text_key: TEXT_KEY,
  vectors
}

process.stdout.write(JSON.stringify(sortKeys(output), null, 2) + '\n')
for (const doc of docsToDestroy) doc.destroy()
