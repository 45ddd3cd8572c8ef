"""Real headless chromium: present a deck with the keyboard and clicks; save a view."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard.present.store import DeckStore
from tests.present.conftest import make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def started(dash_duo, fixture_warehouse: Path, store: DeckStore):
    dash_duo.start_server(make_app(fixture_warehouse, store))
    return dash_duo


def _counter(duo, text: str) -> None:
    duo.wait_for_text_to_equal("#slide-counter", text)


def test_keyboard_and_clicks_move_through_the_default_deck(started) -> None:
    started.wait_for_page(url=started.server_url + "/present/state-of-the-network")
    _counter(started, "1 / 8")
    started.wait_for_element("#present-slide-1.current .js-plotly-plot")
    body = started.driver.find_element("tag name", "body")
    body.send_keys(Keys.ARROW_RIGHT)
    _counter(started, "2 / 8")
    assert "current" in started.find_element("#present-slide-2").get_attribute("class")
    assert started.find_element("#present-slide-1").get_attribute("aria-hidden") == "true"
    body.send_keys(Keys.END)
    _counter(started, "8 / 8")
    body.send_keys(Keys.ARROW_RIGHT)
    _counter(started, "8 / 8")
    body.send_keys(Keys.ARROW_LEFT)
    _counter(started, "7 / 8")
    body.send_keys(Keys.HOME)
    _counter(started, "1 / 8")
    started.find_element("#present-next").click()
    _counter(started, "2 / 8")
    started.find_element("#present-slide-2 .present-headline").click()  # click the slide
    _counter(started, "3 / 8")
    started.find_element("#present-prev").click()
    _counter(started, "2 / 8")
    slide = started.find_element("#present-slide-2")
    assert "Data as of 2026-11-01" in slide.text
    assert started.get_logs() == []


def test_save_a_view_then_present_it(started, store: DeckStore) -> None:
    started.wait_for_page(url=started.server_url + "/present?view=/priorities%3Fround%3DR1")
    started.wait_for_element("#present-save")
    started.find_element("#present-deck-name").send_keys("Board May")
    started.find_element("#present-note").send_keys("<i>Start here</i>")
    started.find_element("#present-save").send_keys(Keys.ENTER)  # by keyboard
    started.wait_for_contains_text("#present-save-ok", "Saved as slide 1 of 'Board May'")
    started.wait_for_element("#present-open-board-may")
    deck = store.get("board-may")
    assert deck.slides[0].view == "/priorities?round=R1"
    assert deck.slides[0].note == "<i>Start here</i>"
    started.wait_for_page(url=started.server_url + "/present?view=/projects")
    started.find_element("#present-deck-name").send_keys("<b>bold</b>")
    started.find_element("#present-save").send_keys(Keys.ENTER)
    started.wait_for_contains_text("#present-save-error", "deck name")
    started.wait_for_page(url=started.server_url + "/present/board-may")
    _counter(started, "1 / 1")
    body = started.driver.find_element("tag name", "body")
    body.send_keys("n")  # speaker notes on: the note shows as text, not markup
    started.wait_for_contains_text("#present-slide-1 .present-note", "<i>Start here</i>")
    assert started.get_logs() == []
