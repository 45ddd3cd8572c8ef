"""A question's dot in the ranking opens its side panel every time it is clicked, also
right after the panel was closed.

The same dot clicked again gives the same point, and Dash fires a callback only for a
property that changed; it works because dcc.Graph (Dash 4) stamps each click's clickData
with the time (`timestamp`), so no two clicks are equal. This test keeps it so.
"""

from __future__ import annotations

import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def _click_first_dot(dash_duo) -> None:
    for _ in range(5):  # the graph may re-render under us: find the dot again
        try:
            dot = dash_duo.wait_for_element("#priorities-graph .point", timeout=15)
            ActionChains(dash_duo.driver).move_to_element(dot).click().perform()  # drag layer
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError("the ranking kept re-rendering")


def _open_question(dash_duo) -> str:
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "question=Q" in d.current_url)
    dash_duo.wait_for_element("#question-drawer #question-panel", timeout=15)
    return dash_duo.driver.current_url.split("question=")[1].split("&")[0]


def test_the_same_dot_opens_its_question_again_after_the_panel_closed(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    _click_first_dot(started)
    first = _open_question(started)
    started.wait_for_text_to_equal("#question-title", started.find_element("#question-title").text)
    # Close the panel (Escape, as a reader would): the address forgets the question.
    started.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(started.driver, 10).until(lambda d: "question=" not in d.current_url)
    WebDriverWait(started.driver, 10).until(
        lambda d: not d.find_elements("css selector", "#question-drawer.show")
    )
    # The very same dot again: the panel opens again, on the same question.
    _click_first_dot(started)
    assert _open_question(started) == first
    assert started.get_logs() == []
