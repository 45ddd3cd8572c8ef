"""The one place DuckDB is opened: a build swapped in while a file is being opened."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from dashboard import db
from dashboard.warehouse.build import build_warehouse

EXPORT = Path(__file__).resolve().parent / "fixtures" / "export"


def test_a_build_swapped_in_during_an_open_is_picked_up_next(tmp_path: Path,
                                                             monkeypatch) -> None:  # fmt: skip
    target = tmp_path / "wh.duckdb"
    first = build_warehouse(EXPORT, target, previous=None).build_id
    second = build_warehouse(EXPORT, tmp_path / "next.duckdb", previous=None).build_id
    shutil.copyfile(tmp_path / "next.duckdb", tmp_path / "ready.duckdb")
    real_connect = duckdb.connect
    swapped = []

    def connect_while_a_build_lands(*args, **kwargs):
        con = real_connect(*args, **kwargs)
        if not swapped:  # the new build is renamed over the target mid-open
            (tmp_path / "ready.duckdb").replace(target)
            swapped.append(True)
        return con

    monkeypatch.setattr(db.duckdb, "connect", connect_while_a_build_lands)
    warehouse = db.Warehouse(target)
    assert warehouse.snapshot().build_id == first  # what was opened
    assert warehouse.snapshot().build_id == second  # not skipped: the swap is seen


def test_a_warehouse_built_by_another_version_is_refused_clearly(tmp_path: Path) -> None:
    import pytest

    target = tmp_path / "wh.duckdb"
    build_warehouse(EXPORT, target, previous=None)
    con = duckdb.connect(str(target))
    con.execute("UPDATE build_info SET schema = 'older'")
    con.close()
    with pytest.raises(db.WarehouseError, match=r"another version of the build.*rebuild it"):
        db.Warehouse(target).snapshot()


def test_the_schema_covers_everything_that_decides_a_warehouse_and_make_run_checks_it() -> None:
    """A change to how the publication is computed, protected or laid out must refuse an
    older warehouse (its counts may have been protected by other rules), and `make run`
    must rebuild the demo for it: it asks the app itself (`python -m dashboard check`)."""
    from dashboard.config import PROJECT_ROOT

    inputs = [p.relative_to(PROJECT_ROOT).as_posix() for p in db.build_inputs()]
    for name in ("dashboard/insights/vote_methods.py", "dashboard/insights/publication.py",
                 "dashboard/insights/disclosure.py", "dashboard/warehouse/release.py",
                 "dashboard/catalogue.py", "queries/rounds.sql"):  # fmt: skip
        assert name in inputs, name
    assert any(i.startswith("queries/build/") for i in inputs)
    assert not any(i.startswith(("dashboard/pages/", "dashboard/figures/")) for i in inputs)
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "run: install warehouse" in makefile
    rule = makefile.split("\nwarehouse:", 1)[1].split("\n\n")[0]
    assert "-m dashboard check $(WAREHOUSE) || $(MAKE) demo" in rule
