"""Overview: headline numbers and the latest round's top priorities."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.charts import make_priorities_figure
from dashboard.figures.summaries import priorities_summary
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, engine, run

dash.register_page(__name__, path="/", name="Overview", title="Overview · Community insights")


def _headline(label: str, value: object, dom_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(dbc.CardBody([html.Div(label, className="small text-body-secondary"),
                               html.Div(str(value), className="fs-3 fw-bold", id=dom_id)])),
        md=3, sm=6, className="mb-3",
    )  # fmt: skip


def _latest(result: ChartResult | object, role: str, field: str) -> str:
    if not isinstance(result, ChartResult):
        return "—"
    rows = [r for r in result.rows if r.get("role") == role]
    if not rows:
        return "—"
    value = rows[-1].get(field)
    return f"<{result.k}" if value is None else f"{value:,}"


def layout(**_: object) -> html.Div:
    """Headline counts (all passed through disclosure control) and top priorities."""
    members = run("members", {})
    active = run("active-members", {})
    projects = run("projects", {})
    prio = run("priorities", {})
    open_projects = (
        sum(1 for r in projects.rows if r["status"] == "open_for_participation")
        if isinstance(projects, ChartResult)
        else "—"
    )
    voters = prio.rows[0]["voters"] if isinstance(prio, ChartResult) and prio.rows else "—"
    cards = dbc.Row(
        [
            _headline("Members", _latest(members, "all", "members"), "headline-members"),
            _headline("Active last month", _latest(active, "all", "active"), "headline-active"),
            _headline("Voters in the latest round", voters, "headline-voters"),
            _headline("Projects open for participation", open_projects, "headline-projects"),
        ]
    )
    body = [html.H1("Our questions, our research", className="h3"), cards]
    if isinstance(prio, ChartResult):
        top = ChartResult(**{**prio.__dict__, "rows": [r for r in prio.rows if r.get("rank")][:10]})
        fig = make_priorities_figure(top.rows, prio.method, prio.title, prio.k)
        body.append(chart_card(top, fig, priorities_summary(prio), "overview-priorities",
                               ["rank", "question_id", "title", "voters"]))  # fmt: skip
    else:
        body.append(prio)
    body.append(html.P(f"Build {engine().warehouse.snapshot().build_id}", className="small"))
    return html.Div(body)
