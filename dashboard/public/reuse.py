"""The reuse package of a public chart: rounded CSV, unrounded JSON, metadata, one zip.

What a journalist, a partner or a student needs to reuse a chart correctly: the numbers
as shown, where they come from, what was withheld and why, the licence and how to cite.
Built from the same payload the embed renders, so an archived release's package is made
from its archived files alone (see releases.py), never recomputed from new data.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from dashboard.catalogue import CATALOGUE
from dashboard.notes import WITHHELD_RULE, first_sentence

# Zip entries get one fixed timestamp: the same release gives the same bytes (and ETag).
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
ROUNDING = (
    "Shares are rounded to 0.001 (0.1 percentage point), other fractions to two decimals, "
    "as the chart shows them; data.json has them unrounded."
)


def metadata(payload: dict[str, Any]) -> dict[str, Any]:
    """metadata.json: everything needed to reuse and cite one chart in one filter set."""
    chart = CATALOGUE[payload["chart"]]
    k = payload["k"]
    return {
        "title": payload["title"],
        "chart": payload["chart"],
        "filters": payload["filters"],
        "filters_in_words": payload.get("about", ""),
        "summary": payload["summary"],
        "as_of": payload["as_of"],
        "build_id": payload["build_id"],
        "method": first_sentence(chart.note.format(k=k)),
        "withheld_rule": WITHHELD_RULE.format(k=k),
        "k": k,
        "license": payload.get("license", ""),
        "citation": payload.get("citation", ""),
        "source": f"{payload.get('network', '')} member platform export, anonymized",
        "network": payload.get("network", ""),
        "network_url": payload.get("network_url", ""),
        "url": payload.get("archive_url", ""),
        "columns": payload["columns"],
        "rounding": ROUNDING,
    }


def readme(meta: dict[str, Any]) -> str:
    """README.txt of the zip: a person's guide to the three files."""
    lines = [
        meta["title"],
        "=" * min(len(meta["title"]), 78),
        "",
        meta["summary"],
        "",
        f"Data as of {meta['as_of']} (build {meta['build_id']}).",
        f"Filters: {meta['filters_in_words'] or 'none (everyone)'}.",
        "",
        "Files:",
        "  data.csv       the numbers as the chart shows them (rounded; see below)",
        "  data.json      the same numbers unrounded, with the chart's title and summary",
        "  metadata.json  source, method, withheld-value rule, licence and citation",
        "",
        f"Method: {meta['method']}",
        f"Withheld values: {meta['withheld_rule']}",
        f"Rounding: {meta['rounding']}",
        f"Licence: {meta['license']}.",
        f"Cite as: {meta['citation']} (accessed <date>).",
        "",
    ]
    return "\n".join(lines)


def data_json(payload: dict[str, Any]) -> bytes:
    """The payload without its plotly figure: numbers unrounded, for programs."""
    body = {key: value for key, value in payload.items() if key != "figure"}
    return json.dumps(body, indent=1, ensure_ascii=False, allow_nan=False).encode()


def metadata_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(metadata(payload), indent=1, ensure_ascii=False).encode()


def package(payload: dict[str, Any], csv_text: str) -> bytes:
    """The zip: data.csv, data.json, metadata.json, README.txt, byte-identical per release."""
    meta = metadata(payload)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in (
            ("README.txt", readme(meta).encode()),
            ("data.csv", csv_text.encode()),
            ("data.json", data_json(payload)),
            ("metadata.json", metadata_json(payload)),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, body)
    return out.getvalue()
