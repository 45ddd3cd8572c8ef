"""Public chart images: the layout around the chart, escaping, contrast in both themes, files."""

from __future__ import annotations

import itertools
import json
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboard.engine import Engine
from dashboard.figures.charts import GAP_PX, LINE_PX
from dashboard.figures.dark import MARK_RATIO, TEXT_RATIO, THEMES, contrast_ratio
from dashboard.public import charts as public
from dashboard.public.images import (
    HEIGHT,
    MAX_HEIGHT,
    WIDTH,
    ImageText,
    alt_text,
    image_figure,
    render_images,
)

MARKUP = ("<img", "<script")
THEME_NAMES = ("light", "dark")


def words(payload: dict) -> ImageText:
    return ImageText(
        title=payload["title"],
        subtitle="All voters · 1,234 people",
        source="Source: Test Network members' votes, anonymized. Values for fewer than 11 "
        "people are withheld.",
        as_of=f"Data as of {payload['as_of']}",
        url=f"https://example.org/embed/{payload['chart']}/",
    )


Built = list[tuple[dict, str, go.Figure]]


def build(payloads: list[dict]) -> Built:
    return [(p, theme, image_figure(p["figure"], words(p), theme))
            for p in payloads for theme in THEME_NAMES]  # fmt: skip


@pytest.fixture(scope="module")
def defaults(engine: Engine) -> dict[str, dict]:
    """Each public chart's default view."""
    return {chart: public.view(engine, chart, public.parse(chart, {})).payload()
            for chart in public.PUBLIC_FILTERS}  # fmt: skip


@pytest.fixture(scope="module")
def default_images(engine: Engine, defaults: dict[str, dict]) -> Built:
    """Each public chart's default view, and round R1's ranking (it shows the fixture's
    hostile Q3 title), as images in both themes: the fast tier."""
    r1 = public.view(engine, "priorities", public.parse("priorities", {"round": "R1"}))
    return build([*defaults.values(), r1.payload()])


@pytest.fixture(scope="module")
def every_image(engine: Engine) -> Built:
    """Every public chart under every public filter set, in both themes (about a minute)."""
    return build([public.view(engine, chart, filters).payload()
                  for chart in public.PUBLIC_FILTERS
                  for filters in public.combinations(engine, chart)])  # fmt: skip


# The checks over images run on the default views in `make check`, and on every public
# filter set in `make test`.
VIEWS = pytest.mark.parametrize(
    "views", ["default_images", pytest.param("every_image", marks=pytest.mark.slow)]
)


def texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def plot_box(fig: go.Figure) -> tuple[float, float, float, float]:
    """The plot area in pixels from the top left: left, top, width, height."""
    m = fig.layout.margin
    return m.l, m.t, fig.layout.width - m.l - m.r, fig.layout.height - m.t - m.b


