"""Every label of the workshop model, in Finnish and English, in one place.

The keys are stable identifiers: they name the CRDT map entries, the export's JSON keys and the
schema's properties, so a wording change never touches stored documents. The tuples give the
order in which the interface and the exports present each group. The interface is Finnish
first, so Finnish is the default language.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Lang = Literal["fi", "en"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)

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

_LABELS: Final[dict[str, tuple[str, str]]] = {
    # Perspectives of the matrix (columns).
    "client": ("Asiakasnäkökulma", "Client perspective"),
    "professional": ("Ammattilaisnäkökulma", "Professional perspective"),
    "organisational": ("Organisatorinen näkökulma", "Organisational perspective"),
    "political_administrative": (
        "Poliittis-hallinnollinen näkökulma",
        "Political-administrative perspective",
    ),
    # Topics of the matrix (rows).
    "actors": ("Toimijat", "Actors"),
    "tasks": ("Tehtävät ja työnjaot", "Tasks and division of labour"),
    "knowledge": ("Tiedot, taidot ja välineet", "Knowledge, skills and tools"),
    "laws": ("Lait ja asetukset", "Laws and regulations"),
    "principles": ("Periaatteet ja säännöt", "Principles and rules"),
    "finances": ("Talous", "Finances"),
    # The development path.
    "starting_point": (
        "Lähtötilanne ja strategiset liittymäkohdat",
        "Starting point and strategic links",
    ),
    "target_group": ("Kohderyhmä ja asiakasymmärrys", "Target group and client insight"),
    "needs": ("Tarpeet", "Needs"),
    "co_developers": (
        "Kehittäjäjoukon kokoaminen ja yhteiskehittäminen",
        "Gathering the co-developers and co-development",
    ),
    "goals": ("Tavoitteet", "Goals"),
    # Implementation and evaluation.
    "trial": ("Kokeilu", "Trial"),
    "evaluation_questions": ("Arviointikysymykset", "Evaluation questions"),
    "evaluation_criteria": ("Arviointikriteerit", "Evaluation criteria"),
    "results": ("Tulokset", "Results"),
    "adoption_decision": ("Päätös käyttöönotosta", "Decision on adoption"),
    # The operating model.
    "name": ("Toimintamallin nimi", "Name of the operating model"),
    "short_description": ("Lyhyt kuvaus", "Short description"),
    "purpose": ("Käyttötarkoitus", "Purpose"),
    "core_idea": ("Ratkaisun perusidea", "Core idea of the solution"),
    "operating_environment": ("Toimintaympäristö", "Operating environment"),
    "conditions": (
        "Toimivuuden ja käyttöönoton ehdot",
        "Conditions for it to work and be adopted",
    ),
    "components": (
        "Keskeiset osatekijät / toteutuksen vaiheet",
        "Key components / implementation phases",
    ),
    "ideas": ("Ideat", "Ideas"),
    # Part titles.
    "model": ("Toimintamalli", "Operating model"),
    "matrix": ("Näkökulmataulukko", "Perspective matrix"),
    "path": ("Kehittämisen polku", "Development path"),
    "evaluation": ("Toteutus ja arviointi", "Implementation and evaluation"),
    # The matrix's corner cell.
    "topic": ("Aihe", "Topic"),
    "perspective": ("Näkökulma", "Perspective"),
    # Workshop metadata.
    "organisation": ("Organisaatio", "Organisation"),
    "place": ("Toteutuspaikka", "Place of implementation"),
    "municipality": (
        "Paikkakunta, maakunta tai hyvinvointialue",
        "Municipality, region or wellbeing services county",
    ),
    "funder": ("Rahoittaja", "Funder"),
    "programme": ("Kokonaisuus", "Programme"),
    "created": ("Luotu", "Created"),
    "updated": ("Viimeksi muokattu", "Last modified"),
}


def label(key: str, lang: Lang = "fi") -> str:
    """The label of a stable key; an unknown key is a programming error, so it raises KeyError."""
    fi, en = _LABELS[key]
    if lang == "fi":
        return fi
    if lang == "en":
        return en
    raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def keys() -> tuple[str, ...]:
    """Every labelled key, for tests and for interfaces that ship the whole table at once."""
    return tuple(_LABELS)
