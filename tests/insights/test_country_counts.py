"""Members per country across releases: held counts, and the people they leave out.

Hand-counted: caregivers in three countries; the previous release served GB 20, IE 12,
US 30. Now GB has 23 (moved by 3: held at 20), IE 12, US 41 (moved by 11: served). The
members chart serves the true total, 76; the countries add up to 73. Were every country
served, 76 - 73 = 3 would tell that three caregivers joined in a country whose count did
not move. So the 3 are protected as one more row (never served): a country is withheld
beside them.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pandas as pd

from dashboard.filters import Filters
from dashboard.insights import participation

K = 11
NOW = {"GB": 23, "IE": 12, "US": 41}
BEFORE = {"GB": 20, "IE": 12, "US": 30}


class Releases:
    """Just what `countries` reads from a warehouse: this release's counts and what the
    previous release served (None: a first release)."""

    building = False

    def __init__(self, before: dict[str, int] | None) -> None:
        self.before = before

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, None]:
        if name == "country_members":
            rows = [(c, role, n if role == "caregiver" else 40)
                    for c, n in NOW.items() for role in ("person_with_ms", "caregiver", "other")]  # fmt: skip
            return pd.DataFrame(rows, columns=["country", "role", "members"]), None
        assert name == "previous_result" and params["chart"] == participation.COUNTRY_TABLE
        if self.before is None:
            return pd.DataFrame(columns=["body", "previous_as_of"]), None
        body = {f"{c}|{role}": (self.before[c] if role == "caregiver" else 40)
                for c in NOW for role in ("person_with_ms", "caregiver", "other")}  # fmt: skip
        return pd.DataFrame({"body": [json.dumps(body)], "previous_as_of": ["2026-10-01"]}), None

    def remember(self, key: Any, compute: Any) -> Any:
        return compute()

    def snapshot(self) -> SimpleNamespace:
        return SimpleNamespace(build_id="b", as_of="2026-11-01", network="")


def served(before: dict[str, int] | None, role: str | None) -> dict[str, int | None]:
    result = participation.countries(Releases(before), Filters(role=role), K)  # type: ignore[arg-type]
    return {r["country"]: r["members"] for r in result.rows}


def test_a_count_that_moved_by_less_than_k_is_held() -> None:
    names, table, left_out = participation.country_table(Releases(BEFORE), K)  # type: ignore[arg-type]
    caregivers = dict(zip(names, table[:, 1].tolist(), strict=True))
    assert caregivers == {"GB": 20, "IE": 12, "US": 41}
    assert left_out.tolist() == [0, 3, 0]


def test_the_people_held_counts_leave_out_are_protected_like_a_country() -> None:
    shown = served(BEFORE, "caregiver")
    assert None in shown.values(), shown  # else 76 - 73 = 3 caregivers
    assert shown["US"] in (41, None) and shown["GB"] in (20, None)
    everyone = served(BEFORE, None)
    assert None in everyone.values(), everyone  # the same 3 among all members


def test_a_first_release_serves_every_count_as_it_is() -> None:
    assert served(None, "caregiver") == {"US": 41, "GB": 23, "IE": 12}
