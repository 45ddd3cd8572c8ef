"""Static publish: every public chart in every public filter set, as plain files.

The layout mirrors the server's /embed/ paths exactly, so the same snippet
works against a CDN or any static host with no Python running:

    DIR/embed/index.html, DIR/embed/methods/index.html, DIR/embed/static/*
    DIR/embed/releases.json
    DIR/embed/<chart>/index.html, DIR/embed/<chart>/method/index.html
    DIR/embed/<chart>/data/<key>.json, .csv, .metadata.json, .zip (+ .<lang>[.dark].json)
    DIR/embed/<chart>/image/<key>.png and .svg
    DIR/embed/<chart>/@<as_of>/index.html and data/<key>.* for every kept release
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.catalogue import CATALOGUE
from dashboard.engine import Engine
from dashboard.filters import FilterError
from dashboard.i18n import LANGUAGES
from dashboard.public import charts as public
from dashboard.public import image_files, releases, reuse
from dashboard.public.app import (
    IMAGE_TYPES,
    STATIC_FILES,
    alt_text,
    method_page,
    static_dir,
    themed,
)
from dashboard.public.pages import (
    Preview,
    chart_page,
    index_page,
    methods_page,
)

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


def publish(engine: Engine, out: Path, base_url: str = "", images: bool = True) -> Published:
    """Write the static site into `out` (replacing its embed/ folder atomically).

    One snapshot for the whole run: a build landing meanwhile is not mixed in.
    `images`: also each view's image/<key>.png and .svg (English, light theme; about a
    second per image with kaleido, so `--no-images` exists for quick republishing).
    """
    out.mkdir(parents=True, exist_ok=True)
    engine = engine.pinned()
    snap = engine.warehouse.snapshot()
    staging = Path(tempfile.mkdtemp(prefix=".embed-", dir=out))
    root = staging / "embed"
    files = 0
    pictures: list[tuple[tuple, dict, Path]] = []

    def write(path: Path, data: str | bytes) -> None:
        nonlocal files
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        files += 1

    folder = engine.settings.releases()
    current = releases.archive(engine, folder)
    try:
        for name in STATIC_FILES:
            write(root / "static" / name, (static_dir() / name).read_bytes())
        write(root / "methods" / "index.html", methods_page())
        charts = [(c, CATALOGUE[c].title) for c in public.PUBLIC_FILTERS]
        pinned = [(c, t, snap.as_of if current and public.kept_in_release(
            engine, c, public.parse(c, {})) else None) for c, t in charts]  # fmt: skip
        write(root / "index.html", index_page(pinned, base_url))
        kept = releases.kept(folder)
        write(root / "releases.json", json.dumps({"releases": kept}, indent=1))
        for chart_id, title in charts:
            write(root / chart_id / "method" / "index.html", method_page(chart_id, engine, "en"))
            for lang in LANGUAGES[1:]:
                page = method_page(chart_id, engine, lang, up="../")
                write(root / chart_id / "method" / lang / "index.html", page)
            for filters in public.combinations(engine, chart_id):
                shown = public.view(engine, chart_id, filters)
                data = root / chart_id / "data"
                payload, csv_text = shown.payload(), shown.csv()
                pictures.append(((snap.build_id, chart_id, shown.key, "en", False), payload,
                                 root / chart_id / "image" / shown.key))  # fmt: skip
                write(data / f"{shown.key}.json", shown.json_bytes())
                write(data / f"{shown.key}.dark.json", themed(shown.json_bytes(), True))
                write(data / f"{shown.key}.csv", csv_text)
                write(data / f"{shown.key}.metadata.json", reuse.metadata_json(payload))
                write(data / f"{shown.key}.zip", reuse.package(payload, csv_text))
                for lang in LANGUAGES[1:]:
                    translated = public.view(engine, chart_id, filters, lang)
                    write(data / f"{translated.stem}.json", translated.json_bytes())
                    write(data / f"{translated.stem}.dark.json",
                          themed(translated.json_bytes(), True))  # fmt: skip
                if shown.key == "all":  # a static page carries its default view's preview
                    page = chart_page(chart_id, title, "all", snap,
                                      preview=_preview(base_url or engine.settings.public_url,
                                                       shown))  # fmt: skip
                    write(root / chart_id / "index.html", page)
        if images:
            for fmt in IMAGE_TYPES:
                bodies = image_files.images([(k, p, "light") for k, p, _ in pictures], fmt)
                for (_k, _p, stem), body in zip(pictures, bodies, strict=True):
                    write(stem.with_name(f"{stem.name}.{fmt}"), body)
        for release in kept:
            _write_release(folder, release["as_of"], root, write)
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


def _preview(base_url: str, shown: public.PublicView) -> Preview:
    """Open Graph tags of a chart's default view, with its image's fixed address."""
    page = f"{base_url}/embed/{shown.result.chart}/"
    return Preview(shown.result.title, shown.summary, page,
                   f"{page}image/{shown.key}.png", alt_text(shown))  # fmt: skip


def _write_release(
    folder: Path, as_of: str, root: Path, write: Callable[[Path, str | bytes], None]
) -> None:
    """One kept release under <chart>/@<as_of>/, made from its archived files only."""
    for chart_id, keys in releases.views(folder, as_of).items():
        if chart_id not in public.PUBLIC_FILTERS:
            continue  # a chart made private since: its old release is not published
        base = root / chart_id / f"@{as_of}"
        title = CATALOGUE[chart_id].title
        write(base / "index.html", chart_page(chart_id, title, "all", None, release=as_of))
        for key in keys:
            try:
                public.parse_key(chart_id, key)
            except (FilterError, public.NotPublic):
                continue  # a filter no longer public: not published from the old release
            payload_bytes = releases.read(folder, as_of, chart_id, key, "json")
            csv_text = releases.read(folder, as_of, chart_id, key, "csv").decode()
            payload = json.loads(payload_bytes)
            write(base / "data" / f"{key}.json", payload_bytes)
            write(base / "data" / f"{key}.dark.json", themed(payload_bytes, True))
            write(base / "data" / f"{key}.csv", csv_text)
            write(base / "data" / f"{key}.metadata.json", reuse.metadata_json(payload))
            write(base / "data" / f"{key}.zip", reuse.package(payload, csv_text))
            for lang in LANGUAGES[1:]:
                translated = releases.read(folder, as_of, chart_id, key, f"{lang}.json")
                write(base / "data" / f"{key}.{lang}.json", translated)
                write(base / "data" / f"{key}.{lang}.dark.json", themed(translated, True))
