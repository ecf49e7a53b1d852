// The Yjs side of the load generator (tests/bench/loadgen.mjs): the y-protocols sync messages
// over a raw `ws` socket, a peer that answers the server's sync, a typist whose every update is
// valid on its own, a timed fresh sync, and the small helpers the modes share.

import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { performance } from 'node:perf_hooks'

export const MESSAGE_SYNC = 0
export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2
export const EMPTY_STATE_VECTOR = new Uint8Array([0])
export const EMPTY_UPDATE = new Uint8Array([0, 0])
// What each update inserts: small, like a burst of typing...
export const INSERT = 'abcd'
// ...at most this many characters away from the end of the previous insert.
export const CURSOR_JUMP = 8

export const now = () => performance.now()

/** @param {number} subtype @param {Uint8Array} payload */
export const syncMessage = (subtype, payload) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  encoding.writeVarUint(encoder, subtype)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/**
 * The (client, clock) of the first struct of a v1 update: all a receiver needs to know which
 * send it is. Updates here carry one insert each, so the first struct is the whole update.
 * @param {Uint8Array} update
 * @returns {{client: number, clock: number} | null} null for an update without structs
 */
export const updateId = (update) => {
  const decoder = decoding.createDecoder(update)
  if (decoding.readVarUint(decoder) === 0) return null
  decoding.readVarUint(decoder) // number of structs in the first group
  const client = decoding.readVarUint(decoder)
  const clock = decoding.readVarUint(decoder)
  return { client, clock }
}

/** @param {number[]} values */
export const summarize = (values) => {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null }
  const sorted = Float64Array.from(values).sort()
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
  let sum = 0
  for (const v of sorted) sum += v
  const round = (v) => Math.round(v * 1000) / 1000
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(sum / sorted.length)
  }
}

/** Run `fn` over `items` with at most `limit` in flight; `fn` handles its own errors. */
export const runPool = async (items, limit, fn) => {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** Counts failures by message, so 10,000 identical errors make one line. */
export class FailureLog {
  constructor () { this.counts = new Map() }
  add (message) { this.counts.set(message, (this.counts.get(message) ?? 0) + 1) }
  get total () { let n = 0; for (const c of this.counts.values()) n += c; return n }
  toJSON () { return [...this.counts].map(([message, count]) => ({ message, count })) }
}

/**
 * One protocol client: handshake like y-websocket (send step 1, answer the server's step 1 with
 * step 2, synced on the server's step 2), then hands every received update to `onUpdate`.
 */
export class Peer {
  /**
   * @param {string} url
   * @param {{doc?: Y.Doc | null, onUpdate?: ((update: Uint8Array, at: number) => void) | null,
   *          onStep2?: ((update: Uint8Array) => void) | null}} options
   */
  constructor (url, { doc = null, onUpdate = null, onStep2 = null } = {}) {
    this.url = url
    this.doc = doc
    this.onUpdate = onUpdate
    this.onStep2 = onStep2
    this.ws = null
    this.startedAt = 0
    this.openedAt = 0
    this.step2At = 0
    this.synced = false
    this.closed = false
    this.closedAfterSync = false
    this._syncWaiter = null
  }

  /** Open the socket and resolve once the server's sync step 2 has arrived. */
  connect (timeoutMs) {
    return new Promise((resolve, reject) => {
      this.startedAt = now()
      const ws = new WebSocket(this.url, { perMessageDeflate: false })
      this.ws = ws
      let settled = false
      const timer = setTimeout(() => {
        fail(new Error(`no sync step 2 within ${timeoutMs} ms`))
        ws.terminate()
      }, timeoutMs)
      const fail = (error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(error)
      }
      this._syncWaiter = () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve()
      }
      ws.on('open', () => {
        this.openedAt = now()
        ws.send(syncMessage(SYNC_STEP1, this.doc ? Y.encodeStateVector(this.doc) : EMPTY_STATE_VECTOR))
      })
      ws.on('message', (data, isBinary) => { if (isBinary) this._receive(data) })
      ws.on('error', (error) => fail(new Error(error.code ?? error.message)))
      ws.on('close', (code) => {
        this.closed = true
        this.closedAfterSync = this.synced
        fail(new Error(`closed with ${code} before sync step 2`))
      })
    })
  }

  /** @param {Uint8Array} data */
  _receive (data) {
    const at = now()
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return // awareness: not measured
    const subtype = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (subtype === SYNC_UPDATE) {
      if (this.onUpdate !== null) this.onUpdate(payload, at)
    } else if (subtype === SYNC_STEP1) {
      this.ws.send(syncMessage(SYNC_STEP2, this.doc ? Y.encodeStateAsUpdate(this.doc, payload) : EMPTY_UPDATE))
    } else if (subtype === SYNC_STEP2 && !this.synced) {
      this.step2At = at
      this.synced = true
      if (this.onStep2 !== null) this.onStep2(payload)
      this._syncWaiter()
    }
  }

  /** Close cleanly; a peer that does not finish the close handshake in time is cut. */
  close (timeoutMs) {
    const ws = this.ws
    if (ws === null || this.closed || ws.readyState === WebSocket.CLOSED) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => { ws.terminate(); resolve(false) }, timeoutMs)
      ws.once('close', () => { clearTimeout(timer); resolve(true) })
      ws.close(1000)
    })
  }
}

