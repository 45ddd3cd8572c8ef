"""The overview names a round that is still open, with its dates and why it has no counts."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app import create_app
from dashboard.config import Settings
from dashboard.insights.priorities import OpenRound
from dashboard.security import Auth


@pytest.fixture(scope="module")
def open_round_notes(fixture_warehouse: Path):
    """The overview's function (pages register themselves, so only after an app exists)."""
    create_app(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name=""),
               Auth())  # fmt: skip
    return importlib.import_module("dashboard.pages.overview").open_round_notes


def _text(node) -> str:
    children = node.children if isinstance(node.children, list) else [node.children]
    return "".join(c if isinstance(c, str) else _text(c) for c in children)


def test_each_open_round_gets_one_line_with_its_closing_date(open_round_notes) -> None:
    rounds = [OpenRound("R9", "Round 9", "2026-11-01", "2026-12-15")]
    (note,) = open_round_notes(rounds)
    assert note.id == "open-round-R9"
    assert _text(note) == ("Voting now: Round 9 is open until 2026-12-15: its results are "
                           "published when it closes.")  # fmt: skip


def test_no_open_round_no_line(open_round_notes) -> None:
    assert open_round_notes([]) == []


def test_the_engine_lists_no_open_round_on_the_fixture(engine) -> None:
    """The fixture's rounds all closed before its as-of date (1 November 2026)."""
    assert engine.open_rounds() == []
    assert [r.round_id for r in engine.rounds()]  # closed rounds are still listed
