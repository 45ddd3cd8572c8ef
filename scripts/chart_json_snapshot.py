"""Dump the data API's JSON (and the embeds' rows) for every chart id and many filter sets.

Used to prove a refactor changed no served number: run it before and after on
the same warehouse and diff the two files.

    python scripts/chart_json_snapshot.py WAREHOUSE OUT.json
    python scripts/chart_json_snapshot.py --compare BEFORE.json AFTER.json

Cases come from what the API itself says: every chart with no filter, then with
each of its filters set to a value that exists in the warehouse (the first and
last allowed group values, a round, a topic, a question, a project, a date).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

VOLATILE = ("build_id",)


def _values(client: Any) -> dict[str, list[str]]:
    def rows(chart: str) -> list[dict]:
        return client.get(f"/api/v1/charts/{chart}.json").get_json()["rows"]

    trail = rows("question-trail")
    rounds = [r["round_id"] for r in rows("rounds")]
    projects = [r["project_id"] for r in rows("projects")]
    topics = sorted({str(q["topic"]) for q in trail if q.get("topic")})
    questions = [q["question_id"] for q in trail]
    return {
        "round": rounds[:1] + rounds[-2:],
        "project": projects[:2],
        "topic": topics[:1],
        "question": questions[:1] + questions[-1:],
        "from": ["2024-01-01"],
        "to": ["2025-06-30"],
        "method": ["share", "points", "mean", "balanced", "bridging"],
        "compare": ["voter_group", "age_band", "sex"],
        "country": ["GB", "US"],
    }


def snapshot(warehouse: Path) -> dict[str, Any]:
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", "test-pseudonym-key-not-secret")
    from dashboard.config import Settings
    from dashboard.server import create_app

    app = create_app(Settings(warehouse=warehouse, k=11, query_timeout_s=30, network_name=""))
    client = app.server.test_client()
    catalogue = client.get("/api/v1/charts").get_json()["charts"]
    values = _values(client)
    out: dict[str, Any] = {}
    for chart in catalogue:
        cases: list[dict[str, str]] = [{}]
        for name, allowed in chart["filters"].items():
            options = allowed if isinstance(allowed, list) else values.get(name, [])
            options = list(dict.fromkeys(options[:1] + options[-1:]))
            cases += [{name: v} for v in options]
        if "question" in chart["filters"]:
            q = values["question"][0]
            cases = [{**c, "question": c.get("question", q)} for c in cases]
        for args in cases:
            query = urlencode(sorted(args.items()))
            resp = client.get(f"/api/v1/charts/{chart['id']}.json?{query}")
            body = resp.get_json()
            if isinstance(body, dict):
                for key in VOLATILE:
                    body.pop(key, None)
            out[f"api {chart['id']}?{query}"] = {"status": resp.status_code, "body": body}
            if chart.get("public"):
                from dashboard.public import charts as public

                try:
                    key = public.data_key(public.parse(chart["id"], args))
                except (LookupError, ValueError):  # not a public filter set
                    continue
                resp = client.get(f"/embed/{chart['id']}/data/{key}.json")
                body = resp.get_json()
                rows = body.get("rows") if isinstance(body, dict) else None
                out[f"embed {chart['id']}/{key}"] = {
                    "status": resp.status_code,
                    "rows": rows,
                    "summary": (body or {}).get("summary"),
                }
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"{'only after' if a is None else 'only before'}: {key}")
            continue
        if a.get("status") != b.get("status"):
            lines.append(f"status {a.get('status')} -> {b.get('status')}: {key}")
            continue
        ab, bb = a.get("body") or {}, b.get("body") or {}
        parts = (
            [f for f in sorted(set(ab) | set(bb)) if ab.get(f) != bb.get(f)]
            if (isinstance(ab, dict) and isinstance(bb, dict))
            else ["body"]
        )
        if "rows" in a and a.get("rows") != b.get("rows"):
            parts.append("embed rows")
        if "summary" in a and a.get("summary") != b.get("summary"):
            parts.append("embed summary")
        lines.append(f"differs in {', '.join(parts)}: {key}")
    return lines


def main() -> None:
    if sys.argv[1] == "--compare":
        before = json.loads(Path(sys.argv[2]).read_text())
        after = json.loads(Path(sys.argv[3]).read_text())
        diff = compare(before, after)
        same = len(set(before) & set(after)) - sum(1 for d in diff if d.startswith("differs"))
        print(f"{len(before)} cases before, {len(after)} after, {same} identical")
        print("\n".join(diff))
        return
    result = snapshot(Path(sys.argv[1]))
    Path(sys.argv[2]).write_text(json.dumps(result, indent=1, sort_keys=True, default=str))
    print(f"{len(result)} cases written to {sys.argv[2]}")


if __name__ == "__main__":
    main()
