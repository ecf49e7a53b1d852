#!/usr/bin/env node
// The load generator of the benchmark (tests/bench/run.py starts it; see tests/bench/README.md).
//
// Why Node and raw sockets: the generator shares 2 cores with the server under test, so every
// microsecond it spends distorts the figures. It speaks the Yjs websocket protocol directly over
// `ws` (no y-websocket provider, no awareness, no permessage-deflate) and never integrates remote
// updates into a Y.Doc: it identifies each received update by the (client, clock) in its header
// and compares against the send time recorded in this same process. Every update a client sends
// comes from its own Y.Doc and references only its own items, so each one is valid on its own.
//
// Usage: node loadgen.mjs '<json config>'
//   (config.mode: "fanout" | "capacity" | "coldload" | "updates" | "syncs")
// Fanout takes several server URLs (config.urls): the clients of each room are assigned to them
// round-robin, so with two nodes half of every room is on each and every update crosses between
// them. Its rooms are named config.room_prefix + index, unique per run on a shared database.
// stdout: one JSON object per line, {"event": "<name>", ...}; the last is "result" or "error".
// stdin:  one JSON object per line, the runner's commands:
//   {"cmd": "continue"}              after an event that waits (the runner samples /proc first)
//   {"cmd": "sync", "label": "..."}  coldload and syncs: time a fresh client's sync of the document
//   {"cmd": "end"}                   coldload and syncs: close everything and print the result
// "updates" writes one typist's updates to a file instead of a socket (tests/bench/growth_bench.py
// logs them through the store); "syncs" only times fresh clients' syncs of a stored document.
// Every wait is bounded; stdin closing (the runner died) ends the process.

import readline from 'node:readline'
import { closeSync, openSync, writeSync } from 'node:fs'
import {
  FailureLog,
  INSERT,
  Peer,
  Writer,
  clientIdBase,
  now,
  roomUrl,
  runPool,
  summarize,
  timedSync,
  updateId
} from './yjs_peer.mjs'

// Runner commands arrive within a few seconds (a /proc read, a server restart); this only
// stops an orphaned generator.
const COMMAND_TIMEOUT_MS = 300_000
const POLL_MS = 10

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** @param {string} event @param {object} fields */
const emit = (event, fields = {}) => {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n')
}

// Runner commands, one JSON object per stdin line.
const commandQueue = []
let commandWaiter = null
let stdinClosed = false
const stdinLines = readline.createInterface({ input: process.stdin })
stdinLines.on('line', (line) => {
  if (line.trim() === '') return
  const command = JSON.parse(line)
  if (commandWaiter !== null) {
    const waiter = commandWaiter
    commandWaiter = null
    waiter.resolve(command)
  } else {
    commandQueue.push(command)
  }
})
stdinLines.on('close', () => {
  stdinClosed = true
  if (commandWaiter !== null) commandWaiter.reject(new Error('stdin closed: the runner is gone'))
})

/** @returns {Promise<{cmd: string, label?: string}>} */
const nextCommand = () => {
  if (commandQueue.length > 0) return Promise.resolve(commandQueue.shift())
  if (stdinClosed) return Promise.reject(new Error('stdin closed: the runner is gone'))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      commandWaiter = null
      reject(new Error(`no command from the runner within ${COMMAND_TIMEOUT_MS} ms`))
    }, COMMAND_TIMEOUT_MS)
    commandWaiter = {
      resolve: (command) => { clearTimeout(timer); resolve(command) },
      reject: (error) => { clearTimeout(timer); reject(error) }
    }
  })
}

/** Emit an event and wait for the runner's "continue", so it can sample the server meanwhile. */
const checkpoint = async (event, fields = {}) => {
  emit(event, fields)
  const command = await nextCommand()
  if (command.cmd !== 'continue') throw new Error(`expected "continue" after ${event}, got ${command.cmd}`)
}


/**
 * R rooms x C clients, each inserting at U updates/s for T s; latency of every delivery to the
 * room's other clients, then per-client delivery counts and a fresh client's state vector.
 */
