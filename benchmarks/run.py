"""`make bench`: the benchmark suite at network scale; writes benchmarks/RESULTS.md.

Steps (each heavy step in its own process, so memory figures are its own):
  1. a 1,000,000-member demo export (synth) and its warehouse build, timed, with
     peak memory; both cached in benchmarks/cache/ (delete it to redo them);
  2. the pandas baseline: load, then every interaction (benchmarks/pandas_baseline.py);
  3. the same interactions through the real API path of the app (Flask test client,
     engine result cache cleared before every call: this is compute time);
  4. cold page loads in headless chromium against gunicorn: first chart visible,
     bytes of JavaScript and data transferred, for an explorer page and an embed;
  5. embed throughput and latency under load: wrk from a second process against
     gunicorn on loopback;
  6. Lighthouse (desktop) on every page and public embed (benchmarks/lighthouse.py; needs
     npx and the npm registry, not fatal when it cannot run).

    python -m benchmarks.run [--members N] [--repeat R] [--skip-load]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PY = sys.executable
KEY = "benchmark-pseudonym-key"
TARGET_MS = 10.0  # #14: a cold interaction's server time at 1M, p95
TARGET_BUILD_S = 120.0  # #14: the 1M build within 2 minutes and 4 GB peak
TARGET_BUILD_MB = 4096.0
TARGET_RATIO = 10.0
TARGET_RSS_MB = 500.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def proc_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


# --- step 1: export and build --------------------------------------------------------


def measured(cmd: list[str]) -> dict[str, float]:
    """Run a command in a child of a fresh process: wall time and that child's peak RSS."""
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic(); subprocess.run(sys.argv[1:], check=True)\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'seconds': time.monotonic() - t, 'max_rss_mb': ru.ru_maxrss / 1024}))"
    )
    env = {**os.environ, "DASHBOARD_PSEUDONYM_KEY": KEY}
    out = subprocess.run([PY, "-c", code, *cmd], check=True, capture_output=True, text=True,
                         env=env, cwd=ROOT)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_warehouse(members: int) -> tuple[Path, dict[str, Any]]:
    """The cached 1M warehouse, generating and building it (timed) when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    export = CACHE / f"export-{members}"
    warehouse = CACHE / f"warehouse-{members}.duckdb"
    stats_file = CACHE / f"build-{members}.json"
    from dashboard.db import build_schema

    if warehouse.exists() and stats_file.exists():
        stats = json.loads(stats_file.read_text())
        if stats.get("schema") == build_schema():
            stats["cached"] = True
            return warehouse, stats
        log("the build changed since the cached warehouse was made: rebuilding it")
        warehouse.unlink()
    stats: dict[str, Any] = {"members": members, "schema": build_schema()}
    if not (export / "votes.csv").exists():
        log(f"synth: {members:,} members")
        stats["synth"] = measured([PY, "-m", "dashboard", "synth", "--out", str(export),
                                   "--members", str(members), "--seed", "1"])  # fmt: skip
    log("build: warehouse from the export")
    stats["build"] = measured([PY, "-m", "dashboard", "build", str(export), "--out",
                               str(warehouse), "--first-release"])  # fmt: skip
    stats["votes_csv_rows"] = sum(1 for _ in (export / "votes.csv").open("rb")) - 1
    stats["measured_on"] = time.strftime("%Y-%m-%d %H:%M")
    stats_file.write_text(json.dumps(stats, indent=2))
    stats["cached"] = False
    return warehouse, stats


# --- steps 2 and 3: interactions ------------------------------------------------------


def child_pandas(warehouse: Path, repeat: int, out: Path) -> None:
    """In a child process: the pandas baseline, its cases, timings and memory."""
    from benchmarks.pandas_baseline import PandasBaseline, default_cases

    base = PandasBaseline(warehouse)
    cases = default_cases(base)
    timings: dict[str, list[float]] = {}
    for label, chart, args in cases:
        base.run(chart, args)  # warm-up (first-call imports and the like)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            base.run(chart, args)
            times.append((time.perf_counter() - t) * 1000)
        timings[label] = times
    out.write_text(json.dumps({"cases": cases, "timings": timings, "load": base.load_stats(),
                               "rss_mb": proc_kb("VmRSS") / 1024,
                               "hwm_mb": proc_kb("VmHWM") / 1024}))  # fmt: skip


def child_engine(warehouse: Path, repeat: int, cases_file: Path, out: Path) -> None:
    """In a child process: each case through the app's real API path (Flask + engine)."""
    from urllib.parse import urlencode

    from dashboard.config import Settings
    from dashboard.security import Auth
    from dashboard.server import create_app

    settings = Settings(warehouse=warehouse, k=11, query_timeout_s=30, network_name="")
    app = create_app(settings, Auth())
    from dashboard.insights.priorities import forget_recent_tables

    engine = app.server.config["ENGINE"]
    client = app.server.test_client()
    cases = json.loads(cases_file.read_text())["cases"]
    timings: dict[str, list[float]] = {}
    cached: dict[str, list[float]] = {}
    for label, chart, args in cases:
        url = f"/api/v1/charts/{chart}.json?{urlencode(args)}"
        assert client.get(url).status_code == 200, url  # warm-up
        times, hits = [], []
        for _ in range(repeat):
            engine._cache.clear()  # measure the computation, not our caches
            forget_recent_tables()
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.data[:200])
            t = time.perf_counter()
            client.get(url)
            hits.append((time.perf_counter() - t) * 1000)
        timings[label], cached[label] = times, hits
    out.write_text(json.dumps({"timings": timings, "cached": cached,
                               "rss_mb": proc_kb("VmRSS") / 1024,
                               "hwm_mb": proc_kb("VmHWM") / 1024}))  # fmt: skip


