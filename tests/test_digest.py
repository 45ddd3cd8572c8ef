"""The staff digest (`python -m dashboard digest`): a deck as a dated PDF, mailed by SMTP.

Mail goes to a real aiosmtpd server on 127.0.0.1 started by each test: plain, with
STARTTLS (a throwaway CA made with `cryptography`, trusted through SSL_CERT_FILE), with
a login check, refusing a recipient. Most tests stand in a blank-page renderer for
kaleido so they stay fast; the @slow ones render the real slides.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pypdf import PdfReader, PdfWriter

from dashboard import digest
from dashboard.cli import main as cli
from dashboard.present.deck import Deck, Slide
from dashboard.present.store import DeckStore, make_slide

SMTP_SETTINGS = ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS")
VIEWS = (("/priorities?round=R1", "Where we started"),
         ("/participation?role=caregiver", "Carers"), ("/projects", ""))  # fmt: skip


# Fixtures ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SMTP setting leaks in from the machine; decks live in a temporary folder."""
    for name in SMTP_SETTINGS:
        monkeypatch.delenv(f"DASHBOARD_SMTP_{name}", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("DASHBOARD_APP_STATE", str(tmp_path / "app-state"))
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "off")


@pytest.fixture
def weekly(tmp_path: Path) -> DeckStore:
    """A saved deck "Weekly" of three views, in the store the command reads."""
    store = DeckStore(tmp_path / "app-state")
    for view, note in VIEWS:
        store.add_slide("Weekly", make_slide(view, note=note))
    return store


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """kaleido replaced by blank PDF pages of each figure's size; returns the batch sizes."""
    calls: list[int] = []

    def render(figures: list[go.Figure], fmt: str) -> list[bytes]:
        assert fmt == "pdf"
        calls.append(len(figures))
        pages = []
        for fig in figures:
            writer = PdfWriter()
            writer.add_blank_page(width=fig.layout.width, height=fig.layout.height)
            out = io.BytesIO()
            writer.write(out)
            pages.append(out.getvalue())
        return pages

    monkeypatch.setattr(digest, "render", render)
    return calls


@pytest.fixture
def light(fake_render: list[int], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """For the mail tests: plain pages instead of the styled slides (plotly's styling is slow)."""

    def figures(content: Any, frame: Any, handout: bool = False) -> list[go.Figure]:
        return [go.Figure(layout={"width": 1920, "height": 1400,
                                  "title": {"text": content.title}})]  # fmt: skip

    monkeypatch.setattr(digest, "export_pages", figures)
    return fake_render


@dataclass
class Inbox:
    """What the test SMTP server received."""

    refuse: set[str] = field(default_factory=set)
    mails: list[Any] = field(default_factory=list)  # aiosmtpd envelopes
    tls: list[bool] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope)
        self.tls.append(session.ssl is not None)
        return "250 Message accepted"

    def message(self, index: int = 0) -> EmailMessage:
        raw = self.mails[index].content
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A factory: start an aiosmtpd server with these options and point the settings at it."""
    started: list[Controller] = []

    def start(inbox: Inbox, **options: Any) -> Controller:
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
        controller.start()
        started.append(controller)
        monkeypatch.setenv("DASHBOARD_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DASHBOARD_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("DASHBOARD_SMTP_FROM", "insights@example.org")
        monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "0")
        return controller

    yield start
    for controller in started:
        controller.stop()


@dataclass(frozen=True)
class Certs:
    ca: Path
    server: ssl.SSLContext


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A throwaway CA and a server certificate for 127.0.0.1 it signed."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "digest test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return Certs(ca=folder / "ca.pem", server=context)


def only_staff(server: Any, session: Any, envelope: Any, mechanism: str,
               auth_data: Any) -> AuthResult:  # fmt: skip
    """The test server's login check: staff / s3cret, nobody else."""
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"staff",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def run(warehouse: Path, out: Path, *extra: str, deck: str = "Weekly") -> Result:
    args = ["digest", "--deck", deck, "--out", str(out), "--warehouse", str(warehouse), *extra]
    return CliRunner().invoke(cli, args)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


# Writing the PDF ------------------------------------------------------------


