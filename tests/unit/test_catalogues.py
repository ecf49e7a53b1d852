"""The gettext catalogues (web/locale) against the code: every message the code marks is in
every language's catalogue, translated (no empty or fuzzy msgstr), with the same placeholders
and markup as its English id, and the committed .mo files are compiled from the .po files as
they are now. `scripts/translations` brings them up to date."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, check_and_call_extract_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from web.i18n import CLIENT_DOMAIN, DOMAIN, LANGS, LOCALE_DIR, Lang

REPO = Path(__file__).resolve().parents[2]
# The files each domain is extracted from, as scripts/translations gives them to pybabel.
SOURCES = {
    DOMAIN: [
        "web/**/*.py",
        "web/pages/templates/*.html",
        "documents/labels.py",
        "documents/live/record.py",
    ],
    CLIENT_DOMAIN: ["web/client/*.js"],
}
CATALOGUES = [(domain, lang) for domain in SOURCES for lang in LANGS]
PYTHON_FORMAT = re.compile(r"%\(\w+\)s")
BRACE_FORMAT = re.compile(r"\{\w+\}")
TAG = re.compile(r"<[^>]+>")

MessageId = str | tuple[str, ...]


@cache
def catalogue(domain: str, lang: Lang) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as po:
        return read_po(po, locale=lang)


def messages(domain: str, lang: Lang) -> list[Message]:
    return [message for message in catalogue(domain, lang) if message.id]


@cache
def extracted(domain: str) -> frozenset[MessageId]:
    """The message ids the code marks, extracted with babel.cfg's mapping."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)  # type: ignore[no-untyped-call]
    found: set[MessageId] = set()
    for pattern in SOURCES[domain]:
        for path in sorted(REPO.glob(pattern)):
            for _, _, message, _, _ in check_and_call_extract_file(
                path,
                method_map,
                options_map,
                callback=None,
                keywords=DEFAULT_KEYWORDS,
                comment_tags=(),
                strip_comment_tags=False,
                dirpath=REPO,
            ):
                found.add(message if isinstance(message, str) else tuple(message))
    return frozenset(found)


def forms(message: Message) -> list[str]:
    return (
        [str(form) for form in message.string]
        if isinstance(message.string, tuple)
        else [str(message.string)]
    )


def ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


@pytest.mark.parametrize(("domain", "lang"), CATALOGUES)
def test_the_catalogue_holds_exactly_what_the_code_marks(domain: str, lang: Lang) -> None:
    held = {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages(domain, lang)}
    assert extracted(domain) - held == set(), "marked in the code, missing from the catalogue"
    assert held - extracted(domain) == set(), "in the catalogue, no longer in the code"
    assert not catalogue(domain, lang).obsolete


@pytest.mark.parametrize(("domain", "lang"), CATALOGUES)
def test_every_message_is_translated(domain: str, lang: Lang) -> None:
    assert catalogue(domain, lang).num_plurals == 2
    for message in messages(domain, lang):
        assert "fuzzy" not in message.flags, message.id
        texts = forms(message)
        assert len(texts) == (2 if message.pluralizable else 1), message.id
        assert all(text.strip() for text in texts), f"{lang}: no translation of {message.id!r}"


@pytest.mark.parametrize(("domain", "lang"), CATALOGUES)
def test_translations_keep_the_placeholders_and_markup(domain: str, lang: Lang) -> None:
    for message in messages(domain, lang):
        for pattern in (PYTHON_FORMAT, BRACE_FORMAT, TAG):
            wanted = sorted(pattern.findall(ids(message)[-1]))
            for text in forms(message):
                assert sorted(pattern.findall(text)) == wanted, f"{lang}: {text!r}"


def test_english_says_what_its_message_ids_say() -> None:
    for domain in SOURCES:
        for message in messages(domain, "en"):
            assert forms(message) == ids(message)


def test_every_message_call_in_the_browser_code_is_extracted() -> None:
    """Babel's JavaScript extractor skips calls inside template literals: a message written
    there would silently show in English."""
    called = {
        match.group(1)
        for path in REPO.glob("web/client/*.js")
        for match in re.finditer(
            r"\b(?:_|ngettext)\(\s*'((?:[^'\\]|\\.)*)'", path.read_text(encoding="utf-8")
        )
    }
    singulars = {
        message if isinstance(message, str) else message[0] for message in extracted(CLIENT_DOMAIN)
    }
    assert called
    assert called - singulars == set()


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_is_compiled_from_the_po(lang: Lang) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(DOMAIN, lang), use_fuzzy=False)
    committed = (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    assert committed == compiled.getvalue(), "stale .mo: run scripts/translations"
