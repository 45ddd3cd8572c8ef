"""The one place that opens the warehouse: read-only, external access off, config locked.

DuckDB allows one database instance per file per process with one set of
settings, so the app keeps a single connection per warehouse file and hands out
a cursor per call. A rebuild publishes a new file under the same name; the
connection notices the new build id and reopens, so readers move to the new
snapshot without a restart and in-flight queries finish on the old one.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import re
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from dashboard.config import PROJECT_ROOT, QUERIES_DIR

T = TypeVar("T")

log = logging.getLogger(__name__)

READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "threads": 2,
    "memory_limit": "2GB",
    "lock_configuration": True,
}


# A DuckDB file is three 4 KiB headers, then its blocks (pragma_database_size counts them).
FILE_HEADERS = 3 * 4096


class WarehouseError(RuntimeError):
    """The warehouse is missing, corrupt, or not one this app built."""


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was interrupted."""


@dataclass(frozen=True)
class Snapshot:
    """An open, read-only warehouse file and what it says about itself."""

    connection: duckdb.DuckDBPyConnection
    build_id: str
    as_of: str
    network: str
    file_id: tuple[int, int, int]
    # How the build chose complements (build_info): a chart computed on the spot (a k the
    # build did not publish) is protected the same way. Empty for the build's own reader,
    # which runs under the rule the build set.
    complement_rule: str = ""


def _file_id(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


_OPEN_SEQ = itertools.count()


def open_read_only(path: Path) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int, int]]:
    """Open a warehouse file the only way the app ever does.

    DuckDB caches database instances by path, so reopening a path after a new
    build replaced it would return the old snapshot. Each open therefore goes
    through a fresh hard link (removed once open); where links are not
    possible the path itself is used and a new build is seen after restart.
    """
    if not path.is_file():
        raise WarehouseError(
            f"No warehouse at {path}. Build one with `python -m dashboard demo` "
            "or `python -m dashboard build EXPORT_DIR`."
        )
    link = path.with_name(f".{path.name}.open-{os.getpid()}-{next(_OPEN_SEQ)}")
    try:
        os.link(path, link)
        target = link
    except OSError:
        target = path
    try:
        # The identity of the file actually opened (the link's inode), taken before the
        # open: a build swapped in meanwhile then differs from it and is picked up next.
        opened = _file_id(target)
        return duckdb.connect(str(target), read_only=True, config=dict(READ_ONLY_CONFIG)), opened
    except duckdb.Error as exc:
        raise WarehouseError(f"{path} is not a readable warehouse: {exc}") from exc
    finally:
        if target != path:
            link.unlink(missing_ok=True)


# What decides a built warehouse's content: its SQL steps, the queries the publication
# runs, and the code that computes, protects and lays out the publication (the charts'
# declarations, filters, insights, disclosure control, the build). A warehouse built by
# other code is refused with "rebuild it" (its numbers may have been protected by other
# rules, or lack what this app looks up), and `make run` rebuilds the demo then
# (`python -m dashboard check`).
BUILD_INPUTS = ("queries/**/*.sql", "dashboard/catalogue.py", "dashboard/filters.py",
                "dashboard/insights/*.py", "dashboard/warehouse/*.py")  # fmt: skip


def build_inputs() -> list[Path]:
    """The files whose content decides what a built warehouse holds."""
    return sorted({path for pattern in BUILD_INPUTS for path in PROJECT_ROOT.glob(pattern)})


