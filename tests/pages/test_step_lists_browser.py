"""The Overview's step lists, drawn when first opened (pages/overview.py lazy_step_lists):
from the keyboard, a step opens, its links appear and are the next Tab stops."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PRIORITIZED = "[id$='-step-prioritized']"


def test_a_step_list_opened_by_keyboard_shows_its_links_and_tab_reaches_them(started) -> None:
    driver = started.driver
    started.wait_for_page(url=started.server_url + "/")
    details = started.wait_for_element(PRIORITIZED, timeout=15)
    assert details.find_elements(By.CSS_SELECTOR, "a") == []  # not drawn at load
    summary = details.find_element(By.TAG_NAME, "summary")
    summary.send_keys(Keys.ENTER)  # opens the list, from the keyboard
    links = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f"{PRIORITIZED} li a")
    )
    assert details.get_attribute("open") is not None
    hrefs = [a.get_attribute("href") for a in links]
    assert len(hrefs) == 2 and all("/priorities?question=Q" in h for h in hrefs), hrefs
    # A member-written title is the link's text, never markup.
    assert any("onerror" in a.text for a in links)
    assert driver.find_elements(By.CSS_SELECTOR, f"{PRIORITIZED} img") == []
    # The next Tab stop after the summary is the list's first link; Enter follows it.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    focused = driver.switch_to.active_element
    assert focused.get_attribute("href") == hrefs[0]
    focused.send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "/priorities?question=Q" in d.current_url)
    started.wait_for_element("#question-drawer #question-panel", timeout=15)
    assert started.get_logs() == []
