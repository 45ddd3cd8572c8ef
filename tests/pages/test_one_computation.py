"""A page render looks each protected table up once, and protects nothing itself."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

from app import create_app
from dashboard.config import Settings
from dashboard.insights import tables
from dashboard.security import Auth


def test_the_priorities_page_looks_each_table_up_once(fixture_warehouse: Path,
                                                      monkeypatch) -> None:  # fmt: skip
    app = create_app(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                              network_name=""), Auth())  # fmt: skip
    page = importlib.import_module("dashboard.pages.priorities")
    tables.forget_recent_tables()
    looked_up: Counter = Counter()
    real = tables.published_tables

    def counted(wh, rnd, tdims, k):
        looked_up[(rnd.round_id, tdims)] += 1
        return real(wh, rnd, tdims, k)

    def computed(*args, **kwargs):
        raise AssertionError("a page render computed a table the build publishes")

    monkeypatch.setattr(tables, "published_tables", counted)
    monkeypatch.setattr(tables, "compute_tables", computed)
    with app.server.test_request_context("/priorities"):
        page.layout(round="R1", role="caregiver")  # the ranking, the topics card, ...
    assert looked_up[("R1", ("who",))] == 1
    assert max(looked_up.values()) == 1, looked_up
