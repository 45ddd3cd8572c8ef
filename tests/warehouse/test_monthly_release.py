"""Two monthly releases of a synthetic network: the usual way the app is run.

The first release is exported on 1 October 2026 (every row from that day on left out),
the second a month later from the whole export, replacing the first. In between,
members joined, commented, enrolled and withdrew, and one more month became complete.
Two more pairs: across a new year (January to February 2026), and two months apart while
a round closes (April to June 2026: the second release is the first to show it).
Every chart is asked for every filter set of the walk, on both releases. For a count
shown in both:
- served in both, it may differ by 0 or by at least k, never by 1..k-1 (that would tell
  how many people joined, left or acted in a small group that month);
- about a period complete in both (a closed round, a month before the first export),
  withheld in one, it is withheld in the other too: the release that withheld it chose
  its complements so that it stays unknown, and the other must not give it back.
(tests/warehouse/test_release.py is the same comparison for withdrawals alone.)
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import FilterError
from dashboard.walk import filter_sets
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.synth import write_demo_export

K = 11
# (first export, second export: None for the whole synthetic export, 1 November 2026)
PAIRS = [("2026-10-01", None), ("2026-01-01", "2026-02-01"), ("2026-04-01", "2026-06-01")]
pytestmark = pytest.mark.slow  # a synthetic network, two builds and a walk over every chart

# Each export file's date columns: a row dated on or after the export day is not there yet.
DATED = {"members.csv": ("joined_on",), "votes.csv": ("cast_at",),
         "comments.csv": ("posted_at",), "activity.csv": ("occurred_on",),
         "enrollments.csv": ("occurred_on",), "questions.csv": ("submitted_on",),
         "rounds.csv": ("opens_on",), "projects.csv": ("started_on",)}  # fmt: skip


def exported_on(source: Path, out: Path, day: str) -> None:
    """`source` as it would have been exported on `day`."""
    out.mkdir(parents=True)
    for path in source.glob("*.csv"):
        with path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        dated = DATED.get(path.name, ())
        rows = [r for r in rows if all((r[c] or "")[:10] < day for c in dated)]
        for row in rows:
            if (row.get("consent_withdrawn_on") or "")[:10] >= day:
                row["consent_withdrawn_on"] = ""  # withdrawn later: not yet
        with (out / path.name).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(fields or []))
            writer.writeheader()
            writer.writerows(rows)
    manifest = json.loads((source / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "exported_at": f"{day}T06:00:00Z"}))


def shown(engine: Engine, chart_id: str, args: dict[str, str]) -> dict[tuple, int | None]:
    """(row identity, count field) -> served value, or None where withheld."""
    try:
        result = engine.run(chart_id, args)
    except FilterError:
        return {}
    out: dict[tuple, int | None] = {}
    # Without a round, a chart shows the latest: the same row of another round is not the
    # same count.
    rnd = (result.context.get("round") or {}).get("round_id")
    for row in result.rows:
        if row.get("people") is False:  # e.g. the number of research questions
            continue
        identity = tuple(sorted((k, str(v)) for k, v in row.items()
                                if k not in result.count_fields and k != "suppressed"
                                and not isinstance(v, float | list)))  # fmt: skip
        identity += (("round_id", str(rnd)),) if rnd else ()
        for name in result.count_fields:
            if name in row:
                withheld = name in row.get("suppressed", ()) or row[name] is None
                out[(identity, name)] = None if withheld else int(row[name])
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    whole = tmp_path_factory.mktemp("synthetic") / "export"
    write_demo_export(whole, members=3000, seed=3)
    return whole


@pytest.fixture(scope="module")
def first_release(synthetic: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Callable[[str], Path]:  # fmt: skip
    """The first release of the export as of a day, built once for the module (builds are
    what takes the time here); read-only: a test that changes one changes a copy."""
    built: dict[str, Path] = {}

    def first(day: str) -> Path:
        if day not in built:
            folder = tmp_path_factory.mktemp("first")
            exported_on(synthetic, folder / "early", day)
            built[day] = build_warehouse(folder / "early", folder / "first.duckdb",
                                         previous=None).path  # fmt: skip
        return built[day]

    return first


@pytest.fixture(scope="module", params=PAIRS, ids=lambda pair: f"{pair[0]}-to-{pair[1]}")
def compared(request: pytest.FixtureRequest, synthetic: Path,
             first_release: Callable[[str], Path],
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # fmt: skip
    first_day, second_day = request.param
    folder = tmp_path_factory.mktemp("monthly")
    later = synthetic
    if second_day is not None:
        later = folder / "later"
        exported_on(synthetic, later, second_day)
    first = first_release(first_day)
    target = folder / "warehouse.duckdb"
    shutil.copyfile(first, target)
    second = build_warehouse(later, target)
    old, new = (Engine(Settings(warehouse=p, k=K, query_timeout_s=30, network_name=""))
                for p in (first, target))  # fmt: skip
    moved: dict[str, list] = {}
    given_back: dict[str, list] = {}
    both = 0
    for chart_id, args in filter_sets(old):
        before, after = shown(old, chart_id, args), shown(new, chart_id, args)
        for key in before.keys() & after.keys():
            both += 1
            a, b = before[key], after[key]
            if a is not None and b is not None and 1 <= abs(a - b) < K:
                moved.setdefault(chart_id, []).append((args, key, a, b))
            elif (a is None) != (b is None):
                given_back.setdefault(chart_id, []).append((args, key, a, b))
    return {
        "second": second,
        "both": both,
        "moved": moved,
        "given_back": given_back,
        "first_day": first_day,
    }


def test_the_second_release_followed_the_first(compared: dict[str, Any]) -> None:
    release = compared["second"].release
    assert str(release.previous_as_of) == compared["first_day"]
    assert compared["both"] > 10_000  # the walk reached the charts on both releases


def test_no_count_served_in_both_moves_by_1_to_k(compared: dict[str, Any]) -> None:
    assert {c: v[:3] for c, v in compared["moved"].items()} == {}


# Running totals shown beside a round's topic rows (comments to the end of the last
# complete month, network-wide), not counts about the round.
RUNNING = frozenset({"comments", "commenters"})


def frozen(key: tuple, first_day: str) -> bool:
    """A count about a period complete in both releases: a round (only closed ones are
    shown) or a month before the first export (running totals "to the end of the last
    complete month" are not)."""
    identity, field = dict(key[0]), key[1]
    if field in RUNNING and "topic" in identity:
        return False
    month = identity.get("month") or identity.get("cohort")
    return "round_id" in identity or (month is not None and month[:10] < first_day[:7])


def test_a_period_both_releases_show_is_withheld_in_both_or_in_neither(
    compared: dict[str, Any],
) -> None:
    """Its count is the same in both; served in one, it would give back what the other
    withheld, or undo the complements the other chose around it."""
    flips = {c: [f for f in v if frozen(f[1], compared["first_day"])]
             for c, v in compared["given_back"].items()}  # fmt: skip
    assert {c: v[:3] for c, v in flips.items() if v} == {}


def test_a_month_the_release_before_withheld_stays_withheld(
    synthetic: Path, first_release: Callable[[str], Path], tmp_path: Path
) -> None:
    """The release before may have been made by other rules (an older version of this
    code): whatever it withheld about a month stays withheld, or the two releases
    together could give back what it protected."""
    first = tmp_path / "first.duckdb"
    shutil.copyfile(first_release("2026-10-01"), first)
    con = duckdb.connect(str(first))
    try:
        body = json.loads(con.execute("SELECT body FROM published_results WHERE chart = "
                                      "'members' AND key = 'none'").fetchone()[0])  # fmt: skip
        served = [r for r in body["rows"] if r["role"] == "caregiver" and r["members"] is not None]
        row = served[len(served) // 2]  # as if the older rules had withheld it
        row["members"], row["suppressed"] = None, ["members", "new_members"]
        con.execute("UPDATE published_results SET body = ? WHERE chart = 'members' AND "
                    "key = 'none'", [json.dumps(body)])  # fmt: skip
    finally:
        con.close()
    second = build_warehouse(synthetic, tmp_path / "second.duckdb", previous=first)
    engine = Engine(Settings(warehouse=second.path, k=K, query_timeout_s=30, network_name=""))
    month = row["month"]["$date"]
    now = [r for r in engine.run("members", {"role": "caregiver"}).rows
           if str(r["month"]) == month and r["role"] == "caregiver"]  # fmt: skip
    assert now and now[0]["members"] is None, now


def test_a_release_from_older_code_says_what_it_could_not_compare(tmp_path: Path) -> None:
    export = Path(__file__).resolve().parents[1] / "fixtures" / "export"
    first = build_warehouse(export, tmp_path / "first.duckdb", previous=None)
    con = duckdb.connect(str(first.path))
    con.execute("DELETE FROM published_results WHERE chart = 'country-table'")
    con.close()
    second = build_warehouse(export, tmp_path / "second.duckdb", previous=first.path)
    assert any("did not publish country-table" in w for w in second.release.warnings)
