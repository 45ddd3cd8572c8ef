"""Exported slides: the words never overprint the chart, and long tables become pages.

Plain functions over the laid-out figures (no browser): the rendered check, with
kaleido, is in test_export.py.
"""

from __future__ import annotations

import csv
import io
from itertools import pairwise, product
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from dash import Dash
from pypdf import PdfReader, PdfWriter

from dashboard.figures.tables import table_figure, table_pages
from dashboard.figures.textwidth import plain, text_px, wrap_px
from dashboard.figures.theme import empty_figure
from dashboard.insights.result import WITHHELD
from dashboard.present import export, routes
from dashboard.present.export import (
    HEIGHT,
    MIN_PLOT,
    TEXT_W,
    Frame,
    export_pages,
    slide_layout,
)
from dashboard.present.slides import SlideContent
from dashboard.present.store import DeckStore, make_slide
from dashboard.warehouse.synth.vocabulary import SPECIAL_TITLES, TEMPLATES

FIXTURE_QUESTIONS = Path(__file__).parents[1] / "fixtures" / "export" / "questions.csv"
FRAME = Frame("State of the network", 4, 8, "Fixture Network")
STALE = Frame("Old deck", 2, 3, "Fixture Network", stale="Pinned to build 19990101-gone (data as "
              "of 1999-01-01), which has been replaced. Old snapshots are not kept, so this "
              "shows build 20261101-abc (data as of 2026-11-01).",
              note="Say that the change is within the interval, " * 6)  # fmt: skip
LONG = ("Why do some people with progressive MS lose walking ability quickly while others "
        "stay stable for decades, and could a blood test of neurofilament light tell the two "
        "apart early enough to choose a treatment? Asked by people with MS, caregivers and "
        "clinicians in every round since 2023, with 1,234 voters in the last one.")  # fmt: skip


def longest_questions() -> list[str]:
    """The longest question texts of the demo network's vocabulary and of the fixture."""
    demo = [t.format(*c) for topic in TEMPLATES for t, slots in topic for c in product(*slots)]
    demo += [title for _, title in SPECIAL_TITLES]
    with FIXTURE_QUESTIONS.open(newline="") as f:
        fixture = [row["title"] for row in csv.DictReader(f)]
    return sorted(demo, key=len)[-3:] + sorted(fixture, key=len)[-1:]


def chart(subtitle: str = "Round 3: rate · 1,234 voters") -> go.Figure:
    fig = go.Figure([go.Scatter(x=[1, 2], y=["a", "b"], name="Tied for first"),
                     go.Scatter(x=[3], y=["c"], name="Other questions")])  # fmt: skip
    fig.update_layout(title={"text": "Research priorities of people with progressive MS",
                             "subtitle": {"text": subtitle}})  # fmt: skip
    fig.update_xaxes(title="Mean rating (1-5)", side="top")
    return fig


def slide(title: str, headline: str, footnote: str = "Whiskers are 95% intervals.") -> SlideContent:
    return SlideContent(title, headline, chart(), footnote, "2026-11-01", "20261101-abc")


def check_words_clear_of_plot(fig: go.Figure) -> None:
    """Every block of words sits in a margin, inside the page, and none overlaps another."""
    height = fig.layout.height
    top, bottom = fig.layout.margin.t, height - fig.layout.margin.b
    plot_h = height - fig.layout.margin.t - fig.layout.margin.b
    boxes = []
    for a in fig.layout.annotations:
        if not (a.name or "").startswith("slide-"):
            continue
        lines = a.text.split("<br>")
        y0 = top - (a.y - 1) * plot_h  # px from the page's top
        y1 = y0 + len(lines) * 1.3 * a.font.size
        for line in lines:
            assert text_px(plain(line), a.font.size, "<b>" in line) <= TEXT_W, line
        if y0 < top:
            assert y1 <= top, (a.name, y1, top)
        else:
            assert y0 >= bottom and y1 <= height, (a.name, y0, bottom)
        boxes.append((y0, y1, a.name))
    boxes.sort()
    for (_, end, name), (start, _, after) in pairwise(boxes):
        assert end <= start + 0.5, (name, after)
    assert fig.layout.margin.autoexpand is False
    assert not fig.layout.title.text  # the title is a wrapped annotation, not plotly's


def test_wrapping_keeps_every_word_within_the_width() -> None:
    for text in [LONG, "x" * 400, *longest_questions()]:
        for size, bold in ((50, True), (30, False), (18, False)):
            lines = wrap_px(text, TEXT_W, size, bold)
            assert all(text_px(line, size, bold) <= TEXT_W for line in lines)
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap_px("", TEXT_W, 30) == []


