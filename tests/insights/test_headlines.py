"""Overview headlines: each number checked against an independent count of the export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.insights.headlines import _row
from tests.conftest import FIXTURE_EXPORT

AS_OF = dt.date(2026, 11, 1)  # the fixture's manifest


def _csv(name: str) -> list[dict[str, str]]:
    with (FIXTURE_EXPORT / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _heads(engine: Engine) -> dict[str, dict]:
    return {r["measure"]: r for r in engine.run("headlines", {}).rows}


def test_active_is_the_last_complete_month_counted_from_the_export(engine) -> None:
    """As of 1 November, the last complete month is October, compared with July."""
    withdrawn = {m["member_id"] for m in _csv("members") if m["consent_withdrawn_on"]}
    events = [(a["member_id"], dt.date.fromisoformat(a["occurred_on"])) for a in _csv("activity")
              if a["member_id"] not in withdrawn]  # fmt: skip
    october = {m for m, d in events if (d.year, d.month) == (2026, 10)}
    july = {m for m, d in events if (d.year, d.month) == (2026, 7)}
    row = _heads(engine)["active_last_month"]
    assert row["label"] == "Active in October 2026" and row["compared_with"] == "July 2026"
    assert len(october) >= 11 and row["value"] == len(october)
    assert row["previous"] == len(july) == 0  # zero may be shown
    assert row["change"] == len(october)


def test_questions_and_open_projects_are_counts_of_things(engine) -> None:
    heads = _heads(engine)
    questions = _csv("questions")
    old = [
        q
        for q in questions
        if dt.date.fromisoformat(q["submitted_on"][:10]) <= AS_OF - dt.timedelta(days=90)
    ]
    assert heads["questions"]["value"] == len(questions) and heads["questions"]["people"] is False
    assert heads["questions"]["previous"] == len(old)
    open_now = [p for p in _csv("projects") if p["status"] == "open_for_participation"]
    assert heads["projects_open"]["value"] == len(open_now)
    assert heads["projects_open"]["change"] is None  # no status history: said, not guessed


def test_votes_in_the_latest_round_add_up_the_served_question_counts(engine) -> None:
    row = _heads(engine)["votes_latest_round"]
    r3 = engine.run("priorities", {"round": "R3"}).rows  # rate round: raters per question
    r2 = engine.run("priorities", {"round": "R2"}).rows
    assert row["value"] == sum(r["raters"] for r in r3)
    assert row["previous"] == sum(r["ranked"] for r in r2)
    assert "Round 3" in row["label"] and "Round 2" in row["compared_with"]


def test_members_enrolled_are_distinct_people_and_safe_to_subtract(engine) -> None:
    withdrawn = {m["member_id"] for m in _csv("members") if m["consent_withdrawn_on"]}
    enrolled = {(e["member_id"], e["project_id"]) for e in _csv("enrollments")
                if e["stage"] == "enrolled" and e["member_id"] not in withdrawn}  # fmt: skip
    people = {m for m, _ in enrolled}
    twice = len(enrolled) - len(people)  # people counted in two studies
    row = _heads(engine)["enrolled"]
    if len(people) >= 11 and (twice == 0 or twice >= 11):
        assert row["value"] == len(people)
    else:
        assert row["value"] is None and "value" in row["suppressed"]


def test_members_enrolled_on_the_demo(demo_warehouse: Path) -> None:
    import duckdb

    demo = Engine(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=30, network_name=""))
    row = {r["measure"]: r for r in demo.run("headlines", {}).rows}["enrolled"]
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    (n,) = con.execute("SELECT count(DISTINCT member_key) FROM enrollments "
                       "WHERE stage = 'enrolled'").fetchone()  # fmt: skip
    con.close()
    assert row["value"] == n and n >= 11
    assert row["previous"] is None or row["change"] == 0 or row["change"] >= 11


def test_a_withheld_side_withholds_the_change() -> None:
    row = _row("x", "X", 120, None, "then")
    assert row["change"] is None and set(row["suppressed"]) == {"previous", "change"}
    assert _row("x", "X", 120, 100, "then")["change"] == 20


def test_the_summary_names_the_month_it_counts(engine) -> None:
    from dashboard.figures import summaries

    result = engine.run("headlines", {})
    members = _heads(engine)["members"]["value"]
    assert summaries.headlines(result) == f"{members:,} members; 40 active in October 2026."
