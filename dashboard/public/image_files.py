"""A public chart's image at a fixed address: words, rendering and a per-build cache.

The newsletter PNG and the social-media preview of a view are drawn from the very
payload its embed renders (for an archived release: its archived payload, so an old
release's image is never drawn from new data), in the payload's language and the
asked theme, by images.py with one kaleido browser per batch.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from dashboard.i18n import _, language
from dashboard.public.images import ImageText, image_figure, render_images

_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()
_RENDERING = threading.Lock()  # one render at a time per process; a request never queues


class Busy(RuntimeError):
    """Another image is being drawn: try again shortly (the server answers 503)."""


def image_text(payload: dict[str, Any]) -> ImageText:
    """Title, who and how many, source and as-of, in the payload's language."""
    labels = payload.get("labels") or {}
    who = payload.get("about") or ""
    subtitle = " · ".join(p for p in (who, labels.get("voters", "")) if p)
    with language(payload.get("lang") or "en"):
        source = _("Source: {network}, members' answers on its research platform, "
                   "anonymized. Counts under {k} people are withheld.").format(
            network=payload.get("network") or "", k=payload.get("k"))  # fmt: skip
    return ImageText(
        title=payload["title"],
        subtitle=subtitle,
        source=source,
        as_of=labels.get("as_of") or payload.get("as_of", ""),
        url=payload.get("archive_url", ""),
    )


def images(
    items: list[tuple[tuple, dict[str, Any], str]], fmt: str, wait: bool = True
) -> list[bytes]:
    """PNG or SVG bytes for (cache key, payload, theme) items, rendered once each.

    `wait=False` (the server): if another render is running, raise Busy instead of
    queueing, so a burst of requests for new images cannot pile up browser starts.
    """
    out: dict[int, bytes] = {}
    todo = []
    with _LOCK:
        for i, (key, _payload, _theme) in enumerate(items):
            hit = _CACHE.get((key, fmt))
            if hit is not None:
                out[i] = hit
            else:
                todo.append(i)
    if todo:
        if not _RENDERING.acquire(blocking=wait):
            raise Busy("another image is being drawn")
        try:
            figures = [image_figure(items[i][1]["figure"], image_text(items[i][1]), items[i][2])
                       for i in todo]  # fmt: skip
            rendered = render_images(figures, fmt)
        finally:
            _RENDERING.release()
        for i, body in zip(todo, rendered, strict=True):
            out[i] = body
            with _LOCK:
                _CACHE[(items[i][0], fmt)] = body
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
    return [out[i] for i in range(len(items))]
