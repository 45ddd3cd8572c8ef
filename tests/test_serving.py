"""Production serving: the shared results cache, compression, and gunicorn over real HTTP."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dash
import pytest
from flask_caching.backends import FileSystemCache

from app import create_app
from dashboard.catalogue import CATALOGUE as CHARTS
from dashboard.compile_hints import HINT, shift_source_map
from dashboard.compression import StaticOnlyCache
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.engine import Engine
from dashboard.security import Auth


def settings_for(path: Path, **extra) -> Settings:
    return Settings(warehouse=path, k=11, query_timeout_s=5, network_name="", **extra)


def test_a_second_worker_reuses_results_from_the_shared_cache(
    fixture_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    shared = FileSystemCache(str(tmp_path), default_timeout=0)
    first = Engine(settings_for(fixture_warehouse), shared=shared).run("topics", {"round": "R1"})

    def must_not_run(*_a, **_k):
        raise AssertionError("the second worker should not query")

    chart = CHARTS["topics"]
    monkeypatch.setitem(CHARTS, "topics", dataclasses.replace(chart, data=must_not_run))
    second = Engine(settings_for(fixture_warehouse), shared=shared).run("topics", {"round": "R1"})
    assert second.rows == first.rows and second.build_id == first.build_id
    # Another k is another key: nothing computed under k=11 is served for k=20.
    other_k = Engine(Settings(warehouse=fixture_warehouse, k=20, query_timeout_s=5,
                              network_name=""), shared=shared)  # fmt: skip
    with pytest.raises(AssertionError, match="should not query"):
        other_k.run("topics", {"round": "R1"})


def test_a_broken_shared_cache_costs_speed_not_answers(fixture_warehouse: Path) -> None:
    class Broken:
        def get(self, key):
            raise ConnectionError("redis is down")

        def set(self, key, value):
            raise ConnectionError("redis is down")

    engine = Engine(settings_for(fixture_warehouse), shared=Broken())  # type: ignore[arg-type]
    assert engine.run("projects", {}).rows


def test_compression_caches_static_bundles_only() -> None:
    cache = StaticOnlyCache(max_entries=2)
    cache.set("gzip;", b"dynamic")
    assert cache.get("gzip;") is None
    cache.set("gzip;/assets/a.css?", b"a")
    assert cache.get("gzip;/assets/a.css?") == b"a"
    cache.set("gzip;/assets/b.css?", b"b")
    cache.set("gzip;/assets/c.css?", b"c")
    assert cache.get("gzip;/assets/a.css?") is None  # bounded


def test_bundles_and_callbacks_are_compressed(fixture_warehouse: Path) -> None:
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    page = client.get("/").get_data(as_text=True)
    bundle = page.split('src="/_dash-component-suites/dash/dash-renderer/')[1].split('"')[0]
    url = "/_dash-component-suites/dash/dash-renderer/" + bundle
    for _ in range(2):  # the second answer comes from the compressed-bundle cache
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert len(response.data) < len(plain.data) / 2


def test_dash_bundles_ask_to_be_compiled_off_the_main_thread(fixture_warehouse: Path) -> None:
    """V8's compile hint leads every script of Dash's that a page loads, compressed (also
    from the compressed-bundle cache) or not, and nothing else changes in it."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    page = client.get("/priorities").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+\.js)"', page)
    assert len(scripts) >= 5  # React, the renderer, dcc, html, dbc
    for url in scripts:
        plain = client.get(url).data
        assert plain.startswith(HINT) and not plain[len(HINT) :].startswith(HINT), url
        for _ in range(2):  # the second answer comes from the compressed-bundle cache
            zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert gzip.decompress(zipped.data) == plain, url
    renderer = next(u for u in scripts if "dash_renderer" in u)
    path = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"
    assert client.get(renderer).data == HINT + path.read_bytes()


