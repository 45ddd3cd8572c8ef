"""The page laid out in the first answer (`/_dash-layout`) is the one the router would lay out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from app import create_app
from dashboard.config import Settings
from dashboard.security import Auth
from tests.hardening.test_fuzz import page_callback


@pytest.fixture(scope="module")
def client(fixture_warehouse: Path):
    app: Dash = create_app(
        Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name=""), Auth()
    )
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    return client


def first_answer(client, referrer: str | None) -> dict[str, Any]:
    """The layout's page container parts by id, for a layout request from `referrer`."""
    headers = {"Referer": referrer} if referrer is not None else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    found: dict[str, Any] = {}
    stack = [response.get_json()]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if str(node.get("props", {}).get("id", "")).startswith("_pages_"):
                found[node["props"]["id"]] = node["props"]
            stack.extend(node.values())
    return found


@pytest.mark.parametrize(
    "url",
    ["/", "/priorities", "/priorities?round=R1&compare=role", "/priorities?question=Q3",
     "/projects", "/participation", "/methods", "/present"],
)  # fmt: skip
def test_the_first_answer_holds_the_page_the_router_would_lay_out(client, url: str) -> None:
    path, _, query = url.partition("?")
    search = f"?{query}" if query else ""
    parts = first_answer(client, f"http://localhost{url}")
    routed = client.post("/_dash-update-component", json=page_callback(path, search))
    assert routed.status_code == 200
    expected = routed.get_json()["response"]
    assert parts["_pages_content"]["children"] == expected["_pages_content"]["children"]
    assert parts["_pages_content"]["children"]  # a page, not an empty container
    assert parts["_pages_store"]["data"] == expected["_pages_store"]["data"]
    # The location starts where the page was laid out, so it has nothing new to report
    # on arrival and the router is not called (tests/pages/test_browser.py in chromium).
    assert (parts["_pages_location"]["pathname"], parts["_pages_location"]["search"]) == (
        path,
        search,
    )
    assert "href" not in parts["_pages_location"]  # the location fills in the fragment itself


@pytest.mark.parametrize(
    "referrer",
    [None, "", "http://elsewhere.example/priorities", "http://localhost/no-such-page",
     "not a url", "http://localhost", "javascript:alert(1)//localhost/"],
)  # fmt: skip
def test_without_a_page_to_lay_out_the_router_does_it_as_before(client, referrer) -> None:
    """No Referer, another host's, or no page at its path: Dash's own empty container,
    whose location reports the address on arrival so the router lays the page out."""
    parts = first_answer(client, referrer)
    assert parts["_pages_content"].get("children") is None
    assert parts["_pages_location"].get("pathname") is None
    assert parts["_pages_store"].get("data") is None
