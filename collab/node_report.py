"""One node's report for operators: plain JSON-ready data read from the hub.

A report is a value, not a view of live objects: it can be published to other nodes and
merged with theirs (`schemas/admin-node.schema.json` describes it). Reading it walks the
loaded rooms once and touches no document, so asking for it costs nothing per update.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import NotRequired, TypedDict

from collab.hub import CollabHub
from collab.room import Room
from documents.access import parse_document_name

NO_ROLE = "open"
"""The role key of peers of open documents (`--open-documents`), which carry no role."""


class DocumentReport(TypedDict):
    name: str
    workshop_id: str
    kind: str
    peers: int
    peers_by_role: dict[str, int]
    updates_received: int
    updates_relayed: int
    received_per_second: float | None
    relayed_per_second: float | None
    position: int
    last_commit_at: str | None
    checkpoint_position: int | None
    checkpoint_at: str | None
    tail_entries: int
    tail_bytes: int
    refused: dict[str, int]


class NodeTotals(TypedDict):
    connections: int
    documents_loaded: int
    refused: dict[str, int]


class NodeReport(TypedDict):
    node_id: str
    started_at: str
    reported_at: str
    totals: NotRequired[NodeTotals]
    documents: list[DocumentReport]


def timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def node_report(hub: CollabHub, node_id: str, started_at: float) -> NodeReport:
    """Everything this node can tell operators, as of now; `started_at` is wall-clock seconds."""
    now = time.monotonic()
    documents = sorted(
        (document_report(room, now) for room in hub.rooms.loaded()), key=lambda d: d["name"]
    )
    return {
        "node_id": node_id,
        "started_at": timestamp(started_at),
        "reported_at": timestamp(time.time()),
        "totals": {
            "connections": hub.stats.connections_open,
            "documents_loaded": len(documents),
            "refused": dict(sorted(hub.stats.refused.items())),
        },
        "documents": documents,
    }


def document_report(room: Room, now: float) -> DocumentReport:
    activity = room.activity
    workshop_id, kind = parse_document_name(room.name)
    roles = Counter(session.role or NO_ROLE for session in room.peers.values())
    received_rate, relayed_rate = activity.rates(now)
    tail = room.checkpoints.tail()
    return {
        "name": room.name,
        "workshop_id": workshop_id,
        "kind": kind.value,
        "peers": len(room.peers),
        "peers_by_role": dict(sorted(roles.items())),
        "updates_received": activity.received,
        "updates_relayed": activity.relayed,
        "received_per_second": received_rate,
        "relayed_per_second": relayed_rate,
        "position": room.position,
        "last_commit_at": _maybe_timestamp(activity.last_commit_at),
        "checkpoint_position": activity.checkpoint_position,
        "checkpoint_at": _maybe_timestamp(activity.checkpoint_at),
        "tail_entries": tail.entries,
        "tail_bytes": tail.bytes,
        "refused": dict(sorted(activity.refused.items())),
    }


def _maybe_timestamp(seconds: float | None) -> str | None:
    return None if seconds is None else timestamp(seconds)


def visible_to_workshop(report: NodeReport, workshop_id: str) -> NodeReport:
    """The part of a report one workshop's owner may see: its own documents, no node totals
    (those add up every workshop's traffic)."""
    return {
        "node_id": report["node_id"],
        "started_at": report["started_at"],
        "reported_at": report["reported_at"],
        "documents": [d for d in report["documents"] if d["workshop_id"] == workshop_id],
    }
