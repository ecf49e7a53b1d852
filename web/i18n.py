"""Finnish, Swedish or English, one at a time: which language a request gets, the gettext
catalogues (Babel) its pages, exports and browser client speak from, and how that language
writes dates, numbers and role names.

A request's language is, in order: `?lang=fi|sv|en` on any URL (remembered in a cookie by
`RememberLanguage`), the cookie of an earlier choice, the best of `Accept-Language` on a first
visit, and Finnish. Message ids are the English source strings (usual gettext practice), so a
page would read sensibly even with a translation missing; the tests make sure none is.

The catalogues live in `web/locale/LANG/LC_MESSAGES/`: `messages` for the Python and Jinja2
side (its compiled `.mo` files are committed beside their `.po` files, so an installed wheel or
a fresh checkout speaks every language without a build step; a test fails when one is stale),
and `client` for the browser, sent to the page as JSON from its `.po` file. `scripts/translations`
re-extracts both and updates and compiles them.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, cast
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from documents.labels import N_, label

Lang = Literal["fi", "sv", "en"]
LANGS: Final[tuple[Lang, ...]] = ("fi", "sv", "en")
DEFAULT_LANG: Final[Lang] = "fi"
LANG_COOKIE: Final = "verstas_lang"
LANG_COOKIE_MAX_AGE: Final = 365 * 24 * 3600
# Each language's own name for itself, as the switch shows it whatever the page's language.
LANGUAGE_NAMES: Final[dict[Lang, str]] = {"fi": "suomi", "sv": "svenska", "en": "English"}

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"
CLIENT_DOMAIN: Final = "client"

ROLE_NAMES: Final = {
    "viewer": N_("viewer"),
    "commenter": N_("commenter"),
    "participant": N_("participant"),
    "editor": N_("editor"),
    "facilitator": N_("facilitator"),
    "owner": N_("owner"),
}

# gettext numbers plural forms in this order of CLDR's categories (as Babel writes a
# catalogue's Plural-Forms), which is how the browser maps Intl.PluralRules onto them.
_PLURAL_ORDER: Final = ("zero", "one", "two", "few", "many", "other")


@dataclass(frozen=True, slots=True)
class Style:
    """How a language writes dates and times: Babel patterns on the server, Intl options in
    the browser. Finland's Swedish writes dates as Finnish does (4.12.2026), which CLDR's
    sv_FI does not, so the patterns are spelled out."""

    locale: str
    browser_locale: str
    date: str
    datetime: str
    browser_date: Mapping[str, str] = field(default_factory=dict)
    browser_datetime: Mapping[str, str] = field(default_factory=dict)
    time: str = "H.mm"


STYLES: Final[dict[Lang, Style]] = {
    "fi": Style(
        "fi_FI",
        "fi-FI",
        "d.M.y",
        "d.M.y 'klo' H.mm",
        {"dateStyle": "short"},
        {"dateStyle": "short", "timeStyle": "short"},
    ),
    "sv": Style(
        "sv_FI",
        "sv-FI",
        "d.M.y",
        "d.M.y 'kl.' H.mm",
        {"dateStyle": "short"},
        {"dateStyle": "short", "timeStyle": "short"},
    ),
    "en": Style(
        "en_GB",
        "en-GB",
        "d MMM y",
        "d MMM y, HH:mm",
        {"dateStyle": "medium"},
        {"dateStyle": "medium", "timeStyle": "short"},
        "HH:mm",
    ),
}


def parse_lang(value: str | None) -> Lang | None:
    """One of our languages, or None for anything else (absent, empty, unknown)."""
    code = (value or "").strip().lower()
    return code if code in LANGS else None


def accepted(header: str) -> Lang | None:
    """The language of ours that `Accept-Language` rates highest (the first of equals), by
    primary subtag: `sv-FI` is Swedish. `q=0` and unreadable weights count for nothing."""
    best: Lang | None = None
    best_weight = 0.0
    for item in header.split(","):
        tag, _, parameters = item.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        lang = parse_lang(tag.strip().replace("_", "-").split("-")[0])
        if lang is not None and weight > best_weight:
            best, best_weight = lang, weight
    return best


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> Lang:
    """The URL's choice, then the remembered one, then the browser's, then Finnish."""
    return (
        parse_lang(query) or parse_lang(cookie) or accepted(accept_language or "") or DEFAULT_LANG
    )


def request_lang(request: HTTPConnection) -> Lang:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


@cache
def _translations(lang: Lang) -> gettext.GNUTranslations:
    found = Translations.load(LOCALE_DIR, [lang], DOMAIN)
    if not isinstance(found, gettext.GNUTranslations):
        # Babel answers a missing file with NullTranslations, which would show English
        # silently; the compiled catalogues ship with the code, so this is a broken install.
        raise RuntimeError(f"no compiled catalogue {LOCALE_DIR}/{lang}/LC_MESSAGES/{DOMAIN}.mo")
    return found


@cache
def client_messages(lang: Lang) -> dict[str, str | list[str]]:
    """The browser client's catalogue: message id (the singular, for plurals) to its
    translation, or to its plural forms in gettext's order."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{CLIENT_DOMAIN}.po").open("rb") as po:
        catalogue = read_po(po, locale=lang)
    messages: dict[str, str | list[str]] = {}
    for message in catalogue:
        if not message.id:
            continue  # the header
        if isinstance(message.id, str):
            messages[message.id] = str(message.string)
        else:
            messages[message.id[0]] = [str(form) for form in message.string or ()]
    return messages


