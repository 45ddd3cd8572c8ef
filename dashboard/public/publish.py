"""Static publish: every public chart in every public filter set, as plain files.

The layout mirrors the server's /embed/ paths exactly, so the same snippet
works against a CDN or any static host with no Python running:

    DIR/embed/index.html, DIR/embed/methods/index.html, DIR/embed/static/*
    DIR/embed/<chart>/index.html
    DIR/embed/<chart>/data/<key>.json and .csv
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.catalogue import CATALOGUE
from dashboard.engine import Engine
from dashboard.public import charts as public
from dashboard.public.app import STATIC_FILES, static_dir
from dashboard.public.pages import chart_page, index_page, methods_page

RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where it is not offered."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return done == 0


@dataclass(frozen=True)
class Published:
    """What a publish wrote."""

    out: Path
    build_id: str
    files: int


def publish(engine: Engine, out: Path, base_url: str = "") -> Published:
    """Write the static site into `out` (replacing its embed/ folder atomically).

    One snapshot for the whole run: a build landing meanwhile is not mixed in.
    """
    out.mkdir(parents=True, exist_ok=True)
    engine = engine.pinned()
    snap = engine.warehouse.snapshot()
    staging = Path(tempfile.mkdtemp(prefix=".embed-", dir=out))
    root = staging / "embed"
    files = 0

    def write(path: Path, data: str | bytes) -> None:
        nonlocal files
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        files += 1

    try:
        for name in STATIC_FILES:
            write(root / "static" / name, (static_dir() / name).read_bytes())
        write(root / "methods" / "index.html", methods_page())
        charts = [(c, CATALOGUE[c].title) for c in public.PUBLIC_FILTERS]
        write(root / "index.html", index_page(charts, base_url))
        for chart_id, title in charts:
            write(root / chart_id / "index.html", chart_page(chart_id, title, "all", snap))
            for filters in public.combinations(engine, chart_id):
                shown = public.view(engine, chart_id, filters)
                key = public.data_key(filters)
                write(root / chart_id / "data" / f"{key}.json", shown.json_bytes())
                write(root / chart_id / "data" / f"{key}.csv", shown.csv())
        target = out / "embed"
        if not target.exists():
            root.rename(target)
        elif exchange(root, target):  # atomic: embed/ is never missing
            shutil.rmtree(root)
        else:  # no renameat2 here: a moment without embed/, between two renames
            old = out / f".embed-old-{os.getpid()}"
            target.rename(old)
            root.rename(target)
            shutil.rmtree(old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Published(out=out, build_id=snap.build_id, files=files)
