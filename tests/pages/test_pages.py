"""Pages as plain functions: layouts from query strings, unique ids, the URL callback."""

from __future__ import annotations

import importlib
from contextvars import copy_context
from pathlib import Path

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from app import create_app
from dashboard.config import Settings
from dashboard.security import Auth


@pytest.fixture(scope="module")
def app(fixture_warehouse: Path):
    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name="")
    return create_app(settings, Auth())


def page(name: str):
    """A page module (pages register themselves, so only after an app exists)."""
    return importlib.import_module(f"dashboard.pages.{name}")


def components(component) -> list:
    """Every component in a tree."""
    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if node is None or isinstance(node, str | int | float):
            continue
        found.append(node)
        children = getattr(node, "children", None)
        if children is not None:
            stack.append(children)
    return found


def ids(component) -> list[str]:
    """Every id in a component tree."""
    return [str(node.id) for node in components(component) if getattr(node, "id", None)]


def render(app, module, **query):
    with app.server.test_request_context("/"):
        return module.layout(**query)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("priorities", {}),
        ("priorities", {"round": "R1", "compare": "role", "question": "Q1"}),
        ("priorities", {"round": "R3", "topic": "Symptoms"}),
        (
            "priorities",
            {
                "question": "Q1",
                "role": "person_with_ms",
                "ms_course": "relapsing",
                "age_band": "40-49",
                "sex": "female",
            },
        ),
        (
            "priorities",
            {"question": "Q1", "role": "person_with_ms", "ms_type": "RRMS", "age_band": "40-49"},
        ),
        ("projects", {"project": "P1"}),
        ("participation", {"role": "caregiver"}),
        ("overview", {}),
    ],
)
def test_layouts_have_unique_ids(app, name, query) -> None:
    found = ids(render(app, page(name), **query))
    assert found, "the layout has ids"
    assert len(found) == len(set(found)), sorted(i for i in found if found.count(i) > 1)


def test_question_panel_shows_trail_trend_and_groups(app) -> None:
    found = ids(render(app, page("priorities"), round="R1", question="Q1"))
    for needed in ("question-panel", "question-title", "question-trend-graph",
                   "question-groups-graph", "topics-graph", "question-discussion"):  # fmt: skip
        assert needed in found, needed


def test_question_panel_says_its_discussion_with_withheld_counts_as_withheld(app) -> None:
    priorities = page("priorities")
    # Fixture Q1: 12 commenters (served); its comment count is withheld (see topics).
    text = priorities._discussion_text(
        {"comments": None, "commenters": 12, "suppressed": ["comments"]}
    )
    assert text == "Discussion (all time): withheld comments from 12 members."


def test_a_bad_link_gets_a_message_not_an_error(app) -> None:
    found = ids(render(app, page("priorities"), round="'; DROP TABLE votes; --"))
    assert "view-error" in found


def call_update_url(trigger: str, controls: dict, click=None, topic_click=None, search=""):
    priorities = page("priorities")
    values = [controls.get(name) for name in priorities.CONTROLS]

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": 1}]))
        return priorities.update_url(*values, click, topic_click, search)

    return copy_context().run(run)


def test_controls_write_the_query_string(app) -> None:
    search = call_update_url("f-role.value", {"round": "R1", "role": "caregiver"})
    assert search == "?round=R1&role=caregiver"


def test_clicking_a_question_opens_it_and_clicking_a_topic_filters(app) -> None:
    click = {"points": [{"x": 0.4, "y": 34.0, "customdata": "Q2"}]}
    assert "question=Q2" in call_update_url("priorities-graph.clickData", {"round": "R1"}, click)
    topic = {"points": [{"x": 0.3, "y": 40.0, "customdata": "Care, access & costs"}]}
    search = call_update_url("topics-graph.clickData", {"round": "R1"}, topic_click=topic,
                             search="?round=R1&question=Q2")  # fmt: skip
    assert "topic=Care%2C+access+%26+costs" in search
    assert "question" not in search


def test_a_forbidden_combination_leaves_the_url_alone(app) -> None:
    from dash import no_update

    result = call_update_url("f-compare.value", {"sex": "female", "compare": "sex"})
    assert result is no_update


def test_choosing_one_who_filter_clears_the_overlapping_ones(app) -> None:
    """Role, MS type, MS course and voter group describe the same people: the latest wins."""
    result = call_update_url("f-ms_type.value", {"ms_type": "PPMS", "ms_course": "progressive"})
    assert result == "?ms_type=PPMS"
    result = call_update_url("f-compare.value", {"ms_course": "progressive",
                                                 "compare": "voter_group"})  # fmt: skip
    assert result == "?compare=voter_group"


def _dropdowns(component) -> dict[str, object]:
    """Every dropdown in a component tree by id."""
    return {str(n.id): n for n in components(component) if type(n).__name__ == "Dropdown"}


def test_the_filter_panel_names_the_default_round_and_offers_only_its_scores(app) -> None:
    controls = _dropdowns(render(app, page("priorities")))
    assert controls["f-round"].placeholder == "Latest: Round 3: rate"
    rate = [o["value"] for o in controls["f-method"].options]
    assert rate == ["mean", "balanced", "bridging"]  # no share or points in a rate round
    assert controls["f-method"].placeholder.startswith("Default: Mean rating")
    pick = _dropdowns(render(app, page("priorities"), round="R1"))["f-method"]
    assert [o["value"] for o in pick.options] == ["share", "balanced", "bridging"]
    who = {o["value"]: o["label"] for o in controls["f-ms_course"].options}
    assert who["progressive"] == "People with progressive MS"  # words, not codes
