"""How far greedy complementary suppression is from the least-cost choice (issue #14 item 5).

Builds a warehouse (the fixture export, or the demo network) with
`disclosure.complementary` recorded: every call's inputs (counts, the cells
primary suppression and differencing withheld, `given`, the hierarchy) and its
greedy answer. For every table of every call where greedy withheld a complement,
it then solves the same safety conditions as an integer program (scipy milp,
HiGHS): withhold the fewest people (then the fewest cells) so that every line
(every axis line; on the who axis every "whole = sum of parts" equation) has no
withheld cell, or at least two whose withheld parts add up to 0 or at least k
(unless the whole is withheld too): exactly what `_fix_lines` checks, over the
same candidates (free, visible, non-zero cells).

"greedy" is the build's rule (since #14 item 5 the cell of least count plus knock-on
cost, see disclosure.complementary); "old rule" is the rule before it (the smallest
cell first, `knock_on=False`), run on the same inputs.

    python -m benchmarks.complement_gap fixture|demo|WAREHOUSE [--members 6000] [--time-limit 10]
    python -m benchmarks.complement_gap WAREHOUSE --time-only [--use path/to/disclosure.py]

Each input is solved as greedy saw it (the decisions of earlier tables, taken
by greedy, feed later ones as `given`): a per-table comparison, not a rebuild.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from dashboard.insights import disclosure
from dashboard.insights.disclosure import Hierarchy


@dataclass
class Call:
    """One `complementary` call as the build made it."""

    kind: str  # the tables.py function that protected it (which measure)
    counts: np.ndarray
    hidden: np.ndarray
    k: int
    first_axis: int
    hierarchy: Hierarchy | None
    given: np.ndarray | None
    greedy: np.ndarray  # the build's rule's answer (knock-on cost since #14 item 5)
    seconds: float
    old: np.ndarray | None = None  # the rule before it (smallest cell first), for comparison


def _caller_kind() -> str:
    """The function that asked for protection (outside disclosure.py), and its measure."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.endswith(("disclosure.py", "gap.py")):
        frame = frame.f_back
    if frame is None:
        return "?"
    module = Path(frame.f_code.co_filename).stem
    measure = frame.f_locals.get("measure") or frame.f_locals.get("part") or frame.f_locals.get(
        "name")  # fmt: skip
    what = f"{module}.{frame.f_code.co_name}"
    return f"{what} {measure}" if isinstance(measure, str) else what


def record(build) -> list[Call]:
    """Run `build()` with every complementary call recorded."""
    calls: list[Call] = []
    original = disclosure.complementary

    def wrapper(counts, hidden, k, first_axis=0, hierarchy=None, given=None):
        started = time.perf_counter()
        out = original(counts, hidden, k, first_axis, hierarchy, given)
        seconds = time.perf_counter() - started
        old = original(counts, hidden, k, first_axis, hierarchy, given, knock_on=False)
        calls.append(Call(_caller_kind(), counts.copy(), hidden.copy(), k, first_axis, hierarchy,
                          None if given is None else np.broadcast_to(given, counts.shape).copy(),
                          out.copy(), seconds, old))  # fmt: skip
        return out

    disclosure.complementary = wrapper
    try:
        build()
    finally:
        disclosure.complementary = original
    return calls


# --- one table: its lines, its starting point, the integer program ------------------------


@dataclass
class Table:
    values: np.ndarray  # flat, as complementary sees them (the hierarchy total zeroed)
    hidden: np.ndarray  # flat, withheld before complements (given applied)
    free: np.ndarray  # flat, cells this table may decide
    lines: list[tuple[np.ndarray, np.ndarray | None]]  # (parts, whole or None) flat indices


