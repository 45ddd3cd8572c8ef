"""Sign-in, response headers and the refusal to serve researcher pages in the open.

Sign-in is HTTP Basic over hashed passwords (`DASHBOARD_USERS`), or a header set
by an authenticating proxy (`DASHBOARD_AUTH_HEADER`, e.g. oauth2-proxy's
X-Forwarded-User). When either is configured, every researcher page, asset and
callback needs it; only /healthz stays open. The public embeds are a separate
app and need none.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, jsonify, request
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.config import env

OPEN_PATHS = frozenset({"/healthz"})
REALM = 'Basic realm="Community insights", charset="UTF-8"'
# Checked against when the user is unknown, so timing does not reveal valid names.
_DUMMY_HASH = generate_password_hash("not-a-password")


class ExposureError(RuntimeError):
    """Researcher pages would be reachable from the network without sign-in."""


@dataclass(frozen=True)
class Auth:
    """Who may sign in: user -> password hash, and/or a trusted proxy header."""

    users: dict[str, str] = field(default_factory=dict)
    header: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.users or self.header)

    @classmethod
    def from_env(cls) -> Auth:
        """DASHBOARD_USERS: a file of `user:hash` lines, or comma-separated `user:hash` pairs."""
        raw = env("DASHBOARD_USERS").strip()
        if raw and "$" not in raw:  # every hash has a "$": this is a file name
            path = Path(raw)
            if not path.is_file():
                raise ValueError(
                    "DASHBOARD_USERS must be a file of user:hash lines or user:hash pairs, "
                    "with hashes made by `python -m dashboard hash-password`"
                )
            raw = path.read_text(encoding="utf-8")
        header = env("DASHBOARD_AUTH_HEADER").strip() or None
        return cls(users=parse_users(raw.replace(",", "\n").splitlines()), header=header)

    def user(self) -> str | None:
        """The signed-in user of the current request, or None."""
        if self.header:
            name = request.headers.get(self.header, "").strip()
            if name:
                return name
        if self.users:
            name, password = _basic_credentials()
            if name is not None:
                stored = self.users.get(name)
                ok = check_password_hash(stored or _DUMMY_HASH, password or "")
                if ok and stored:
                    return name
        return None


def parse_users(lines: Iterable[str]) -> dict[str, str]:
    """`user:hash` lines (hashes from `python -m dashboard hash-password`)."""
    users: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name or "$" not in hashed:
            raise ValueError(
                "DASHBOARD_USERS entries must be user:hash, with hashes made by "
                "`python -m dashboard hash-password`"
            )
        users[name] = hashed
    return users


def _basic_credentials() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 1024:
        return None, None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else (None, None)


def require_sign_in(server: Flask, auth: Auth) -> None:
    """Every request to the researcher app needs a signed-in user (when configured)."""
    if not auth.configured:
        return

    @server.before_request
    def _check() -> Response | None:
        if request.path in OPEN_PATHS or auth.user():
            return None
        response = Response("Sign-in required.\n", status=401, mimetype="text/plain")
        if auth.users:
            response.headers["WWW-Authenticate"] = (
                'Basic realm="Community insights", charset="UTF-8"'
            )
        return response


def researcher_headers(server: Flask, script_hashes: Callable[[], Iterable[str]]) -> None:
    """Researcher pages: never framed, scripts only from us (plus Dash's inline ones).

    `script_hashes` is asked per response: Dash adds inline scripts (clientside
    callbacks) when it sets itself up on the first request.
    """

    @server.after_request
    def _headers(response: Response) -> Response:
        scripts = " ".join(["'self'", *script_hashes()])
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.path.startswith(("/api/", "/_dash-")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


CALLBACK_PATH = "/_dash-update-component"


def guard_callbacks(server: Flask, callback_map: Callable[[], Mapping[str, dict]]) -> None:
    """Refuse malformed callback requests with a 400 before Dash sees them.

    Dash trusts the shape of a callback request (its renderer made it) and
    fails with a 500 on anything else. Only the values stay free-form: each
    callback checks those itself (through Filters, the deck store, ...).
    Register after sign-in, so nobody unsigned learns which callbacks exist.
    """

    @server.before_request
    def _check_callback() -> Response | None:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # json gives up on very deep nesting with this, not ValueError
            body = None
        problem = callback_problem(body, callback_map())
        if problem is None:
            return None
        response = jsonify({"error": f"malformed callback request: {problem}", "status": 400})
        response.status_code = 400
        return response


def callback_problem(body: object, callbacks: Mapping[str, dict]) -> str | None:
    """Why a callback request body does not fit a registered callback, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in callbacks.get(output, {}):
        return "no such callback"  # (clientside callbacks run in the browser only)
    spec = callbacks[output]
    for key in ("inputs", "state"):
        declared = spec.get(key) or []
        given = body.get(key, [])
        if not isinstance(given, list) or len(given) != len(declared):
            return f"{key} must list {len(declared)} item(s)"
        for want, got in zip(declared, given, strict=True):
            if not _fits(want, got):
                return f"{key} do not match the callback"
            if not _url_part_ok(got):
                return "a location's pathname, search, hash or href must be URL text"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings"
    outputs = body.get("outputs")
    declared_out = spec.get("output")
    if isinstance(declared_out, list):
        if not isinstance(outputs, list) or len(outputs) != len(declared_out):
            return f"outputs must list {len(declared_out)} item(s)"
        if not all(_is_prop(o) or _is_prop_list(o) for o in outputs):
            return "outputs do not match the callback"
    elif outputs is not None and not (_is_prop(outputs) or _is_prop_list(outputs)):
        return "outputs do not match the callback"
    return None


URL_PROPS = frozenset({"pathname", "search", "hash", "href"})


def _url_part_ok(item: object) -> bool:
    """dcc.Location values are what a browser's location holds: text, a path from "/"."""
    if not isinstance(item, dict) or item.get("property") not in URL_PROPS:
        return True
    value = item.get("value")
    if value is None:
        return item["property"] != "pathname"
    return isinstance(value, str) and (item["property"] != "pathname" or value.startswith("/"))


def _is_prop(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    )


def _is_prop_list(items: object) -> bool:
    return isinstance(items, list) and all(_is_prop(i) for i in items)


def _fits(declared: dict, given: object) -> bool:
    """An input or state item: the declared id and property, or a list for a pattern id."""
    want_id, want_prop = declared["id"], declared["property"]
    if not want_id.startswith("{"):
        return _is_prop(given) and given["id"] == want_id and given["property"] == want_prop  # type: ignore[index]
    pattern = json.loads(want_id)  # wildcards read ["ALL"], ["MATCH"], ...; others are fixed
    return _is_prop_list(given) and all(
        isinstance(g["id"], dict)
        and set(g["id"]) == set(pattern)
        and g["property"] == want_prop
        and all(
            isinstance(v, str | int | float | bool)
            and (isinstance(pattern[k], list) or v == pattern[k])
            for k, v in g["id"].items()
        )
        for g in given  # type: ignore[union-attr]
    )


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server on this machine."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, auth: Auth, public_only: bool = False) -> None:
    """Refuse to serve researcher pages beyond loopback without sign-in."""
    if public_only or is_loopback(host) or auth.users:
        return
    if auth.header:
        raise ExposureError(
            f"Refusing to serve the researcher pages on {host} with only "
            f"DASHBOARD_AUTH_HEADER sign-in: anyone reaching {host} could send that header.\n"
            "Bind to 127.0.0.1 and let the signing-in proxy be the only way in, or use "
            "DASHBOARD_USERS."
        )
    raise ExposureError(
        f"Refusing to serve the researcher pages on {host} without sign-in.\n"
        "Configure one of:\n"
        "  DASHBOARD_USERS='alice:<hash>,bob:<hash>' (or a file of user:hash lines); "
        "make a hash with `python -m dashboard hash-password`\n"
        "  DASHBOARD_AUTH_HEADER=X-Forwarded-User behind a proxy that signs users in "
        "(then bind to 127.0.0.1)\n"
        "or serve only the public embeds with --public-only, or bind to 127.0.0.1."
    )
