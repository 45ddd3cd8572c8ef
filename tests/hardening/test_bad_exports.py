"""Bad exports through `python -m dashboard build`: exit 2, a clear message, bounded memory,
and the published warehouse byte-for-byte unchanged.

(Each contract rule's message is tests/warehouse/test_validate.py; this is the
command a data manager runs, on files that are not CSV at all. The 2 GB case is
`python -m benchmarks.garbage_export`.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.garbage_export import run_build, write_garbage
from dashboard.warehouse.build import build_warehouse
from tests.conftest import TEST_KEY

MB = 1 << 20
PEAK_LIMIT_MB = 1024  # the app's own footprint is ~250 MB; garbage must not add gigabytes


@pytest.fixture
def published(export_copy: Path, tmp_path: Path) -> Path:
    target = tmp_path / "published" / "warehouse.duckdb"
    build_warehouse(export_copy, target)
    return target


def refuse(export: Path, target: Path, *expected: str) -> str:
    outcome = run_build(export, target, {"DASHBOARD_PSEUDONYM_KEY": TEST_KEY})
    assert outcome.exit_code == 2, outcome.stderr[-2000:]
    assert "nothing was published" in outcome.stderr
    for text in expected:
        assert text in outcome.stderr, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    assert outcome.unchanged
    assert outcome.peak_mb < PEAK_LIMIT_MB, outcome.peak_mb
    leftovers = [p.name for p in target.parent.iterdir() if ".building-" in p.name]
    assert leftovers == []
    return outcome.stderr


def test_zero_byte_members_file(export_copy: Path, published: Path) -> None:
    (export_copy / "members.csv").write_bytes(b"")
    refuse(export_copy, published, "members.csv line 1: file is empty (no header row)")


def test_header_only_members_file(export_copy: Path, published: Path) -> None:
    """No members: every vote, comment, enrollment and activity row points at nobody."""
    (export_copy / "members.csv").write_text("member_id,joined_on,role\n")
    refuse(export_copy, published, "votes.csv line 2, column member_id: no such member_id")


def test_every_file_header_only(export_copy: Path, published: Path) -> None:
    for path in export_copy.glob("*.csv"):
        path.write_text(path.read_text().splitlines()[0] + "\n")
    outcome = run_build(export_copy, published, {"DASHBOARD_PSEUDONYM_KEY": TEST_KEY})
    # An empty network is a valid export: it publishes, and nothing breaks.
    assert outcome.exit_code in (0, 2), outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr


def test_invalid_utf8_in_member_text(export_copy: Path, published: Path) -> None:
    questions = export_copy / "questions.csv"
    questions.write_bytes(questions.read_bytes().replace(b"Caf\xc3\xa9", b"Caf\xe9"))
    refuse(export_copy, published, "questions.csv line 6", "not valid UTF-8")


@pytest.mark.parametrize("kind", ["random", "ascii", "one-line", "binary-csv"])
def test_fifty_megabytes_of_garbage(export_copy: Path, published: Path, kind: str) -> None:
    write_garbage(export_copy / "votes.csv", 50 * MB, kind)
    stderr = refuse(export_copy, published, "votes.csv")
    assert len(stderr) < 200_000  # the report is capped, not one line per garbage row
