"""Discussion activity: per question (the trail) and per topic agree and hide the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dashboard.config import Settings
from dashboard.engine import Engine

K = 11


def _demo(path: Path) -> Engine:
    return Engine(Settings(warehouse=path, k=K, query_timeout_s=30, network_name=""))


def test_a_topic_filter_shows_the_same_discussion_numbers(demo_warehouse: Path) -> None:
    """Protecting only the filtered topic once served a count the full view withheld."""
    demo = _demo(demo_warehouse)
    full = {r["topic"]: r for r in demo.run("topics", {}).rows}
    for topic, row in full.items():
        alone = demo.run("topics", {"topic": topic}).rows
        assert [(r["comments"], r["commenters"]) for r in alone] == [
            (row["comments"], row["commenters"])
        ], topic


def test_no_withheld_comment_count_is_a_combination_of_served_ones(demo_warehouse: Path) -> None:
    """Comments add up (questions -> topics -> all); linear algebra finds no way back."""
    demo = _demo(demo_warehouse)
    trail = demo.run("question-trail", {}).rows
    topics = demo.run("topics", {}).rows
    qids = [r["question_id"] for r in trail]
    index = {q: i for i, q in enumerate(qids)}
    vectors, served, hidden = [], [], []
    for r in trail:
        v = np.zeros(len(qids))
        v[index[r["question_id"]]] = 1
        vectors.append((v, r["comments"]))
    for t in topics:
        v = np.array([1.0 if r["topic"] == t["topic"] else 0.0 for r in trail])
        vectors.append((v, t["comments"]))
    vectors.append((np.ones(len(qids)), None))  # assume the grand total is known too
    served = [v for v, c in vectors[:-1] if c is not None] + [vectors[-1][0]]
    hidden = [v for v, c in vectors[:-1] if c is None]
    assert hidden, "the demo has questions with few comments"
    _, sv, vt = np.linalg.svd(np.array(served), full_matrices=False)
    basis = vt[sv > 1e-9 * sv[0]]
    for v in hidden:
        residual = v - (v @ basis.T) @ basis
        assert np.abs(residual).max() > 1e-6


def test_the_question_trail_carries_its_discussion(engine: Engine) -> None:
    rows = {r["question_id"]: r for r in engine.run("question-trail", {}).rows}
    for row in rows.values():
        for field in ("comments", "commenters"):
            value = row[field]
            assert (value is None and field in row["suppressed"]) or value == 0 or value >= K


def test_topic_votes_are_only_sums_of_served_question_counts(demo_warehouse: Path) -> None:
    """Reviewer's case: R4 "Caregiving & support" minus role totals exposed 9 'other' voters."""
    demo = _demo(demo_warehouse)
    for args in ({}, {"role": "person_with_ms"}, {"role": "caregiver"}, {"role": "other"},
                 {"ms_course": "progressive"}, {"ms_type": "SPMS"}, {"duration_band": "5-9"}):  # fmt: skip
        prio = demo.run("priorities", {"round": "R4", **args}).rows
        for t in demo.run("topics", {"round": "R4", **args}).rows:
            counts = [r.get("picks") for r in prio if r["topic"] == t["topic"]]
            if t["votes"] is not None:
                assert None not in counts and t["votes"] == sum(counts), (args, t["topic"])


def test_a_one_question_topic_shows_exactly_what_its_question_shows(engine: Engine) -> None:
    """Same people, same number: withheld in both views or in neither (review finding)."""
    trail = engine.run("question-trail", {}).rows
    by_topic: dict[str, list[dict]] = {}
    for row in trail:
        by_topic.setdefault(row["topic"], []).append(row)
    single = {t: rows[0] for t, rows in by_topic.items() if len(rows) == 1}
    assert single, "the fixture has one-question topics"
    for topic in engine.run("topics", {}).rows:
        if topic["topic"] in single:
            question = single[topic["topic"]]
            assert (topic["comments"], topic["commenters"]) == (
                question["comments"], question["commenters"]), topic["topic"]  # fmt: skip