@pytest.mark.parametrize("question", longest_questions())
def test_real_question_texts_wrap_above_the_chart(question: str) -> None:
    title = f"Research priorities of people with progressive MS: {question}"
    headline = f"Top: {question} Statistically tied with it: {question}"
    (fig,) = export_pages(slide(title, headline), FRAME)
    check_words_clear_of_plot(fig)
    layout = slide_layout(slide(title, headline), FRAME)
    words = {w.name: w for w in layout.words}
    # nothing is cut at the normal size: the title's lines are the whole title
    assert words["title"].size == 50
    assert len(words["title"].lines) == len(wrap_px(title, TEXT_W, 50, True)) >= 2
    assert plain(" ".join(words["headline"].lines)) == " ".join(headline.split())
    assert fig.layout.margin.t == layout.top
    assert layout.top >= words["headline"].y + words["headline"].height
    assert layout.plot_height >= MIN_PLOT
    # the who line comes from the chart's title and subtitle, not dropped
    assert plain(" ".join(words["subtitle"].lines)).endswith("Round 3: rate · 1,234 voters")


def test_more_lines_move_the_chart_down() -> None:
    short = slide_layout(slide("Our priorities", "Q1 leads."), FRAME)
    long = slide_layout(slide("Our priorities", LONG), FRAME)
    assert long.top > short.top
    lines = {w.name: len(w.lines) for w in long.words}
    assert lines["headline"] == len(wrap_px(LONG, TEXT_W, 30)) == 3
    assert long.top - short.top >= 2 * 1.3 * 30  # two more lines of headline


def test_a_300_character_headline_never_overprints() -> None:
    headline = (LONG * 2)[:300]
    assert len(headline) == 300
    for frame in (FRAME, STALE):
        for handout in (False, True):
            content = slide("Research priorities of caregivers: Round 2 (rank two)", headline,
                            footnote=LONG)  # fmt: skip
            (fig,) = export_pages(content, frame, handout=handout)
            check_words_clear_of_plot(fig)
            assert fig.layout.height == HEIGHT + (export.NOTE_HEIGHT if handout else 0)
            assert slide_layout(content, frame, handout).plot_height >= MIN_PLOT


def test_300_character_title_and_headline_shrink_and_keep_the_chart() -> None:
    content = slide((LONG * 2)[:300], (LONG * 2)[:300], footnote=LONG)
    layout = slide_layout(content, STALE, handout=True)
    assert layout.plot_height >= MIN_PLOT
    (fig,) = export_pages(content, STALE, handout=True)
    check_words_clear_of_plot(fig)


def table_slide(n: int, withheld: bool = False) -> SlideContent:
    titles = [
        f"Study {i}: " + "what helps fatigue at work and at home " * (i % 4) for i in range(n)
    ]
    members = [WITHHELD if withheld and i % 5 == 0 else f"{10 + i:,}" for i in range(n)]
    fig = table_figure(["Project", "Status", "Members", "Results"],
                       [titles, ["Results available"] * n, members,
                        [f"https://example.org/r/{i}" for i in range(n)]], "None yet.")  # fmt: skip
    return SlideContent("Results delivered", f"{n} studies have shared results.", fig,
                        "Projects are not people: these counts are exact.", "2026-11-01", "b1")  # fmt: skip


def cells(page: go.Figure) -> list[list[str]]:
    return [[plain(v.replace("<br>", " ")) for v in col] for col in page.data[0].cells.values]


def test_a_long_table_becomes_pages_with_every_row_once() -> None:
    content = table_slide(60, withheld=True)
    pages = export_pages(content, FRAME)
    assert len(pages) >= 3
    n = len(pages)
    rows = [row for page in pages for row in zip(*cells(page), strict=True)]
    original = list(zip(*(list(c) for c in content.figure.data[0].cells.values), strict=True))
    assert [r[0] for r in rows] == [" ".join(plain(v).split()) for v, *_ in original]
    assert len(rows) == 60 and len(set(rows)) == 60  # every row exactly once, in order
    assert sum(1 for r in rows if r[2] == WITHHELD) == 12  # withheld stays withheld
    headers = {tuple(plain(h.replace("<br>", " ")) for h in p.data[0].header.values)
               for p in pages}  # fmt: skip
    assert headers == {("Project", "Status", "Members", "Results")}
    for i, page in enumerate(pages, 1):
        title = next(a for a in page.layout.annotations if a.name == "slide-title")
        assert plain(title.text).endswith(f"({i} of {n})")
        check_words_clear_of_plot(page)
        assert page.layout.margin.t == pages[0].layout.margin.t  # the table starts level


def test_pages_hold_whole_rows_that_fit_and_are_full() -> None:
    fig = table_slide(80).figure
    width, height = 1800, 640
    pages = table_pages(fig, width, height)
    size = fig.data[0].cells.font.size

    def row_heights(page: go.Figure) -> list[float]:
        return [max(44, max(v.count("<br>") + 1 for v in row) * 1.3 * size + 12.4)
                for row in zip(*page.data[0].cells.values, strict=True)]  # fmt: skip

    head = pages[0].data[0].header.height
    for page, after in pairwise(pages):
        used = sum(row_heights(page))
        assert head + used <= height
        assert head + used + row_heights(after)[0] > height - 2  # the next row would not fit
    assert head + sum(row_heights(pages[-1])) <= height
    widths = pages[0].data[0].columnwidth
    assert abs(sum(widths) - width) < 1
    for page in pages:
        for col, w in zip(page.data[0].cells.values, widths, strict=True):
            for value in col:
                for line in value.split("<br>"):
                    assert text_px(plain(line), size) <= w - 32


