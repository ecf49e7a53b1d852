#!/usr/bin/env node
// A long-running driver for real, unmodified y-websocket `WebsocketProvider`s, controlled by the
// Python test suite (tests/support/jsclient.py) with JSON lines.
//
// Why a driver and not a pure-Python client: the promise is that *unmodified Yjs clients* work,
// so the tests must speak through the very code browsers run (yjs + y-websocket + y-protocols).
//
// Protocol (one JSON object per line):
//   stdin:  {"seq": N, "cmd": "<name>", ...fields}
//   stdout: {"seq": N, "ok": true, "result": ...} | {"seq": N, "ok": false, "error": "..."}
//           {"event": "<name>", "id": "<provider id>", "t": <ms since driver start>, ...}
// stdout carries nothing else: every log line goes to stderr. Commands run concurrently (a
// `wait_*` does not block the others); replies may therefore come out of order, matched by seq.
// A failing command never takes the process down: it becomes an error reply.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { equalityDeep } from 'lib0/function'
import { performance } from 'node:perf_hooks'
import readline from 'node:readline'
// The page's own ordering of reorderable lists, so that moves made here are the browser's.
import { moveBy, ordered } from '../../web/client/order.js'

// Libraries may console.log; stdout belongs to the JSON protocol, so send all of it to stderr.
console.log = (...args) => console.error(...args)
console.info = (...args) => console.error(...args)
console.debug = (...args) => console.error(...args)

/** @typedef {{id: string, doc: Y.Doc, provider: WebsocketProvider, waiters: Set<() => void>}} Entry */

/** @type {Map<string, Entry>} */
const entries = new Map()

const startedAt = performance.now()

/** @param {object} obj */
const emitLine = (obj) => {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

/**
 * @param {string} name
 * @param {string | null} id
 * @param {object} fields
 */
const emitEvent = (name, id, fields = {}) => {
  emitLine({ event: name, id, t: Math.round((performance.now() - startedAt) * 1000) / 1000, ...fields })
}

// y-websocket's only reaction to an auth (permission denied) message is a console.warn that
// names the provider's url. Surface it as an event so that tests can assert on it.
const originalWarn = console.warn
console.warn = (...args) => {
  originalWarn(...args)
  const text = typeof args[0] === 'string' ? args[0] : ''
  const prefix = 'Permission denied to access '
  if (text.startsWith(prefix)) {
    const rest = text.slice(prefix.length)
    const newline = rest.indexOf('.\n')
    const url = newline >= 0 ? rest.slice(0, newline) : rest
    const reason = newline >= 0 ? rest.slice(newline + 2) : ''
    const ids = [...entries.values()].filter((e) => e.provider.url === url).map((e) => e.id)
    emitEvent('permission-denied', ids.length === 1 ? ids[0] : null, { ids, url, reason })
  }
}

class CommandError extends Error {}

/**
 * @param {any} msg
 * @param {string} field
 * @param {string} type
 */
const need = (msg, field, type) => {
  const value = msg[field]
  if (typeof value !== type) {
    throw new CommandError(`field '${field}' must be a ${type}, got ${JSON.stringify(value)}`)
  }
  return value
}

/** @param {any} msg */
const entryOf = (msg) => {
  const id = need(msg, 'id', 'string')
  const entry = entries.get(id)
  if (entry === undefined) {
    throw new CommandError(`no provider with id '${id}' (open it first)`)
  }
  return entry
}

/** @param {Entry} entry */
const notify = (entry) => {
  for (const waiter of [...entry.waiters]) waiter()
}

/**
 * Resolve once `check()` returns `{done: true, value}`, re-checking whenever the document, the
 * awareness or the connection of `entry` changes; reject with `describe()` after `timeoutMs`.
 *
 * @template T
 * @param {Entry} entry
 * @param {number} timeoutMs
 * @param {() => ({done: true, value: T} | {done: false})} check
 * @param {() => string} describe
 * @return {Promise<T>}
 */
const waitFor = (entry, timeoutMs, check, describe) => new Promise((resolve, reject) => {
  let settled = false
  const finish = () => {
    settled = true
    clearTimeout(timer)
    entry.waiters.delete(waiter)
  }
  const waiter = () => {
    if (settled) return
    let outcome
    try {
      outcome = check()
    } catch (err) {
      finish()
      reject(err)
      return
    }
    if (outcome.done) {
      finish()
      resolve(outcome.value)
    }
  }
  const timer = setTimeout(() => {
    if (settled) return
    finish()
    reject(new CommandError(`timed out after ${timeoutMs} ms: ${describe()}`))
  }, timeoutMs)
  entry.waiters.add(waiter)
  waiter()
})

/** @param {any} msg */
const timeoutOf = (msg) => {
  const value = msg.timeout_ms === undefined ? 5000 : msg.timeout_ms
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new CommandError(`field 'timeout_ms' must be a non-negative number, got ${JSON.stringify(value)}`)
  }
  return value
}

