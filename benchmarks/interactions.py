"""What a researcher waits for in the explorer, in headless chromium against gunicorn.

Each time runs from the reader's own input event (the pointer or key going down,
recorded by the page) to the moment the answer is on screen:
  - "who voted" changed: the ranking's summary names the new group and its graph has
    drawn the new figure (a new graph has drawn its points, or the same graph has been
    drawn again since the input: plotly's `plotly_afterplot` on it);
  - a question opened from the list under the ranking (Tab to it, Enter): the side
    panel is open with the question's title;
  - a question opened by clicking its dot: the same.
The page itself watches for the answer (every animation frame, armed before the input),
and each step waits for the page to finish the previous one (no card still updating),
as a reader reads an answer before the next step.

    python -m benchmarks.interactions WAREHOUSE [--runs 10]

`make bench` runs it at 1M members and writes the figures to RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.run import gunicorn, pct

# Records when the reader's last input began (capture phase: before any handler runs).
PROBE = """
window.__t0 = null;
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => { window.__t0 = performance.now(); }, true);
}
"""
# Armed before the input: from then on, checks `ready()` every animation frame and records
# when it first holds after an input. Checked in the page itself, because a check sent by
# the driver after the input starts only when the page is free to run it: when the answer
# is drawn in the same busy stretch, that came up to 100 ms after the answer was on screen.
ARM = """
const ready = new Function(arguments[0]);
const armed = performance.now();
window.__t1 = null;
(function check() {
  if (window.__t0 !== null && window.__t0 >= armed && ready()) {
    window.__t1 = performance.now();
    return;
  }
  if (performance.now() - armed < 60000) requestAnimationFrame(check);
})();
"""
# Resolves with ms from the input to the frame the answer was first seen in.
WAIT = """
const done = arguments[arguments.length - 1];
const start = performance.now();
(function poll() {
  if (window.__t1 !== null) { done(window.__t1 - window.__t0); return; }
  if (performance.now() - start > 30000) { done(-1); return; }
  setTimeout(poll, 20);
})();
"""
# The option chosen, and what the ranking's summary then says about whom it shows.
WHO = (
    ("People with progressive MS", "people with progressive MS"),
    ("Caregivers", "among caregivers"),
)
# Before the input: the ranking's graph as it is now is marked old, and its plot reports
# when it is drawn again (when the page updates the same graph rather than a new one).
RANKING_BEFORE = """
const g = document.getElementById('priorities-graph');
g.dataset.old = 1;
const gd = g.querySelector('.js-plotly-plot');
if (gd && gd.on && !gd.__benchWatched) {
  gd.__benchWatched = true;
  gd.on('plotly_afterplot', () => { gd.__benchDrawn = performance.now(); });
}
"""
RANKING_READY = """
const s = document.getElementById('priorities-summary');
const g = document.getElementById('priorities-graph');
if (!s || !g || !s.textContent.toLowerCase().includes(%s.toLowerCase())) return false;
const gd = g.querySelector('.js-plotly-plot');
const redrawn = !g.dataset.old || !!(gd && gd.__benchDrawn >= window.__t0);
return !!(redrawn && g.querySelector('.scatterlayer .point'));
"""
PANEL_READY = """
const d = document.getElementById('question-drawer');
const t = document.getElementById('question-title');
return !!(d && d.classList.contains('show') && t && t.dataset.old === undefined &&
          t.textContent.length > 0);
"""


def browser():
    """Headless chromium with a fresh profile, sized like a laptop."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1440,1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='bench-chrome-')}"):  # fmt: skip
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "chromium"
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_script_timeout(40)
    return driver


def _arm(driver, ready_js: str) -> None:
    """Watch for the answer, before the input that asks for it."""
    driver.execute_script(ARM, ready_js)


def _wait_ms(driver) -> float:
    ms = driver.execute_async_script(WAIT)
    if ms < 0:
        raise RuntimeError("the answer never appeared")
    return ms


