"""axe-core (Deque) on every researcher page and every public embed: a release gate.

Issue #15 item 8 asks for 0 serious or critical axe violations everywhere. The pages
are opened as a user sees them (charts drawn, tables and dialogs opened), and axe's
WCAG 2.x A/AA rules run in the real browser; the test names each violation, its rule
and the first elements it found, so a failure says what to fix.
"""

from __future__ import annotations

import json
import time

import pytest
from axe_core_python.base import AXE_SCRIPT
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.public.charts import PUBLIC_FILTERS
from tests.pages.test_accessibility import PAGES, _open, _open_details

pytestmark = pytest.mark.browser
GATED = ("serious", "critical")
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "wcag22aa", "best-practice"]},
           "resultTypes": ["violations"]}  # fmt: skip


def violations(driver) -> list[str]:
    """Serious and critical violations on the current page, one line each."""
    driver.execute_script(AXE_SCRIPT)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {json.dumps(OPTIONS)}).then(done, e => done({{error: String(e)}}));"
    )
    assert "error" not in result, result
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in GATED
    ]


def test_no_serious_axe_violation_on_any_page(started) -> None:
    found = []
    for path in [
        *PAGES,
        "/priorities?round=R1&compare=role",
        "/priorities?question=Q1",
        "/priorities?role=person_with_ms&vs=role%3Dcaregiver",
        "/present",
        "/present?view=%2Fpriorities%3Fround%3DR1&focus=ranking",  # the save form, filled in
    ]:
        _open(started, path)
        _open_details(started)
        found += [f"{path}: {v}" for v in violations(started.driver)]
    # A deck as presented (no page heading: the slides), its first slide drawn.
    path = "/present/state-of-the-network"
    started.wait_for_page(url=started.server_url + path)
    started.wait_for_element("#present-deck .present-slides", timeout=15)
    time.sleep(1)
    found += [f"{path}: {v}" for v in violations(started.driver)]
    assert not found, "\n".join(found)


def test_no_serious_axe_violation_on_any_embed(started) -> None:
    found = []
    for chart_id in PUBLIC_FILTERS:
        for query in ("", "?lang=es&theme=dark"):
            path = f"/embed/{chart_id}/{query}"
            started.driver.get(started.server_url + path)
            WebDriverWait(started.driver, 15).until(lambda d: d.execute_script(
                "const c = document.getElementById('chart');"
                "return !c || c.getAttribute('data-rendered') === 'true'"))  # fmt: skip
            found += [f"{path}: {v}" for v in violations(started.driver)]
        started.driver.get(f"{started.server_url}/embed/{chart_id}/method/")
        found += [f"/embed/{chart_id}/method/: {v}" for v in violations(started.driver)]
    started.driver.get(started.server_url + "/embed/")
    found += [f"/embed/: {v}" for v in violations(started.driver)]
    assert not found, "\n".join(found)
