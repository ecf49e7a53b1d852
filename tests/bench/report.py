"""Plain-text tables of the results, with ratios against the Node reference server.

Why ratios: absolute figures depend on the machine; the ratio to `@y/websocket-server`, measured
in the same run on the same machine, is what can be compared across runs and with
shared/PERFORMANCE_NOTES.md. A ratio is taken against the reference run of the same
repetition; below 1.00 means less than the reference (cheaper, faster, smaller).
"""

from __future__ import annotations

from collections.abc import Sequence

from tests.bench.coldload import (
    ColdloadResult,
    ColdSync,
)
from tests.bench.multinode import MultinodeResult
from tests.bench.scenarios import (
    CapacityResult,
    FanoutResult,
)
from tests.bench.servers import ServerKind

# A generator using more than this share of a core competes with the server for the CPU, and
# its own queueing shows up as latency.
SATURATED_PCT = 90.0
# Other processes using more than this share of a core during a phase disturbed it.
DISTURBED_PCT = 20.0
NOT_PERSISTED = "n/a (no persistence)"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or reference is None or reference == 0:
        return "-"
    return f"{value / reference:.2f}x"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the first column left-aligned, the rest right."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([title, line(headers), rule, *(line(row) for row in rows)])


def _generator_cpu(pct: float) -> str:
    return f"{pct:.0f}{'*' if pct > SATURATED_PCT else ''}"


def _other_cpu(pct: float) -> str:
    return f"{pct:.0f}{'!' if pct > DISTURBED_PCT else ''}"


def fanout_table(results: Sequence[FanoutResult]) -> str:
    references = {r.repetition: r for r in results if r.server == ServerKind.REFERENCE}
    headers = [
        "server", "rep", "sent", "delivered", "deliv/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
        "srv CPU s", "srv CPU %", "us/deliv", "us/deliv vs ref", "p99 vs ref", "gen CPU %",
        "other CPU %", "converged", "failures", "upd/commit", "commit p50 ms", "commit p99 ms",
    ]  # fmt: skip
    rows = []
    for r in results:
        reference = references.get(r.repetition)
        p99 = r.latency_ms.get("p99")
        commit = r.commit
        rows.append(
            [
                r.server,
                str(r.repetition),
                f"{r.updates_sent:,}",
                f"{r.frames_delivered:,}",
                _num(r.delivered_per_s, 0),
                _num(r.latency_ms.get("p50"), 2),
                _num(r.latency_ms.get("p95"), 2),
                _num(p99, 2),
                _num(r.latency_ms.get("max"), 1),
                _num(r.server_cpu_s, 2),
                _num(r.server_cpu_pct, 0),
                _num(r.server_cpu_us_per_delivery, 1),
                _ratio(
                    r.server_cpu_us_per_delivery,
                    reference.server_cpu_us_per_delivery if reference else None,
                ),
                _ratio(p99, reference.latency_ms.get("p99") if reference else None),
                _generator_cpu(r.loadgen_cpu_pct),
                _other_cpu(r.other_cpu_pct),
                "yes" if r.converged else "NO",
                "; ".join(r.failures) or "0",
                _num(commit.updates_per_commit, 2) if commit else "-",
                _num(commit.latency_p50_ms, 2) if commit else "-",
                _num(commit.latency_p99_ms, 2) if commit else "-",
            ]
        )
    return table("FAN-OUT (receive latency and server CPU per delivered update)", headers, rows)


def peers_table(results: Sequence[FanoutResult]) -> str:
    """A row per room size and server; ratios to the reference of the same size and repetition."""
    references = {(r.repetition, r.clients): r for r in results if r.server == ServerKind.REFERENCE}
    headers = [
        "clients", "server", "rep", "sent", "delivered", "srv CPU %", "us/deliv",
        "us/deliv vs ref", "p50 ms", "p50 vs ref", "p99 ms", "p99 vs ref", "gen CPU %",
        "other CPU %", "converged", "failures",
    ]  # fmt: skip
    rows = []
    for r in sorted(results, key=lambda r: (r.clients, r.repetition)):
        reference = references.get((r.repetition, r.clients))
        p50, p99 = r.latency_ms.get("p50"), r.latency_ms.get("p99")
        rows.append(
            [
                str(r.clients),
                r.server,
                str(r.repetition),
                f"{r.updates_sent:,}",
                f"{r.frames_delivered:,}",
                _num(r.server_cpu_pct, 0),
                _num(r.server_cpu_us_per_delivery, 1),
                _ratio(
                    r.server_cpu_us_per_delivery,
                    reference.server_cpu_us_per_delivery if reference else None,
                ),
                _num(p50, 2),
                _ratio(p50, reference.latency_ms.get("p50") if reference else None),
                _num(p99, 2),
                _ratio(p99, reference.latency_ms.get("p99") if reference else None),
                _generator_cpu(r.loadgen_cpu_pct),
                _other_cpu(r.other_cpu_pct),
                "yes" if r.converged else "NO",
                "; ".join(r.failures) or "0",
            ]
        )
    return table(
        "PEERS PER ROOM (one room, the same total rate at every size: server CPU per delivered "
        "update, receive latency)",
        headers,
        rows,
    )


