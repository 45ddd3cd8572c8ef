"""The scripts every researcher page loads, in real headless chromium: Dash's @babel/polyfill
is left out (dashboard/server.py, leave_out_polyfill), and what the renderer and the
components read from it is still there."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
# Each page with what shows it worked: a chart drawn, a table, the grid opened.
PAGES = {
    "/": "#as-of",
    "/priorities?round=R1": "#priorities-graph .scatterlayer .point",
    "/participation": "#members-graph .scatterlayer .trace",
    "/projects": "#as-of",
    "/methods": "#as-of",
    "/present": "#present-focus",
}


def test_no_polyfill_and_every_page_still_works(started) -> None:
    for path, shown in PAGES.items():
        started.wait_for_page(url=started.server_url + path)
        started.wait_for_element(shown, timeout=20)
        scripts = started.driver.execute_script(
            "return [...document.scripts].map(s => s.getAttribute('src') || '')"
        )
        assert not [s for s in scripts if "polyfill" in s], path
        # Set by dash-bootstrap-components' bundle as it loads; the renderer, dcc and
        # dash_table use it for their lazy parts (graphs, dropdowns, the grid).
        kind = started.driver.execute_script("return typeof regeneratorRuntime")
        assert kind in ("object", "function"), path
        assert started.get_logs() == [], path


def test_lazy_components_load_without_the_polyfill(started) -> None:
    """A graph and the data grid (lazy chunks) after the page loaded; the dropdowns are
    tests/pages/test_browser.py's (test_filter_change_updates_chart_and_url)."""
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph .scatterlayer .point", timeout=20)
    started.driver.execute_script(
        "const s = [...document.querySelectorAll('summary')]"
        ".find(e => e.textContent === 'Show the data as a table');"
        "s.scrollIntoView({block: 'center', behavior: 'instant'}); s.click();"
    )
    started.wait_for_element("details[open] .ag-root-wrapper", timeout=20)
    assert started.get_logs() == []


@pytest.mark.parametrize(
    ("path", "drawn"),
    [("/priorities?round=R1", "#priorities-graph .scatterlayer .point"),
     ("/participation", "#members-graph .scatterlayer .trace")],
)  # fmt: skip
def test_the_preloaded_plotly_bundle_is_the_one_run(started, path: str, drawn: str) -> None:
    """The head preloads the page's plotly.js bundle (dashboard/server.py, preload_plotly):
    the graph's loader then runs that same address, fetched once, not a second bundle."""
    started.wait_for_page(url=started.server_url + path)
    started.wait_for_element(drawn, timeout=20)
    preloaded = started.driver.execute_script(
        "return [...document.querySelectorAll('link[rel=preload][as=script]')].map(l => l.href)"
    )
    run = started.driver.execute_script(
        "return [...document.scripts].filter(s => s.type !== 'text/plain').map(s => s.src)"
        ".filter(s => s.includes('/plotly-'))"
    )
    fetched = started.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/plotly-'))"
    )
    assert len(preloaded) == 1 and run == preloaded and fetched == preloaded, (run, fetched)
    assert started.get_logs() == []


def test_dash_first_answers_are_asked_for_by_the_head_and_taken_once(started) -> None:
    """The layout and the callbacks are requested while the scripts load (before the
    document has finished loading them), and the renderer takes those answers: one request
    each, and the page is the one asked for."""
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph .scatterlayer .point", timeout=20)
    timing = started.driver.execute_script(
        "const ready = performance.getEntriesByType('navigation')[0].domContentLoadedEventStart;"
        "return performance.getEntriesByType('resource')"
        ".filter(e => /_dash-(layout|dependencies)$/.test(e.name))"
        ".map(e => [e.name.split('/').pop(), e.initiatorType, e.startTime < ready])"
    )
    # asked for by the head's <link> (not by the renderer's fetch), and only once
    assert sorted(timing) == [["_dash-dependencies", "link", True],
                              ["_dash-layout", "link", True]], timing  # fmt: skip
    assert "round=R1" in started.driver.current_url
    assert started.get_logs() == []
