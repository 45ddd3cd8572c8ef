"""Member-written text (question titles) wherever it is shown: text, never markup or formulas.

The fixture's Q3 title is `<img src=x onerror=alert(1)> Does "heat" worsen symptoms, & how?`
and Q4's is `=HYPERLINK("http://evil.example","click")`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard.catalogue import CATALOGUE as CHARTS
from dashboard.engine import Engine
from dashboard.public import charts as public
from tests.hardening.test_fuzz import page_callback

Q3 = '<img src=x onerror=alert(1)> Does "heat" worsen symptoms, & how?'
MARKUP = ("<img", "<script")  # escaped, "onerror=" may stay as harmless text
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cells(text: str) -> Iterator[str]:
    for row in csv.reader(io.StringIO(text)):
        yield from row


def assert_formula_safe(text: str, where: str) -> int:
    """No cell a spreadsheet would run: text starting = + - @ is prefixed with '."""
    seen = 0
    for cell in cells(text):
        if cell.startswith(FORMULA):
            try:
                float(cell)  # a negative number is a number, not a formula
            except ValueError:
                pytest.fail(f"{where}: formula cell {cell!r}")
        seen += cell.startswith("'=")
    return seen


def test_api_csv_of_every_chart_is_formula_safe(app_client, engine: Engine) -> None:
    neutralised = 0
    for chart_id in CHARTS:
        args = {"question": "Q4"} if chart_id == "question-trend" else {}
        for query in ({**args}, {**args, "round": "R1"}):
            if "round" in query and "round" not in CHARTS[chart_id].filters:
                continue
            response = app_client.get(f"/api/v1/charts/{chart_id}.csv", query_string=query)
            assert response.status_code == 200, (chart_id, response.get_data(as_text=True))
            neutralised += assert_formula_safe(response.get_data(as_text=True), chart_id)
    assert neutralised, "Q4's =HYPERLINK title was seen and neutralised somewhere"


def test_embed_csv_of_every_public_view_is_formula_safe(app_client, engine: Engine) -> None:
    for chart_id in public.PUBLIC_FILTERS:
        for filters in public.combinations(engine, chart_id):
            path = f"/embed/{chart_id}/data/{public.data_key(filters)}.csv"
            response = app_client.get(path)
            assert response.status_code == 200, path
            assert_formula_safe(response.get_data(as_text=True), path)


def test_embed_figures_carry_member_text_escaped(app_client, engine: Engine) -> None:
    """Plotly renders a subset of HTML in labels, so titles reach it entity-escaped."""
    shown = 0
    for chart_id in public.PUBLIC_FILTERS:
        for filters in public.combinations(engine, chart_id):
            path = f"/embed/{chart_id}/data/{public.data_key(filters)}.json"
            payload = app_client.get(path).get_json()
            figure = json.dumps(payload["figure"])
            assert not any(m in figure for m in MARKUP), path
            # Long labels wrap onto two lines (<br> between words): both halves escaped.
            shown += "&lt;img src=x" in figure and "onerror=alert(1)&gt;" in figure
    assert shown, "Q3's title is shown (escaped) in at least one embed"


def test_embed_page_is_text_only_and_scripts_only_from_self(app_client) -> None:
    page = app_client.get("/embed/priorities/?round=R1")
    text = page.get_data(as_text=True)
    assert "<img" not in text
    scripts = re.findall(r"<script[^>]*>", text)
    # Our own scripts only, named by version (`?v=<content hash>`) so they are cached a year.
    own = r'<script src="\.\./static/[a-z.-]+\.js(\?v=[0-9a-f]+)?" defer>'
    assert scripts and all(re.fullmatch(own, s) for s in scripts), scripts
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]


def test_api_json_keeps_the_title_as_data(app_client) -> None:
    response = app_client.get("/api/v1/charts/priorities.json?round=R1")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    titles = {r["question_id"]: r["title"] for r in response.get_json()["rows"]}
    assert titles["Q3"] == Q3  # exactly as written: JSON is data, not a page


# --- the Dash pages: member text only as React text ---------------------------------


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


def assert_text_only(layout: Any, where: str) -> list[str]:
    """Where markup could run, there is none; returns the text strings holding Q3's title."""
    as_text = []
    for path, node in walk(layout):
        if isinstance(node, dict) and "props" in node and "type" in node:
            props, kind = node["props"], node["type"]
            assert not props.get("dangerously_allow_html"), (where, path)
            assert kind not in ("Iframe", "ObjectEl", "Embed") or "srcDoc" not in props, path
            for attr in ("href", "src"):
                value = str(props.get(attr, "")).strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), (path, attr)
            if kind == "Graph":
                figure = json.dumps(props.get("figure", {}))
                assert not any(m in figure for m in MARKUP), (where, path)
            if kind == "AgGrid":
                for column in props.get("columnDefs", []):
                    assert "cellRenderer" not in column, (where, path, column)
        if isinstance(node, str) and "onerror=" in node and "figure" not in path:
            as_text.append(path)  # React text or a grid cell: shown as typed, never run
    return as_text


@pytest.mark.parametrize(
    "url",
    [
        "/priorities?round=R1",
        "/priorities?round=R2&question=Q3",
        "/priorities?round=R1&method=bridging&compare=role",
        "/projects",
        "/",
    ],
)
def test_page_layouts_show_member_text_as_text(app_client, url: str) -> None:
    path, _, query = url.partition("?")
    response = app_client.post("/_dash-update-component", json=page_callback(path, f"?{query}"))
    assert response.status_code == 200
    layout = response.get_json()["response"]["_pages_content"]["children"]
    found = assert_text_only(layout, url)
    if path == "/priorities":
        assert found, f"{url}: Q3's title is shown somewhere, as text"


def test_slides_show_member_text_as_text(app_client) -> None:
    """The built-in deck, one slide at a time (the PDF/PNG use the same escaped figures)."""
    body = page_callback("/present/state-of-the-network", "")
    response = app_client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert_text_only(response.get_json()["response"]["_pages_content"]["children"], "deck")