def test_help_lists_the_digest_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "digest" in result.output
    result = CliRunner().invoke(cli, ["digest", "--help"])
    assert "--email-to" in result.output and "--warehouse" in result.output


def test_writes_a_title_page_and_one_page_per_slide(
    fixture_warehouse: Path, weekly: DeckStore, fake_render: list[int], tmp_path: Path
) -> None:
    out = tmp_path / "digests" / "weekly.pdf"
    result = run(fixture_warehouse, out)
    assert result.exit_code == 0, result.output
    assert pages(out.read_bytes()) == 4
    assert fake_render == [4]  # one kaleido browser for the whole digest
    assert "4 pages" in result.output and "data as of 2026-11-01" in result.output
    assert not list(out.parent.glob(".*.tmp"))


def test_title_page_says_when_and_what() -> None:
    made = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
    weekly = Deck(name="Weekly", slug="weekly", slides=(Slide("/projects", "x"),))
    fig = digest.title_page(weekly, ["Projects & <b>results</b>"], made, "Fixture Network",
                            "2026-11-01", "b123", "Follows the latest data", None)  # fmt: skip
    texts = [a.text for a in fig.layout.annotations]
    assert "Digest of Monday 2 November 2026" in texts
    assert any("Data as of 2026-11-01 · build b123 · made 2026-11-02 07:00 UTC" in t for t in texts)
    assert "1. Projects &amp; &lt;b&gt;results&lt;/b&gt;" in texts  # member text stays text
    assert (fig.layout.width, fig.layout.height) == (1920, 1400)


def test_an_unknown_deck_exits_2_and_lists_the_decks(
    fixture_warehouse: Path, weekly: DeckStore, fake_render: list[int], tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    result = run(fixture_warehouse, out, deck="monthly")
    assert result.exit_code == 2
    assert "no deck 'monthly'" in result.stderr
    assert "state-of-the-network" in result.stderr and "weekly ('Weekly')" in result.stderr
    assert "Traceback" not in result.output and not out.exists() and fake_render == []


def test_a_deck_is_found_by_slug_and_an_empty_one_is_refused(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], tmp_path: Path
) -> None:
    assert run(fixture_warehouse, tmp_path / "a.pdf", deck="weekly").exit_code == 0
    for _ in VIEWS:
        weekly.remove_slide("weekly", 0)
    result = run(fixture_warehouse, tmp_path / "b.pdf", deck="weekly")
    assert result.exit_code == 2 and "has no slides" in result.stderr


def test_a_missing_warehouse_exits_2(weekly: DeckStore, tmp_path: Path) -> None:
    result = run(tmp_path / "nope.duckdb", tmp_path / "x.pdf")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and "Traceback" not in result.output


def test_out_may_not_be_a_folder(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], tmp_path: Path
) -> None:
    result = run(fixture_warehouse, tmp_path)
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_a_rendering_failure_is_one_line_and_exit_1(
    fixture_warehouse: Path, weekly: DeckStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(figures: list[go.Figure], fmt: str) -> list[bytes]:
        raise RuntimeError("no chromium here")

    monkeypatch.setattr(digest, "render", broken)
    result = run(fixture_warehouse, tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert "no chromium here" in result.stderr and "BROWSER_PATH" in result.stderr
    assert "Traceback" not in result.output


# Mail -----------------------------------------------------------------------


def test_mail_arrives_with_the_pdf(
    fixture_warehouse: Path, weekly: DeckStore, fake_render: list[int], smtp_server: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox()
    smtp_server(inbox)
    out = tmp_path / "weekly.pdf"
    result = run(fixture_warehouse, out, "--email-to", "staff@example.org",
                 "--email-to", "board@example.org", "--email-to", "staff@example.org")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(inbox.mails) == 1 and inbox.tls == [False]
    envelope = inbox.mails[0]
    assert envelope.mail_from == "insights@example.org"
    assert envelope.rcpt_tos == ["staff@example.org", "board@example.org"]
    message = inbox.message()
    assert message["To"] == "staff@example.org, board@example.org"
    assert message["From"] == "insights@example.org"
    today = dt.date.today().isoformat()
    assert message["Subject"].startswith("Fixture Network digest: Weekly, ")
    assert "data as of 2026-11-01" in message["Subject"] and today in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"weekly-{today}.pdf"
    data = attachment.get_content()
    assert data == out.read_bytes() and pages(data) == 4
    assert "3 slides" in message.get_body(("plain",)).get_content()
    assert "mailed" in result.output


def test_starttls_and_login_are_used_when_set(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], smtp_server: Any,
    certs: Certs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox()
    smtp_server(inbox, tls_context=certs.server, require_starttls=True, auth_required=True,
                authenticator=only_staff)  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))  # the client trusts the test CA
    monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")
    monkeypatch.setenv("DASHBOARD_SMTP_USER", "staff")
    monkeypatch.setenv("DASHBOARD_SMTP_PASSWORD", "s3cret")
    result = run(fixture_warehouse, tmp_path / "w.pdf", "--email-to", "staff@example.org")
    assert result.exit_code == 0, result.output
    assert inbox.tls == [True] and inbox.mails[0].rcpt_tos == ["staff@example.org"]


def test_the_login_is_the_sender_when_from_is_unset(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], smtp_server: Any,
    certs: Certs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox()
    smtp_server(inbox, tls_context=certs.server, require_starttls=True, authenticator=(
        lambda *a: AuthResult(success=True)))  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))
    monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")
    monkeypatch.delenv("DASHBOARD_SMTP_FROM")
    monkeypatch.setenv("DASHBOARD_SMTP_USER", "digest@example.org")
    result = run(fixture_warehouse, tmp_path / "w.pdf", "--email-to", "staff@example.org")
    assert result.exit_code == 0, result.output
    assert inbox.message()["From"] == "digest@example.org"