# --- steps 4 and 5: a real server -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(cmd: list[str], env: dict[str, str], port: int, start_s: float = 120.0):
    """Run a server command until the block ends; yield (base URL, process) once it answers.

    Start-up waits up to `start_s`: a 1M warehouse on a loaded two-core machine can take
    over 30 s before /healthz answers. A server that exits early fails at once, with its log.
    """
    logfile = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_s
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    logfile.seek(0)
                    tail = logfile.read().decode(errors="replace")[-2000:]
                    late = f"did not answer in {start_s:.0f} s"
                    why = "exited" if proc.poll() is not None else late
                    raise RuntimeError(f"{cmd[2]} {why}:\n{tail}") from None
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        logfile.close()


@contextmanager
def gunicorn(warehouse: Path, cache_dir: Path, public_only: bool = False):
    """gunicorn with `make serve`'s configuration on a free port."""
    port = free_port()
    env = {**os.environ, "DASHBOARD_WAREHOUSE": str(warehouse),
           "DASHBOARD_BIND": f"127.0.0.1:{port}", "DASHBOARD_CACHE_DIR": str(cache_dir),
           "DASHBOARD_PUBLIC_ONLY": "1" if public_only else "", "DASHBOARD_LOG_LEVEL": "warning",
           "DASHBOARD_QUERY_TIMEOUT_S": "30"}  # fmt: skip
    cmd = [PY, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf", "app:make_server()"]
    with serving(cmd, env, port) as running:
        yield running


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master)."""
    out = []
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return out


def cold_loads(base: str, path: str, ready_css: str, runs: int) -> dict[str, Any]:
    """Fresh headless chromium per run: ms to the first chart, bytes of JS and data."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    results = []
    for _ in range(runs):
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--user-data-dir={tempfile.mkdtemp(prefix='bench-chrome-')}"):  # fmt: skip
            options.add_argument(flag)
        options.binary_location = shutil.which("chromium") or "chromium"
        driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
        try:
            driver.get("about:blank")
            driver.get(base + path)
            deadline = time.monotonic() + 30
            while not driver.find_elements(By.CSS_SELECTOR, ready_css):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no chart at {path}")
                time.sleep(0.01)
            visible_ms = driver.execute_script("return performance.now()")
            entries = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => ({name: e.name, "
                "type: e.initiatorType, size: e.transferSize, body: e.decodedBodySize}))"
                ".concat(performance.getEntriesByType('navigation').map(e => ({name: e.name,"
                " type: 'document', size: e.transferSize, body: e.decodedBodySize})))"
            )
        finally:
            driver.quit()
        js = [e for e in entries if e["name"].split("?")[0].endswith(".js")]
        # Dash's answers: fetched by the renderer, or preloaded by the head (a "link")
        data = [e for e in entries if e["type"] in ("fetch", "xmlhttprequest")
                or (e["type"] == "link" and "/_dash-" in e["name"])]  # fmt: skip
        results.append({
            "visible_ms": visible_ms,
            "js_transferred": sum(e["size"] for e in js),
            "js_decoded": sum(e["body"] for e in js),
            "data_transferred": sum(e["size"] for e in data),
            "total_transferred": sum(e["size"] for e in entries),
            "requests": len(entries),
        })  # fmt: skip
    return {"runs": results, "first_ms": results[0]["visible_ms"],
            "median_ms": statistics.median(r["visible_ms"] for r in results[1:] or results),
            **{k: results[-1][k] for k in ("js_transferred", "js_decoded", "data_transferred",
                                           "total_transferred", "requests")}}  # fmt: skip


def wrk(url: str, seconds: int, connections: int, threads: int = 1) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", "Accept-Encoding: gzip", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip

    def latency(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in sock.groups()) if sock else 0)  # fmt: skip
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"), "errors": errors,
            "requests": total, "connections": connections, "seconds": seconds}  # fmt: skip


