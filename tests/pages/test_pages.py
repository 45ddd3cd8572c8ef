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


def call_update_view(
    trigger: str,
    controls: dict,
    clicks: dict | None = None,
    search: str = "",
    drawer_open: bool = False,
    value: object = 1,
) -> dict:
    """The page's one callback as a plain function, as if `trigger` had just changed."""
    priorities = page("priorities")
    values = {name: controls.get(name) for name in priorities.CONTROLS}
    clicks = {graph: (clicks or {}).get(graph) for graph in priorities.CLICKED}

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": value}]))
        with page("priorities").dash.get_app().server.test_request_context("/"):
            return priorities.update_view(values, clicks, [], drawer_open, search)

    return copy_context().run(run)


def test_controls_write_the_query_string(app) -> None:
    out = call_update_view("f-who.value", {"round": "R1", "who": "role=caregiver"})
    assert out["search"] == "?round=R1&role=caregiver"
    assert out["shown"] == {"path": "/priorities", "args": {"round": "R1", "role": "caregiver"}}


def test_a_change_redraws_only_the_cards_it_changes(app) -> None:
    """A new topic redraws the ranking and the topics; a new age band also the round
    shifts (which take no topic... but do take the who filters)."""
    from dash import no_update

    def redrawn(out: dict) -> set[str]:
        """The cards drawn with the change, and those it leaves for `draw_pending`."""
        now = {k for k, v in out["sections"].items() if v is not no_update}
        later = set() if out["pending"] is no_update else set(out["pending"]["charts"])
        assert not now & later
        return now | later

    out = call_update_view("f-sex.value", {"round": "R1", "sex": "female"}, search="?round=R1")
    assert {"priorities", "topics", "round-shifts"} <= redrawn(out)
    out = call_update_view("f-round.value", {"round": "R3"}, search="?round=R1")
    assert "priorities" in redrawn(out) and "round-shifts" not in redrawn(out)  # no round input
    assert out["panel"] is no_update and out["open"] is False
    # A card shown in neither view (no comparison asked for) is not redrawn either.
    assert not {"priorities-two-groups", "priorities-by-group"} & redrawn(out)


def test_the_first_card_comes_with_the_change_and_the_rest_follow(app) -> None:
    """The ranking is drawn in the change's own response; the cards below it in a
    second one (`draw_pending`), whose payload the browser could forge."""
    from dash import no_update

    priorities = page("priorities")
    out = call_update_view("f-who.value", {"round": "R1", "who": "role=caregiver"},
                           search="?round=R1")  # fmt: skip
    now = [k for k, v in out["sections"].items() if v is not no_update]
    assert now == ["priorities"]
    pending = out["pending"]
    assert pending["args"] == {"round": "R1", "role": "caregiver"}
    assert {"topics", "round-shifts"} <= set(pending["charts"])
    with page("priorities").dash.get_app().server.test_request_context("/"):
        drawn = priorities.draw_pending(pending)
        later = {k for k, v in drawn.items() if v is not no_update}
        assert later == set(pending["charts"])
        assert "topics-graph" in ids(drawn["topics"])
        for forged in (None, [], {"args": {"round": "'; DROP"}, "charts": ["topics"]},
                       {"args": {"round": "R1", "evil": "1"}, "charts": ["topics"]},
                       {"args": {"round": ["R1"]}, "charts": ["topics"]},
                       {"args": {"round": "R1"}, "charts": "topics"},
                       {"args": {"round": "R1"}, "charts": ["no-such-card"]}):  # fmt: skip
            drawn = priorities.draw_pending(forged)
            assert drawn is no_update or all(v is no_update for v in drawn.values()), forged


def test_the_side_panel_opens_with_the_question_and_its_charts_follow(app) -> None:
    """The panel opens with the question's words; its charts come in a second response,
    which checks the view it is sent back like any address."""
    from dash import no_update

    priorities = page("priorities")
    click = {"points": [{"x": 0.4, "y": 34.0, "customdata": "Q2"}]}
    out = call_update_view("priorities-graph.clickData", {"round": "R1"},
                           {"priorities-graph": click}, search="?round=R1")  # fmt: skip
    opened = ids(out["panel"])
    assert "question-title" in opened and "question-extras" in opened
    assert "question-trend-graph" not in opened  # not yet
    assert out["extras"]["args"] == {"round": "R1", "question": "Q2"}
    with priorities.dash.get_app().server.test_request_context("/"):
        charts = ids(priorities.draw_question_extras(out["extras"]))
        assert "question-trend-graph" in charts and "question-groups-graph" in charts
        for forged in (None, [], {"args": {"round": "R1"}},
                       {"args": {"round": "R1", "question": ["Q2"]}},
                       {"args": {"round": "R1", "question": "Q2", "evil": "1"}}):  # fmt: skip
            assert priorities.draw_question_extras(forged) is no_update, forged
    closed = call_update_view("question-drawer.is_open", {"round": "R1"},
                              search="?round=R1&question=Q2")  # fmt: skip
    assert closed["panel"] == [] and closed["extras"] is no_update