def prepare(counts: np.ndarray, hidden: np.ndarray, given: np.ndarray | None,
            hierarchy: Hierarchy | None) -> Table:  # fmt: skip
    """One table (no batch axis) as `complementary` starts from it."""
    values = counts.astype(np.int64).copy()
    hidden = hidden.copy()
    free = np.ones(counts.shape, dtype=bool)
    if given is not None:
        free = given < 0
        hidden = np.where(free, hidden, given > 0)
    if hierarchy is not None:
        total = [slice(None)] * counts.ndim
        total[hierarchy.axis] = hierarchy.total
        hidden[tuple(total)] = False
        values[tuple(total)] = 0
    index = np.arange(counts.size).reshape(counts.shape)
    lines: list[tuple[np.ndarray, np.ndarray | None]] = []
    for axis in range(counts.ndim):
        moved = np.moveaxis(index, axis, -1).reshape(-1, counts.shape[axis])
        if hierarchy is not None and axis == hierarchy.axis:
            for parts, whole in hierarchy.equations:
                w = None if whole == hierarchy.total else moved[:, whole]
                lines.append((moved[:, list(parts)], w))
        else:
            lines.append((moved, None))
    return Table(values.ravel(), hidden.ravel(), free.ravel(), lines)


def unsafe(t: Table, hidden: np.ndarray, k: int) -> np.ndarray:
    """Per line, whether `_fix_lines` would call it unsafe (one withheld cell, or a small
    withheld sum with the whole served)."""
    bad = []
    for parts, whole in t.lines:
        hp = hidden[parts]
        wh = hidden[whole] if whole is not None else np.zeros(len(parts), dtype=bool)
        n = hp.sum(axis=1) + wh
        s = (t.values[parts] * hp).sum(axis=1)
        bad.append((n == 1) | (~wh & (s > 0) & (s < k)))
    return np.concatenate(bad)