# --- the report -------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores", "memory": f"{mem / 1024 / 1024:.1f} GB",
        "os": platform.platform(), "python": platform.python_version(),
        "versions": ", ".join(f"{p} {version(p)}" for p in (
            "dash", "plotly", "pandas", "duckdb", "flask", "gunicorn", "Flask-Caching")),
        "chromium": chromium.strip(), "wrk": wrk_v.strip(),
    }  # fmt: skip


def verdict(ok: bool, miss: str = "") -> str:
    return "met" if ok else f"**missed** {miss}".strip()


def write_report(r: dict[str, Any]) -> None:
    m, b = r["machine"], r["build"]
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `make bench` (`python -m benchmarks.run`) on {r['date']}. "
        "Numbers are from this one run; rerun to refresh.",
        "",
        f"- Machine: {m['cpu']}, {m['memory']} RAM, {m['os']}",
        f"- Python {m['python']}; {m['versions']}",
        f"- {m['chromium']}; {m['wrk']}",
        "",
        "## Warehouse build",
        "",
    ]
    synth = b.get("synth")
    lines += [
        f"Network: {b['members']:,} members, {b.get('votes_csv_rows', 0):,} vote rows in the "
        "export."
        + (
            f" Build measured on {b.get('measured_on')} and cached since."
            if b.get("cached")
            else ""
        ),
        "",
        "| step | wall time | peak memory (RSS) |",
        "|---|---:|---:|",
    ]
    if synth:
        lines.append(
            f"| synth (export) | {synth['seconds']:.1f} s | {synth['max_rss_mb']:,.0f} MB |"
        )
    lines += [
        f"| build (validate, anonymize, roll up, publish) | {b['build']['seconds']:.1f} s | "
        f"{b['build']['max_rss_mb']:,.0f} MB |",
        "",
        "## Researcher interactions: server time",
        "",
        f"Each case {r['repeat']} times after a warm-up. *Ours*: `GET /api/v1/charts/<id>.json` "
        "through Flask and the engine, with the engine's result cache cleared before every "
        "call (so this is the computation; a repeated view is the *cached* column). *pandas*: "
        "the straightforward in-memory implementation in `benchmarks/pandas_baseline.py`. "
        "Milliseconds; ratio = pandas median / ours median.",
        "",
        "| interaction | ours median | ours p95 | cached median | pandas median | pandas p95 "
        "| ratio | p95 ≤ 10 ms | ≥ 10x |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|:-:|",
    ]
    eng, pan = r["engine"], r["pandas"]
    worst_p95, worst_ratio = 0.0, float("inf")
    for label, _chart, _args in pan["cases"]:
        ours, theirs = eng["timings"][label], pan["timings"][label]
        om, op95 = statistics.median(ours), pct(ours, 95)
        pm, pp95 = statistics.median(theirs), pct(theirs, 95)
        ratio = pm / om if om else float("inf")
        worst_p95, worst_ratio = max(worst_p95, op95), min(worst_ratio, ratio)
        lines.append(
            f"| {label} | {om:.1f} | {op95:.1f} | {statistics.median(eng['cached'][label]):.2f} "
            f"| {pm:.1f} | {pp95:.1f} | {ratio:.1f}x | {'yes' if op95 <= TARGET_MS else 'NO'} "
            f"| {'yes' if ratio >= TARGET_RATIO else 'NO'} |"
        )
    load = pan["load"]
    lines += [
        "",
        f"Memory: our process (app + DuckDB, all cases run) {eng['rss_mb']:.0f} MB resident, "
        f"peak {eng['hwm_mb']:.0f} MB. pandas: loading took {load['load_seconds']:.1f} s; "
        f"{pan['rss_mb']:.0f} MB resident after the cases, peak {pan['hwm_mb']:.0f} MB.",
        "",
    ]
    if "server" in r:
        s = r["server"]
        lines += [
            "## Served by gunicorn (2 workers x 4 threads)",
            "",
            f"Worker resident memory after the page loads and the load test: "
            f"{', '.join(f'{v:.0f} MB' for v in s['worker_rss_mb'])}.",
            "",
            "### Cold page load in headless chromium (fresh browser profile each run)",
            "",
            "| page | first load, server cold | median of later browser-cold loads "
            "| JS transferred | JS uncompressed | data transferred | all bytes | requests |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, p in s["pages"].items():
            lines.append(
                f"| {name} | {p['first_ms']:.0f} ms | {p['median_ms']:.0f} ms "
                f"| {p['js_transferred'] / 1024:,.0f} KB | {p['js_decoded'] / 1024:,.0f} KB "
                f"| {p['data_transferred'] / 1024:,.1f} KB "
                f"| {p['total_transferred'] / 1024:,.0f} KB "
                f"| {p['requests']} |"
            )
        if s.get("interactions"):
            lines += [
                "",
                "### What a researcher waits for in the explorer (headless chromium, 1440 px)",
                "",
                "From the reader's own input event (pointer or key down) to the answer drawn "
                "(`benchmarks/interactions.py`; the first of each is a warm-up, not counted).",
                "",
                "| interaction | median | p95 | runs |",
                "|---|---:|---:|---:|",
            ]
            for name, t in s["interactions"].items():
                lines.append(f"| {name} | {t['median_ms']:.0f} ms | {t['p95_ms']:.0f} ms "
                             f"| {t['runs']} |")  # fmt: skip
        if s.get("lighthouse"):
            from benchmarks.lighthouse import table, verdicts

            lines += [
                "",
                "### Lighthouse (desktop preset, performance and accessibility)",
                "",
                "`benchmarks/lighthouse.py` (npx lighthouse@13.5.0, Debian chromium) against this "
                "gunicorn; a score below its gate is in bold (embeds have no performance gate).",
                "",
                *table(s["lighthouse"]),
                "",
                *verdicts(s["lighthouse"]),
            ]
        lines += [
            "",
            "### Public embeds under load (wrk, 1 thread, from a second process on the same "
            "2 cores)",
            "",
            "| URL | connections | requests/s | per core | p50 | p99 | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, w in s["load"].items():
            lines.append(
                f"| `{name}` | {w['connections']} | {w['rps']:,.0f} | {w['rps'] / 2:,.0f} "
                f"| {w['p50_ms']:.1f} ms | {w['p99_ms']:.1f} ms | {w['errors']} |"
            )
    lines += ["", "## Targets", ""]
    built = b["build"]
    build_ok = built["seconds"] <= TARGET_BUILD_S and built["max_rss_mb"] <= TARGET_BUILD_MB
    p95_note = f"(worst p95 {worst_p95:.1f} ms)"
    ratio_note = f"(lowest ratio {worst_ratio:.1f}x)"
    lines += [
        f"- Interaction server time p95 ≤ 10 ms: {verdict(worst_p95 <= TARGET_MS, p95_note)}",
        f"- The 1M build within 2 minutes and 4 GB peak: {verdict(build_ok)} "
        f"({built['seconds']:.1f} s, {built['max_rss_mb']:,.0f} MB)",
        f"- At least 10x faster than pandas: {verdict(worst_ratio >= TARGET_RATIO, ratio_note)}",
    ]
    if "server" in r:
        s = r["server"]
        rss = max(s["worker_rss_mb"])
        e = s["load"]["/embed/priorities/data/all.json"]
        page = s["pages"]["explorer /priorities"]
        embed = s["pages"]["embed /embed/priorities/"]
        per_core = e["rps"] / 2
        load_ok = per_core >= 1500 and e["p99_ms"] < 20 and e["errors"] == 0
        load_note = f"({per_core:,.0f}/s per core, p99 {e['p99_ms']:.1f} ms, {e['errors']} errors)"
        js_kb = embed["js_transferred"] / 1024
        lines += [
            f"- Worker resident memory < 500 MB: {verdict(rss < TARGET_RSS_MB)} ({rss:.0f} MB)",
            f"- Cached embeds >= 1,500 requests/s per core, p99 < 20 ms, zero errors: "
            f"{verdict(load_ok)} {load_note}",
            f"- First chart visible < 1.5 s: explorer {verdict(page['median_ms'] < 1500)} "
            f"({page['median_ms']:.0f} ms), embed {verdict(embed['median_ms'] < 1500)} "
            f"({embed['median_ms']:.0f} ms)",
            f"- Embed JavaScript < 700 KB compressed: {verdict(js_kb < 700)} ({js_kb:,.0f} KB)",
        ]
        ui = s.get("interactions") or {}
        if ui:
            who = ui["who voted changed"]["median_ms"]
            opened = max(ui[k]["median_ms"] for k in ui if k.startswith("question"))
            lines += [
                f"- A 'who voted' change redrawn within 500 ms (median): "
                f"{verdict(who <= 500)} ({who:.0f} ms)",
                f"- A question opened within 500 ms (median, list and dot): "
                f"{verdict(opened <= 500)} ({opened:.0f} ms)",
            ]
    notes = RESULTS.with_name("NOTES.md")
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    RESULTS.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-load", action="store_true", help="skip steps 4 and 5")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, warehouse, repeat, *files = args.child
        if kind == "pandas":
            child_pandas(Path(warehouse), int(repeat), Path(files[0]))
        else:
            child_engine(Path(warehouse), int(repeat), Path(files[0]), Path(files[1]))
        return 0
    started = time.monotonic()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "repeat": args.repeat, "machine": machine()}  # fmt: skip
    warehouse, report["build"] = ensure_warehouse(args.members)
    log(f"warehouse: {warehouse} ({warehouse.stat().st_size / 1e6:.0f} MB)")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        pandas_out, engine_out = Path(tmp) / "pandas.json", Path(tmp) / "engine.json"
        me = [PY, "-m", "benchmarks.run", "--child"]
        log("pandas baseline")
        subprocess.run([*me, "pandas", str(warehouse), str(args.repeat), str(pandas_out)],
                       check=True, cwd=ROOT)  # fmt: skip
        report["pandas"] = json.loads(pandas_out.read_text())
        log("engine through the API path")
        subprocess.run([*me, "engine", str(warehouse), str(args.repeat), str(pandas_out),
                        str(engine_out)], check=True, cwd=ROOT)  # fmt: skip
        report["engine"] = json.loads(engine_out.read_text())
        if not args.skip_load:
            with gunicorn(warehouse, Path(tmp) / "cache") as (base, proc):
                log("cold page loads")
                pages = {
                    "explorer /priorities": cold_loads(base, "/priorities",
                                                       "#priorities-graph .main-svg", 6),
                    "embed /embed/priorities/": cold_loads(base, "/embed/priorities/",
                                                           "#chart[data-rendered='true']", 6),
                }  # fmt: skip
                log("explorer interactions in chromium")
                from benchmarks.interactions import measure, summarize

                try:
                    interactions = summarize(measure(base, 10))
                except Exception as exc:  # reported in the log, not fatal
                    log(f"explorer interactions not measured: {exc}")
                    interactions = {}
                log("lighthouse on every page and embed")
                from benchmarks.lighthouse import all_pages
                from benchmarks.lighthouse import run_all as lighthouse_all

                try:
                    lighthouse = lighthouse_all(base, all_pages(base))
                except Exception as exc:  # reported in the log, not fatal (needs npm)
                    log(f"lighthouse not run: {exc}")
                    lighthouse = []
                log("embed load test")
                load = {}
                for path in ("/embed/priorities/data/all.json", "/embed/priorities/"):
                    wrk(base + path, 3, 16)  # warm every worker
                    load[path] = wrk(base + path, 15, 32)
                report["server"] = {"pages": pages, "load": load, "interactions": interactions,
                                    "lighthouse": lighthouse,
                                    "worker_rss_mb": worker_rss_mb(proc.pid)}  # fmt: skip
    (CACHE / "last-run.json").write_text(json.dumps(report, indent=2, default=str))
    write_report(report)
    log(f"wrote {RESULTS} in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
