"""Command line: `python -m dashboard synth|build|demo|check|serve|publish|digest`."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

import click

from dashboard.config import DEFAULT_WAREHOUSE, Settings
from dashboard.insights.disclosure import BUILD_RULES


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


def _build(source: Path, out: Path, previous: Path | str | None = "replaced",
           rule: str | None = None) -> None:  # fmt: skip
    """Build and report; `previous` is a file, None (a first release) or "replaced"."""
    from dashboard.warehouse.build import REPLACED, build_warehouse
    from dashboard.warehouse.validate import ExportInvalid

    follows = REPLACED if previous == "replaced" else previous
    try:
        result = build_warehouse(source, out, previous=Path(follows) if follows else None,
                                 complement_rule=rule)  # fmt: skip
    except ExportInvalid as exc:
        for warning in exc.report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name, (read, kept) in result.rows.items():
        click.echo(f"{name}: {read:,} rows read, {kept:,} kept")
    click.echo(f"release: {result.release.describe()}")
    click.echo(f"publication: {result.publication.describe()}")
    click.echo(
        f"published {result.path} (build {result.build_id}, as of {result.as_of}) "
        f"in {result.seconds:.1f}s"
    )
    _archive(result.path)


def _archive(warehouse: Path) -> None:
    """Keep the new release's public charts under its as-of date (never rewritten)."""
    from dashboard.engine import Engine
    from dashboard.public.releases import archive

    settings = Settings.from_env(warehouse)
    kept = archive(Engine(settings), settings.releases())
    click.echo(f"public release kept in {kept}" if kept else "public release not kept")


@main.command()
@click.argument("source_dir", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The release this one follows (default: the file at --out).",
)
@click.option(
    "--first-release",
    is_flag=True,
    help="Follow no earlier release: nothing is kept from the file at --out.",
)
@click.option(
    "--complement-rule",
    type=click.Choice(list(BUILD_RULES)),
    default=None,
    help="Choose complements by this rule from now on (default: the previous release's; "
    "the cells it withheld in kept rounds stay withheld).",
)
def build(source_dir: Path, out: Path, previous: Path | None, first_release: bool,
          complement_rule: str | None) -> None:  # fmt: skip
    """Validate, anonymize and publish an export folder as the warehouse.

    Closed rounds and complete months keep the values the previous release published.
    """
    if previous and first_release:
        raise click.UsageError("--previous and --first-release exclude each other")
    _build(source_dir, out, None if first_release else (previous or "replaced"),
           complement_rule)  # fmt: skip


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
        _build(Path(folder), out, previous=None)  # a new demo network, not a next release


@main.command()
@click.argument("warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE)
def check(warehouse: Path) -> None:
    """Exit 0 if WAREHOUSE can be served by this code, else say why and exit 1."""
    from dashboard.db import Warehouse, WarehouseError

    if not warehouse.is_file():
        click.echo(f"{warehouse}: no such file", err=True)
        sys.exit(1)
    try:
        snapshot = Warehouse(warehouse).snapshot()
    except (WarehouseError, OSError) as exc:
        click.echo(f"{warehouse}: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{warehouse}: build {snapshot.build_id}, as of {snapshot.as_of}: current")


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), default=None, help="File to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8050, show_default=True)
@click.option("--public-only", is_flag=True, help="Serve only the public embeds (/embed/).")
def serve(warehouse: Path | None, host: str, port: int, public_only: bool) -> None:
    """Serve the app with Flask's server (for production use gunicorn; see README)."""
    from dashboard.db import WarehouseError
    from dashboard.security import Auth, ExposureError, check_exposure
    from dashboard.server import create_app, create_public_server

    settings = Settings.from_env(warehouse)
    auth = Auth.from_env()
    try:
        check_exposure(host, auth, public_only)
    except ExposureError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    try:
        server = (
            create_public_server(settings) if public_only else create_app(settings, auth).server
        )
    except WarehouseError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    server.run(host=host, port=port, debug=False)


@main.command("hash-password")
@click.option("--user", required=True, help="The user name to put before the hash.")
@click.password_option(help="Read from a prompt if not given.")
def hash_password(user: str, password: str) -> None:
    """Print a `user:hash` line for DASHBOARD_USERS."""
    from werkzeug.security import generate_password_hash

    if ":" in user or "," in user or not user.strip():
        raise click.BadParameter("no ':' or ',' in user names", param_hint="--user")
    click.echo(f"{user}:{generate_password_hash(password)}")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write.")
@click.option("--warehouse", type=click.Path(path_type=Path), default=None, help="Warehouse.")
@click.option("--base-url", default="", help="Where DIR will be served, for the snippets.")
@click.option("--images/--no-images", default=True, show_default=True,
              help="Also draw every view's PNG and SVG (about a second each).")  # fmt: skip
def publish(out: Path, warehouse: Path | None, base_url: str, images: bool) -> None:
    """Write every public chart, in every public filter set, as static files."""
    from dashboard.db import WarehouseError
    from dashboard.engine import Engine
    from dashboard.public.publish import publish as write_site

    started = time.monotonic()
    try:
        engine = Engine(Settings.from_env(warehouse))
        result = write_site(engine, out, base_url.rstrip("/"), images=images)
    except WarehouseError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(
        f"wrote {result.files:,} files to {result.out / 'embed'} "
        f"(build {result.build_id}) in {time.monotonic() - started:.1f}s"
    )


@main.command("digest")
@click.option("--deck", "deck_name", required=True, help="The deck's name or slug.")
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="The PDF file to write."
)
@click.option(
    "--email-to",
    "email_to",
    multiple=True,
    metavar="ADDR",
    help="Mail the PDF to ADDR (repeatable) via the SMTP settings (DASHBOARD_SMTP_HOST...).",
)
@click.option("--warehouse", type=click.Path(path_type=Path), default=None, help="Warehouse.")
def digest_command(deck_name: str, out: Path, email_to: tuple[str, ...],
                   warehouse: Path | None) -> None:  # fmt: skip
    """Render a saved deck as a dated PDF for staff, and mail it (for cron).

    The PDF is written first: a mail that cannot be sent exits 1 and loses nothing.
    """
    from dashboard import digest as dg
    from dashboard.db import WarehouseError
    from dashboard.engine import Engine
    from dashboard.present.store import DeckStore, StoreError

    started = time.monotonic()
    try:
        recipients = dg.parse_recipients(email_to)
        deck = dg.find_deck(DeckStore(), deck_name)
        made = dg.make_digest(Engine(Settings.from_env(warehouse)), deck)
        dg.write_pdf(made.pdf, out)
        click.echo(
            f"wrote {out}: {deck.name!r}, {made.pages} pages (a title page and "
            f"{made.pages - 1} slides), data as of {made.as_of}, build {made.build_id}, "
            f"in {time.monotonic() - started:.1f}s"
        )
        if recipients:
            smtp = dg.SmtpSettings.from_env()
            dg.mail(made, recipients, smtp)
            click.echo(f"mailed {made.filename} to {', '.join(recipients)} via {smtp.host}")
    except dg.DigestError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.code)
    except (StoreError, WarehouseError) as exc:
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)
        sys.exit(2)
