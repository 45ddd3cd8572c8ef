"""Turn an export folder into a published, anonymized warehouse file, atomically.

The build writes a new file beside the target, inside one explicit
transaction, checkpoints and closes it, reopens it read-only to verify it,
and only then renames it over the target. A build that fails validation, or
dies at any point, leaves the published file byte-for-byte as it was; the
stray files of a killed build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import resource
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.config import PROJECT_ROOT, QUERIES_DIR, env, env_int
from dashboard.db import build_schema, parameters_in
from dashboard.insights.disclosure import complement_rule
from dashboard.insights.publication import PublicationReport, publish
from dashboard.warehouse.release import Comparison, attached, carry_over
from dashboard.warehouse.validate import ExportInvalid, stage_and_validate

log = logging.getLogger(__name__)

BUILD_SQL_DIR = QUERIES_DIR / "build"
# The last steps run after the others commit: they store what Python computed from them.
PUBLICATION_STEPS = ("95_publication.sql", "96_published_results.sql")
KEY_ENV = "DASHBOARD_PSEUDONYM_KEY"
SHA256_BLOCK = 64  # bytes: HMAC pads the key to the hash's block size

# Export file -> the warehouse table its kept rows land in (for counts and verification).
LOADED_TABLES = {
    "members": "members",
    "questions": "questions",
    "rounds": "rounds",
    "votes": "votes",
    "comments": "comments",
    "projects": "projects",
    "enrollments": "enrollments",
    "activity": "activity",
    "events": "events",  # optional: an export without events.csv loads none
}


@dataclass(frozen=True)
class BuildResult:
    """What a successful build published."""

    path: Path
    build_id: str
    as_of: dt.date
    rows: dict[str, tuple[int, int]]
    warnings: list[str]
    seconds: float
    release: Comparison
    publication: PublicationReport


def pseudonym_key() -> tuple[bytes, str | None]:
    """The HMAC key, and a warning when a random per-build key had to be made."""
    value = env(KEY_ENV)
    if value:
        return value.encode("utf-8"), None
    return secrets.token_bytes(32), (
        f"{KEY_ENV} is not set: using a random key for this build only, so member "
        "pseudonyms will not be stable across builds. Set it to a long secret."
    )


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """HMAC-SHA256's inner and outer key pads (RFC 2104), for 00_pseudonyms.sql.

    With the pads, HMAC is two plain SHA-256 hashes, which DuckDB computes for every
    member id in parallel.
    """
    block = hashlib.sha256(key).digest() if len(key) > SHA256_BLOCK else key
    block = block.ljust(SHA256_BLOCK, b"\0")
    return {
        "inner_pad": bytes(b ^ 0x36 for b in block),
        "outer_pad": bytes(b ^ 0x5C for b in block),
    }


def code_version() -> str:
    """Package version plus the git commit when the code runs from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"0.1.0+{sha}" if sha else "0.1.0"