def capacity_tables(results: Sequence[CapacityResult]) -> str:
    references = {r.repetition: r for r in results if r.server == ServerKind.REFERENCE}
    summary_headers = [
        "server", "rep", "clients/rooms", "RSS before MiB", "RSS connected MiB", "KiB/conn",
        "KiB/conn vs ref", "RSS after each round MiB",
    ]  # fmt: skip
    summary = []
    for r in results:
        reference = references.get(r.repetition)
        summary.append(
            [
                r.server,
                str(r.repetition),
                f"{r.clients:,}/{r.rooms:,}",
                _num(r.rss_before_mib),
                _num(r.rounds[0].rss_connected_mib),
                _num(r.rss_per_connection_kib),
                _ratio(
                    r.rss_per_connection_kib,
                    reference.rss_per_connection_kib if reference else None,
                ),
                " / ".join(_num(round_.rss_after_mib) for round_ in r.rounds),
            ]
        )
    round_headers = [
        "server", "rep", "round", "connected", "connect s", "p50 ms", "p99 ms", "max ms",
        "srv CPU us/conn", "gen CPU %", "other CPU %", "RSS connected MiB", "RSS after MiB",
        "failures",
    ]  # fmt: skip
    per_round = [
        [
            r.server,
            str(r.repetition),
            str(round_.round),
            f"{round_.connected:,}",
            _num(round_.connect_total_s, 2),
            _num(round_.connect_ms.get("p50"), 1),
            _num(round_.connect_ms.get("p99"), 1),
            _num(round_.connect_ms.get("max"), 1),
            _num(round_.server_cpu_us_per_connection, 0),
            _generator_cpu(round_.loadgen_cpu_pct),
            _other_cpu(round_.other_cpu_pct),
            _num(round_.rss_connected_mib),
            _num(round_.rss_after_mib),
            "; ".join(round_.failures) or "0",
        ]
        for r in results
        for round_ in r.rounds
    ]
    return "\n\n".join(
        [
            table("CAPACITY (idle synced clients: memory)", summary_headers, summary),
            table(
                "CAPACITY per round (connect times: socket creation to sync step 2)",
                round_headers,
                per_round,
            ),
        ]
    )


def _cold(sync: ColdSync | None) -> str:
    if sync is None:
        return NOT_PERSISTED
    if sync.sync_ms is None:
        return f"FAILED: {sync.error}"
    replayed = "?" if sync.replayed is None else f"{sync.replayed:,}"
    incomplete = "" if sync.complete else " INCOMPLETE"
    return f"{sync.sync_ms:,.1f} (replayed {replayed}){incomplete}"


def coldload_table(results: Sequence[ColdloadResult]) -> str:
    headers = [
        "server", "updates", "populate s", "populate upd/s", "srv CPU us/upd", "gen CPU %",
        "other CPU %", "DB MiB", "warm sync ms",
        "cold after SIGTERM ms", "cold after kill -9 ms",
    ]  # fmt: skip
    rows = [
        [
            r.server,
            f"{r.updates:,}",
            _num(r.populate_s, 2),
            _num(r.updates_per_s, 0),
            _num(r.server_cpu_us_per_update, 0),
            _generator_cpu(r.loadgen_cpu_pct),
            _other_cpu(r.other_cpu_pct),
            _num(r.database_mib, 2),
            _num(r.warm_sync_ms, 1) + ("" if r.warm_complete else " INCOMPLETE"),
            _cold(r.after_sigterm),
            _cold(r.after_kill),
        ]
        for r in results
    ]
    return table(
        "COLD LOAD (socket creation to sync step 2 of a fresh client; replayed = log entries "
        "applied after the checkpoint)",
        headers,
        rows,
    )


def multinode_table(results: Sequence[MultinodeResult]) -> str:
    """Ratios are to the one-node run of the same repetition, as fan-out's are to the reference."""
    singles = {r.repetition: r for r in results if r.nodes == 1}
    headers = [
        "variant", "rep", "sent", "delivered", "deliv/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
        "cross-node p50 ms", "cross-node p99 ms", "nodes CPU %", "nodes us/deliv",
        "Redis us/deliv", "PG us/deliv", "us/deliv vs 1 node", "p99 vs 1 node", "gen CPU %",
        "other CPU %", "converged", "failures",
    ]  # fmt: skip
    rows = []
    for r in results:
        single = singles.get(r.repetition)
        p99 = r.latency_ms.get("p99")
        rows.append(
            [
                r.variant,
                str(r.repetition),
                f"{r.updates_sent:,}",
                f"{r.frames_delivered:,}",
                _num(r.delivered_per_s, 0),
                _num(r.latency_ms.get("p50"), 2),
                _num(r.latency_ms.get("p95"), 2),
                _num(p99, 2),
                _num(r.latency_ms.get("max"), 1),
                _num(r.cross_node_latency_ms.get("p50"), 2),
                _num(r.cross_node_latency_ms.get("p99"), 2),
                _num(r.nodes_cpu_pct, 0),
                _num(r.nodes_cpu_us_per_delivery, 1),
                _num(r.redis_cpu_us_per_delivery, 1),
                _num(r.postgres_cpu_us_per_delivery, 1),
                _ratio(
                    r.nodes_cpu_us_per_delivery,
                    single.nodes_cpu_us_per_delivery if single else None,
                ),
                _ratio(p99, single.latency_ms.get("p99") if single else None),
                _generator_cpu(r.loadgen_cpu_pct),
                _other_cpu(r.other_cpu_pct),
                "yes" if r.converged else "NO",
                "; ".join(r.failures) or "0",
            ]
        )
    return table(
        "MULTI-NODE FAN-OUT on PostgreSQL (clients of every room split across the nodes; CPU "
        "per delivered update)",
        headers,
        rows,
    )


NOTES = (
    f"gen CPU % marked * is over {SATURATED_PCT:.0f}% of one core: the load generator itself "
    "was saturated and its queueing inflates latencies.\n"
    f"other CPU % marked ! is over {DISTURBED_PCT:.0f}% of one core used by other processes "
    "during the phase (e.g. a test run of another session): treat those figures as disturbed."
)
