"""Which language a request gets, and how each language writes messages, plurals, roles,
dates and numbers (web/i18n.py, on the real catalogues)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from tests.support.untranslated import untranslated
from web.i18n import LANGS, Lang, accepted, localiser, negotiate, parse_lang


@pytest.mark.parametrize(
    ("value", "lang"),
    [("fi", "fi"), ("sv", "sv"), ("EN", "en"), (" sv ", "sv"), ("de", None), ("", None)],
)
def test_only_our_languages_parse(value: str, lang: Lang | None) -> None:
    assert parse_lang(value) == lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("sv-FI,sv;q=0.9,en;q=0.5", "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, de;q=0.9, sv;q=0.4, en;q=0.3", "sv"),
        ("en;q=0.5, fi;q=0.8", "fi"),
        ("fi;q=0, sv;q=0.1", "sv"),
        ("sv;q=0.5, en;q=0.5", "sv"),
        ("sv_FI", "sv"),
        ("de, *;q=0.5", None),
        ("sv;q=high", None),
        ("", None),
    ],
)
def test_accept_language_picks_the_best_language_we_speak(header: str, lang: Lang | None) -> None:
    assert accepted(header) == lang


def test_the_url_beats_the_cookie_which_beats_the_browser_which_beats_finnish() -> None:
    assert negotiate("en", "sv", "fi") == "en"
    assert negotiate(None, "sv", "en") == "sv"
    assert negotiate("xx", "yy", "en-US") == "en"
    assert negotiate(None, None, None) == "fi"
    assert negotiate("", "", "de") == "fi"


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("fi", "4.12.2026", "4.12.2026 klo 14.05"),
        ("sv", "4.12.2026", "4.12.2026 kl. 14.05"),
        ("en", "4 Dec 2026", "4 Dec 2026, 14:05"),
    ],
)
def test_dates_as_each_language_writes_them(lang: Lang, day: str, moment: str) -> None:
    speaker = localiser(lang)
    assert speaker.date(date(2026, 12, 4)) == day
    assert speaker.datetime(datetime(2026, 12, 4, 14, 5, tzinfo=UTC)) == moment
    assert speaker.datetime("2026-12-04T14:05:09+00:00") == moment
    assert speaker.datetime("not a time") == "not a time"


def test_numbers_as_each_language_writes_them() -> None:
    assert localiser("fi").number(12345) == "12\N{NO-BREAK SPACE}345"
    assert localiser("sv").number(1.5, 2) == "1,50"
    assert localiser("en").number(12345.678, 2) == "12,345.68"


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [
        ("fi", "1 merkintä, 10 tavua", "3 merkintää, 10 tavua"),
        ("sv", "1 post, 10 byte", "3 poster, 10 byte"),
        ("en", "1 entry, 10 bytes", "3 entries, 10 bytes"),
    ],
)
def test_plural_forms_follow_the_language(lang: Lang, one: str, many: str) -> None:
    speaker = localiser(lang)
    singular, plural = "%(entries)s entry, %(bytes)s bytes", "%(entries)s entries, %(bytes)s bytes"
    assert speaker.ngettext(singular, plural, 1) % {"entries": 1, "bytes": 10} == one
    assert speaker.ngettext(singular, plural, 3) % {"entries": 3, "bytes": 10} == many


def test_role_names_in_each_language() -> None:
    assert [localiser("fi").role(r) for r in ("viewer", "editor", "owner")] == [
        "lukija",
        "muokkaaja",
        "omistaja",
    ]
    assert [localiser("sv").role(r) for r in ("viewer", "commenter", "editor", "owner")] == [
        "läsare",
        "kommentator",
        "redigerare",
        "ägare",
    ]
    assert localiser("en").role(None) == "viewer"


@pytest.mark.parametrize("lang", LANGS)
def test_the_browsers_catalogue_is_json_that_cannot_end_its_script_element(lang: Lang) -> None:
    text = localiser(lang).client_json()
    assert "<" not in text
    assert ">" not in text
    data = json.loads(text)
    assert data["lang"] == lang
    assert data["plurals"] == ["one", "other"]
    assert data["roles"]["editor"] == localiser(lang).role("editor")
    assert (
        data["messages"]["Connected"]
        == {"fi": "Yhdistetty", "sv": "Ansluten", "en": "Connected"}[lang]
    )
    assert data["messages"]["In use in {n} other place."][1].count("{n}") == 1


def test_the_untranslated_check_finds_words_from_outside_the_catalogue() -> None:
    assert untranslated(["Ansluten", "Roll: ägare, endast läsning"], "sv") == []
    assert untranslated(["Yhdistetty"], "sv") == ["Yhdistetty"]
    assert untranslated(["Connected"], "fi") == ["Connected"]
    assert untranslated(["Kuopio ehdottaa"], "fi", data=["Kuopio"]) == []
    assert untranslated(["Kuopio ehdottaa"], "fi") == ["Kuopio ehdottaa"]
    assert untranslated(["4 Dec 2026, 14:05", "12 345", "Verstas", "svenska"], "en") == []
    assert untranslated(["Dec"], "fi") == ["Dec"]
    assert untranslated(["Verstaset"], "en") == ["Verstaset"]  # whole words only
