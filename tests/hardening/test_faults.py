"""Faults: damaged warehouse files, a full disk during a build, a worker killed mid-request.

(A build killed with SIGKILL at any point is tests/warehouse/test_build.py::
test_killed_build_leaves_published_file_unchanged.)
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from app import create_app
from dashboard.db import Warehouse, WarehouseError
from dashboard.security import Auth
from dashboard.warehouse import build as build_module
from dashboard.warehouse.build import build_warehouse
from tests.conftest import FIXTURE_EXPORT
from tests.hardening.conftest import settings_for
from tests.hardening.test_rebuild_under_load import drop_last_vote, start
from tests.test_serving import free_port, get, gunicorn


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def strays(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name or ".open-" in p.name)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda b: b"",
    "garbage": lambda b: os.urandom(len(b)),
    "truncated-half": lambda b: b[: len(b) // 2],
    "truncated-last-page": lambda b: b[:-4096],
    "header-only": lambda b: b[:12288],
    "zeroed-blocks": lambda b: b[:12288] + b"\0" * (len(b) - 12288),
    "not-a-warehouse": lambda _b: b"",  # replaced below by a valid DuckDB file of another app
}


def damaged(kind: str, good: Path, out: Path) -> Path:
    if kind == "not-a-warehouse":
        con = duckdb.connect(str(out))
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
        con.close()
    else:
        out.write_bytes(DAMAGE[kind](good.read_bytes()))
    return out


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_warehouse_is_refused_at_start(fixture_warehouse: Path, tmp_path: Path,
                                               kind: str) -> None:  # fmt: skip
    path = damaged(kind, fixture_warehouse, tmp_path / "wh.duckdb")
    with pytest.raises(WarehouseError) as info:
        create_app(settings_for(path), Auth())
    assert str(path) in str(info.value)  # names the file
    assert strays(tmp_path) == []


def test_gunicorn_refuses_to_start_on_a_damaged_file(fixture_warehouse: Path,
                                                     tmp_path: Path) -> None:  # fmt: skip
    path = damaged("truncated-half", fixture_warehouse, tmp_path / "wh.duckdb")
    proc = gunicorn({"DASHBOARD_BIND": f"127.0.0.1:{free_port()}", "DASHBOARD_WAREHOUSE": str(path),
                     "DASHBOARD_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode != 0
    assert f"{path} is truncated" in output


@pytest.mark.parametrize("kind", ["garbage", "truncated-half", "truncated-last-page",
                                  "not-a-warehouse"])  # fmt: skip
def test_damaged_file_swapped_in_keeps_the_previous_snapshot(
    export_copy: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "wh.duckdb"
    first = build_warehouse(export_copy, target).build_id
    client = create_app(settings_for(target), Auth()).server.test_client()
    assert client.get("/healthz").get_json()["build_id"] == first
    bad = damaged(kind, target, tmp_path / "incoming.duckdb")
    os.replace(bad, target)  # what a broken rsync-then-rename would publish
    for url in ("/healthz", "/api/v1/charts/priorities.json?round=R1",
                "/embed/priorities/data/all.json", "/api/v1/charts/topics.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        if response.is_json:
            assert response.get_json()["build_id"] == first, url
    drop_last_vote(export_copy)
    # The damaged file cannot be the previous release: the operator builds a first release.
    second = build_warehouse(export_copy, target, previous=None).build_id  # taken up again
    assert client.get("/api/v1/charts/priorities.json").get_json()["build_id"] == second
    assert strays(tmp_path) == []


def test_a_warehouse_refuses_only_once_per_bad_file(export_copy: Path, tmp_path: Path,
                                                    monkeypatch) -> None:  # fmt: skip
    target = tmp_path / "wh.duckdb"
    build_warehouse(export_copy, target)
    warehouse = Warehouse(target)
    before = warehouse.snapshot()
    os.replace(damaged("garbage", target, tmp_path / "bad.duckdb"), target)
    opened = []
    real = build_module.duckdb.connect
    monkeypatch.setattr("dashboard.db.duckdb.connect",
                        lambda *a, **k: opened.append(a) or real(*a, **k))  # fmt: skip
    for _ in range(5):
        assert warehouse.snapshot() is before
    assert len(opened) == 1  # not one failed open per query


# --- a full disk during a build --------------------------------------------------------


def enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["_verify", "_fsync", "replace"])
def test_full_disk_at_any_build_step_loses_nothing(export_copy: Path, tmp_path: Path,
                                                   monkeypatch, where: str) -> None:  # fmt: skip
    target = tmp_path / "wh.duckdb"
    build_warehouse(export_copy, target)
    before = digest(target)
    drop_last_vote(export_copy)
    with monkeypatch.context() as patch:
        if where == "replace":
            patch.setattr(build_module.os, "replace", enospc)
        else:
            patch.setattr(build_module, where, enospc)
        with pytest.raises(OSError, match="No space left"):
            build_warehouse(export_copy, target)
    assert digest(target) == before
    assert strays(tmp_path) == []
    build_warehouse(export_copy, target)  # and the next build succeeds
    assert digest(target) != before


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real, small filesystem (tmpfs) when this machine lets us mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the monkeypatched test covers it")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_for_real_leaves_the_published_file(tiny_disk: Path, export_copy: Path,
                                                      fixture_warehouse: Path) -> None:  # fmt: skip
    target = tiny_disk / "wh.duckdb"
    shutil.copyfile(fixture_warehouse, target)  # ~5 MB; the filler leaves 1 MB free
    filler = tiny_disk / "filler"
    filler.write_bytes(b"\0" * (16 * 2**20 - target.stat().st_size - 2**20))
    before = digest(target)
    with pytest.raises((OSError, duckdb.Error, RuntimeError), match=r"(?i)space|write"):
        build_warehouse(export_copy, target)
    assert digest(target) == before
    assert strays(tiny_disk) == []
    assert Warehouse(target).snapshot().build_id  # still a good, readable warehouse
    filler.unlink()
    os.sync()
    build_warehouse(FIXTURE_EXPORT, target)


# --- a worker killed mid-request --------------------------------------------------------


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def test_a_killed_worker_costs_only_its_requests(fixture_warehouse: Path, tmp_path: Path) -> None:
    proc, base = start(fixture_warehouse, tmp_path / "cache")
    url = base + "/api/v1/charts/priorities.json?round=R1"
    results: list[tuple[float, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                status, _ = get(url)
                results.append((time.monotonic(), str(status)))
            except (OSError, urllib.error.HTTPError, http.client.HTTPException) as exc:
                results.append((time.monotonic(), repr(exc)))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(1)
        victim = children(proc.pid)[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        after = [get(url)[0] for _ in range(10)]  # the master replaced the worker
        assert victim not in children(proc.pid)
    finally:
        stop.set()
        proc.terminate()
        proc.communicate(timeout=20)
    failed = [(t, r) for t, r in results if r != "200"]
    assert len(failed) <= 4, failed  # at most the requests that were in flight on it
    assert all(t - killed_at < 1.0 for t, _ in failed), failed
    assert sum(1 for t, r in results if r == "200" and t > killed_at) > 20
    assert after == [200] * 10
