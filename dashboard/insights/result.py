"""What every chart query returns: rows that already passed disclosure control."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from dashboard.filters import Filters


@dataclass
class ChartResult:
    """Rows for one chart, plus what a reader needs to trust them.

    `count_fields` are people counts (shown as "<k" when withheld); every other
    withheld field is a value derived from one. Each row lists its withheld
    fields under "suppressed"; their values are None.
    """

    chart: str
    title: str
    method: str
    filters: Filters
    build_id: str
    as_of: str
    k: int
    columns: list[str]
    count_fields: frozenset[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON body of /api/v1/charts/<chart>.json (numbers unrounded)."""
        return {
            "chart": self.chart,
            "title": self.title,
            "build_id": self.build_id,
            "as_of": self.as_of,
            "filters": self.filters.describe(),
            "method": self.method,
            "k": self.k,
            "message": self.message,
            "context": _clean(self.context),
            "columns": self.columns,
            "rows": [_clean(r) for r in self.rows],
        }


def _clean(value: Any) -> Any:
    """JSON-safe: NaN becomes None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def withhold(row: dict[str, Any], names: list[str]) -> None:
    """Blank the named fields of a row and record that they were withheld."""
    listed = row.setdefault("suppressed", [])
    for name in names:
        row[name] = None
        if name not in listed:
            listed.append(name)


def new_result(chart: str, title: str, method: str, filters: Filters, snap: Any, k: int,
               columns: list[str], counts: set[str]) -> ChartResult:  # fmt: skip
    """An empty result stamped with the snapshot it was computed from."""
    return ChartResult(chart=chart, title=title, method=method, filters=filters,
                       build_id=snap.build_id, as_of=snap.as_of, k=k, columns=columns,
                       count_fields=frozenset(counts))  # fmt: skip


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
