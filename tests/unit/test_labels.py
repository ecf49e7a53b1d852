"""The label table: every key of every group has a label in each language (from the
catalogues), Finnish in the guide's wording and Swedish in the domain's."""

from __future__ import annotations

import pytest

from documents.labels import (
    EVALUATION_SECTIONS,
    METADATA_FIELDS,
    MODEL_SECTIONS,
    PARTS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
    keys,
    label,
)
from web.i18n import LANGS, localiser

GROUPS = {
    "perspectives": PERSPECTIVES,
    "topics": TOPICS,
    "path": PATH_SECTIONS,
    "evaluation": EVALUATION_SECTIONS,
    "model": MODEL_SECTIONS,
    "parts": PARTS,
    "metadata": METADATA_FIELDS,
}


def test_group_sizes_follow_the_domain() -> None:
    assert PERSPECTIVES == ("client", "professional", "organisational", "political_administrative")
    assert len(TOPICS) == 6
    assert len(PATH_SECTIONS) == 5
    assert len(EVALUATION_SECTIONS) == 5
    assert len(MODEL_SECTIONS) == 6
    assert PARTS == ("model", "matrix", "path", "evaluation")


@pytest.mark.parametrize("group", GROUPS)
def test_every_key_has_distinct_labels_in_every_language(group: str) -> None:
    for lang in LANGS:
        labels = [localiser(lang).label(key) for key in GROUPS[group]]
        assert all(text.strip() == text and text for text in labels)
        assert len(set(labels)) == len(labels)


def test_the_table_holds_every_group_and_the_list_labels() -> None:
    grouped = {key for group in GROUPS.values() for key in group}
    assert grouped | {"components", "ideas", "topic", "perspective", "created", "updated"} == set(
        keys()
    )


@pytest.mark.parametrize(
    ("key", "finnish"),
    [
        ("client", "Asiakasnäkökulma"),
        ("professional", "Ammattilaisnäkökulma"),
        ("organisational", "Organisatorinen näkökulma"),
        ("political_administrative", "Poliittis-hallinnollinen näkökulma"),
        ("actors", "Toimijat"),
        ("tasks", "Tehtävät ja työnjaot"),
        ("knowledge", "Tiedot, taidot ja välineet"),
        ("laws", "Lait ja asetukset"),
        ("principles", "Periaatteet ja säännöt"),
        ("finances", "Talous"),
        ("starting_point", "Lähtötilanne ja strategiset liittymäkohdat"),
        ("target_group", "Kohderyhmä ja asiakasymmärrys"),
        ("needs", "Tarpeet"),
        ("co_developers", "Kehittäjäjoukon kokoaminen ja yhteiskehittäminen"),
        ("goals", "Tavoitteet"),
        ("adoption_decision", "Päätös käyttöönotosta"),
        ("purpose", "Käyttötarkoitus"),
        ("conditions", "Toimivuuden ja käyttöönoton ehdot"),
        ("components", "Keskeiset osatekijät / toteutuksen vaiheet"),
        ("path", "Kehittämisen polku"),
        ("matrix", "Näkökulmataulukko"),
        ("evaluation", "Toteutus ja arviointi"),
        ("model", "Toimintamalli"),
        ("municipality", "Paikkakunta, maakunta tai hyvinvointialue"),
        ("funder", "Rahoittaja"),
        ("programme", "Kokonaisuus"),
    ],
)
def test_finnish_wording_is_the_guides(key: str, finnish: str) -> None:
    assert localiser("fi").label(key) == finnish


@pytest.mark.parametrize(
    ("key", "swedish"),
    [
        # The Swedish of the domain's word list (shared DOMAIN.md, "Words").
        ("matrix", "Perspektivtabell"),
        ("client", "Klientperspektiv"),
        ("professional", "Yrkesperspektiv"),
        ("organisational", "Organisatoriskt perspektiv"),
        ("political_administrative", "Politiskt-administrativt perspektiv"),
        ("actors", "Aktörer"),
        ("tasks", "Uppgifter och arbetsfördelning"),
        ("knowledge", "Kunskaper, färdigheter och verktyg"),
        ("laws", "Lagar och förordningar"),
        ("principles", "Principer och regler"),
        ("finances", "Ekonomi"),
        ("evaluation", "Genomförande och utvärdering"),
        ("model", "Verksamhetsmodell"),
        ("purpose", "Användningsområde"),
        ("components", "Centrala delar / genomförandets faser"),
        ("path", "Utvecklingsstig"),
        ("municipality", "Kommun, landskap eller välfärdsområde"),
    ],
)
def test_swedish_wording_is_the_domains(key: str, swedish: str) -> None:
    assert localiser("sv").label(key) == swedish


def test_the_english_label_is_the_message_id() -> None:
    assert label("client") == localiser("en").label("client") == "Client perspective"
    assert localiser("en").label("laws") == "Laws and regulations"


def test_an_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        label("nonexistent")
