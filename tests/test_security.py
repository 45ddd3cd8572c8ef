"""dashboard/security.py's pieces as plain functions, on a bare Flask app.

The whole app's sign-in, headers and exposure refusal are tested through it in
tests/public/test_charts_and_app.py and tests/hardening/; these are the parts those
reach only indirectly.
"""

from __future__ import annotations

import base64
import importlib
import logging

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from dashboard.security import (
    Auth,
    callback_problem,
    is_loopback,
    parse_users,
    require_sign_in,
)

HASH = generate_password_hash("pw")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("[::1]", True),
     ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("localhost.example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_parse_users_skips_comments_and_refuses_plain_passwords() -> None:
    assert parse_users(["# team", "", f"  ada:{HASH}  "]) == {"ada": HASH}
    for bad in ("ada", ":" + HASH, "ada:plaintext"):
        with pytest.raises(ValueError, match="user:hash"):
            parse_users([bad])


def basic(value: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(value.encode()).decode()}


@pytest.fixture
def signed_in_app() -> Flask:
    app = Flask(__name__)
    require_sign_in(app, Auth(users={"ada": HASH}, header="X-Forwarded-User"))
    app.add_url_rule("/page", "page", lambda: "ok")
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    return app


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        (basic("ada:pw"), 200),
        (basic("ada:nope"), 401),
        (basic("ada"), 401),  # no colon
        ({"Authorization": "Basic !!!not-base64"}, 401),
        ({"Authorization": "Basic " + "A" * 2000}, 401),  # too long to decode
        ({"Authorization": "Bearer abc"}, 401),
        ({"X-Forwarded-User": "  "}, 401),  # a blank proxy header signs nobody in
        ({"X-Forwarded-User": "ada"}, 200),
    ],
)
def test_sign_in(signed_in_app: Flask, headers: dict[str, str], status: int) -> None:
    response = signed_in_app.test_client().get("/page", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_health_check_stays_open_and_no_auth_means_no_sign_in(signed_in_app: Flask) -> None:
    assert signed_in_app.test_client().get("/healthz").status_code == 200
    open_app = Flask(__name__)
    require_sign_in(open_app, Auth())
    open_app.add_url_rule("/page", "page", lambda: "ok")
    assert open_app.test_client().get("/page").status_code == 200


CALLBACKS = {
    "out.children": {
        "callback": object(),
        "inputs": [{"id": "url", "property": "pathname"}],
        "state": [{"id": '{"index":["ALL"],"type":"card"}', "property": "value"}],
        "output": "out.children",
    }
}
GOOD = {
    "output": "out.children",
    "outputs": {"id": "out", "property": "children"},
    "inputs": [{"id": "url", "property": "pathname", "value": "/priorities"}],
    "state": [[{"id": {"type": "card", "index": 1}, "property": "value", "value": "x"}]],
    "changedPropIds": ["url.pathname"],
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({}, None),
        ({"output": "nope.children"}, "no such callback"),
        ({"inputs": []}, "inputs must list 1 item(s)"),
        ({"inputs": [{"id": "other", "property": "pathname"}]}, "inputs do not match"),
        ({"inputs": [{"id": "url", "property": "pathname", "value": "javascript:x"}]}, "URL text"),
        ({"state": [[{"id": {"type": "other", "index": 1}, "property": "value"}]]}, "state do not"),
        (
            {"state": [[{"id": {"type": "card", "index": [1]}, "property": "value"}]]},
            "state do not",
        ),
        ({"changedPropIds": [1]}, "changedPropIds"),
        ({"outputs": "out.children"}, "outputs do not match"),
    ],
)
def test_callback_problem(change: dict, problem: str | None) -> None:
    found = callback_problem({**GOOD, **change}, CALLBACKS)
    assert found is None if problem is None else problem in (found or ""), found


def test_callback_problem_needs_a_json_object() -> None:
    assert callback_problem([GOOD], CALLBACKS) == "the body must be a JSON object"


class FakeServer:
    log = logging.getLogger("gunicorn-test")


@pytest.fixture
def gunicorn_conf(monkeypatch):
    """dashboard/gunicorn_conf.py as gunicorn loads it, under the environment each test sets."""
    import dashboard.gunicorn_conf as module

    yield lambda: importlib.reload(module)
    monkeypatch.undo()
    importlib.reload(module)


def test_gunicorn_refuses_a_public_bind_without_sign_in(monkeypatch, gunicorn_conf) -> None:
    monkeypatch.setenv("DASHBOARD_BIND", "127.0.0.1:8050,0.0.0.0:8051")
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    monkeypatch.delenv("DASHBOARD_AUTH_HEADER", raising=False)
    monkeypatch.delenv("DASHBOARD_PUBLIC_ONLY", raising=False)
    conf = gunicorn_conf()
    assert conf.bind == ["127.0.0.1:8050", "0.0.0.0:8051"]
    with pytest.raises(SystemExit) as exit_:
        conf.on_starting(FakeServer())
    assert exit_.value.code == 2
    monkeypatch.setenv("DASHBOARD_PUBLIC_ONLY", "1")
    gunicorn_conf().on_starting(FakeServer())  # only the public app: allowed
    monkeypatch.delenv("DASHBOARD_PUBLIC_ONLY")
    monkeypatch.setenv("DASHBOARD_USERS", f"ada:{HASH}")
    gunicorn_conf().on_starting(FakeServer())  # sign-in configured: allowed
