"""The data API: the same protected rows the charts show, as JSON and CSV.

GET /api/v1/charts                       the catalogue
GET /api/v1/charts/<chart_id>.json?...   rows, build id, as-of, filters, method
GET /api/v1/charts/<chart_id>.csv?...    the same rows; withheld counts as "<k"
GET /healthz                             status, build id, as-of
"""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from dashboard.db import QueryTimeout, WarehouseError
from dashboard.filters import FilterError
from dashboard.insights.charts import Engine, UnknownChart, catalogue
from dashboard.insights.result import ChartResult

log = logging.getLogger(__name__)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(result: ChartResult) -> str:
    """CSV of a result: withheld counts read "<k", withheld derived values "suppressed"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        withheld = set(row.get("suppressed", ()))
        cells = []
        for name in result.columns:
            if name in withheld:
                cells.append(f"<{result.k}" if name in result.count_fields else "suppressed")
            else:
                value = row.get(name)
                cells.append("" if value is None else safe_cell(value))
        writer.writerow(cells)
    if result.message:
        writer.writerow([safe_cell(result.message)])
    return out.getvalue()


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


def make_api(engine: Engine) -> Blueprint:
    """The API routes, bound to one engine."""
    api = Blueprint("api", __name__)

    @api.get("/api/v1/charts")
    def charts() -> Response:
        return jsonify({"charts": catalogue(), "k": engine.k})

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
