"""Settings from the environment, declared once (SETTINGS) and read when asked for.

Every environment variable the app reads is a `Setting` below, and is read through
`env()` and its typed forms; nothing else in the app touches `os.environ`.
tests/test_config.py fails when a module reads an undeclared name or the README's
Settings table forgets one. An unset or empty variable means the default.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = PROJECT_ROOT / "queries"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (as text) and what it does."""

    name: str
    default: str
    help: str


# Relative path defaults are under the project folder; relative paths given in the
# environment are relative to the working directory.
SETTINGS: tuple[Setting, ...] = (
    # The app (researcher pages, embeds, API, CLI).
    Setting("DASHBOARD_WAREHOUSE", "data/warehouse.duckdb",
            "The warehouse file to serve; `--warehouse` wins over it."),
    Setting("DASHBOARD_K", "11",
            "Disclosure threshold: a count of people below k is withheld (at least 2)."),
    Setting("DASHBOARD_QUERY_TIMEOUT_S", "5",
            "Seconds a query may run before it is interrupted."),
    Setting("DASHBOARD_NETWORK_NAME", "",
            "The network's name in the page header and slides (else the export's name)."),
    Setting("DASHBOARD_PUBLIC_URL", "http://127.0.0.1:8050",
            "The address the public reaches this app at (e.g. `https://insights.example.org`): "
            "embed snippets use it, never the request's Host header."),
    Setting("DASHBOARD_EMBED_ORIGINS", "*",
            "Sites allowed to frame the public embeds (CSP `frame-ancestors`): `*` "
            "or space-separated origins like `https://example.org`."),
    Setting("DASHBOARD_NETWORK_URL", "",
            "The network's own website: public footers, citations and image source lines "
            "link to it."),
    Setting("DASHBOARD_LICENSE", "CC BY 4.0",
            "The licence of the public data and images, named in every reuse package."),
    Setting("DASHBOARD_RELEASES_DIR", "",
            "Folder of archived public releases (kept across rebuilds); default: "
            "`<warehouse>.releases/` beside the warehouse file."),
    Setting("DASHBOARD_CACHE_DIR", "data/cache",
            "Folder of the results cache shared by workers; `off` disables it."),
    Setting("DASHBOARD_CACHE_REDIS_URL", "",
            "A Redis URL: the results cache lives there instead (several machines)."),
    Setting("DASHBOARD_APP_STATE", "data/app-state",
            "Folder of application state (saved presentation decks)."),
    Setting("DASHBOARD_PUBLIC_ONLY", "",
            "`1`: serve only the public app (embeds and their data), no researcher pages."),
    # Sign-in.
    Setting("DASHBOARD_USERS", "",
            "Researchers who may sign in: comma-separated `user:hash` pairs, or a file of "
            "`user:hash` lines (hashes from `python -m dashboard hash-password`)."),
    Setting("DASHBOARD_AUTH_HEADER", "",
            "Trust this request header (e.g. `X-Forwarded-User`) set by an authenticating proxy."),
    # Building the warehouse.
    Setting("DASHBOARD_PSEUDONYM_KEY", "",
            "Secret HMAC key for member pseudonyms; unset, each build makes a random key "
            "(pseudonyms then change between builds) and warns."),
    # The staff digest (`python -m dashboard digest --email-to`).
    Setting("DASHBOARD_SMTP_HOST", "", "Digest mail: the SMTP server's host name."),
    Setting("DASHBOARD_SMTP_PORT", "587", "Digest mail: the SMTP server's port."),
    Setting("DASHBOARD_SMTP_USER", "", "Digest mail: the SMTP login (none: no login)."),
    Setting("DASHBOARD_SMTP_PASSWORD", "", "Digest mail: the SMTP password."),
    Setting("DASHBOARD_SMTP_FROM", "", "Digest mail: the sender address (default: the login)."),
    Setting("DASHBOARD_SMTP_STARTTLS", "1",
            "Digest mail: `1` upgrades the connection with STARTTLS before login (`0`: "
            "only for a local relay or a test server)."),
    # gunicorn (dashboard/gunicorn_conf.py, `make serve`).
    Setting("DASHBOARD_BIND", "127.0.0.1:8050",
            "gunicorn: address(es) to listen on, comma-separated `host:port`."),
    Setting("DASHBOARD_WORKERS", "2", "gunicorn: worker processes."),
    Setting("DASHBOARD_THREADS", "4", "gunicorn: threads per worker."),
    Setting("DASHBOARD_MAX_REQUESTS", "0",
            "gunicorn: recycle a worker after this many requests (0: never)."),
    Setting("DASHBOARD_ACCESS_LOG", "",
            "gunicorn: access log file (`-` for stdout); none by default."),
    Setting("DASHBOARD_LOG_LEVEL", "info", "gunicorn: log level."),
    Setting("DASHBOARD_FORWARDED_ALLOW_IPS", "127.0.0.1",
            "gunicorn: proxies whose `X-Forwarded-*` headers are trusted."),
)  # fmt: skip
DECLARED: dict[str, Setting] = {s.name: s for s in SETTINGS}
DEFAULT_WAREHOUSE = PROJECT_ROOT / DECLARED["DASHBOARD_WAREHOUSE"].default


