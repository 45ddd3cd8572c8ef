"""The data API: the same protected rows the charts show, as JSON and CSV.

GET /api/v1/charts                       the catalogue
GET /api/v1/charts/<chart_id>.json?...   rows, build id, as-of, filters, method
GET /api/v1/charts/<chart_id>.csv?...    the same rows; every withheld value reads "withheld"
GET /healthz                             status, build id, as-of
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from dashboard.catalogue import CHARTS, ChartSpec, UnknownChart
from dashboard.db import QueryTimeout, WarehouseError
from dashboard.engine import Engine
from dashboard.filters import CONSENSUS_RULES, GROUP_DIMS, GROUP_VALUES, FilterError
from dashboard.insights.result import to_csv
from dashboard.insights.vote_methods import PRIORITY_METHODS
from dashboard.public.charts import embed_path

log = logging.getLogger(__name__)
HINTS = {
    "round": "a round_id (default: the latest closed round; open rounds are not published)",
    "topic": "a topic name",
    "project": "a project_id",
    "question": "a question_id",
    "from": "YYYY-MM-DD",
    "to": "YYYY-MM-DD",
    "compare": "one of " + ", ".join(GROUP_DIMS),
    "vs": "the group compared with: all, or <filter>=<value> of role, ms_type, ms_course or "
    "voter_group (e.g. role=caregiver)",
    "method": ", ".join(PRIORITY_METHODS[:-1]) + " or " + PRIORITY_METHODS[-1],
    "country": "ISO 3166-1 alpha-2 code or 'unknown'",
    "consensus_rule": " or ".join(CONSENSUS_RULES) + f" (default: {CONSENSUS_RULES[0]})",
}


def view_url(chart: ChartSpec, question: str | None) -> str:
    """A relative explorer URL that shows the chart (a real question for question charts)."""
    args = dict(chart.view_args)
    if chart.needs_question and question:
        args["question"] = question
    return chart.page + (f"?{urlencode(args)}" if args else "")


def describe(engine: Engine) -> list[dict[str, Any]]:
    """What /api/v1/charts lists: every chart, its filters, and where each surface shows it."""
    question = engine.example_question()
    listing = []
    for c in CHARTS:
        item: dict[str, Any] = {
            "id": c.id,
            "title": c.title,
            "public": c.public is not None,
            "page": c.page,
            "filters": {name: list(GROUP_VALUES[name]) if GROUP_VALUES.get(name)
                        else HINTS.get(name, "") for name in c.filters},
            "view": view_url(c, question),
            "slide": c.slides[0].focus,
            "slides": {s.focus: s.label for s in c.slides},
        }  # fmt: skip
        if c.public is not None:
            item["embed"] = embed_path(c.id)
            item["public_filters"] = list(c.public)
        listing.append(item)
    return listing


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


def make_api(engine: Engine) -> Blueprint:
    """The API routes, bound to one engine."""
    api = Blueprint("api", __name__)

    @api.get("/api/v1/charts")
    def charts() -> Response:
        return jsonify({"charts": describe(engine), "k": engine.k})

    @api.get("/api/v1/charts/<string:name>")
    def chart(name: str) -> Response:
        chart_id, dot, fmt = name.rpartition(".")
        if not dot or fmt not in ("json", "csv"):
            return _error(404, "use /api/v1/charts/<chart_id>.json or .csv")
        args = {key: request.args.getlist(key) for key in request.args}
        try:
            result = engine.run(chart_id, args)
        except UnknownChart as exc:
            return _error(404, str(exc))
        except FilterError as exc:
            return _error(400, str(exc))
        except QueryTimeout:
            return _error(503, "the query took too long; try fewer filters")
        except WarehouseError as exc:
            log.error("warehouse unavailable: %s", exc)
            return _error(503, "the data is not available right now")
        if fmt == "csv":
            response = Response(to_csv(result), mimetype="text/csv")
            response.headers["Content-Disposition"] = f'attachment; filename="{chart_id}.csv"'
            return response
        return jsonify(result.to_json())

    @api.get("/healthz")
    def healthz() -> Response:
        try:
            snap = engine.warehouse.snapshot()
        except WarehouseError as exc:
            return _error(503, str(exc))
        return jsonify({"status": "ok", "build_id": snap.build_id, "as_of": snap.as_of})

    return api
