"""Rebuilding and republishing the warehouse while gunicorn serves under concurrent load.

Zero failed requests; every answer comes wholly from one published build; the
new build is served within seconds, without a restart.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.warehouse.build import build_warehouse
from tests.conftest import TEST_KEY
from tests.test_serving import free_port, get, gunicorn

URLS = ("/api/v1/charts/priorities.json", "/embed/priorities/data/all.json")
REBUILDS = 3


def start(warehouse: Path, cache: Path):
    port = free_port()
    proc = gunicorn({"DASHBOARD_BIND": f"127.0.0.1:{port}", "DASHBOARD_WORKERS": "2",
                     "DASHBOARD_THREADS": "4", "DASHBOARD_WAREHOUSE": str(warehouse),
                     "DASHBOARD_CACHE_DIR": str(cache), "DASHBOARD_PSEUDONYM_KEY": TEST_KEY})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            get(f"{base}/healthz")
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    pytest.fail("gunicorn did not start: " + proc.communicate(timeout=20)[0])


def drop_last_vote(export: Path) -> None:
    votes = export / "votes.csv"
    lines = votes.read_text().splitlines()
    votes.write_text("\n".join(lines[:-1]) + "\n")


def test_rebuilds_under_load_lose_nothing_and_mix_nothing(
    export_copy: Path, tmp_path: Path
) -> None:
    target = tmp_path / "wh.duckdb"
    published = [build_warehouse(export_copy, target).build_id]
    proc, base = start(target, tmp_path / "cache")
    stop = threading.Event()
    failures: list[str] = []
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    lock = threading.Lock()

    def hammer(url: str) -> int:
        done = 0
        while not stop.is_set():
            try:
                status, body = get(base + url)
                build = json.loads(body)["build_id"]
            except (OSError, urllib.error.HTTPError, ValueError, KeyError) as exc:
                with lock:
                    failures.append(f"{url}: {exc!r}")
                continue
            with lock:
                if status != 200:
                    failures.append(f"{url}: {status}")
                seen[(url, build)].add(hashlib.sha256(body).hexdigest())
            done += 1
        return done

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            workers = [pool.submit(hammer, URLS[i % 2]) for i in range(6)]
            time.sleep(1)
            for _ in range(REBUILDS):
                drop_last_vote(export_copy)
                published.append(build_warehouse(export_copy, target).build_id)
                time.sleep(1)
            # The last build is served soon, without a restart, by every worker.
            deadline = time.monotonic() + 5
            latest = dict.fromkeys(URLS, "")
            while time.monotonic() < deadline:
                latest = {url: json.loads(get(base + url)[1])["build_id"] for url in URLS}
                if set(latest.values()) == {published[-1]}:
                    time.sleep(0.5)  # keep the load on a little past the switch
                    break
                time.sleep(0.1)
            stop.set()
            requests = sum(w.result() for w in workers)
        for _ in range(8):  # every worker: several fresh requests each
            for url in URLS:
                assert json.loads(get(base + url)[1])["build_id"] == published[-1]
    finally:
        stop.set()
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert len(set(published)) == REBUILDS + 1
    assert failures == [], failures[:10]
    assert requests > 50, requests
    assert set(latest.values()) == {published[-1]}, (latest, published)
    builds = {build for _url, build in seen}
    assert builds <= set(published), builds - set(published)
    assert len(builds) >= 2, "the load ran across at least one switch"
    # Wholly from one build: one URL at one build always gave the very same bytes.
    assert all(len(bodies) == 1 for bodies in seen.values()), {k: len(v) for k, v in seen.items()}
    assert "Traceback" not in output, output[-3000:]
