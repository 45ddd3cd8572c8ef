"""Public text in the reader's language: gettext catalogs (Babel) and locale formats.

Many members read Spanish first. Every piece of public text (embed chrome,
summaries, method notes, image text) is an English message id marked with `_`
(or `N_` where it is defined before the language is known) and translated from
`dashboard/locale/<lang>/LC_MESSAGES/messages.po`; numbers and dates take the
locale's formats from Babel (CLDR). Member-written text (question titles, round
names) is never translated. The language is a context variable set around the
code that builds one public view (`with language("es"): ...`), so the figure
and summary builders need no extra argument; English is the default and the
message ids themselves. tests/test_i18n.py extracts every marked message and
fails when the Spanish catalog misses one or drops a `{placeholder}`.

Updating the catalog after changing public text:
    .venv/bin/pybabel extract -F babel.cfg -k _ -k N_ -o /tmp/messages.pot .
    .venv/bin/pybabel update -i /tmp/messages.pot -d dashboard/locale --no-fuzzy-matching
then translate the new entries in the .po file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "es")  # the first is the default and the language of the message ids
_LANG: ContextVar[str] = ContextVar("lang", default="en")


class UnknownLanguage(ValueError):
    """A `lang` that is not offered (the message lists the ones that are)."""


def check(lang: str | None) -> str:
    """An allow-listed language code; None or empty means the default."""
    if not lang:
        return LANGUAGES[0]
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"lang={lang[:20]!r} is not offered; use {', '.join(LANGUAGES)}")
    return lang


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Public text built inside this block is in `lang`."""
    token = _LANG.set(check(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


def current() -> str:
    return _LANG.get()


@cache
def translations(lang: str) -> Translations | None:
    """The compiled catalog of a language (read from its .po once per process)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == LANGUAGES[0] or not path.is_file():
        return None
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they fall back to English
    buffer.seek(0)
    return Translations(fp=buffer)


def _(message: str) -> str:
    """`message` in the current language (English if the catalog has no translation)."""
    found = translations(_LANG.get())
    return found.gettext(message) if found else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, by the current language's plural rule."""
    found = translations(_LANG.get())
    if found:
        return found.ngettext(singular, plural, n)
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; `_` translates it where used."""
    return message


def number(value: float, places: int = 0) -> str:
    """A number in the current locale's format (12,345.6 / 12.345,6)."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=_LANG.get())


def percent(share: float, places: int = 0) -> str:
    """A share (0-1) as a percentage in the current locale (46% / 46 %)."""
    locale = Locale.parse(_LANG.get())
    pattern = locale.percent_formats[None].pattern  # "#,##0%" / "#,##0 %"
    if places:
        pattern = pattern.replace("0", "0." + "0" * places, 1)
    return format_percent(share, format=pattern, locale=locale)


def date(value: dt.date | str, style: str = "long") -> str:
    """A date in the current locale ("1 November 2026" / "1 de noviembre de 2026")."""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if style == "month":
        return format_date(day, "LLLL y", locale=_LANG.get())
    return format_date(day, "d MMMM y" if _LANG.get() == "en" else style, locale=_LANG.get())


def plotly_locale(lang: str) -> dict | None:
    """Plotly's locale format for a language, from CLDR (Babel): month and day names and
    number separators, so a chart's own axis labels read "ene 2024" and "1.234" in Spanish.
    None for English (plotly's own)."""
    if check(lang) == LANGUAGES[0]:
        return None
    locale = Locale.parse(lang)
    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    days = locale.days["format"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # plotly (d3) lists days from Sunday
    return {
        "months": list(locale.months["format"]["wide"].values()),
        "shortMonths": list(locale.months["format"]["abbreviated"].values()),
        "days": [days["wide"][d] for d in sunday_first],
        "shortDays": [days["abbreviated"][d] for d in sunday_first],
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
    }
