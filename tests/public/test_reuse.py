"""The public reuse package, method notes, citations and link previews (issue #17 items 2-4)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from app import create_public_server
from dashboard.catalogue import CATALOGUE
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.public import charts as public
from dashboard.public import reuse

K = 11
METADATA_KEYS = {"title", "filters", "as_of", "build_id", "method", "withheld_rule", "license",
                 "citation"}  # fmt: skip


def settings_for(path: Path, **extra) -> Settings:
    return Settings(warehouse=path, k=K, query_timeout_s=5, network_name="", **extra)


@pytest.fixture(scope="module")
def client(fixture_warehouse: Path):
    settings = settings_for(fixture_warehouse, network_url="https://network.example.org",
                            public_url="https://insights.example.org")  # fmt: skip
    return create_public_server(settings).test_client()


def test_metadata_has_what_a_reuser_needs(client) -> None:
    meta = client.get("/embed/priorities/data/round=R1.metadata.json").get_json()
    assert set(meta) >= METADATA_KEYS
    assert meta["filters"] == {"round": "R1"} and meta["as_of"] == "2026-11-01"
    assert meta["license"] == "CC BY 4.0"
    assert "under 11" in meta["withheld_rule"] and "withheld" in meta["withheld_rule"]
    assert meta["citation"].startswith("Fixture Network. “")
    assert "https://insights.example.org/embed/priorities/@2026-11-01/?round=R1" in meta["citation"]
    assert meta["method"].endswith(".") and len(meta["method"].split()) < 60


def test_the_zip_opens_with_its_metadata_licence_and_rounded_csv(client) -> None:
    response = client.get("/embed/topics/data/round=R1.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        assert set(zf.namelist()) == {"README.txt", "data.csv", "data.json", "metadata.json"}
        meta = json.loads(zf.read("metadata.json"))
        readme = zf.read("README.txt").decode()
        rows = list(csv.DictReader(io.StringIO(zf.read("data.csv").decode())))
        unrounded = json.loads(zf.read("data.json"))["rows"]
    assert meta["license"] in readme and meta["citation"] in readme
    assert rows and len(rows) == len(unrounded)
    for row in rows:  # shares to 0.001, nothing longer
        for name in ("support", "support_low", "support_high"):
            value = row[name]
            assert value == "withheld" or re.fullmatch(r"-?\d+(\.\d{1,3})?", value), (name, value)
    # data.json keeps the unrounded numbers (at least one differs from its rounded form)
    assert any(isinstance(r.get("support_low"), float) and round(r["support_low"], 3)
               != r["support_low"] for r in unrounded)  # fmt: skip
    # the same release gives the same bytes (fixed zip timestamps): cacheable, comparable
    assert client.get("/embed/topics/data/round=R1.zip").data == response.data


def test_public_csv_is_rounded_as_shown_and_the_api_is_not(client, engine: Engine) -> None:
    text = client.get("/embed/priorities/data/round=R3.csv").data.decode()
    numbers = re.findall(r"\d+\.\d+", text)
    assert numbers and all(len(n.split(".")[1]) <= 3 for n in numbers)
    api = engine.run("priorities", {"round": "R3"}).rows
    assert any(len(repr(r["mean_low"]).split(".")[1]) > 3 for r in api if r.get("mean_low"))


@pytest.mark.parametrize("chart_id", sorted(public.PUBLIC_FILTERS))
def test_method_note_is_short_plain_and_linked(client, chart_id: str) -> None:
    note = CATALOGUE[chart_id].note
    assert note, f"{chart_id} is public and has no method note"
    assert len(note.format(k=K).split()) <= 150
    page = client.get(f"/embed/{chart_id}/method/")
    assert page.status_code == 200
    text = page.data.decode()
    assert not re.search(r"\bQ\d+\b|\btier\b|\.py\b|Benjamini", text)
    assert 'href="https://network.example.org"' in text  # the footer names and links the network
    chart = client.get(f"/embed/{chart_id}/").data.decode()
    assert 'href="method/"' in chart and "Data package (zip)" in chart


CODES = re.compile(r"\bQ\d+\b|\btier\b|person_with_ms|not-applicable|ms_course")


def _texts(node, skip=("customdata", "ids", "meta", "uid")):
    """Every string a reader may see in a figure (not the data keys it carries)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from _texts(value, skip)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, skip)
    elif isinstance(node, str):
        yield node


def test_public_text_says_no_codes(engine: Engine) -> None:
    """Summaries, hovers, legends, labels: question text and words, never Q-codes or ids."""
    for chart_id in public.PUBLIC_FILTERS:
        for filters in public.combinations(engine, chart_id):
            for lang in ("en", "es"):
                shown = public.view(engine, chart_id, filters, lang)
                figure = json.loads(shown.json_bytes())["figure"]
                for text in [shown.summary, shown.title, *_texts(figure)]:
                    assert not CODES.search(text), (chart_id, filters.to_query(), lang, text)


def test_link_previews_follow_the_filters(client) -> None:
    def tags(url: str) -> dict[str, str]:
        text = client.get(url).data.decode()
        return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', text))

    everyone, caregivers = tags("/embed/priorities/"), tags("/embed/priorities/?role=caregiver")
    assert everyone["og:image"] == "https://insights.example.org/embed/priorities/image/all.png"
    assert caregivers["og:image"].endswith("/embed/priorities/image/role=caregiver.png")
    assert caregivers["og:url"] == "https://insights.example.org/embed/priorities/?role=caregiver"
    assert everyone["og:description"] != caregivers["og:description"]
    assert everyone["twitter:card"] == "summary_large_image" and everyone["og:image:alt"]


def test_hostile_data_names_are_refused(client) -> None:
    for path in ("/embed/priorities/data/round=R1.exe", "/embed/priorities/data/.json",
                 "/embed/priorities/data/round=R1&x=1.zip", "/embed/secret/data/all.zip",
                 "/embed/priorities/data/round=R1.json?x=1",
                 "/embed/priorities/data/round=%3Cscript%3E.metadata.json"):  # fmt: skip
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"<script" not in response.data


def test_package_is_made_from_a_payload_alone(engine: Engine) -> None:
    """An archived release's zip needs nothing but its own payload and CSV."""
    shown = public.view(engine, "members", public.parse("members", {}))
    payload = json.loads(shown.json_bytes())
    with zipfile.ZipFile(io.BytesIO(reuse.package(payload, shown.csv()))) as zf:
        assert json.loads(zf.read("metadata.json"))["build_id"] == payload["build_id"]
