"""Every label of the workshop model, under its stable key, in one place.

The keys are stable identifiers: they name the CRDT map entries, the export's JSON keys and the
schema's properties, so a wording change never touches stored documents. The tuples give the
order in which the interface and the exports present each group.

Each key's label here is its English name, the message id of the gettext catalogues
(`web/locale/`), which give it in Finnish (the guide's own wording, and the default language),
Swedish and English. This module only marks the names for extraction (`N_`); translating them
is the web layer's job (`web/i18n.py`), so the domain stays free of catalogues and IO.
"""

from __future__ import annotations

from typing import Final


def N_(message: str) -> str:
    """gettext's conventional name for a no-op marker: puts `message` in the catalogues'
    extraction without translating it here."""
    return message


PERSPECTIVES: Final = ("client", "professional", "organisational", "political_administrative")
TOPICS: Final = ("actors", "tasks", "knowledge", "laws", "principles", "finances")
PATH_SECTIONS: Final = ("starting_point", "target_group", "needs", "co_developers", "goals")
EVALUATION_SECTIONS: Final = (
    "trial",
    "evaluation_questions",
    "evaluation_criteria",
    "results",
    "adoption_decision",
)
MODEL_SECTIONS: Final = (
    "name",
    "short_description",
    "purpose",
    "core_idea",
    "operating_environment",
    "conditions",
)
# The four parts of a workshop, in the order the operating-model description presents them.
PARTS: Final = ("model", "matrix", "path", "evaluation")
METADATA_FIELDS: Final = ("organisation", "place", "municipality", "funder", "programme")

_LABELS: Final[dict[str, str]] = {
    # Perspectives of the matrix (columns).
    "client": N_("Client perspective"),
    "professional": N_("Professional perspective"),
    "organisational": N_("Organisational perspective"),
    "political_administrative": N_("Political-administrative perspective"),
    # Topics of the matrix (rows).
    "actors": N_("Actors"),
    "tasks": N_("Tasks and division of labour"),
    "knowledge": N_("Knowledge, skills and tools"),
    "laws": N_("Laws and regulations"),
    "principles": N_("Principles and rules"),
    "finances": N_("Finances"),
    # The development path.
    "starting_point": N_("Starting point and strategic links"),
    "target_group": N_("Target group and client insight"),
    "needs": N_("Needs"),
    "co_developers": N_("Gathering the co-developers and co-development"),
    "goals": N_("Goals"),
    # Implementation and evaluation.
    "trial": N_("Trial"),
    "evaluation_questions": N_("Evaluation questions"),
    "evaluation_criteria": N_("Evaluation criteria"),
    "results": N_("Results"),
    "adoption_decision": N_("Decision on adoption"),
    # The operating model.
    "name": N_("Name of the operating model"),
    "short_description": N_("Short description"),
    "purpose": N_("Purpose"),
    "core_idea": N_("Core idea of the solution"),
    "operating_environment": N_("Operating environment"),
    "conditions": N_("Conditions for it to work and be adopted"),
    "components": N_("Key components / implementation phases"),
    "ideas": N_("Ideas"),
    # Part titles.
    "model": N_("Operating model"),
    "matrix": N_("Perspective matrix"),
    "path": N_("Development path"),
    "evaluation": N_("Implementation and evaluation"),
    # The matrix's corner cell.
    "topic": N_("Topic"),
    "perspective": N_("Perspective"),
    # Workshop metadata.
    "organisation": N_("Organisation"),
    "place": N_("Place of implementation"),
    "municipality": N_("Municipality, region or wellbeing services county"),
    "funder": N_("Funder"),
    "programme": N_("Programme"),
    "created": N_("Created"),
    "updated": N_("Last modified"),
}


def label(key: str) -> str:
    """The English label of a stable key, the message id its translations are found by; an
    unknown key is a programming error, so it raises KeyError."""
    return _LABELS[key]


def keys() -> tuple[str, ...]:
    """Every labelled key, for tests and for interfaces that ship the whole table at once."""
    return tuple(_LABELS)
