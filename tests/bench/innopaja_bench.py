"""The Innopaja scenario: a facilitator and a full room in a live session. Not a test.

    .venv/bin/python -m tests.bench.innopaja_bench [--participants 30] [--rate 2]
        [--seconds 20] [--repeat 2] [--rounds 12]

One Verstas process (fresh SQLite database, its defaults) serves a workshop with a live
session; this process plays the facilitator and the participants (tests/bench/
innopaja_clients.py), each participant with a socket on the content document (typing) and one
on the session document (watching), and the facilitator's actions over the API. Two parts:

1. Locks' cost: everyone types into unlocked texts (`--rate` updates per second each, for
   `--seconds`), once with no lock held and once with the matrix and two more texts locked;
   the variants alternate, `--repeat` times. Printed: the server's CPU per delivered update
   (an update relayed to one other person), and the delivery latency.
2. The session: every participant joins under a name, types now and then, writes hidden notes
   and casts dots, while the facilitator runs `--rounds` rounds of actions: a phase, the timer,
   a lock, a reveal (and a vote opened and closed between them). Printed: the latency from the
   facilitator sending the action to its arrival on every participant's session socket, p50
   and p99 per kind of action.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from documents.labels import EVALUATION_SECTIONS, MODEL_SECTIONS, PATH_SECTIONS
from tests.bench.innopaja_clients import Deliveries, Typist, Watcher, socket
from tests.bench.servers import BenchServer, ServerKind, machine_busy_s, sample, wait_for_quiet
from tests.support.conditions import wait_until

LOCKS = ["matrix", "path/starting_point", "evaluation/results"]
UNLOCKED = [
    f"{part}/{key}"
    for part, keys in (("path", PATH_SECTIONS), ("evaluation", EVALUATION_SECTIONS))
    for key in keys
    if f"{part}/{key}" not in LOCKS
] + [f"model/{key}" for key in MODEL_SECTIONS]
ACTIONS = ("phase", "timer", "lock", "reveal")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Room:
    """The workshop, its session and everyone's sockets."""

    def __init__(self, server: BenchServer, http: httpx.AsyncClient) -> None:
        self.server = server
        self.http = http
        self.deliveries = Deliveries()
        self.typists: list[Typist] = []
        self.watchers: list[Watcher] = []
        self.people: list[str] = []
        self.rng = random.Random(15)

    async def call(self, method: str, path: str, token: str, body: Any = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
        response = await self.http.request(method, path, json=body, headers=headers, **kw)
        if response.status_code >= 400 and response.status_code != 409:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    async def open(self, participants: int) -> None:
        body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio"}
        created = (await self.http.post("/api/workshops", json=body)).json()
        self.workshop = created["id"]
        owner = created["owner_token"]
        base = f"/api/workshops/{self.workshop}"
        self.facilitator = (
            await self.call("POST", f"{base}/links", owner, {"role": "facilitator"})
        )["token"]
        session = await self.call("POST", f"{base}/sessions", self.facilitator, {"title": "Bench"})
        self.path = f"{base}/sessions/{session['id']}"
        self.participant = (await self.call("POST", f"{self.path}/links", self.facilitator, {}))[
            "token"
        ]
        url = f"ws://127.0.0.1:{self.server.port}/collab/{self.workshop}"
        tokens = [self.facilitator] + [self.participant] * participants
        for number, token in enumerate(tokens):
            cell = UNLOCKED[number % len(UNLOCKED)]
            content = await self.stack.enter_async_context(socket(f"{url}?token={token}"))
            self.typists.append(Typist(content, cell, self.deliveries))
            if number:
                watched = await self.stack.enter_async_context(
                    socket(f"{url}.session?token={token}")
                )
                self.watchers.append(Watcher(watched))
        await asyncio.gather(*(one.start() for one in self.typists))
        await asyncio.gather(*(one.start() for one in self.watchers))

    @contextlib.asynccontextmanager
    async def connected(self, participants: int) -> AsyncIterator[Room]:
        async with contextlib.AsyncExitStack() as self.stack:
            await self.open(participants)
            try:
                yield self
            finally:
                for typist in self.typists:
                    await typist.close()
                for watcher in self.watchers:
                    await watcher.close()

    async def steer(self, suffix: str, body: Any = None) -> Any:
        return await self.call("POST", f"{self.path}{suffix}", self.facilitator, body)

    async def type_for(self, seconds: float, rate: float, typists: list[Typist]) -> int:
        """Each of `typists` types `rate` updates a second (intervals 1/rate, 0.5x-1.5x)."""
        end = time.monotonic() + seconds
        sent = 0

        async def typing(typist: Typist) -> None:
            nonlocal sent
            while time.monotonic() < end:
                await asyncio.sleep(self.rng.uniform(0.5, 1.5) / rate)
                await typist.type(self.rng.choice(["ab", "cd ", "e", "fgh"]))
                sent += 1

        await asyncio.gather(*(typing(typist) for typist in typists))
        return sent


async def quiesce(deliveries: Deliveries, expected: int, timeout: float = 30.0) -> None:
    """Until every update sent was delivered to everyone else (or `timeout`: the counts say)."""
    with contextlib.suppress(AssertionError):
        await wait_until(lambda: len(deliveries.latencies_ms) >= expected, timeout, "deliveries")


async def locks_cost(room: Room, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for repetition in range(args.repeat):
        variants = [False, True] if repetition % 2 == 0 else [True, False]
        for locked in variants:
            await room.steer("/locks", {"targets": LOCKS, "locked": locked})
            other_wait = await wait_for_quiet(25.0, 20.0)
            room.deliveries.reset()
            before, busy, own = sample(room.server.pid), machine_busy_s(), time.process_time()
            sent = await room.type_for(args.seconds, args.rate, room.typists[1:])
            await quiesce(room.deliveries, sent * (len(room.typists) - 1))
            after, busy_after = sample(room.server.pid), machine_busy_s()
            generator = time.process_time() - own
            cpu = after.cpu_s - before.cpu_s
            wall = after.at - before.at
            delivered = len(room.deliveries.latencies_ms)
            rows.append(
                {
                    "variant": "locks held" if locked else "no locks",
                    "rep": repetition + 1,
                    "sent": sent,
                    "delivered": delivered,
                    "cpu_s": cpu,
                    "us_per_delivery": cpu / max(1, delivered) * 1e6,
                    "p50": percentile(room.deliveries.latencies_ms, 0.5),
                    "p99": percentile(room.deliveries.latencies_ms, 0.99),
                    "gen_pct": 100 * generator / wall,
                    "other_pct": 100 * max(0.0, busy_after - busy - cpu - generator) / wall,
                    "quiet_before_pct": other_wait,
                }
            )
    await room.steer("/locks", {"targets": LOCKS, "locked": False})
    return rows


async def timed(room: Room, suffix: str, body: Any = None) -> tuple[list[float], Any]:
    """A facilitator's action, and the milliseconds from sending it to its arrival at each
    participant's session socket. Every change of the session waits for this: one change's
    arrival is never taken for the next one's."""
    start = time.monotonic()
    answer = await room.steer(suffix, body)
    arrivals = await asyncio.gather(*(w.first_after(start, 30.0) for w in room.watchers))
    return [(arrival - start) * 1000 for arrival in arrivals], answer


async def session(room: Room, args: argparse.Namespace) -> tuple[dict[str, list[float]], str]:
    """Rounds of the facilitator's actions while the room types, writes notes and votes."""
    latencies: dict[str, list[float]] = {kind: [] for kind in ACTIONS}
    persons = [
        (await room.call("POST", f"{room.path}/participants", room.participant, {"name": f"P{n}"}))[
            "person_token"
        ]
        for n in range(len(room.watchers))
    ]
    stop = asyncio.Event()
    background = asyncio.create_task(typing_until(room, stop, args.rate / 4))
    notes = dots = 0
    try:
        for round_number in range(args.rounds):
            even = round_number % 2 == 0
            timer = {"action": "start", "seconds": 300} if even else {"action": "pause"}
            steps = [
                ("phase", "/phase", {"index": 1}),
                ("timer", "/timer", timer),
                ("lock", "/locks", {"targets": ["model/purpose"], "locked": even}),
            ]
            for kind, suffix, body in steps:
                latencies[kind] += (await timed(room, suffix, body))[0]
            await timed(room, "/phase", {"index": 0})  # back to a phase that takes notes
            written = await asyncio.gather(
                *(note(room, person, round_number) for person in persons)
            )
            notes += len(written)
            latencies["reveal"] += (await timed(room, "/reveal", {}))[0]
            dots += await vote(room, persons, [f"ideas/{note_id}" for note_id in written])
    finally:
        stop.set()
        await background
    return latencies, f"{notes} notes written and revealed, {dots} dots cast"


async def typing_until(room: Room, stop: asyncio.Event, rate: float) -> None:
    while not stop.is_set():
        await room.type_for(1.0, rate, room.typists[1:])


async def note(room: Room, person: str, round_number: int) -> str:
    body = {"text": f"Idea {round_number}"}
    written = await room.call(
        "POST", f"{room.path}/notes", room.participant, body, headers={"Verstas-Person": person}
    )
    note_id: str = written["id"]
    return note_id


async def vote(room: Room, persons: list[str], items: list[str]) -> int:
    """A vote over the revealed ideas, two dots each, then closed; the dots cast."""
    rules = {"items": items, "per_person": 2, "max_per_item": 2}
    _, opened = await timed(room, "/votes", rules)
    cast = f"{room.path}/votes/{opened['id']}/cast"

    async def dot(person: str) -> None:
        for _ in range(2):
            item = {"item": room.rng.choice(items)}
            await room.call(
                "POST", cast, room.participant, item, headers={"Verstas-Person": person}
            )

    await asyncio.gather(*(dot(person) for person in persons))
    await timed(room, f"/votes/{opened['id']}/close")
    return 2 * len(persons)


def report(rows: list[dict[str, Any]], latencies: dict[str, list[float]], args: Any) -> None:
    people = f"{args.participants} participants and the facilitator"
    print(f"\nLocks' cost: {people} in one room, {args.rate} updates/s each for {args.seconds} s")
    print(
        f"{'variant':<11} {'rep':>3} {'sent':>6} {'delivered':>9} {'srv CPU s':>9} "
        f"{'us/deliv':>8} {'p50 ms':>7} {'p99 ms':>7} {'gen CPU %':>9} {'other CPU %':>11}"
    )
    for row in rows:
        print(
            f"{row['variant']:<11} {row['rep']:>3} {row['sent']:>6} {row['delivered']:>9} "
            f"{row['cpu_s']:>9.2f} {row['us_per_delivery']:>8.1f} {row['p50']:>7.2f} "
            f"{row['p99']:>7.2f} {row['gen_pct']:>9.1f} {row['other_pct']:>11.1f}"
        )
    for variant in ("no locks", "locks held"):
        costs = [row["us_per_delivery"] for row in rows if row["variant"] == variant]
        print(f"  {variant}: median {statistics.median(costs):.1f} us per delivered update")
    print(
        f"\nThe facilitator's action to every participant's session socket ({args.rounds} rounds)"
    )
    print(f"{'action':<8} {'samples':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind, values in latencies.items():
        print(
            f"{kind:<8} {len(values):>7} {percentile(values, 0.5):>7.2f} "
            f"{percentile(values, 0.99):>7.2f} {max(values):>7.2f}"
        )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="innopaja-bench-") as workdir:
        server = BenchServer(ServerKind.VERSTAS, Path(workdir))
        await server.start()
        try:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as http,
                Room(server, http).connected(args.participants) as room,
            ):
                print("locks' cost ...", file=sys.stderr)
                rows = await locks_cost(room, args)
                print("the session ...", file=sys.stderr)
                latencies, done = await session(room, args)
            report(rows, latencies, args)
            print(f"  during the session: {done}")
        finally:
            await server.stop()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second per person")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=12)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
