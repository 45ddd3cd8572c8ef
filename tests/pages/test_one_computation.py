"""A page render computes each protected table once, whichever of its charts asks."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

from app import create_app
from dashboard.config import Settings
from dashboard.insights import priorities
from dashboard.security import Auth


def test_the_priorities_page_protects_each_table_once(fixture_warehouse: Path,
                                                      monkeypatch) -> None:  # fmt: skip
    app = create_app(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                              network_name=""), Auth())  # fmt: skip
    page = importlib.import_module("dashboard.pages.priorities")
    priorities.forget_recent_tables()
    computed: Counter = Counter()
    real = priorities._load_tables

    def counted(wh, rnd, filters, dims, k):
        computed[(rnd.round_id, tuple(dims), filters.topic)] += 1
        return real(wh, rnd, filters, dims, k)

    monkeypatch.setattr(priorities, "_load_tables", counted)
    with app.server.test_request_context("/priorities"):
        page.layout(round="R1", role="caregiver")  # the ranking, the topics card, ...
    assert computed[("R1", ("role",), None)] == 1
    assert max(computed.values()) == 1, computed