/** @param {Entry} entry */
const awarenessStates = (entry) => {
  /** @type {Record<string, any>} */
  const out = {}
  for (const [clientId, state] of entry.provider.awareness.getStates()) {
    out[String(clientId)] = state
  }
  return out
}

/**
 * A reorderable list of the document: `model/components` is the map `components` in the root
 * map `model`.
 * @param {Y.Doc} doc
 * @param {string} path
 * @return {Y.Map<any>}
 */
const listAt = (doc, path) => {
  const [name, ...keys] = path.split('/')
  let list = doc.getMap(name)
  for (const key of keys) {
    const inner = list.get(key)
    if (!(inner instanceof Y.Map)) throw new CommandError(`no list at '${path}'`)
    list = inner
  }
  return list
}

/** @param {Uint8Array} bytes */
const base64 = (bytes) => Buffer.from(bytes).toString('base64')

/**
 * One edit of a shared type, positions given as a fraction (0..1) of its current length so
 * that the caller need not know what remote updates did meanwhile:
 * {op: 'insert', key, at, text} | {op: 'delete', key, at, length} |
 * {op: 'format', key, at, length, attrs} | {op: 'map_set', key, field, value} |
 * {op: 'map_delete', key, field} | {op: 'array_insert', key, at, values} |
 * {op: 'array_delete', key, at, length}
 *
 * @param {Y.Doc} doc
 * @param {any} edit
 */
const applyEdit = (doc, edit) => {
  if (edit === null || typeof edit !== 'object') throw new CommandError('an edit must be an object')
  const op = need(edit, 'op', 'string')
  const key = need(edit, 'key', 'string')
  /** @param {number} length */
  const position = (length) => Math.min(length, Math.floor(need(edit, 'at', 'number') * (length + 1)))
  /** @param {number} start @param {number} length */
  const span = (start, length) => Math.min(need(edit, 'length', 'number'), length - start)
  if (op === 'insert') {
    const text = doc.getText(key)
    text.insert(position(text.length), need(edit, 'text', 'string'))
  } else if (op === 'delete' || op === 'format') {
    const text = doc.getText(key)
    if (text.length === 0) return
    const start = Math.min(position(text.length), text.length - 1)
    if (op === 'delete') text.delete(start, span(start, text.length))
    else text.format(start, span(start, text.length), need(edit, 'attrs', 'object'))
  } else if (op === 'map_set') {
    doc.getMap(key).set(need(edit, 'field', 'string'), edit.value === undefined ? null : edit.value)
  } else if (op === 'map_delete') {
    doc.getMap(key).delete(need(edit, 'field', 'string'))
  } else if (op === 'array_insert') {
    const array = doc.getArray(key)
    if (!Array.isArray(edit.values)) throw new CommandError("'values' must be a list")
    array.insert(position(array.length), edit.values)
  } else if (op === 'array_delete') {
    const array = doc.getArray(key)
    if (array.length === 0) return
    const start = Math.min(position(array.length), array.length - 1)
    array.delete(start, span(start, array.length))
  } else {
    throw new CommandError(`unknown edit op ${JSON.stringify(op)}`)
  }
}

