"""The command line (dashboard/cli.py) through click's runner: build, a refused export, synth.

serve, publish and hash-password are exercised in tests/public/test_charts_and_app.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from dashboard.cli import main as cli
from tests.conftest import FIXTURE_EXPORT


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "build", "demo", "check", "serve", "publish", "hash-password"):
        assert command in result.output


def test_build_publishes_the_fixture_export(tmp_path: Path) -> None:
    out = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(cli, ["build", str(FIXTURE_EXPORT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"published {out}" in result.output
    assert "members.csv" in result.output and "rows read" in result.output
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM build_info").fetchone() == (1,)


def test_build_refuses_a_corrupt_export_with_exit_2(export_copy: Path, tmp_path: Path) -> None:
    (export_copy / "members.csv").write_bytes(b"\x00\xff not a csv \x00" * 50)
    out = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(cli, ["build", str(export_copy), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_build_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "w")]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_synth_writes_a_small_export(tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(
        cli, ["synth", "--out", str(out), "--members", "100", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "members.csv: 100 rows" in result.output
    assert (out / "manifest.json").is_file() and (out / "votes.csv").is_file()


def test_synth_refuses_too_few_members(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["synth", "--out", str(tmp_path), "--members", "5"])
    assert result.exit_code == 2
    assert "--members" in result.output


def test_check_says_whether_a_warehouse_can_be_served(tmp_path: Path,
                                                      fixture_warehouse: Path) -> None:  # fmt: skip
    """`make run` rebuilds the demo when this exits non-zero."""
    ok = CliRunner().invoke(cli, ["check", str(fixture_warehouse)])
    assert ok.exit_code == 0 and "current" in ok.output
    missing = CliRunner().invoke(cli, ["check", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    older = tmp_path / "older.duckdb"
    older.write_bytes(fixture_warehouse.read_bytes())
    with duckdb.connect(str(older)) as con:
        con.execute("UPDATE build_info SET schema = 'older'")
    stale = CliRunner().invoke(cli, ["check", str(older)])
    assert stale.exit_code == 1 and "rebuild it" in stale.output
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database")
    assert CliRunner().invoke(cli, ["check", str(garbage)]).exit_code == 1