@functools.cache
def build_schema() -> str:
    """A short hash of the build's inputs (their paths and contents)."""
    digest = hashlib.sha256()
    for path in build_inputs():
        name = path.relative_to(PROJECT_ROOT).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _describe(
    con: duckdb.DuckDBPyConnection, path: Path, file_id: tuple[int, int, int]
) -> Snapshot:
    try:
        row = con.execute("SELECT build_id, as_of::VARCHAR, network FROM build_info").fetchone()
    except duckdb.Error as exc:
        raise WarehouseError(f"{path} has no build_info table: not a built warehouse") from exc
    if row is None:
        raise WarehouseError(f"{path} has an empty build_info table")
    try:
        built = con.execute("SELECT schema FROM build_info").fetchone()
    except duckdb.Error:
        built = None
    if built is None or built[0] != build_schema():
        raise WarehouseError(
            f"{path} was built by another version of the build (schema "
            f"{built[0] if built else 'unknown'}, this app needs {build_schema()}): rebuild it "
            "with `python -m dashboard build EXPORT_DIR` (or `make demo`)"
        )
    blocks = con.execute("SELECT total_blocks, block_size FROM pragma_database_size()").fetchone()
    needed = FILE_HEADERS + blocks[0] * blocks[1] if blocks else 0
    if file_id[1] < needed:
        # A truncated copy opens and reads its catalogue, then fails on the missing blocks.
        raise WarehouseError(
            f"{path} is truncated: {file_id[1]:,} bytes where its blocks need {needed:,}; "
            "copy it again or rebuild it"
        )
    try:
        rule = con.execute("SELECT complement_rule FROM build_info").fetchone()
    except duckdb.Error:
        rule = None
    return Snapshot(con, row[0], row[1], row[2] or "", file_id, str(rule[0]) if rule else "")


