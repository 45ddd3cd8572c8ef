"""Fuzzing the surface: every page, embed, API route and Dash's callback endpoint.

Whatever is sent (SQL fragments, path traversal, javascript: URLs, huge values,
deep nesting, broken encodings), every answer is a 2xx with valid content or a
4xx with a message: never a 5xx, never a traceback, never a count of 1..k-1.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dashboard.catalogue import CATALOGUE as CHARTS
from dashboard.filters import GROUP_VALUES
from dashboard.public import charts as public
from tests.hardening.conftest import FUZZ, assert_clean, assert_no_small_counts

PAGES = ["/", "/priorities", "/projects", "/participation", "/methods", "/present"]
HOSTILE = [
    "' OR 1=1 --",
    "R1'; DROP TABLE votes; --",
    "R1) UNION SELECT * FROM read_csv('/etc/passwd') --",
    "1; COPY votes TO '/tmp/out.csv'",
    "ATTACH '/tmp/x.db'",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "/etc/passwd",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example")',
    "\x00",
    "%00",
    "R1\r\nSet-Cookie: x=1",
    "☕🧠\u202e",
    "A" * 10_000,
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "[]",
    "{}",
]
VALID = [
    "R1", "R2", "R3", "P1", "P2", "Q1", "Q3", "share", "points", "mean", "balanced",
    "bridging", "US", "unknown", "2025-01-01", "2026-10-01", "role", "ms_course",
    "all", "role=caregiver", "ms_course=progressive",  # vs: the group compared with
    *(v for values in GROUP_VALUES.values() for v in values),
]  # fmt: skip
# Text a URL can carry (lone surrogates cannot be encoded at all); JSON gets them below.
CHARS = st.characters(exclude_categories=["Cs"])
NAMES = sorted({name for chart in CHARTS.values() for name in chart.filters})
values = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(VALID), st.text(CHARS, max_size=40))
keys = st.one_of(st.sampled_from(NAMES), st.sampled_from(["x", "", "round[]", "__proto__"]),
                 st.text(CHARS, max_size=12))  # fmt: skip
pairs = st.lists(st.tuples(keys, values), max_size=5)
raw_queries = st.text(alphabet=st.sampled_from("%&=?+;#/R1abc\\'\"<> \x00é"), max_size=60)
queries = st.one_of(pairs.map(lambda p: urlencode(p)), raw_queries)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.sampled_from([*HOSTILE, "\ud800"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=25,
)  # fmt: skip


def deep(n: int) -> str:
    return "[" * n + "]" * n


# --- pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@FUZZ
@given(query=queries)
@example(query="round=R1%27%20OR%201=1--&role=../../etc/passwd")
@example(query="view=javascript:alert(1)&deck=" + "A" * 5000)
def test_pages_with_any_query_string(app_client, page: str, query: str) -> None:
    assert_clean(app_client.get(page, query_string=query), f"{page}?{query}")


@pytest.mark.parametrize("page", PAGES)
@FUZZ
@given(query=queries)
@example(query="round=R1%27%20OR%201=1--&role=../../etc/passwd")
@example(query="question=Q3&topic=%3Cscript%3E&shown=%7B%7D")
def test_first_layouts_with_any_referrer(app_client, page: str, query: str) -> None:
    """The first answer lays out the page its Referer names (dashboard/page_in_layout.py):
    the header is as free-form as the query string, and as safe."""
    response = app_client.get(
        "/_dash-layout", headers={"Referer": f"http://localhost{page}?{query}"}
    )
    assert_clean(response, f"first layout {page}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


PAGES_CALLBACK = ".._pages_content.children..._pages_store.data.."


def page_callback(pathname: object, search: object) -> dict:
    """What the Dash renderer posts to render a page for a URL."""
    return {
        "output": PAGES_CALLBACK,
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        # What the page already shows (none: a fresh page), which the router also passes.
        "state": [{"id": "view-shown", "property": "data", "value": None}],
        "changedPropIds": ["_pages_location.pathname"],
    }  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
@FUZZ
@given(query=queries)
@example(query="round=R1&role=caregiver&sex=female&age_band=40-49")
@example(query="question=Q3&topic=%3Cscript%3E")
@example(query="view=javascript:alert(1)&focus=../../x")
def test_page_layouts_with_any_query_string(app_client, page: str, query: str) -> None:
    """The page content itself is rendered by a callback from pathname and search."""
    response = app_client.post("/_dash-update-component", json=page_callback(page, f"?{query}"))
    assert_clean(response, f"layout {page}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


@FUZZ
@given(pathname=st.one_of(st.sampled_from(HOSTILE), st.text(CHARS, max_size=50), json_values),
       search=st.one_of(queries, json_values))  # fmt: skip
@example(pathname="/present/" + "../" * 20, search="?")
@example(pathname="/present/%2e%2e%2fsecret", search=None)
def test_any_pathname_renders_a_page_or_a_clear_message(app_client, pathname, search) -> None:
    response = app_client.post("/_dash-update-component", json=page_callback(pathname, search))
    assert_clean(response, f"layout {pathname!r} {search!r}")


# --- the data API --------------------------------------------------------------------


@pytest.mark.parametrize("chart_id", [*CHARTS, "nope", "..%2F..%2Fapp.py", "priorities%00"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
@FUZZ
@given(query=queries)
@example(query="round=R1")
@example(query="round=R1&role=caregiver")
@example(query="round=R1&role=person_with_ms&ms_course=relapsing&sex=female")
def test_api_with_any_query_string(app_client, count_fields, chart_id, fmt, query) -> None:
    response = app_client.get(f"/api/v1/charts/{chart_id}.{fmt}", query_string=query)
    where = f"api {chart_id}.{fmt}?{query}"
    assert_clean(response, where)
    if response.status_code != 200 or chart_id not in CHARTS:
        return  # (a "../" id is resolved by the client to another path; Dash's 404 page)
    if fmt == "json":
        assert_no_small_counts(response.get_json()["rows"], count_fields[chart_id], where)
    else:
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert_no_small_counts(rows, count_fields[chart_id], where, csv_text=True)


@FUZZ
@given(name=st.one_of(st.text(CHARS, min_size=1, max_size=80), st.sampled_from(HOSTILE)))
def test_api_with_any_chart_name(app_client, name: str) -> None:
    response = app_client.get("/api/v1/charts/" + quote(name, safe=""))
    assert_clean(response, f"api {name!r}")


# --- the public embeds ---------------------------------------------------------------

EMBEDS = [*public.PUBLIC_FILTERS, "retention", "priorities-by-group", "static", "methods"]


@pytest.mark.parametrize("chart_id", EMBEDS)
@FUZZ
@given(query=queries)
@example(query="round=R1&role=caregiver")
@example(query="ms_course=progressive")
@example(query="project=P1")
def test_embed_pages_with_any_query_string(app_client, chart_id: str, query: str) -> None:
    assert_clean(app_client.get(f"/embed/{chart_id}/", query_string=query), f"embed {chart_id}")


def data_keys():
    canonical = st.lists(st.tuples(st.sampled_from(["round", "role", "ms_course", "project"]),
                                   st.sampled_from(VALID)), max_size=2)  # fmt: skip
    return st.one_of(
        st.just("all"),
        canonical.map(lambda p: "&".join(f"{k}={v}" for k, v in sorted(p))),
        st.sampled_from(HOSTILE),
        st.text(CHARS, max_size=60),
    )


@pytest.mark.parametrize("chart_id", EMBEDS)
@FUZZ
@given(key=data_keys(), fmt=st.sampled_from(["json", "csv", "html", "json%00", "..", ""]),
       query=st.one_of(st.just(""), queries))  # fmt: skip
@example(key="role=caregiver&round=R1", fmt="csv", query="")
@example(key="round=R1", fmt="json", query="")
def test_embed_data_with_any_key(app_client, count_fields, chart_id, key, fmt, query) -> None:
    path = f"/embed/{chart_id}/data/{quote(key, safe='&=')}.{fmt}"
    response = app_client.get(path, query_string=query)
    assert_clean(response, path)
    if response.status_code == 200 and fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert_no_small_counts(rows, count_fields[chart_id], path, csv_text=True)
    if response.status_code == 200 and fmt == "json":
        payload = response.get_json()
        assert payload["k"] == 11 and payload["chart"] == chart_id


# --- Dash's callback endpoint --------------------------------------------------------


@FUZZ
@given(body=json_values)
@example(body={})
@example(body=[])
@example(body={"output": "nav.search", "inputs": "x"})
@example(body={"output": "nav.search", "inputs": [{"id": 1}] * 11, "state": [{}]})
@example(body={"output": PAGES_CALLBACK, "inputs": [[{"id": {}, "property": 1}]] * 2})
@example(body={"output": "priorities-graph.figure", "outputs": {}, "inputs": [],
               "changedPropIds": []})  # fmt: skip
def test_callback_endpoint_with_any_json(app_client, body) -> None:
    response = app_client.post("/_dash-update-component", json=body)
    assert_clean(response, f"callback {json.dumps(body)[:200]}")


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"\xff\xfe\x00", b'{"output": ', deep(100_000).encode(),
     ('{"output": "nav.search", "inputs": ' + deep(50_000) + "}").encode(),
     b'{"output": "' + b"A" * 2_000_000 + b'"}'],
)  # fmt: skip
def test_callback_endpoint_with_broken_or_deep_bodies(app_client, raw: bytes) -> None:
    response = app_client.post("/_dash-update-component", data=raw,
                               content_type="application/json")  # fmt: skip
    assert_clean(response, f"callback raw {raw[:40]!r}")
    assert response.status_code == 400


def well_formed(callback: dict, output: str, draw_value) -> dict:
    """A body with the callback's declared shape and arbitrary values."""

    def item(declared: dict) -> object:
        if declared["id"].startswith("{"):
            pattern = json.loads(declared["id"])
            return [
                {"id": {k: (draw_value(st.sampled_from(["up", "down", "remove", "pin", "x",
                            "../..", "0", "-1", "99999999999"]))
                            if isinstance(v, list) else v) for k, v in pattern.items()},
                 "property": declared["property"], "value": draw_value(json_values)}
                for _ in range(draw_value(st.integers(0, 3)))
            ]  # fmt: skip
        if declared["property"] == "pathname":  # a browser's location: checked by the guard
            return {**declared, "value": draw_value(st.sampled_from(PAGES).map(
                lambda p: p + "/" + draw_value(st.text(CHARS, max_size=20))))}  # fmt: skip
        if declared["property"] == "search":
            return {**declared, "value": draw_value(st.none() | queries.map("?{}".format))}
        return {**declared, "value": draw_value(json_values)}

    outputs = callback["output"]
    out = (
        [{"id": o.component_id, "property": o.component_property} for o in outputs]
        if isinstance(outputs, list)
        else {"id": outputs.component_id, "property": outputs.component_property}
    )
    inputs = [item(i) for i in callback["inputs"]]
    changed = [
        f"{json.dumps(i[0]['id'], sort_keys=True, separators=(',', ':'))}.{d['property']}"
        if isinstance(i, list) and i
        else f"{d['id']}.{d['property']}"
        for d, i in zip(callback["inputs"], inputs, strict=True)
    ]
    return {
        "output": output,
        "outputs": out,
        "inputs": inputs,
        "state": [item(s) for s in callback["state"]],
        "changedPropIds": draw_value(st.lists(st.sampled_from(changed), max_size=2)),
    }