def test_clicking_a_question_opens_it_and_clicking_a_topic_filters(app) -> None:
    from dash import no_update

    click = {"points": [{"x": 0.4, "y": 34.0, "customdata": "Q2"}]}
    out = call_update_view("priorities-graph.clickData", {"round": "R1"},
                           {"priorities-graph": click}, search="?round=R1")  # fmt: skip
    assert "question=Q2" in out["search"] and out["open"] is True
    assert "question-panel" in ids(out["panel"])
    assert all(v is no_update for v in out["sections"].values())  # the page stays as it is
    topic = {"points": [{"x": 0.3, "y": 40.0, "customdata": "Care, access & costs"}]}
    out = call_update_view("topics-graph.clickData", {"round": "R1"}, {"topics-graph": topic},
                           search="?round=R1&question=Q2")  # fmt: skip
    assert "topic=Care%2C+access+%26+costs" in out["search"]
    assert "question" not in out["search"] and out["open"] is False


def test_a_list_entry_opens_its_question_and_closing_the_panel_closes_it(app) -> None:
    trigger = '{"index":"Q3","type":"open-question"}.n_clicks'
    out = call_update_view(trigger, {"round": "R1"}, search="?round=R1")
    assert out["search"] == "?round=R1&question=Q3" and out["open"] is True
    out = call_update_view("question-drawer.is_open", {"round": "R1"},
                           search="?round=R1&question=Q3", drawer_open=False)  # fmt: skip
    assert out["search"] == "?round=R1" and out["panel"] == []
    # A list entry appearing on the page (no click yet) opens nothing.
    from dash import no_update

    assert call_update_view(trigger, {"round": "R1"}, value=None) is no_update


def test_a_forbidden_combination_leaves_the_url_alone(app) -> None:
    from dash import no_update

    assert call_update_view("f-compare.value", {"sex": "female", "compare": "sex"}) is no_update
    # A value the control never offers (a hand-made request) changes nothing either.
    assert call_update_view("f-who.value", {"who": "country=US"}) is no_update
    assert call_update_view("f-who.value", {"who": "role=<script>"}) is no_update


def test_one_who_control_and_a_comparison_of_the_same_people_clear_each_other(app) -> None:
    """Role, MS type, MS course and voter group describe the same people: one control."""
    out = call_update_view("f-compare.value", {"who": "ms_course=progressive",
                                               "compare": "voter_group"})  # fmt: skip
    assert out["search"] == "?compare=voter_group"
    assert out["controls"]["who"] is None  # the control is cleared too
    out = call_update_view("f-who.value", {"who": "ms_type=PPMS", "compare": "voter_group"})
    assert out["search"] == "?ms_type=PPMS"


def test_a_link_with_another_name_for_a_group_keeps_it_choosable(app) -> None:
    controls = _dropdowns(render(app, page("priorities"), voter_group="caregiver"))
    assert controls["f-who"].value == "voter_group=caregiver"
    assert "voter_group=caregiver" in [o["value"] for o in controls["f-who"].options]


def test_the_page_stays_as_it_is_when_it_already_shows_the_address(app) -> None:
    from dash import no_update

    shown = {"path": "/priorities", "args": {"round": "R1"}}
    assert render(app, page("priorities"), shown=shown, round="R1") is no_update
    assert render(app, page("priorities"), shown=shown, round="R3") is not no_update
    other = {"path": "/projects", "args": {"round": "R1"}}
    assert render(app, page("priorities"), shown=other, round="R1") is not no_update


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
    who = {o["value"]: o["label"] for o in controls["f-who"].options}
    assert who["ms_course=progressive"] == "People with progressive MS"  # words, not codes
    assert len(set(who.values())) == len(who)  # one name per group of people


# --- "Compare with": one other group, or each group of a dimension (#15 item 4) ------------