def conditions(t: Table, hidden: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per line family, which lines meet "not exactly one withheld cell" and which meet
    "withheld parts add up to 0 or at least k, or the whole is withheld"."""
    out = []
    for parts, whole in t.lines:
        hp = hidden[parts]
        wh = hidden[whole] if whole is not None else np.zeros(len(parts), dtype=bool)
        s = (t.values[parts] * hp).sum(axis=1)
        out.append((hp.sum(axis=1) + wh != 1, wh | (s == 0) | (s >= k)))
    return out


def unsafe_lines(t: Table, hidden: np.ndarray, k: int) -> int:
    return int(unsafe(t, hidden, k).sum())


def pruned(t: Table, greedy: np.ndarray, k: int) -> np.ndarray:
    """Greedy, then each complement (largest first) shown again where every line stays safe."""
    hidden = greedy.copy()
    before = unsafe(t, greedy, k)  # lines no candidate could fix stay as they are
    added = np.flatnonzero(greedy & ~t.hidden)
    for cell in added[np.argsort(-t.values[added], kind="stable")]:
        hidden[cell] = False
        if (unsafe(t, hidden, k) & ~before).any():
            hidden[cell] = True
    return hidden


def least_cost(t: Table, k: int, greedy: np.ndarray, time_limit: float
               ) -> tuple[np.ndarray | None, str, float]:  # fmt: skip
    """The fewest people (then cells) to withhold so that every line meets each condition
    greedy's answer meets (greedy leaves a line unsafe only where no cell can fix it:
    such a condition is left out, and greedy's answer is always a feasible point).

    Returns (hidden or None, status, seconds).
    """
    started = time.perf_counter()
    cand = t.free & ~t.hidden & (t.values > 0)
    var = np.full(t.values.size, -1)
    cells = np.flatnonzero(cand)
    var[cells] = np.arange(cells.size)
    n = cells.size
    r_cols: list[np.ndarray] = []
    r_vals: list[np.ndarray] = []
    r_lb: list[float] = []
    extra = 0  # auxiliary binaries after the cell variables

    def add(cols: np.ndarray, vals: np.ndarray, lb: float) -> None:
        r_cols.append(cols)
        r_vals.append(vals.astype(float))
        r_lb.append(lb)

    for (parts, whole), (count_ok, sum_ok) in zip(t.lines, conditions(t, greedy, k), strict=True):
        for i in range(len(parts)):
            p = parts[i]
            w = None if whole is None else int(whole[i])
            members = p if w is None else np.append(p, w)
            xs = var[members]
            xs_in = xs[xs >= 0]
            if not xs_in.size:
                continue  # nothing to decide here (an unsafe such line stays unsafe)
            f_count = int(t.hidden[members].sum()) if count_ok[i] else 2  # 2: nothing to ask
            if f_count == 1:
                add(xs_in, np.ones(xs_in.size), 1)
            elif f_count == 0:  # y: any withheld; each x <= y; sum x >= 2y
                y = n + extra
                extra += 1
                for x in xs_in:
                    add(np.array([y, x]), np.array([1, -1]), 0)
                add(np.append(xs_in, y), np.append(np.ones(xs_in.size), -2), 0)
            if (w is not None and t.hidden[w]) or not sum_ok[i]:
                continue  # the whole is withheld: its parts' sum is not told
            xw = -1 if w is None else var[w]
            hp = t.hidden[p]
            fs = int(t.values[p][hp].sum())
            if fs >= k:
                continue
            px = var[p]
            px_in = px[px >= 0]
            pv = t.values[p][px >= 0]
            if fs > 0:  # sum v x + (k - fs) x_whole >= k - fs
                cols, vals = px_in, pv
                if xw >= 0:
                    cols, vals = np.append(cols, xw), np.append(vals, k - fs)
                if cols.size:
                    add(cols, vals, k - fs)
            elif px_in.size:  # z: withheld sum > 0; x <= z; sum v x - k z + k x_whole >= 0
                z = n + extra
                extra += 1
                for x in px_in:
                    add(np.array([z, x]), np.array([1, -1]), 0)
                cols, vals = np.append(px_in, z), np.append(pv, -k)
                if xw >= 0:
                    cols, vals = np.append(cols, xw), np.append(vals, k)
                add(cols, vals, 0)
    hidden = t.hidden.copy()
    if not r_lb:
        return hidden, "trivial", time.perf_counter() - started
    total = n + extra
    a = sparse.csr_array((np.concatenate(r_vals),
                          (np.repeat(np.arange(len(r_lb)), [c.size for c in r_cols]),
                           np.concatenate(r_cols))), shape=(len(r_lb), total))  # fmt: skip
    # People first, then cells: each person outweighs every cell together.
    cost = np.zeros(total)
    cost[:n] = t.values[cells] * (n + 1) + 1
    res = milp(cost, constraints=LinearConstraint(a, np.array(r_lb), np.inf),
               integrality=np.ones(total), bounds=Bounds(0, 1),
               options={"time_limit": time_limit, "mip_rel_gap": 0.0})  # fmt: skip
    seconds = time.perf_counter() - started
    if res.x is None:
        return None, f"no solution ({res.message})", seconds
    hidden[cells[np.round(res.x[:n]) > 0.5]] = True
    status = "optimal" if res.status == 0 else f"status {res.status}"
    return hidden, status, seconds


def least_cost_fast(t: Table, k: int, greedy: np.ndarray, node_limit: int | None = None
                    ) -> tuple[np.ndarray | None, str, float]:  # fmt: skip
    """`least_cost` with its rows built array-wise and no auxiliary variables: "no cell or
    two" as sum(x) >= 2 x_j and "sum 0 or at least k" as sum(v x) >= k x_j, for each
    candidate j of a line (the same integer points, the same relaxation)."""
    started = time.perf_counter()
    cand = t.free & ~t.hidden & (t.values > 0)
    cells = np.flatnonzero(cand)
    n = cells.size
    var = np.full(t.values.size, -1)
    var[cells] = np.arange(n)
    r_rows: list[np.ndarray] = []
    r_cols: list[np.ndarray] = []
    r_vals: list[np.ndarray] = []
    r_lb: list[np.ndarray] = []
    rows_so_far = 0

    def add_per_line(lines: np.ndarray, xs: np.ndarray, coef: np.ndarray, lb: np.ndarray) -> None:
        """One row per line in `lines`: coef . x over the line's candidates `xs`."""
        nonlocal rows_so_far
        use = xs[lines] >= 0
        row = np.broadcast_to(np.arange(lines.size)[:, None], use.shape)[use] + rows_so_far
        r_rows.append(row)
        r_cols.append(xs[lines][use])
        r_vals.append(coef[lines][use].astype(float))
        r_lb.append(lb.astype(float))
        rows_so_far += lines.size

    def add_per_candidate(lines: np.ndarray, xs: np.ndarray, coef: np.ndarray,
                          own: np.ndarray, on: np.ndarray) -> None:  # fmt: skip
        """One row per candidate j of each line among `on` columns: coef . x + own_j x_j >= 0."""
        nonlocal rows_so_far
        sub_x, sub_c, sub_own = xs[lines], coef[lines], own[lines]
        line_of, col_of = np.nonzero((sub_x >= 0) & on[None, :])
        m = line_of.size
        if not m:
            return
        use = sub_x[line_of] >= 0  # (m, width): every candidate of the row's line
        row = np.broadcast_to(np.arange(m)[:, None], use.shape)[use] + rows_so_far
        r_rows.extend([row, np.arange(m) + rows_so_far])
        r_cols.extend([sub_x[line_of][use], sub_x[line_of, col_of]])
        r_vals.extend([sub_c[line_of][use].astype(float),
                       sub_own[line_of, col_of].astype(float)])  # fmt: skip
        r_lb.append(np.zeros(m))
        rows_so_far += m

    for (parts, whole), (count_ok, sum_ok) in zip(t.lines, conditions(t, greedy, k), strict=True):
        members = parts if whole is None else np.hstack([parts, whole[:, None]])
        xs = var[members]
        has = (xs >= 0).any(axis=1)
        f_count = np.where(count_ok, t.hidden[members].sum(axis=1), 2)  # 2: nothing to ask
        ones = np.ones(members.shape)
        # "no withheld cell, or two"
        add_per_line(np.flatnonzero(has & (f_count == 1)), xs, ones,
                     np.ones(int((has & (f_count == 1)).sum())))  # fmt: skip
        everywhere = np.ones(members.shape[1], dtype=bool)
        add_per_candidate(np.flatnonzero(has & (f_count == 0)), xs, ones, -2 * ones, everywhere)
        # "withheld parts add up to 0 or at least k", unless the whole is withheld
        m = parts.shape[1]
        whole_hidden = np.zeros(len(parts), bool) if whole is None else t.hidden[whole]
        fs = (t.values[parts] * t.hidden[parts]).sum(axis=1)
        need = has & ~whole_hidden & (fs < k) & sum_ok
        coef = np.zeros(members.shape)
        coef[:, :m] = t.values[parts]
        if whole is not None:
            coef[:, m] = k - fs  # the whole withheld instead
        add_per_line(np.flatnonzero(need & (fs > 0)), xs, coef, (k - fs)[need & (fs > 0)])
        coef0 = coef.copy()
        if whole is not None:
            coef0[:, m] = k
        own = np.zeros(members.shape)
        own[:, :m] = -k
        on_parts = np.arange(members.shape[1]) < m
        add_per_candidate(np.flatnonzero(need & (fs == 0)), xs, coef0, own, on_parts)
    hidden = t.hidden.copy()
    if not rows_so_far:
        return hidden, "trivial", time.perf_counter() - started
    a = sparse.csr_array((np.concatenate(r_vals), (np.concatenate(r_rows),
                          np.concatenate(r_cols))), shape=(rows_so_far, n))  # fmt: skip
    cost = t.values[cells] * (n + 1.0) + 1
    options = {"mip_rel_gap": 0.0}
    if node_limit is not None:
        options["node_limit"] = node_limit
    res = milp(cost, constraints=LinearConstraint(a, np.concatenate(r_lb), np.inf),
               integrality=np.ones(n), bounds=Bounds(0, 1), options=options)  # fmt: skip
    seconds = time.perf_counter() - started
    if res.x is None:
        return None, f"no solution ({res.message})", seconds
    hidden[cells[np.round(res.x) > 0.5]] = True
    return hidden, "optimal" if res.status == 0 else f"status {res.status}", seconds


# --- the comparison ----------------------------------------------------------------------


def axes_of(call: Call) -> int:
    """Table axes, an outcome axis (chosen / not chosen) included."""
    return call.counts.ndim - call.first_axis


def compare(calls: list[Call], time_limit: float) -> dict:
    rows = collections.defaultdict(lambda: collections.Counter())
    worst: list[tuple] = []
    for call in calls:
        if call.first_axis != 1:
            continue  # protect() goes through protect_batch: first_axis is always 1
        kind = f"{call.kind} ({axes_of(call)}-d)"
        for b in range(call.counts.shape[0]):
            given = None if call.given is None else call.given[b]
            t = prepare(call.counts[b], call.hidden[b], given, call.hierarchy)
            greedy = call.greedy[b].ravel()
            stat = rows[kind]
            stat["tables"] += 1
            stat["cells"] += t.values.size
            stat["primary+differencing cells"] += int(t.hidden.sum())
            added = greedy & ~t.hidden
            stat["greedy seconds x1e6"] += int(call.seconds / call.counts.shape[0] * 1e6)
            if not added.any():
                continue
            stat["tables with complements"] += 1
            stat["greedy people"] += int(t.values[added].sum())
            stat["greedy cells"] += int(added.sum())
            if call.old is not None:
                stat["old rule people"] += int(t.values[call.old[b].ravel() & ~t.hidden].sum())
            kept = pruned(t, greedy, call.k) & ~t.hidden
            stat["pruned people"] += int(t.values[kept].sum())
            stat["pruned cells"] += int(kept.sum())
            opt, status, seconds = least_cost(t, call.k, greedy, time_limit)
            stat["milp seconds x1e6"] += int(seconds * 1e6)
            stat["milp max ms"] = max(stat["milp max ms"], int(seconds * 1000))
            stat[f"milp {status}"] += 1
            if opt is None:
                continue
            more = opt & ~t.hidden
            fast, _, seconds_fast = least_cost_fast(t, call.k, greedy)
            stat["fast milp seconds x1e6"] += int(seconds_fast * 1e6)
            if fast is None or int(t.values[fast & ~t.hidden].sum()) != int(t.values[more].sum()):
                stat["fast milp differs"] += 1
            stat["optimal people"] += int(t.values[more].sum())
            stat["optimal cells"] += int(more.sum())
            # Independent checks: both answers leave no fixable line unsafe, and greedy
            # finds nothing to add to the optimum.
            start_bad = unsafe_lines(t, t.hidden, call.k)
            stat["lines unsafe before"] += start_bad
            stat["lines unsafe after greedy"] += unsafe_lines(t, greedy, call.k)
            stat["lines unsafe after milp"] += unsafe_lines(t, opt, call.k)
            gap = int(t.values[added].sum()) - int(t.values[more].sum())
            worst.append((gap, kind, b, int(t.values[added].sum()), int(t.values[more].sum())))
    return {"rows": rows, "worst": sorted(worst, reverse=True)[:10]}


def report(name: str, result: dict) -> str:
    rows = result["rows"]
    out = [f"## {name}", "",
           "| table kind | tables | with complements | old rule people | greedy people | "
           "pruned people | optimal people | gap | greedy cells | pruned cells | optimal cells | "
           "milp s (max ms) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    total = collections.Counter()
    for kind in sorted(rows):
        s = rows[kind]
        total.update({key: v for key, v in s.items() if key != "milp max ms"})
        total["milp max ms"] = max(total["milp max ms"], s["milp max ms"])
        out.append(_line(kind, s))
    out.append(_line("**total**", total))
    out.append("")
    statuses = {key: v for key, v in total.items() if key.startswith("milp ") and
                "seconds" not in key and "max" not in key}  # fmt: skip
    unsafe = [total[f"lines unsafe {w}"] for w in ("before", "after greedy", "after milp")]
    out.append(f"solver: {statuses}; greedy total {total['greedy seconds x1e6'] / 1e6:.2f} s; "
               f"unsafe lines before/after greedy/after milp: {unsafe}")  # fmt: skip
    out.append(
        f"array-wise milp: {total['fast milp seconds x1e6'] / 1e6:.2f} s, "
        f"{total['fast milp differs']} tables whose optimum differs from the reference's"
    )
    out.append(f"largest gaps (gap, kind, table, greedy, optimal): {result['worst'][:5]}")
    return "\n".join(out)


def _line(kind: str, s: collections.Counter) -> str:
    gp, op = s["greedy people"], s["optimal people"]
    gap = f"{(gp - op) / gp:.1%}" if gp else "-"
    return (f"| {kind} | {s['tables']} | {s['tables with complements']} | "
            f"{s['old rule people']} | {gp} | "
            f"{s['pruned people']} | {op} | {gap} | {s['greedy cells']} | {s['pruned cells']} | "
            f"{s['optimal cells']} | "
            f"{s['milp seconds x1e6'] / 1e6:.2f} ({s['milp max ms']}) |")  # fmt: skip


def publication_of(path: Path, k: int):
    """A build's publication step over an existing warehouse (what `publish` computes)."""
    import duckdb

    from dashboard.db import BuildReader
    from dashboard.insights.publication import published_results, published_rows
    from dashboard.insights.tables import forget_recent_tables

    con = duckdb.connect(str(path), read_only=True)
    # Not through Warehouse: its check of the build's inputs would refuse a cached warehouse
    # built before an unrelated change to them; the publication reads only the rollups.
    build_id, as_of, network = con.execute(
        "SELECT build_id, as_of::VARCHAR, network FROM build_info").fetchone()  # fmt: skip
    reader = BuildReader(con, build_id, as_of, network or "")

    def run() -> None:
        forget_recent_tables()
        try:
            for _ in published_rows(reader, k):
                pass
            for _ in published_results(reader, k):
                pass
        finally:
            forget_recent_tables()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("network", help="fixture, demo, or the path of a built warehouse "
                        "(its publication step is run again)")  # fmt: skip
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--use", type=Path, help="a disclosure.py whose complementary to run")
    parser.add_argument("--time-only", action="store_true",
                        help="only time the publication step (a warehouse path)")  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", "test-pseudonym-key-not-secret")
    from dashboard.warehouse.build import build_warehouse

    if args.use is not None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("disclosure_under_test", args.use)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        disclosure.complementary = module.complementary
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.network == "fixture":
            export = Path(__file__).parent.parent / "tests" / "fixtures" / "export"
            build = lambda: build_warehouse(export, folder / "warehouse.duckdb")  # noqa: E731
        elif args.network == "demo":
            from dashboard.warehouse.synth import write_demo_export

            export = folder / "export"
            write_demo_export(export, members=args.members, seed=42)
            build = lambda: build_warehouse(export, folder / "warehouse.duckdb")  # noqa: E731
        else:
            build = publication_of(Path(args.network), args.k)
        started = time.perf_counter()
        if args.time_only:
            build()
            print(f"{args.network}: {time.perf_counter() - started:.1f} s")
            return
        calls = record(build)
        print(f"build with recording: {time.perf_counter() - started:.1f} s, {len(calls)} calls",
              flush=True)  # fmt: skip
    print(report(str(args.network), compare(calls, args.time_limit)))


if __name__ == "__main__":
    main()
