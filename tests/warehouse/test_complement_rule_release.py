"""A release keeps the complement rule of the release it follows.

Closed rounds are carried from the previous release as aggregates and protected again;
only the same rule withholds the same cells there. Were a release made by another rule
to serve a cell the previous one withheld, the two together could give back the small
count that cell protected. So the rule is recorded in build_info and followed; a first
release uses the current rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from dashboard.insights import disclosure
from dashboard.insights.disclosure import complement_rule, complementary, protect
from dashboard.warehouse import release
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.release import UnreadablePrevious

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "export"
pytestmark = pytest.mark.slow  # fixture builds


def _rule(path: Path) -> str | None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT complement_rule FROM build_info").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()


def _publication(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT round_id, dims, k, body FROM publication ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()


def test_the_rule_in_force_decides_the_complements() -> None:
    counts = np.array(
        [[5, 20, 30], [12, 40, 50], [13, 14, 60]]
    )  # tests/insights/test_disclosure_cost
    start = counts < 11
    with complement_rule("smallest-first"):
        old = complementary(counts, start, 11)
    assert old.tolist() == [[True, True, False], [True, True, False], [False] * 3]
    assert protect(counts, 11).tolist() == [[True, True, False], [False] * 3, [True, True, False]]
    with pytest.raises(ValueError, match="unknown complement rule"), complement_rule("cheapest"):
        pass


def test_a_release_follows_the_rule_of_the_one_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "CURRENT_RULE", "smallest-first")  # a release made before
    first = build_warehouse(EXPORT, tmp_path / "first.duckdb", previous=None)
    monkeypatch.undo()
    assert disclosure.CURRENT_RULE == "knock-on"
    assert _rule(first.path) == "smallest-first"

    target = tmp_path / "w.duckdb"
    shutil.copyfile(first.path, target)
    second = build_warehouse(EXPORT, target)
    assert second.release.complement_rule == _rule(target) == "smallest-first"
    assert _publication(target) == _publication(first.path)  # same data, same rule

    fresh = build_warehouse(EXPORT, tmp_path / "fresh.duckdb", previous=None)
    assert fresh.release.complement_rule == _rule(fresh.path) == "knock-on"


def test_a_release_from_before_rules_had_names_is_followed_as_smallest_first(
    tmp_path: Path,
) -> None:
    first = build_warehouse(EXPORT, tmp_path / "first.duckdb", previous=None)
    con = duckdb.connect(str(first.path))
    con.execute("ALTER TABLE build_info DROP COLUMN complement_rule")
    con.close()
    second = build_warehouse(EXPORT, tmp_path / "second.duckdb", previous=first.path)
    assert second.release.complement_rule == "smallest-first"


def test_a_rule_this_code_does_not_know_stops_the_build(tmp_path: Path) -> None:
    first = build_warehouse(EXPORT, tmp_path / "first.duckdb", previous=None)
    con = duckdb.connect(str(first.path))
    con.execute("UPDATE build_info SET complement_rule = 'cheapest-2030'")
    con.close()
    with pytest.raises(UnreadablePrevious, match="complement rule"):
        build_warehouse(EXPORT, tmp_path / "second.duckdb", previous=first.path)


def test_a_chart_computed_on_the_spot_follows_the_warehouses_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A k the build did not publish is computed per request: with the warehouse's rule,
    not the code's current one, so both agree with what the build would have served."""
    from dashboard.config import Settings
    from dashboard.engine import Engine

    monkeypatch.setattr(release, "CURRENT_RULE", "smallest-first")
    built = build_warehouse(EXPORT, tmp_path / "old.duckdb", previous=None)
    monkeypatch.undo()
    rules: list[str] = []
    plain = disclosure.complementary

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        rules.append(disclosure._rule.get())
        return plain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(disclosure, "complementary", spy)
    engine = Engine(Settings(warehouse=built.path, k=7, query_timeout_s=30, network_name=""))
    engine.run("priorities-by-group", {"compare": "role"})
    assert rules and set(rules) == {"smallest-first"}
    assert disclosure._rule.get() == "knock-on"  # the request's rule did not leak out
