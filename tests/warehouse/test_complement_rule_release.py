"""A release keeps the complement rule of the release it follows, or moves on safely.

Closed rounds are carried from the previous release as aggregates and protected again;
only the same rule withholds the same cells there. Were a release made by another rule
to serve a cell the previous one withheld, the two together could give back the small
count that cell protected. So the rule is recorded in build_info and followed; a first
release uses the current rule. A build asked for another rule (`--complement-rule`)
withholds, in the kept rounds, every cell the previous release withheld as well as what
the new rule needs; every build gives its previous release's withheld cells as withheld,
so the release after the move withholds exactly what the move withheld.
"""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from dashboard.insights import disclosure, publication
from dashboard.insights.cube import Axes
from dashboard.insights.disclosure import complement_rule, complementary, protect
from dashboard.insights.tables import _aligned
from dashboard.warehouse import release
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.release import UnreadablePrevious
from dashboard.warehouse.synth import write_demo_export
from tests.warehouse.test_monthly_release import exported_on

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "export"
pytestmark = pytest.mark.slow  # fixture builds
K = 11


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
    assert release.CURRENT_RULE == disclosure.CURRENT_RULE != "smallest-first"
    assert _rule(first.path) == "smallest-first"

    target = tmp_path / "w.duckdb"
    shutil.copyfile(first.path, target)
    second = build_warehouse(EXPORT, target)
    assert second.release.complement_rule == _rule(target) == "smallest-first"
    assert _publication(target) == _publication(first.path)  # same data, same rule

    fresh = build_warehouse(EXPORT, tmp_path / "fresh.duckdb", previous=None)
    assert fresh.release.complement_rule == _rule(fresh.path) == disclosure.CURRENT_RULE


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
    assert disclosure._rule.get() == disclosure.CURRENT_RULE  # the request's did not leak out


# --- moving a series to another rule -------------------------------------------------------

# 800 synthetic members: enough small groups that the two rules choose different complements
# in the closed rounds (the fixture network has too few). Release A is made before round R8
# closed (it opens 2026-04-01, closes 2026-04-30), B and C from the whole export (1 November).
EARLY = "2026-04-15"


