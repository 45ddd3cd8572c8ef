"""The static publish: one snapshot per run, and embed/ swapped in without a gap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.public import charts as public
from dashboard.public.publish import exchange, publish
from dashboard.warehouse.build import build_warehouse

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "export"


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "v2").write_text("2")
    (tmp_path / "embed").mkdir()
    (tmp_path / "embed" / "v1").write_text("1")
    assert exchange(tmp_path / "new", tmp_path / "embed")  # Linux renameat2
    assert [p.name for p in (tmp_path / "embed").iterdir()] == ["v2"]
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["v1"]


def test_a_build_landing_mid_publish_is_not_mixed_in(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "wh.duckdb"
    first = build_warehouse(EXPORT, target, previous=None).build_id
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    votes = export / "votes.csv"
    votes.write_text("\n".join(votes.read_text().splitlines()[:-1]) + "\n")
    engine = Engine(Settings(warehouse=target, k=11, query_timeout_s=5, network_name=""))
    real_view, landed = public.view, []

    def view_then_rebuild(*args, **kwargs):
        shown = real_view(*args, **kwargs)
        if not landed:
            landed.append(build_warehouse(export, target, previous=None).build_id)
        return shown

    monkeypatch.setattr(public, "view", view_then_rebuild)
    published = publish(engine, tmp_path / "site", images=False)
    assert landed and landed[0] != first
    builds = {json.loads(p.read_text())["build_id"]
              for p in (tmp_path / "site" / "embed").glob("*/data/*.json")}  # fmt: skip
    assert builds == {first} == {published.build_id}
    assert engine.warehouse.snapshot().build_id == landed[0]  # the app itself moves on
