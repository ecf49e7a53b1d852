"""A session's record (`schemas/session-export.schema.json`) and its Finnish Markdown.

The record is what a session leaves: its phases with the times each was worked on, the notes
revealed (hidden ones never were anyone's but their author's, so they are not in it), the
closed votes' ordered results, how many people joined and the version of the content made
when it ended. It is built from stored rows only, so a past session's record never changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from documents.labels import label
from documents.live.targets import COMPONENTS, CONTENT, IDEAS, SECTIONS
from documents.live.view import revealed_json
from documents.store.sessions import NoteRecord, SessionRecord, VoteRecord

FORMAT: Final = "verstas.innopaja/1"
# Finnish services, Finnish time: the Markdown's times are read by people in the room.
HELSINKI: Final = ZoneInfo("Europe/Helsinki")


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def session_record(
    workshop: dict[str, str],
    session: SessionRecord,
    votes: list[VoteRecord],
    revealed: list[NoteRecord],
    participants: int,
    version: dict[str, str] | None,
) -> dict[str, Any]:
    """`workshop` is `{id, title}`, `version` `{id, label}` of the version made at the end."""
    state = session.state
    return {
        "format": FORMAT,
        "workshop": workshop,
        "session": {
            "id": session.id,
            "title": session.title,
            "live": session.live,
            "started_at": session.created_at.isoformat(),
            "ended_at": None if session.ended_at is None else session.ended_at.isoformat(),
        },
        "phases": [
            {
                "index": index,
                **phase.to_json(),
                "periods": [
                    {
                        "started_at": iso(period.started_at),
                        "ended_at": None if period.ended_at is None else iso(period.ended_at),
                    }
                    for period in state.periods
                    if period.phase == index
                ],
            }
            for index, phase in enumerate(state.phases)
        ],
        "notes": [
            {
                **revealed_json(note),
                "phase": note.phase,
                "revealed_at": note.revealed_at.isoformat() if note.revealed_at else None,
            }
            for note in revealed
        ],
        "votes": [
            {
                "id": vote.id,
                **vote.rules.to_json(),
                "opened_at": vote.opened_at.isoformat(),
                "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
                "results": None
                if vote.results is None
                else [tally.to_json() for tally in vote.results],
            }
            for vote in votes
        ],
        "participants": participants,
        "version": version,
    }


def target_label(target: str) -> str:
    """A target as a Finnish reader knows it: `matrix/client.actors` is
    "Näkökulmataulukko: Asiakasnäkökulma / Toimijat"."""
    if target == CONTENT:
        return "Koko verstas"
    if target in SECTIONS:
        return label(target)
    if target.startswith(COMPONENTS):
        return label("components")
    if target.startswith(IDEAS):
        return "Idea"
    section, _, key = target.partition("/")
    if section == "matrix":
        perspective, _, topic = key.partition(".")
        return f"{label('matrix')}: {label(perspective)} / {label(topic)}"
    return label(key)


def finnish_time(text: str, *, date: bool = True) -> str:
    """An ISO 8601 instant as Finnish local time: "5.12.2026 klo 9.05", or "9.05"."""
    local = datetime.fromisoformat(text).astimezone(HELSINKI)
    clock = f"{local.hour}.{local.minute:02d}"
    return f"{local.day}.{local.month}.{local.year} klo {clock}" if date else clock


def finnish_date(seconds: float) -> str:
    local = datetime.fromtimestamp(seconds, HELSINKI)
    return f"{local.day}.{local.month}.{local.year}"


def _line(text: str) -> str:
    return " ".join(text.split())


def record_markdown(record: dict[str, Any]) -> str:
    """The record in Finnish, to read or send as it is."""
    session = record["session"]
    facts = [
        f"- **Verstas:** {_line(record['workshop']['title'])}",
        f"- **Alkoi:** {finnish_time(session['started_at'])}",
        f"- **Päättyi:** {finnish_time(session['ended_at'])}"
        if session["ended_at"]
        else "- **Istunto on käynnissä.**",
        f"- **Osallistujia:** {record['participants']}",
    ]
    if record["version"] is not None:
        facts.append(f"- **Sisällön versio:** {_line(record['version']['label'])}")
    blocks = [f"# Innopaja: {_line(session['title'])}", "\n".join(facts)]
    blocks.append("## Vaiheet\n\n" + "\n".join(_phase(phase) for phase in record["phases"]))
    if record["notes"]:
        notes = [
            f"- {_line(note['text'])}" + (f" ({_line(note['author'])})" if note["author"] else "")
            for note in record["notes"]
        ]
        blocks.append("## Paljastetut muistilaput\n\n" + "\n".join(notes))
    closed = [vote for vote in record["votes"] if vote["results"] is not None]
    if closed:
        blocks.append("## Äänestykset")
        blocks += [_vote(number, vote) for number, vote in enumerate(closed, start=1)]
    return "\n\n".join(blocks) + "\n"


def _phase(phase: dict[str, Any]) -> str:
    parts = ", ".join(target_label(target) for target in phase["targets"])
    periods = ", ".join(
        finnish_time(period["started_at"], date=False)
        + "\u2013"  # an en dash between times
        + (finnish_time(period["ended_at"], date=False) if period["ended_at"] else "")
        for period in phase["periods"]
    )
    title = _line(phase["title"])
    return f"{phase['index'] + 1}. **{title}** ({parts}): {periods or 'ei käsitelty'}"


def _vote(number: int, vote: dict[str, Any]) -> str:
    head = (
        f"### Äänestys {number}: {vote['per_person']} pistettä kullakin, "
        f"enintään {vote['max_per_item']} samaan kohteeseen"
    )
    # Ranks as text: a Markdown ordered list would renumber the ties.
    lines = [
        f"- **{tally['rank']}.** {_line(tally['label']) or tally['item']}: {tally['count']} "
        + ("piste" if tally["count"] == 1 else "pistettä")
        for tally in vote["results"]
    ]
    return head + "\n\n" + "\n".join(lines)
