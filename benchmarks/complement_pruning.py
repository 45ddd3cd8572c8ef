"""What another complement rule saves or costs, in people and in time (issue #14).

"knock-on-pruned" is knock-on, then each complement no line needs shown again
(disclosure._prune); "knock-on-audited" is knock-on, then complements added where a
linear program over a table of one or two axes boxes a small count (lp_guard). Compared
here with "knock-on" on the same inputs (`--rule`, default knock-on-pruned):

    python -m benchmarks.complement_pruning random        # the tests' random tables, timings
    python -m benchmarks.complement_pruning demo [--members 6000] [--repeat 1]
    python -m benchmarks.complement_pruning demo --export benchmarks/cache/export-1000000
    python -m benchmarks.complement_pruning demo --rule knock-on-audited

`random`: the random small tables of tests/insights/test_disclosure_cost.py (people and
cells withheld by complements), and `protect_batch` timed on large batches of larger
tables. `demo`: the demo network (seed 42) built once per rule as a first release, every
`complementary` call recorded (people and cells it added beyond what it was given
withheld), the publication's withheld cells compared mask by mask, and build time
(`--repeat` more builds per rule without recording, interleaved, for the time only);
`--export` builds that export folder instead of writing the demo network.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from dashboard.insights import disclosure


def random_tables(rules: tuple[str, str]) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "insights"))
    from test_disclosure_cost import K, _people, _start, _tables

    for seed in (7, 11, 5):
        tally = {rule: [0, 0] for rule in rules}
        for counts, h, given in _tables(np.random.default_rng(seed), 600):
            values, start, _ = _start(counts, h, given)
            for rule in rules:
                with disclosure.complement_rule(rule):
                    out = disclosure.complementary(counts, start, K, hierarchy=h, given=given)
                tally[rule][0] += _people(values, start, out)
                tally[rule][1] += int((out & ~start).sum())
        (kp, kc), (pp, pc) = tally.values()
        print(f"seed {seed}, 600 small tables: people {kp} -> {pp} ({(kp - pp) / kp:.1%} fewer), "
              f"cells {kc} -> {pc}")  # fmt: skip
    rng = np.random.default_rng(0)
    from dashboard.insights.disclosure import Hierarchy

    who = Hierarchy(axis=0, sets=(frozenset({0}), frozenset({1}), frozenset({2}),
                                  frozenset({0, 1}), frozenset({0, 1, 2})),
                    levels=((0, 1, 2), (3, 2), (4,)))  # fmt: skip
    for shape in ((4000, 5, 6, 2), (500, 5, 12, 8, 2)):
        counts = rng.choice([0, 2, 4, 12, 14, 20, 25, 40, 60, 200], size=shape)
        counts[:, 3] = counts[:, :2].sum(axis=1)
        counts[:, 4] = counts[:, :3].sum(axis=1)
        masks = {}
        for rule in rules:
            with disclosure.complement_rule(rule):
                best = np.inf
                for _ in range(3):
                    started = time.perf_counter()
                    masks[rule] = disclosure.protect_batch(counts, 11, who)
                    best = min(best, time.perf_counter() - started)
            print(f"protect_batch {shape} with the who hierarchy, {rule}: {best:.3f} s, "
                  f"{int(masks[rule].sum())} cells withheld")  # fmt: skip


def publication_masks(path: Path) -> dict[tuple, np.ndarray]:
    """Every published mask, by (round, split, measure) (the layout tables.encode writes)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    out = {}
    for round_id, dims, body in con.execute(
        "SELECT round_id, dims, body FROM publication"
    ).fetchall():
        raw = zlib.decompress(body)
        n = int.from_bytes(raw[:4], "little")
        head = json.loads(raw[4 : 4 + n])
        offset = 4 + n
        shape = [len(v) for v in head["axes"]]
        offset += len(head["questions"]) * len(head["measures"]) * int(np.prod(shape)) * 8
        offset += int(np.prod(head["voters"])) * 8
        offset += int(np.prod(head["voters_hidden"]))
        for measure, s in head["masks"].items():
            size = int(np.prod(s))
            out[(round_id, dims, measure)] = np.frombuffer(raw, bool, size, offset).reshape(s)
            offset += size
    con.close()
    return out


def demo(members: int, repeat: int, rules: tuple[str, str], source: Path | None = None) -> None:
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", "test-pseudonym-key-not-secret")
    from dashboard.warehouse.build import build_warehouse
    from dashboard.warehouse.synth.export import write_demo_export

    original, prune = disclosure.complementary, disclosure._prune
    with tempfile.TemporaryDirectory(prefix="pruning-") as tmp:
        folder = Path(tmp)
        export = source
        if export is None:
            export = folder / "export"
            write_demo_export(export, members=members, seed=42)
        stats: dict[str, collections.Counter] = {}
        for rule in rules:
            stat = stats[rule] = collections.Counter()

            def counting(counts, hidden, k, first_axis=0, hierarchy=None, given=None,
                         stat=stat, **kw):  # fmt: skip
                started = time.perf_counter()
                out = original(counts, hidden, k, first_axis, hierarchy, given, **kw)
                stat["complementary ms"] += (time.perf_counter() - started) * 1000
                start = hidden if given is None else np.where(given < 0, hidden, given > 0)
                added = out & ~start
                stat["calls"] += 1
                stat["people"] += int(np.asarray(counts)[added].sum())
                stat["cells"] += int(added.sum())
                return out

            def pruning(*args, stat=stat):
                started = time.perf_counter()
                out = prune(*args)
                stat["of which pruning ms"] += (time.perf_counter() - started) * 1000
                return out

            disclosure.complementary, disclosure._prune = counting, pruning
            try:
                result = build_warehouse(export, folder / f"{rule}.duckdb",
                                         previous=None, complement_rule=rule)  # fmt: skip
            finally:
                disclosure.complementary, disclosure._prune = original, prune
            stat["build s (recording)"] = result.seconds
            stat["publication s (recording)"] = result.publication.seconds
        times = collections.defaultdict(list)
        for i in range(repeat):
            for rule in rules:
                result = build_warehouse(export, folder / f"t-{rule}-{i}.duckdb",
                                         previous=None, complement_rule=rule)  # fmt: skip
                times[rule].append((round(result.seconds, 1), round(result.publication.seconds, 1)))
        a, b = (publication_masks(folder / f"{rule}.duckdb") for rule in rules)
        shown_again = newly = 0
        for key, x in a.items():
            shown_again += int((x & ~b[key]).sum())
            newly += int((~x & b[key]).sum())
        for rule, key in zip(rules, (a, b), strict=True):
            cells = sum(int(m.sum()) for m in key.values())
            total = sum(m.size for m in key.values())
            print(f"{rule}: publication withholds {cells} of {total} mask cells; "
                  f"complementary: {dict(stats[rule])}; builds (total s, publication s): "
                  f"{times[rule]}")  # fmt: skip
        print(f"withheld by knock-on, served by {rules[1]}: {shown_again}; "
              f"the other way round: {newly}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["random", "demo"])
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--export", type=Path, help="an export folder to build instead")
    parser.add_argument("--rule", default="knock-on-pruned",
                        choices=list(disclosure.COMPLEMENT_RULES),
                        help="the rule compared with knock-on")  # fmt: skip
    args = parser.parse_args()
    rules = ("knock-on", args.rule)
    if args.what == "random":
        random_tables(rules)
    else:
        demo(args.members, args.repeat, rules, args.export)


if __name__ == "__main__":
    main()