def build_statements() -> list[tuple[str, str, set[str]]]:
    """(name, sql, parameters) of queries/build/*.sql in order."""
    out = []
    for path in sorted(BUILD_SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        out.append((path.name, text, parameters_in(text)))
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stray_files(target: Path) -> list[Path]:
    """Remove what killed builds (or readers) left beside the target."""
    removed = []
    for prefix in (f".{target.name}.building-", f".{target.name}.open-"):
        for path in target.parent.glob(prefix + "*"):
            pid_text = path.name[len(prefix) :].split("-")[0].split(".")[0]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
                continue
            if path.is_dir():
                for child in sorted(path.rglob("*"), reverse=True):
                    child.unlink() if child.is_file() else child.rmdir()
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """One build per target at a time; a second one waits rather than racing."""
    lock_path = target.with_name(f".{target.name}.lock")
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _as_of(con: duckdb.DuckDBPyConnection, folder: Path) -> tuple[dt.date, str]:
    manifest = folder / "manifest.json"
    network = ""
    if manifest.is_file():
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"manifest.json is not valid JSON: {exc}") from exc
        network = str(meta.get("network", ""))[:200]
        exported = meta.get("exported_at")
        if exported:
            try:
                return dt.date.fromisoformat(str(exported)[:10]), network
            except ValueError as exc:
                raise ValueError(f"manifest.json exported_at is not a date: {exported!r}") from exc
    row = con.execute(
        "SELECT max(d) FROM ("
        "SELECT max(TRY_CAST(joined_on AS DATE)) d FROM raw_members UNION ALL "
        "SELECT max(TRY_CAST(submitted_on AS DATE)) FROM raw_questions UNION ALL "
        "SELECT max(TRY_CAST(closes_on AS DATE)) FROM raw_rounds UNION ALL "
        "SELECT max(CAST(utc_ts(cast_at) AS DATE)) FROM raw_votes UNION ALL "
        "SELECT max(CAST(utc_ts(posted_at) AS DATE)) FROM raw_comments UNION ALL "
        "SELECT max(TRY_CAST(occurred_on AS DATE)) FROM raw_enrollments UNION ALL "
        "SELECT max(TRY_CAST(occurred_on AS DATE)) FROM raw_activity)"
    ).fetchone()
    return (row[0] if row and row[0] else dt.date.today()), network


