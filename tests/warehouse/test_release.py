"""Two releases of the fixture, the second after 3 caregivers withdrew consent.

Nothing else changes between them. Every chart is asked for every filter set
the walk below makes, on both releases; a count served in both may differ by 0
or by at least k, never by 1..k-1 (that would tell who left and what they did).
Closed rounds and complete months keep what the first release published
(dashboard/warehouse/release.py); a study's funnel counts who had reached each
stage by the end of the last complete month, so it is kept like them.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import FilterError
from dashboard.walk import filter_sets
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.release import UnreadablePrevious

K = 11
pytestmark = pytest.mark.slow  # two builds and a walk over every chart
EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "export"


def withdraw(export: Path, role: str, how_many: int, on: str) -> list[str]:
    """Mark the first `how_many` members of `role` who voted as having withdrawn consent."""
    with (export / "votes.csv").open() as fh:
        voters = {row["member_id"] for row in csv.DictReader(fh)}
    path = export / "members.csv"
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    chosen = [r["member_id"] for r in rows if r["role"] == role and r["member_id"] in voters]
    chosen = chosen[:how_many]
    for row in rows:
        if row["member_id"] in chosen:
            row["consent_withdrawn_on"] = on
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return chosen


def served_counts(engine: Engine, chart_id: str, args: dict[str, str]) -> dict[tuple, int]:
    """(row identity, count field) -> served value, for one chart and filter set."""
    try:
        result = engine.run(chart_id, args)
    except FilterError:
        return {}
    out: dict[tuple, int] = {}
    for row in result.rows:
        identity = tuple(sorted((k, str(v)) for k, v in row.items() if k not in
                                result.count_fields and not isinstance(v, float | list)))  # fmt: skip
        for name in result.count_fields:
            if row.get(name) is not None and name not in row.get("suppressed", ()):
                out[(identity, name)] = int(row[name])
    return out


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("releases")
    first = build_warehouse(EXPORT, folder / "first.duckdb", previous=None)
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    gone = withdraw(export, "caregiver", 3, "2026-10-30")
    target = folder / "warehouse.duckdb"
    shutil.copyfile(first.path, target)  # the second build replaces the first, as it would
    second = build_warehouse(export, target)
    engines = [Engine(Settings(warehouse=p, k=K, query_timeout_s=5, network_name=""))
               for p in (first.path, folder / "second.duckdb")]  # fmt: skip
    shutil.copyfile(target, folder / "second.duckdb")
    return {"first": first, "second": second, "gone": gone, "engines": engines}


def _moves(releases: dict[str, Any]) -> dict[str, list]:
    old, new = releases["engines"]
    moved: dict[str, list] = {}
    for chart_id, args in filter_sets(old):
        before, after = served_counts(old, chart_id, args), served_counts(new, chart_id, args)
        for key in before.keys() & after.keys():
            if 1 <= abs(before[key] - after[key]) < K:
                moved.setdefault(chart_id, []).append((args, key, before[key], after[key]))
    return moved


def test_the_second_release_says_what_it_kept(releases: dict[str, Any]) -> None:
    second = releases["second"].release
    assert len(releases["gone"]) == 3
    assert second.previous_build_id == releases["first"].build_id
    assert second.frozen_rounds == ["R1", "R2", "R3"]
    assert "kept closed rounds R1, R2, R3" in second.describe()
    assert releases["second"].rows["members"][1] == releases["first"].rows["members"][1] - 3


def test_no_served_count_moves_by_1_to_k(releases) -> None:
    """Closed rounds, complete months and study funnels (to the last complete month)."""
    assert _moves(releases) == {}


def test_a_first_release_keeps_nothing(releases: dict[str, Any], tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    withdraw(export, "caregiver", 3, "2026-10-30")
    fresh = build_warehouse(export, tmp_path / "fresh.duckdb", previous=None)
    assert fresh.release.previous_build_id is None
    assert "first release" in fresh.release.describe()
    engine = Engine(Settings(warehouse=fresh.path, k=K, query_timeout_s=5, network_name=""))
    old = releases["engines"][0]
    # Without the previous release, closed rounds are recomputed without the three.
    assert served_counts(old, "rounds", {}) != served_counts(engine, "rounds", {})


def test_a_missing_previous_release_is_an_error_not_a_silent_reset(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="previous release"):
        build_warehouse(EXPORT, tmp_path / "w.duckdb", previous=tmp_path / "gone.duckdb")


@pytest.mark.parametrize("damage", ["garbage", "not-a-release"])
def test_an_unreadable_replaced_warehouse_stops_the_build(tmp_path: Path, damage: str) -> None:
    target = tmp_path / "w.duckdb"
    if damage == "garbage":
        target.write_bytes(b"not a database" * 100)
    else:
        con = duckdb.connect(str(target))
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
        con.close()
    with pytest.raises(UnreadablePrevious, match="--first-release"):
        build_warehouse(EXPORT, target)
    assert build_warehouse(EXPORT, target, previous=None).release.previous_build_id is None