const fanout = async (config) => {
  const { urls, rooms, clients_per_room: perRoom, rate, duration_s: durationS, jitter } = config
  const roomName = (room) => `${config.room_prefix}${room}`
  const failures = new FailureLog()
  const base = clientIdBase()
  const senders = new Map()
  const all = []
  for (let room = 0; room < rooms; room++) {
    for (let i = 0; i < perRoom; i++) {
      const writer = new Writer(base + all.length)
      const url = urls[i % urls.length]
      const client = { room, url, writer, peer: null, received: 0, expected: 0 }
      senders.set(writer.doc.clientID, client)
      all.push(client)
    }
  }
  const latencies = []
  // Deliveries to a client on another server than the sender's (several URLs): the bus's share.
  const crossLatencies = []
  let delivered = 0
  let echoes = 0
  let misrouted = 0
  let unknown = 0
  const onUpdate = (receiver) => (update, at) => {
    const id = updateId(update)
    const sender = id === null ? undefined : senders.get(id.client)
    if (sender === undefined) { unknown++; return }
    if (sender === receiver) { echoes++; return }
    if (sender.room !== receiver.room) { misrouted++; return }
    const sentAt = sender.writer.sendTimes.get(id.clock)
    if (sentAt === undefined) { unknown++; return }
    latencies.push(at - sentAt)
    if (sender.url !== receiver.url) crossLatencies.push(at - sentAt)
    receiver.received++
    delivered++
  }
  const connectOne = async (client) => {
    const peer = new Peer(roomUrl(client.url, roomName(client.room)), { onUpdate: onUpdate(client) })
    try {
      await peer.connect(config.connect_timeout_ms)
      client.peer = peer
    } catch (error) {
      failures.add(`connect: ${error.message}`)
    }
  }
  // One client per room first: pycrdt-websocket 0.16.5 hangs the second of two clients that
  // open a new room at the same moment (shared/INTEROP.md). Same order for every server.
  const connectStart = now()
  await runPool(all.filter((_, i) => i % perRoom === 0), config.connect_concurrency, connectOne)
  await runPool(all.filter((_, i) => i % perRoom !== 0), config.connect_concurrency, connectOne)
  const connected = all.filter((c) => c.peer !== null)
  const connectMs = now() - connectStart
  await checkpoint('synced')

  const intervalMs = 1000 / rate
  const loadStart = now()
  const sendEnd = loadStart + durationS * 1000
  await new Promise((resolve) => {
    let active = connected.length
    if (active === 0) resolve()
    for (const client of connected) {
      const tick = () => {
        if (now() >= sendEnd || client.peer.closed) {
          if (--active === 0) resolve()
          return
        }
        client.writer.send(client.peer.ws)
        setTimeout(tick, intervalMs * (1 + jitter * (2 * Math.random() - 1)))
      }
      setTimeout(tick, Math.random() * intervalMs)
    }
  })
  const sendMs = now() - loadStart
  // What each client must receive: everything the other connected clients of its room sent.
  let expected = 0
  for (const receiver of connected) {
    receiver.expected = 0
    for (const sender of connected) {
      if (sender !== receiver && sender.room === receiver.room) receiver.expected += sender.writer.sent
    }
    expected += receiver.expected
  }
  const quiesceDeadline = now() + config.quiesce_timeout_ms
  while (delivered < expected && now() < quiesceDeadline) await sleep(POLL_MS)
  const loadMs = now() - loadStart
  if (delivered < expected) failures.add(`quiesce: ${expected - delivered} deliveries missing after ${config.quiesce_timeout_ms} ms`)
  await checkpoint('quiesced')

  const clientsMissing = connected.filter((c) => c.received !== c.expected).length
  if (clientsMissing > 0) failures.add(`delivery: ${clientsMissing} clients missed updates of others`)
  const unexpectedCloses = connected.filter((c) => c.peer.closed).length
  if (unexpectedCloses > 0) failures.add(`${unexpectedCloses} sockets closed by the server during the run`)
  if (misrouted > 0) failures.add(`${misrouted} updates delivered to another room`)

  // A room converged when a fresh client of every server has every (client, clock) sent in it.
  let roomsConverged = 0
  for (let room = 0; room < rooms; room++) {
    const expectedClocks = new Map()
    for (const client of connected) {
      if (client.room === room) expectedClocks.set(client.writer.doc.clientID, client.writer.clock)
    }
    let complete = true
    for (const url of urls) {
      const check = await timedSync(roomUrl(url, roomName(room)), expectedClocks, config.connect_timeout_ms)
      if (check.ok && check.complete) continue
      complete = false
      failures.add(`convergence: ${check.ok ? `${check.clients_incomplete} clients' updates missing` : check.error}`)
    }
    if (complete) roomsConverged++
  }
  await Promise.all(connected.map((c) => c.peer.close(5000)))

  const updatesSent = all.reduce((n, c) => n + c.writer.sent, 0)
  return {
    mode: 'fanout',
    clients: all.length,
    connected: connected.length,
    connect_ms: connectMs,
    updates_sent: updatesSent,
    expected_deliveries: expected,
    frames_delivered: delivered,
    echoes,
    unknown_frames: unknown,
    send_ms: sendMs,
    load_ms: loadMs,
    delivered_per_s: delivered / (loadMs / 1000),
    latency_ms: summarize(latencies),
    cross_server_latency_ms: summarize(crossLatencies),
    rooms_converged: roomsConverged,
    converged: roomsConverged === rooms && failures.total === 0,
    failures: failures.toJSON()
  }
}

/** N idle clients over R rooms, connected and disconnected in rounds; the runner reads RSS. */
const capacity = async (config) => {
  const { url, clients, rooms, rounds, room_prefix: prefix } = config
  const results = []
  for (let round = 1; round <= rounds; round++) {
    const failures = new FailureLog()
    const peers = Array.from({ length: clients }, (_, i) => new Peer(roomUrl(url, `${prefix}${i % rooms}`)))
    const times = []
    const connectOne = async (peer) => {
      try {
        await peer.connect(config.connect_timeout_ms)
        times.push(peer.step2At - peer.startedAt)
      } catch (error) {
        failures.add(error.message)
      }
    }
    const start = now()
    // Room openers first, for the same reason as in fanout.
    await runPool(peers.slice(0, rooms), config.connect_concurrency, connectOne)
    await runPool(peers.slice(rooms), config.connect_concurrency, connectOne)
    const connectMs = now() - start
    await checkpoint('connected', { round })
    const closedEarly = peers.filter((p) => p.closedAfterSync).length
    if (closedEarly > 0) failures.add(`${closedEarly} sockets closed by the server while idle`)
    const leaveStart = now()
    const clean = await Promise.all(peers.map((p) => p.close(config.leave_timeout_ms)))
    const leaveMs = now() - leaveStart
    const cut = clean.filter((ok) => !ok).length
    if (cut > 0) failures.add(`${cut} sockets did not finish the close handshake in time`)
    await checkpoint('left', { round })
    results.push({
      round,
      connected: times.length,
      connect_total_ms: connectMs,
      connect_ms: summarize(times),
      leave_ms: leaveMs,
      failures: failures.toJSON(),
      failure_count: failures.total
    })
  }
  return { mode: 'capacity', clients, rooms, rounds: results }
}

/**
 * Populate one document with K updates through the protocol (one writer, as fast as the server
 * relays them to a witness), then time fresh clients' syncs whenever the runner asks, across
 * the server restarts the runner performs in between.
 */
const coldload = async (config) => {
  const { url, room, updates, window } = config
  const documentUrl = roomUrl(url, room)
  const writer = new Writer(clientIdBase())
  let witnessed = 0
  let wake = null
  const writerPeer = new Peer(documentUrl, { doc: writer.doc })
  const witness = new Peer(documentUrl, {
    onUpdate: (update) => {
      const id = updateId(update)
      if (id === null || id.client !== writer.doc.clientID) return
      witnessed++
      if (wake !== null && (writer.sent - witnessed <= window / 2 || witnessed === updates)) {
        const w = wake
        wake = null
        w()
      }
    }
  })
  await writerPeer.connect(config.connect_timeout_ms)
  await witness.connect(config.connect_timeout_ms)
  const start = now()
  const deadline = start + config.populate_timeout_ms
  while (witnessed < updates) {
    while (writer.sent < updates && writer.sent - witnessed < window) writer.send(writerPeer.ws)
    if (writerPeer.closed || witness.closed) throw new Error(`a populating socket closed after ${witnessed} of ${updates} updates`)
    if (now() > deadline) throw new Error(`the witness saw ${witnessed} of ${updates} updates in ${config.populate_timeout_ms} ms`)
    await Promise.race([new Promise((resolve) => { wake = resolve }), sleep(100)])
    wake = null
  }
  const populateMs = now() - start
  const expected = new Map([[writer.doc.clientID, writer.clock]])
  const warm = await timedSync(documentUrl, expected, config.sync_timeout_ms)
  // The writer and the witness stay connected: a server killed now has not unloaded the room.
  emit('populated')
  const syncs = await answerSyncs(documentUrl, expected, config.sync_timeout_ms)
  await Promise.all([writerPeer.close(1000), witness.close(1000)])
  return {
    mode: 'coldload',
    updates,
    populate_ms: populateMs,
    updates_per_s: updates / (populateMs / 1000),
    writer_clock: writer.clock,
    warm,
    syncs
  }
}

/**
 * One fresh client's timed sync per "sync" command, across the server restarts the runner
 * performs in between, until "end".
 */
const answerSyncs = async (documentUrl, expected, timeoutMs) => {
  const results = []
  for (;;) {
    const command = await nextCommand()
    if (command.cmd === 'end') return results
    if (command.cmd !== 'sync') throw new Error(`unknown command ${command.cmd}`)
    const result = { label: command.label, ...(await timedSync(documentUrl, expected, timeoutMs)) }
    results.push(result)
    emit('doc_synced', result)
  }
}

/** Fresh clients' syncs of a document stored beforehand; `expected` is [[client, clock], ...]. */
const syncs = async (config) => {
  const expected = new Map(config.expected)
  emit('ready')
  return { mode: 'syncs', syncs: await answerSyncs(roomUrl(config.url, config.room), expected, config.sync_timeout_ms) }
}

/**
 * One typist's K updates, as `send` makes them, written to config.path instead of a socket:
 * each a 4-byte little-endian length, then the update (the runner logs them through the store).
 */
const updates = async (config) => {
  const writer = new Writer(clientIdBase())
  const fd = openSync(config.path, 'w')
  const chunk = []
  let chunkBytes = 0
  const flush = () => {
    writeSync(fd, Buffer.concat(chunk, chunkBytes))
    chunk.length = 0
    chunkBytes = 0
  }
  for (let i = 0; i < config.updates; i++) {
    const update = writer.type()
    const length = Buffer.alloc(4)
    length.writeUInt32LE(update.length)
    chunk.push(length, update)
    chunkBytes += 4 + update.length
    if (chunkBytes > 1 << 20) flush()
  }
  flush()
  closeSync(fd)
  // Every insert advances the typist's clock by its length: the first N updates end at N times it.
  return { mode: 'updates', updates: config.updates, client: writer.doc.clientID, clock_per_update: INSERT.length }
}

const MODES = { fanout, capacity, coldload, updates, syncs }

const main = async () => {
  const config = JSON.parse(process.argv[2] ?? '{}')
  const mode = MODES[config.mode]
  if (mode === undefined) throw new Error(`unknown mode ${config.mode}`)
  emit('result', await mode(config))
}

main().then(
  () => process.exit(0),
  (error) => {
    emit('error', { message: error.stack ?? String(error) })
    process.exit(1)
  }
)