/** @type {Record<string, (msg: any) => any>} */
const commands = {
  open (msg) {
    const id = need(msg, 'id', 'string')
    const url = need(msg, 'url', 'string')
    const room = need(msg, 'room', 'string')
    const params = msg.params === undefined ? {} : msg.params
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new CommandError("field 'params' must be an object of strings")
    }
    if (entries.has(id)) {
      throw new CommandError(`a provider with id '${id}' is already open`)
    }
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(url, room, doc, {
      WebSocketPolyfill: /** @type {any} */ (WebSocket),
      // Node has a global BroadcastChannel: without this, providers in this one process would
      // sync with each other directly and a broken server would look fine.
      disableBc: true,
      params,
      // connect only after our listeners are attached, so the first 'connecting' status is seen
      connect: false
    })
    /** @type {Entry} */
    const entry = { id, doc, provider, waiters: new Set() }
    entries.set(id, entry)
    provider.on('status', (/** @type {{status: string}} */ event) => {
      emitEvent('status', id, { status: event.status })
      notify(entry)
    })
    provider.on('synced', (/** @type {boolean} */ synced) => {
      emitEvent('synced', id, { synced })
      notify(entry)
    })
    provider.on('connection-close', (/** @type {any} */ event) => {
      // `event` is the socket's CloseEvent when the peer (or the network) closed the socket, and
      // null when y-websocket closed it itself: disconnect() or its 30 s silence watchdog.
      if (event == null) {
        emitEvent('connection-close', id, { code: null, reason: null, was_clean: null, local: true })
      } else {
        emitEvent('connection-close', id, {
          code: typeof event.code === 'number' ? event.code : null,
          reason: typeof event.reason === 'string' ? event.reason : String(event.reason ?? ''),
          was_clean: typeof event.wasClean === 'boolean' ? event.wasClean : null,
          local: false
        })
      }
      notify(entry)
    })
    provider.on('closed', (/** @type {{code: number, reason: string}} */ event) => {
      // y-websocket >= 3.1: the server's close code was in 4400-4499, so it stopped reconnecting.
      emitEvent('closed', id, { code: event.code, reason: event.reason })
      notify(entry)
    })
    provider.on('connection-error', (/** @type {any} */ event) => {
      const message = event && (event.message || (event.error && event.error.message))
      emitEvent('connection-error', id, { message: message ? String(message) : null })
      notify(entry)
    })
    doc.on('afterTransaction', () => notify(entry))
    provider.awareness.on('change', () => notify(entry))
    try {
      provider.connect() // throws at once on a malformed url (ws validates it synchronously)
    } catch (err) {
      closeEntry(entry)
      throw new CommandError(`cannot connect to ${JSON.stringify(provider.url)}: ${err.message}`)
    }
    return { client_id: doc.clientID, url: provider.url }
  },

  retarget (msg) {
    // What a load balancer does when a node dies: the provider's next reconnect goes to another
    // server. y-websocket derives its url from `serverUrl` on every connect.
    const entry = entryOf(msg)
    entry.provider.serverUrl = need(msg, 'url', 'string')
    return { url: entry.provider.url }
  },

  wait_synced (msg) {
    const entry = entryOf(msg)
    return waitFor(
      entry,
      timeoutOf(msg),
      () => entry.provider.synced ? { done: true, value: true } : { done: false },
      () => `provider '${entry.id}' not synced (wsconnected=${entry.provider.wsconnected}, url=${entry.provider.url})`
    )
  },

  insert (msg) {
    const entry = entryOf(msg)
    const key = need(msg, 'key', 'string')
    const index = need(msg, 'index', 'number')
    const text = need(msg, 'text', 'string')
    const ytext = entry.doc.getText(key)
    if (!Number.isInteger(index) || index < 0 || index > ytext.length) {
      throw new CommandError(`index ${index} out of range for text '${key}' of length ${ytext.length}`)
    }
    ytext.insert(index, text)
    return ytext.toString()
  },

  delete (msg) {
    const entry = entryOf(msg)
    const key = need(msg, 'key', 'string')
    const index = need(msg, 'index', 'number')
    const length = need(msg, 'length', 'number')
    const ytext = entry.doc.getText(key)
    if (!Number.isInteger(index) || !Number.isInteger(length) || index < 0 || length < 0 ||
        index + length > ytext.length) {
      throw new CommandError(`range [${index}, ${index}+${length}) out of range for text '${key}' of length ${ytext.length}`)
    }
    ytext.delete(index, length)
    return ytext.toString()
  },

  text (msg) {
    const entry = entryOf(msg)
    return entry.doc.getText(need(msg, 'key', 'string')).toString()
  },

  wait_text (msg) {
    const entry = entryOf(msg)
    const key = need(msg, 'key', 'string')
    const equals = msg.equals
    const contains = msg.contains
    if (equals === undefined && contains === undefined) {
      throw new CommandError("wait_text needs 'equals' or 'contains'")
    }
    if (equals !== undefined && typeof equals !== 'string') throw new CommandError("'equals' must be a string")
    if (contains !== undefined && typeof contains !== 'string') throw new CommandError("'contains' must be a string")
    const ytext = entry.doc.getText(key)
    return waitFor(
      entry,
      timeoutOf(msg),
      () => {
        const value = ytext.toString()
        const ok = (equals === undefined || value === equals) &&
          (contains === undefined || value.includes(contains))
        return ok ? { done: true, value } : { done: false }
      },
      () => `text '${key}' of '${entry.id}' is ${JSON.stringify(ytext.toString())}, wanted ` +
        (equals !== undefined ? `equals ${JSON.stringify(equals)}` : '') +
        (equals !== undefined && contains !== undefined ? ' and ' : '') +
        (contains !== undefined ? `contains ${JSON.stringify(contains)}` : '')
    )
  },

  map_set (msg) {
    const entry = entryOf(msg)
    const ymap = entry.doc.getMap(need(msg, 'key', 'string'))
    ymap.set(need(msg, 'field', 'string'), msg.value === undefined ? null : msg.value)
    return ymap.toJSON()
  },

  map_get (msg) {
    const entry = entryOf(msg)
    return entry.doc.getMap(need(msg, 'key', 'string')).toJSON()
  },

  move (msg) {
    const entry = entryOf(msg)
    const path = need(msg, 'path', 'string')
    const item = need(msg, 'item', 'string')
    const step = need(msg, 'step', 'number')
    const list = listAt(entry.doc, path)
    if (!moveBy(entry.doc, list, item, step)) {
      throw new CommandError(`'${item}' cannot move ${step} places in '${path}'`)
    }
    return ordered(list).map(([id]) => id)
  },

  order (msg) {
    return ordered(listAt(entryOf(msg).doc, need(msg, 'path', 'string'))).map(([id]) => id)
  },

  state (msg) {
    return base64(Y.encodeStateAsUpdate(entryOf(msg).doc))
  },

  state_vector (msg) {
    return base64(Y.encodeStateVector(entryOf(msg).doc))
  },

  set_awareness (msg) {
    const entry = entryOf(msg)
    if (!('state' in msg)) throw new CommandError("set_awareness needs 'state' (null to clear)")
    entry.provider.awareness.setLocalState(msg.state)
    return null
  },

  awareness (msg) {
    return awarenessStates(entryOf(msg))
  },

  client_id (msg) {
    return entryOf(msg).doc.clientID
  },

  wait_awareness (msg) {
    const entry = entryOf(msg)
    const { count, has_client: hasClient, lacks_client: lacksClient } = msg
    for (const [name, value] of [['count', count], ['has_client', hasClient], ['lacks_client', lacksClient]]) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))) {
        throw new CommandError(`'${name}' must be an integer, got ${JSON.stringify(value)}`)
      }
    }
    if (count === undefined && hasClient === undefined && lacksClient === undefined) {
      throw new CommandError("wait_awareness needs 'count', 'has_client' or 'lacks_client'")
    }
    // `state` (optional, with has_client): the client's state must also deep-equal it, because
    // a provider's first awareness ({}) arrives long before the state a test sets.
    const wantState = 'state' in msg
    if (wantState && hasClient === undefined) {
      throw new CommandError("wait_awareness: 'state' needs 'has_client'")
    }
    const states = entry.provider.awareness.getStates()
    return waitFor(
      entry,
      timeoutOf(msg),
      () => {
        const ok = (count === undefined || states.size === count) &&
          (hasClient === undefined || states.has(hasClient)) &&
          (lacksClient === undefined || !states.has(lacksClient)) &&
          (!wantState || equalityDeep(states.get(hasClient), msg.state))
        return ok ? { done: true, value: awarenessStates(entry) } : { done: false }
      },
      () => `awareness of '${entry.id}' is ${JSON.stringify(awarenessStates(entry))}, wanted` +
        (count !== undefined ? ` count=${count}` : '') +
        (hasClient !== undefined ? ` has_client=${hasClient}` : '') +
        (wantState ? ` with state ${JSON.stringify(msg.state)}` : '') +
        (lacksClient !== undefined ? ` lacks_client=${lacksClient}` : '')
    )
  },

  disconnect (msg) {
    entryOf(msg).provider.disconnect()
    return null
  },

  connect (msg) {
    const entry = entryOf(msg)
    // `edit_on_open`: make this edit (see `edit`) the moment the socket opens, in the
    // 'connected' status handler, before the server's sync step 1 can arrive (as an app that
    // edits on reconnect does): the client sends it as an update, then again in its step 2.
    const edit = msg.edit_on_open
    if (edit !== undefined) {
      const onStatus = (/** @type {{status: string}} */ event) => {
        if (event.status !== 'connected') return
        entry.provider.off('status', onStatus)
        applyEdit(entry.doc, edit)
      }
      entry.provider.on('status', onStatus)
    }
    entry.provider.connect()
    return null
  },

  edit (msg) {
    const entry = entryOf(msg)
    applyEdit(entry.doc, msg.edit)
    return null
  },

  snapshot (msg) {
    const { doc } = entryOf(msg)
    /** @param {string} field */
    const keys = (field) => {
      const value = msg[field] === undefined ? [] : msg[field]
      if (!Array.isArray(value)) throw new CommandError(`field '${field}' must be a list of names`)
      return value
    }
    return {
      texts: Object.fromEntries(keys('texts').map((k) => [k, doc.getText(k).toDelta()])),
      maps: Object.fromEntries(keys('maps').map((k) => [k, doc.getMap(k).toJSON()])),
      arrays: Object.fromEntries(keys('arrays').map((k) => [k, doc.getArray(k).toJSON()]))
    }
  },

  status (msg) {
    const { provider } = entryOf(msg)
    return {
      wsconnected: provider.wsconnected,
      wsconnecting: provider.wsconnecting,
      synced: provider.synced,
      // false after disconnect(), and after a 4400-4499 close (y-websocket gives up then)
      should_connect: provider.shouldConnect,
      // must stay false: BroadcastChannel would let providers in this process bypass the server
      bcconnected: provider.bcconnected
    }
  },

  close (msg) {
    const entry = entryOf(msg)
    closeEntry(entry)
    return null
  },

  ping () {
    return 'pong'
  }
}

