"""events.csv (optional, README "The warehouse"): validated like the contract's files, loaded.

The fixture's events.csv, by hand (line 1 is the header):
  line 2  2019-03-01 to 2019-03-31  MS awareness month campaign  campaign
  line 3  2023-05-10                Spring newsletter            newsletter
  line 4  2026-09-15                September newsletter         newsletter
  line 5  2026-10-01 to 2026-10-20  Q&A webinar: <b>ask</b> us   webinar (markup kept as text)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dashboard.db import Warehouse
from dashboard.insights.participation import timeline_events
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.validate import ExportInvalid

FIXTURE_EVENTS = [
    (dt.date(2019, 3, 1), dt.date(2019, 3, 31), "MS awareness month campaign", "campaign"),
    (dt.date(2023, 5, 10), None, "Spring newsletter", "newsletter"),
    (dt.date(2026, 9, 15), None, "September newsletter", "newsletter"),
    (dt.date(2026, 10, 1), dt.date(2026, 10, 20), "Q&A webinar: <b>ask</b> us", "webinar"),
]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(export: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(ExportInvalid) as info:
        build_warehouse(export, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()
    return [str(p) for p in info.value.report.problems]


def test_fixture_events_are_loaded_as_written(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        rows = con.execute("SELECT event_date, end_date, label, kind FROM events").fetchall()
        columns = {c[0] for c in con.execute("DESCRIBE events").fetchall()}
        sources = dict(con.execute("SELECT file, rows_loaded FROM build_sources").fetchall())
    finally:
        con.close()
    assert rows == FIXTURE_EVENTS
    assert columns == {"event_date", "end_date", "label", "kind"}
    assert sources["events.csv"] == 4


def test_timeline_has_rounds_and_events_in_date_order(fixture_warehouse: Path) -> None:
    marks = timeline_events(Warehouse(fixture_warehouse, timeout_s=5))
    assert [(m["kind"], m["round_id"], m["starts_on"]) for m in marks] == [
        ("campaign", None, dt.date(2019, 3, 1)),
        ("newsletter", None, dt.date(2023, 5, 10)),
        ("round", "R1", dt.date(2024, 1, 1)),
        ("round", "R2", dt.date(2025, 1, 1)),
        ("round", "R3", dt.date(2026, 1, 1)),
        ("newsletter", None, dt.date(2026, 9, 15)),
        ("webinar", None, dt.date(2026, 10, 1)),
    ]
    r1 = marks[2]
    assert (r1["label"], r1["ends_on"]) == ("Round 1: pick two", dt.date(2024, 1, 31))


def test_missing_events_csv_means_no_events_and_rounds_still_shown(
    export_copy: Path, tmp_path: Path
) -> None:
    (export_copy / "events.csv").unlink()
    result = build_warehouse(export_copy, tmp_path / "ok.duckdb")
    assert result.rows["events"] == (0, 0)
    assert not any("events" in w for w in result.warnings)
    marks = timeline_events(Warehouse(tmp_path / "ok.duckdb", timeout_s=5))
    assert [m["round_id"] for m in marks] == ["R1", "R2", "R3"]


def test_bom_crlf_cased_header_and_other_extra_columns_are_accepted(
    export_copy: Path, tmp_path: Path
) -> None:
    text = (
        "\ufeff Kind ,LABEL,event_date,End_Date,notes\r\n"
        'webinar,"Ask us: ""why"" & <script>x</script>",2026-10-01,,internal\r\n'
        "other,Board meeting,2026-10-02,2026-10-02,\r\n"
    )
    (export_copy / "events.csv").write_bytes(text.encode("utf-8"))
    result = build_warehouse(export_copy, tmp_path / "ok.duckdb")
    assert result.rows["events"] == (2, 2)
    assert any("events.csv: dropped columns" in w and "notes" in w for w in result.warnings)
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    try:
        labels = [r[0] for r in con.execute("SELECT label FROM events").fetchall()]
    finally:
        con.close()
    assert labels == ['Ask us: "why" & <script>x</script>', "Board meeting"]  # stored as text


CASES = [
    ("2023-05-10,,Spring", "2023-05-32,,Spring",
     "events.csv line 3, column event_date: not a date (YYYY-MM-DD): 2023-05-32"),
    ("2019-03-01,2019-03-31", "2019-03-01,31/03/2019",
     "events.csv line 2, column end_date: not a date (YYYY-MM-DD): 31/03/2019"),
    ("2019-03-01,2019-03-31", "2019-03-01,2019-02-27",
     "events.csv line 2, column end_date: end_date is before event_date"),
    (",September newsletter,newsletter", ",September newsletter,mailshot",
     "events.csv line 4, column kind: unknown value mailshot (allowed: newsletter, campaign, "
     "webinar, other)"),
    ("Spring newsletter", "S" * 61,
     "events.csv line 3, column label: longer than 60 characters"),
    ("September newsletter", '"September\nnewsletter"',
     "events.csv line 4, column label: must be one line of text"),
    ("2023-05-10,,Spring newsletter,", "2023-05-10,,,",
     "events.csv line 3, column label: missing required value"),
    ("2023-05-10,,Spring", ",,Spring",
     "events.csv line 3, column event_date: missing required value"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_each_bad_event_names_file_line_and_column(
    export_copy: Path, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    _replace(export_copy / "events.csv", old, new)
    problems = _problems(export_copy, tmp_path)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_label_of_exactly_the_limit_is_fine(export_copy: Path, tmp_path: Path) -> None:
    _replace(export_copy / "events.csv", "Spring newsletter", "S" * 60)
    assert build_warehouse(export_copy, tmp_path / "ok.duckdb").rows["events"] == (4, 4)


@pytest.mark.parametrize("column", ["member_id", " Email ", "first_name", "user_id"])
def test_a_person_column_stops_the_build(export_copy: Path, tmp_path: Path, column: str) -> None:
    """Events are about the network: a column that could name a person is refused, not dropped."""
    path = export_copy / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + f",{column}"] + [f"{line},M01" for line in lines[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    problems = _problems(export_copy, tmp_path)
    name = column.strip().lower()
    assert f"events.csv line 1, column {name}: events.csv is about the network" in problems[0]
    assert len(problems) == 1, problems


def test_every_bad_event_is_reported_in_one_run(export_copy: Path, tmp_path: Path) -> None:
    (export_copy / "events.csv").write_text(
        "event_date,end_date,label,kind\n"
        "2026-13-01,,A,newsletter\n"
        "2026-10-05,2026-10-01,B,campaign\n"
        "2026-10-05,,C,<b>party</b>\n",
        encoding="utf-8",
    )
    problems = _problems(export_copy, tmp_path)
    assert sorted(p.split(":")[0] for p in problems) == [
        "events.csv line 2, column event_date",
        "events.csv line 3, column end_date",
        "events.csv line 4, column kind",
    ]
