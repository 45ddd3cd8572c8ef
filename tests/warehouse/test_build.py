"""The build: what the fixture becomes, what never reaches the warehouse, atomic publish."""

from __future__ import annotations

import hashlib
import hmac
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.db import Warehouse
from dashboard.warehouse.build import BUILD_SQL_DIR, build_warehouse, hmac_pads
from dashboard.warehouse.validate import ExportInvalid
from tests.conftest import FIXTURE_EXPORT, TEST_KEY


def pseudonym(member_id: str, key: bytes = TEST_KEY.encode()) -> int:
    """The member key the build makes: the first 8 bytes of HMAC-SHA256, signed."""
    digest = hmac.digest(key, member_id.encode(), "sha256")
    return int.from_bytes(digest[:8], "big", signed=True)


@pytest.mark.parametrize(
    "key", [b"k", b"x" * 64, b"a long secret of more than one block " * 3, bytes(range(256))]
)
def test_pseudonyms_in_sql_are_the_standard_hmac(key: bytes) -> None:
    """The SQL HMAC equals Python's for keys shorter and longer than a block, any id."""
    ids = ["M01", "", "émile-ü-名前", "x" * 500, *(f"M{i:07d}" for i in range(2000))]
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE raw_members (member_id VARCHAR)")
    con.executemany("INSERT INTO raw_members VALUES (?)", [[i] for i in ids])
    con.execute((BUILD_SQL_DIR / "00_pseudonyms.sql").read_text(), hmac_pads(key))
    got = dict(con.execute("SELECT member_id, member_key FROM pseudonyms").fetchall())
    want = {i: pseudonym(i, key) for i in ids}
    assert got == want
    assert min(want.values()) < 0 < max(want.values())  # both halves of the sign boundary


def test_fixture_counts(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    counts = dict(con.execute("SELECT file, rows_loaded FROM build_sources").fetchall())
    assert counts == {
        "members.csv": 40, "questions.csv": 5, "rounds.csv": 3, "votes.csv": 139,
        "comments.csv": 15, "projects.csv": 3, "enrollments.csv": 121, "activity.csv": 60,
        "events.csv": 4,
    }  # fmt: skip
    assert con.execute("SELECT as_of::VARCHAR, network FROM build_info").fetchone() == (
        "2026-11-01",
        "Fixture Network",
    )


def test_withdrawn_members_vanish_from_every_table(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    gone = {pseudonym("M41"), pseudonym("M42")}
    kept = pseudonym("M01")
    found = set()
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        cols = con.execute(f"DESCRIBE {table}").fetchall()
        if any(c[0] == "member_key" for c in cols):
            keys = {
                r[0] for r in con.execute(f"SELECT DISTINCT member_key FROM {table}").fetchall()
            }
            assert not keys & gone, table
            found |= keys
    assert kept in found  # the check can fail: pseudonyms are what we think they are


def test_no_identifier_from_the_export_reaches_any_table(fixture_warehouse: Path) -> None:
    members = (FIXTURE_EXPORT / "members.csv").read_text().splitlines()[1:]
    secrets = set()
    for line in members:
        fields = line.split(",")
        secrets |= {fields[0], fields[10], fields[11], fields[12], fields[13], fields[8]}
    secrets |= {"1975", "1990", "2010", "2019"}  # birth and diagnosis years
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
        assert not {"email", "first_name", "postal_code", "date_of_birth", "member_id",
                    "birth_year", "diagnosis_year", "region"} & set(columns), table  # fmt: skip
        for column in columns:
            values = con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {table}')
            for (value,) in values.fetchall():
                assert value not in secrets, (table, column, value)
                assert "@example.org" not in str(value)


def test_duplicate_votes_count_once_latest_wins(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    rows = con.execute(
        "SELECT round_id, question_id, value FROM votes WHERE member_key = ? ORDER BY 1, 2",
        [pseudonym("M13")],
    ).fetchall()
    assert ("R2", "Q2", 1) in rows and ("R2", "Q2", 2) not in rows
    n = con.execute(
        "SELECT count(*) FROM votes WHERE member_key = ? AND round_id = 'R1' AND question_id = 'Q1'",
        [pseudonym("M01")],
    ).fetchone()
    assert n == (1,)


def test_the_latest_vote_wins_in_utc_and_a_tie_goes_to_the_later_line(
    export_copy: Path, tmp_path: Path
) -> None:
    votes = export_copy / "votes.csv"
    votes.write_text(votes.read_text() + "".join([
        "R3,Q1,M01,2026-01-10T12:00:00,2\n",  # same instant as line 96 (5), a later line: 2
        "R3,Q2,M01,2026-01-10T15:00:00+05:00,4\n",  # 10:00 UTC: before line 97's 3, which stays
        "R3,Q3,M01,2026-01-11T01:30:00+02:00,1\n",  # 23:30 UTC the day before
        "R3,Q3,M01,2026-01-10T23:00:00.500Z,4\n",  # earlier still: 1 wins, cast on the 10th
    ]))  # fmt: skip
    build_warehouse(export_copy, tmp_path / "wh.duckdb", previous=None)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT question_id, value, cast_on::VARCHAR FROM votes "
        "WHERE member_key = ? AND round_id = 'R3' ORDER BY 1",
        [pseudonym("M01")],
    ).fetchall()
    assert rows == [("Q1", 2, "2026-01-10"), ("Q2", 3, "2026-01-10"), ("Q3", 1, "2026-01-10")]


def test_bands_not_years(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    row = con.execute(
        "SELECT age_band, duration_band, joined_month::VARCHAR FROM members WHERE member_key = ?",
        [pseudonym("M01")],
    ).fetchone()
    assert row == ("50-59", "10-19", "2017-03-01")  # born 1975, diagnosed 2010, joined 2017-03-15


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_published_file_unchanged(tmp_path: Path, export_copy: Path) -> None:
    target = tmp_path / "wh.duckdb"
    build_warehouse(FIXTURE_EXPORT, target)
    before = _digest(target)
    votes = export_copy / "votes.csv"
    votes.write_text(votes.read_text() + "R1,Q1,NOPE,2024-01-10T10:00:00,1\n")
    with pytest.raises(ExportInvalid):
        build_warehouse(export_copy, target)
    assert _digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".wh")) == [
        ".wh.duckdb.lock"
    ]


def test_killed_build_leaves_published_file_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "wh.duckdb"
    build_warehouse(FIXTURE_EXPORT, target)
    current = _digest(target)
    code = (
        "import sys; from pathlib import Path; from dashboard.warehouse.build import "
        f"build_warehouse; build_warehouse(Path({str(FIXTURE_EXPORT)!r}), Path({str(target)!r}))"
    )
    for delay in (0.3, 0.6, 0.9):
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = _digest(target)
        if after != current:  # the kill came after the rename: a whole, valid new build
            con = duckdb.connect(str(target), read_only=True)
            assert con.execute("SELECT count(*) FROM members").fetchone() == (40,)
            con.close()
        current = after
    build_warehouse(FIXTURE_EXPORT, target)
    leftovers = [p.name for p in tmp_path.iterdir() if ".building-" in p.name]
    assert leftovers == []


def test_reader_keeps_working_and_sees_the_new_build(tmp_path: Path) -> None:
    target = tmp_path / "wh.duckdb"
    first = build_warehouse(FIXTURE_EXPORT, target)
    wh = Warehouse(target)
    old = wh.snapshot()
    second = build_warehouse(FIXTURE_EXPORT, target)
    assert old.connection.execute("SELECT build_id FROM build_info").fetchone() == (first.build_id,)
    assert wh.snapshot().build_id == second.build_id != first.build_id