def _masks(path: Path) -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray | None]]:
    """(round, split, measure) -> (mask, the counts it protects or None), every table for K;
    measure "voters-table" is the voters table's own mask (its counts beside it)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT round_id, dims, body FROM publication WHERE k = $k", {"k": K}
        ).fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray | None]] = {}
    for round_id, dims, body in rows:
        for measure, mask, counts in _decoded(body):
            out[(round_id, dims, measure)] = (mask, counts)
    return out


def _decoded(body: bytes) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """A stored table's (measure, mask, counts) (tables.encode's layout)."""
    raw = zlib.decompress(body)
    size = int.from_bytes(raw[:4], "little")
    head = json.loads(raw[4 : 4 + size])
    offset = 4 + size

    def take(s: list[int], dtype: str) -> np.ndarray:
        nonlocal offset
        array = np.frombuffer(raw, dtype=dtype, count=int(np.prod(s)), offset=offset)
        offset += array.nbytes
        return array.reshape(s)

    shape = [len(v) for v in head["axes"]]
    counts = take([len(head["questions"]), len(head["measures"]), *shape], "<i8")
    voters = take(head["voters"], "<i8")
    out = [("voters-table", take(head["voters_hidden"], "bool"), voters)]
    out += [(measure, take(s, "bool"), None) for measure, s in head["masks"].items()]
    assert offset == len(raw)
    return [*out, ("counts", np.zeros(0, dtype=bool), counts)]


def _frozen(masks: dict, rounds: list[str]) -> dict:
    return {key: v for key, v in masks.items() if key[0] in rounds and key[2] != "counts"}


def _served_again(before: dict, after: dict) -> int:
    """Cells withheld in `before` and served in `after` (same round, split, measure)."""
    return sum(int((m & ~after[key][0]).sum()) for key, (m, _) in before.items())


def _build(export: Path, path: Path, **kw: Any) -> Any:
    return build_warehouse(export, path, k=K, **kw)


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("moved")
    whole = folder / "export"
    write_demo_export(whole, members=800, seed=5)
    exported_on(whole, folder / "early", EARLY)
    a = _build(folder / "early", folder / "a.duckdb", previous=None,
               complement_rule="smallest-first")  # fmt: skip
    b = _build(whole, folder / "b.duckdb", previous=a.path, complement_rule="knock-on")
    c = _build(whole, folder / "c.duckdb", previous=b.path)
    fresh = _build(
        whole, folder / "fresh.duckdb", previous=None, complement_rule="knock-on"
    )  # a new knock-on series
    return {"a": a, "b": b, "c": c, "fresh": fresh, "folder": folder, "whole": whole,
            "masks": {n: _masks(r.path) for n, r in (("a", a), ("b", b), ("c", c),
                                                       ("fresh", fresh))}}  # fmt: skip


def test_the_two_rules_differ_on_the_kept_rounds_here(moved: dict[str, Any]) -> None:
    """What the other tests guard against is there: a knock-on series of the same network
    serves cells of the rounds A published that A withheld (were B to serve them, A and B
    together could give back the counts those cells protect)."""
    a, masks = moved["a"], moved["masks"]
    assert a.release.complement_rule == _rule(a.path) == "smallest-first"
    rounds = moved["b"].release.frozen_rounds
    assert rounds == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    kept = _frozen(masks["a"], rounds)
    assert _served_again(kept, _frozen(masks["fresh"], rounds)) > 0


def test_moving_to_knock_on_withholds_every_cell_the_previous_release_withheld(
    moved: dict[str, Any],
) -> None:
    b, masks = moved["b"], moved["masks"]
    assert b.release.complement_rule == _rule(b.path) == "knock-on"
    assert b.release.moved_from == "smallest-first"
    assert "it chose them smallest-first" in b.release.describe()
    rounds = b.release.frozen_rounds
    before, after = _frozen(masks["a"], rounds), _frozen(masks["b"], rounds)
    assert before.keys() == after.keys() and before
    assert _served_again(before, after) == 0
    withheld = {key: int(m.sum()) for key, (m, _) in before.items()}
    assert all(int(after[key][0].sum()) >= n for key, n in withheld.items())
    # The previous release's cells are already safe by any rule: the union adds none, so
    # the kept rounds are served exactly as A served them.
    assert all(np.array_equal(m, after[key][0]) for key, (m, _) in before.items())


def test_no_count_served_by_both_releases_differs(moved: dict[str, Any]) -> None:
    a, b = moved["masks"]["a"], moved["masks"]["b"]
    compared = 0
    for round_id in moved["b"].release.frozen_rounds:
        for key in [key for key in a if key[0] == round_id and key[2] == "counts"]:
            assert np.array_equal(a[key][1], b[key][1]), key  # the kept aggregates
            voters = (round_id, key[1], "voters-table")
            was, now = (np.ravel(m[voters][1]) for m in (a, b))  # type: ignore[arg-type]
            served = ~np.ravel(a[voters][0]) & ~np.ravel(b[voters][0])
            assert np.array_equal(was[served], now[served]), voters
            compared += int(served.sum())
    assert compared > 0


def test_the_round_closed_since_is_protected_by_the_new_rule(moved: dict[str, Any]) -> None:
    """R8 closed between A and B: B protects it as a new knock-on series would."""
    b, fresh = moved["masks"]["b"], moved["masks"]["fresh"]
    r8 = [key for key in b if key[0] == "R8" and key[2] != "counts"]
    assert r8 and "R8" not in moved["b"].release.frozen_rounds
    assert all(np.array_equal(b[key][0], fresh[key][0]) for key in r8)


def test_the_release_after_the_move_withholds_exactly_its_cells(moved: dict[str, Any]) -> None:
    c = moved["c"]
    assert c.release.complement_rule == _rule(c.path) == "knock-on"
    assert c.release.moved_from is None
    rounds = c.release.frozen_rounds
    assert "R8" in rounds
    before, after = _frozen(moved["masks"]["b"], rounds), _frozen(moved["masks"]["c"], rounds)
    assert before.keys() == after.keys()
    assert all(np.array_equal(m, after[key][0]) for key, (m, _) in before.items())


def test_without_the_previous_masks_the_release_after_the_move_would_serve_its_cells(
    moved: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why every build gives its previous release's withheld cells as withheld, not only the
    one that moves: B withholds A's cells, which knock-on alone would not; a release after B
    protecting the kept rounds afresh by knock-on serves some of them."""
    monkeypatch.setattr(publication, "previous_tables", lambda *_: lambda *_: None)
    b = moved["b"]
    c0 = _build(moved["whole"], moved["folder"] / "c0.duckdb", previous=b.path)
    rounds = c0.release.frozen_rounds
    assert _served_again(_frozen(moved["masks"]["b"], rounds), _frozen(_masks(c0.path), rounds))


