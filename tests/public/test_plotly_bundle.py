"""The explorer's own plotly.js bundle: it has every trace type the app draws, and is served
compressed and cached from the public side (scripts/build_plotly_bundle.sh builds it)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from app import create_app, plotly_bundle_url
from dashboard.config import Settings
from dashboard.public.app import EXPLORER_FILES, STATIC_FILES, static_dir
from dashboard.public.publish import publish
from dashboard.security import Auth
from tests.present.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = static_dir() / "plotly-explorer.min.js"
# The same without choropleth, for the pages without the map.
CHARTS_BUNDLE = static_dir() / "plotly-charts.min.js"
# V8's compile hint, the first line of every plotly.js bundle we serve: their functions are
# compiled off the main thread while the file streams in, instead of in one 310-350 ms task
# when plotly.js runs (scripts/build_plotly_bundle.sh).
HINT = "//# allFunctionsCalledOnLoad\n"
# Everything that builds a figure the researcher app (explorer and present mode) shows.
SOURCES = [
    *(ROOT / "dashboard" / "figures").glob("*.py"),
    *(ROOT / "dashboard" / "pages").glob("*.py"),
    *(ROOT / "dashboard" / "present").glob("*.py"),
    ROOT / "dashboard" / "views.py",
]


def bundled_traces(bundle: Path = BUNDLE) -> set[str]:
    header = bundle.read_text()[:400]
    return set(re.search(r"\* Traces: ([a-z, ]+)\n", header).group(1).split(", "))


def used_traces() -> set[str]:
    """Trace types made with go.<Trace>(...) or fig.add_<trace>(...) in the app's figures."""
    kinds: set[str] = set()
    for path in SOURCES:
        text = path.read_text()
        for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", text):
            if name not in ("Figure", "FigureWidget", "Layout"):
                kinds.add(getattr(go, name)().type)
        for name in re.findall(r"\.add_([a-z0-9]+)\(", text):
            trace = next((c for c in dir(go) if c.lower() == name), None)
            if trace and hasattr(getattr(go, trace), "type"):
                kinds.add(name)
    return kinds


def test_the_bundle_has_every_trace_type_the_app_draws() -> None:
    used = used_traces()
    assert {"bar", "scatter", "choropleth", "table"} <= used  # the scan finds them at all
    assert used <= bundled_traces(), used - bundled_traces()
    assert BUNDLE.read_text()[:90].startswith(
        HINT + "/**\n* plotly.js (explorer - minified) v4.1.1"
    )


def test_the_charts_bundle_has_every_trace_type_but_the_map() -> None:
    assert bundled_traces(CHARTS_BUNDLE) == bundled_traces() - {"choropleth"}
    assert CHARTS_BUNDLE.read_text()[:90].startswith(
        HINT + "/**\n* plotly.js (explorer - minified) v4.1.1"
    )
    assert "Afghanistan" not in CHARTS_BUNDLE.read_text()  # choropleth's country names


def test_the_bundle_is_served_compressed_with_a_versioned_url(fixture_warehouse: Path) -> None:
    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name="")
    client = create_app(settings, Auth()).server.test_client()
    url = plotly_bundle_url()
    assert f'src="{url}"' in client.get("/").get_data(as_text=True)
    js = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert js.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(js.data) == BUNDLE.read_bytes()
    assert len(js.data) < 600_000  # the full plotly.js is ~1.5 MB gzipped
    assert "immutable" in js.headers["Cache-Control"]
    # Without (or with a stale) version it is still served, but only cached for a day.
    stale = client.get(url.split("?")[0] + "?v=0123456789ab")
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    assert client.get("/embed/static/plotly-explorer.LICENSE.txt").status_code == 200
    # The pages name the bundle without the map too, and the pages the map's is for.
    page = client.get("/").get_data(as_text=True)
    charts = plotly_bundle_url(with_map=False)
    assert f'src="{charts}"' in page and 'data-pages="/participation"' in page
    js = client.get(charts, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(js.data) == CHARTS_BUNDLE.read_bytes()
    assert "immutable" in js.headers["Cache-Control"]


def test_the_embeds_keep_the_basic_bundle_and_the_publish_leaves_ours_out(
    engine, tmp_path: Path
) -> None:
    assert "plotly-basic.min.js" in STATIC_FILES
    assert not set(EXPLORER_FILES) & set(STATIC_FILES)
    publish(engine, tmp_path, images=False)
    static = {p.name for p in (tmp_path / "embed" / "static").iterdir()}
    assert static == set(STATIC_FILES)


@pytest.mark.browser
def test_present_mode_tables_draw(dash_duo, fixture_warehouse: Path, tmp_path: Path) -> None:
    """The default deck's "Results delivered" slide is a plotly table (not in the basic bundle)."""
    from dashboard.present import DeckStore

    dash_duo.start_server(make_app(fixture_warehouse, DeckStore(tmp_path / "app-state")))
    dash_duo.wait_for_page(url=dash_duo.server_url + "/present/state-of-the-network")
    dash_duo.wait_for_element("#present-slide-8 .js-plotly-plot .table", timeout=20)
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("name", ["plotly-basic.min.js", "plotly-charts.min.js",
                                  "plotly-explorer.min.js"])  # fmt: skip
def test_every_plotly_bundle_asks_to_be_compiled_off_the_main_thread(name: str) -> None:
    assert (static_dir() / name).read_text()[: len(HINT)] == HINT
