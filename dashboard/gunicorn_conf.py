"""Production serving: `gunicorn -c python:dashboard.gunicorn_conf 'app:make_server()'`.

Two cores: two worker processes with a few threads each (DuckDB releases the
GIL while it scans). The app is preloaded (it is checked once, and workers share its code pages);
the master closes DuckDB before forking and each worker opens its own. Everything is
overridable through the environment (DASHBOARD_BIND, DASHBOARD_WORKERS, ...: the
Settings in dashboard/config.py).
"""

from __future__ import annotations

from typing import Any

from dashboard.config import env, env_int, public_only

bind = env("DASHBOARD_BIND").split(",")
workers = env_int("DASHBOARD_WORKERS")
worker_class = "gthread"
threads = env_int("DASHBOARD_THREADS")
timeout = 30  # a query is interrupted after DASHBOARD_QUERY_TIMEOUT_S (5 s) long before
graceful_timeout = 20
keepalive = 5
preload_app = True
# Worker recycling is off by default: a recycled worker starts cold (caches empty), which
# showed up as latency spikes under load. DASHBOARD_MAX_REQUESTS turns it on.
max_requests = env_int("DASHBOARD_MAX_REQUESTS")
max_requests_jitter = max_requests // 10
accesslog = env("DASHBOARD_ACCESS_LOG") or None
errorlog = "-"
loglevel = env("DASHBOARD_LOG_LEVEL")
control_socket_disable = True  # several servers per machine (tests, benchmarks) must not clash
forwarded_allow_ips = env("DASHBOARD_FORWARDED_ALLOW_IPS")


def on_starting(server: Any) -> None:
    """Refuse to bind researcher pages beyond loopback without sign-in."""
    from dashboard.security import Auth, ExposureError, check_exposure

    try:
        for address in bind:
            host = address.rpartition(":")[0] if ":" in address else address
            check_exposure(host, Auth.from_env(), public_only())
    except ExposureError as exc:
        server.log.error(str(exc))
        raise SystemExit(2) from exc


def pre_fork(server: Any, worker: Any) -> None:
    """Close the master's DuckDB connections before forking: each worker opens its own.

    A DuckDB instance (with its threads) must never be inherited across fork().
    """
    from dashboard.db import close_all

    close_all()
