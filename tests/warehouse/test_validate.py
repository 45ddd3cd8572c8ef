"""Validation: every contract rule reports file, line and column; many problems per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.validate import ExportInvalid


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(export: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(ExportInvalid) as info:
        build_warehouse(export, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()
    return [str(p) for p in info.value.report.problems]


CASES = [
    ("members.csv", "M03,2017-03-15,person_with_ms", "M03,2017-03-15,astronaut",
     "members.csv line 4, column role: unknown value astronaut"),
    ("members.csv", "M05,2017-03-15", "M05,2017-02-30",
     "members.csv line 6, column joined_on: not a date (YYYY-MM-DD): 2017-02-30"),
    ("members.csv", "M02,2017-03-15", "M01,2017-03-15",
     "members.csv line 3, column member_id: duplicate value M01"),
    ("members.csv", "M07,2017-03-15,person_with_ms,RRMS,2010", "M07,2017-03-15,person_with_ms,RRMS,2020",
     "members.csv line 8, column diagnosis_year: diagnosis_year is after the year of joined_on"),
    ("votes.csv", "R1,Q1,M02,2024-01-10T10:00:00,1", "R1,Q1,M02,2024-01-10 10:00,1",
     "votes.csv line 4, column cast_at: not an ISO 8601 timestamp"),
    ("votes.csv", "R1,Q1,M02,2024-01-10T10:00:00,1", "R1,Q9,M02,2024-01-10T10:00:00,1",
     "votes.csv line 4, column question_id: no such question_id in questions.csv: Q9"),
    ("votes.csv", "R1,Q1,M02,2024-01-10T10:00:00,1", "R1,Q1,M02,2024-01-10T10:00:00,2",
     "votes.csv line 4, column value: value 2 is out of range for a pick round (1)"),
    ("rounds.csv", "2024-01-01,2024-01-31", "2024-01-31,2024-01-01",
     "rounds.csv line 2, column closes_on: closes_on is before opens_on"),
    ("rounds.csv", "pick,2", "pick,",
     "rounds.csv line 2, column max_choices: required for pick and rank rounds"),
    ("projects.csv", "https://example.org/results/P2", "javascript:alert(1)",
     "projects.csv line 3, column results_url: not an https URL"),
    ("questions.csv", "Q2,2018-02-01,caregiver", "Q2,2018-02-01,",
     None),  # optional value may be empty: no problem from this change alone
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_each_rule_names_file_line_and_column(
    export_copy: Path, tmp_path: Path, file: str, old: str, new: str, expected: str | None
) -> None:
    _replace(export_copy / file, old, new)
    if expected is None:
        build_warehouse(export_copy, tmp_path / "ok.duckdb")
        return
    problems = _problems(export_copy, tmp_path)
    assert any(p.startswith(expected) for p in problems), problems


def test_many_problems_are_reported_in_one_run(export_copy: Path, tmp_path: Path) -> None:
    _replace(export_copy / "members.csv", "M03,2017-03-15,person_with_ms", "M03,2017-03-15,x")
    _replace(export_copy / "rounds.csv", "pick,2", "vote,2")
    _replace(export_copy / "votes.csv", "R1,Q1,M02", "R1,Q1,NOBODY")
    problems = _problems(export_copy, tmp_path)
    files = {p.split(" ")[0] for p in problems}
    assert {"members.csv", "rounds.csv", "votes.csv"} <= files


def test_missing_required_column_and_file(export_copy: Path, tmp_path: Path) -> None:
    text = (export_copy / "questions.csv").read_text().replace(",topic,", ",subject,", 1)
    (export_copy / "questions.csv").write_text(text)
    (export_copy / "activity.csv").unlink()
    problems = _problems(export_copy, tmp_path)
    assert "questions.csv line 1, column topic: required column is missing" in problems
    assert "activity.csv: file is missing from the export" in problems


def test_real_export_quirks_are_accepted(export_copy: Path, tmp_path: Path) -> None:
    """BOM, CRLF, shuffled and differently cased columns, extra columns."""
    members = export_copy / "members.csv"
    lines = members.read_text().splitlines()
    rows = [line.split(",") for line in lines]
    order = [2, 0, 1, *list(range(3, len(rows[0])))]
    shuffled = [",".join(r[i] for i in order) for r in rows]
    shuffled[0] = shuffled[0].upper().replace("MEMBER_ID", " Member_ID ")
    members.write_bytes(("\ufeff" + "\r\n".join(shuffled) + "\r\n").encode("utf-8"))
    result = build_warehouse(export_copy, tmp_path / "ok.duckdb")
    assert result.rows["members"] == (42, 40)
    assert any("dropped columns" in w and "email" in w for w in result.warnings)


def test_line_numbers_count_quoted_newlines(export_copy: Path, tmp_path: Path) -> None:
    """questions.csv has a title with a newline (Q5 spans lines 6-7): Q5's row starts at 6."""
    _replace(export_copy / "questions.csv", "Q5,2021-03-03", "Q5,2021-13-03")
    problems = _problems(export_copy, tmp_path)
    assert any(p.startswith("questions.csv line 6, column submitted_on") for p in problems)


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage\x00\n\x81\x82,\x83\n"])
def test_empty_or_garbage_file_is_a_clear_error(
    export_copy: Path, tmp_path: Path, content: bytes
) -> None:
    (export_copy / "comments.csv").write_bytes(content)
    problems = _problems(export_copy, tmp_path)
    assert any(p.startswith("comments.csv") for p in problems)


def test_header_only_file_is_fine(export_copy: Path, tmp_path: Path) -> None:
    (export_copy / "comments.csv").write_text("question_id,member_id,posted_at\n")
    result = build_warehouse(export_copy, tmp_path / "ok.duckdb")
    assert result.rows["comments"] == (0, 0)
