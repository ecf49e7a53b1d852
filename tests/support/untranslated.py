"""Finding words on a page that did not come from the page's language catalogue.

A page in language L may show three kinds of text: translations from L's catalogues (the
pages' and the browser client's, labels and role names included), the data people typed (the
test knows it), and dates and numbers as L writes them. `untranslated` strips those from each
text the page shows and returns the texts in which any letter is left: a hard-coded string, a
message missing from the catalogue (shown as its English id) or one left in another language.
Running it for each language catches a string in any language, Finnish included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from web.i18n import CLIENT_DOMAIN, DOMAIN, LANGUAGE_NAMES, LOCALE_DIR, Lang

# Shown as they are in every language: the product's name and the language switch's own names.
UNTRANSLATED_NAMES = ("Verstas", *LANGUAGE_NAMES.values())
_PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]+>")
_LETTER = re.compile(r"[^\W\d_]")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# How each language writes a date and a moment (see web/i18n.py's styles and the client's Intl
# options); a time may carry seconds and, in the admin view, no time zone name.
_DATES: dict[Lang, re.Pattern[str]] = {
    "fi": re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}(,? (klo )?\d{1,2}[.:]\d{2}([.:]\d{2})?)?"),
    "sv": re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}(,? (kl\. )?\d{1,2}[.:]\d{2}([.:]\d{2})?)?"),
    "en": re.compile(rf"\d{{1,2}} ({_MONTHS}) \d{{4}}(, \d{{1,2}}:\d{{2}}(:\d{{2}})?)?"),
}


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _whole(values: Iterable[str]) -> re.Pattern[str]:
    """Any of `values` as whole words (a phrase before the shorter ones inside it)."""
    ordered = sorted(set(values), key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in ordered))


@cache
def translated(lang: Lang) -> re.Pattern[str]:
    """Every run of words in the language's translations that holds a letter (each msgstr cut
    at its placeholders and tags), and the names shown untranslated."""
    found: set[str] = set()
    for domain in (DOMAIN, CLIENT_DOMAIN):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as po:
            catalogue = read_po(po, locale=lang)
        for message in catalogue:
            if not message.id:
                continue
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            for form in forms:
                for piece in _PLACEHOLDER.split(str(form)):
                    squeezed = _squeeze(piece)
                    if _LETTER.search(squeezed):
                        found.add(squeezed)
    return _whole([*found, *UNTRANSLATED_NAMES])


def untranslated(texts: Iterable[str], lang: Lang, data: Iterable[str] = ()) -> list[str]:
    """The texts that still hold a letter once data, translations, the untranslated names,
    dates and numbers are taken out of them."""
    known = [_squeeze(value) for value in data if value.strip()]
    given = _whole(known) if known else None
    left = []
    for text in texts:
        rest = _squeeze(text)
        if given is not None:
            rest = given.sub("\0", rest)
        rest = _DATES[lang].sub("\0", translated(lang).sub("\0", rest))
        if _LETTER.search(rest):
            left.append(_squeeze(text))
    return left


class _Texts(HTMLParser):
    """What a person sees or hears of an HTML page: text (not scripts or styles) and the
    attributes that name things to screen readers or on buttons."""

    NAMING = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        values = dict(attrs)
        self.texts += [value for name, value in attrs if name in self.NAMING and value]
        if tag == "input" and values.get("type") in ("button", "submit") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


def page_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.texts


def untranslated_in_page(html: str, lang: Lang, data: Iterable[str] = ()) -> list[str]:
    return untranslated(page_texts(html), lang, data)
