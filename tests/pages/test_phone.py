"""A phone's width (390 CSS px): the navbar folds behind a Menu button, nothing overflows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.pages.test_accessibility import _open

pytestmark = pytest.mark.browser


@contextmanager
def phone_width(driver) -> Iterator[None]:
    """The browser as a 390 x 844 phone for the block, a laptop's window again after it."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})  # fmt: skip
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_navbar_folds_on_a_phone_and_opens_from_the_keyboard(started) -> None:
    driver = started.driver
    with phone_width(driver):
        _open(started, "/priorities")
        link = driver.find_element(By.CSS_SELECTOR, "#nav-pages a[href='/projects']")
        toggle = driver.find_element(By.ID, "nav-toggle")
        assert toggle.is_displayed() and not link.is_displayed()
        nav_height = driver.execute_script("return document.querySelector('.navbar').offsetHeight")
        assert nav_height < 120, f"the folded navbar takes {nav_height}px"
        toggle.send_keys("\n")  # Enter on the focused button, as a keyboard user would
        deadline = time.monotonic() + 5
        while not link.is_displayed():
            assert time.monotonic() < deadline, "the menu did not open"
            time.sleep(0.1)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the page is {overflow}px wider than the phone"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors


# Every text plotly drew (question texts, legend, axis, event marks) within its chart's
# width, as the reader sees it: a text cut by the chart's edge does not scroll the page.
TEXT_OUTSIDE = """
return [...document.querySelectorAll('.dash-graph')].flatMap(g => {
  const svgs = g.querySelectorAll('svg.main-svg');
  if (!svgs.length) { return []; }
  const box = svgs[0].getBoundingClientRect();
  return [...g.querySelectorAll('svg.main-svg text')]
    .filter(t => t.textContent.trim() && t.getClientRects().length)
    .filter(t => { const r = t.getBoundingClientRect();
                   return r.width && (r.left < box.left - 1 || r.right > box.right + 1); })
    .map(t => g.id + ': ' + t.textContent.slice(0, 60));
});
"""
TOOLBARS_SHOWN = """
return [...document.querySelectorAll('.modebar-container')]
  .filter(m => getComputedStyle(m).display !== 'none').length;
"""


@pytest.mark.parametrize("path", ["/priorities", "/participation", "/"])
def test_charts_fit_a_phone_with_no_toolbar(started, path: str) -> None:
    """At 390 px the server builds the charts for a phone (assets/01-screen.js tells it):
    question text wrapped to fit, no title over the card's own heading, no toolbar."""
    driver = started.driver
    with phone_width(driver):
        _open(started, path)
        assert "screen=narrow" in driver.execute_script("return document.cookie")
        assert driver.find_elements(By.CSS_SELECTOR, ".dash-graph svg.main-svg")
        outside = driver.execute_script(TEXT_OUTSIDE)
        assert not outside, f"{path}: text cut by the chart's edge: {outside[:5]}"
        assert driver.execute_script(TOOLBARS_SHOWN) == 0
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors


def test_the_filters_fold_behind_a_button_that_counts_them(started) -> None:
    """On a phone the chart comes first: the filter panel is behind "Filters (n)", n the
    filters the view has; the button opens and closes it, and says so to a screen reader."""
    driver = started.driver
    with phone_width(driver):
        _open(started, "/priorities?round=R1&role=caregiver")
        button = driver.find_element(By.ID, "filters-toggle")
        panel = driver.find_element(By.ID, "filter-panel")
        assert button.is_displayed() and button.text == "Filters (2)"
        assert not panel.is_displayed() and button.get_attribute("aria-expanded") == "false"
        button.click()
        WebDriverWait(driver, 5).until(lambda d: panel.is_displayed())
        assert button.get_attribute("aria-expanded") == "true"
        button.click()
        WebDriverWait(driver, 5).until(lambda d: not panel.is_displayed())
        assert button.get_attribute("aria-expanded") == "false"
    started.wait_for_page(url=started.server_url + "/priorities")
    assert not driver.find_element(By.ID, "filters-toggle").is_displayed()  # a laptop: no fold
    assert driver.find_element(By.ID, "filter-panel").is_displayed()
