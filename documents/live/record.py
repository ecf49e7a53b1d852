"""A session's record (`schemas/session-export.schema.json`) and its Markdown.

The record is what a session leaves: its phases with the times each was worked on, the notes
revealed (hidden ones never were anyone's but their author's, so they are not in it), the
closed votes' ordered results, how many people joined and the version of the content made
when it ended. It is built from stored rows only, so a past session's record never changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from documents.labels import N_
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


class Wording(Protocol):
    """How the reader's language writes the record (web.i18n's Localiser is one): the domain
    marks its words (`N_`), the catalogues translate them."""

    def gettext(self, message: str) -> str: ...

    def label(self, key: str) -> str: ...

    def date(self, value: date) -> str: ...

    def time(self, value: datetime) -> str:
        """The time of day, in the value's own time zone."""
        ...


WORKSHOP: Final = N_("Workshop")
STARTED: Final = N_("Began")
ENDED: Final = N_("Ended")
STILL_LIVE: Final = N_("The session is still live.")
PEOPLE: Final = N_("People who joined")
VERSION: Final = N_("Version of the content")
PHASES: Final = N_("Phases")
NOT_WORKED_ON: Final = N_("not worked on")
REVEALED: Final = N_("Revealed notes")
VOTES: Final = N_("Dot votes")
VOTE: Final = N_("Vote %(number)s")
PER_PERSON: Final = N_("Dots per person")
MAX_PER_ITEM: Final = N_("At most on one item")
RANK: Final = N_("Rank")
ITEM: Final = N_("Item")
DOTS: Final = N_("Dots")
WHOLE: Final = N_("The whole workshop")


def target_label(target: str, words: Wording) -> str:
    """A target as the reader knows it: `matrix/client.actors` is, in Finnish,
    "Näkökulmataulukko: Asiakasnäkökulma / Toimijat"."""
    if target == CONTENT:
        return words.gettext(WHOLE)
    if target in SECTIONS:
        return words.label(target)
    if target.startswith(COMPONENTS):
        return words.label("components")
    if target.startswith(IDEAS):
        return words.label("ideas")
    section, _, key = target.partition("/")
    if section == "matrix":
        perspective, _, topic = key.partition(".")
        return f"{words.label('matrix')}: {words.label(perspective)} / {words.label(topic)}"
    return words.label(key)


def local(text: str) -> datetime:
    """An ISO 8601 instant in the room's time: Helsinki's."""
    return datetime.fromisoformat(text).astimezone(HELSINKI)


def finnish_date(seconds: float) -> str:
    """A date as the version's label writes it whatever the reader's language: 5.12.2026."""
    moment = datetime.fromtimestamp(seconds, HELSINKI)
    return f"{moment.day}.{moment.month}.{moment.year}"


def _line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    """One table cell on one line, its pipes escaped."""
    return _line(text).replace("\\", "\\\\").replace("|", "\\|")


def record_markdown(record: dict[str, Any], words: Wording) -> str:
    """The record to read or send as it is, in the reader's language (times in Helsinki's)."""
    session = record["session"]

    def moment(text: str) -> str:
        return f"{words.date(local(text).date())} {words.time(local(text))}"

    def fact(message: str, value: str) -> str:
        return f"- **{words.gettext(message)}:** {value}"

    facts = [
        fact(WORKSHOP, _line(record["workshop"]["title"])),
        fact(STARTED, moment(session["started_at"])),
        fact(ENDED, moment(session["ended_at"]))
        if session["ended_at"]
        else f"- **{words.gettext(STILL_LIVE)}**",
        fact(PEOPLE, str(record["participants"])),
    ]
    if record["version"] is not None:
        facts.append(fact(VERSION, _line(record["version"]["label"])))
    blocks = [f"# Innopaja: {_line(session['title'])}", "\n".join(facts)]
    phases = [_phase(phase, words) for phase in record["phases"]]
    blocks.append(f"## {words.gettext(PHASES)}\n\n" + "\n".join(phases))
    if record["notes"]:
        notes = [
            f"- {_line(note['text'])}" + (f" ({_line(note['author'])})" if note["author"] else "")
            for note in record["notes"]
        ]
        blocks.append(f"## {words.gettext(REVEALED)}\n\n" + "\n".join(notes))
    closed = [vote for vote in record["votes"] if vote["results"] is not None]
    if closed:
        blocks.append(f"## {words.gettext(VOTES)}")
        blocks += [_vote(number, vote, words) for number, vote in enumerate(closed, start=1)]
    return "\n\n".join(blocks) + "\n"


def _phase(phase: dict[str, Any], words: Wording) -> str:
    parts = ", ".join(target_label(target, words) for target in phase["targets"])
    periods = ", ".join(
        words.time(local(period["started_at"]))
        + "\u2013"  # an en dash between times
        + (words.time(local(period["ended_at"])) if period["ended_at"] else "")
        for period in phase["periods"]
    )
    title = _line(phase["title"])
    return f"{phase['index'] + 1}. **{title}** ({parts}): {periods or words.gettext(NOT_WORKED_ON)}"


def _vote(number: int, vote: dict[str, Any], words: Wording) -> str:
    """The rules as facts, the results as a table (ties share a rank, which a Markdown ordered
    list would renumber)."""
    head = f"### {words.gettext(VOTE) % {'number': number}}"
    rules = (
        f"- **{words.gettext(PER_PERSON)}:** {vote['per_person']}\n"
        f"- **{words.gettext(MAX_PER_ITEM)}:** {vote['max_per_item']}"
    )
    rows = [
        f"| {words.gettext(RANK)} | {words.gettext(ITEM)} | {words.gettext(DOTS)} |",
        "|---|---|---|",
        *(
            f"| {tally['rank']} | {_cell(tally['label']) or tally['item']} | {tally['count']} |"
            for tally in vote["results"]
        ),
    ]
    return "\n\n".join((head, rules, "\n".join(rows)))