/** Random client ids far apart from Yjs' own, unique within this run. */
export const clientIdBase = () => 1 + Math.floor(Math.random() * 2 ** 30)

/** A Y.Doc whose inserts into Y.Text "t" come out as update messages, each timed. */
export class Writer {
  constructor (clientID) {
    this.doc = new Y.Doc()
    this.doc.clientID = clientID
    this.text = this.doc.getText('t')
    this.lastUpdate = null
    this.cursor = 0
    this.sendTimes = new Map()
    this.sent = 0
    this.doc.on('update', (update) => { this.lastUpdate = update })
  }

  /** The clock the next insert will get, i.e. how much this writer has produced. */
  get clock () { return Y.getState(this.doc.store, this.doc.clientID) }

  /**
   * Insert near the previous insert, like someone typing who moves the cursor now and then, and
   * return the update. Items rarely merge, so the document keeps about one item per update,
   * and finding the position stays cheap (a random position in a 100k-item text costs the
   * generator ~9x more, enough to make it the bottleneck of the cold-load population).
   */
  type () {
    const offset = Math.floor(Math.random() * (2 * CURSOR_JUMP + 1)) - CURSOR_JUMP
    const position = Math.max(0, Math.min(this.text.length, this.cursor + offset))
    this.text.insert(position, INSERT)
    this.cursor = position + INSERT.length
    return this.lastUpdate
  }

  /** Type one insert and send it, timed. */
  send (ws) {
    const clock = this.clock
    const update = this.type()
    this.sendTimes.set(clock, now())
    ws.send(syncMessage(SYNC_UPDATE, update))
    this.sent++
  }
}

/**
 * Time a fresh client from socket creation to sync step 2 and check that it then holds
 * everything: what came before the step 2 (Verstas sends the log tail a crash left ahead of
 * the checkpoint) counts, as it does in y-websocket.
 */
export const timedSync = async (url, expected, timeoutMs) => {
  const doc = new Y.Doc()
  let bytes = 0
  const apply = (update) => { bytes += update.length; Y.applyUpdate(doc, update) }
  const peer = new Peer(url, {
    doc,
    onUpdate: (update) => { if (!peer.synced) apply(update) },
    onStep2: apply
  })
  try {
    await peer.connect(timeoutMs)
  } catch (error) {
    await peer.close(1000)
    return { ok: false, error: error.message }
  }
  const stateVector = Y.decodeStateVector(Y.encodeStateVector(doc))
  const missing = [...expected].filter(([client, clock]) => (stateVector.get(client) ?? 0) < clock)
  await peer.close(5000)
  return {
    ok: true,
    sync_ms: peer.step2At - peer.startedAt,
    open_ms: peer.openedAt - peer.startedAt,
    step2_bytes: bytes,
    complete: missing.length === 0,
    clients_incomplete: missing.length
  }
}

export const roomUrl = (base, room) => `${base}/${room}`