@VIEWS
def test_every_public_view_gets_title_chart_source_as_of_and_url(
    views: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(views)
    assert {p["chart"] for p, _, _ in built} == set(public.PUBLIC_FILTERS)
    for payload, theme, fig in built:
        own = len(payload["figure"]["layout"].get("annotations", []))
        where = (payload["chart"], payload["filters"], theme)
        assert fig.layout.width == WIDTH and HEIGHT <= fig.layout.height <= MAX_HEIGHT, where
        assert fig.layout.margin.autoexpand is False, where  # text placed where measured
        assert len(fig.data) == len(payload["figure"]["data"]), where
        shown = texts(fig)
        assert len(shown) == own + 5, where  # the chart's notes kept, five lines added
        joined = " ".join(shown)
        for part in (
            "Data as of " + payload["as_of"],
            "Source: Test Network",
            f"https://example.org/embed/{payload['chart']}/",
            "1,234 people",
        ):
            assert part in joined.replace("<br>", " "), (where, part)  # fmt: skip
        assert fig.layout.title.text == "", where  # the headline replaces the embed's
        # Our words sit outside the plot area: headline above it, footer below it.
        ours = fig.layout.annotations[own:]
        assert ours[0].text.startswith("<b>") and ours[0].y > 1 and ours[1].y > 1, where
        assert all(a.y < 0 for a in ours[2:]), where


@VIEWS
def test_ranking_rows_keep_room_for_their_question_labels(
    views: str, request: pytest.FixtureRequest
) -> None:
    """The question charts' rows are pixels: each label stays clear of the row above."""
    built: Built = request.getfixturevalue(views)
    checked = 0
    for payload, theme, fig in built:
        if payload["chart"] not in ("priorities", "topics") or theme != "light":
            continue
        own = len(payload["figure"]["layout"].get("annotations", []))
        if not fig.layout.yaxis.range:  # an empty figure ("nothing to show")
            continue
        _, _, _, plot_h = plot_box(fig)
        span = fig.layout.yaxis.range[0] - fig.layout.yaxis.range[1]
        scale = plot_h / span  # px per row unit (the embed has 1)
        labels = sorted(fig.layout.annotations[:own], key=lambda a: a.y)
        for above, below in itertools.pairwise(labels):
            # A label line takes LINE_PX per 15 px of font, as the embed lays it out.
            height = (below.text.count("<br>") + 1) * below.font.size * LINE_PX / 15
            label_top = below.y * scale - height
            dot_bottom = (above.y + GAP_PX / 2 - 2) * scale + 7  # the row above's dot
            assert label_top >= dot_bottom, (payload["chart"], payload["filters"])
            checked += 1
        dots = [y for t in fig.data if t.mode == "markers" for y in t.y]
        assert all(0 < y < span for y in dots)  # inside the plot
    assert checked


def test_image_grows_for_a_long_ranking_and_stops_at_the_cap(defaults: dict) -> None:
    payload = defaults["priorities"]
    figure = json.loads(json.dumps(payload["figure"]))
    layout = figure["layout"]
    natural = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    fig = image_figure(figure, words(payload))
    _, _, _, plot_h = plot_box(fig)
    assert plot_h >= natural  # never squeezed below the embed's own rows
    # Ten times the rows: the image stops at the cap, and the text shrinks to fit.
    span = layout["yaxis"]["range"][0]
    layout["yaxis"]["range"] = [span * 10, 0]
    layout["height"] = natural * 10 + layout["margin"]["t"] + layout["margin"]["b"]
    tall = image_figure(figure, words(payload))
    assert tall.layout.height == MAX_HEIGHT
    assert tall.layout.annotations[0].font.size < fig.layout.annotations[0].font.size
    # A strict Open Graph preview: 630 high, the rows shrunk to fit, none cut off.
    strict = image_figure(figure, words(payload), max_height=HEIGHT)
    assert strict.layout.height == HEIGHT
    _, _, _, plot_h = plot_box(strict)
    zoom = strict.layout.annotations[0].font.size / 15
    assert plot_h == pytest.approx(natural * 10 * zoom) and zoom < 1


def test_hostile_words_show_literally() -> None:
    hostile = ImageText(
        title='<script>alert(1)</script> <b>bold</b> "quoted" & more',
        subtitle="<img src=x onerror=alert(2)>",
        source="<a href='javascript:alert(3)'>source</a>",
        as_of="<i>as of</i>",
        url="https://example.org/?a=<b>",
    )
    fig = image_figure({"data": [], "layout": {}}, hostile)
    blob = json.dumps(fig.to_plotly_json())
    for tag in ("<script", "<img", "<a ", "<i>", "=<b>", "<b>bold"):
        assert tag not in blob, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in blob
    assert fig.layout.annotations[0].text.startswith("<b>&lt;script&gt;")  # our own bold only


@VIEWS
def test_member_written_titles_stay_escaped_in_every_image(
    views: str, request: pytest.FixtureRequest
) -> None:
    """The fixture's Q3 title is an <img onerror> tag: escaped in the embed, so in the image."""
    built: Built = request.getfixturevalue(views)
    seen = 0
    for payload, theme, fig in built:
        blob = json.dumps(fig.to_plotly_json())
        assert not any(m in blob for m in MARKUP), (payload["chart"], payload["filters"], theme)
        seen += "&lt;img src=x" in blob
    assert seen


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFF", "#FFF") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") < 4.5  # the classic just-failing grey
    # alpha is composited over the background first
    assert contrast_ratio("rgba(0,0,0,0)", "#FFFFFF") == pytest.approx(1.0)


def colours(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every colour string in a figure's JSON, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from colours(value, (*path, key))
    elif isinstance(node, list | tuple):
        for value in node:
            yield from colours(value, path)
    elif isinstance(node, str) and path and ("color" in path[-1] or path[-1] == "colorway"):
        yield node, path


# Keys whose colour is a background or decoration, not text or a mark (WCAG 1.4.11 asks
# 3:1 of what one needs to understand the chart; gridlines are deliberately faint).
NOT_CHECKED = ("paper_bgcolor", "plot_bgcolor", "bgcolor", "gridcolor", "fillcolor",
               "bordercolor")  # fmt: skip


@VIEWS
def test_every_text_and_mark_meets_wcag_aa_in_both_themes(
    views: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(views)
    checked = {"text": 0, "mark": 0}
    for payload, theme, figure in built:
        bg = THEMES[theme].background
        fig = figure.to_plotly_json()
        assert fig["layout"]["paper_bgcolor"] == fig["layout"]["plot_bgcolor"] == bg
        for colour, path in colours(fig):
            if path[-1] in NOT_CHECKED or "hoverlabel" in path:
                continue
            text = any("font" in p for p in path)
            need = TEXT_RATIO if text else MARK_RATIO
            ratio = contrast_ratio(colour, bg)
            assert ratio >= need, (theme, payload["chart"], path, colour, round(ratio, 2))
            checked["text" if text else "mark"] += 1
    assert min(checked.values()) > len(built), checked  # several of each per image


def test_dark_theme_recolours_what_would_vanish(defaults: dict) -> None:
    """Black lines and dark grey dots become light on dark; the light image keeps them."""
    members = defaults["members"]
    blacks = [t["line"]["color"] for t in members["figure"]["data"] if t.get("line")]
    assert "#000000" in blacks  # the "all" line, drawn in the palette's black
    dark = image_figure(members["figure"], words(members), "dark")
    light = image_figure(members["figure"], words(members), "light")
    assert "#000000" in [t.line.color for t in light.data]
    assert "#000000" not in [t.line.color for t in dark.data]
    assert dark.layout.font.color == THEMES["dark"].text


def test_alt_text_is_summary_who_and_as_of(defaults: dict) -> None:
    payload = defaults["priorities"]
    text = alt_text(payload, words(payload))
    assert payload["summary"].rstrip(".") in text
    assert "All voters · 1,234 people." in text and f"Data as of {payload['as_of']}." in text
    assert "<" not in text.replace(payload["summary"], "")  # plain text, no markup added


def test_image_text_is_frozen() -> None:
    text = ImageText("t", "s", "src", "asof")
    with pytest.raises(FrozenInstanceError):
        text.title = "changed"  # type: ignore[misc]


def test_unknown_theme_and_format_are_refused(defaults: dict) -> None:
    payload = defaults["pipeline"]
    with pytest.raises(ValueError, match="theme must be one of light, dark"):
        image_figure(payload["figure"], words(payload), "sepia")
    with pytest.raises(ValueError, match="format must be one of png, svg"):
        render_images([], "pdf")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_png_of_every_public_chart_is_1200_wide_in_both_themes(defaults: dict) -> None:
    figures = [image_figure(p["figure"], words(p), theme)
               for p in defaults.values() for theme in THEME_NAMES]  # fmt: skip
    for fig, data in zip(figures, render_images(figures, "png"), strict=True):
        assert png_size(data) == (WIDTH, fig.layout.height)


@pytest.mark.slow
def test_svg_parses_and_carries_the_words(defaults: dict) -> None:
    chosen = [defaults["priorities"], defaults["pipeline"]]
    figures = [image_figure(p["figure"], words(p), "dark") for p in chosen]
    for payload, fig, data in zip(chosen, figures, render_images(figures, "svg"), strict=True):
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert (root.get("width"), root.get("height")) == (str(WIDTH), str(fig.layout.height))
        shown = " ".join(root.itertext())
        assert f"Data as of {payload['as_of']}" in shown
        assert f"https://example.org/embed/{payload['chart']}/" in shown
