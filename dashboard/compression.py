"""Compression for the researcher app (Flask-Compress), compressing each static bundle once.

Dash's component bundles and assets have fingerprinted URLs, so their
compressed bytes are cached by URL; dynamic responses (layouts, callbacks) are
compressed per response and never cached.

Dash sends its assets (our CSS, Bootstrap's 233 KB among them) as file streams,
which Flask-Compress leaves alone, with `Cache-Control: no-cache`: every page load
revalidated them and took them uncompressed (Lighthouse). An asset is now read
into memory, so it is compressed (once) like the bundles, and one requested by its
fingerprinted address (`?m=<mtime>`, which Dash writes into the page) is cached for
a year, as Dash already does for its component bundles.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Request, Response, request
from flask_compress import Compress

CACHEABLE_PREFIXES = ("/_dash-component-suites/", "/assets/")
ASSETS = "/assets/"
FINGERPRINTED_CACHE = "public, max-age=31536000, immutable"


class StaticOnlyCache:
    """A bounded in-process cache that ignores keys of dynamic responses."""

    def __init__(self, max_entries: int = 256) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> Any:
        if key.endswith(";"):
            return None
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: Any) -> None:
        if key.endswith(";"):
            return
        with self._lock:
            if len(self._data) >= self._max:
                self._data.pop(next(iter(self._data)))
            self._data[key] = value


def static_key(request: Request) -> str:
    """The URL for fingerprinted static files; empty (= do not cache) for anything else."""
    if request.method == "GET" and request.path.startswith(CACHEABLE_PREFIXES):
        return request.full_path
    return ""


def enable_compression(server: Flask) -> None:
    """gzip/br/zstd for everything compressible, each static bundle compressed once."""
    cache = StaticOnlyCache()
    server.config.update(
        COMPRESS_CACHE_BACKEND=lambda: cache,
        COMPRESS_CACHE_KEY=static_key,
        COMPRESS_MIN_SIZE=1000,
        # Streamed files (Dash assets) are left alone: compressing streams leaks the
        # file handle in Flask-Compress 1.x. Component bundles are not streamed.
        COMPRESS_STREAMS=False,
    )
    Compress(server)

    # Registered after Flask-Compress, so it runs before it (Flask runs these in reverse).
    @server.after_request
    def buffer_assets(response: Response) -> Response:
        if request.method != "GET" or not request.path.startswith(ASSETS):
            return response
        if response.status_code == 200 and response.is_streamed:
            stream = response.response
            try:
                body = b"".join(stream)
            finally:
                getattr(stream, "close", lambda: None)()
            response.direct_passthrough = False
            response.set_data(body)
        if request.args.get("m") and response.status_code in (200, 304):
            response.headers["Cache-Control"] = FINGERPRINTED_CACHE
        return response
