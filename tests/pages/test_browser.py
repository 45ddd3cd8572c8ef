"""Real headless chromium (dash.testing + Debian's chromedriver): pages load, filters drive the URL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from dashboard.config import Settings
from tests.hardening.test_fuzz import PAGES_CALLBACK
from tests.pages.drawing import scroll_to

pytestmark = pytest.mark.browser
PAGES = ["/", "/priorities", "/projects", "/participation", "/methods"]


def test_every_page_loads_without_console_errors(started) -> None:
    for path in PAGES:
        started.wait_for_page(url=started.server_url + path)
        started.wait_for_text_to_equal("#as-of", "Data as of 2026-11-01")
        assert started.get_logs() == [], path


def test_filter_change_updates_chart_and_url(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    # dcc.Graph first mounts a stand-in with the same id (class dash-graph--pending) until
    # its code has loaded; the mark must go on the graph itself, not on the stand-in.
    mounted = ":not(.dash-graph--pending)"
    started.wait_for_element(f"#priorities-graph{mounted}")
    started.wait_for_element(f"#round-shifts-graph{mounted}")
    mark = (
        "document.getElementById('filter-panel').dataset.mark = 'kept';"
        "document.getElementById('round-shifts-graph').dataset.mark = 'kept';"
    )
    started.driver.execute_script(mark)
    started.select_dcc_dropdown("#f-round", index=2)  # Round 3 (rate)
    WebDriverWait(started.driver, 10).until(lambda d: "round=R3" in d.current_url)
    started.wait_for_contains_text("#priorities-summary", "mean rating")
    started.wait_for_contains_text(
        "#priorities-summary", "“Can remyelination therapies slow progression?” comes first"
    )
    # Updated in place: the filters and the card the round does not change (round shifts
    # take every round) are the very same elements, not laid out again.
    kept = (
        "return [document.getElementById('filter-panel').dataset.mark,"
        "document.getElementById('round-shifts-graph').dataset.mark];"
    )
    assert started.driver.execute_script(kept) == ["kept", "kept"]
    assert started.get_logs() == []


def test_loading_the_explorer_asks_the_server_for_nothing_more(started) -> None:
    """The page comes laid out with the first answer (dashboard/page_in_layout.py), so
    arriving calls no callback on the server: not the router (a second round trip and a
    second build of the tree), nor the explorer's own (its outputs in the shell made Dash
    call it on every load). A filter change still goes to the server and writes the
    address, and another page is still laid out by the router."""
    record = """
    window.__callbacks = [];
    const send = window.fetch;
    window.fetch = function(url, options) {
      if (String(url).includes('_dash-update-component') && options && options.body) {
        window.__callbacks.push(JSON.parse(options.body).output);
      }
      return send.apply(this, arguments);
    };"""
    started.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": record})
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph:not(.dash-graph--pending) .main-svg")
    time.sleep(1)  # anything called after the ranking is drawn
    assert started.driver.execute_script("return window.__callbacks") == []
    assert started.driver.title == "Priorities · Community insights"
    started.select_dcc_dropdown("#f-round", index=2)
    WebDriverWait(started.driver, 10).until(lambda d: "round=R3" in d.current_url)
    started.wait_for_contains_text("#priorities-summary", "mean rating")
    assert started.driver.execute_script("return window.__callbacks")
    started.driver.find_element(By.LINK_TEXT, "Projects").click()
    WebDriverWait(started.driver, 10).until(lambda d: d.title == "Projects · Community insights")
    assert PAGES_CALLBACK in started.driver.execute_script("return window.__callbacks")
    assert started.get_logs() == []


def test_shared_url_restores_the_view(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities?round=R3&compare=role")
    started.wait_for_element("#compare-graph")
    started.wait_for_contains_text("#compare-summary", "Compared with people with MS")
    started.driver.back()
    assert started.get_logs() == []


def test_compare_with_one_group_draws_a_dumbbell(started) -> None:
    """Who voted: progressive MS, compared with caregivers. On the fixture progressive MS is
    8 people, so the card says it is withheld; people with relapsing MS (12 raters in the
    latest round) and caregivers get their dumbbell."""
    started.wait_for_page(url=started.server_url + "/priorities")
    _choose_until_url(started, "#f-who", "People with progressive MS", "ms_course=progressive")
    _choose_until_url(started, "#f-compare", "Caregivers", "vs=role%3Dcaregiver")
    started.wait_for_contains_text(
        "#two-groups-summary", "Cannot compare: people with progressive MS withheld"
    )
    _choose_until_url(started, "#f-who", "People with relapsing MS", "ms_course=relapsing")
    started.wait_for_contains_text("#two-groups-summary", "People with relapsing MS and "
                                   "caregivers differ on 2 of 2 questions")  # fmt: skip
    scroll_to(started, "#two-groups-graph")  # drawn when it comes near the screen
    started.wait_for_element("#two-groups-graph .scatterlayer .trace")
    legend = _text(started, "#two-groups-graph .legend")
    assert "People with relapsing MS" in legend and "Caregivers" in legend
    assert "vs=role%3Dcaregiver" in started.driver.current_url
    assert started.get_logs() == []


def test_keyboard_reaches_the_filters(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities")
    started.wait_for_element("#f-round")
    body = started.driver.find_element("tag name", "body")
    reached = set()
    for _ in range(40):
        body.send_keys(Keys.TAB)
        active = started.driver.switch_to.active_element
        reached.add(active.get_attribute("id") or "")
        body = active
    assert any("f-round" in r or "f-method" in r for r in reached), reached


def _select(dash_duo, selector: str, label: str) -> None:
    """Choose a dropdown option; the page re-renders from the URL, so retry a stale one."""
    for _ in range(5):
        try:
            dash_duo.select_dcc_dropdown(selector, value=label)
            return
        except (StaleElementReferenceException, NoSuchElementException):  # menu re-rendered
            time.sleep(0.5)
    raise AssertionError(f"could not choose {label!r} in {selector}")


def _choose_until_url(dash_duo, selector: str, label: str, expected: str) -> None:
    """Choose an option until the URL says so: a choice made while the page re-rendered
    from the URL can be lost with the old menu (seen once in a full `make test`)."""
    for _ in range(3):
        _select(dash_duo, selector, label)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if expected in dash_duo.driver.current_url:
                return
            time.sleep(0.2)
    raise AssertionError(f"choosing {label!r} in {selector} never reached the URL")


def _text(dash_duo, selector: str) -> str:
    """An element's text; the page re-renders from the URL, so re-find a stale one."""
    for _ in range(5):
        try:
            return dash_duo.find_element(selector).text
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError(f"{selector} kept re-rendering")