def test_a_table_that_fits_and_other_charts_stay_one_page() -> None:
    (page,) = export_pages(table_slide(5), FRAME)
    title = next(a for a in page.layout.annotations if a.name == "slide-title")
    assert plain(title.text) == "Results delivered"
    assert len(page.data[0].cells.values[0]) == 5
    empty = SlideContent("Results delivered", "No study yet.", empty_figure("No study yet."))
    assert len(export_pages(empty, FRAME)) == 1
    assert len(table_pages(chart(), 1000, 500)) == 1


@pytest.fixture
def long_table_deck(monkeypatch: pytest.MonkeyPatch, store: DeckStore) -> tuple[int, int]:
    """A deck whose second slide is a 60-row table; kaleido replaced by blank pages."""
    store.add_slide("Long", make_slide("/projects"))
    store.add_slide("Long", make_slide("/projects", note="All of them"))
    real = routes.render_slide
    calls = {"n": 0}

    def render_slide(engine, s):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return table_slide(60) if s.note else real(engine, s)

    def render(figures: list[go.Figure], fmt: str) -> list[bytes]:
        out = []
        for fig in figures:
            writer = PdfWriter()
            writer.add_blank_page(width=fig.layout.width, height=fig.layout.height)
            buf = io.BytesIO()
            writer.write(buf)
            out.append(buf.getvalue() if fmt == "pdf" else f"{fmt}:{id(fig)}".encode())
        return out

    monkeypatch.setattr(routes, "render_slide", render_slide)
    monkeypatch.setattr(routes, "render", render)
    routes._FIGURES.clear()
    frame = Frame("Long", 2, 2, "Fixture Network", note="All of them")
    return (len(export_pages(table_slide(60), frame)),
            len(export_pages(table_slide(60), frame, handout=True)))  # fmt: skip


def test_every_page_of_a_long_table_is_exported(present_app: Dash,
                                                long_table_deck: tuple[int, int]) -> None:  # fmt: skip
    n, in_handout = long_table_deck
    client = present_app.server.test_client()
    one = client.get("/present/long/slide/1.png")
    assert one.status_code == 200 and one.headers["X-Slide-Pages"] == "1"
    first = client.get("/present/long/slide/2.png")
    assert first.status_code == 200 and first.headers["X-Slide-Pages"] == str(n)
    for p in range(1, n + 1):
        resp = client.get(f"/present/long/slide/2-{p}.svg")
        assert resp.status_code == 200
        assert f'filename="long-2-{p}.svg"' in resp.headers["Content-Disposition"]
    assert client.get(f"/present/long/slide/2-{n + 1}.png").status_code == 404
    assert client.get("/present/long/slide/1-2.png").status_code == 404
    pdf = client.get("/present/long.pdf")
    assert pdf.status_code == 200
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1 + in_handout


def _sections(tree: Any) -> list[Any]:
    """The deck's screens (`.present-slide` sections), in order."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list | tuple):
            stack[:0] = list(node)
            continue
        if "present-slide" in str(getattr(node, "className", "")).split():
            found.append(node)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return found


def test_a_long_table_is_shown_on_screen_as_pages_of_whole_rows(
    present_app: Dash, store: DeckStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On screen as in the exports: a table too long for the slide is several screens,
    "(p of P)" in the title, every row once, the counter and ?slide=N counting screens."""
    import importlib

    present = importlib.import_module("dashboard.pages.present")  # registered by the app
    store.add_slide("Long", make_slide("/projects"))
    store.add_slide("Long", make_slide("/projects", note="All of them"))
    store.add_slide("Long", make_slide("/projects"))
    real = present.render_slide
    monkeypatch.setattr(present, "render_slide",
                        lambda eng, s: table_slide(60) if s.note else real(eng, s))  # fmt: skip
    with present_app.server.test_request_context("/present/long"):
        tree = present.deck_layout(deck="long", slide="2")
    screens = _sections(tree)
    pages = len(screens) - 2
    assert pages >= 2, "60 rows do not fit one screen"
    titles = [s.children[0].children for s in screens]
    assert titles[1] == f"Results delivered (1 of {pages})"
    assert titles[pages] == f"Results delivered ({pages} of {pages})"
    shown = [row for s in screens[1:-1] for row in zip(*cells(s.children[2].children.figure),
                                                           strict=True)]  # fmt: skip
    original = list(zip(*(list(c) for c in table_slide(60).figure.data[0].cells.values),
                        strict=True))  # fmt: skip

    def words(text: object) -> str:
        return " ".join(plain(str(text)).split())

    assert [words(r[0]) for r in shown] == [words(r[0]) for r in original]  # each row once
    current = [s for s in screens if "current" in s.className]
    assert [s.id for s in current] == ["present-slide-2-1"]  # ?slide=2 opens its first page
    text = repr(tree.to_plotly_json())
    assert f"'2 / {len(screens)}'" in text and f"'data-count': '{len(screens)}'" in text
    assert "/present/long/slide/2-2.png" in text  # each page exports itself
