"""Languages: Vietnamese is the source language, English comes from a Babel catalog.

Every user-facing string is written in Vietnamese with diacritics and marked with ``_()``. The English text
lives in ``app/locale/en/LC_MESSAGES/messages.po`` (``pybabel extract`` / ``update`` keep it current; the
``.po`` file is compiled in memory at start-up, so no build step is needed). ``_()`` returns a ``Message``
that keeps its parameters, so the language is chosen late: per request, by the user's choice, the
``lang`` cookie or ``Accept-Language``.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Locale = Literal["vi", "en"]
LOCALES: tuple[Locale, ...] = ("vi", "en")
DEFAULT_LOCALE: Locale = "vi"
LOCALE_DIR = Path(__file__).parent / "locale"


class Message(str):
    """A Vietnamese message with its parameters, translatable later. ``str(m)`` is the Vietnamese text."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        obj = super().__new__(cls, msgid.format(**params) if params else msgid)
        obj.msgid = msgid
        obj.params = params
        return obj

    def localize(self, locale: str) -> str:
        return translate(self.msgid, locale, **self.params)


def _(msgid: str, **params: Any) -> Message:
    return Message(msgid, **params)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def translate(msgid: str, locale: str, **params: Any) -> str:
    text = translations(locale).gettext(msgid)
    params = {k: (v.localize(locale) if isinstance(v, Message) else v) for k, v in params.items()}
    return text.format(**params) if params else text


def text(value: Any, locale: str) -> str:
    """Translate a ``Message``; pass anything else through as text."""
    if isinstance(value, Message):
        return value.localize(locale)
    return str(value)


def negotiate(accept_language: str | None, cookie: str | None = None) -> Locale:
    """The cookie wins; then the first supported language of Accept-Language; then Vietnamese."""
    if cookie in LOCALES:
        return cookie
    if accept_language:
        ranked: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            lang, _sep, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            ranked.append((weight, lang.strip().lower()[:2]))
        for _weight, lang in sorted(ranked, key=lambda r: -r[0]):
            if lang in LOCALES:
                return lang
    return DEFAULT_LOCALE