def test_a_researchers_journey_on_the_demo_network(dash_duo, demo_warehouse: Path) -> None:
    """#15's walk: the top priorities of people with progressive MS in the latest round,
    which are tied, compared with caregivers', one question's trail to its study, and the
    copied link that brings a colleague to the same view."""
    app = create_app(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=5,
                              network_name="Demo"))  # fmt: skip
    dash_duo.start_server(app)
    driver = dash_duo.driver
    dash_duo.wait_for_page(url=dash_duo.server_url + "/priorities")
    dash_duo.wait_for_contains_text("#priorities-summary", "Among all voters")
    dash_duo.select_dcc_dropdown("#f-who", value="People with progressive MS")
    dash_duo.wait_for_contains_text("#priorities-summary", "Among people with progressive MS")
    assert "ms_course=progressive" in driver.current_url
    # Which are tied: the legend names the mark of the questions tied for first.
    dash_duo.wait_for_contains_text("#priorities-graph .legend", "Tied for first")
    # Compare with caregivers: the two groups side by side, question by question.
    _choose_until_url(dash_duo, "#f-compare", "Caregivers", "vs=role%3Dcaregiver")
    dash_duo.wait_for_contains_text("#two-groups-summary",
                                    "People with progressive MS and caregivers differ on",
                                    timeout=30)  # fmt: skip
    scroll_to(dash_duo, "#two-groups-graph")  # drawn when it comes near the screen
    dash_duo.wait_for_element("#two-groups-graph .legend")
    legend = _text(dash_duo, "#two-groups-graph .legend")
    assert "People with progressive MS" in legend and "Caregivers" in legend
    assert "ms_course=progressive" in driver.current_url
    # Open one question of this ranking: click its dot; the side panel shows its trail
    # (discussion, and the study that took it up or that none has yet) and its trend.
    scroll_to(dash_duo, "#priorities-graph")
    for _ in range(5):  # the graph may re-render under us: find the dot again
        try:
            dot = dash_duo.wait_for_element("#priorities-graph .point")
            driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", dot
            )
            ActionChains(driver).move_to_element(dot).click().perform()  # drag layer
            break
        except StaleElementReferenceException:
            time.sleep(0.5)
    dash_duo.wait_for_element("#question-drawer #question-panel")
    dash_duo.wait_for_element("#question-trend-graph")
    study = _text(dash_duo, "#question-panel")
    assert "Led to project" in study or "No project has taken this question up yet" in study
    assert "question=Q" in driver.current_url and "ms_course=progressive" in driver.current_url
    # Copy the link: the button copies the address of this very view.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": dash_duo.server_url,
        "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})  # fmt: skip
    shared = driver.current_url
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.ID, "view-link").get_attribute("value") == shared
    )
    dash_duo.wait_for_element("#copy-question-link").click()  # in the panel, over the page
    copied = driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('!' + e))"
    )
    assert copied == shared
    # The link restores the same view for a colleague: the question, the two groups.
    title = _text(dash_duo, "#question-title")
    driver.get("about:blank")
    dash_duo.wait_for_page(url=copied)
    dash_duo.wait_for_text_to_equal("#question-title", title)
    dash_duo.wait_for_contains_text("#two-groups-summary", "People with progressive MS and")
    # Or every voter group: MS courses and caregivers side by side.
    driver.find_element(By.CSS_SELECTOR, "#question-drawer .btn-close").click()
    WebDriverWait(driver, 10).until(lambda d: "question=" not in d.current_url)
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    _choose_until_url(dash_duo, "#f-compare", "Each voter group", "compare=voter_group")
    dash_duo.wait_for_contains_text("#compare-summary", "Compared with people with relapsing MS",
                                    timeout=30)  # fmt: skip
    scroll_to(dash_duo, "#compare-graph")
    dash_duo.wait_for_element("#compare-graph .legend")
    legend = _text(dash_duo, "#compare-graph .legend")
    assert "People with progressive MS" in legend and "Caregivers" in legend
    assert "ms_course" not in driver.current_url  # the same people: one at a time
    assert dash_duo.get_logs() == []


