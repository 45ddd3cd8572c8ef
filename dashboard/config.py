"""Settings from the environment, read when asked for (never at import time)."""

from __future__ import annotations

import os
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
        )
