"""The data API over real HTTP semantics (Flask test client on the real app)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app import create_app
from dashboard.config import Settings


@pytest.fixture(scope="module")
def client(fixture_warehouse: Path):
    app = create_app(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                              network_name="Test"))  # fmt: skip
    return app.server.test_client()


def test_catalogue_lists_every_chart(client) -> None:
    body = client.get("/api/v1/charts").get_json()
    ids = {c["id"] for c in body["charts"]}
    assert {"priorities", "priorities-by-group", "priorities-balanced", "topics",
            "question-trail", "projects", "enrollment", "accrual", "members",
            "active-members", "retention", "countries"} <= ids  # fmt: skip


def test_json_and_csv_twins(client) -> None:
    js = client.get("/api/v1/charts/priorities.json?round=R1").get_json()
    assert js["build_id"] and js["as_of"] == "2026-11-01" and js["filters"] == {"round": "R1"}
    q3 = next(r for r in js["rows"] if r["question_id"] == "Q3")
    assert q3["picks"] is None and "picks" in q3["suppressed"]
    text = client.get("/api/v1/charts/priorities.csv?round=R1").get_data(as_text=True)
    rows = {r["question_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["Q3"]["picks"] == "withheld" and rows["Q1"]["picks"] == "22"
    assert rows["Q3"]["ci_low"] == "withheld"  # a derived value reads the same as a count
    assert rows["Q3"]["title"].startswith("<img")  # text, as written


def test_csv_is_safe_against_formula_injection(client) -> None:
    text = client.get("/api/v1/charts/question-trail.csv").get_data(as_text=True)
    titles = [r["title"] for r in csv.DictReader(io.StringIO(text))]
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert not any(t.startswith(("=", "+", "-", "@")) for t in titles)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/charts/nope.json", 404),
        # Kept for the next release (true counts per country): never a chart.
        ("/api/v1/charts/country-table.json", 404),
        ("/api/v1/charts/funnel-served.csv", 404),
        ("/api/v1/charts/retention-roles.json", 404),
        ("/api/v1/charts/retention-roles.csv?role=caregiver", 404),
        ("/api/v1/charts/priorities.xml", 404),
        ("/api/v1/charts/priorities.json?round=R1%27%20OR%201=1", 400),
        ("/api/v1/charts/priorities.json?round=R99", 400),
        ("/api/v1/charts/priorities.json?role=caregiver&role=other", 400),
        ("/api/v1/charts/projects.json?role=caregiver", 400),
        ("/api/v1/charts/priorities.json?round=R1&method=points", 400),
    ],
)
def test_bad_requests_get_a_clear_4xx(client, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"]


def test_healthz(client) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["as_of"] == "2026-11-01"


@pytest.mark.parametrize("path", ["/", "/priorities", "/projects", "/participation", "/methods"])
def test_pages_are_served(client, path: str) -> None:
    assert client.get(path).status_code == 200
