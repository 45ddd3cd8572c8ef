"""The size a page's figures are built at comes from one cookie word, allow-listed."""

from __future__ import annotations

import flask
import plotly.graph_objects as go
import pytest

from dashboard.views import page_figure, screen_size

SERVER = flask.Flask(__name__)


def _sized(cookie: str | None) -> str:
    headers = {"Cookie": cookie} if cookie is not None else {}
    with SERVER.test_request_context("/priorities", headers=headers):
        return screen_size()


def test_a_narrow_screen_gets_the_phone_size_and_anything_else_the_page() -> None:
    assert _sized("screen=narrow") == "phone"
    assert _sized("other=1; screen=narrow") == "phone"
    assert screen_size() == "page"  # outside a request (a slide, a test)


@pytest.mark.parametrize("cookie", [None, "screen=wide", "screen=NARROW",
                                    "screen=narrow%00", "screen=<script>", "screen=" + "n" * 5000,
                                    "screen=phone", "screens=narrow"])  # fmt: skip
def test_any_other_cookie_is_the_page(cookie: str | None) -> None:
    assert _sized(cookie) == "page"


def test_page_figure_builds_at_the_screen_size_and_narrows_for_a_phone() -> None:
    asked: list[str] = []

    def build(result: object, size: str) -> go.Figure:
        asked.append(size)
        return go.Figure(layout={"title": {"text": "A title"}, "height": 400})

    with SERVER.test_request_context("/", headers={"Cookie": "screen=narrow"}):
        phone = page_figure(build, None)
    with SERVER.test_request_context("/"):
        page = page_figure(build, None)
    assert asked == ["phone", "page"]
    assert not phone.layout.title.text and page.layout.title.text == "A title"