@dataclass(frozen=True, slots=True)
class Localiser:
    """Everything one language says: messages, labels, role names, dates and numbers."""

    lang: Lang

    @property
    def style(self) -> Style:
        return STYLES[self.lang]

    def gettext(self, message: str) -> str:
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _translations(self.lang).ngettext(singular, plural, n)

    def label(self, key: str) -> str:
        """A workshop model key's label (`documents.labels`) in this language."""
        return self.gettext(label(key))

    def role(self, role: str | None) -> str:
        """A role's name; no role is a reader of a public workshop, a viewer."""
        return self.gettext(ROLE_NAMES[role or "viewer"])

    def date(self, value: date) -> str:
        return format_date(value, self.style.date, locale=self.style.locale)

    def time(self, value: datetime) -> str:
        """The time of day, in the value's own time zone (a session record's, in the room's)."""
        return format_time(value, self.style.time, locale=self.style.locale)

    def datetime(self, value: datetime | str) -> str:
        """A moment in UTC, as the admin view reports them; ISO 8601 text is read first and
        anything unreadable is shown as it is."""
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        else:
            moment = value
        when = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return format_datetime(when, self.style.datetime, tzinfo=UTC, locale=self.style.locale)

    def number(self, value: float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, pattern, locale=self.style.locale)

    def client_json(self) -> str:
        """What the browser client speaks, as JSON safe inside a <script> data block."""
        rules = Locale.parse(self.style.locale).plural_form
        data = {
            "lang": self.lang,
            "locale": self.style.browser_locale,
            "plurals": [tag for tag in _PLURAL_ORDER if tag in {*rules.tags, "other"}],
            "formats": {
                "date": dict(self.style.browser_date),
                "datetime": dict(self.style.browser_datetime),
            },
            "roles": {role: self.role(role) for role in ROLE_NAMES},
            "messages": client_messages(self.lang),
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def localiser(lang: Lang) -> Localiser:
    return Localiser(lang)


def for_request(request: HTTPConnection) -> Localiser:
    return localiser(request_lang(request))


@pass_context
def _gettext(context: Context, message: str) -> str:
    speaker: Localiser = context["i18n"]
    return speaker.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    speaker: Localiser = context["i18n"]
    return speaker.ngettext(singular, plural, n)


def install(env: Environment) -> None:
    """`{% trans %}` and `_()` in the templates speak the request's language: the context's
    `i18n` (see `template_context`). Trans blocks are trimmed, as `babel.cfg` extracts them."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    cast(Any, env).install_gettext_callables(_gettext, _ngettext, newstyle=True)


def _switch_href(request: Request, lang: Lang) -> str:
    """The same page in another language. A form's answer links to the front page, and a
    token never goes into a link (the page keeps it in its cookie)."""
    if request.method not in ("GET", "HEAD"):
        return f"/?lang={lang}"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "token")]
    return f"{request.url.path}?{urlencode([*kept, ('lang', lang)])}"


def template_context(request: Request) -> dict[str, Any]:
    """Every page's language, its speaker and the switch to the other languages."""
    speaker = for_request(request)
    return {
        "i18n": speaker,
        "languages": [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "href": _switch_href(request, code),
                "current": code == speaker.lang,
            }
            for code in LANGS
        ],
    }


class RememberLanguage:
    """ASGI middleware: the answer to any URL with `?lang=fi|sv|en` sets the cookie that keeps
    the choice for later visits (for a year; HttpOnly, as only the server reads it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = parse_lang(HTTPConnection(scope).query_params.get("lang"))
        if lang is None:
            await self.app(scope, receive, send)
            return
        cookie = (
            f"{LANG_COOKIE}={lang}; Max-Age={LANG_COOKIE_MAX_AGE}; Path=/; HttpOnly; SameSite=Lax"
        )

        async def remembering(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, remembering)
