"""The catalogue walk: every chart id works on every surface it declares.

Drift between surfaces becomes a failing test here instead of a user's bug
report: for every chart, its `view` opens a page that carries it, the page's
slide with its `slide` focus saves and renders, and, where it is public, the
embed serves exactly the API's rows for every public filter set.
The real-browser half of the walk is tests/pages/test_catalogue_browser.py.
"""

from __future__ import annotations

import importlib
import struct
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from dash import dcc

from app import create_app
from dashboard.catalogue import CATALOGUE, CHARTS, PAGES, slide_specs
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.present.render import render_view, slide_for
from dashboard.present.store import DeckStore
from dashboard.present.viewurl import parse_view
from dashboard.public import charts as public
from dashboard.security import Auth
from dashboard.views import CARD_KINDS

IDS = [c.id for c in CHARTS]
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def app(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                        network_name="Fixture Network")  # fmt: skip
    store = DeckStore(tmp_path_factory.mktemp("decks"))
    return create_app(settings, Auth(), decks=store)


@pytest.fixture(scope="module")
def listing(app) -> dict[str, dict]:
    body = app.server.test_client().get("/api/v1/charts").get_json()
    return {c["id"]: c for c in body["charts"]}


def test_the_api_lists_every_chart_with_its_surfaces(listing: dict[str, dict]) -> None:
    assert list(listing) == IDS
    for chart_id, item in listing.items():
        assert item["view"].startswith("/") and "//" not in item["view"]
        assert item["slide"] in item["slides"]
        declared = CATALOGUE[chart_id]
        assert ("embed" in item) == (declared.public is not None) == item["public"]
        if declared.public is not None:
            assert item["embed"] == f"/embed/{chart_id}/"


def test_question_views_name_a_question_that_exists(listing: dict[str, dict],
                                                    engine: Engine) -> None:  # fmt: skip
    questions = {r["question_id"] for r in engine.run("question-trail", {}).rows}
    for chart_id in ("question-trail", "question-trend"):
        args = dict(parse_qsl(urlsplit(listing[chart_id]["view"]).query))
        assert args["question"] in questions


def test_slide_focus_keys_are_unique_on_each_page() -> None:
    for path in PAGES:
        declared = [s.focus for c in CHARTS if c.page == path for s in c.slides]
        assert len(declared) == len(set(declared)) == len(slide_specs(path)), path


def _graphs_and_cards(component) -> list:
    found, stack = [], [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif node is not None and not isinstance(node, str | int | float):
            found.append(node)
            children = getattr(node, "children", None)
            if children is not None:
                stack.append(children)
    return found


def _texts(component) -> str:
    parts = []
    for node in _graphs_and_cards(component):
        children = getattr(node, "children", None)
        if isinstance(children, str | int | float):
            parts.append(str(children))
    return " ".join(parts)


@pytest.mark.parametrize("chart_id", IDS)
def test_the_view_opens_a_page_that_carries_the_chart(app, listing, chart_id: str) -> None:
    url = urlsplit(listing[chart_id]["view"])
    module = importlib.import_module(
        "dashboard.pages." + ({"/": "overview"}.get(url.path) or url.path.strip("/"))
    )
    with app.server.test_request_context(listing[chart_id]["view"]):
        tree = module.layout(**dict(parse_qsl(url.query)))
    cards = [n for n in _graphs_and_cards(tree)
             if getattr(n, "data-chart", None) == chart_id]  # fmt: skip
    assert cards, f"{chart_id}: no card with data-chart on {url.geturl()}"
    card = cards[0]
    graphs = [n for n in _graphs_and_cards(card) if isinstance(n, dcc.Graph)]
    if CATALOGUE[chart_id].card == "chart":
        # A figure, or (when everything is withheld on the tiny fixture) one that says why.
        assert graphs, f"{chart_id}: the card has no figure"
        figure = graphs[0].figure
        assert figure.data or figure.layout.annotations[0].text, chart_id
    else:  # number cards, the board, the question panel: their text shows the values
        assert _texts(card).strip(), f"{chart_id}: the card shows no text"


@pytest.mark.parametrize("chart_id", IDS)
def test_the_slide_of_the_view_shows_the_chart(engine: Engine, listing, chart_id: str) -> None:
    view = parse_view(listing[chart_id]["view"], listing[chart_id]["slide"])
    chart, _ = slide_for(view)
    assert chart.id == chart_id
    content = render_view(engine, view)
    assert content.error is None and content.headline
    assert chart_id in content.charts
    assert content.figure.data or content.figure.layout.annotations


def test_every_card_kind_is_registered(app) -> None:
    for name in ("overview", "priorities", "projects", "participation"):
        importlib.import_module(f"dashboard.pages.{name}")
    assert {c.card for c in CHARTS} - {"chart"} <= set(CARD_KINDS)


@pytest.mark.slow
@pytest.mark.parametrize("chart_id", IDS)
def test_a_saved_slide_of_every_chart_renders_as_png(app, listing, chart_id: str) -> None:
    client = app.server.test_client()
    item = listing[chart_id]
    saved = client.post(
        "/present/api/slides",
        json={"deck": f"walk {chart_id}", "view": item["view"], "focus": item["slide"]},
    )
    assert saved.status_code == 201, saved.get_json()
    slug = saved.get_json()["slug"]
    png = client.get(f"/present/{slug}/slide/1.png")
    assert png.status_code == 200, png.get_data(as_text=True)[:300]
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png.data[16:24]) == (1920, 1080)


