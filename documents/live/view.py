"""What the `{id}.session` document shows every participant, and writing it there.

The server alone writes the session document (no role may write it over the socket); it holds
what everyone in the session may see, so clients receive it live: the agenda and the current
phase, the facilitator's focus, the timer, the locked targets, the open vote without tallies,
the closed votes' ordered results and the revealed notes. Hidden notes are never in it, nor is
anything a person's own (their notes, their dots): those are asked for over HTTP.

The document's root map `session` holds one entry per key below, each a plain JSON value
(Yjs `ContentAny`: a client reads `ymap.get('timer')` as an object). Times are milliseconds
since the epoch on the server's clock; a client corrects them by its offset from the server's
clock (the API's answers carry `server_time`).

| key | value |
|---|---|
| `id`, `title` | the session shown (the live one, or the last one after it ended) |
| `live` | false once it ended |
| `revision` | grows with every change; a write older than what is shown is skipped |
| `phases` | `[{title, targets, notes}]`: the agenda |
| `phase`, `phase_started_at` | the current phase's index, and when it was entered |
| `focus` | the target "follow me" shows, or null |
| `timer` | `{running, ends_at, remaining, duration}` or null (see documents/live/timer.py) |
| `locks` | the locked targets |
| `vote` | the open vote `{id, items, per_person, max_per_item}` or null: no tallies |
| `results` | closed votes: as `vote`, with `closed_at`, `results: [{item, label, count, rank}]` |
| `revealed` | revealed notes `[{id, text, author}]`, author null when revealed anonymously |
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from documents.live.timer import Timer
from documents.store.sessions import NoteRecord, SessionRecord, VoteRecord
from documents.workshop_doc import root


def millis(seconds: float) -> int:
    return round(seconds * 1000)


def timer_json(timer: Timer | None) -> dict[str, Any] | None:
    if timer is None:
        return None
    return {
        "running": timer.running,
        "ends_at": None if timer.ends_at is None else millis(timer.ends_at),
        "remaining": millis(timer.remaining),
        "duration": millis(timer.duration),
    }


def vote_json(vote: VoteRecord) -> dict[str, Any]:
    """A vote as everyone may see it: its rules, and its results once (and only once) closed."""
    data: dict[str, Any] = {"id": vote.id, **vote.rules.to_json()}
    if vote.results is not None and vote.closed_at is not None:
        data["closed_at"] = millis(vote.closed_at.timestamp())
        data["results"] = [tally.to_json() for tally in vote.results]
    return data


def revealed_json(note: NoteRecord) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "author": None if note.anonymous else note.author}


def session_view(
    session: SessionRecord, votes: list[VoteRecord], revealed: list[NoteRecord]
) -> dict[str, Any]:
    """The session document's entries for this session (see the table above)."""
    state = session.state
    open_votes = [vote_json(vote) for vote in votes if vote.open]
    return {
        "id": session.id,
        "title": session.title,
        "live": session.live,
        "revision": session.revision,
        "phases": [phase.to_json() for phase in state.phases],
        "phase": state.phase,
        "phase_started_at": millis(state.periods[-1].started_at),
        "focus": state.focus,
        "timer": timer_json(state.timer),
        "locks": list(state.locks),
        "vote": open_votes[0] if open_votes else None,
        "results": [vote_json(vote) for vote in votes if not vote.open],
        "revealed": [revealed_json(note) for note in revealed if note.revealed_at is not None],
    }


def _newer_shown(shown: Map[Any], view: dict[str, Any]) -> bool:
    """Whether the document already shows something this view must not replace: a later
    revision of the same session, or another session that is live while this one is not."""
    shown_id, revision = shown.get("id"), shown.get("revision")
    if shown_id == view["id"]:
        return isinstance(revision, int | float) and revision > view["revision"]
    return shown.get("live") is True and not view["live"]


def write_view(doc: Doc[Any], view: dict[str, Any]) -> None:
    """Make the session document show `view`, changing only the entries that differ (so an
    action sends only what it changed); entries from an older shape are removed."""
    shown = root(doc, "session")
    if _newer_shown(shown, view):
        return
    with doc.transaction(origin="verstas-session"):
        for key in set(shown.keys()) - view.keys():
            del shown[key]
        for key, value in view.items():
            if key not in shown or shown[key] != value:
                shown[key] = value
