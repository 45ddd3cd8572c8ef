"""Embeds in a real browser: a page on another origin frames a chart, which sizes itself;
researcher pages refuse to be framed; the static publish works with the same snippet."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.public.pages import snippet
from dashboard.public.publish import publish
from dashboard.security import Auth

pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server on 127.0.0.1 (the app runs on localhost: another origin)."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()


@pytest.fixture
def started(dash_duo, fixture_warehouse: Path):
    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name="")
    dash_duo.start_server(create_app(settings, Auth()))
    return dash_duo


def host_page(folder: Path, body: str) -> None:
    (folder / "host.html").write_text(
        '<!doctype html><html><head><link rel="icon" href="data:,"></head>'  # no favicon 404
        f'<body style="margin:0"><h1>Partner news</h1>{body}</body></html>'
    )


def frame_metrics(driver) -> dict:
    """Once the chart has rendered and the host has had time to resize the frame."""
    frame = driver.find_element(By.CSS_SELECTOR, "iframe")
    driver.switch_to.frame(frame)
    try:
        WebDriverWait(driver, 15).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#chart[data-rendered='true']")
        )
    finally:
        driver.switch_to.default_content()
    time.sleep(0.5)  # the height message is asynchronous; give it a moment to land
    outer = frame.size["height"]
    driver.switch_to.frame(frame)
    try:
        inner = driver.execute_script(
            "return {content: Math.ceil(document.documentElement.getBoundingClientRect().height),"
            " scroll: document.documentElement.scrollHeight,"
            " client: document.documentElement.clientHeight,"
            " summary: document.getElementById('summary').textContent,"
            " asOf: document.getElementById('as-of').textContent};"
        )
    finally:
        driver.switch_to.default_content()
    return {"outer": outer, **inner}


def wait_for_resize(driver) -> None:
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "iframe").size["height"] != 480
    )


def test_another_origin_embeds_a_chart_at_the_right_height(started, other_origin) -> None:
    origin, folder = other_origin
    code = snippet(started.server_url, "priorities", {"round": "R1"}, "Priorities")
    host_page(folder, code)
    started.driver.get(f"{origin}/host.html")
    wait_for_resize(started.driver)
    m = frame_metrics(started.driver)
    assert "comes first" in m["summary"]
    assert m["asOf"] == "Data as of 1 November 2026"
    assert abs(m["outer"] - m["content"]) <= 2, m
    assert m["scroll"] <= m["client"], "no scrollbar inside the frame"


def test_a_researcher_page_refuses_to_be_framed(started, other_origin) -> None:
    origin, folder = other_origin
    host_page(folder, f'<iframe src="{started.server_url}/priorities" id="f"></iframe>')
    started.driver.get(f"{origin}/host.html")
    frame = started.driver.find_element(By.ID, "f")
    started.driver.switch_to.frame(frame)
    try:
        WebDriverWait(started.driver, 5).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        assert started.driver.find_elements(By.ID, "main") == []
        assert started.driver.find_elements(By.ID, "as-of") == []
    finally:
        started.driver.switch_to.default_content()
    logs = [e["message"] for e in started.driver.get_log("browser")]
    assert any("frame-ancestors" in message for message in logs), logs


def test_the_static_publish_works_with_the_same_snippet(
    dash_duo, engine: Engine, other_origin, tmp_path_factory
) -> None:
    origin, folder = other_origin
    publish(engine, folder, images=False)
    host_page(folder, snippet(origin, "members", {"role": "caregiver"}, "Members"))
    dash_duo.driver.get(f"{origin}/host.html")
    wait_for_resize(dash_duo.driver)
    m = frame_metrics(dash_duo.driver)
    assert "caregiver" in m["summary"]
    assert abs(m["outer"] - m["content"]) <= 2, m


def embed_state(driver) -> dict:
    """Inside the embed frame, once drawn: its language, words and colours."""
    frame = driver.find_element(By.CSS_SELECTOR, "iframe")
    driver.switch_to.frame(frame)
    try:
        WebDriverWait(driver, 15).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#chart[data-rendered='true']")
        )
        return driver.execute_script(
            "return {lang: document.documentElement.lang,"
            " read: document.getElementById('how-to-read').textContent,"
            " readHref: document.getElementById('how-to-read').getAttribute('href'),"
            " asOf: document.getElementById('as-of').textContent,"
            " title: document.getElementById('title').textContent,"
            " release: (document.getElementById('release') || {}).textContent || '',"
            " background: getComputedStyle(document.body).backgroundColor,"
            " paper: document.querySelector('#chart .main-svg').style.background ||"
            "        getComputedStyle(document.querySelector('#chart .main-svg')).background};"
        )
    finally:
        driver.switch_to.default_content()


def test_an_embed_reads_in_spanish_and_in_dark_mode(started, other_origin) -> None:
    origin, folder = other_origin
    code = snippet(started.server_url, "priorities", {"round": "R1", "lang": "es",
                                                      "theme": "dark"}, "Prioridades")  # fmt: skip
    host_page(folder, code)
    started.driver.get(f"{origin}/host.html")
    state = embed_state(started.driver)
    assert state["lang"] == "es"
    assert state["read"] == "Cómo leer este gráfico" and state["readHref"] == "method/es/"
    assert state["asOf"] == "Datos a 1 de noviembre de 2026"
    assert state["title"].startswith("Prioridades de investigación")
    assert state["background"] == "rgb(18, 20, 23)", state
    errors = [e for e in started.driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_a_static_host_shows_the_live_and_the_archived_embed_and_a_png(
    dash_duo, engine: Engine, other_origin
) -> None:
    """No Python on the host: publish's files alone, the archived release and the image."""
    origin, folder = other_origin
    publish(engine, folder, images=False)
    as_of = engine.warehouse.snapshot().as_of
    for pinned in (None, as_of):
        host_page(folder, snippet(origin, "members", {"role": "caregiver"}, "Members", pinned))
        # A new address each time: the static server answers "not modified" to a page
        # rewritten within the same second, and chromium would show the first one again.
        dash_duo.driver.get(f"{origin}/host.html?pinned={pinned}")
        state = embed_state(dash_duo.driver)
        assert ("never changes" in state["release"]) == bool(pinned), state
        assert state["asOf"] == "Data as of 1 November 2026"
    errors = [e for e in dash_duo.driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_a_newsletter_shows_the_chart_png(started, other_origin) -> None:
    origin, folder = other_origin
    image = f"{started.server_url}/embed/members/image/role=caregiver.png"
    (folder / "news.html").write_text(
        f'<!doctype html><html><body><img id="chart" src="{image}" alt="chart"></body></html>'
    )
    started.driver.get(f"{origin}/news.html")
    WebDriverWait(started.driver, 60).until(
        lambda d: d.execute_script("return document.getElementById('chart').complete")
    )
    width = started.driver.execute_script("return document.getElementById('chart').naturalWidth")
    assert width == 1200
