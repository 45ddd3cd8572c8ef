"""Archived public releases: every public chart of a release, kept as files, never rewritten.

A researcher citing a figure needs it not to change after the next round; a partner may
want an embed that stays as published. So each release's public data (the embed payload
and the CSV of every public chart in every public filter set) is written once, when the
release is first served or built, into `<releases>/<as_of>/` (DASHBOARD_RELEASES_DIR,
by default beside the warehouse). Rebuilds never rewrite a kept release, and nothing in
it is ever recomputed from newer data: its metadata, zip and images are made from its
files alone. A second build with the same as-of date keeps the first one's archive.

Releases may be compared side by side without leaking: a release keeps only the views
that later releases cannot move (the catalogue's `keep`: closed rounds, complete months,
study funnels, questions; an open round is not served at all; not the discussion counts,
running totals that later releases move by 0 or at least k), and the build's release
policy (README "Releases") keeps each of those counts equal in every later release.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.i18n import LANGUAGES
from dashboard.public import charts as public

if TYPE_CHECKING:
    from dashboard.engine import Engine

log = logging.getLogger(__name__)
AS_OF = re.compile(r"\d{4}-\d{2}-\d{2}")
RELEASE_FILE = "release.json"
# What a release keeps per view (the page's JSON in each language, the CSV); the rest
# (metadata, zip, images) is made from these.
ARCHIVED = ("json", "csv", *(f"{lang}.json" for lang in LANGUAGES[1:]))
_LOCK = threading.Lock()


class NotArchived(LookupError):
    """No such kept release, chart or filter set."""


def archive(engine: Engine, folder: Path) -> Path | None:
    """Keep the engine's current release under `folder/<as_of>/` unless it is kept already.

    Written into a temporary folder and renamed into place in one step, so a reader (or
    a second worker archiving at the same moment) never sees half a release. Returns the
    release's folder, or None where the folder cannot be written (logged, not fatal: the
    live embeds do not depend on it).
    """
    engine = engine.pinned()
    snap = engine.warehouse.snapshot()
    if not AS_OF.fullmatch(snap.as_of or ""):
        log.warning("release not archived: as-of %r is not a date", snap.as_of)
        return None
    target = folder / snap.as_of
    if (target / RELEASE_FILE).is_file():
        return target
    with _LOCK:
        if (target / RELEASE_FILE).is_file():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{snap.as_of}-", dir=folder))
        except OSError as exc:
            log.warning("release not archived: %s is not writable (%s)", folder, exc)
            return None
        try:
            charts = _write_views(engine, staging)
            info = {
                "as_of": snap.as_of,
                "build_id": snap.build_id,
                "k": engine.k,
                "archived_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "charts": charts,
            }
            (staging / RELEASE_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
            try:
                os.rename(staging, target)  # atomic; fails if another writer won
            except OSError:
                if not (target / RELEASE_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("archived the public release of %s in %s", snap.as_of, target)
    return target


def _write_views(engine: Engine, root: Path) -> dict[str, list[str]]:
    """Every public chart in every public filter set: its payload and its CSV."""
    charts: dict[str, list[str]] = {}
    for chart_id in public.PUBLIC_FILTERS:
        keys = []
        (root / chart_id).mkdir()
        # (a chart that keeps nothing leaves an empty folder and an empty key list)
        for filters in public.combinations(engine, chart_id):
            if not public.kept_in_release(engine, chart_id, filters):
                continue  # the discussion's running totals: not frozen, not kept
            shown = public.view(engine, chart_id, filters)
            (root / chart_id / f"{shown.key}.json").write_bytes(shown.json_bytes())
            (root / chart_id / f"{shown.key}.csv").write_text(shown.csv(), encoding="utf-8")
            for lang in LANGUAGES[1:]:
                translated = public.view(engine, chart_id, filters, lang)
                (root / chart_id / f"{translated.stem}.json").write_bytes(translated.json_bytes())
            keys.append(shown.key)
        charts[chart_id] = keys
    return charts


def kept(folder: Path) -> list[dict[str, Any]]:
    """The kept releases, newest first (each its release.json without the key lists)."""
    if not folder.is_dir():
        return []
    out = []
    for entry in sorted(folder.iterdir(), reverse=True):
        info_file = entry / RELEASE_FILE
        if AS_OF.fullmatch(entry.name) and info_file.is_file():
            info = json.loads(info_file.read_text(encoding="utf-8"))
            out.append({k: v for k, v in info.items() if k != "charts"}
                       | {"charts": sorted(info.get("charts", {}))})  # fmt: skip
    return out


def release_folder(folder: Path, as_of: str) -> Path:
    """A kept release's folder; anything else (a bad date, an unknown one) is NotArchived."""
    if not AS_OF.fullmatch(as_of) or not (folder / as_of / RELEASE_FILE).is_file():
        raise NotArchived(f"no kept release of {as_of[:20]!r}")
    return folder / as_of


def read(folder: Path, as_of: str, chart_id: str, key: str, ext: str) -> bytes:
    """One archived file. The key is checked by the public filter rules before any path
    is made from it, so nothing but a canonical key of a public chart reaches the disk."""
    if ext not in ARCHIVED:
        raise NotArchived(ext)
    public.parse_key(chart_id, key)  # NotPublic / FilterError for anything else
    path = release_folder(folder, as_of) / chart_id / f"{key}.{ext}"
    if not path.is_file():
        raise NotArchived(f"{chart_id} {key} is not in the release of {as_of}")
    return path.read_bytes()


def views(folder: Path, as_of: str) -> dict[str, list[str]]:
    """Chart id -> the filter keys a kept release holds."""
    info = json.loads((release_folder(folder, as_of) / RELEASE_FILE).read_text("utf-8"))
    return {c: list(keys) for c, keys in info.get("charts", {}).items()}