def test_dash_source_maps_move_down_with_their_scripts(fixture_warehouse: Path) -> None:
    """A script one line lower has its source map one generated line lower (`;` first), or
    the browser's tools (and Lighthouse) map every position to the wrong code."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    path = Path(dash.__file__).parent / "dcc" / "dash_core_components.js.map"
    served = json.loads(
        client.get("/_dash-component-suites/dash/dcc/dash_core_components.js.map").data
    )
    original = json.loads(path.read_bytes())
    assert served["mappings"] == ";" + original["mappings"]
    assert served["sources"] == original["sources"]
    index_map = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": {}}]}
    shifted = json.loads(shift_source_map(json.dumps(index_map).encode()))
    assert shifted["sections"][0]["offset"] == {"line": 1, "column": 0}
    assert shift_source_map(b"not json") == b"not json"


def test_assets_are_compressed_and_cached_by_their_fingerprint(fixture_warehouse: Path) -> None:
    """Dash streams its assets uncompressed with `no-cache` (Lighthouse: Bootstrap's 233 KB
    on every page load); they are compressed, and kept a year at their `?m=` address."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/assets/00-bootstrap[^"]+\?m=[^"]+)"', page).group(1)
    for _ in range(2):  # the second answer comes from the compressed-bundle cache
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "immutable" in zipped.headers["Cache-Control"]
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert len(zipped.data) < len(plain.data) / 4
    unversioned = client.get(url.split("?")[0])
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")
    with client.get(url, headers={"If-None-Match": plain.headers["ETag"]}) as revalidated:
        assert revalidated.status_code == 304  # (closing it closes the file Dash opened)


def test_the_grid_script_is_loaded_only_when_a_table_is_opened(fixture_warehouse: Path) -> None:
    """dash-ag-grid (360 KB compressed) is not among a page's scripts; the callback that
    draws a table loads it, from an address every worker serves before any page."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'<script src="[^"]*dash_ag_grid', page)
    assert re.search(r'<script src="[^"]*dash_bootstrap_components', page)  # still there
    # The table-drawing callback (an inline script of the page) names the bundle's address.
    (url,) = set(re.findall(r"/_dash-component-suites/dash_ag_grid/[\w.]+\.min\.js", page))
    fresh = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    response = fresh.get(url, headers={"Accept-Encoding": "gzip"})  # before any page
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response.headers["Cache-Control"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf",
         "app:make_server()"],
        cwd=PROJECT_ROOT, env={**os.environ, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_gunicorn_serves_pages_embeds_and_api_over_http(
    fixture_warehouse: Path, tmp_path: Path
) -> None:
    port = free_port()
    proc = gunicorn({"DASHBOARD_BIND": f"127.0.0.1:{port}", "DASHBOARD_WORKERS": "2",
                     "DASHBOARD_WAREHOUSE": str(fixture_warehouse),
                     "DASHBOARD_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _status, body = get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert json.loads(body)["status"] == "ok"
        # The page's own scripts first, from whichever worker answers: Dash registers them
        # when it renders a page, so a worker that has not rendered one used to answer
        # "dash is not a registered library" and the whole page failed to load.
        page = get(f"{base}/priorities")[1].decode()
        scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
        assert scripts
        for src in scripts:
            statuses = {get(base + src)[0] for _ in range(8)}  # spread over both workers
            assert statuses == {200}, src
        for path in ("/priorities", "/embed/priorities/", "/embed/priorities/data/all.json",
                     "/api/v1/charts/topics.json?round=R1"):  # fmt: skip
            statuses = {get(base + path)[0] for _ in range(6)}  # spread over both workers
            assert statuses == {200}, path
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "Traceback" not in output, output
    assert output.count("Booting worker") >= 2


def test_gunicorn_refuses_a_public_bind_without_sign_in(fixture_warehouse: Path) -> None:
    env = {"DASHBOARD_BIND": f"0.0.0.0:{free_port()}", "DASHBOARD_WAREHOUSE": str(fixture_warehouse),
           "DASHBOARD_USERS": "", "DASHBOARD_AUTH_HEADER": ""}  # fmt: skip
    proc = gunicorn(env)
    output = proc.communicate(timeout=30)[0]
    assert proc.returncode != 0
    assert "Refusing to serve the researcher pages on 0.0.0.0" in output


@pytest.mark.parametrize(
    ("path", "bundle"),
    [("/", "plotly-charts"), ("/priorities?round=R1", "plotly-charts"),
     ("/participation", "plotly-explorer"), ("/projects", "plotly-charts"),
     ("/methods", None), ("/present", None), ("/no-such-page", None)],
)  # fmt: skip
def test_pages_with_charts_preload_their_plotly_bundle(
    fixture_warehouse: Path, path: str, bundle: str | None
) -> None:
    """The bundle the graph loader will pick (the one with the map on the map's page),
    named in the head before Dash's scripts; a page without a chart preloads nothing."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    page = client.get(path).get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="script">', head)
    if bundle is None:
        assert preloads == []
        return
    assert len(preloads) == 1 and f"/embed/static/{bundle}.min.js?v=" in preloads[0]
    tag = "plotly-bundle-map" if bundle == "plotly-explorer" else "plotly-bundle"
    assert f'src="{preloads[0]}" type="text/plain" id="{tag}"' in page


@pytest.mark.parametrize(
    ("cookie", "layout"), [(None, True), ("screen=wide", True), ("screen=narrow", False)]
)
def test_the_head_asks_for_dash_first_answers_where_the_width_is_known(
    fixture_warehouse: Path, cookie: str | None, layout: bool
) -> None:
    """The callbacks always; the layout (built for the screen's width) only for a laptop's
    width: the media query a phone fails, and never on a cookie that says narrow."""
    client = create_app(settings_for(fixture_warehouse), Auth()).server.test_client()
    if cookie:
        client.set_cookie(*cookie.split("=", 1))
    head = client.get("/priorities").get_data(as_text=True).split("</head>")[0]
    fetches = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin([^>]*)>', head)
    assert ("/_dash-dependencies", "") in fetches
    wanted = [("/_dash-layout", ' media="(min-width: 576px)"')] if layout else []
    assert [f for f in fetches if f[0] == "/_dash-layout"] == wanted
