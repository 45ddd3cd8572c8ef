"""Images at fixed addresses, previews that unfurl, Spanish and dark data (#17 items 3, 5, 6)."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import create_public_server
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.figures.dark import THEMES, contrast_ratio
from dashboard.public import charts as public
from dashboard.public.publish import publish

BASE = "https://insights.example.org"


@pytest.fixture(scope="module")
def client(fixture_warehouse: Path):
    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name="",
                        public_url=BASE)  # fmt: skip
    return create_public_server(settings).test_client()


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", body[16:24])


def test_spanish_data_keeps_member_text_and_numbers(client) -> None:
    en = client.get("/embed/priorities/data/round=R1.json").get_json()
    es = client.get("/embed/priorities/data/round=R1.es.json").get_json()
    assert es["lang"] == "es" and es["labels"]["cite"] == "Citar este gráfico"
    assert es["title"].startswith("Prioridades de investigación")
    assert es["rows"] == en["rows"]  # the numbers and member-written titles, as they are
    assert es["plotly_locale"]["shortMonths"][0] == "ene" and es["plotly_locale"]["decimal"] == ","
    assert en["plotly_locale"] is None
    page = client.get("/embed/priorities/?round=R1&lang=es").data.decode()
    assert '<html lang="es">' in page and "Cómo leer este gráfico" in page
    for bad in ("?lang=de", "?theme=blue", "?lang=es&lang=en"):
        assert client.get(f"/embed/priorities/{bad}").status_code == 400, bad


def test_dark_data_keeps_text_readable(client) -> None:
    dark = client.get("/embed/priorities/data/round=R1.dark.json").get_json()
    layout = dark["figure"]["layout"]
    background = THEMES["dark"].background
    assert layout["paper_bgcolor"] == background
    colours = [layout["font"]["color"]] + [a["font"]["color"] for a in layout.get("annotations",
               []) if a.get("font", {}).get("color")]  # fmt: skip
    assert all(contrast_ratio(c, background) >= 4.5 for c in colours), colours
    marks = [colour for trace in dark["figure"]["data"]
             for part in ("marker", "line", "error_x")
             for colour in [(trace.get(part) or {}).get("color")] if isinstance(colour, str)]  # fmt: skip
    assert marks and all(contrast_ratio(c, background) >= 3 for c in marks), marks
    light = client.get("/embed/priorities/data/round=R1.json").get_json()
    assert dark["rows"] == light["rows"]


@pytest.mark.slow
def test_images_at_fixed_addresses_and_by_query(client) -> None:
    fixed = client.get("/embed/members/image/role=caregiver.png")
    assert fixed.status_code == 200 and fixed.mimetype == "image/png"
    assert png_size(fixed.data)[0] == 1200
    assert client.get("/embed/members/image.png?role=caregiver").data == fixed.data
    dark_es = client.get("/embed/members/image/role=caregiver.es.dark.png").data
    assert dark_es != fixed.data and png_size(dark_es)[0] == 1200
    svg = client.get("/embed/members/image/role=caregiver.svg")
    assert svg.mimetype == "image/svg+xml"
    assert ET.fromstring(svg.data).tag.endswith("svg")
    for bad in ("/embed/members/image/role=caregiver.gif", "/embed/members/image/role=x.png",
                "/embed/retention/image/all.png", "/embed/members/image.png?sex=female"):  # fmt: skip
        assert client.get(bad).status_code in (400, 404), bad


@pytest.mark.slow
def test_a_shared_link_unfurls_to_its_own_image(client) -> None:
    page = client.get("/embed/priorities/?round=R1&role=caregiver").data.decode()
    tags = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page))
    image = tags["og:image"].replace("&amp;", "&")
    assert image == f"{BASE}/embed/priorities/image/role=caregiver&round=R1.png"
    response = client.get(image.removeprefix(BASE))
    assert response.status_code == 200 and png_size(response.data)[0] == 1200


@pytest.mark.slow
def test_publish_writes_every_views_png_and_svg(
    engine: Engine, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(public, "PUBLIC_FILTERS", {"members": ("role",)})
    publish(engine, tmp_path)
    folder = tmp_path / "embed" / "members" / "image"
    keys = [public.data_key(f) for f in public.combinations(engine, "members")]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{k}.{fmt}" for k in keys for fmt in ("png", "svg")
    )
    assert all(png_size((folder / f"{k}.png").read_bytes())[0] == 1200 for k in keys)


def test_images_revalidate_without_drawing_and_never_queue(client, monkeypatch) -> None:
    """A request cannot make the server draw what the client has, or queue browser starts."""
    from dashboard.public import image_files

    drawn: list[int] = []
    monkeypatch.setattr(image_files, "render_images",
                        lambda figures, fmt: drawn.append(len(figures)) or [b"img"] * len(figures))  # fmt: skip
    monkeypatch.setattr(image_files, "_CACHE", image_files.OrderedDict())
    first = client.get("/embed/enrollment/image/all.svg")
    assert first.status_code == 200 and drawn == [1]
    again = client.get("/embed/enrollment/image/all.svg",
                       headers={"If-None-Match": first.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304 and drawn == [1]
    by_query = client.get("/embed/enrollment/image.svg")
    assert by_query.headers["ETag"] == first.headers["ETag"]  # one image, one tag
    other = client.get("/embed/enrollment/image.svg?project=P1")
    assert other.headers["ETag"] != first.headers["ETag"]
    with image_files._RENDERING:  # another image is being drawn
        busy = client.get("/embed/enrollment/image/project=P2.png")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
