"""Exports rendered by kaleido: PNG and SVG at 1920x1080, a PDF with one page per slide."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import pytest
from dash import Dash
from flask.testing import FlaskClient
from pypdf import PdfReader

from dashboard.present.store import DeckStore

DECK = "/present/state-of-the-network"


@pytest.fixture
def client(present_app: Dash) -> FlaskClient:
    return present_app.server.test_client()


def test_slide_png_is_1920_by_1080(client: FlaskClient) -> None:
    resp = client.get(f"{DECK}/slide/5.png")
    assert resp.status_code == 200, resp.text
    assert resp.mimetype == "image/png"
    data = resp.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1920, 1080)


def test_slide_svg_parses_at_1920_by_1080(client: FlaskClient) -> None:
    resp = client.get(f"{DECK}/slide/1.svg")
    assert resp.status_code == 200, resp.text
    root = ET.fromstring(resp.data)
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("1920", "1080")
    text = "".join(root.itertext())
    assert "data as of 2026-11-01" in text


def test_pdf_handout_has_one_page_per_slide_with_notes(client: FlaskClient) -> None:
    resp = client.get(f"{DECK}.pdf?token=abcdef123456")
    assert resp.status_code == 200, resp.text
    assert resp.mimetype == "application/pdf"
    assert "present_export=abcdef123456" in resp.headers["Set-Cookie"]
    reader = PdfReader(io.BytesIO(resp.data))
    assert len(reader.pages) == 8
    assert "Speaker note" in reader.pages[0].extract_text()


def test_saved_deck_through_the_api_exports(client: FlaskClient, store: DeckStore) -> None:
    for view, note in (("/priorities?round=R1", "Where we started"),
                       ("/participation?role=caregiver", "Carers"),
                       ("/projects", "")):  # fmt: skip
        resp = client.post("/present/api/slides",
                           json={"deck": "Board 2026", "view": view, "note": note})  # fmt: skip
        assert resp.status_code == 201, resp.json
    assert resp.json["slides"] == 3 and resp.json["present"] == "/present/board-2026"
    reader = PdfReader(io.BytesIO(client.get("/present/board-2026.pdf").data))
    assert len(reader.pages) == 3
    listed = client.get("/present/api/decks").json
    assert [d["slug"] for d in listed] == ["state-of-the-network", "board-2026"]


def test_api_refuses_bad_input(client: FlaskClient) -> None:
    assert client.post("/present/api/slides", data={"deck": "x", "view": "/"}).status_code == 415
    bad = client.post("/present/api/slides", json={"deck": "x", "view": "https://evil.example/"})
    assert bad.status_code == 400 and "address of this app" in bad.json["error"]
    assert client.post("/present/api/slides", json=["x"]).status_code == 400
    assert client.post("/present/api/slides",
                       json={"deck": "<b>", "view": "/"}).status_code == 400  # fmt: skip


def test_missing_decks_and_slides_are_404(client: FlaskClient) -> None:
    assert client.get("/present/nope.pdf").status_code == 404
    assert client.get("/present/nope/slide/1.png").status_code == 404
    assert client.get(f"{DECK}/slide/99.png").status_code == 404


def test_rendered_long_headline_and_table_pages_stay_clear_of_the_chart() -> None:
    """In kaleido's SVG: each block of words (its measured box) sits above or below the
    plot area and inside the page, and a table page's rows add up to what fits."""
    import re

    from dashboard.present.export import Frame, export_pages, render
    from tests.present.test_slide_layout import LONG, slide, table_slide

    frame = Frame("State of the network", 4, 8, "Fixture Network", stale="Pinned to a build "
                  "that has been replaced: old snapshots are not kept.")  # fmt: skip
    (chart,) = export_pages(slide(f"Research priorities of caregivers: {LONG[:120]}",
                                  (LONG * 2)[:300], footnote=LONG), frame)  # fmt: skip
    table = export_pages(table_slide(60), frame)[0]
    svgs = [s.decode() for s in render([chart, table], "svg")]
    box = re.compile(r'<g class="annotation" data-index="(\d+)".*?translate\(([\d.]+),([\d.]+)\)"'
                     r'><rect class="bg" x="[\d.]+" y="[\d.]+" width="([\d.]+)" '
                     r'height="([\d.]+)"')  # fmt: skip
    for fig, svg in zip((chart, table), svgs, strict=True):
        top, bottom = fig.layout.margin.t, fig.layout.height - fig.layout.margin.b
        words = {i for i, a in enumerate(fig.layout.annotations)
                 if (a.name or "").startswith("slide-")}  # fmt: skip
        found = 0
        for m in box.finditer(svg):
            i, x, y, w, h = int(m[1]), *(float(v) for v in m.groups()[1:])
            if i not in words:
                continue
            found += 1
            assert x + w <= 1920 - 40, (fig.layout.annotations[i].name, x + w)
            assert y + h <= top + 2 or y >= bottom - 2, (fig.layout.annotations[i].name, y, h)
        assert found == len(words)
    clip = re.search(r'xyplot" class="plotclip"><rect width="[\d.]+" height="([\d.]+)"', svgs[0])
    assert clip and abs(float(clip[1]) - (1080 - chart.layout.margin.t - chart.layout.margin.b)) < 1
    cell_heights = [float(h) for h in re.findall(r'class="cell-rect"[^>]*height="([\d.]+)"',
                                                   svgs[1])]  # fmt: skip
    n_cols = len(table.data[0].cells.values)
    plot_h = 1080 - table.layout.margin.t - table.layout.margin.b
    assert cell_heights and sum(cell_heights) / n_cols <= plot_h  # every row in view