def env(name: str) -> str:
    """A declared setting's value: the environment's, or its default when unset or empty."""
    try:
        setting = DECLARED[name]
    except KeyError:
        raise KeyError(f"{name} is not a declared setting (dashboard/config.py SETTINGS)") from None
    value = os.environ.get(name, "")
    return value if value.strip() else setting.default


def env_int(name: str) -> int:
    value = env(name)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number (got {value[:40]!r})") from None


def env_float(name: str) -> float:
    value = env(name)
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number (got {value[:40]!r})") from None


def env_flag(name: str) -> bool:
    """On when the variable is `1`."""
    return env(name).strip() == "1"


def env_path(name: str) -> Path:
    """A path setting: the environment's as given, else the default under the project."""
    value = env(name)
    return Path(value) if os.environ.get(name, "").strip() else PROJECT_ROOT / value


def public_only() -> bool:
    """DASHBOARD_PUBLIC_ONLY=1: serve only the public app."""
    return env_flag("DASHBOARD_PUBLIC_ONLY")


@dataclass(frozen=True)
class Settings:
    """What the app needs to know about its environment."""

    warehouse: Path
    k: int
    query_timeout_s: float
    network_name: str
    embed_origins: str = "*"
    public_url: str = "http://127.0.0.1:8050"
    cache_dir: Path | None = None
    cache_redis_url: str | None = None
    network_url: str = ""
    license: str = "CC BY 4.0"
    releases_dir: Path | None = None

    def releases(self) -> Path:
        """Where archived public releases live: the setting, else beside the warehouse."""
        return self.releases_dir or self.warehouse.with_name(self.warehouse.name + ".releases")

    @classmethod
    def from_env(cls, warehouse: str | Path | None = None) -> Settings:
        """Read settings; an explicit warehouse path wins over DASHBOARD_WAREHOUSE."""
        k = env_int("DASHBOARD_K")
        if k < 2:
            raise ValueError("DASHBOARD_K must be at least 2")
        return cls(
            warehouse=Path(warehouse) if warehouse else env_path("DASHBOARD_WAREHOUSE"),
            k=k,
            query_timeout_s=env_float("DASHBOARD_QUERY_TIMEOUT_S"),
            network_name=env("DASHBOARD_NETWORK_NAME"),
            embed_origins=embed_origins(env("DASHBOARD_EMBED_ORIGINS")),
            public_url=public_url(env("DASHBOARD_PUBLIC_URL")),
            cache_dir=_cache_dir(),
            cache_redis_url=env("DASHBOARD_CACHE_REDIS_URL") or None,
            network_url=public_url(env("DASHBOARD_NETWORK_URL"), "DASHBOARD_NETWORK_URL")
            if env("DASHBOARD_NETWORK_URL")
            else "",
            license=env("DASHBOARD_LICENSE").strip()[:80] or "CC BY 4.0",
            releases_dir=env_path("DASHBOARD_RELEASES_DIR")
            if env("DASHBOARD_RELEASES_DIR")
            else None,
        )


PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?")


def public_url(value: str, name: str = "DASHBOARD_PUBLIC_URL") -> str:
    """DASHBOARD_PUBLIC_URL checked: http(s), a host, an optional port and path; no '/' at end.

    Snippets pasted on other sites are built from it; taking the request's Host header
    instead would let one request poison a cache keyed on the path alone.
    """
    url = value.strip().rstrip("/")
    if not PUBLIC_URL.fullmatch(url):
        raise ValueError(f"{name}={value[:80]!r} is not an http(s) address")
    return url


def _cache_dir() -> Path | None:
    """DASHBOARD_CACHE_DIR: a folder, or "off"; default data/cache."""
    if env("DASHBOARD_CACHE_DIR").strip().lower() == "off":
        return None
    return env_path("DASHBOARD_CACHE_DIR")


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
