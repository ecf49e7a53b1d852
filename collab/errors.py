"""Close codes the server uses, in one table.

Clients see only the code and a short reason; the server log carries the detail, naming the
document and the peer.
"""

from __future__ import annotations

from enum import IntEnum


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