/** @param {Entry} entry */
const closeEntry = (entry) => {
  entries.delete(entry.id)
  entry.provider.destroy()
  // The provider does not destroy the awareness it created, whose timer would keep us alive;
  // destroying the doc destroys its awareness too.
  entry.doc.destroy()
  notify(entry)
}

let exiting = false

/** @param {number} code */
const shutdown = async (code) => {
  if (exiting) return
  exiting = true
  /** @type {Array<Promise<void>>} */
  const closing = []
  for (const entry of [...entries.values()]) {
    const ws = /** @type {any} */ (entry.provider.ws)
    if (ws !== null && ws.readyState !== WebSocket.CLOSED) {
      closing.push(new Promise((resolve) => ws.once('close', () => resolve())))
    }
    try {
      closeEntry(entry)
    } catch (err) {
      console.error('error while closing', entry.id, err)
    }
  }
  // Give the close handshakes a moment so the server sees clean closes, but never hang on a
  // peer that does not answer.
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 1000))])
  process.stdout.write('', () => process.exit(code))
}

/** @param {string} line */
const handleLine = async (line) => {
  if (line.trim() === '') return
  let msg
  try {
    msg = JSON.parse(line)
  } catch (err) {
    emitLine({ seq: null, ok: false, error: `invalid JSON: ${err.message}` })
    return
  }
  const seq = msg !== null && typeof msg === 'object' && typeof msg.seq === 'number' ? msg.seq : null
  try {
    if (seq === null) throw new CommandError("every command needs a numeric 'seq'")
    if (msg.cmd === 'exit') {
      emitLine({ seq, ok: true, result: null })
      shutdown(0)
      return
    }
    const handler = Object.hasOwn(commands, msg.cmd) ? commands[msg.cmd] : undefined
    if (handler === undefined) throw new CommandError(`unknown command ${JSON.stringify(msg.cmd)}`)
    const result = await handler(msg)
    emitLine({ seq, ok: true, result: result === undefined ? null : result })
  } catch (err) {
    const text = err instanceof CommandError ? err.message : (err && err.stack) || String(err)
    emitLine({ seq, ok: false, error: text })
  }
}

process.on('uncaughtException', (err) => {
  console.error('uncaught exception (driver keeps running):', err)
})
process.on('unhandledRejection', (err) => {
  console.error('unhandled rejection (driver keeps running):', err)
})

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => { handleLine(line) })
// The parent went away (or closed our stdin): nobody is listening, leave.
rl.on('close', () => shutdown(0))

console.error(`verstas js client driver ready (pid ${process.pid})`)
