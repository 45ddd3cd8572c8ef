"""Question charts read at a glance: full text above each dot, the natural axis, one colour."""

from __future__ import annotations

import pytest

from dashboard.figures.charts import make_group_figure, make_priorities_figure, make_topic_figure
from dashboard.figures.summaries import priorities as say_priorities
from dashboard.filters import Filters
from dashboard.insights.result import WITHHELD, ChartResult

LONG = ("Could remyelinating drugs repair myelin damage in people over 55 who have lived with "
        "progressive MS for more than twenty years, and how would we measure it?")  # fmt: skip


def _row(qid: str, title: str, share: float | None, tier: int | None, rank: int | None) -> dict:
    row = {"question_id": qid, "title": title, "share": share, "tier": tier, "rank": rank,
           "rank_best": rank, "rank_worst": rank, "ci_low": None, "ci_high": None}  # fmt: skip
    if share is not None:
        row.update(ci_low=share - 0.05, ci_high=share + 0.05)
    else:
        row["suppressed"] = ["share", "ci_low", "ci_high"]
    return row


ROWS = [_row("Q1", LONG, 0.62, 1, 1), _row("Q2", "<b>Bold</b> & brave?", 0.58, 1, 2),
        _row("Q3", "Short one", 0.20, 2, 3), _row("Q4", "Hidden", None, None, None)]  # fmt: skip


def _texts(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations).replace("<br>", " ")


def test_every_question_is_written_out_in_full_above_its_dot() -> None:
    fig = make_priorities_figure(ROWS, "share", "Research priorities: R1", wrap=40)
    text = _texts(fig)
    assert LONG in text, "never cut mid-word, however long"
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; brave?" in text  # member text stays text
    hovers = [h for t in fig.data for h in (t.hovertext or ())]
    assert "Q1" not in text and not any("Q1" in h for h in hovers)  # public: no codes
    assert any(h.startswith("&lt;b&gt;Bold") for h in hovers)  # the hover names the question
    ys = [a.y for a in fig.layout.annotations]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one row each, in rank order


def test_the_explorer_hover_gives_the_q_code_after_the_question() -> None:
    fig = make_priorities_figure(ROWS, "share", "t", codes=True)
    hovers = {t.customdata[i]: t.hovertext[i] for t in fig.data if t.hovertext
              for i in range(len(t.hovertext))}  # fmt: skip
    assert hovers["Q2"].startswith("&lt;b&gt;Bold&lt;/b&gt; &amp; brave?<br>Q2<br>")
    assert hovers["Q4"].startswith("Hidden<br>Q4<br>")  # withheld: named, coded, no value


def test_shares_sit_on_a_0_to_100_percent_axis_and_ratings_on_1_to_5() -> None:
    fig = make_priorities_figure(ROWS, "share", "t")
    assert list(fig.layout.xaxis.range) == [0.0, 1.0] and fig.layout.xaxis.tickformat == ".0%"
    rated = [{**r, "mean_rating": 4.2, "mean_low": 4.0, "mean_high": 4.4} for r in ROWS[:2]]
    fig = make_priorities_figure(rated, "mean", "t")
    assert list(fig.layout.xaxis.range) == [1.0, 5.0]


def test_one_colour_marks_the_questions_tied_for_first_and_a_shape_says_it_too() -> None:
    fig = make_priorities_figure(ROWS, "share", "t")
    traces = {t.name: t for t in fig.data}
    first = next(t for name, t in traces.items() if name.startswith("Tied for first"))
    others = traces["Other questions"]
    assert list(first.customdata) == ["Q1", "Q2"] and list(others.customdata) == ["Q3"]
    assert first.marker.symbol != others.marker.symbol
    assert first.marker.color != others.marker.color
    assert list(traces[WITHHELD].text) == [WITHHELD]  # never a zero


def test_the_summary_never_calls_a_question_first_over_withheld_ones() -> None:
    result = ChartResult("priorities", "t", "share", Filters(role="caregiver"), "b", "2026",
                         11, [], frozenset(), rows=ROWS)  # fmt: skip
    said = say_priorities(result)
    assert said.startswith("Among caregivers, “Could remyelinating drugs")
    assert "comes first among the questions that can be shown" in said
    assert "1 more is statistically tied" in said and "1 of 4 questions are withheld" in said
    assert "Q1" not in said and "tier" not in said


def _group(qid: str, group: str, share: float | None, diff: float | None, sig: bool) -> dict:
    return {"question_id": qid, "title": f"Question {qid}", "group": group, "share": share,
           "ci_low": None if share is None else share - 0.05,
           "ci_high": None if share is None else share + 0.05, "reference": "caregiver",
           "difference": diff, "difference_low": None if diff is None else diff - 0.1,
           "difference_high": None if diff is None else diff + 0.1, "significant": sig}  # fmt: skip


def test_a_comparison_puts_the_largest_difference_first_and_names_withheld_groups() -> None:
    rows = [_group("Q1", "caregiver", 0.3, None, False), _group("Q1", "other", 0.35, 0.05, False),
            _group("Q2", "caregiver", 0.2, None, False), _group("Q2", "other", 0.6, 0.4, True),
            _group("Q3", "caregiver", 0.5, None, False), _group("Q3", "other", None, None, False)]  # fmt: skip
    fig = make_group_figure(rows, "t", group_label=str.capitalize)
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0] == "Question Q2" and texts[1] == "Question Q1"
    assert texts[2] == f"Question Q3 ({WITHHELD}: Other)"
    reference, other = fig.data
    assert reference.name == "Caregiver (reference)" and reference.marker.symbol == "circle-open"
    assert list(other.text) == ["*", ""]  # Q2's difference holds after correction


def test_topics_read_strongest_first_on_a_0_to_100_percent_axis_withheld_last() -> None:
    def topic(name: str, support: float | None, n: int) -> dict:
        spread = {} if support is None else {"support_low": support - 0.1,
                                              "support_high": support + 0.1}  # fmt: skip
        return {"topic": name, "support": support, "questions": n, "base": 400, **spread}

    rows = [topic("Diet", 0.3, 9), topic("Fatigue", 0.7, 1), topic("Work", None, 2),
            topic("Care", 0.5, 4)]  # fmt: skip
    fig = make_topic_figure(rows, "Support by topic")
    dots = next(t for t in fig.data if t.mode == "markers")
    assert list(dots.customdata) == ["Fatigue", "Care", "Diet"]  # by support, not by size
    assert list(dots.y) == sorted(dots.y) and dots.orientation in (None, "h")
    assert list(dots.error_x.array) == pytest.approx([0.1] * 3)  # each with its interval
    assert list(fig.layout.xaxis.range) == [0, 1] and fig.layout.xaxis.tickformat == ".0%"
    gone = next(t for t in fig.data if t.mode == "text")
    assert list(gone.customdata) == ["Work"] and min(gone.y) > max(dots.y)  # withheld, last
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "Fatigue (1 question)" in texts and "Diet (9 questions)" in texts
