"""Count publication mask cells that flip between two warehouses (same export, two rules).

python wip/publication_flips.py OLD.duckdb NEW.duckdb
"""

from __future__ import annotations

import json
import sys
import zlib

import duckdb
import numpy as np


def masks(path: str) -> dict[tuple, np.ndarray]:
    """Every published mask, by (round, split, measure)."""
    con = duckdb.connect(path, read_only=True)
    out = {}
    rows = con.execute("SELECT round_id, dims, k, body FROM publication").fetchall()
    for round_id, dims, _k, body in rows:
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
            mask = np.frombuffer(raw, dtype=bool, count=size, offset=offset).reshape(s)
            out[(round_id, dims, measure)] = mask
            offset += size
        assert offset == len(raw), (offset, len(raw))
    return out


def main() -> None:
    old, new = masks(sys.argv[1]), masks(sys.argv[2])
    withheld = served_again = newly = 0
    for key, x in old.items():
        y = new[key]
        withheld += int(x.sum())
        served_again += int((x & ~y).sum())
        newly += int((~x & y).sum())
    print(f"withheld before {withheld}, withheld before but served after {served_again}, "
          f"served before but withheld after {newly}")  # fmt: skip


if __name__ == "__main__":
    main()
