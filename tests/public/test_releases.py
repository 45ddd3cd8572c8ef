"""Archived releases: kept when built, served and published, never rewritten (#17 item 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import create_public_server
from dashboard.cli import main as cli
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.public import releases
from dashboard.public.publish import publish
from tests.warehouse.test_release import EXPORT, withdraw

K = 11


def settings_for(path: Path) -> Settings:
    return Settings(warehouse=path, k=K, query_timeout_s=5, network_name="")


def next_export(tmp_path: Path) -> Path:
    """The fixture a month later: 3 caregivers withdrew, a new as-of date."""
    export = tmp_path / "export-2"
    shutil.copytree(EXPORT, export)
    withdraw(export, "caregiver", 3, "2026-11-20")
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["exported_at"] = "2026-12-01T06:00:00Z"
    (export / "manifest.json").write_text(json.dumps(manifest))
    return export


@pytest.mark.slow
def test_an_archived_release_is_unchanged_after_a_rebuild(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    runner = CliRunner()
    first = runner.invoke(cli, ["build", str(EXPORT), "--out", str(warehouse), "--first-release"])
    assert first.exit_code == 0, first.output
    folder = settings_for(warehouse).releases()
    assert "public release kept in" in first.output and (folder / "2026-11-01").is_dir()
    c = create_public_server(settings_for(warehouse)).test_client()
    path = "/embed/priorities/@2026-11-01/data/role=caregiver.json"
    before = {p: c.get(p).data for p in (path, path.replace(".json", ".csv"),
                                         path.replace(".json", ".zip"))}  # fmt: skip
    assert all(before.values())
    live_before = c.get("/embed/priorities/data/role=caregiver.json").get_json()

    second = runner.invoke(cli, ["build", str(next_export(tmp_path)), "--out", str(warehouse)])
    assert second.exit_code == 0, second.output
    # right after the build the server serves the new release under its date, the old as it was
    kept = c.get("/embed/releases.json").get_json()["releases"]
    assert [r["as_of"] for r in kept] == ["2026-12-01", "2026-11-01"]
    for p, body in before.items():
        assert c.get(p).data == body, p
    live = c.get("/embed/priorities/data/role=caregiver.json").get_json()
    assert live["as_of"] == "2026-12-01" and live["build_id"] != live_before["build_id"]
    archived = c.get(path).get_json()
    assert archived["as_of"] == "2026-11-01" and archived["build_id"] == live_before["build_id"]
    page = c.get("/embed/priorities/@2026-11-01/?role=caregiver").data.decode()
    assert "this chart never changes" in page and "../../static/embed.js" in page

    # publish writes every kept release, the same bytes as the server
    site = tmp_path / "site"
    publish(Engine(settings_for(warehouse)), site, images=False)
    embed = site / "embed"
    assert (embed / "priorities" / "@2026-11-01" / "data" / "role=caregiver.json").read_bytes() \
        == before[path]  # fmt: skip
    assert (embed / "priorities" / "@2026-12-01" / "index.html").is_file()
    listed = json.loads((embed / "releases.json").read_text())["releases"]
    assert [r["as_of"] for r in listed] == ["2026-12-01", "2026-11-01"]
    assert "never changes" in (embed / "index.html").read_text()


def test_a_kept_release_is_never_rewritten(
    fixture_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(releases.public, "PUBLIC_FILTERS", {"priorities": ("role",)})
    folder = tmp_path / "releases"
    engine = Engine(settings_for(fixture_warehouse))
    target = releases.archive(engine, folder)
    assert target == folder / "2026-11-01"
    marker = target / "priorities" / "all.json"
    marker.write_bytes(b'{"kept": true}')  # stands for "what was published then"
    assert releases.archive(engine, folder) == target
    assert marker.read_bytes() == b'{"kept": true}'
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging left


def test_an_unwritable_releases_folder_does_not_stop_serving(
    fixture_warehouse: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    engine = Engine(settings_for(fixture_warehouse))
    assert releases.archive(engine, blocker / "releases") is None


@pytest.mark.parametrize(
    "path",
    [
        "/embed/priorities/@2026-01-01/data/all.json",  # not kept
        "/embed/priorities/@../../../etc/data/passwd.json",
        "/embed/priorities/@2026-11-01/data/..%2F..%2Frelease.json",
        "/embed/priorities/@2026-11-01/data/round=R1&sex=female.json",  # not a public filter
        "/embed/priorities/@2026-11-01/data/all.exe",
        "/embed/priorities/@2026-11-01%2F..%2F/data/all.json",
        "/embed/retention/@2026-11-01/data/all.json",  # not public
    ],
)
def test_hostile_release_addresses_are_refused(fixture_warehouse: Path, path: str) -> None:
    c = create_public_server(settings_for(fixture_warehouse)).test_client()
    c.get("/embed/releases.json")  # the current release is kept
    assert c.get("/embed/priorities/@2026-11-01/data/round=R1.json").status_code == 200
    response = c.get(path)
    assert response.status_code in (400, 404), path


def test_the_current_release_is_served_under_its_date(fixture_warehouse: Path) -> None:
    c = create_public_server(settings_for(fixture_warehouse)).test_client()
    assert c.get("/embed/releases.json").get_json()["releases"][0]["as_of"] == "2026-11-01"
    live = c.get("/embed/members/data/role=caregiver.json").get_json()
    archived = c.get("/embed/members/@2026-11-01/data/role=caregiver.json").get_json()
    # the same numbers and words (the first server to keep a release fixes its own URLs)
    assert {k: archived[k] for k in ("rows", "title", "summary", "build_id", "figure")} == {
        k: live[k] for k in ("rows", "title", "summary", "build_id", "figure")
    }
    index = c.get("/embed/").data.decode()
    assert "/embed/members/@2026-11-01/" in index and "Live (updates with each release)" in index


def open_round_export(tmp_path: Path, name: str, as_of: str, withdrawn: int) -> Path:
    """The fixture with round R3 still open (to the end of 2026), as exported on `as_of`."""
    export = tmp_path / name
    shutil.copytree(EXPORT, export)
    rounds = export / "rounds.csv"
    rounds.write_text(rounds.read_text().replace("2026-01-01,2026-01-31", "2026-01-01,2026-12-31"))
    if withdrawn:
        withdraw(export, "caregiver", withdrawn, "2026-11-20")
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["exported_at"] = f"{as_of}T06:00:00Z"
    (export / "manifest.json").write_text(json.dumps(manifest))
    return export


@pytest.mark.slow
def test_a_release_keeps_only_what_later_releases_cannot_move(tmp_path: Path) -> None:
    """An open round is not served at all, so nothing of it is kept, and the default view
    is the latest closed round; the topics chart (running totals of the discussion, which
    later releases move by 0 or at least k) is not kept. 3 caregivers who rated in R3
    withdraw before the second release."""
    warehouse = tmp_path / "wh.duckdb"
    runner = CliRunner()
    first = open_round_export(tmp_path, "e1", "2026-11-01", 0)
    assert runner.invoke(cli, ["build", str(first), "--out", str(warehouse),
                               "--first-release"]).exit_code == 0  # fmt: skip
    c = create_public_server(settings_for(warehouse)).test_client()
    kept = c.get("/embed/releases.json").get_json()["releases"]
    assert kept[0]["as_of"] == "2026-11-01"
    at = "/embed/{}/@2026-11-01/data/{}.csv"
    assert c.get(at.format("priorities", "round=R1")).status_code == 200
    kept_all = c.get(at.format("priorities", "all").replace(".csv", ".json")).get_json()
    assert kept_all["rows"] == c.get("/embed/priorities/data/round=R2.json").get_json()["rows"]
    for chart, key in (("priorities", "round=R3"), ("priorities", "role=caregiver&round=R3"),
                       ("topics", "round=R1")):  # fmt: skip
        assert c.get(at.format(chart, key)).status_code == 404, (chart, key)
    for path in ("/embed/priorities/data/round=R3.json", "/embed/priorities/?round=R3"):
        assert c.get(path).status_code in (400, 404), path  # open: refused, not an error
    assert "@2026-11-01" in c.get("/embed/priorities/data/round=R1.json").get_json()["citation"]
    index = c.get("/embed/").data.decode()
    assert "/embed/topics/@" not in index and "/embed/members/@2026-11-01/" in index

    second = open_round_export(tmp_path, "e2", "2026-12-01", 3)
    assert runner.invoke(cli, ["build", str(second), "--out", str(warehouse)]).exit_code == 0
    # every view the first release kept is served unchanged by the second, live
    folder = settings_for(warehouse).releases()
    for chart_id, keys in releases.views(folder, "2026-11-01").items():
        for key in keys:
            old = c.get(f"/embed/{chart_id}/@2026-11-01/data/{key}.json").get_json()["rows"]
            new = c.get(f"/embed/{chart_id}/data/{key}.json").get_json()
            if chart_id in ("members", "active-members"):  # a new month: compare the old ones
                months = {r["month"] for r in old}
                new_rows = [r for r in new["rows"] if r["month"] in months]
                assert new_rows == old, (chart_id, key)
            else:
                assert new["rows"] == old, (chart_id, key)
