"""The members-by-country map in real headless chromium: drawn offline, under our CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from tests.pages.drawing import scroll_to

pytestmark = pytest.mark.browser
SHAPES = "#countries-graph .choroplethlayer path.choroplethlocation"
# A point inside a country's shape, in viewport pixels (its box's centre may be water).
INSIDE = """
const path = arguments[0];
path.scrollIntoView({block: "center", behavior: "instant"});  // bootstrap scrolls smoothly
const box = path.getBBox(), svg = path.ownerSVGElement;
const toScreen = path.getScreenCTM();
for (let i = 1; i < 30; i++) for (let j = 1; j < 30; j++) {
  const p = svg.createSVGPoint();
  p.x = box.x + box.width * i / 30; p.y = box.y + box.height * j / 30;
  if (path.isPointInFill(p)) { const s = p.matrixTransform(toScreen); return [s.x, s.y]; }
}
throw new Error("no point inside the shape");
"""


def resources(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return performance.getEntriesByType('navigation')"
        ".concat(performance.getEntriesByType('resource')).map(e => e.name)"
    )


def assert_only_this_machine(dash_duo, names: list[str]) -> None:
    """Every request went to the test server on loopback (dash.testing calls it localhost)."""
    server = urlsplit(dash_duo.server_url)
    assert server.hostname in {"127.0.0.1", "localhost"}
    assert {urlsplit(n).netloc for n in names} == {server.netloc}, names


def test_the_country_map_draws_from_vendored_shapes_only(started) -> None:
    started.wait_for_page(url=started.server_url + "/participation")
    scroll_to(started, "#countries-graph")  # drawn when it comes near the screen
    started.wait_for_element(SHAPES, timeout=20)
    # The fixture's two countries (US, CA) are both withheld: grey, never a colour for 0.
    shapes = started.driver.find_elements("css selector", SHAPES)
    assert len(shapes) == 2
    assert {s.value_of_css_property("fill") for s in shapes} == {"rgb(189, 189, 189)"}
    # The rest of the world is drawn too (countries layer from the vendored topojson).
    assert started.driver.find_elements("css selector", "#countries-graph .geo .countries path")
    # "unknown" has no shape: it is listed under the map and in the summary, as withheld.
    started.wait_for_contains_text("#countries-graph .annotation-text",
                                   "Not on the map: Country unknown (withheld)")  # fmt: skip
    assert "Country unknown (withheld)" in started.find_element("#countries-summary").text
    # Hovering a withheld country names it and says why there is no number.
    x, y = started.driver.execute_script(INSIDE, shapes[0])
    actions = ActionBuilder(started.driver)
    actions.pointer_action.move_to_location(x, y)
    actions.perform()
    started.wait_for_contains_text("#countries-graph .hoverlayer", "Withheld to protect privacy")
    hover = started.find_element("#countries-graph .hoverlayer").text
    assert "<11" not in hover
    assert "Canada" in hover or "United States" in hover
    # No console errors (so no CSP violation, no failed fetch) ...
    assert started.get_logs() == []
    # ... and nothing left this machine: the shapes came from our own assets.
    names = resources(started)
    assert any(n.split("?")[0].endswith("/assets/topojson/world_110m.json") for n in names)
    assert_only_this_machine(started, names)


def test_other_pages_still_draw_after_the_map(started) -> None:
    """The plotly bundle that draws the map also draws every other page's charts."""
    started.wait_for_page(url=started.server_url + "/participation")
    scroll_to(started, "#countries-graph")  # drawn when it comes near the screen
    started.wait_for_element(SHAPES, timeout=20)
    # Far from the map once it is in view, so drawn only when it is scrolled to again.
    scroll_to(started, "#members-graph")
    started.wait_for_element("#members-graph .scatterlayer .trace", timeout=20)
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph .scatterlayer .point", timeout=20)
    assert started.get_logs() == []
    assert_only_this_machine(started, resources(started))


def test_the_map_draws_after_a_page_without_it(started) -> None:
    """A page without the map loads the plotly.js bundle without choropleth; following a
    link inside the app to the map's page loads that page again, with the bundle that has
    the map (two plotly.js instances on one page break each other's graphs)."""
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph .scatterlayer .point", timeout=20)
    names = resources(started)
    assert any("plotly-charts.min.js" in n for n in names)
    assert not any("plotly-explorer.min.js" in n for n in names)
    started.find_element('a.nav-link[href="/participation"]').click()
    started.wait_for_element("#countries-graph", timeout=20)
    scroll_to(started, "#countries-graph")
    started.wait_for_element(SHAPES, timeout=20)
    names = resources(started)
    assert any("plotly-explorer.min.js" in n for n in names)
    assert not any("plotly-charts.min.js" in n for n in names)
    scroll_to(started, "#members-graph")
    started.wait_for_element("#members-graph .scatterlayer .trace", timeout=20)
    assert started.get_logs() == []
    assert_only_this_machine(started, resources(started))
