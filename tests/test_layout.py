"""The page shell's tables: a card's table becomes a grid in the browser when it is first
opened, and only then is the grid's script loaded (once for the page)."""

from __future__ import annotations

import time

GRID_LOADS = (
    "return performance.getEntriesByType('resource')"
    ".filter(e => e.name.includes('/dash_ag_grid/dash_ag_grid')).length"
)
GRIDS = "return document.querySelectorAll('.ag-root .ag-row').length && "
GRIDS += "document.querySelectorAll('.ag-root').length"


def _grids(duo, count: int) -> int:
    """Wait (up to 20 s) until `count` grids with rows are drawn; how many there are."""
    deadline = time.monotonic() + 20
    while (drawn := duo.driver.execute_script(GRIDS)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return drawn


def test_opening_a_table_loads_the_grid_once_and_draws_it(started) -> None:
    started.wait_for_page(url=started.server_url + "/priorities")
    started.wait_for_element("#priorities-graph .main-svg", timeout=20)
    assert started.driver.execute_script(GRID_LOADS) == 0  # not with the page
    tables = started.find_elements("summary[id*='grid-open']")
    assert len(tables) >= 2
    for n, table in enumerate(tables[:2], start=1):
        started.driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click()", table)
        assert _grids(started, n) == n
    assert started.driver.execute_script(GRID_LOADS) == 1  # loaded once, for both tables
