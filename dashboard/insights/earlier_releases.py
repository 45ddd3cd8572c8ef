"""What the release this one follows served: read one way by every chart that compares
with it (running totals that move only by 0 or at least k, monthly series whose withheld
months stay withheld). The build copies those results into this warehouse (release.py,
PREVIOUS_RESULTS); a first release has none."""

from __future__ import annotations

import json
from typing import Any

from dashboard.db import Warehouse


def previous_body(wh: Warehouse, chart: str, k: int) -> tuple[Any, str | None]:
    """The result the previous release published for a chart and k (decoded JSON), and
    that release's as-of date; (None, None) in a first release or when it kept none."""
    stored, _ = wh.run_named("previous_result", {"chart": chart, "k": k})
    if stored.empty:
        return None, None
    as_of = stored["previous_as_of"].iloc[0] if "previous_as_of" in stored else None
    return json.loads(str(stored["body"].iloc[0])), None if as_of is None else str(as_of)[:10]


def previous_counts(wh: Warehouse, chart: str, k: int) -> dict[str, int]:
    """A previous result that is a plain "key" -> count map (what it last served per
    count), empty in a first release."""
    body, _ = previous_body(wh, chart, k)
    return {key: int(v) for key, v in (body or {}).items()}


def previous_withheld(wh: Warehouse, chart: str, k: int, keys: tuple[str, ...],
                      field: str) -> set[tuple[str, ...]]:  # fmt: skip
    """(month, *keys) of the rows whose `field` the previous release of `chart` withheld
    (empty in a first release): monthly series keep those months withheld."""
    body, _ = previous_body(wh, chart, k)
    out = set()
    for row in (body or {}).get("rows", []):
        month = row.get("month")
        month = month.get("$date") if isinstance(month, dict) else month
        if month is not None and field in (row.get("suppressed") or ()):
            out.add((str(month)[:10], *(str(row.get(key)) for key in keys)))
    return out
