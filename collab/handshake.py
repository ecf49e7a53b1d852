"""The websocket opening handshake (RFC 6455 4.2), read and answered without `websockets`.

Why: uvicorn has parsed the request already (httptools) when it hands the connection to the
endpoint, as a request it rebuilds from what it parsed; parsing that again with `websockets`
and building its answer cost a fifth of the server's CPU while thousands of clients connect
(py-spy; 38 µs in a tight loop, against a few here). The frames that follow are read by
`websockets`' protocol, created already open (`collab.endpoint`).

Pure: the request's bytes in, the upgrade (and the document it opens) or an HTTP refusal out.
What is checked is what `websockets` checks (a GET, `Connection: upgrade`, `Upgrade: websocket`,
one key of 16 bytes in base64, version 13); extensions and subprotocols offered are declined by
not answering them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from collab.admission import origin_allowed

PATH_PREFIX = "/collab/"
DOCUMENT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3
_SWITCHING = (
    b"HTTP/1.1 101 Switching Protocols\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: "
)


@dataclass(frozen=True, slots=True)
class Upgrade:
    """A valid upgrade request: its target (path and query) and its headers (names lower case,
    repeated ones joined with ", ")."""

    target: str
    headers: dict[str, str]
    key: str


@dataclass(frozen=True, slots=True)
class Opening:
    """What a valid upgrade asks for: a document, with a share link's token or none."""

    document: str
    token: str | None


class BadUpgrade(Exception):
    """The request is no valid websocket upgrade: answer `status` and say why (and name the
    document asked for in the log line, once it is read)."""

    def __init__(
        self,
        status: int,
        reason: str,
        *,
        extra: tuple[tuple[str, str], ...] = (),
        document: str = "",
    ):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.extra = extra
        self.document = document


def read_upgrade(request: bytes) -> Upgrade:
    """Read the upgrade request (one whole request, as uvicorn hands it on)."""
    head, separator, _ = request.partition(b"\r\n\r\n")
    if not separator:
        raise BadUpgrade(400, "incomplete request")
    request_line, *lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        raise BadUpgrade(400, "not an HTTP/1.1 request")
    if parts[0] != "GET":
        raise BadUpgrade(405, "a websocket is opened with GET", extra=(("Allow", "GET"),))
    headers: dict[str, str] = {}
    keys = 0
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise BadUpgrade(400, "malformed header line")
        name, value = name.strip().lower(), value.strip()
        keys += name == "sec-websocket-key"
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    connection = {option.strip().lower() for option in headers.get("connection", "").split(",")}
    upgrade = [option.strip().lower() for option in headers.get("upgrade", "").split(",")]
    if "upgrade" not in connection or upgrade != ["websocket"]:
        raise BadUpgrade(426, "this is a websocket endpoint", extra=(("Upgrade", "websocket"),))
    key = headers.get("sec-websocket-key", "")
    if keys != 1 or not _is_key(key):
        raise BadUpgrade(400, "Sec-WebSocket-Key must be one key of 16 bytes in base64")
    if headers.get("sec-websocket-version") != "13":
        raise BadUpgrade(400, "Sec-WebSocket-Version must be 13")
    return Upgrade(parts[1], headers, key)


def read_opening(upgrade: Upgrade, allowed_origins: frozenset[str]) -> Opening:
    """The document and token of `/collab/{name}?token=...`, from an allowed origin."""
    path = upgrade.target.partition("?")[0]
    if not path.startswith(PATH_PREFIX):
        raise BadUpgrade(404, f"no websocket endpoint at {path}")
    document = path[len(PATH_PREFIX) :]
    if DOCUMENT_NAME.fullmatch(document) is None:
        reason = "document names are 1-128 characters of A-Z a-z 0-9 _ . -"
        raise BadUpgrade(400, reason, document=document)
    # A browser always says which page opens the socket; a page elsewhere must not act with
    # the share link (or the open document) of the visitor it runs in.
    origin = upgrade.headers.get("origin")
    host = upgrade.headers.get("host")
    if origin is not None and not origin_allowed(origin, host, allowed_origins):
        raise BadUpgrade(403, f"origin {origin} is not allowed", document=document)
    token = parse_qs(urlsplit(upgrade.target).query).get("token", [None])[0]
    return Opening(document, token)


def _is_key(key: str) -> bool:
    try:
        return len(base64.b64decode(key.encode(), validate=True)) == 16
    except binascii.Error:
        return False


def switching(key: str) -> bytes:
    """The answer that opens the websocket."""
    accept = base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest())
    return _SWITCHING + accept + b"\r\n\r\n"


def refusal(status: int, text: str, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A plain-text HTTP answer that closes the connection."""
    body = f"{text}\n".encode()
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in extra),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
