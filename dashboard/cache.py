"""The results cache shared by workers (and machines): Flask-Caching's backends.

Entries are keyed by the warehouse build id, so a rebuild can never serve a
stale number; old builds' entries simply stop being asked for and are pruned.
A filesystem cache under data/cache is the default; Redis when
DASHBOARD_CACHE_REDIS_URL is set. Entries are pickles: the cache must be as
trusted as the app itself (see SECURITY.md).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from flask_caching.backends import BaseCache, FileSystemCache, RedisCache

from dashboard.config import Settings

log = logging.getLogger(__name__)
KEY_VERSION = "v1"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The installed package's version: entries made by other code are never reused."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("community-insights-dashboard")
    except PackageNotFoundError:
        return "dev"


def shared_cache(settings: Settings) -> BaseCache | None:
    """The configured shared cache, or None when caching across workers is off."""
    if settings.cache_redis_url:
        import redis  # only needed when Redis is configured

        client = redis.Redis.from_url(settings.cache_redis_url, socket_timeout=0.5)
        return RedisCache(host=client, key_prefix="community-insights:", default_timeout=0)
    if settings.cache_dir:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return FileSystemCache(str(settings.cache_dir), threshold=20_000, default_timeout=0)
    return None


def cache_key(build_id: str, chart_id: str, query: dict[str, str]) -> str:
    """Build id first: a new build is a new key space."""
    parts = "&".join(f"{k}={query[k]}" for k in sorted(query))
    return f"{KEY_VERSION}:{code_version()}:{build_id}:{chart_id}:{parts}"


def safe_get(cache: BaseCache, key: str) -> Any:
    """A cache outage costs speed, never an error page."""
    try:
        return cache.get(key)
    except Exception:
        log.warning("shared cache unavailable (get)", exc_info=True)
        return None


def safe_set(cache: BaseCache, key: str, value: Any) -> None:
    try:
        cache.set(key, value)
    except Exception:
        log.warning("shared cache unavailable (set)", exc_info=True)
