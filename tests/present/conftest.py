"""Fixtures for presentation mode: a deck store in a temporary directory, an app using it."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash import Dash

from app import create_app
from dashboard.config import Settings
from dashboard.present import DeckStore
from dashboard.security import Auth


@pytest.fixture
def store(tmp_path: Path) -> DeckStore:
    return DeckStore(tmp_path / "app-state")


def make_app(warehouse: Path, store: DeckStore) -> Dash:
    """The real app, with its deck store in a temporary folder and no sign-in."""
    settings = Settings(warehouse=warehouse, k=11, query_timeout_s=5,
                        network_name="Fixture Network")  # fmt: skip
    return create_app(settings, Auth(), decks=store)


@pytest.fixture
def present_app(fixture_warehouse: Path, store: DeckStore) -> Dash:
    return make_app(fixture_warehouse, store)
