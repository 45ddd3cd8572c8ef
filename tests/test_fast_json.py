"""The API's JSON is written by orjson (dashboard/fast_json.py): the same answer as Flask's
own provider once parsed, NaN as null, and every app we serve uses it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import uuid
from pathlib import Path

import pytest
from flask import Flask, jsonify

from dashboard.fast_json import OrjsonProvider, use_orjson


@dataclasses.dataclass
class _Point:
    x: int
    on: dt.date


def _both(obj: object) -> tuple[bytes, bytes]:
    plain, fast = Flask("plain"), Flask("fast")
    use_orjson(fast)
    with plain.app_context():
        a = jsonify(obj).get_data()
    with fast.app_context():
        b = jsonify(obj).get_data()
    return a, b


def test_the_same_answer_as_flasks_provider() -> None:
    obj = {"text": "é <b>&</b>", "none": None, "float": 1.25, "int": 3, "list": [1, (2, 3)],
           "date": dt.date(2026, 11, 1), "time": dt.datetime(2026, 11, 1, 3, 4, 5),
           "dataclass": _Point(1, dt.date(2026, 1, 2)), "uuid": uuid.UUID(int=5),
           "decimal": decimal.Decimal("1.5"), "rows": [{"b": 1, "a": 2}]}  # fmt: skip
    plain, fast = _both(obj)
    assert json.loads(fast) == json.loads(plain)
    assert fast.endswith(b"}\n") and fast.count(b"\n") == 1  # one line, as before
    assert fast.index(b'"dataclass"') < fast.index(b'"date"')  # keys sorted, as Flask does


def test_nan_is_null_not_invalid_json() -> None:
    plain, fast = _both({"mean": float("nan")})
    assert b"NaN" in plain  # the standard library writes what JSON parsers refuse
    assert json.loads(fast) == {"mean": None}


def test_what_json_cannot_write_is_still_an_error() -> None:
    app = Flask("fast")
    use_orjson(app)
    with app.app_context(), pytest.raises(TypeError):
        jsonify({"x": object()})


def test_every_served_app_writes_with_it(fixture_warehouse: Path) -> None:
    from dashboard.config import Settings
    from dashboard.security import Auth
    from dashboard.server import create_app, create_public_server

    settings = Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5, network_name="")
    app = create_app(settings, Auth())
    assert isinstance(app.server.json, OrjsonProvider)
    assert isinstance(create_public_server(settings).json, OrjsonProvider)
    response = app.server.test_client().get("/api/v1/charts/priorities.json")
    assert response.status_code == 200 and json.loads(response.data)["rows"]


def test_what_only_json_can_write_falls_back_to_it() -> None:
    """orjson stops at 64-bit integers; a fuzzed echo of a huge number must still answer."""
    huge = -9_223_372_036_854_775_809
    plain, fast = _both({"search": huge})
    assert json.loads(fast) == json.loads(plain) == {"search": huge}
