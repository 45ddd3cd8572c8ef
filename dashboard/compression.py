"""Compression for the researcher app (Flask-Compress), compressing each static bundle once.

Dash's component bundles and assets have fingerprinted URLs, so their
compressed bytes are cached by URL; dynamic responses (layouts, callbacks) are
compressed per response and never cached.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Request
from flask_compress import Compress

CACHEABLE_PREFIXES = ("/_dash-component-suites/", "/assets/")


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
