"""Withheld means withheld: every surface shows a withheld value the same way.

A withheld value reads WITHHELD (never "<11": a value withheld so that a small
group cannot be worked out by subtraction is often large, and showing it apart
from a small count would tell which cells are small). An empty group (no one
voted) reads exactly like a small one: telling them apart is attacker knowledge.
Counts below are from tests/fixtures/export/README.md (hand-countable).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import plotly.io as pio
import pytest

from dashboard.catalogue import CATALOGUE, CHARTS, ChartSpec
from dashboard.engine import Engine
from dashboard.insights.result import WITHHELD, WITHHELD_GROUP, WITHHELD_NOTE, to_csv
from dashboard.present.render import render_view
from dashboard.present.viewurl import ViewError, parse_view
from dashboard.words import who

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "export"
SIZES = ("page", "embed", "slide")
# "<11", "&lt;11", "\u003c11" (JSON-escaped), "fewer than 11", "under 11": a threshold shown
# as if it were the value.
THRESHOLD = re.compile(r"(<|&lt;|\\u003c)\s*\d|fewer than \d|under \d", re.IGNORECASE)


def _cases() -> list[tuple[str, dict[str, str]]]:
    """Every chart with no filters, and with filter sets that withhold something."""
    out = []
    for chart in CHARTS:
        base = {"question": "Q1"} if "question" in chart.filters else {}
        sets = [{}]
        if "role" in chart.filters:
            sets.append({"role": "caregiver"})  # R1: Q2's 12 caregiver picks are withheld
        if "round" in chart.filters:
            sets += [{"round": r} for r in ("R1", "R2", "R3")]
            if "role" in chart.filters:
                sets += [{"round": "R1", "role": "caregiver"}, {"round": "R2", "role": "other"}]
        if "country" in chart.filters:
            sets += [{"country": "CA"}, {"country": "FR"}]
        out += [(chart.id, {**base, **args}) for args in sets]
    return out


CASES = _cases()


def _csv_cells(result) -> list[dict[str, str]]:
    lines = list(csv.reader(io.StringIO(to_csv(result))))
    header, body = lines[0], lines[1 : 1 + len(result.rows)]
    return [dict(zip(header, line, strict=False)) for line in body]


@pytest.mark.parametrize(("chart_id", "args"), CASES, ids=[f"{c}-{a}" for c, a in CASES])
def test_every_surface_reads_withheld_never_a_threshold(engine: Engine, chart_id: str,
                                                        args: dict[str, str]) -> None:  # fmt: skip
    chart = CATALOGUE[chart_id]
    result = engine.run(chart.id, chart.page_args(args))
    text = to_csv(result)
    assert not THRESHOLD.search(text), (chart_id, args, text)
    for row, cells in zip(result.rows, _csv_cells(result), strict=True):
        for name in result.columns:
            if name in row.get("suppressed", ()):
                assert cells[name] == WITHHELD, (chart_id, name, cells)
            else:
                assert cells[name] != WITHHELD, (chart_id, name, cells)
    for size in SIZES:
        figure = pio.to_json(chart.figure(result, size), validate=False)
        assert not THRESHOLD.search(figure), (chart_id, args, size)
        for more in chart.more:
            assert not THRESHOLD.search(pio.to_json(more.figure(result, size), validate=False))
    summaries = [chart.summary(result), *(m.summary(result) for m in chart.more)]
    for summary in summaries:
        assert not THRESHOLD.search(summary), (chart_id, args, summary)
    body = json.dumps(result.to_json(), default=str)
    assert not THRESHOLD.search(body), (chart_id, args)


@pytest.mark.parametrize(("chart_id", "args"), CASES, ids=[f"{c}-{a}" for c, a in CASES])
def test_every_slide_reads_withheld_never_a_threshold(engine: Engine, chart_id: str,
                                                      args: dict[str, str]) -> None:  # fmt: skip
    chart = CATALOGUE[chart_id]
    query = "&".join(f"{k}={v}" for k, v in {**chart.view_args, **args}.items())
    for spec in chart.slides:
        try:
            view = parse_view(chart.page + (f"?{query}" if query else ""), spec.focus)
        except ViewError:
            continue  # e.g. a comparison by voter group with a role filter: refused
        content = render_view(engine, view)
        words = " ".join((content.title, content.headline, content.footnote))
        assert not THRESHOLD.search(words), (chart_id, spec.focus, words)
        assert "too few new members" not in words.lower()
        assert not THRESHOLD.search(pio.to_json(content.figure, validate=False)), spec.focus


def test_the_fixture_withholds_large_counts_too(engine: Engine) -> None:
    """Why not "<11": R1 caregivers, Q2 was picked by 12 of them (all caregivers who voted
    picked it; 2 picked Q1), withheld so the 2 cannot be worked out. It reads WITHHELD."""
    result = engine.run("priorities", {"round": "R1", "role": "caregiver"})
    q2 = next(r for r in result.rows if r["question_id"] == "Q2")
    assert q2["picks"] is None and "picks" in q2["suppressed"]
    cells = {c["question_id"]: c for c in _csv_cells(result)}
    assert cells["Q2"]["picks"] == WITHHELD and cells["Q2"]["ci_low"] == WITHHELD
    bars = pio.to_json(CATALOGUE["priorities"].figure(result, "page"), validate=False)
    assert WITHHELD_NOTE in bars and f'"text":["{WITHHELD}"' in bars


def _members(column: str, value: str) -> int:
    with (FIXTURE / "members.csv").open(encoding="utf-8") as f:
        return sum(1 for r in csv.DictReader(f)
                   if r[column] == value and not r["consent_withdrawn_on"])  # fmt: skip


# (chart, args shared, the empty group, the small group)
EMPTY_AND_SMALL = [
    (chart_id, extra, {"country": "FR"}, {"country": "CA"})
    for chart_id, extra in (
        ("priorities", {"round": "R1"}),
        ("priorities", {"round": "R2"}),
        ("priorities-by-group", {"round": "R1", "compare": "role"}),
        ("priorities-balanced", {"round": "R1", "method": "balanced", "compare": "role"}),
        ("topics", {"round": "R1"}),
        ("question-trend", {"question": "Q1"}),
    )
] + [
    # R1 voters were M01-M36: no member of role "other" (M37-M40) voted; 2 PPMS did.
    ("priorities", {"round": "R1"}, {"role": "other"}, {"ms_type": "PPMS"}),
    ("topics", {"round": "R1"}, {"role": "other"}, {"ms_type": "PPMS"}),
    # R2 voters were M01-M24, all person_with_ms: no caregiver voted.
    ("priorities", {"round": "R2"}, {"role": "caregiver"}, {"ms_type": "PPMS"}),
]


def test_the_groups_are_what_the_fixture_says() -> None:
    assert _members("country", "FR") == 0
    assert 0 < _members("country", "CA") < 11
    assert 0 < _members("ms_type", "PPMS") < 11


def _everything(chart: ChartSpec, result) -> dict[str, Any]:
    """What every surface shows of a result, minus the filters it echoes back (as
    filters, and as the group's name in words in titles and sentences)."""
    body = result.to_json()
    body.pop("filters")
    shown = {
        "json": body,
        "csv": to_csv(result),
        "summary": chart.summary(result),
        "figures": [pio.to_json(chart.figure(result, size), validate=False) for size in SIZES],
    }
    return json.loads(json.dumps(shown).replace(who(result.filters), "<the group>"))


@pytest.mark.parametrize(("chart_id", "extra", "empty", "small"), EMPTY_AND_SMALL)
def test_an_empty_group_reads_exactly_like_a_small_one(
    engine: Engine, chart_id: str, extra: dict, empty: dict, small: dict
) -> None:
    chart = CATALOGUE[chart_id]
    a = engine.run(chart_id, {**extra, **empty})
    b = engine.run(chart_id, {**extra, **small})
    assert a.rows == b.rows
    assert a.message == b.message
    assert _everything(chart, a) == _everything(chart, b)
    if a.message:
        assert not THRESHOLD.search(a.message)
        assert "no members" not in a.message.lower()


def test_the_group_message_names_no_threshold() -> None:
    assert not re.search(r"\d|fewer", WITHHELD_GROUP)
    assert not re.search(r"\d|fewer", WITHHELD_NOTE)
    assert WITHHELD_GROUP.startswith("Withheld to protect privacy")


def test_an_empty_group_and_a_small_one_get_the_group_message(engine: Engine) -> None:
    for args in ({"round": "R1", "role": "other"}, {"round": "R1", "ms_type": "PPMS"}):
        assert engine.run("priorities", args).message == WITHHELD_GROUP


# No source file formats a withheld count as "<k" (the minified plotly bundles excepted).
SOURCE_PATTERNS = [
    re.compile(r"""f["'][^"'\n]*(<|&lt;)\{"""),  # f"<{k}", f"&lt;{k}"
    re.compile(r"""["'](<|&lt;)["']\s*\+"""),  # "<" + k
    re.compile(r"fewer than \{"),  # f"fewer than {k}"
]


def test_no_source_formats_a_withheld_count_as_less_than_k() -> None:
    files = [p for p in (ROOT / "dashboard").rglob("*")
             if p.suffix in (".py", ".js", ".html") and not p.name.endswith(".min.js")]  # fmt: skip
    assert len(files) > 30
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in SOURCE_PATTERNS):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
