"""Close codes the server uses, in one table.

Clients see only the code and a short reason; the server log carries the detail, naming the
document and the peer.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class CloseCode(IntEnum):
    """WebSocket close codes (RFC 6455 section 7.4 and the application range 4000-4999)."""

    NORMAL = 1000
    PROTOCOL_ERROR = 1002  # a frame that is not one well-formed y-protocols message
    UNSUPPORTED_DATA = 1003  # a text frame, or a message a client may not send
    POLICY_VIOLATION = 1008  # rate limits
    MESSAGE_TOO_BIG = 1009  # a frame over the size limit
    INTERNAL_ERROR = 1011  # the document could not be loaded or an update not committed
    SERVICE_RESTART = 1012  # the server is shutting down, or storage is back; clients reconnect
    TRY_AGAIN_LATER = 1013  # the database is unreachable: the update was not stored; resend later
    # 4400-4499 make y-websocket stop reconnecting: right for what a retry cannot fix.
    FORBIDDEN = 4403  # repeated writes without permission, or the share link was revoked
    DOCUMENT_TOO_LARGE = 4413  # the document is over its size limit


class Shutdown(NamedTuple):
    """Why a room closes a peer for what it sent: the log event, the refusal counter's key,
    and what the client is told."""

    event: str
    key: str
    code: CloseCode
    reason: str


STORAGE_UNAVAILABLE = Shutdown(
    "peer_closed",
    "storage_unavailable",
    CloseCode.TRY_AGAIN_LATER,
    "the database is unreachable; try again later",
)
DOCUMENT_TOO_LARGE = Shutdown(
    "update_refused",
    "document_size",
    CloseCode.DOCUMENT_TOO_LARGE,
    "document is over its size limit",
)
INVALID_UPDATE = Shutdown(
    "update_invalid", "invalid_update", CloseCode.PROTOCOL_ERROR, "invalid update"
)
STALLED_UPDATES = Shutdown(
    "update_stalled",
    "stalled_updates",
    CloseCode.POLICY_VIOLATION,
    "updates with missing dependencies",
)
INVALID_STATE_VECTOR = Shutdown(
    "state_vector_invalid", "invalid_state_vector", CloseCode.PROTOCOL_ERROR, "invalid state vector"
)