@pytest.mark.parametrize("chart_id", [c.id for c in CHARTS if c.public is not None])
def test_embed_rows_equal_the_api_rows_for_every_public_filter_set(app, engine: Engine,
                                                                   chart_id: str) -> None:  # fmt: skip
    client = app.server.test_client()
    seen = 0
    for filters in public.combinations(engine, chart_id):
        key = public.data_key(filters)
        embed = client.get(f"/embed/{chart_id}/data/{key}.json")
        api = client.get(f"/api/v1/charts/{chart_id}.json", query_string=filters.to_query())
        assert embed.status_code == api.status_code == 200, key
        assert embed.get_json()["rows"] == api.get_json()["rows"], key
        seen += 1
    assert seen >= 1


def test_the_readme_lists_every_chart() -> None:
    text = README.read_text()
    section = text.split("## Charts", 1)[1].split("\n## ", 1)[0]
    listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert listed == IDS


# --- the drift bugs the catalogue fixes by construction ------------------------------


def _layout(app, page: str, **query):
    module = importlib.import_module(f"dashboard.pages.{page}")
    with app.server.test_request_context("/"):
        return module.layout(**query)


def _by_id(tree, dom_id: str):
    return next(n for n in _graphs_and_cards(tree) if getattr(n, "id", None) == dom_id)


def test_a_voter_group_view_can_be_saved_as_a_slide(app) -> None:
    saved = app.server.test_client().post("/present/api/slides", json={
        "deck": "drift", "view": "/priorities?voter_group=progressive"})  # fmt: skip
    assert saved.status_code == 201, saved.get_json()


@pytest.mark.parametrize(("page", "query", "link", "focus"), [
    ("priorities", {"question": "Q1"}, "question-trend-save-slide", "question-trend"),
    ("participation", {}, "rounds-save-slide", "rounds"),
    ("participation", {}, "new-members-save-slide", "growth"),
])  # fmt: skip
def test_save_as_slide_saves_the_chart_it_is_under(app, page, query, link, focus) -> None:
    href = _by_id(_layout(app, page, **query), link).href
    args = dict(parse_qsl(urlsplit(href).query))
    assert args["focus"] == focus
    view = parse_view(args["view"], args["focus"])
    assert view.path == f"/{page}"


@pytest.mark.parametrize("method", ["balanced", "bridging"])
def test_balanced_rankings_draw_on_the_page_as_on_the_slide(app, engine, method) -> None:
    graph = _by_id(_layout(app, "priorities", round="R3", method=method), "balanced-graph")
    assert graph.figure.data, "the page drew 'Nothing to compare'"
    slide = render_view(engine, parse_view(f"/priorities?round=R3&method={method}"))
    assert [t.y for t in slide.figure.data] == [t.y[:10] for t in graph.figure.data]


def test_every_result_a_release_reads_back_is_published_once() -> None:
    """The next release reads one stored body per chart and k (earlier_releases), so a
    chart it compares with must not be published under several filter keys."""
    from dashboard.warehouse.release import PREVIOUS_RESULTS

    charts = {c.id: c for c in CHARTS}
    for name in PREVIOUS_RESULTS:
        if name in charts:
            assert charts[name].published is not None
            assert charts[name].published.keys == (), name
