"""What every chart query returns: rows that already passed disclosure control."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from dashboard.filters import Filters

# How a withheld value reads on every surface (page, hover, table, CSV, slide, embed).
# Never "<k": a value withheld so that a small group cannot be worked out by
# subtraction (complementary suppression) is often large, and showing it apart
# from a small count would tell a reader which cells are small.
WITHHELD = "withheld"
# One sentence for footnotes, legends and hovers: why a value reads WITHHELD.
WITHHELD_NOTE = (
    "Withheld to protect privacy: too few people, or a value that would let a small group "
    "be worked out."
)
# What a chart says when the group asked for cannot be shown. An empty group (no one
# voted) reads exactly the same as a small one: telling them apart is attacker knowledge.
WITHHELD_GROUP = (
    "Withheld to protect privacy: this group is too small to show, or showing it would let "
    "a smaller group be worked out."
)


def show_count(value: Any) -> str:
    """A served count with thousands separators, or WITHHELD (None is a withheld count)."""
    return WITHHELD if value is None else f"{value:,}"


@dataclass
class ChartResult:
    """Rows for one chart, plus what a reader needs to trust them.

    `count_fields` are people counts; every other withheld field is a value
    derived from one. Each row lists its withheld fields under "suppressed";
    their values are None. Wherever shown, any withheld value reads WITHHELD.
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
            "rows": [_clean_row(r) for r in self.rows],
        }


PLAIN = frozenset({str, int, bool, type(None)})


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """`_clean(row)`, faster: a copy with only NaN and non-plain values replaced (rows
    are most of a response: a comparison by country has 375 rows of 20 values)."""
    out = dict(row)
    for key, value in row.items():
        kind = type(value)
        if kind is float:
            if value != value:  # NaN
                out[key] = None
        elif kind not in PLAIN:
            out[key] = _clean(value)
    return out


def _clean(value: Any) -> Any:
    """JSON-safe: NaN becomes None, numpy scalars become Python numbers."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:  # the common cases first
        return value
    if kind is float:
        return None if math.isnan(value) else value
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


def displayed(name: str, value: Any) -> Any:
    """A value rounded as the charts show it: shares to 0.1 percentage point, scores and
    other fractions to two decimals, whole numbers and text as they are.

    The public reuse CSV uses it, so a reader's spreadsheet shows what the chart shows
    (no 16-digit tails such as 1.3877787807814457e-17).
    """
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if value != value:  # NaN
        return None
    places = 3 if ("share" in name or "support" in name) else 2
    rounded = round(value, places)
    return 0.0 if rounded == 0 else rounded


def to_csv(result: ChartResult, rounded: bool = False) -> str:
    """CSV of a result: every withheld value (count or derived) reads WITHHELD.

    `rounded`: values as displayed (see `displayed`); the default keeps them unrounded.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        withheld = set(row.get("suppressed", ()))
        cells = []
        for name in result.columns:
            if name in withheld:
                cells.append(WITHHELD)
            else:
                value = row.get(name)
                if rounded:
                    value = displayed(name, value)
                cells.append("" if value is None else safe_cell(value))
        writer.writerow(cells)
    if result.message:
        writer.writerow([safe_cell(result.message)])
    return out.getvalue()