@dataclass(frozen=True)
class Setup:
    """What a failure's setup may use: the server factory, the test CA, the environment."""

    start: Any
    certs: Certs
    monkeypatch: pytest.MonkeyPatch
    refused_port: int  # nothing listens there


def _no_starttls(s: Setup) -> Inbox:
    inbox = Inbox()
    s.start(inbox)
    s.monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")
    return inbox


def _untrusted_cert(s: Setup) -> Inbox:
    inbox = Inbox()
    s.start(inbox, tls_context=s.certs.server, require_starttls=True)
    s.monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")  # and SSL_CERT_FILE is not set
    return inbox


def _bad_password(s: Setup) -> Inbox:
    inbox = Inbox()
    s.start(inbox, tls_context=s.certs.server, require_starttls=True, auth_required=True,
            authenticator=only_staff)  # fmt: skip
    s.monkeypatch.setenv("SSL_CERT_FILE", str(s.certs.ca))
    s.monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")
    s.monkeypatch.setenv("DASHBOARD_SMTP_USER", "staff")
    s.monkeypatch.setenv("DASHBOARD_SMTP_PASSWORD", "wrong-password")
    return inbox


def _refused_recipient(s: Setup) -> Inbox:
    inbox = Inbox(refuse={"staff@example.org"})
    s.start(inbox)
    return inbox


def _nobody_listening(s: Setup) -> Inbox:
    s.monkeypatch.setenv("DASHBOARD_SMTP_HOST", "127.0.0.1")
    s.monkeypatch.setenv("DASHBOARD_SMTP_PORT", str(s.refused_port))
    s.monkeypatch.setenv("DASHBOARD_SMTP_FROM", "insights@example.org")
    return Inbox()


def _no_host(s: Setup) -> Inbox:
    return Inbox()


def _no_sender(s: Setup) -> Inbox:
    inbox = Inbox()
    s.start(inbox)
    s.monkeypatch.delenv("DASHBOARD_SMTP_FROM")
    return inbox


FAILURES = {
    _no_starttls: "does not offer STARTTLS",
    _untrusted_cert: "TLS connection to 127.0.0.1",
    _bad_password: "refused the login of 'staff': 535",
    _refused_recipient: "refused every recipient: staff@example.org (550",
    _nobody_listening: "cannot connect to the SMTP server 127.0.0.1:",
    _no_host: "DASHBOARD_SMTP_HOST is not set",
    _no_sender: "set DASHBOARD_SMTP_FROM",
}


