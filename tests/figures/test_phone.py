"""Charts at a phone's width (320-390 px): question text wrapped to fit, no title over the
card's heading, legend entries on lines that fit, the head shortened by the title's room."""

from __future__ import annotations

import html

import pytest

from dashboard.figures import chart_figures
from dashboard.figures.charts import make_priorities_figure
from dashboard.figures.theme import PHONE_WHO_CHARS, break_lines, narrow
from tests.figures.test_question_charts import LONG, ROWS


def _label_lines(fig) -> list[str]:
    labels = next(t for t in fig.data if t.mode == "text" and t.hoverinfo == "skip")
    return [html.unescape(line) for text in labels.text for line in text.split("<br>")]


def test_a_phone_wraps_question_text_to_its_width_and_keeps_every_word() -> None:
    page = make_priorities_figure(ROWS, "share", "t", chart_figures.WRAP["page"], True)
    phone = make_priorities_figure(ROWS, "share", "t", chart_figures.WRAP["phone"], True)
    assert max(map(len, _label_lines(page))) > 40  # the page's lines do not fit a phone
    assert max(map(len, _label_lines(phone))) <= chart_figures.WRAP["phone"] <= 32
    assert " ".join(_label_lines(phone)).count(LONG.split()[-1]) == 1
    assert phone.layout.height > page.layout.height  # more lines, each its own row


def test_narrow_keeps_who_and_how_many_breaks_the_legend_and_lifts_it() -> None:
    title = "Research priorities of everyone: 2026 priorities: rate again · 1,234 voters"
    fig = make_priorities_figure(ROWS, "share", title, 30, True)
    height, top = fig.layout.height, fig.layout.margin.t
    legend_top = (1 - fig.layout.legend.y) * height
    narrow(fig)
    who = fig.layout.title.text
    assert "Research priorities of everyone" not in who  # the card's heading says it
    assert who.replace("<br>", " ") == "2026 priorities: rate again · 1,234 voters"
    assert all(len(line) <= PHONE_WHO_CHARS for line in who.split("<br>"))
    assert not fig.layout.title.subtitle.text
    names = [t.name for t in fig.data if t.name]
    assert all(len(line) <= 30 for n in names for line in n.split("<br>"))
    assert any("<br>" in n for n in names)  # "Tied for first (95% intervals ...)" broke
    lines = who.count("<br>") + 1
    new_top = (1 - fig.layout.legend.y) * fig.layout.height
    assert new_top == pytest.approx(8 + lines * 18 + 8)  # under the who line, not on it
    saved = legend_top - new_top
    assert saved > 0 and fig.layout.height == pytest.approx(height - saved)
    assert fig.layout.margin.t == pytest.approx(top - saved)  # the plot keeps its height


def test_narrow_leaves_a_chart_with_its_legend_on_the_plot_its_height() -> None:
    fig = chart_figures.make_line_figure(
        [{"m": 1, "v": 20, "g": "people with MS"}, {"m": 2, "v": 30, "g": "people with MS"}],
        "m", "v", "g", "Members over time, by role", "Members")  # fmt: skip
    height = fig.layout.height
    narrow(fig)
    assert fig.layout.height == height and not fig.layout.title.text


def test_breaking_lines_never_splits_an_escaped_character() -> None:
    assert break_lines("Tom &amp; Jerry &#34;quoted&#34; words", 9) == (
        "Tom &amp;<br>Jerry<br>&#34;quoted&#34;<br>words"
    )
