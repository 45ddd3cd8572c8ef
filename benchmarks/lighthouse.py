"""Lighthouse (desktop preset) on every researcher page and the public embeds: the release gate
of issue #15 item 8, measured.

Gates: accessibility 1.0 on every page and embed, desktop performance at least 0.9 on
every page. Lighthouse comes from npm (`npx --yes lighthouse@13.5.0`, needs Node and the
registry) and drives Debian's chromium (`CHROME_PATH`, default /usr/bin/chromium).

    python -m benchmarks.lighthouse [--warehouse FILE] [--server gunicorn|serve]
                                    [--only PATH ...] [--runs N] [--out FILE]

Without --warehouse it serves the demo warehouse `make run` serves (data/warehouse.duckdb,
built with `python -m dashboard demo --members 6000` when missing). It prints a Markdown
table (page, performance with the spread of the runs, accessibility, LCP, TBT, KB
transferred, the load average during the runs, failing audits) and, without --only, adds it
as a dated section at the top of benchmarks/LIGHTHOUSE.md (or --out); each full report is
kept as JSON under benchmarks/cache/lighthouse/. `make bench` runs it too (at 1M members,
not fatal).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "lighthouse@13.5.0"
DEMO = ROOT / "data" / "warehouse.duckdb"
REPORTS = ROOT / "benchmarks" / "cache" / "lighthouse"
TABLE = ROOT / "benchmarks" / "LIGHTHOUSE.md"
A11Y_GATE, PERF_GATE = 1.0, 0.9
# Researcher pages, as a reader opens them (a question's side panel, a comparison).
PAGES = (
    ("overview", "/"),
    ("priorities", "/priorities"),
    ("priorities, question open", "/priorities?question={top}"),
    ("priorities, comparison", "/priorities?round=R1&compare=role"),
    ("priorities, two groups", "/priorities?ms_course=progressive&vs=role%3Dcaregiver"),
    ("participation", "/participation"),
    ("projects", "/projects"),
    ("methods", "/methods"),
    ("present", "/present"),
)
# Audits that are measurements, not findings (shown in their own columns or not at all).
NOT_FINDINGS = {"largest-contentful-paint", "total-blocking-time"}


def all_pages(base: str) -> list[tuple[str, str]]:
    """Every researcher page, the embed index and each public chart's embed (its default
    view); the question opened is the one ranked first on the server at `base`."""
    from dashboard.catalogue import public_charts

    top = top_question(base)
    return [*((name, path.format(top=top)) for name, path in PAGES), ("embed index", "/embed/"),
            *((f"embed {c.id}", f"/embed/{c.id}/") for c in public_charts())]  # fmt: skip


def top_question(base: str) -> str:
    """The question ranked first by default (its side panel is one of the pages)."""
    with urllib.request.urlopen(base + "/api/v1/charts/priorities.json", timeout=60) as r:
        rows = json.loads(r.read())["rows"]
    return next(str(r["question_id"]) for r in rows if r.get("question_id"))


def log(message: str) -> None:
    print(f"[lighthouse {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_demo(warehouse: Path = DEMO) -> Path:
    """The demo warehouse `make run` serves, built when missing."""
    if not warehouse.exists():
        log(f"building the 6,000-member demo warehouse at {warehouse}")
        subprocess.run([sys.executable, "-m", "dashboard", "demo", "--members", "6000",
                        "--out", str(warehouse)], check=True, cwd=ROOT)  # fmt: skip
    return warehouse


@contextmanager
def flask_serve(warehouse: Path, cache_dir: Path):
    """`python -m dashboard serve` (Flask's own server) on a free port."""
    from benchmarks.run import free_port, serving

    port = free_port()
    env = {**os.environ, "DASHBOARD_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "dashboard", "serve", "--warehouse", str(warehouse),
           "--port", str(port)]  # fmt: skip
    with serving(cmd, env, port) as running:
        yield running


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (desktop preset, performance and accessibility): its JSON report."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    with tempfile.TemporaryDirectory(prefix="lighthouse-chrome-") as profile:
        flags = f"--headless=new --no-sandbox --disable-dev-shm-usage --user-data-dir={profile}"
        subprocess.run(
            ["npx", "--yes", LIGHTHOUSE, url, "--preset=desktop",
             "--only-categories=performance,accessibility", "--output=json",
             f"--output-path={out}", f"--chrome-flags={flags}", "--quiet"],
            check=True, env=env, cwd=ROOT, timeout=300,
        )  # fmt: skip
    return json.loads(out.read_text())


def failing(report: dict[str, Any]) -> list[str]:
    """What to fix: every accessibility audit that fails; the performance metrics below 0.9
    (besides LCP and TBT, which have their own columns) and the opportunities worth at
    least 100 ms or 50 KB, biggest first."""
    audits, found = report["audits"], []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0:
            found.append(ref["id"])
    saving = []
    for ref in report["categories"]["performance"]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        score, value = audit.get("score"), (audit.get("displayValue") or "").replace("\xa0", " ")
        if ref.get("group") == "metrics":
            if ref["id"] not in NOT_FINDINGS and score is not None and score < 0.9:
                found.append(f"{ref['id']} {value}".strip())
            continue
        details = audit.get("details") or {}
        ms, kb = (
            details.get("overallSavingsMs") or 0,
            (details.get("overallSavingsBytes") or 0) / 1024,
        )
        if score is not None and score < 1 and (ms >= 100 or kb >= 50):
            saving.append((-ms, -kb, f"{ref['id']} ({value})" if value else ref["id"]))
    return found + [label for *_, label in sorted(saving)]


def summarize(name: str, path: str, report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]

    def numeric(audit: str) -> float:
        return float(audits.get(audit, {}).get("numericValue") or 0)

    cats = report["categories"]
    return {
        "page": name, "path": path,
        "performance": cats["performance"]["score"],
        "accessibility": cats["accessibility"]["score"],
        "lcp_ms": numeric("largest-contentful-paint"),
        "tbt_ms": numeric("total-blocking-time"),
        "fcp_ms": numeric("first-contentful-paint"),
        "transferred_kb": numeric("total-byte-weight") / 1024,
        "failing": failing(report),
        "runtime_error": (report.get("runtimeError") or {}).get("message"),
    }  # fmt: skip


def run_all(base: str, pages: list[tuple[str, str]], runs: int = 1) -> list[dict[str, Any]]:
    """Lighthouse on each page, one after the other (they share the cores); with several
    runs, the run with the median performance score."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, path in pages:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        log(f"{name}: {path}")
        found = []
        for n in range(runs):
            load = os.getloadavg()[0]
            try:
                report = lighthouse(base + path, REPORTS / f"{slug}-{n}.json")
            except (subprocess.SubprocessError, OSError, ValueError) as exc:
                log(f"{name}: lighthouse failed: {exc}")
                continue
            found.append({**summarize(name, path, report), "load": load})
            r = found[-1]
            log(f"{name} run {n + 1}: performance {_score(r['performance'])}, "
                f"accessibility {_score(r['accessibility'])}, TBT {r['tbt_ms']:.0f} ms, "
                f"load {load:.1f}")  # fmt: skip
        if not found:
            rows.append({"page": name, "path": path, "error": "no run finished"})
            continue
        loads = [r["load"] for r in found]
        found.sort(key=lambda r: r["performance"] or 0)
        rows.append({**found[len(found) // 2], "loads": (min(loads), max(loads)),
                     "runs": [r["performance"] for r in found]})  # fmt: skip
    return rows


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The Markdown table; a score below its gate is in bold."""
    lines = [
        "| page | performance | accessibility | LCP | TBT | transferred | load | failing audits |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['page']} (`{r['path']}`) | - | - | - | - | - | - "
                         f"| lighthouse failed: {r['error'][:120]} |")  # fmt: skip
            continue
        perf, a11y = _score(r["performance"]), _score(r["accessibility"])
        is_embed = r["path"].startswith("/embed/")
        if not is_embed and (r["performance"] or 0) < PERF_GATE:
            perf = f"**{perf}**"
        runs = [x for x in r.get("runs", ()) if x is not None]
        if len(runs) > 1:  # the median, and the spread of the runs
            perf += f" ({min(runs):.2f}-{max(runs):.2f})"
        if (r["accessibility"] or 0) < A11Y_GATE:
            a11y = f"**{a11y}**"
        notes = ", ".join(r["failing"]) or "none"
        if r.get("runtime_error"):
            notes = f"runtime error: {r['runtime_error']}; {notes}"
        low, high = r.get("loads") or (r.get("load"), r.get("load"))
        load = "-" if low is None else f"{low:.1f}" if low == high else f"{low:.1f}-{high:.1f}"
        lines.append(
            f"| {r['page']} (`{r['path']}`) | {perf} | {a11y} | {r['lcp_ms'] / 1000:.1f} s "
            f"| {r['tbt_ms']:.0f} ms | {r['transferred_kb']:,.0f} KB | {load} | {notes} |"
        )
    return lines


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    ok = [r for r in rows if "error" not in r]
    pages = [r for r in ok if not r["path"].startswith("/embed/")]
    low_a11y = [r["page"] for r in ok if (r["accessibility"] or 0) < A11Y_GATE]
    low_perf = [r["page"] for r in pages if (r["performance"] or 0) < PERF_GATE]
    failed = [r["page"] for r in rows if "error" in r]
    out = [
        "- Accessibility 1.0 on every page and embed: "
        + ("met" if not low_a11y and not failed else f"**missed** ({', '.join(low_a11y)})"),
        "- Desktop performance at least 0.9 on every page: "
        + ("met" if not low_perf and not failed else f"**missed** ({', '.join(low_perf)})"),
    ]
    if failed:
        out.append(f"- Not measured (Lighthouse failed): {', '.join(failed)}")
    return out


def write_section(out: Path, text: str) -> None:
    """The run as a dated section at the top of `out`, below its title; earlier sections
    (the measurements before and after each change) are kept."""
    old = out.read_text() if out.exists() else ""
    title, _, rest = old.partition("\n") if old.startswith("# ") else ("", "", old)
    section = f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: full run\n\n{text}"
    out.write_text(f"{title or '# Lighthouse: every page and public embed'}\n\n{section}\n"
                   f"{rest.lstrip(chr(10))}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="default: the demo, built if missing")
    parser.add_argument(
        "--server",
        choices=("gunicorn", "serve"),
        default="gunicorn",
        help="gunicorn (make serve's settings) or python -m dashboard serve",
    )
    parser.add_argument(
        "--only",
        nargs="*",
        help="only these paths (e.g. / /embed/topics/; "
        "'/priorities?question={top}' is the question ranked first)",
    )
    parser.add_argument("--out", type=Path, default=TABLE, help="the Markdown table's file")
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is kept)")
    args = parser.parse_args()
    warehouse = args.warehouse or ensure_demo()
    from benchmarks.run import gunicorn

    server = gunicorn if args.server == "gunicorn" else flask_serve
    load = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp,
        server(warehouse, Path(tmp) / "cache") as (base, _),
    ):
        pages = all_pages(base)
        if args.only:
            top = top_question(base)
            only = {path.format(top=top) for path in args.only}
            pages = [p for p in pages if p[1] in only] or [(p, p) for p in sorted(only)]
        for _name, path in pages:  # warm the server's caches: measure the page
            urllib.request.urlopen(base + path, timeout=60).read()
        rows = run_all(base, pages, args.runs)
    load = max([load, os.getloadavg()[0], *(high for r in rows for high in r.get("loads", ()))])
    lines = [
        f"Lighthouse {LIGHTHOUSE.split('@')[1]} (`--preset=desktop`, simulated throttling), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.server}, "
        f"warehouse `{os.path.relpath(warehouse, ROOT)}`, "
        f"median of {args.runs} run(s) by performance score, "
        f"load average up to {load:.1f} on {os.cpu_count()} cores; "
        "`python -m benchmarks.lighthouse`.",
        "",
        *table(rows),
        "",
        *verdicts(rows),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.only:
        write_section(args.out, text)
    (REPORTS / "summary.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
