"""The public side: embeds, their filters, isolation, sign-in, headers, caching, publish."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from app import create_app, create_public_server
from dashboard.catalogue import CATALOGUE as CHARTS
from dashboard.cli import main as cli
from dashboard.config import Settings, embed_origins
from dashboard.engine import Engine
from dashboard.insights.result import WITHHELD, displayed
from dashboard.public import charts as public
from dashboard.public.publish import publish
from dashboard.security import Auth, ExposureError, check_exposure
from dashboard.warehouse.build import build_warehouse

K = 11


def settings_for(path: Path, **extra) -> Settings:
    return Settings(warehouse=path, k=K, query_timeout_s=5, network_name="", **extra)


@pytest.fixture(scope="module")
def client(fixture_warehouse: Path):
    return create_app(settings_for(fixture_warehouse), Auth()).server.test_client()


@pytest.fixture(scope="module")
def public_client(fixture_warehouse: Path):
    return create_public_server(settings_for(fixture_warehouse)).test_client()


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


# --- what an embed shows -----------------------------------------------------------


@pytest.mark.parametrize("chart_id", list(public.PUBLIC_FILTERS))
def test_every_public_chart_has_a_page_and_its_data(client, chart_id: str) -> None:
    page = client.get(f"/embed/{chart_id}/")
    assert page.status_code == 200
    assert b'src="../static/embed.js?v=' in page.data
    data = client.get(f"/embed/{chart_id}/data/all.json").get_json()
    assert data["chart"] == chart_id
    assert data["as_of"] == "2026-11-01"
    assert data["summary"]
    assert data["figure"]["data"] is not None


def test_embed_data_is_exactly_the_api_rows(client) -> None:
    query = "round=R1&role=person_with_ms"
    embed_csv = client.get("/embed/priorities/data/role=person_with_ms&round=R1.csv").data
    api_csv = client.get(f"/api/v1/charts/priorities.csv?{query}").data
    assert embed_csv == api_csv
    assert client.get(f"/embed/priorities/?{query}").status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/embed/priorities/?age_band=40-49", 400, "unknown filter"),
        ("/embed/priorities/?role=caregiver&ms_course=progressive", 400, "use one of role"),
        ("/embed/priorities/?role=admin", 400, "not allowed"),
        ("/embed/priorities/?round=R1&round=R2", 400, "one value"),
        ("/embed/priorities/?round=%27%3B%20DROP%20TABLE%20votes", 400, "not a valid id"),
        ("/embed/priorities/?method=bridging", 400, "unknown filter"),
        ("/embed/retention/", 404, "no public chart"),
        ("/embed/priorities-by-group/", 404, "no public chart"),
        # Kept in the warehouse for the next release, never a chart.
        ("/embed/retention-roles/", 404, "no public chart"),
        ("/embed/retention-roles/data/all.json", 404, "no public chart"),
        ("/embed/country-table/data/all.csv", 404, "no public chart"),
        ("/embed/priorities/data/round=R1&age_band=40-49.json", 400, "unknown filter"),
        ("/embed/priorities/data/round=R1&round=R1.json", 400, "malformed"),
        ("/embed/priorities/data/round=R1&role=caregiver.json", 400, "canonical"),
        ("/embed/priorities/data/all.json?role=caregiver", 400, "no query string"),
        ("/embed/priorities/data/all.html", 404, "no such"),
        ("/embed/static/../../app.py", 404, "no such"),
        ("/embed/static/embed.js.map", 404, "no such"),
    ],
)
def test_anything_beyond_the_public_filters_is_refused(client, url, status, says) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_public_side_is_read_only(client) -> None:
    assert client.post("/embed/priorities/").status_code == 405


def test_no_count_below_k_in_any_public_file(engine: Engine, tmp_path: Path) -> None:
    publish(engine, tmp_path, images=False)
    checked = 0
    for path in (tmp_path / "embed").glob("*/data/*.csv"):
        chart = CHARTS[path.parent.parent.name]
        counts = set(engine.run(chart.id, {}).count_fields)
        for row in csv.DictReader(io.StringIO(path.read_text())):
            for name in counts & set(row):
                value = row[name]
                if value and value != WITHHELD:
                    assert not 1 <= float(value) < K, (path.name, name, value)
                    checked += 1
    assert checked > 100


def test_member_text_stays_text_in_the_embed_payload(client) -> None:
    data = client.get("/embed/priorities/data/round=R1.json").get_json()
    figure = data["figure"]
    labels = [a["text"] for a in figure["layout"].get("annotations", [])]
    labels += [h for trace in figure["data"] for h in trace.get("hovertext", [])]
    assert labels, "the fixture round has questions to label"
    assert any("&lt;img" in label for label in labels), "the fixture's <img> title is shown"
    assert not any("<b>" in label or "<script" in label for label in labels)


# --- isolation: the public server has nothing else ----------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/_dash-update-component"),
        ("get", "/_dash-layout"),
        ("get", "/_dash-dependencies"),
        ("get", "/api/v1/charts/retention.json"),
        ("get", "/priorities"),
        ("get", "/"),
    ],
)
def test_public_server_cannot_reach_researcher_routes(public_client, method, path) -> None:
    body = {"output": "priorities-graph.figure", "inputs": [], "changedPropIds": []}
    response = getattr(public_client, method)(path, json=body)
    assert response.status_code in (404, 405)
    assert public_client.get("/embed/priorities/data/all.json").status_code == 200


def test_forged_callback_needs_sign_in_when_configured(fixture_warehouse: Path) -> None:
    auth = Auth(users={"ada": generate_password_hash("correct horse")})
    c = create_app(settings_for(fixture_warehouse), auth).server.test_client()
    forged = {"output": "priorities-graph.figure", "outputs": {}, "inputs": [],
              "changedPropIds": ["f-round.value"]}  # fmt: skip
    assert c.post("/_dash-update-component", json=forged).status_code == 401
    assert c.get("/api/v1/charts/retention.json").status_code == 401
    assert c.get("/priorities").status_code == 401
    assert c.get("/priorities", headers=basic("ada", "wrong")).status_code == 401
    assert c.get("/priorities", headers=basic("eve", "correct horse")).status_code == 401
    assert c.get("/priorities", headers=basic("ada", "correct horse")).status_code == 200
    assert c.get("/priorities").headers["WWW-Authenticate"].startswith("Basic")
    # The embeds stay public and the health check open.
    assert c.get("/embed/priorities/").status_code == 200
    assert c.get("/embed/priorities/data/all.json").status_code == 200
    assert c.get("/healthz").status_code == 200


def test_proxy_header_sign_in(fixture_warehouse: Path) -> None:
    c = create_app(settings_for(fixture_warehouse), Auth(header="X-Forwarded-User")).server
    client = c.test_client()
    assert client.get("/priorities").status_code == 401
    assert client.get("/priorities", headers={"X-Forwarded-User": "ada"}).status_code == 200


def test_users_from_env_file_and_inline(monkeypatch, tmp_path: Path) -> None:
    hashed = generate_password_hash("pw")
    users = tmp_path / "users"
    users.write_text(f"# researchers\nada:{hashed}\n")
    monkeypatch.setenv("DASHBOARD_USERS", str(users))
    assert set(Auth.from_env().users) == {"ada"}
    monkeypatch.setenv("DASHBOARD_USERS", f"ada:{hashed},bob:{hashed}")
    assert set(Auth.from_env().users) == {"ada", "bob"}
    monkeypatch.setenv("DASHBOARD_USERS", "ada:plaintext-password")
    with pytest.raises(ValueError, match="hash-password"):
        Auth.from_env()


@pytest.mark.parametrize(
    ("host", "auth", "public_only", "refused"),
    [
        ("127.0.0.1", Auth(), False, False),
        ("localhost", Auth(), False, False),
        ("::1", Auth(), False, False),
        ("0.0.0.0", Auth(), False, True),
        ("192.168.1.20", Auth(), False, True),
        ("example.org", Auth(), False, True),
        ("0.0.0.0", Auth(header="X-Forwarded-User"), False, True),
        ("127.0.0.1", Auth(header="X-Forwarded-User"), False, False),
        ("0.0.0.0", Auth(users={"ada": "scrypt:1:8:1$s$h"}), False, False),
        ("0.0.0.0", Auth(), True, False),
    ],
)
def test_refuses_to_serve_researcher_pages_publicly_without_sign_in(
    host, auth, public_only, refused
) -> None:
    if refused:
        with pytest.raises(ExposureError, match="Refusing to serve"):
            check_exposure(host, auth, public_only)
    else:
        check_exposure(host, auth, public_only)


def test_serve_command_refuses_a_public_bind(monkeypatch, fixture_warehouse: Path) -> None:
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    monkeypatch.delenv("DASHBOARD_AUTH_HEADER", raising=False)
    result = CliRunner().invoke(
        cli, ["serve", "--warehouse", str(fixture_warehouse), "--host", "0.0.0.0"]
    )
    assert result.exit_code == 2
    assert "Refusing to serve the researcher pages on 0.0.0.0" in result.output


def test_hash_password_command_makes_a_usable_line() -> None:
    result = CliRunner().invoke(cli, ["hash-password", "--user", "ada", "--password", "s3cret"])
    assert result.exit_code == 0
    line = result.output.strip()
    assert Auth(users={"ada": line.partition(":")[2]}).users["ada"].count("$") >= 2


# --- headers -------------------------------------------------------------------------


def test_researcher_pages_refuse_framing_and_embeds_allow_it(client) -> None:
    page = client.get("/priorities")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    embed = client.get("/embed/priorities/")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "script-src 'self';" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert embed.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in embed.headers


def test_embed_origins_are_configurable_and_checked(fixture_warehouse: Path) -> None:
    origins = embed_origins("https://news.example.org https://*.partner.org")
    app = create_app(settings_for(fixture_warehouse, embed_origins=origins), Auth())
    csp = app.server.test_client().get("/embed/topics/").headers["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors https://news.example.org https://*.partner.org")
    for bad in ("", "https://x.org; script-src *", "javascript:alert(1)", "*.org'"):
        with pytest.raises(ValueError, match="DASHBOARD_EMBED_ORIGINS"):
            embed_origins(bad)


def test_errors_never_show_a_traceback(client, monkeypatch) -> None:
    def boom(*_a, **_k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(public, "view", boom)
    response = client.get("/embed/topics/data/round=R2.json")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text and "Traceback" not in text


# --- caching -------------------------------------------------------------------------


def test_etag_and_304_until_the_next_build(export_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "wh.duckdb"
    build_warehouse(export_copy, target)
    c = create_app(settings_for(target), Auth()).server.test_client()
    first = c.get("/embed/priorities/data/all.json")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    assert (
        c.get("/embed/priorities/data/all.json", headers={"If-None-Match": etag}).status_code == 304
    )
    assert c.get("/embed/priorities/", headers={"If-None-Match": etag}).status_code == 200
    # A rebuild from changed data is a new build id: the old ETag no longer matches.
    votes = export_copy / "votes.csv"
    lines = votes.read_text().splitlines()
    votes.write_text("\n".join(lines[:-1]) + "\n")
    build_warehouse(export_copy, target)
    again = c.get("/embed/priorities/data/all.json", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag


@pytest.mark.parametrize("path", ["/embed/priorities/data/all.json", "/embed/static/embed.js"])
def test_gzipped_and_plain_bodies_never_share_an_etag(client, path: str) -> None:
    """A cache that stores one would otherwise answer a 304 for the other's bytes."""
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 200  # the plain body is not what that ETag named


