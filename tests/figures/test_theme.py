"""Text helpers for figures: member text stays literal and fits a 200%-zoom screen."""

from __future__ import annotations

from dashboard.figures.theme import split_title, wrap_label


def test_long_labels_wrap_onto_two_escaped_lines() -> None:
    label = wrap_label("Q3 · <img src=x onerror=alert(1)> and a very long question title here")
    lines = label.split("<br>")
    assert len(lines) == 2 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("Q3 · &lt;img") and lines[1].endswith("…")
    assert "<img" not in label


def test_short_labels_stay_on_one_line() -> None:
    assert wrap_label("Q1 · Fatigue") == "Q1 · Fatigue"


def test_long_titles_become_title_and_subtitle() -> None:
    assert split_title("Research priorities: 2026 priorities: rate every question") == {
        "text": "Research priorities",
        "subtitle": {"text": "2026 priorities: rate every question"},
    }
    assert split_title("Topics: questions, votes and discussion (Round 3)")["text"] == "Topics"
    assert split_title("Members by country") == {"text": "Members by country"}
