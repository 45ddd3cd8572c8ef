"""The five steps on the fixture, counted by hand from tests/fixtures/export/questions.csv.

Q1 in_study (P1 started 2025-03-01), Q2 and Q3 shortlisted, Q4 archived, Q5 submitted.
"""

from __future__ import annotations

from dashboard.engine import Engine
from dashboard.figures import summaries


def test_questions_at_each_step_and_how_many_went_further(engine: Engine) -> None:
    result = engine.run("pipeline", {})
    got = {r["step"]: (r["questions"], r["moved_on"]) for r in result.rows}
    assert got == {
        "submitted": (1, 3),  # Q5; Q1, Q2, Q3 went further
        "in_discussion": (0, 3),
        "prioritized": (2, 1),  # Q2, Q3; Q1 went on to a study
        "in_study": (1, 0),  # Q1
        "results_shared": (0, None),
    }
    assert result.context["archived"] == 1  # Q4, counted apart
    assert list(got) == ["submitted", "in_discussion", "prioritized", "in_study",
                         "results_shared"]  # fmt: skip


def test_medians_need_three_questions_dated_at_both_steps(engine: Engine) -> None:
    # Only Q1 and Q2 have comments, and only Q1 reached a study: no median has 3 questions.
    rows = engine.run("pipeline", {}).rows
    assert all(r["median_days_to_next"] is None for r in rows)


def test_question_counts_are_not_people_and_are_never_withheld(engine: Engine) -> None:
    result = engine.run("pipeline", {})
    assert result.count_fields == frozenset()
    assert not any(r.get("suppressed") for r in result.rows)
    assert summaries.pipeline(result).startswith("4 questions: 1 asked, 0 discussed")


def test_the_demo_network_dates_its_steps(demo_warehouse) -> None:
    from dashboard.config import Settings

    engine = Engine(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=30,
                             network_name=""))  # fmt: skip
    rows = {r["step"]: r for r in engine.run("pipeline", {}).rows}
    assert rows["submitted"]["median_days_to_next"] is not None
    assert rows["prioritized"]["median_days_to_next"] > 0
    assert sum(r["questions"] for r in rows.values()) > 100


def test_each_step_links_to_its_questions_and_their_study(engine: Engine) -> None:
    steps = engine.run("pipeline", {}).context["steps"]
    ids = {step: [q["question_id"] for q in questions] for step, questions in steps.items()}
    assert ids == {"submitted": ["Q5"], "in_discussion": [], "prioritized": ["Q2", "Q3"],
                   "in_study": ["Q1"], "results_shared": []}  # fmt: skip
    assert steps["in_study"][0]["project_id"] == "P1"  # P1's origin question is Q1
    assert steps["prioritized"][0]["project_id"] is None
    assert "onerror" in steps["prioritized"][1]["title"]  # member text, as written


def test_the_overview_card_links_each_step(engine: Engine) -> None:
    from dashboard import views

    result = engine.run("pipeline", {})
    block = views.step_links(result, "pipeline")
    text = str(block)
    assert "/priorities?question=Q1" in text and "/projects?project=P1" in text
    assert "Prioritized: 2 questions" in text and "Studied: 1 question'" in text
    # a member-written title is a link's plain string child (React escapes it), not markup
    stack, titles = [block], []
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if type(node).__name__ == "Link" and isinstance(children, str):
            titles.append(children)
        elif isinstance(children, list):
            stack.extend(children)
        elif children is not None and not isinstance(children, str):
            stack.append(children)
    assert any(t.startswith("<img src=x onerror") for t in titles), titles