def test_compare_with_one_group_writes_vs_and_draws_the_two_groups(app) -> None:
    from dash import no_update

    out = call_update_view("f-compare.value", {"who": "ms_course=progressive",
                                               "compare": "role=caregiver"},
                           search="?ms_course=progressive")  # fmt: skip
    assert out["search"] == "?vs=role%3Dcaregiver&ms_course=progressive"
    assert out["shown"]["args"] == {"ms_course": "progressive", "vs": "role=caregiver"}
    redrawn = {k for k, v in out["sections"].items() if v is not no_update}
    assert "priorities-two-groups" in redrawn and "priorities" not in redrawn
    assert out["controls"]["compare"] is no_update  # already shows it
    # Each group of a dimension is still on offer in the same control.
    out = call_update_view("f-compare.value", {"round": "R3", "compare": "role"})
    assert out["search"] == "?round=R3&compare=role"


def test_the_same_group_chosen_twice_keeps_the_latest_choice(app) -> None:
    search = "?ms_course=progressive&vs=role%3Dcaregiver"
    out = call_update_view("f-who.value", {"who": "role=caregiver", "compare": "role=caregiver"},
                           search=search)  # fmt: skip
    assert out["search"] == "?role=caregiver" and out["controls"]["compare"] is None
    out = call_update_view("f-compare.value", {"who": "role=caregiver",
                                               "compare": "role=caregiver"})  # fmt: skip
    assert out["search"] == "?vs=role%3Dcaregiver" and out["controls"]["who"] is None


@pytest.mark.parametrize("value", ["all", "role=<script>", "age_band=40-49", "vs=all",
                                   "role=caregiver&x=1", "' OR 1=1 --", "ms_course="])  # fmt: skip
def test_compare_with_values_nobody_offers_change_nothing(app, value) -> None:
    from dash import no_update

    # "all" beside all voters is the same group; the rest are not on the allow-list.
    assert call_update_view("f-compare.value", {"compare": value}) is no_update


def test_a_two_groups_view_lays_out_its_dumbbell_and_its_control(app) -> None:
    tree = render(app, page("priorities"), round="R3", role="person_with_ms",
                  vs="role=caregiver")  # fmt: skip
    found = ids(tree)
    assert "two-groups-graph" in found and "priorities-graph" in found
    assert len(found) == len(set(found))
    control = _dropdowns(tree)["f-compare"]
    assert control.value == "role=caregiver"
    labels = {o["value"]: o["label"] for o in control.options}
    assert labels["all"] == "All voters" and labels["role=caregiver"] == "Caregivers"
    assert labels["ms_course=progressive"] == "People with progressive MS"
    assert labels["voter_group"] == "Each voter group"  # the comparison by dimension stays
    summary = next(n for n in components(tree) if getattr(n, "id", None) == "two-groups-summary")
    assert summary.children.startswith("People with MS and caregivers differ on 2 of 2")


def test_a_bad_vs_link_gets_a_message(app) -> None:
    assert "view-error" in ids(render(app, page("priorities"), vs="role=<script>"))


def test_a_dot_of_the_two_groups_opens_its_question(app) -> None:
    click = {"points": [{"x": 4.0, "y": 30.0, "customdata": "Q2"}]}
    out = call_update_view("two-groups-graph.clickData", {"round": "R3", "compare": "all",
                                                          "who": "role=caregiver"},
                           {"two-groups-graph": click},
                           search="?round=R3&role=caregiver&vs=all")  # fmt: skip
    assert "question=Q2" in out["search"] and out["open"] is True


def test_a_forged_control_value_that_is_not_text_changes_nothing(app) -> None:
    priorities = page("priorities")
    for forged in (["role"], {"a": 1}, 3):
        assert priorities.next_view("?round=R1", {"compare": forged}, "compare", {}, False) is None
        assert priorities.next_view("?round=R1", {"round": forged}, "round", {}, False) is None


def test_the_overview_sends_its_step_lists_as_data_drawn_when_opened(app) -> None:
    """The step lists' links (hundreds on a real network) are not components at load:
    each step's <ul> is empty, its links are data beside it, its summary opens it."""
    from dash import dcc, html

    tree = render(app, page("overview"))
    steps = [n for n in components(tree) if isinstance(n, html.Details)
             and "-step-" in str(getattr(n, "id", ""))]  # fmt: skip
    assert len(steps) == 5, [s.id for s in steps]
    for details in steps:
        assert not any(isinstance(n, dcc.Link) for n in components(details)), details.id
    studied = next(s for s in steps if s.id.endswith("-step-in_study"))
    summary, links, data = studied.children
    assert summary.id == {"type": "lazy-links-open", "dom": studied.id}
    assert links.id == {"type": "lazy-links", "dom": studied.id} and not links.children
    assert data.id == {"type": "lazy-links-data", "dom": studied.id}
    [item] = data.data  # fixture: one question studied, Q1, taken up by P1
    assert item[0]["href"] == "/priorities?question=Q1"
    assert item[1:] == [" · ", {"text": "its study", "href": "/projects?project=P1"}]