class Warehouse:
    """Thread-safe access to the current snapshot of one warehouse file."""

    building = False  # True only for the build's own reader, before anything is published

    def __init__(self, path: Path, timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._refused: tuple[int, int, int] | None = None
        self._memo: dict[tuple, pd.DataFrame] = {}
        self._memo_lock = threading.Lock()

    def pinned(self) -> Warehouse:
        """A view that answers every query from today's snapshot, even if a rebuild lands.

        A chart runs several queries; pinning makes its answer come entirely
        from one build, never half from the old and half from the new.
        """
        return Pinned(self, self.snapshot())

    def run_static(self, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
        """A small lookup query (rounds, questions, projects), remembered per build."""
        key = (name, tuple(sorted(params.items())))
        return self.remember(key, lambda: self.run_named(name, params)[0]).copy()

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per build for this key (for values no filter changes)."""
        key = (self.snapshot().build_id, key)
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._memo_lock:
            if len(self._memo) > 256:
                self._memo.clear()
            self._memo[key] = value
        return value

    def snapshot(self) -> Snapshot:
        """The current snapshot, reopened if a new build was published."""
        with self._lock:
            current = self._snapshot
            try:
                changed = current is None or _file_id(self.path) != current.file_id
            except FileNotFoundError:
                changed = False  # mid-swap or removed: keep serving what we have
                if current is None:
                    raise WarehouseError(f"No warehouse at {self.path}") from None
            if changed and current is not None and self._refused == _file_id(self.path):
                return current  # this replacement was refused already: no reopening per query
            if changed:
                try:
                    con, opened = open_read_only(self.path)
                except WarehouseError as exc:
                    if current is None:
                        raise
                    return self._refuse(current, exc)
                try:
                    fresh = _describe(con, self.path, opened)
                except WarehouseError as exc:
                    con.close()
                    if current is None:
                        raise
                    return self._refuse(current, exc)
                self._snapshot = fresh
                # The old connection is left for in-flight cursors; GC closes it.
            assert self._snapshot is not None
            return self._snapshot

    def _refuse(self, current: Snapshot, exc: WarehouseError) -> Snapshot:
        """Keep serving the snapshot we have when its replacement is corrupt or truncated."""
        try:
            self._refused = _file_id(self.path)
        except FileNotFoundError:
            self._refused = None
        log.error("new warehouse file refused (%s); still serving %s", exc, current.build_id)
        return current

    def query(
        self, sql: str, params: Mapping[str, Any] | None = None, *, name: str = "sql"
    ) -> tuple[pd.DataFrame, Snapshot]:
        """Run one read statement with bound parameters under the time limit."""
        snap = self.snapshot()
        cur = snap.connection.cursor()
        timer = threading.Timer(self.timeout_s, cur.interrupt)
        timer.start()
        try:
            df = cur.execute(sql, dict(params or {})).df()
        except duckdb.InterruptException as exc:
            log.warning("query %s interrupted after %.1fs", name, self.timeout_s)
            raise QueryTimeout(f"query {name} took longer than {self.timeout_s}s") from exc
        except duckdb.IOException as exc:  # e.g. a damaged file: unavailable, not a crash
            log.error("query %s could not read %s: %s", name, self.path, exc)
            raise WarehouseError(f"{self.path} could not be read") from exc
        except duckdb.Error:
            log.exception("query %s failed with params %s", name, sorted((params or {}).keys()))
            raise
        finally:
            timer.cancel()
            cur.close()
        return df, snap

    def run_named(self, name: str, params: Mapping[str, Any]) -> tuple[pd.DataFrame, Snapshot]:
        """Run queries/<name>.sql with exactly the parameters its text names."""
        sql = load_query(name)
        return self.query(sql.text, sql.bind(params), name=name)


class Pinned(Warehouse):
    """A Warehouse fixed to one snapshot (see Warehouse.pinned)."""

    def __init__(self, parent: Warehouse, snap: Snapshot) -> None:
        self.path = parent.path
        self.timeout_s = parent.timeout_s
        self._snap = snap
        self._memo = parent._memo
        self._memo_lock = parent._memo_lock

    def snapshot(self) -> Snapshot:
        return self._snap

    def pinned(self) -> Warehouse:
        return self


class BuildReader(Pinned):
    """The build's own connection read as a snapshot: the build publishes what it computes
    from the finished rollups with the queries the app runs (dashboard/insights/publication.py).
    """

    building = True

    def __init__(self, con: duckdb.DuckDBPyConnection, build_id: str, as_of: str,
                 network: str) -> None:  # fmt: skip
        self.path = Path("<building>")
        self.timeout_s = 3600.0
        self._snap = Snapshot(con, build_id, as_of, network, (0, 0, 0))
        self._memo = {}
        self._memo_lock = threading.Lock()


@dataclass(frozen=True)
class NamedQuery:
    """One SELECT from queries/, with the $parameters its text uses."""

    name: str
    text: str
    parameters: frozenset[str]

    def bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Pass exactly the names the SQL uses; a missing one is a programming error."""
        missing = self.parameters - params.keys()
        if missing:
            raise KeyError(f"query {self.name} needs parameters {sorted(missing)}")
        return {key: params[key] for key in self.parameters}


_QUERY_CACHE: dict[str, NamedQuery] = {}


def load_query(name: str) -> NamedQuery:
    """Load queries/<name>.sql; names come from code, never from requests."""
    if name not in _QUERY_CACHE:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"bad query name {name!r}")
        text = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        _QUERY_CACHE[name] = NamedQuery(name, text, frozenset(parameters_in(text)))
    return _QUERY_CACHE[name]


def parameters_in(sql: str) -> set[str]:
    """The $names a SQL text binds, ignoring comments and string literals."""
    body = re.sub(r"--[^\n]*", "", sql)
    body = re.sub(r"'(?:[^']|'')*'", "''", body)
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))


_WAREHOUSES: dict[Path, Warehouse] = {}
_WAREHOUSES_LOCK = threading.Lock()


def get_warehouse(path: Path, timeout_s: float = 5.0) -> Warehouse:
    """The process-wide Warehouse for a file (one connection per process)."""
    key = Path(os.path.abspath(path))
    with _WAREHOUSES_LOCK:
        if key not in _WAREHOUSES:
            _WAREHOUSES[key] = Warehouse(key, timeout_s)
        return _WAREHOUSES[key]


def close_all() -> None:
    """Close every open warehouse connection of this process (before fork()).

    The next query reopens the current snapshot, so this is safe at any time
    when no query is running.
    """
    with _WAREHOUSES_LOCK:
        for warehouse in _WAREHOUSES.values():
            with warehouse._lock:
                snap, warehouse._snapshot = warehouse._snapshot, None
            if snap is not None:
                snap.connection.close()
