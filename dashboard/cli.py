"""Command line: `python -m dashboard synth|build|demo|serve`."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

import click

from dashboard.config import DEFAULT_WAREHOUSE, Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Community-insights dashboard: build the anonymized warehouse and serve it."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Folder.")
@click.option("--members", type=click.IntRange(100, 5_000_000), default=6000, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
def synth(out: Path, members: int, seed: int) -> None:
    """Write a realistic demo export folder in the EXPORT_FORMAT.md format."""
    from dashboard.warehouse.synth import write_demo_export

    started = time.monotonic()
    counts = write_demo_export(out, members=members, seed=seed)
    for name, count in counts.items():
        click.echo(f"{name}: {count:,} rows")
    click.echo(f"wrote {out} in {time.monotonic() - started:.1f}s")


def _build(source: Path, out: Path) -> None:
    from dashboard.warehouse.build import build_warehouse
    from dashboard.warehouse.validate import ExportInvalid

    try:
        result = build_warehouse(source, out)
    except ExportInvalid as exc:
        for warning in exc.report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name, (read, kept) in result.rows.items():
        click.echo(f"{name}: {read:,} rows read, {kept:,} kept")
    click.echo(
        f"published {result.path} (build {result.build_id}, as of {result.as_of}) "
        f"in {result.seconds:.1f}s"
    )


@main.command()
@click.argument("source_dir", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True
)
def build(source_dir: Path, out: Path) -> None:
    """Validate, anonymize and publish an export folder as the warehouse."""
    _build(source_dir, out)


@main.command()
@click.option("--members", type=click.IntRange(100, 5_000_000), default=6000, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--out", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True
)
def demo(members: int, seed: int, out: Path) -> None:
    """Generate a demo network and build it into the warehouse (synth + build)."""
    from dashboard.warehouse.synth import write_demo_export

    with tempfile.TemporaryDirectory(prefix="demo-export-") as folder:
        write_demo_export(Path(folder), members=members, seed=seed)
        _build(Path(folder), out)


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), default=None, help="File to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8050, show_default=True)
def serve(warehouse: Path | None, host: str, port: int) -> None:
    """Serve the app (the same as `python app.py`); DASHBOARD_WAREHOUSE also works."""
    from app import create_app

    settings = Settings.from_env(warehouse)
    app = create_app(settings)
    app.run(host=host, port=port, debug=False)
