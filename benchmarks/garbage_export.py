"""A huge garbage file in an export: the build must refuse it clearly, in bounded memory.

    python -m benchmarks.garbage_export [--size-gb 2] [--kind random|ascii|one-line|binary-csv]

Copies the fixture export to a scratch folder, replaces votes.csv with SIZE of
garbage (written in chunks, never held in memory), publishes a good warehouse
first, then runs `python -m dashboard build` on the bad export in a subprocess
and reports its exit code, time, peak memory (max RSS) and whether the
published warehouse is byte-for-byte unchanged. Not part of `make test`
(tests/hardening/test_bad_exports.py runs the same code on 50 MB).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_EXPORT = ROOT / "tests" / "fixtures" / "export"
CHUNK = 8 << 20
ASCII = b'abc,,,"""\n\r 0123456789-:T'
_ASCII: list[bytes] = []


def _ascii_chunk() -> bytes:
    """One CHUNK of random ASCII, made once (random enough to break any CSV parser)."""
    if not _ASCII:
        _ASCII.append(bytes(ASCII[b % len(ASCII)] for b in os.urandom(CHUNK)))
    return _ASCII[0]


# Runs the CLI and prints its peak RSS (KiB on Linux) last on stderr, whatever the exit.
RUNNER = (
    "import resource, sys\n"
    "from dashboard.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:], standalone_mode=True)\n"
    "finally:\n"
    "    print(f'peak_rss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
    "file=sys.stderr)\n"
)


def write_garbage(path: Path, size: int, kind: str = "random") -> None:
    """`size` bytes of garbage: random bytes, one endless line, or CSV-looking binary rows."""
    header = b"round_id,question_id,member_id,cast_at,value\n"
    with path.open("wb") as fh:
        fh.write(header)
        written = len(header)
        while written < size:
            n = min(CHUNK, size - written)
            if kind == "random":
                chunk = os.urandom(n)
            elif kind == "ascii":  # valid UTF-8: quotes, commas and newlines at random
                chunk = (
                    bytes(ASCII[b % len(ASCII)] for b in os.urandom(n))
                    if n < CHUNK
                    else (_ascii_chunk())
                )
            elif kind == "one-line":
                chunk = b"A" * n
            else:  # binary-csv: rows with the right number of fields, of invalid UTF-8
                row = b"R1,\xff\xfe,M01,\x80\x81,1\n"
                chunk = (row * (n // len(row) + 1))[:n]
            fh.write(chunk)
            written += n


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    seconds: float
    peak_mb: float
    stderr: str
    unchanged: bool


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def run_build(source: Path, target: Path, env: dict[str, str] | None = None) -> Outcome:
    """`python -m dashboard build SOURCE --out TARGET` in a fresh process, measured."""
    before = digest(target) if target.exists() else None
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "build", str(source), "--out", str(target)],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    peak = [line for line in proc.stderr.splitlines() if line.startswith("peak_rss_kib=")]
    peak_mb = int(peak[-1].split("=")[1]) / 1024 if peak else float("nan")
    unchanged = before is not None and target.exists() and digest(target) == before
    return Outcome(proc.returncode, seconds, peak_mb, proc.stderr, unchanged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=2.0)
    parser.add_argument(
        "--kind", choices=["random", "ascii", "one-line", "binary-csv"], default="random"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (big!)")
    args = parser.parse_args()
    env = {"DASHBOARD_PSEUDONYM_KEY": os.environ.get("DASHBOARD_PSEUDONYM_KEY", "bench-key")}
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="garbage-export-") as tmp:
        folder = Path(tmp)
        export = folder / "export"
        shutil.copytree(FIXTURE_EXPORT, export)
        target = folder / "warehouse.duckdb"
        good = run_build(export, target, env)
        if good.exit_code != 0:
            sys.exit(f"the fixture export did not build:\n{good.stderr}")
        size = int(args.size_gb * (1 << 30))
        started = time.monotonic()
        write_garbage(export / "votes.csv", size, args.kind)
        print(f"wrote {size / (1 << 30):.2f} GB of {args.kind} garbage in "
              f"{time.monotonic() - started:.1f}s")  # fmt: skip
        bad = run_build(export, target, env)
        first_lines = "\n".join(bad.stderr.splitlines()[:6])
        print(
            f"exit code {bad.exit_code} (want 2) in {bad.seconds:.1f}s, "
            f"peak memory {bad.peak_mb:.0f} MB, published warehouse unchanged: {bad.unchanged}"
        )
        print(first_lines)
        ok = bad.exit_code == 2 and bad.unchanged and "Traceback" not in bad.stderr
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