def _verify(path: Path, expected: dict[str, int], build_id: str) -> None:
    """Reopen the new file read-only and check it says what we wrote."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        info = con.execute("SELECT build_id FROM build_info").fetchall()
        if info != [(build_id,)]:
            raise RuntimeError(f"verification failed: build_info is {info}")
        for table, count in expected.items():
            got = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            if not got or got[0] != count:
                raise RuntimeError(f"verification failed: {table} has {got}, expected {count}")
    finally:
        con.close()


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    """Log a build step's wall time and the process's peak memory after it."""
    started = time.monotonic()
    yield
    log.info("build step %s: %.1fs, peak RSS so far %.0f MB", name,
             time.monotonic() - started, _peak_mb())  # fmt: skip


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


REPLACED = Path("<the release it replaces>")  # build_warehouse's default `previous`


def build_warehouse(
    source: Path,
    target: Path,
    *,
    memory_limit: str = "3GB",
    previous: Path | None = REPLACED,
    k: int | None = None,
    complement_rule: str | None = None,
) -> BuildResult:
    """Validate, anonymize and load an export; publish it at target atomically.

    `previous` is the release this one follows (by default the warehouse at `target`,
    if there is one; None for a first release): closed rounds and complete months keep
    the values it published (see dashboard/warehouse/release.py). `k` (default
    DASHBOARD_K) is the disclosure threshold the publication is protected for.
    `complement_rule` (default: the previous release's, or the current rule for a first
    release) moves a series of releases to another rule: the cells the previous release
    withheld in kept rounds stay withheld (release.py).
    `memory_limit` is DuckDB's: past it, the build spills to a temporary folder beside
    the target, so a 1M-member build stays under 4 GB resident (each step's time and
    the peak so far are logged).
    """
    started = time.monotonic()
    k = env_int("DASHBOARD_K") if k is None else k
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(target):
        clean_stray_files(target)
        if previous == REPLACED:
            previous = target if target.is_file() else None
        elif previous is not None and not Path(previous).is_file():
            raise FileNotFoundError(f"previous release {previous} does not exist")
        tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
        try:
            result = _build_into(source, tmp, memory_limit, previous, k, complement_rule)
            with _step("verify"):
                _verify(tmp, result["expected"], result["build_id"])
                _fsync(tmp)
            os.replace(tmp, target)
            _fsync(target.parent)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
            clean_stray_files(target)
    return BuildResult(
        target,
        result["build_id"],
        result["as_of"],
        result["rows"],
        result["warnings"],
        time.monotonic() - started,
        result["release"],
        result["publication"],
    )


def _build_into(source: Path, tmp: Path, memory_limit: str, previous: Path | None, k: int,
                rule: str | None = None) -> dict:  # fmt: skip
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(
        str(tmp),
        config={
            "memory_limit": memory_limit,
            "temp_directory": str(tmp) + ".spill",
            "preserve_insertion_order": True,
            "enable_external_access": True,
        },
    )
    try:
        con.execute(BUILD_SQL_DIR.joinpath("00_macros.sql").read_text(encoding="utf-8"))
        with _step("stage and validate"):
            report = stage_and_validate(con, source)
        if not report.ok:
            raise ExportInvalid(report)
        warnings = list(report.warnings)
        key, key_warning = pseudonym_key()
        if key_warning:
            warnings.append(key_warning)
        with _step("pseudonyms"):
            con.execute(
                BUILD_SQL_DIR.joinpath("00_pseudonyms.sql").read_text(encoding="utf-8"),
                hmac_pads(key),
            )
        dupes = con.execute(
            "SELECT count(*) - count(DISTINCT member_key) FROM pseudonyms"
        ).fetchone()
        if dupes and dupes[0]:
            raise RuntimeError("pseudonym collision: rebuild with another key")
        as_of, network = _as_of(con, source)
        build_id = f"{as_of:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        in_export = {
            name: int(con.execute(f"SELECT count(*) FROM raw_{name}").fetchone()[0])  # type: ignore[index]
            for name in LOADED_TABLES
        }
        with attached(con, previous):
            rows, release = _load(con, as_of, build_id, network, in_export, previous, k, rule)
        warnings += release.warnings
        steps = [BUILD_SQL_DIR.joinpath(n).read_text(encoding="utf-8") for n in PUBLICATION_STEPS]
        with _step("publication"), complement_rule(release.complement_rule):
            snapshot = (build_id, as_of.isoformat(), network)
            publication = publish(con, snapshot, k, (steps[0], steps[1]))
        with _step("checkpoint"):
            con.execute("CHECKPOINT")
    finally:
        con.close()
    expected = {LOADED_TABLES[n]: kept for n, (_, kept) in rows.items()}
    return {
        "build_id": build_id,
        "as_of": as_of,
        "rows": rows,
        "warnings": warnings,
        "expected": expected,
        "release": release,
        "publication": publication,
    }


def _load(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    build_id: str,
    network: str,
    in_export: dict[str, int],
    previous: Path | None,
    k: int | None = None,
    rule: str | None = None,
) -> tuple[dict[str, tuple[int, int]], Comparison]:
    """Every build step in one transaction, with the previous release's frozen periods."""
    con.execute("BEGIN TRANSACTION")
    try:
        # Build steps reference TEMP tables only through these fixed names.
        params: dict[str, object] = {
            "as_of": as_of,
            "build_id": build_id,
            "network": network,
            "code_version": code_version(),
            "schema": build_schema(),
        }
        for name, sql, needed in build_statements():
            if name.startswith(("00_", "9")):
                continue
            try:
                with _step(name):
                    con.execute(sql, {k: params[k] for k in needed})
            except duckdb.Error as exc:
                raise RuntimeError(f"build step {name} failed: {exc}") from exc
        with _step("carry over"):
            release = carry_over(con, previous, rule, k)
        params["complement_rule"] = release.complement_rule
        kept = {
            name: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for name, table in LOADED_TABLES.items()
        }
        rows = {name: (in_export[name], kept[name]) for name in LOADED_TABLES}
        con.execute(
            "CREATE TEMP TABLE source_counts AS SELECT * FROM (VALUES "
            + ", ".join("(?, ?, ?)" for _ in rows)
            + ") AS t(file, rows_in_export, rows_loaded)",
            [v for name, (a, b) in rows.items() for v in (f"{name}.csv", a, b)],
        )
        for name, sql, needed in build_statements():
            if name.startswith("9") and name not in PUBLICATION_STEPS:
                con.execute(sql, {k: params[k] for k in needed})
        with _step("commit"):
            con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows, release
