"""Settings from the environment, read when asked for (never at import time)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
QUERIES_DIR = PROJECT_ROOT / "queries"


@dataclass(frozen=True)
class Settings:
    """What the app needs to know about its environment."""

    warehouse: Path
    k: int
    query_timeout_s: float
    network_name: str
    embed_origins: str = "*"
    cache_dir: Path | None = None
    cache_redis_url: str | None = None

    @classmethod
    def from_env(cls, warehouse: str | Path | None = None) -> Settings:
        """Read settings; an explicit warehouse path wins over DASHBOARD_WAREHOUSE."""
        path = warehouse or os.environ.get("DASHBOARD_WAREHOUSE") or DEFAULT_WAREHOUSE
        k = int(os.environ.get("DASHBOARD_K", "11"))
        if k < 2:
            raise ValueError("DASHBOARD_K must be at least 2")
        return cls(
            warehouse=Path(path),
            k=k,
            query_timeout_s=float(os.environ.get("DASHBOARD_QUERY_TIMEOUT_S", "5")),
            network_name=os.environ.get("DASHBOARD_NETWORK_NAME", ""),
            embed_origins=embed_origins(os.environ.get("DASHBOARD_EMBED_ORIGINS", "*")),
            cache_dir=_cache_dir(os.environ.get("DASHBOARD_CACHE_DIR", "")),
            cache_redis_url=os.environ.get("DASHBOARD_CACHE_REDIS_URL") or None,
        )


def _cache_dir(value: str) -> Path | None:
    """DASHBOARD_CACHE_DIR: a folder, or "off"; default data/cache."""
    if value.strip().lower() == "off":
        return None
    return Path(value) if value.strip() else PROJECT_ROOT / "data" / "cache"


ORIGIN = re.compile(r"\*|'self'|https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?")


def embed_origins(value: str) -> str:
    """The sites allowed to frame embeds (CSP frame-ancestors), checked strictly."""
    origins = value.split()
    bad = [o for o in origins if not ORIGIN.fullmatch(o)]
    if not origins or bad:
        raise ValueError(
            "DASHBOARD_EMBED_ORIGINS must be '*' or space-separated origins like "
            f"https://example.org (got {' '.join(bad)[:80] or 'nothing'})"
        )
    return " ".join(origins)
