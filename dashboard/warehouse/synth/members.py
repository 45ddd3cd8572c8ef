"""Members: when they joined, who they are, where they live, how active they are.

Later sections only read the `Members` arrays; the members.csv frame adds the fake
identifiers (names, phone, postal code, ...) a real platform would export and the build drops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import MS_TYPES, ROLES, SEXES
from dashboard.warehouse.synth import vocabulary as words
from dashboard.warehouse.synth.common import (
    LAST,
    MONTHS,
    N_MONTHS,
    categorical,
    join_weights,
    parse_weights,
    years,
)

PERSON_WITH_MS, CAREGIVER, OTHER_ROLE = (
    ROLES.index(r) for r in ("person_with_ms", "caregiver", "other")
)
RRMS, SPMS, PPMS, CIS = (MS_TYPES.index(t) for t in ("RRMS", "SPMS", "PPMS", "CIS"))


@dataclass(frozen=True)
class Members:
    """What later sections need to know about members; arrays are indexed by member - 1."""

    joined: np.ndarray  # day, ascending: account ids are issued in join order
    role: np.ndarray  # index into ROLES
    ms_type: np.ndarray  # index into MS_TYPES, -1 = empty
    birth_year: np.ndarray  # 0 = empty
    withdrawn: np.ndarray  # day consent was withdrawn, -1 = never
    activity: np.ndarray  # monthly chance of being active, before decay
    core: np.ndarray  # very active members

    @property
    def n(self) -> int:
        return len(self.joined)

    @property
    def engagement(self) -> np.ndarray:
        """Relative propensity to vote, comment and take part (mean 1)."""
        return self.activity / self.activity.mean()

    def joined_by(self, day: int | np.ndarray) -> np.ndarray:
        """How many members had joined by the end of each given day."""
        return np.searchsorted(self.joined, day, side="right")

    def withdrawn_before(self, day: int | np.ndarray) -> np.ndarray:
        return (self.withdrawn >= 0) & (self.withdrawn < day)

    def group(self) -> np.ndarray:
        """Preference group of every member: 0 RRMS, 1 progressive (SPMS/PPMS), 2 other
        person_with_ms, 3 caregiver, 4 other (rows of votes.PREFS)."""
        g = np.full(self.n, 2, dtype=np.int8)
        g[self.ms_type == RRMS] = 0
        g[(self.ms_type == SPMS) | (self.ms_type == PPMS)] = 1
        g[self.role == CAREGIVER] = 3
        g[self.role == OTHER_ROLE] = 4
        return g


def _join_days(rng: np.random.Generator, n: int) -> np.ndarray:
    month = rng.choice(N_MONTHS, size=n, p=join_weights())
    length = np.diff(MONTHS)[month]
    days = MONTHS[month] + (rng.random(n) * length).astype(np.int64)
    return np.sort(np.minimum(days, LAST - 2))  # leaves room for a later withdrawal


def make_members(rng: np.random.Generator, n: int) -> Members:
    joined = _join_days(rng, n)
    role = rng.choice(len(ROLES), size=n, p=[0.78, 0.15, 0.07]).astype(np.int8)
    # One more choice than MS_TYPES: the last one leaves the type empty.
    p_type = [0.63, 0.145, 0.097, 0.039, 0.059, 0.03]
    ms_type = rng.choice(len(MS_TYPES) + 1, size=n, p=p_type).astype(np.int8)
    ms_type[ms_type == len(MS_TYPES)] = -1
    ms_type[role != PERSON_WITH_MS] = -1
    age = rng.normal(48.0, 11.5, n)
    age += np.select([(ms_type == SPMS) | (ms_type == PPMS), ms_type == CIS], [8.0, -7.0], 0.0)
    age[role != PERSON_WITH_MS] = rng.normal(50.0, 13.0, int((role != PERSON_WITH_MS).sum()))
    birth = 2026 - np.clip(np.rint(age), 20, 85).astype(np.int64)
    birth = np.minimum(birth, years(joined) - 18)  # adults when they joined
    birth[rng.random(n) < 0.05] = 0
    withdrawn = np.full(n, -1, dtype=np.int64)
    leaving = rng.random(n) < 0.015
    span = LAST - 1 - joined[leaving]
    withdrawn[leaving] = joined[leaving] + 1 + (rng.random(int(leaving.sum())) * span).astype(int)
    core = rng.random(n) < 0.06
    activity = rng.beta(2.0, 2.5, n) * 0.8 * np.where(rng.random(n) < 0.25, 0.25, 1.0)
    activity[core] = 0.9
    return Members(joined, role, ms_type, birth.astype(np.int16), withdrawn, activity, core)


def _diagnosis_years(rng: np.random.Generator, m: Members) -> np.ndarray:
    """Years diagnosed before joining: long for SPMS, short for CIS; 0 = empty."""
    # In MS_TYPES order, then one for an empty type (index -1).
    shape = np.array([1.6, 2.2, 2.0, 1.0, 1.5, 1.5])[m.ms_type]
    scale = np.array([4.5, 5.0, 3.5, 0.8, 4.0, 5.0])[m.ms_type]
    offset = np.array([0.0, 5.0, 3.0, 0.0, 0.0, 0.0])[m.ms_type]
    before = np.clip(np.rint(offset + rng.gamma(shape, scale)), 0, 35).astype(np.int64)
    year = years(m.joined) - before
    year = np.where(m.birth_year > 0, np.maximum(year, m.birth_year.astype(np.int64) + 12), year)
    has = (m.role == PERSON_WITH_MS) & (rng.random(m.n) < np.where(m.ms_type >= 0, 0.93, 0.5))
    return np.where(has, year, 0).astype(np.int16)


def _geography(rng: np.random.Generator, n: int) -> tuple[pd.Categorical, pd.Categorical]:
    """Country and ISO 3166-2 region; the US leans north, as MS prevalence does."""
    country_weights = np.array(words.COUNTRY_WEIGHTS)
    p = country_weights / country_weights.sum()
    country = rng.choice(len(words.COUNTRIES), size=n, p=p).astype(np.int16)
    country[rng.random(n) < 0.003] = -1
    categories: list[str] = []
    region = np.full(n, -1, dtype=np.int16)
    for code, (spec, share) in words.REGIONS.items():
        subs, w = parse_weights(spec)
        if code == "US":
            w = w * [1.25 if s in words.NORTH else 0.8 if s in words.SOUTH else 1.0 for s in subs]
            w = w / w.sum()
        rows = np.flatnonzero((country == words.COUNTRIES.index(code)) & (rng.random(n) < share))
        region[rows] = len(categories) + rng.choice(len(subs), size=len(rows), p=w)
        categories += [f"{code}-{s}" for s in subs]
    return categorical(country, words.COUNTRIES), categorical(region, categories)


def members_frame(rng: np.random.Generator, m: Members) -> pd.DataFrame:
    """members.csv before formatting, with the fake identifiers a platform would add."""
    # One more choice than SEXES: the last one leaves sex empty.
    sex = rng.choice(len(SEXES) + 1, size=m.n, p=[0.715, 0.24, 0.01, 0.03, 0.005])
    sex = sex.astype(np.int16)
    sex[sex == len(SEXES)] = -1
    country, region = _geography(rng, m.n)
    female, male, other = words.FEMALE_NAMES, words.MALE_NAMES, words.OTHER_NAMES
    first = np.select(
        [sex == SEXES.index("female"), sex == SEXES.index("male")],
        [
            rng.integers(0, len(female), m.n),
            len(female) + rng.integers(0, len(male), m.n),
        ],
        len(female) + len(male) + rng.integers(0, len(other), m.n),
    )
    phone = rng.integers(0, 2**31 - 1, m.n)
    phone[rng.random(m.n) < 0.1] = -1
    return pd.DataFrame(
        {
            "id": np.arange(1, m.n + 1, dtype=np.int32),
            "joined": m.joined.astype(np.int32),
            "role": categorical(m.role, ROLES),
            "ms_type": categorical(m.ms_type, MS_TYPES),
            "diagnosis": _diagnosis_years(rng, m),
            "birth": m.birth_year,
            "sex": categorical(sex, SEXES),
            "country": country,
            "region": region,
            "withdrawn": m.withdrawn.astype(np.int32),
            "first_name": categorical(first, female + male + other),
            "last_name": categorical(rng.integers(0, len(words.LAST_NAMES), m.n), words.LAST_NAMES),
            "phone": phone.astype(np.int32),
            "postal": rng.integers(0, 2**31 - 1, m.n).astype(np.int32),
            "dob_day": rng.integers(0, 365, m.n).astype(np.int16),
        }
    )
