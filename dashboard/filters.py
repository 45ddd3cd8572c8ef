"""Filters: the only place user input becomes query parameters.

Every value is checked against an allow-list or a strict pattern before it
can reach a query, and every query gets its values as bound parameters.
Anything else is a FilterError with a message a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from dashboard.insights.vote_methods import PRIORITY_METHODS
from dashboard.warehouse.contract import ROLES, SEXES

# Voter-profile dimensions stored in the rollups, with their allowed values.
GROUP_VALUES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "ms_type": ("RRMS", "SPMS", "PPMS", "CIS", "unknown", "not-applicable"),
    "ms_course": ("relapsing", "progressive", "unknown", "not-applicable"),
    # People with MS by course, and the other roles: "progressive vs caregivers" in one view.
    "voter_group": ("relapsing", "progressive", "unknown-course", "caregiver", "other"),
    "age_band": ("under-30", "30-39", "40-49", "50-59", "60-69", "70-plus", "unknown"),
    "duration_band": ("under-5", "5-9", "10-19", "20-plus", "unknown", "not-applicable"),
    "sex": SEXES,
    "country": (),  # ISO 3166-1 alpha-2 or "unknown": checked by pattern below
}
GROUP_DIMS: tuple[str, ...] = tuple(GROUP_VALUES)
GROUP_LABELS = {
    "role": "Role",
    "ms_type": "MS type",
    "ms_course": "MS course",
    "voter_group": "Voter group",
    "age_band": "Age band",
    "duration_band": "Years since diagnosis",
    "sex": "Sex",
    "country": "Country",
}
# Dimensions that cut the same people in overlapping ways (MS course is a sum
# of MS types, "not-applicable" MS type is caregivers plus others, ...): one is
# used at a time, and disclosure control protects them on one shared axis.
WHO_DIMS = ("role", "ms_type", "ms_course", "voter_group")
# Who-filter values that name members without MS (years since diagnosis "not-applicable").
WITHOUT_MS = frozenset({("role", "caregiver"), ("role", "other"), ("ms_type", "not-applicable"),
                        ("ms_course", "not-applicable"), ("voter_group", "caregiver"),
                        ("voter_group", "other")})  # fmt: skip

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}|unknown")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_VALUE_LENGTH = 120
# Voter filters combined at most: finer groups are mostly too small to show safely,
# and disclosure control's cost grows with every axis.
MAX_GROUP_FILTERS = 3


# Delphi consensus thresholds (whole percentages), and their defaults: consensus in = at
# least `consensus_high`% rate it 4-5 and under `consensus_low`% rate it 1-2.
CONSENSUS_DEFAULTS = {"consensus_high": 70, "consensus_low": 15}
PERCENT_PATTERN = re.compile(r"[1-9][0-9]?")
# Consensus rules (`consensus_rule`), the default first: "share" (the thresholds above) or
# "median_iqr" (in = median at least 4 and interquartile range at most 1; out = median
# at most 2 and interquartile range at most 1).
CONSENSUS_RULES = ("share", "median_iqr")

# The group a two-group comparison sets beside the chosen voters (`vs`): everyone the other
# filters select ("all"), or one group of the same people the who filters name,
# "<filter>=<value>" (e.g. "role=caregiver"), so "progressive MS vs caregivers" is one view.
VS_ALL = "all"
VS_VALUES: tuple[str, ...] = (VS_ALL, *(f"{d}={v}" for d in WHO_DIMS for v in GROUP_VALUES[d]))

# Query-string names that differ from field names.
ALIASES = {"from": "date_from", "to": "date_to"}


class FilterError(ValueError):
    """A filter name or value that is not allowed; the message says why."""


@dataclass(frozen=True)
class Filters:
    """One validated set of filters; unset fields are None."""

    round: str | None = None
    topic: str | None = None
    project: str | None = None
    question: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    compare: str | None = None
    vs: str | None = None
    method: str | None = None
    role: str | None = None
    ms_type: str | None = None
    ms_course: str | None = None
    voter_group: str | None = None
    age_band: str | None = None
    duration_band: str | None = None
    sex: str | None = None
    country: str | None = None
    consensus_high: int | None = None
    consensus_low: int | None = None
    consensus_rule: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, Any], allowed: Iterable[str] | None = None) -> Filters:
        """Validate a query string (or callback values) into Filters.

        `allowed` names the query-string keys a chart accepts; any other key is
        an error rather than silently ignored, so a link never means something
        other than it says.
        """
        names = {f.name for f in fields(cls)}
        allowed_keys = set(allowed) if allowed is not None else _public_names(names)
        values: dict[str, Any] = {}
        for raw_key, raw_value in args.items():
            key = str(raw_key)
            if key not in allowed_keys:
                accepted = ", ".join(sorted(allowed_keys)) or "none"
                raise FilterError(f"unknown filter {key[:40]!r}; this view accepts: {accepted}")
            value = _single(key, raw_value)
            if value is None:
                continue
            field = ALIASES.get(key, key)
            values[field] = _check(field, key, value)
        filters = cls(**values)
        filters._check_combination()
        return filters

    def _check_combination(self) -> None:
        used = self.group_dims()
        if len(used) > MAX_GROUP_FILTERS:
            raise FilterError(
                f"at most {MAX_GROUP_FILTERS} voter filters can be combined "
                f"(got {', '.join(used)}): finer groups are too small to show safely"
            )
        who = [d for d in used if d in WHO_DIMS]
        if len(who) > 1:
            raise FilterError(f"use one of {', '.join(WHO_DIMS)}, not {' and '.join(who)}")
        if self.compare and self.compare in used:
            raise FilterError(f"cannot both filter and compare by {self.compare}")
        if self.compare in WHO_DIMS and who:
            raise FilterError(
                f"cannot filter by {who[0]} and compare by {self.compare}: they describe the "
                "same people; compare by voter_group to see MS courses and caregivers together"
            )
        if self.vs:
            self._check_vs(used, who)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError("from is after to")
        high, low = self.consensus_thresholds()
        if low > high:
            raise FilterError(
                f"consensus_low ({low}) is above consensus_high ({high}): a question could "
                "then reach consensus in and out at once"
            )

    def _check_vs(self, used: list[str], who: list[str]) -> None:
        """Two groups compared: another group than the chosen one, and a published split."""
        if self.compare:
            raise FilterError("compare (each group of a dimension) and vs (one other group) "
                              "are two kinds of comparison: use one")  # fmt: skip
        mine = None if not who else f"{who[0]}={getattr(self, who[0])}"
        other = self.vs_group()
        if self.vs == mine or (other is None and mine is None):
            raise FilterError(f"vs={self.vs} is the group already chosen: compare with another")
        if other is not None and not who and len(used) >= MAX_GROUP_FILTERS:
            raise FilterError(
                f"vs={self.vs} with {', '.join(used)}: at most {MAX_GROUP_FILTERS} voter filters "
                "can be combined, and the other group adds one"
            )

    def vs_group(self) -> tuple[str, str] | None:
        """The compared group as (who filter, value); None for all voters (or no `vs`)."""
        if not self.vs or self.vs == VS_ALL:
            return None
        dim, _, value = self.vs.partition("=")
        return dim, value

    def consensus_thresholds(self) -> tuple[int, int]:
        """(high, low) percentages of the consensus rule, defaults where not given."""
        high = self.consensus_high or CONSENSUS_DEFAULTS["consensus_high"]
        return high, self.consensus_low or CONSENSUS_DEFAULTS["consensus_low"]

    def in_window(self, month: dt.date) -> bool:
        """Whether a month lies in the from/to window (from counts from its month's start)."""
        if self.date_from and month < self.date_from.replace(day=1):
            return False
        return not (self.date_to and month > self.date_to)

    def group_dims(self) -> list[str]:
        """The voter-profile filters in use, in canonical order."""
        return [d for d in GROUP_DIMS if getattr(self, d) is not None]

    def group_params(self) -> dict[str, Any]:
        """$<dim> (value or NULL) and $by_<dim> (whether the table splits by it)."""
        params: dict[str, Any] = {}
        used = set(self.group_dims())
        for dim in GROUP_DIMS:
            params[dim] = getattr(self, dim)
            params[f"by_{dim}"] = dim in used or dim == self.compare
        return params

    def canonical(self) -> Filters:
        """The same people under one name, so one group always gets one answer.

        Years since diagnosis is "not-applicable" for exactly the members without MS,
        so it adds nothing beside a who filter naming people without MS, and alone it
        names the same people as ms_course=not-applicable. Without this, the redundant
        form was protected as a finer table and could answer differently.
        """
        if self.duration_band != "not-applicable":
            return self
        who = [(d, getattr(self, d)) for d in WHO_DIMS if getattr(self, d) is not None]
        if who and who[0] in WITHOUT_MS:
            return replace(self, duration_band=None)
        if not who and self.compare not in WHO_DIMS:
            return replace(self, duration_band=None, ms_course="not-applicable")
        return self

    def without(self, *names: str) -> Filters:
        """A copy with some filters cleared."""
        return replace(self, **dict.fromkeys(names))

    def to_query(self) -> dict[str, str]:
        """Query-string form (same names as the data API), for links and the URL."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            key = {v: k for k, v in ALIASES.items()}.get(f.name, f.name)
            out[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out

    def describe(self) -> dict[str, str]:
        """Applied filters for JSON responses."""
        return self.to_query()


def _public_names(names: set[str]) -> set[str]:
    inverse = {v: k for k, v in ALIASES.items()}
    return {inverse.get(n, n) for n in names}


def _single(key: str, raw: Any) -> str | None:
    if isinstance(raw, list | tuple):
        if len(raw) > 1:
            raise FilterError(f"{key} takes one value, got {len(raw)}")
        raw = raw[0] if raw else None
    if raw is None:
        return None
    if not isinstance(raw, str | int):
        raise FilterError(f"{key} must be a string")
    value = str(raw).strip()
    if len(value) > MAX_VALUE_LENGTH:
        raise FilterError(f"{key} is longer than {MAX_VALUE_LENGTH} characters")
    return value or None


def _check(field: str, key: str, value: str) -> Any:
    if field in GROUP_VALUES:
        allowed = GROUP_VALUES[field]
        ok = COUNTRY_PATTERN.fullmatch(value) if field == "country" else value in allowed
        if not ok:
            hint = "a two-letter ISO country code" if field == "country" else ", ".join(allowed)
            raise FilterError(f"{key}={value[:40]!r} is not allowed; use {hint}")
        return value
    if field in ("round", "project", "question"):
        if not ID_PATTERN.fullmatch(value):
            raise FilterError(f"{key}={value[:40]!r} is not a valid id")
        return value
    if field == "topic":
        if not value.isprintable():
            raise FilterError("topic contains control characters")
        return value
    if field in ("date_from", "date_to"):
        try:
            if not DATE_PATTERN.fullmatch(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise FilterError(f"{key}={value[:40]!r} is not a date (YYYY-MM-DD)") from None
    if field == "compare":
        if value not in GROUP_DIMS:
            raise FilterError(f"compare={value[:40]!r}; use one of {', '.join(GROUP_DIMS)}")
        return value
    if field == "vs":
        if value not in VS_VALUES:
            raise FilterError(f"vs={value[:40]!r}; use all, or one group of "
                              f"{', '.join(WHO_DIMS)} such as role=caregiver")  # fmt: skip
        return value
    if field == "method":
        if value not in PRIORITY_METHODS:
            raise FilterError(f"method={value[:40]!r}; use one of {', '.join(PRIORITY_METHODS)}")
        return value
    if field == "consensus_rule":
        if value not in CONSENSUS_RULES:
            raise FilterError(f"consensus_rule={value[:40]!r}; use one of "
                              f"{', '.join(CONSENSUS_RULES)}")  # fmt: skip
        return value
    if field in CONSENSUS_DEFAULTS:
        if not PERCENT_PATTERN.fullmatch(value):
            raise FilterError(f"{key}={value[:40]!r}; use a whole percentage from 1 to 99")
        return int(value)
    raise FilterError(f"unknown filter {key!r}")  # pragma: no cover - guarded by parse()
