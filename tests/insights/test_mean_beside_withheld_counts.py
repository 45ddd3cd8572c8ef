"""The exact mean rating beside withheld rating counts (README "The audit"): served where the
count of raters who rated a question 1 or 4 (and 2 or 5) is protected, it boxes no withheld
rating count, and the audit catches the rules that would.

With raters, rated 4-5 and rated 1-2 known, the sum of ratings (the mean) tells exactly
one more count: rated 1 or 4 (so also rated 2 or 5). The build protects that split of the
raters like the others (`SUM_SPLIT`); the mean is served wherever it and the three-way
split are (`SUM_VALUE`), beside its t-interval where all five rating counts are and
otherwise beside the widest interval that raters, rated 4-5, rated 1-2 and the sum allow
(`widest_interval`), which tells nothing of the sum of squares. The fixture's groups are
too small to show much, so this builds a network of its own: the fixture export plus 1,300
members who rate four questions in one rate round (R4), with rare ratings of 1, of 5, and
of 1 and 4 together.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from dashboard.insights.audit import audit_ratings, collect_ratings, engine_for
from dashboard.insights.stats import mean_interval
from dashboard.insights.vote_methods import EVERY_VALUE, METHODS, widest_interval
from dashboard.warehouse.build import build_warehouse
from tests.conftest import FIXTURE_EXPORT

K = 11
MEMBERS = 1300
# Each question's chance of a rating of 1..5: rare 1s; rare 5s; rare 1s and rare 4s
# (the case where the counts that could make up for a moved rating are small too); spread.
RATINGS = {
    "Q1": (0.006, 0.04, 0.2, 0.45, 0.304),
    "Q2": (0.2, 0.35, 0.3, 0.14, 0.01),
    "Q3": (0.006, 0.25, 0.3, 0.008, 0.436),
    "Q4": (0.1, 0.15, 0.3, 0.3, 0.15),
}
# The audit asks every filter set of these (1, 2 or 3 filters): 80 sets, ~30 s.
DIMS = ("role", "sex", "country")


def write_rated_export(target: Path, members: int = MEMBERS, seed: int = 3) -> Path:
    """The fixture export plus `members` members who all rate RATINGS' questions in R4."""
    shutil.copytree(FIXTURE_EXPORT, target)
    rng = np.random.default_rng(seed)
    with (target / "members.csv").open(newline="") as f:
        header = next(csv.reader(f))
    roles = rng.choice(["person_with_ms", "caregiver", "other"], members, p=[0.85, 0.1, 0.05])
    types = rng.choice(["RRMS", "SPMS", "PPMS"], members, p=[0.7, 0.18, 0.12])
    sexes = rng.choice(["female", "male", "undisclosed"], members, p=[0.65, 0.33, 0.02])
    countries = rng.choice(["US", "CA", "GB"], members, p=[0.7, 0.2, 0.1])
    born = rng.choice([1960, 1975, 1990], members)
    diagnosed = rng.choice([2005, 2012, 2018], members)
    with (target / "members.csv").open("a", newline="") as f:
        out = csv.DictWriter(f, header, lineterminator="\n")
        for i in range(members):
            ms = roles[i] == "person_with_ms"
            out.writerow({"member_id": f"S{i:05d}", "joined_on": "2020-01-15",
                          "role": roles[i], "ms_type": types[i] if ms else "",
                          "diagnosis_year": int(diagnosed[i]) if ms else "",
                          "birth_year": int(born[i]), "sex": sexes[i],
                          "country": countries[i]})  # fmt: skip
    with (target / "rounds.csv").open("a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(["R4", "Round 4: rate again", "2026-06-01", "2026-06-30",
                                "rate", ""])  # fmt: skip
    with (target / "votes.csv").open("a", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        for q, p in RATINGS.items():
            values = rng.choice([1, 2, 3, 4, 5], members, p=p)
            for i in range(members):
                out.writerow(["R4", q, f"S{i:05d}", "2026-06-10T10:00:00", int(values[i])])
    return target


@pytest.fixture(scope="module")
def rated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rated")
    export = write_rated_export(folder / "export")
    build_warehouse(export, folder / "warehouse.duckdb", previous=None, k=K)
    return folder / "warehouse.duckdb"


def test_widest_interval_holds_the_t_interval_and_reads_only_served_values() -> None:
    """For any rating counts, the widest interval (from raters, rated 4-5, rated 1-2 and
    the sum) contains the exact t-interval, and every counts with the same four values
    get the same interval."""
    rng = np.random.default_rng(1)
    values = np.arange(1, 6)
    for _ in range(300):
        counts = rng.multinomial(int(rng.integers(2, 3000)), rng.dirichlet(np.ones(5) / 2))
        n, top2, bottom2 = int(counts.sum()), int(counts[3:].sum()), int(counts[:2].sum())
        total, squares = int(counts @ values), int(counts @ values**2)
        low, high = widest_interval(n, total, top2, bottom2)
        _, t_low, t_high = mean_interval(n, total, squares)
        assert low <= t_low + 1e-12 and t_high - 1e-12 <= high, (counts, low, t_low)
        # the same served values, another split of 1-2 and 4-5: one move keeps them all
        move = min(counts[1], counts[3])
        other = counts + np.array([move, -move, 0, -move, move])
        assert (int(other @ values), int(other[:2].sum())) == (total, bottom2)
        assert widest_interval(n, total, top2, bottom2) == (low, high)


def test_mean_beside_withheld_counts(rated_warehouse: Path) -> None:
    engine = engine_for(rated_warehouse, K)
    rows = {r["question_id"]: r for r in engine.run("priorities", {"round": "R4"}).rows}
    medians = {r["question_id"]: r for r in engine.run(
        "consensus", {"round": "R4", "consensus_rule": "median_iqr"}).rows}  # fmt: skip
    assert all(rows[q]["raters"] >= 1300 for q in RATINGS)
    # Q4: every rating count served: mean and t-interval as before
    assert medians["Q4"]["median"] is not None and rows["Q4"]["mean_low"] is not None
    # Q1: 1s are rare, so no median; the mean is served, beside the widest interval
    assert medians["Q1"]["median"] is None
    q1 = rows["Q1"]
    low, high = widest_interval(q1["raters"], round(q1["mean_rating"] * q1["raters"]),
                                q1["rated_4_or_5"], medians["Q1"]["rated_1_or_2"])  # fmt: skip
    assert (q1["mean_low"], q1["mean_high"]) == (low, high)
    for row in rows.values():  # ranks and tiers read the served values only
        if row["mean_rating"] is not None:
            assert row["mean_low"] <= row["mean_rating"] <= row["mean_high"]
            assert row["rank"] is not None and row["tier"] is not None
    # Canada, Q3: 2 rated it 1 and 2 rated it 4; their sum, 4, would be told by the mean
    ca = {
        r["question_id"]: r for r in engine.run("priorities", {"round": "R4", "country": "CA"}).rows
    }
    assert ca["Q3"]["raters"] is not None and ca["Q3"]["mean_rating"] is None


@pytest.mark.slow
def test_served_means_box_no_rating_count(rated_warehouse: Path) -> None:
    """The LP audit of R4 with the means' facts (the sum of ratings wherever a mean is
    served, the sum of squares wherever its t-interval is): 0 boxed, 0 pinned (~30 s)."""
    served = collect_ratings(engine_for(rated_warehouse, K), "R4", dims=DIMS, means=True)
    sums = {(f.group, f.question) for f in served.facts if f.field == "value_sum"}
    squares = {(f.group, f.question) for f in served.facts if f.field == "value_sq_sum"}
    assert len(sums - squares) >= 15, "too few means served beside withheld counts"
    report = audit_ratings(served)
    print(report.summary())
    assert len(report.findings) > 50, report.summary()
    assert [f.describe() for f in report.boxed] == [], report.summary()
    assert [f.describe() for f in report.pinned] == [], report.summary()


@pytest.mark.slow
def test_the_audit_catches_a_mean_served_without_its_split(
    rated_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The naive rule: the mean wherever raters and the three-way split are served, the
    rated 1 or 4 / 2 or 5 split unprotected. The audit finds counts it boxes (Canada, Q3:
    rated 1 and rated 4, 2 each, both at most 4)."""
    rate = type(METHODS["rate"])
    mean, interval = ("mean_rating", "mean_low", "mean_high"), ("mean_low", "mean_high")
    monkeypatch.setattr(rate, "protects", (*rate.protects[:2], ("bottom2", mean),
                                           (EVERY_VALUE, interval)))  # fmt: skip
    served = collect_ratings(engine_for(rated_warehouse, K), "R4", dims=DIMS, means=True)
    report = audit_ratings(served)
    print(report.summary())
    assert any(f.count.question == "Q3" for f in report.boxed), report.summary()
