"""Plain words for who is shown, for titles, subtitles and summaries (no codes).

A reader should learn from a chart's title who answered and how many, without
decoding `role=person_with_ms&age_band=40-49`. Member-written text is never
rewritten here; these are our own labels for our own allow-listed values.
"""

from __future__ import annotations

from typing import Any

from dashboard.countries import country_name
from dashboard.filters import Filters
from dashboard.i18n import N_, _

WHO = {
    ("role", "person_with_ms"): N_("people with MS"),
    ("role", "caregiver"): N_("caregivers"),
    ("role", "other"): N_("other members"),
    ("ms_type", "RRMS"): N_("people with relapsing-remitting MS"),
    ("ms_type", "SPMS"): N_("people with secondary progressive MS"),
    ("ms_type", "PPMS"): N_("people with primary progressive MS"),
    ("ms_type", "CIS"): N_("people with CIS"),
    ("ms_type", "unknown"): N_("people with MS of unknown type"),
    ("ms_type", "not-applicable"): N_("members without MS"),
    ("ms_course", "relapsing"): N_("people with relapsing MS"),
    ("ms_course", "progressive"): N_("people with progressive MS"),
    ("ms_course", "unknown"): N_("people with MS of unknown course"),
    ("ms_course", "not-applicable"): N_("members without MS"),
    ("voter_group", "relapsing"): N_("people with relapsing MS"),
    ("voter_group", "progressive"): N_("people with progressive MS"),
    ("voter_group", "unknown-course"): N_("people with MS of unknown course"),
    ("voter_group", "caregiver"): N_("caregivers"),
    ("voter_group", "other"): N_("other members"),
}
AGE = {"under-30": "under 30", "70-plus": "70 or over", "unknown": "of unknown age"}
DURATION = {
    "under-5": "diagnosed under 5 years ago",
    "5-9": "diagnosed 5-9 years ago",
    "10-19": "diagnosed 10-19 years ago",
    "20-plus": "diagnosed 20 or more years ago",
    "unknown": "with an unknown diagnosis date",
    "not-applicable": "without a diagnosis",
}
SEX = {"female": "women", "male": "men"}  # alone, the group's noun
SEX_CLAUSE = {
    "female": "who are women",
    "male": "who are men",
    "other": "who gave another sex",
    "undisclosed": "who did not give their sex",
}


def who(filters: Filters, everyone: str = N_("all voters")) -> str:
    """The group the filters name, in words: "caregivers aged 40-49 in Canada"."""
    named = [WHO[(d, getattr(filters, d))] for d in ("role", "ms_type", "ms_course",
             "voter_group") if getattr(filters, d) is not None]  # fmt: skip
    clause = SEX_CLAUSE.get(filters.sex or "")
    if named:
        parts = [named[0]]
    elif filters.sex in SEX:
        parts, clause = [SEX[filters.sex]], None
    elif filters.group_dims():
        parts = ["voters"]
    else:
        return everyone
    if filters.age_band:
        parts.append(f"aged {AGE.get(filters.age_band, filters.age_band)}")
    if filters.duration_band:
        parts.append(DURATION.get(filters.duration_band, filters.duration_band))
    if filters.country == "unknown":
        parts.append("with no country given")
    elif filters.country:
        parts.append(f"in {country_name(filters.country)}")
    if clause:
        parts.append(clause)
    return " ".join(parts)


def option_label(dim: str, value: str) -> str:
    """A filter value as a menu shows it: "People with progressive MS", "Aged 70 or over"."""
    if (dim, value) in WHO:
        return capital(WHO[(dim, value)])
    if dim == "age_band":
        return capital(AGE.get(value, value))
    if dim == "duration_band":
        return capital(DURATION.get(value, value))
    if dim == "sex":
        return {"female": "Women", "male": "Men", "other": "Another sex",
                "undisclosed": "Not given"}.get(value, value)  # fmt: skip
    return value


def in_sentence(dim: str, value: str) -> str:
    """A filter value inside a sentence: "people with progressive MS", "aged 70 or over"."""
    return who(Filters(**{dim: value}))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def quoted(text: Any, limit: int = 90) -> str:
    """A member's question in quotes, shortened at a word boundary if it is very long."""
    value = " ".join(("" if text is None else str(text)).split())
    if len(value) > limit:
        value = value[: limit - 1].rsplit(" ", 1)[0] + "…"
    return _("“{text}”").format(text=value)  # «» in Spanish


def people(n: int | None, noun: str) -> str:
    """ "312 voters" (a served count), or "" when the count is not served."""
    return "" if n is None else f"{n:,} {noun if n != 1 else noun.rstrip('s')}"