@FUZZ
@given(data=st.data())
def test_every_callback_with_hostile_values(dash_app, app_client, data) -> None:
    """Well-formed requests to every registered callback, with values nobody's browser sends."""
    callbacks = {k: v for k, v in dash_app.callback_map.items() if "callback" in v}
    output = data.draw(st.sampled_from(sorted(callbacks)))
    body = well_formed(callbacks[output], output, data.draw)
    response = app_client.post("/_dash-update-component", json=body)
    assert_clean(response, f"callback {json.dumps(body)[:300]}")
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]


def test_a_real_callback_still_works(app_client) -> None:
    """The guard refuses only malformed requests: the renderer's own still get answers."""
    body = page_callback("/priorities", "?round=R1")
    response = app_client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "Research priorities" in response.get_data(as_text=True)


@pytest.mark.parametrize("graph", ["priorities-graph", "topics-graph"])
@FUZZ
@given(click=json_values)
@example(click={"points": []})
@example(click={"points": ["x"]})
@example(click={"points": [{"y": "<script>alert(1)</script> · x", "x": "' OR 1=1"}]})
@example(click="points")
def test_forged_chart_clicks(dash_app, app_client, graph: str, click) -> None:
    """A click on a chart writes the clicked question into the URL; a forged one must not 500."""
    key = next(k for k in dash_app.callback_map if "view-search.data" in k)  # the page's one
    callback = dash_app.callback_map[key]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in key.strip(".").split("...")]  # fmt: skip
    # A pattern input (the question list's entries) is a list: none on this page.
    inputs: list = [[] if i["id"].startswith("{") else {**i, "value": None}
                    for i in callback["inputs"]]  # fmt: skip
    ids = [i["id"] if isinstance(i, dict) else None for i in inputs]
    inputs[ids.index(graph)]["value"] = click
    body = {"output": key, "outputs": outputs, "inputs": inputs,
            "state": [{"id": "nav", "property": "search", "value": "?round=R1"}],
            "changedPropIds": [f"{graph}.clickData"]}  # fmt: skip
    response = app_client.post("/_dash-update-component", json=body)
    assert_clean(response, f"click {click!r}")
    assert response.status_code in (200, 204)