def test_the_link_to_this_view_follows_the_filters_and_nothing_shares_to_the_cloud(
    started,
) -> None:
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    started.wait_for_element("#priorities-graph .modebar", timeout=10)
    started.wait_for_element("#copy-link")

    def link(d) -> str:
        try:
            return d.find_element(By.ID, "view-link").get_attribute("value") or ""
        except (NoSuchElementException, StaleElementReferenceException):
            return ""

    WebDriverWait(started.driver, 10).until(lambda d: "round=R1" in link(d))
    started.select_dcc_dropdown("#f-round", index=2)
    WebDriverWait(started.driver, 10).until(lambda d: "round=R3" in link(d))
    titles = set(started.driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => b.getAttribute('data-title'));"))  # fmt: skip
    assert titles and not any("Share" in t or "Chart Studio" in t for t in titles if t)
    assert started.get_logs() == []


def test_a_keyboard_opens_a_question_from_the_list_under_the_ranking(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities?round=R1")
    summary = started.wait_for_element("#priorities-questions", timeout=10).find_element(
        By.XPATH, "..").find_element(By.TAG_NAME, "summary")  # fmt: skip
    summary.send_keys(Keys.ENTER)  # the list opens from the keyboard
    entry = started.wait_for_element("#priorities-questions button")
    entry.send_keys(Keys.ENTER)
    started.wait_for_element("#question-drawer #question-panel", timeout=15)
    assert "question=Q" in started.driver.current_url and "round=R1" in started.driver.current_url
    # Escape closes the side panel, and the address forgets the question.
    started.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(started.driver, 10).until(lambda d: "question=" not in d.current_url)
    assert started.get_logs() == []