def test_moving_needs_the_previous_releases_tables_of_the_kept_rounds(
    moved: dict[str, Any],
) -> None:
    folder = moved["folder"]
    damaged = folder / "damaged.duckdb"
    shutil.copyfile(moved["a"].path, damaged)
    con = duckdb.connect(str(damaged))
    con.execute("DELETE FROM publication WHERE round_id = 'R2'")
    con.close()
    with pytest.raises(UnreadablePrevious, match="R2"):
        _build(moved["whole"], folder / "x.duckdb", previous=damaged, complement_rule="knock-on")
    # Following its own rule it builds (and says nothing was held for R2: computed afresh).
    same = _build(moved["whole"], folder / "y.duckdb", previous=damaged)
    assert same.release.complement_rule == "smallest-first"


def test_moving_needs_the_previous_releases_retention_roles(moved: dict[str, Any]) -> None:
    """Retention's role tables depend on the rule too (retention_roles.py): a release made
    by code that did not keep them cannot be moved from, only followed."""
    folder = moved["folder"]
    older = folder / "older.duckdb"
    shutil.copyfile(moved["a"].path, older)
    con = duckdb.connect(str(older))
    con.execute("DELETE FROM published_results WHERE chart = 'retention-roles'")
    con.close()
    with pytest.raises(UnreadablePrevious, match="retention-roles"):
        _build(moved["whole"], folder / "x2.duckdb", previous=older, complement_rule="knock-on")
    same = _build(moved["whole"], folder / "y2.duckdb", previous=older)
    assert same.release.complement_rule == "smallest-first"
    assert any("did not publish retention-roles" in w for w in same.release.warnings)


def test_a_previous_mask_is_laid_over_the_same_questions_and_categories() -> None:
    """Cells are matched by question id, category and outcome, not by position."""
    before = Axes(("sex", "country"), (("female", "male"), ("DE", "GB")))
    now = Axes(("sex", "country"), (("female", "male"), ("DE", "FR", "GB")))
    stacked = np.zeros((2, 2, 2, 2), dtype=bool)
    stacked[0, 1, 1, 0] = True  # q1, male, GB, outcome 0
    stacked[1, 0, 0, 1] = True  # q2, female, DE, outcome 1
    out = _aligned(stacked, ["q1", "q2"], before, ["q2", "q3", "q1"], now, (3, 2, 3, 2))
    assert sorted(zip(*np.nonzero(out), strict=True)) == [(0, 0, 0, 1), (2, 1, 2, 0)]
    other = Axes(("age_band",), (("18-29",),))
    assert not _aligned(stacked, ["q1", "q2"], before, ["q1"], other, (1, 1, 2)).any()


def test_the_command_line_moves_a_series(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dashboard.cli import main as cli

    out = tmp_path / "w.duckdb"
    args = ["build", str(EXPORT), "--out", str(out)]
    first = CliRunner().invoke(cli, [*args, "--first-release", "--complement-rule",
                                     "smallest-first"])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert _rule(out) == "smallest-first"
    moved = CliRunner().invoke(cli, [*args, "--complement-rule", "knock-on"])
    assert moved.exit_code == 0, moved.output
    assert _rule(out) == "knock-on" and "it chose them smallest-first" in moved.output
    wrong = CliRunner().invoke(cli, [*args, "--complement-rule", "cheapest"])
    assert wrong.exit_code == 2 and _rule(out) == "knock-on"
    # Not offered: an LP finds small counts in tables it leaves line-safe (BUILD_RULES).
    pruned = CliRunner().invoke(cli, [*args, "--complement-rule", "knock-on-pruned"])
    assert pruned.exit_code == 2 and _rule(out) == "knock-on"


def test_a_new_series_may_choose_the_audited_rule(moved: dict[str, Any]) -> None:
    """`knock-on-audited` (lp_guard) builds, is recorded, and withholds more than knock-on
    on the same network (complements that free counts a linear program had boxed)."""
    audited = _build(moved["whole"], moved["folder"] / "audited.duckdb", previous=None,
                     complement_rule="knock-on-audited")  # fmt: skip
    assert audited.release.complement_rule == _rule(audited.path) == "knock-on-audited"
    masks = _masks(audited.path)
    fresh = moved["masks"]["fresh"]
    assert masks.keys() == fresh.keys()
    more = sum(int(m.sum()) for key, (m, _) in masks.items() if key[2] != "counts")
    fewer = sum(int(m.sum()) for key, (m, _) in fresh.items() if key[2] != "counts")
    assert more > fewer
