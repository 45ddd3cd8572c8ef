"""Server time of every chart's interactions, cold, through HTTP handling (Flask + engine).

    python scripts/interaction_times.py WAREHOUSE [--per-chart 40] [--repeat 3]
        [--charts round-shifts,group-top] [--cold-decode] [--cpu]

For every chart, up to `--per-chart` filter sets of dashboard/walk.py (every chart with
no filter, each single filter value, every round by role, age band and sex), each
asked `--repeat` times through the data API with the engine's result cache and the
recent-table cache emptied before every call: what a first view of that filter set
costs. Prints a markdown table of median, p95 and max per chart. Since the build
publishes every protected table and result, this is lookup and formatting time.
`--charts` measures only the charts named (comma-separated ids). Published tables are
decoded once per build and process and kept across calls (so is a topic's view of one);
`--cold-decode` drops them before every call too, as a process's first requests find them.
`--cpu` reports the thread's CPU time instead of wall time: less sensitive to other work on
the machine (wall time is what a user waits; on a busy machine it is larger).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from dashboard.config import Settings
from dashboard.insights.tables import forget_decoded_tables, forget_recent_tables
from dashboard.security import Auth
from dashboard.server import create_app
from dashboard.walk import filter_sets


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--per-chart", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--charts", default="", help="only these chart ids (comma-separated)")
    parser.add_argument("--cold-decode", action="store_true", help="decode tables every call")
    parser.add_argument("--cpu", action="store_true", help="CPU time, not wall time")
    args = parser.parse_args()
    settings = Settings(warehouse=args.warehouse, k=11, query_timeout_s=30, network_name="")
    app = create_app(settings, Auth())
    engine = app.server.config["ENGINE"]
    client = app.server.test_client()
    only = {c for c in args.charts.split(",") if c}
    clock = time.thread_time if args.cpu else time.perf_counter
    by_chart: dict[str, list[tuple[str, dict]]] = {}
    for chart_id, query in filter_sets(engine):
        if only and chart_id not in only:
            continue
        by_chart.setdefault(chart_id, []).append((chart_id, query))
    print("| chart | filter sets | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    every: list[float] = []
    for chart_id, sets in by_chart.items():
        step = max(1, len(sets) // args.per_chart)
        times = []
        for _, query in sets[::step][: args.per_chart]:
            url = f"/api/v1/charts/{chart_id}.json?{urlencode(query)}"
            if client.get(url).status_code != 200:  # a refused filter set: not an interaction
                continue
            for _ in range(args.repeat):
                engine._cache.clear()
                forget_recent_tables()
                if args.cold_decode:
                    forget_decoded_tables()
                started = clock()
                client.get(url)
                times.append((clock() - started) * 1000)
        if times:
            every += times
            print(
                f"| `{chart_id}` | {len(times) // args.repeat} | "
                f"{statistics.median(times):.1f} | {p95(times):.1f} | {max(times):.1f} |"
            )
    print(
        f"| all | {len(every) // args.repeat} | {statistics.median(every):.1f} | "
        f"{p95(every):.1f} | {max(every):.1f} |"
    )


if __name__ == "__main__":
    main()
