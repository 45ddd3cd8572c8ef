"""The catalogue walk in a real browser: every chart's `view` draws it, with no console error.

For each chart id the API lists, chromium opens its `view` and waits for the card
marked `data-chart="<id>"`; it must hold a drawn plotly figure (an SVG with marks
or, when the tiny fixture withholds everything, the figure's own message), or, for
the number cards, the project board and the question panel, visible text.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from dashboard.catalogue import CATALOGUE

pytestmark = pytest.mark.browser

DRAWN = """
const card = document.querySelector('[data-chart="' + arguments[0] + '"]');
if (!card) return null;
card.scrollIntoView({block: 'center', behavior: 'instant'});  // a graph draws near the screen
const plot = card.querySelector('.js-plotly-plot');
const text = card.innerText.trim();
if (!plot) return {plot: false, text: text.length, visible: card.offsetHeight > 0};
const marks = plot.querySelectorAll(
  '.main-svg .trace, .main-svg .point, .main-svg path.js-line, .geo .choroplethlocation, '
  + '.main-svg .annotation-text');
return {plot: true, marks: marks.length, text: text.length, visible: card.offsetHeight > 0};
"""


def test_every_chart_view_draws_its_chart(started) -> None:
    with urllib.request.urlopen(started.server_url + "/api/v1/charts") as resp:
        listing = json.load(resp)["charts"]
    assert [c["id"] for c in listing] == list(CATALOGUE)
    for item in listing:
        started.wait_for_page(url=started.server_url + item["view"])
        figure = CATALOGUE[item["id"]].card == "chart"
        deadline, state = time.monotonic() + 15, None
        while time.monotonic() < deadline:
            state = started.driver.execute_script(DRAWN, item["id"])
            if state and state["visible"] and (state.get("marks") if figure else state["text"]):
                break
            time.sleep(0.2)
        assert state, f"{item['id']}: no card on {item['view']}"
        assert state["visible"], item["id"]
        if figure:
            assert state["plot"] and state["marks"] > 0, (item["id"], state)
        else:
            assert state["text"] > 0, (item["id"], state)
        logs = started.get_logs()
        assert logs == [], "\n".join([item["view"], *(entry["message"] for entry in logs)])
