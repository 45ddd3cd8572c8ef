"""A round open at one release and closed at the next, with withdrawals in between.

Release 1 (as of 2026-11-01): the fixture with round R3 open until 2026-11-15.
Release 2 (as of 2026-12-01): R3 has closed; meanwhile 3 caregivers who rated in R3 and
commented on Q2 withdrew consent, and 3 members commented on Q1 in November. Nothing
counted from R3 is served while it is open, everything once it has closed; no count
served by both releases differs by 1..k-1 (every chart, every filter set of the walk);
running totals that grew by 1..k-1 are served as release 1 served them.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app import create_app, create_public_server
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import FilterError
from dashboard.insights.priorities import open_rounds
from dashboard.walk import filter_sets
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.release import held
from tests.warehouse.test_release import EXPORT, K, withdraw
from tests.warehouse.test_release import served_counts as counts_of

pytestmark = pytest.mark.slow  # two builds and two walks over every chart
CLOSES = "2026-11-15"
OPEN_ANSWER = f"open until {CLOSES}: its results are published when it closes"


def export_as_of(folder: Path, as_of: str, changed: bool) -> Path:
    """The fixture with R3 open until CLOSES, exported on `as_of`; `changed`: 3 caregivers
    who rated in R3 (and commented) withdrew, and 3 members commented on Q1 in November."""
    export = folder / f"export-{as_of}"
    shutil.copytree(EXPORT, export)
    rounds = export / "rounds.csv"
    rounds.write_text(rounds.read_text().replace("2026-01-01,2026-01-31",
                                                 f"2026-01-01,{CLOSES}"))  # fmt: skip
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["exported_at"] = f"{as_of}T06:00:00Z"
    (export / "manifest.json").write_text(json.dumps(manifest))
    if changed:
        gone = withdraw(export, "caregiver", 3, "2026-11-20")
        with (export / "votes.csv").open() as fh:
            r3 = {r["member_id"] for r in csv.DictReader(fh) if r["round_id"] == "R3"}
        with (export / "comments.csv").open() as fh:
            commenters = {r["member_id"] for r in csv.DictReader(fh)}
        assert set(gone) <= r3 and set(gone) <= commenters
        with (export / "comments.csv").open("a") as fh:
            fh.writelines(f"Q1,{m},2026-11-0{i + 2}T10:00:00\n"
                          for i, m in enumerate(("M13", "M14", "M15")))  # fmt: skip
    return export


def served_counts(engine: Engine, chart_id: str, args: dict[str, str]) -> dict[tuple, int]:
    """test_release's served counts, named with the round they are about: without a round
    filter a chart shows the latest closed round, R2 in release 1 and R3 in release 2."""
    try:
        rnd = engine.run(chart_id, args).context.get("round", {}).get("round_id")
    except FilterError:
        return {}
    return {(rnd, *key): value for key, value in counts_of(engine, chart_id, args).items()}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("open-round")
    target = folder / "warehouse.duckdb"
    first = build_warehouse(export_as_of(folder, "2026-11-01", False), target, previous=None)
    shutil.copyfile(target, folder / "first.duckdb")
    second = build_warehouse(export_as_of(folder, "2026-12-01", True), target)
    shutil.copyfile(target, folder / "second.duckdb")
    engines = [Engine(Settings(warehouse=folder / name, k=K, query_timeout_s=5,
                               network_name="")) for name in ("first.duckdb", "second.duckdb")]  # fmt: skip
    return {"first": first, "second": second, "engines": engines, "folder": folder}


def test_an_open_round_is_named_never_counted(releases: dict[str, Any]) -> None:
    old, new = releases["engines"]
    assert [r.round_id for r in old.rounds()] == ["R1", "R2"]  # the latest closed is default
    assert [(r.round_id, r.closes_on) for r in open_rounds(old.warehouse)] == [("R3", CLOSES)]
    assert old.run("priorities", {}).context["round"]["round_id"] == "R2"
    assert [r.round_id for r in new.rounds()] == ["R1", "R2", "R3"]
    assert open_rounds(new.warehouse) == []


def test_nothing_counted_from_an_open_round_is_served(releases: dict[str, Any]) -> None:
    old = releases["engines"][0]
    for chart_id, args in filter_sets(old):
        try:
            served = old.run(chart_id, args).to_json()
        except FilterError:
            continue
        served["context"].pop("events", None)  # rounds on the timeline: names and dates
        body = json.dumps(served, default=str)
        assert '"R3"' not in body and "Round 3" not in body, (chart_id, args)
    for chart in ("priorities", "topics", "consensus", "priorities-by-group", "group-top"):
        with pytest.raises(FilterError, match=OPEN_ANSWER):
            old.run(chart, {"round": "R3"})
    headlines = {r["measure"]: r for r in old.run("headlines", {}).rows}
    assert "Round 2" in headlines["votes_latest_round"]["label"]


def test_an_open_round_is_a_clear_answer_not_an_error(releases: dict[str, Any]) -> None:
    settings = Settings(warehouse=releases["folder"] / "first.duckdb", k=K, query_timeout_s=5,
                        network_name="")  # fmt: skip
    api = create_app(settings).server.test_client()
    response = api.get("/api/v1/charts/priorities.json?round=R3")
    assert response.status_code == 400 and OPEN_ANSWER in response.get_json()["error"]
    assert api.get("/priorities?round=R3").status_code == 200
    embed = create_public_server(settings).test_client()
    for path in ("/embed/priorities/?round=R3", "/embed/priorities/data/round=R3.json",
                 "/embed/topics/data/round=R3.csv"):  # fmt: skip
        assert embed.get(path).status_code in (400, 404), path


def test_once_closed_the_round_is_served(releases: dict[str, Any]) -> None:
    new = releases["engines"][1]
    rows = new.run("priorities", {"round": "R3"}).rows
    assert rows and any(r.get("raters") for r in rows)
    assert new.run("priorities", {}).context["round"]["round_id"] == "R3"
    rounds = {r["round_id"]: r for r in new.run("rounds", {}).rows}
    assert set(rounds) == {"R1", "R2", "R3"} and rounds["R3"]["votes"] is not None
    assert "rounds still open are not published" in releases["second"].release.describe()


def test_no_count_served_by_both_releases_moves_by_1_to_k(releases: dict[str, Any]) -> None:
    old, new = releases["engines"]
    walk = {(c, json.dumps(a, sort_keys=True)) for e in (old, new) for c, a in filter_sets(e)}
    moved, compared = [], 0
    for chart_id, args in sorted(walk):
        before = served_counts(old, chart_id, json.loads(args))
        after = served_counts(new, chart_id, json.loads(args))
        compared += len(before.keys() & after.keys())
        moved += [(chart_id, args, key, before[key], after[key]) for key in before.keys() &
                  after.keys() if 1 <= abs(before[key] - after[key]) < K]  # fmt: skip
    assert compared > 250
    assert moved == [], moved


def test_running_totals_that_grew_by_less_than_k_are_held(releases: dict[str, Any]) -> None:
    old, new = releases["engines"]
    trail = [{r["question_id"]: r for r in e.run("question-trail", {}).rows} for e in (old, new)]
    # Q1: 12 members commented to October, 3 more in November: served as 12 again (its
    # comments are withheld in both: Q2's 3 would follow from the total)
    assert trail[0]["Q1"]["commenters"] == trail[1]["Q1"]["commenters"] == 12
    topic = [{r["topic"]: r for r in e.run("topics", {"round": "R2"}).rows} for e in (old, new)]
    assert topic[0]["Progression & repair"]["commenters"] == 12
    assert topic[1]["Progression & repair"]["commenters"] == 12
    enrolled = [{r["measure"]: r for r in e.run("headlines", {}).rows}["enrolled"]
                for e in (old, new)]  # fmt: skip
    assert enrolled[0]["compared_with"] == "no earlier release"
    assert enrolled[1]["compared_with"] == "the release of 2026-11-01"
    assert enrolled[1]["value"] == enrolled[1]["previous"] == enrolled[0]["value"] == 18


def test_held_serves_0_or_at_least_k_steps() -> None:
    assert held(15, 12, K) == 12 and held(23, 12, K) == 23 and held(12, 12, K) == 12
    assert held(3, None, K) == 3 and held(9, 12, K) == 12
    served, values = [], [100, 104, 110, 111, 125, 130, 135, 136, 150]
    for value in values:
        served.append(held(value, served[-1] if served else None, K))
    assert served == [100, 100, 100, 111, 125, 125, 125, 136, 150]
    assert all(a == b or abs(a - b) >= K for a in served for b in served)
