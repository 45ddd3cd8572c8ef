"""The Spanish catalog covers every marked public message, keeping its placeholders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboard.config import PROJECT_ROOT
from dashboard.i18n import (
    LOCALE_DIR,
    UnknownLanguage,
    _,
    check,
    date,
    language,
    ngettext,
    number,
    percent,
)

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\{[^}]*\}|\{[a-z_0-9]*\}")


def marked_messages() -> set[str | tuple[str, str]]:
    """Every message marked in the app's code, as `pybabel extract` finds it."""
    found = set()
    method_map = [("dashboard/**.py", "python")]
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        PROJECT_ROOT, method_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_marked_message_is_translated_with_its_placeholders() -> None:
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    marked = marked_messages()
    assert len(marked) > 40
    missing, broken = [], []
    for message_id in marked:
        entry = catalog.get(message_id if isinstance(message_id, str) else message_id[0])
        strings = [] if entry is None else (
            list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string])  # fmt: skip
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(message_id)
            continue
        ids = message_id if isinstance(message_id, tuple) else (message_id,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        for text in strings:
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                broken.append((message_id, text))
    assert not missing, f"untranslated in Spanish: {missing}"
    assert not broken, f"placeholders changed: {broken}"


def test_translation_follows_the_language_and_english_is_the_message_itself() -> None:
    assert _("Cite this chart") == "Cite this chart"
    with language("es"):
        assert _("Cite this chart") == "Citar este gráfico"
        assert ngettext("{n} voter", "{n} voters", 1) == "{n} votante"
        assert ngettext("{n} voter", "{n} voters", 2) == "{n} votantes"
        assert number(12345.6, 1) == "12.345,6" and percent(0.456) == "46\xa0%"
        assert date("2026-11-01") == "1 de noviembre de 2026"
    assert number(12345.6, 1) == "12,345.6" and date(dt.date(2026, 11, 1)) == "1 November 2026"


@pytest.mark.parametrize("bad", ["de", "ES", "es-ES", "../es", "es\n", "x" * 200])
def test_only_offered_languages_are_accepted(bad: str) -> None:
    with pytest.raises(UnknownLanguage):
        check(bad)
    assert check(None) == "en" == check("")