def test_static_files_are_compressed_and_the_embed_bundle_is_light(client) -> None:
    js = client.get("/embed/static/plotly-basic.min.js", headers={"Accept-Encoding": "gzip"})
    assert js.headers["Content-Encoding"] == "gzip"
    assert len(js.data) < 700_000
    assert gzip.decompress(js.data).startswith(
        b"//# allFunctionsCalledOnLoad\n/**\n* plotly.js (basic"
    )
    plain = client.get("/embed/static/host.js")
    assert "Content-Encoding" not in plain.headers
    assert b"community-insights:height" in plain.data


def test_embed_pages_name_their_scripts_by_version_so_they_are_kept_a_year(client) -> None:
    """Lighthouse's cache audit: plotly's bundle was kept only a day."""
    page = client.get("/embed/priorities/").get_data(as_text=True)
    scripts = re.findall(r'<script src="\.\./static/([^"]+)" defer>', page)
    assert [s.split("?")[0] for s in scripts] == ["plotly-basic.min.js", "embed.js"]
    for script in scripts:
        response = client.get(f"/embed/static/{script}")
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"], script
    assert "immutable" not in client.get("/embed/static/embed.js").headers["Cache-Control"]


# --- static publish ------------------------------------------------------------------


def test_publish_writes_every_public_view_matching_the_server(
    engine: Engine, client, tmp_path: Path
) -> None:
    result = publish(engine, tmp_path, images=False)
    root = tmp_path / "embed"
    assert result.files == len(list(root.rglob("*.*")))
    for chart_id in public.PUBLIC_FILTERS:
        assert (root / chart_id / "index.html").is_file()
        for filters in public.combinations(engine, chart_id):
            key = public.data_key(filters)
            served = client.get(f"/embed/{chart_id}/data/{key}.json").get_json()
            assert json.loads((root / chart_id / "data" / f"{key}.json").read_text()) == served
            # the CSV: the server's, and the data API's rows rounded as the chart shows them
            published_csv = (root / chart_id / "data" / f"{key}.csv").read_bytes()
            assert published_csv == client.get(f"/embed/{chart_id}/data/{key}.csv").data
            api = csv.reader(io.StringIO(client.get(f"/api/v1/charts/{chart_id}.csv?"
                                                    f"{urlencode(filters.to_query())}").text))  # fmt: skip
            mine = csv.reader(io.StringIO(published_csv.decode()))
            header = next(api)
            assert next(mine) == header
            for api_row, row in zip(api, mine, strict=True):
                assert len(row) == len(api_row)  # a message row has one cell
                for name, raw, shown in zip(header, api_row, row, strict=False):
                    if re.fullmatch(r"-?\d+\.\d+(e-?\d+)?", raw):
                        assert float(shown) == displayed(name, float(raw)), (name, raw, shown)
                    else:
                        assert shown == raw
    # Republishing replaces the folder whole, leaving no stray staging folders.
    publish(engine, tmp_path, images=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["embed"]
    shutil.rmtree(root)


def test_publish_command(fixture_warehouse: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["publish", "--out", str(tmp_path), "--warehouse", str(fixture_warehouse), "--no-images"],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "embed" / "priorities" / "data" / "all.json").is_file()


@pytest.mark.parametrize("command", [["serve"], ["publish", "--out", "OUT"]])
def test_commands_refuse_a_corrupt_warehouse_clearly(tmp_path: Path, command) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    args = [str(tmp_path / "site") if a == "OUT" else a for a in command]
    result = CliRunner().invoke(cli, [*args, "--warehouse", str(bad)])
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and "Traceback" not in result.output


def test_snippets_use_the_configured_address_never_the_host_header(fixture_warehouse) -> None:
    from dashboard.config import Settings

    settings = Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5, network_name="",
                        public_url="https://insights.example.org")  # fmt: skip
    app = create_app(settings, Auth())
    index = app.server.test_client().get("/embed/", headers={"Host": "evil.example"})
    text = index.get_data(as_text=True)
    assert "https://insights.example.org/embed/" in text
    assert "evil.example" not in text
    from dashboard.pages import priorities  # registered by create_app

    with app.server.test_request_context("/priorities", headers={"Host": "evil.example"}):
        tree = priorities.layout(round="R1")
    code = next(n for n in _walk(tree) if getattr(n, "id", None) == "priorities-embed-code")
    assert "https://insights.example.org/embed/priorities/" in str(code.children)
    assert "evil.example" not in str(code.children)
    # the dialog also offers the snippet pinned to this release (it never changes)
    pinned = next(n for n in _walk(tree) if getattr(n, "id", None) == "priorities-embed-release")
    assert "https://insights.example.org/embed/priorities/@2026-11-01/?round=R1" in str(
        pinned.children
    )


def _walk(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif node is not None and not isinstance(node, str | int | float):
            yield node
            stack.append(getattr(node, "children", None))


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "https://a.example/x?y=<b>", "ftp://x"])
def test_a_public_url_that_is_not_an_address_is_refused(bad: str) -> None:
    from dashboard.config import public_url

    with pytest.raises(ValueError, match="DASHBOARD_PUBLIC_URL"):
        public_url(bad)
    assert public_url("https://insights.example.org/") == "https://insights.example.org"
