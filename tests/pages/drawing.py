"""Chart cards draw their graph when it comes near the screen (assets/05-plotly-on-demand.js):
a browser test that looks at every chart on a page scrolls each one into view first."""

from __future__ import annotations

import time

from selenium.common.exceptions import StaleElementReferenceException

UNDRAWN = (
    "return [...document.querySelectorAll('.dash-graph')]"
    ".filter(g => !g.querySelector('.main-svg') && g.offsetParent).map(g => g.id)"
)


def draw_every_chart(duo, timeout: float = 15) -> None:
    """Scroll each shown graph not drawn yet into view until every one is drawn, then
    back to the top of the page."""
    deadline = time.monotonic() + timeout
    while undrawn := duo.driver.execute_script(UNDRAWN):
        assert time.monotonic() < deadline, f"charts not drawn: {undrawn}"
        duo.driver.execute_script(
            "const g = document.getElementById(arguments[0]);"
            "if (g) g.scrollIntoView({block: 'center', behavior: 'instant'});",
            undrawn[0],
        )
        time.sleep(0.2)
    duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")


def scroll_to(duo, selector: str) -> None:
    """Bring an element (a chart card's graph) into view, so that it is drawn."""
    for _ in range(10):  # the page may re-render it under us: find it again
        try:
            el = duo.wait_for_element(selector, timeout=20)
            duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", el
            )
            return
        except StaleElementReferenceException:
            time.sleep(0.3)
    raise AssertionError(f"{selector} kept re-rendering")
