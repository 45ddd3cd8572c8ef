"""Share of served count cells that are withheld, per chart, over many filter sets.

Utility measured, not guessed: run it on a warehouse before and after a change to
disclosure control and compare.

    python scripts/withheld_share.py WAREHOUSE [--k 11]

The filter sets are dashboard/walk.py's: every chart with no filter, each single
filter value, and every round by role, age band and sex.
A cell is one count field of one served row; "withheld" counts the fields listed
in the row's `suppressed` list, and a whole group withheld (a message, no rows)
counts as one withheld cell.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import FilterError
from dashboard.walk import filter_sets


def shares(engine: Engine) -> dict[str, tuple[int, int]]:
    """chart -> (withheld cells, all cells)."""
    out: dict[str, tuple[int, int]] = {}
    for chart_id, args in filter_sets(engine):
        try:
            result = engine.run(chart_id, args)
        except FilterError:
            continue
        withheld = total = 0
        if result.message and not result.rows:
            withheld = total = 1
        for row in result.rows:
            gone = set(row.get("suppressed", ()))
            for name in result.count_fields:
                if name in row or name in gone:
                    total += 1
                    withheld += name in gone
        w, t = out.get(chart_id, (0, 0))
        out[chart_id] = (w + withheld, t + total)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--k", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", "unused-for-reading")
    engine = Engine(Settings(warehouse=args.warehouse, k=args.k, query_timeout_s=60,
                             network_name=""))  # fmt: skip
    print("| chart | withheld cells | all cells | share withheld |")
    print("|---|---:|---:|---:|")
    for chart_id, (w, t) in shares(engine).items():
        print(
            f"| `{chart_id}` | {w:,} | {t:,} | {w / t:.1%} |"
            if t
            else f"| `{chart_id}` | 0 | 0 | - |"
        )


if __name__ == "__main__":
    main()
