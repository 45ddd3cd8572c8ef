"""A phone's width (390 CSS px): the navbar folds behind a Menu button, nothing overflows."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from tests.pages.test_accessibility import _open

pytestmark = pytest.mark.browser


def test_the_navbar_folds_on_a_phone_and_opens_from_the_keyboard(started) -> None:
    driver = started.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})  # fmt: skip
    try:
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
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
