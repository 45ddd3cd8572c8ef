"""Shared fixtures: the tiny hand-countable export, built once into a real DuckDB file."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import settings

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.warehouse.build import build_warehouse
from dashboard.warehouse.synth import write_demo_export

# `make test` is reproducible: the same examples every run. HYPOTHESIS_PROFILE=explore
# draws new ones (run it now and then to look for new failures).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

FIXTURE_EXPORT = Path(__file__).parent / "fixtures" / "export"
TEST_KEY = "test-pseudonym-key-not-secret"

# Test tiers. `make check` runs `pytest -m "not browser and not slow"` (the fast tier);
# `make test` runs everything. A test is marked here from the fixtures it uses, so a new
# browser or demo-network test lands in the right tier without anyone remembering to mark it.
BROWSER_FIXTURES = frozenset({"dash_duo", "started"})  # a real headless chromium
SLOW_FIXTURES = frozenset({"demo_warehouse"})  # builds the 6,000-member demo network
# Slow for reasons no fixture shows. Node-id prefixes (a whole file, or one test), chosen
# with `pytest -m "not browser and not slow" --durations=30` so `make check` stays under a
# minute on two cores; `make test` runs them all.
SLOW_TESTS = (
    # gunicorn subprocesses
    "tests/test_serving.py::test_gunicorn_",
    "tests/hardening/test_rebuild_under_load.py",
    "tests/hardening/test_faults.py",  # also full disks and damaged files swapped in
    # exhaustive searches and fuzzing (hypothesis)
    "tests/insights/test_linear_attack.py::test_fixture_network_reveals_no_small_count",
    "tests/hardening/test_fuzz.py",
    # 50 MB garbage exports through the build command
    "tests/hardening/test_bad_exports.py",
    # every public view written or served (publish)
    "tests/hardening/test_member_text.py::test_embed_",
    "tests/public/test_charts_and_app.py::test_publish_",
    "tests/public/test_charts_and_app.py::test_no_count_below_k_in_any_public_file",
    "tests/public/test_plotly_bundle.py::test_the_embeds_keep_the_basic_bundle",
    # kaleido image and PDF export
    "tests/present/test_export.py",
    # several processes racing on the deck store
    "tests/present/test_store.py::test_concurrent_saves_from_several_processes",
    # two builds each, or every row of every chart and filter (over 2 s each)
    "tests/public/test_publish.py::test_a_build_landing_mid_publish_is_not_mixed_in",
    "tests/figures/test_geo.py::test_every_row_is_shown_once_and_no_withheld_count_is_drawn",
    "tests/insights/test_disclosure.py::test_no_small_count_is_served_or_recoverable_by",
    "tests/warehouse/test_build.py::test_killed_build_leaves_published_file_unchanged",
    "tests/test_catalogue.py::test_embed_rows_equal_the_api_rows_for_every_public_filter",
)
# Slow tests that start processes, race them or time them out (gunicorn workers killed,
# rebuilds under load, several processes saving decks, a build killed mid-way, a build
# landing mid-publish): `make test` runs them one at a time with the browser tests, and
# the other slow tests (builds, attacks by linear programming) on both cores.
SERIAL_TESTS = (
    "tests/test_serving.py::test_gunicorn_",
    "tests/hardening/test_rebuild_under_load.py",
    "tests/hardening/test_faults.py",
    "tests/present/test_store.py::test_concurrent_saves_from_several_processes",
    "tests/public/test_publish.py::test_a_build_landing_mid_publish_is_not_mixed_in",
    "tests/warehouse/test_build.py::test_killed_build_leaves_published_file_unchanged",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & SLOW_FIXTURES or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith(SERIAL_TESTS):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(scope="session", autouse=True)
def _pseudonym_key() -> None:
    os.environ["DASHBOARD_PSEUDONYM_KEY"] = TEST_KEY


@pytest.fixture
def export_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture export, for tests that break it."""
    target = tmp_path / "export"
    shutil.copytree(FIXTURE_EXPORT, target)
    return target


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture export built into a warehouse file (read-only use only)."""
    os.environ["DASHBOARD_PSEUDONYM_KEY"] = TEST_KEY
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    build_warehouse(FIXTURE_EXPORT, path)
    return path


@pytest.fixture(scope="session")
def engine(fixture_warehouse: Path) -> Engine:
    """The insights engine over the fixture warehouse with the default k = 11."""
    return Engine(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name=""))


def _code_digest() -> str:
    """What a built demo warehouse depends on: every file of the package and its SQL, this
    file (the fixture's arguments), the settings a build reads from the environment and
    the libraries' versions."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{TEST_KEY}|{os.environ.get('DASHBOARD_K', '')}".encode())
    for name in ("duckdb", "numpy", "scipy", "highspy", "pandas", "pyarrow"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}".encode())
    files = [*root.glob("dashboard/**/*.py"), *root.glob("queries/**/*.sql"), Path(__file__)]
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# Taken when this file is imported, with the package: the code a build here runs. (Taken
# when the fixture first runs, minutes later under xdist, an edit in between would file
# a build of the old code under the new code's name.)
CODE_DIGEST = _code_digest()


@pytest.fixture(scope="session")
def demo_warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Path]:  # fmt: skip
    """The demo network (as `make run` builds it): 6,000 members, realistic small groups.

    Built once per version of the code and shared (read-only) by every test that uses it:
    by both xdist workers (a lock: one builds, the other waits) and by the next pytest run
    (`make test` runs three; a build is about a minute). Kept in pytest's cache under
    `CODE_DIGEST`, so any change builds it again; another version's copy is removed only
    when no session holds it (each holds a shared lock on the one it reads)."""
    os.environ["DASHBOARD_PSEUDONYM_KEY"] = TEST_KEY
    cache = getattr(request.config, "cache", None)  # None with `-p no:cacheprovider`
    base = (Path(cache.mkdir("demo")) if cache is not None
            else tmp_path_factory.getbasetemp().parent / "demo")  # fmt: skip
    folder = base / f"6000-42-{CODE_DIGEST}"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "in-use").open("a") as in_use:
        fcntl.flock(in_use, fcntl.LOCK_SH)  # not removed while this session reads it
        _build_once(folder, base)
        yield folder / "warehouse.duckdb"


def _build_once(folder: Path, base: Path) -> None:
    """Build the demo warehouse into `folder` unless there already (one builder at once)."""
    path = folder / "warehouse.duckdb"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            for old in base.glob("6000-42-*"):  # other versions' builds nobody reads
                if old != folder and _unused(old / "in-use"):
                    shutil.rmtree(old, ignore_errors=True)
            work = folder / "building"
            shutil.rmtree(work, ignore_errors=True)
            write_demo_export(work / "export", members=6000, seed=42)
            build_warehouse(work / "export", work / "warehouse.duckdb")
            os.replace(work / "warehouse.duckdb", path)  # whole, or not there at all
            shutil.rmtree(work, ignore_errors=True)


def _unused(marker: Path) -> bool:
    """Whether no session holds `marker` (a folder's in-use lock file)."""
    try:
        with marker.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except OSError:  # held (or gone: the folder is half removed already)
        return not marker.exists()


@pytest.fixture
def started(dash_duo, fixture_warehouse: Path):
    """The researcher app over the fixture network, served to a real headless chromium."""
    from app import create_app

    app = create_app(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                              network_name="Fixture Network"))  # fmt: skip
    dash_duo.start_server(app)
    return dash_duo
