"""Shared pieces of the hardening tests: the real app on the fixture, and response checks."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dash import Dash
from hypothesis import HealthCheck, settings

from app import create_app
from dashboard.catalogue import CATALOGUE as CHARTS
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.insights.result import WITHHELD
from dashboard.present import DeckStore
from dashboard.security import Auth

K = 11
# Modest example counts keep the whole folder well under two minutes; no example
# database, so a run leaves nothing behind.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def settings_for(path: Path, **extra) -> Settings:
    return Settings(warehouse=path, k=K, query_timeout_s=5, network_name="", **extra)


@pytest.fixture(scope="module")
def dash_app(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Dash:
    """The whole app (researcher side + /embed) with no sign-in and a throwaway deck store."""
    store = DeckStore(tmp_path_factory.mktemp("app-state"))
    return create_app(settings_for(fixture_warehouse), Auth(), decks=store)


@pytest.fixture(scope="module")
def app_client(dash_app: Dash):
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 200  # Dash sets itself up on its first request
    return client


@pytest.fixture(scope="module")
def count_fields(engine: Engine) -> dict[str, frozenset[str]]:
    """Each chart's people-count fields (the ones that must be 0, >= k or withheld)."""
    needs = {"question-trend": {"question": "Q1"}}
    return {c: engine.run(c, needs.get(c, {})).count_fields for c in CHARTS}


TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "/[^"]+", line \d+')


def assert_clean(response, where: str) -> None:
    """2xx with valid content, or 4xx with a message; never 5xx, never a traceback."""
    status = response.status_code
    text = response.get_data(as_text=True)
    assert status < 500, (where, status, text[:300])
    # A real traceback, not the (escaped) request echoed back in a page's meta tags.
    assert not TRACEBACK.search(text), (where, text[:300])
    kind = response.mimetype
    if 200 <= status < 300:
        if status == 204:
            return
        if kind == "application/json":
            json.loads(text)
        elif kind == "text/csv":
            list(csv.reader(io.StringIO(text)))
        elif kind == "text/html":
            assert "<html" in text.lower(), (where, text[:200])
        return
    if status in (301, 308):  # werkzeug normalises "//" and a missing trailing slash
        target = urlsplit(response.headers["Location"])
        assert target.netloc in ("", "localhost") and target.scheme in ("", "http"), where
        return
    assert 400 <= status < 500, (where, status)
    assert len(text.strip()) > 10, (where, status, text)  # says something a person can read
    if kind == "application/json":
        assert json.loads(text)["error"], (where, text)


def assert_no_small_counts(
    rows: list[dict], fields: frozenset[str] | set[str], where: str, *, csv_text: bool = False
) -> int:
    """No count field holds 1..k-1; returns how many values were checked."""
    checked = 0
    for row in rows:
        if row.get("people") in (False, "False"):  # headlines: counts of questions or projects
            continue
        for name in set(fields) & set(row):
            value = row[name]
            if value in (None, "", WITHHELD):
                continue
            number = float(value) if csv_text else value
            assert not 1 <= number < K, (where, name, value, row)
            checked += 1
    return checked