def _choose(driver, label: str) -> None:
    """Open the "who voted" menu and click a group, as a reader does (the time runs from
    the pointer going down on the option)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            control = driver.find_element(By.ID, "f-who")
            if control.get_attribute("aria-expanded") == "true":  # a menu left open
                ActionChains(driver).send_keys(Keys.ESCAPE).perform()
                time.sleep(0.3)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
            time.sleep(0.1)
            control.click()
            time.sleep(0.3)  # the menu settles into place
            for option in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"):
                if option.get_attribute("textContent").strip() == label:
                    # The list opens scrolled to the current choice: bring this one out
                    # from under the menu's search box.
                    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                          option)  # fmt: skip
                    option.click()
                    return
        except WebDriverException:  # something still moving over it: try again
            pass
        time.sleep(0.3)
    raise RuntimeError(f"could not choose {label!r}")


def _hover(driver, point) -> None:
    """Rest the pointer on a dot until plotly shows its hover label, as a reader's pointer
    does before pressing: plotly opens what it hovers, so a press in the same instant as
    the move (or on a page still scrolling back to the list after the panel closed) hits
    nothing."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    hovered = "return !!document.querySelector('#priorities-graph .hoverlayer .hovertext');"
    where = "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y];"
    for _ in range(5):
        time.sleep(0.2)  # the page settles (focus goes back where it was)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", point)
        # Until the dot stops moving (the page may still be scrolling back), then off the
        # plot and onto the dot: a pointer already resting where the dot now is sends no
        # move, and plotly hovers on moves (a failed try would otherwise repeat itself).
        before, after = None, driver.execute_script(where, point)
        while before != after:
            time.sleep(0.1)
            before, after = after, driver.execute_script(where, point)
        ActionChains(driver).move_to_element(driver.find_element(By.ID, "f-who")).perform()
        ActionChains(driver).move_to_element(point).perform()
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            if driver.execute_script(hovered):
                return
            time.sleep(0.02)
    raise RuntimeError("no hover label on the dot")


def _settle(driver) -> None:
    """Wait until no card is still being updated (Dash marks each while its update is on
    the way), as a reader would before the next step."""
    busy = "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length;"
    deadline = time.monotonic() + 30
    while driver.execute_script(busy) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)


def _close_panel(driver) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    gone = ("return !document.querySelector('.offcanvas.show, .offcanvas-backdrop') &&"
            " document.body.style.overflow !== 'hidden';")  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        "question=" in driver.current_url or not driver.execute_script(gone)
    ):
        time.sleep(0.02)


def measure(base: str, runs: int) -> dict[str, list[float]]:
    """Interaction times (ms) over `runs` repetitions of each interaction."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser()
    times: dict[str, list[float]] = {"who voted changed": [], "question from the list (Enter)": [],
                                     "question from its dot (click)": []}  # fmt: skip
    try:
        driver.get(base + "/priorities")
        deadline = time.monotonic() + 60
        while not driver.find_elements(By.CSS_SELECTOR, "#priorities-graph .point"):
            if time.monotonic() > deadline:
                raise RuntimeError("the explorer never drew its ranking")
            time.sleep(0.05)
        driver.execute_script(PROBE)
        for i in range(runs + 1):  # the first of each is a warm-up, not counted
            label, says = WHO[i % 2]
            driver.execute_script(RANKING_BEFORE)
            _arm(driver, RANKING_READY % json.dumps(says))
            _choose(driver, label)
            ms = _wait_ms(driver)
            if i:
                times["who voted changed"].append(ms)
            _settle(driver)  # the cards below the ranking follow it; a reader reads first
            # Keyboard: the list under the ranking, Enter on an entry.
            driver.execute_script("const t = document.getElementById('question-title');"
                                  "if (t) t.dataset.old = 1;"
                                  "document.querySelector('#priorities-questions')"
                                  ".parentElement.open = true;")  # fmt: skip
            entries = driver.find_elements(By.CSS_SELECTOR, "#priorities-questions button")
            _arm(driver, PANEL_READY)
            entries[i % len(entries)].send_keys(Keys.ENTER)
            ms = _wait_ms(driver)
            if i:
                times["question from the list (Enter)"].append(ms)
            _close_panel(driver)
            # Mouse: a dot of the ranking.
            driver.execute_script("const t = document.getElementById('question-title');"
                                  "if (t) t.dataset.old = 1;")  # fmt: skip
            points = driver.find_elements(By.CSS_SELECTOR, "#priorities-graph .scatterlayer .point")
            point = points[i % len(points)]
            _hover(driver, point)
            _arm(driver, PANEL_READY)
            ActionChains(driver).click().perform()
            ms = _wait_ms(driver)
            if i:
                times["question from its dot (click)"].append(ms)
            _close_panel(driver)
    finally:
        driver.quit()
    return times


def summarize(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {name: {"median_ms": statistics.median(v), "p95_ms": pct(v, 95), "runs": len(v)}
            for name, v in times.items()}  # fmt: skip


def run(warehouse: Path, runs: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp,
        gunicorn(warehouse, Path(tmp) / "cache") as (base, _),
    ):
        return summarize(measure(base, runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    result = run(args.warehouse, args.runs)
    for name, r in result.items():
        print(f"{name:34} median {r['median_ms']:7.0f} ms   p95 {r['p95_ms']:7.0f} ms   "
              f"({r['runs']} runs)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