@pytest.mark.parametrize(
    ("setup", "says"), FAILURES.items(), ids=[f.__name__.strip("_") for f in FAILURES]
)
def test_a_failed_send_exits_1_with_one_line_and_keeps_the_pdf(
    setup: Any, says: str, fixture_warehouse: Path, weekly: DeckStore, light: list[int],
    smtp_server: Any, certs: Certs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    out = tmp_path / "weekly.pdf"
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        inbox = setup(Setup(smtp_server, certs, monkeypatch, closed.getsockname()[1]))
        result = run(fixture_warehouse, out, "--email-to", "staff@example.org")
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    assert "Traceback" not in result.output and "wrong-password" not in result.output
    assert pages(out.read_bytes()) == 4  # nothing lost
    assert inbox.mails == []


def test_some_recipients_refused_is_still_a_failure(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], smtp_server: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox(refuse={"gone@example.org"})
    smtp_server(inbox)
    result = run(fixture_warehouse, tmp_path / "w.pdf", "--email-to", "staff@example.org",
                 "--email-to", "gone@example.org")  # fmt: skip
    assert result.exit_code == 1
    assert "gone@example.org (550" in result.stderr and "the others got it" in result.stderr
    assert inbox.mails[0].rcpt_tos == ["staff@example.org"]


HOSTILE = (
    "staff@example.org\nBcc: everyone@evil.example",
    "staff@example.org\r\nSubject: hi",
    "staff@example.org,evil@evil.example",
    "staff@example.org, evil@evil.example",
    "Staff <staff@example.org>",
    "staff@example.org>",
    "<staff@example.org>",
    '"a\\"b"@example.org\nX: y',
    "staff@example.org\x00",
    "staff@exa mple.org",
    "staff@",
    "@example.org",
    "staff",
    "staff@example..org",
    "staff@[127.0.0.1]",
    " staff@example.org",
    "",
)


@pytest.mark.parametrize("address", HOSTILE)
def test_hostile_addresses_are_refused_before_anything_is_done(
    address: str, fixture_warehouse: Path, weekly: DeckStore, fake_render: list[int],
    smtp_server: Any, tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox()
    smtp_server(inbox)
    out = tmp_path / "w.pdf"
    result = run(fixture_warehouse, out, "--email-to", "ok@example.org", "--email-to", address)
    assert result.exit_code == 2, result.output
    assert "--email-to" in result.stderr and "Traceback" not in result.output
    assert not out.exists() and fake_render == [] and inbox.mails == []


def test_plain_addresses_are_accepted() -> None:
    for address in ("staff@example.org", "first.last+digest@mail.example.org", "a_b@x-y.org"):
        assert digest.parse_address(address) == address


def test_a_hostile_sender_setting_is_refused(
    fixture_warehouse: Path, weekly: DeckStore, light: list[int], smtp_server: Any,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    inbox = Inbox()
    smtp_server(inbox)
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", "a@example.org\nBcc: evil@evil.example")
    result = run(fixture_warehouse, tmp_path / "w.pdf", "--email-to", "staff@example.org")
    assert result.exit_code == 2 and "DASHBOARD_SMTP_FROM" in result.stderr
    assert inbox.mails == [] and (tmp_path / "w.pdf").exists()


# The real rendering ---------------------------------------------------------


@pytest.mark.slow
def test_the_digest_renders_the_deck_and_arrives(
    fixture_warehouse: Path, weekly: DeckStore, smtp_server: Any, tmp_path: Path
) -> None:
    inbox = Inbox()
    smtp_server(inbox)
    out = tmp_path / "weekly.pdf"
    result = run(fixture_warehouse, out, "--email-to", "staff@example.org")
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 4
    cover = " ".join(reader.pages[0].extract_text().split())
    today = dt.date.today()
    assert "Weekly" in cover and f"Digest of {today:%A} {today.day} {today:%B %Y}" in cover
    assert "Data as of 2026-11-01" in cover and "3 slides" in cover
    assert "Speaker note: Where we started" in " ".join(reader.pages[1].extract_text().split())
    (attachment,) = list(inbox.message().iter_attachments())
    assert pages(attachment.get_content()) == 4


@pytest.mark.slow
def test_the_built_in_deck_has_a_title_page_and_eight_slides(
    fixture_warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "state.pdf"
    result = run(fixture_warehouse, out, deck="State of the network")
    assert result.exit_code == 0, result.output
    assert pages(out.read_bytes()) == 9
