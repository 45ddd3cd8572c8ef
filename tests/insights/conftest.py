"""Shared fixtures of the insights tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def small_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """640 synthetic members: rounds of a few dozen voters, so most groups are small."""
    from dashboard.warehouse.build import build_warehouse
    from dashboard.warehouse.synth import write_demo_export

    os.environ["DASHBOARD_PSEUDONYM_KEY"] = "test-pseudonym-key-not-secret"
    folder = tmp_path_factory.mktemp("small")
    write_demo_export(folder / "export", members=640, seed=7)
    build_warehouse(folder / "export", folder / "warehouse.duckdb")
    return folder / "warehouse.duckdb"
