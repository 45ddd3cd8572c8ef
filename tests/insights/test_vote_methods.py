"""Vote methods as objects: each declares everything, and nothing else branches on a name."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pytest

from dashboard.filters import PRIORITY_METHODS, FilterError, Filters
from dashboard.insights.vote_methods import (
    COUNT_FIELDS,
    CROSS_GROUP_RANKINGS,
    CUBE_MEASURES,
    EVERY_VALUE,
    METHODS,
    SCORES,
    SUM_VALUE,
    Score,
    UnknownVoteMethod,
    VoteMethod,
    vote_method,
    widest_interval,
)
from dashboard.warehouse.contract import ROUND_METHODS

ROOT = Path(__file__).resolve().parents[2]
DECLARED = list(VoteMethod.__annotations__)
# Hand-made summed cube measures of one question in one group of 40 voters.
COUNTS = {"voters": 20, "points": 50, "value_sum": 70, "value_sq_sum": 270, "top2": 12}


@pytest.mark.parametrize("method", METHODS.values(), ids=list(METHODS))
def test_every_method_declares_every_attribute(method: VoteMethod) -> None:
    missing = [name for name in DECLARED if not hasattr(method, name)]
    assert not missing, f"{method.name} does not declare {missing}"
    assert METHODS[method.name] is method
    assert set(method.scores) <= set(SCORES) and method.default_score in method.scores
    assert method.balance_score in SCORES
    assert isinstance(method.support_score, Score)
    assert {method.support_count, method.support_base} <= set(method.count_fields)
    assert set(method.count_fields) <= set(method.columns)
    assert method.vote_count in method.columns
    share = method.support_score
    assert {share.field, share.low, share.high} <= set(method.columns)
    for name in method.scores:
        assert {SCORES[name].field, SCORES[name].low, SCORES[name].high} <= set(method.columns)
    assert set(method.cube_measures) <= set(CUBE_MEASURES)
    for measure, fields in method.protects:
        assert measure in (*method.cube_measures, EVERY_VALUE, SUM_VALUE) and set(fields) <= set(
            method.columns)  # fmt: skip
    # Widest first: each entry's fields include every later entry's.
    for (_, wide), (_, narrow) in zip(method.protects, method.protects[1:], strict=False):
        assert set(narrow) <= set(wide)
    if any(m == EVERY_VALUE for m, _ in method.protects):
        assert {m for m, _ in method.value_counts()} <= {*method.cube_measures,
                                                         method.value_split}  # fmt: skip
    assert method.support_meaning and method.label
    low, high = method.value_range(3)
    assert 1 <= low <= high


@pytest.mark.parametrize("method", METHODS.values(), ids=list(METHODS))
def test_a_scored_cell_has_exactly_the_method_columns(method: VoteMethod) -> None:
    row = method.score_cell(COUNTS, 40, 3)
    assert list(row) == list(method.columns)


def test_scored_cells_by_hand() -> None:
    pick = METHODS["pick"].score_cell(COUNTS, 40, 3)
    assert (pick["picks"], pick["voters"], pick["share"]) == (20, 40, 0.5)
    rank = METHODS["rank"].score_cell(COUNTS, 40, 3)
    assert (rank["ranked"], rank["points"], rank["mean_points"]) == (20, 50.0, 50 / 40)
    rate = METHODS["rate"].score_cell(COUNTS, 40, None)
    assert (rate["raters"], rate["mean_rating"], rate["share_4_or_5"]) == (20, 3.5, 0.6)
    assert "voters" not in rate  # rate rounds never serve voters beside raters
    assert math.isnan(METHODS["pick"].score_cell({**COUNTS, "voters": 0}, 0, 3)["share"])


def test_support_on_hand_made_rows() -> None:
    pick, rank, rate = METHODS["pick"], METHODS["rank"], METHODS["rate"]
    assert pick.support({"voters": 40, "picks": 10}) == (10.0, 40.0)
    assert rank.support({"voters": 40, "ranked": 12, "points": 30}) == (12.0, 40.0)
    assert rate.support({"raters": 30, "rated_4_or_5": 9, "voters": 99}) == (9.0, 30.0)
    assert pick.support({"voters": 40, "picks": None}) is None  # withheld
    assert rate.support({"raters": None, "rated_4_or_5": None}) is None
    assert rank.support({"voters": 40}) is None  # a row of another method
    assert rate.support({"raters": 0, "rated_4_or_5": 0}) is None  # nobody asked
    assert rate.support_counts({"raters": 0, "rated_4_or_5": 0}) == (0.0, 0.0)
    meanings = {m.support_meaning for m in METHODS.values()}
    assert meanings == {"picked it", "ranked it", "rated it 4 or 5"}


def test_withheld_asks_widest_measure_first_and_stops() -> None:
    asked: list[str] = []

    def hidden(measure: str) -> bool:
        asked.append(measure)
        return measure == "voters"

    assert METHODS["rate"].withheld(hidden)[0] == "raters" and asked == ["voters"]
    assert METHODS["rate"].withheld(lambda m: m == "top2") == [
        "rated_4_or_5", "share_4_or_5", "share_4_or_5_low", "share_4_or_5_high",
        "mean_rating", "mean_low", "mean_high"
    ]  # fmt: skip
    # The mean reads the sum of ratings: withheld wherever the rated 1 or 4 / 2 or 5 split
    # or the three-way split is. Its t-interval reads every rating count: withheld wherever
    # one is (and then replaced by the widest interval of served values, `coarsen`).
    assert METHODS["rate"].withheld(lambda m: m == SUM_VALUE) == [
        "mean_rating", "mean_low", "mean_high"]  # fmt: skip
    assert METHODS["rate"].withheld(lambda m: m == EVERY_VALUE) == ["mean_low", "mean_high"]
    row = {"mean_low": None, "mean_high": None}
    counts = {"voters": 40, "value_sum": 150, "top2": 25, "bottom2": 5}
    assert METHODS["rate"].coarsen(row, counts, ["mean_low", "mean_high"]) == []
    assert (row["mean_low"], row["mean_high"]) == widest_interval(40, 150, 25, 5)
    assert METHODS["rate"].coarsen({}, counts, ["mean_rating", "mean_low", "mean_high"]) == [
        "mean_rating", "mean_low", "mean_high"]  # fmt: skip
    assert METHODS["pick"].withheld(lambda m: False) == []


def test_unknown_method_is_a_clear_error() -> None:
    with pytest.raises(UnknownVoteMethod, match="known: pick, rank, rate") as info:
        vote_method("approve")
    assert isinstance(info.value, ValueError)


def test_filters_accept_the_scores_and_cross_group_rankings() -> None:
    assert (*SCORES, *CROSS_GROUP_RANKINGS) == PRIORITY_METHODS
    for name in PRIORITY_METHODS:
        assert Filters.parse({"method": name}).method == name
    with pytest.raises(FilterError, match="use one of share, points, mean, balanced, bridging"):
        Filters.parse({"method": "median"})


def test_count_fields_are_every_method_count() -> None:
    assert {"voters", "picks", "ranked", "raters", "rated_4_or_5"} == COUNT_FIELDS


def test_methods_are_the_export_contracts_round_methods() -> None:
    assert set(ROUND_METHODS) == set(METHODS)


def test_methods_are_the_rounds_methods_in_the_fixture(fixture_warehouse: Path) -> None:
    """A round method in the data with no class here fails (and a class with no data)."""
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        used = {m for (m,) in con.execute("SELECT DISTINCT method FROM rounds").fetchall()}
        cube = {c for (c, *_) in con.execute("DESCRIBE vote_cube").fetchall()}
    assert used == set(METHODS)
    assert set(CUBE_MEASURES) <= cube


# --- no branch on a method's name outside vote_methods.py --------------------------------

LITERAL = r"""["'](pick|rank|rate)["']"""
BRANCH = [
    re.compile(rf"(==|!=|<>)\s*{LITERAL}"),  # method == "rate"
    re.compile(rf"{LITERAL}\s*(==|!=|<>)"),  # "rate" == method
    re.compile(rf"\bin\s*[(\[{{]\s*{LITERAL}", re.IGNORECASE),  # in ("pick", ...), SQL IN
    re.compile(rf"\bWHEN\s+{LITERAL}", re.IGNORECASE),  # SQL CASE method WHEN 'pick'
    re.compile(rf"method\s*=\s*{LITERAL}"),  # SQL method = 'rate'
]
# Owned by others: the synthetic network and the export contract declare the methods.
OWNED_ELSEWHERE = ("dashboard/warehouse/synth", "dashboard/warehouse/contract.py")
# Not converted yet: being converted to ask the method object by someone else.
# Shrink this list as they are; a new file never belongs here.
NOT_YET_CONVERTED = ()


def branches(line: str) -> bool:
    """Whether a line compares with a method name, or lists two of them (a per-name table)."""
    named = set(re.findall(LITERAL, line))
    return len(named) >= 2 or any(p.search(line) for p in BRANCH)


def test_the_branch_pattern_catches_the_old_branches() -> None:
    for line in ('if rnd.method == "rate":', "if r['method'] != 'rate':",
                 'label = "picks" if m in ("pick", "rank") else "x"',
                 'DEFAULT = {"pick": "share", "rank": "points"}',
                 "CASE WHEN method = 'rate' THEN NULL", "CASE r.method WHEN 'pick' THEN 1"):  # fmt: skip
        assert branches(line), line
    for line in ('r.get("rank")', 'row.update({"rank": i + 1, "rank_best": 1})',
                 'cols = ["rank", "rank_best", "tier"]', "the pick, rank and rate rounds"):  # fmt: skip
        assert not branches(line), line


def test_nothing_under_dashboard_branches_on_a_method_name() -> None:
    found = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "dashboard/insights/vote_methods.py" or rel.startswith(
            OWNED_ELSEWHERE + NOT_YET_CONVERTED
        ):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if branches(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "ask dashboard.insights.vote_methods instead:\n" + "\n".join(found)
