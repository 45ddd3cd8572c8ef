"""Rendering a saved slide: its view picks a chart and a focus from the catalogue.

A slide of a view shows what the view's page shows: when the chart a focus
belongs to is not on the page for those filters (e.g. the ranking slide of a
stakeholder-balanced view), the slide shows the page's chart instead.
"""

from __future__ import annotations

from dashboard.catalogue import ChartSpec, SlideSpec, on_page
from dashboard.db import WarehouseError
from dashboard.engine import Engine
from dashboard.figures.theme import empty_figure
from dashboard.filters import FilterError
from dashboard.present.slides import SlideContent, chart_slide
from dashboard.present.store import Slide
from dashboard.present.viewurl import View, ViewError, parse_view


def slide_for(view: View) -> tuple[ChartSpec, SlideSpec]:
    """The chart and slide a view's focus shows (the page's shown chart if it is hidden)."""
    chart, chosen = view.chart, view.slide
    if chart.place == "main" and not chart.when(view.args):
        shown = next((c for c in on_page(view.path) if c.when(view.args)), None)
        if shown is not None:
            return shown, shown.slides[0]
    return chart, chosen


def render_view(engine: Engine, view: View) -> SlideContent:
    """One view's slide content."""
    chart, chosen = slide_for(view)
    if chosen.render is not None:
        return chosen.render(engine, view)
    return chart_slide(engine, view, chart)


def render_slide(engine: Engine, slide: Slide) -> SlideContent:
    """Render one saved slide; a view that no longer works says why instead of failing."""
    snap = engine.warehouse.snapshot()
    try:
        content = render_view(engine, parse_view(slide.view, slide.focus))
    except (ViewError, FilterError, WarehouseError) as exc:
        content = SlideContent(
            title=slide.title or "This view cannot be shown",
            headline=f"This view cannot be shown: {exc}",
            figure=empty_figure("This view cannot be shown on the current data."),
            error=str(exc),
        )
    if slide.title:
        content.title = slide.title
    content.as_of = content.as_of or snap.as_of
    content.build_id = content.build_id or snap.build_id
    return content


def deck_status(pinned_build: str | None, pinned_as_of: str | None, engine: Engine
                ) -> tuple[str, str | None]:  # fmt: skip
    """(what the deck follows, a warning for every slide when its pinned snapshot is gone).

    Old snapshots are not kept: a rebuild replaces the warehouse, so a deck
    pinned to an earlier build can only show the current data, and says so.
    """
    snap = engine.warehouse.snapshot()
    if not pinned_build:
        return f"Follows the latest data (now as of {snap.as_of})", None
    if pinned_build == snap.build_id:
        return f"Pinned to build {pinned_build} (data as of {pinned_as_of}), still published", None
    return (
        f"Pinned to build {pinned_build}, which is no longer published",
        f"Pinned to build {pinned_build} (data as of {pinned_as_of}), which has been replaced. "
        f"Old snapshots are not kept, so this shows build {snap.build_id} "
        f"(data as of {snap.as_of}).",
    )
