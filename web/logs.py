"""Structured logs: JSON lines when not on a terminal, readable key=value lines on one.

Our own lines go from structlog straight to stderr, rendered by orjson: through the standard
library's logging (a LogRecord, the handler's lock, a formatter) a line cost ~25 µs, a fifth of
the server's time while thousands of clients connect (py-spy), and a line below the level
still cost 5 µs; now ~5 µs and nothing. uvicorn's and the libraries' stdlib log records go
through the same processors and renderer, so an operator reads one format.

Share-link tokens travel in query strings (`?token=`); every string in every record has them
redacted before it is rendered. A parameter is known by its decoded name, as
Starlette and the socket read it, so `?%74oken=` is redacted too.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote_plus

import orjson
import structlog

_PARAMETER = re.compile(r"([?&;])([^=&;?\s\"']+)=([^&;\s\"']+)")
SECRET_PARAMETERS = frozenset({"token"})


def _redacted(found: re.Match[str]) -> str:
    separator, name, value = found.groups()
    if unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
        value = "[redacted]"
    return f"{separator}{name}={value}"


def redact_tokens(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any `token` query parameter in the record's strings, however its
    name is spelt (`%74oken`, `tok%65n`)."""
    for key, value in event.items():
        if isinstance(value, str) and "=" in value and ("%" in value or "oken" in value.lower()):
            event[key] = _PARAMETER.sub(_redacted, value)
    return event


_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_tokens,
]


def _as_json_bytes(event: Any, **_: Any) -> bytes:
    """orjson, with anything it cannot encode written as its `str()`."""
    return orjson.dumps(event, default=str)


def _as_json_text(event: Any, **_: Any) -> str:
    """The same for the standard library's records, whose formatter returns text."""
    return orjson.dumps(event, default=str).decode()


def configure_logging(level: str = "info", *, json: bool | None = None) -> None:
    """Route structlog and stdlib logging to stderr in one format."""
    as_json = not sys.stderr.isatty() if json is None else json
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_as_json_text)
        if as_json
        else structlog.dev.ConsoleRenderer()
    )
    ours: list[structlog.typing.Processor] = [*_SHARED, structlog.processors.format_exc_info]
    if as_json:
        ours.append(structlog.processors.JSONRenderer(serializer=_as_json_bytes))
        factory: Any = structlog.BytesLoggerFactory(sys.stderr.buffer)
    else:
        ours.append(renderer)
        factory = structlog.WriteLoggerFactory(sys.stderr)
    structlog.configure(
        processors=ours,
        logger_factory=factory,
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED, structlog.processors.format_exc_info],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # Alembic narrates every step of a migration; a server that creates the schema on a new
    # database says so in one line of its own (web/server.py).
    logging.getLogger("alembic").setLevel(logging.WARNING)
