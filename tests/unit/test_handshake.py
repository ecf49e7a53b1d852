"""The endpoint answers the websocket upgrade itself; it must accept and refuse what the
`websockets` library would, and answer with the key RFC 6455 computes."""

from __future__ import annotations

import logging

import pytest
from websockets.server import ServerProtocol

from collab.handshake import BadUpgrade, Upgrade, read_opening, read_upgrade, refusal, switching

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 1.3's example


def request(*lines: str, method: str = "GET") -> bytes:
    """A request as uvicorn rebuilds it (lower-case names) for the websocket protocol."""
    return (
        f"{method} /collab/room?token=abc HTTP/1.1\r\n"
        + "".join(f"{line}\r\n" for line in lines)
        + "\r\n"
    ).encode()


VALID = (
    "host: 127.0.0.1:8000",
    "connection: keep-alive, Upgrade",
    "upgrade: websocket",
    "sec-websocket-version: 13",
    f"sec-websocket-key: {KEY}",
    "origin: http://127.0.0.1:8000",
    "sec-websocket-extensions: permessage-deflate; client_max_window_bits",
)


def websockets_accepts(raw: bytes) -> bool:
    protocol = ServerProtocol(logger=logging.getLogger("test"))
    protocol.receive_data(raw)
    events = protocol.events_received()
    if not events:
        return False
    return protocol.accept(events[0]).status_code == 101  # type: ignore[arg-type]


def test_a_valid_upgrade_is_read_with_its_target_and_headers() -> None:
    upgrade = read_upgrade(request(*VALID))
    assert upgrade.target == "/collab/room?token=abc"
    assert upgrade.key == KEY
    assert upgrade.headers["origin"] == "http://127.0.0.1:8000"


def test_the_answer_carries_the_accept_key_of_rfc_6455() -> None:
    answer = switching(KEY)
    assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n" in answer
    assert b"Sec-WebSocket-Extensions" not in answer


def without(name: str) -> tuple[str, ...]:
    return tuple(line for line in VALID if not line.startswith(name))


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (request(*VALID, method="POST"), 405),
        (request(*without("connection"), "connection: keep-alive"), 426),
        (request(*without("upgrade"), "upgrade: h2c"), 426),
        (request(*without("upgrade")), 426),
        (request(*without("sec-websocket-key")), 400),
        (request(*VALID, f"sec-websocket-key: {KEY}"), 400),
        (request(*without("sec-websocket-key"), "sec-websocket-key: not base64!"), 400),
        (request(*without("sec-websocket-key"), "sec-websocket-key: c2hvcnQ="), 400),
        (request(*without("sec-websocket-version"), "sec-websocket-version: 8"), 400),
        (request(*without("sec-websocket-version")), 400),
    ],
)
def test_what_websockets_refuses_is_refused(raw: bytes, status: int) -> None:
    assert not websockets_accepts(raw)
    with pytest.raises(BadUpgrade) as refused:
        read_upgrade(raw)
    assert refused.value.status == status


def test_what_websockets_accepts_is_accepted() -> None:
    raw = request(*VALID)
    assert websockets_accepts(raw)
    assert read_upgrade(raw).key == KEY


def test_an_incomplete_request_is_refused() -> None:
    with pytest.raises(BadUpgrade) as refused:
        read_upgrade(request(*VALID)[:-2])
    assert refused.value.status == 400


def test_a_refusal_is_a_whole_plain_text_answer_that_closes() -> None:
    answer = refusal(426, "this is a websocket endpoint", (("Upgrade", "websocket"),))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 426 Upgrade Required\r\n")
    assert b"\r\nConnection: close\r\n" in head + b"\r\n"
    assert b"\r\nUpgrade: websocket" in head
    assert body == b"this is a websocket endpoint\n"
    assert f"Content-Length: {len(body)}".encode() in head


def upgrade_to(target: str, origin: str | None = "http://127.0.0.1:8000") -> Upgrade:
    headers = {"host": "127.0.0.1:8000"} | ({"origin": origin} if origin else {})
    return Upgrade(target, headers, KEY)


def test_the_opening_names_the_document_and_the_token() -> None:
    opening = read_opening(upgrade_to("/collab/w1.content?token=abc&x=1"), frozenset())
    assert (opening.document, opening.token) == ("w1.content", "abc")
    assert read_opening(upgrade_to("/collab/room", origin=None), frozenset()).token is None


@pytest.mark.parametrize(
    ("target", "origin", "status", "document"),
    [
        ("/elsewhere/room", None, 404, ""),
        ("/collab/no/slashes", None, 400, "no/slashes"),
        ("/collab/", None, 400, ""),
        ("/collab/room", "https://evil.example", 403, "room"),
    ],
)
def test_a_bad_opening_is_refused_naming_what_was_asked_for(
    target: str, origin: str | None, status: int, document: str
) -> None:
    with pytest.raises(BadUpgrade) as refused:
        read_opening(upgrade_to(target, origin), frozenset({"https://verstas.example"}))
    assert (refused.value.status, refused.value.document) == (status, document)
