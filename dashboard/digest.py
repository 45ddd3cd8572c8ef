"""The staff digest: a saved deck rendered as a dated PDF, and optionally mailed.

`python -m dashboard digest --deck NAME --out FILE.pdf [--email-to ADDR ...]` is made
for cron. The PDF is the server's handout (`/present/<deck>.pdf`, rendered by the same
present.export code from one snapshot of the warehouse) behind a title page that says
when the digest was made and which data it shows. Mail goes through the standard
library (`smtplib`, `email.message`), configured by the SMTP settings
(DASHBOARD_SMTP_HOST and the rest).

Every failure becomes a `DigestError`: one line for stderr and an exit code (2 for
what the command was asked, 1 for what went wrong doing it). The PDF is written before
anything is sent, so a mail that cannot be delivered loses nothing.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import plotly.graph_objects as go

from dashboard.config import env, env_flag, env_int
from dashboard.engine import Engine
from dashboard.figures.theme import FONT, safe_text
from dashboard.present.deck import Deck
from dashboard.present.export import HEIGHT, NOTE_HEIGHT, WIDTH, combine_pdfs, export_pages, render
from dashboard.present.render import deck_status, render_slide
from dashboard.present.routes import _frames, network_name
from dashboard.present.store import DeckStore, slugify

SMTP_TIMEOUT_S = 30
MAX_RECIPIENTS = 50
MAX_LISTED_SLIDES = 14  # on the title page; the pages themselves are all there
DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


class DigestError(Exception):
    """A digest that cannot be made or sent: a one-line reason and the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(" ".join(message.split()))
        self.code = code


@dataclass(frozen=True)
class Digest:
    """A rendered digest: the PDF and what it was made from (for the mail and the log)."""

    deck: Deck
    pdf: bytes
    pages: int
    made_at: datetime
    network: str
    as_of: str
    build_id: str
    status: str
    stale: str | None

    @property
    def filename(self) -> str:
        """The attachment's name: the deck and the digest's date, e.g. `weekly-2026-11-02.pdf`."""
        return f"{self.deck.slug}-{self.made_at:%Y-%m-%d}.pdf"

    @property
    def subject(self) -> str:
        return (
            f"{self.network} digest: {self.deck.name}, {self.made_at:%Y-%m-%d} "
            f"(data as of {self.as_of})"
        )


# The deck ----------------------------------------------------------------


def find_deck(store: DeckStore, name: str) -> Deck:
    """A deck by its name or slug; an unknown one lists the decks there are (exit 2)."""
    deck = store.get(slugify(name)) if slugify(name) else None
    if deck is None:
        listed = ", ".join(f"{d.slug} ({d.name!r})" for d in store.list_decks()) or "none"
        raise DigestError(f"no deck {name[:60]!r}; the decks are: {listed}", code=2)
    if not deck.slides:
        raise DigestError(f"the deck {deck.name!r} has no slides yet", code=2)
    return deck


# The PDF -----------------------------------------------------------------


def _long_date(when: datetime) -> str:
    return f"{when:%A} {when.day} {when:%B %Y}"


def title_page(deck: Deck, titles: Sequence[str], made_at: datetime, network: str,
               as_of: str, build_id: str, status: str, stale: str | None) -> go.Figure:  # fmt: skip
    """The first page: whose digest, made when, from which data, and what is inside.

    The same size as a handout page, so the PDF reads as one document.
    """
    height = HEIGHT + NOTE_HEIGHT
    fig = go.Figure()
    fig.update_layout(
        width=WIDTH, height=height, template="plotly_white", paper_bgcolor="white",
        plot_bgcolor="white", font={**FONT, "size": 26, "color": "#111111"},
        margin={"l": 0, "r": 0, "t": 0, "b": 0, "autoexpand": False}, showlegend=False,
    )  # fmt: skip
    fig.update_xaxes(visible=False, range=[0, WIDTH])
    fig.update_yaxes(visible=False, range=[0, height])
    made = f"{made_at:%Y-%m-%d %H:%M} {made_at.tzname() or ''}".strip()
    lines: list[tuple[str, int, str, bool]] = [
        (network, 30, "#333333", False),
        (deck.name, 64, "#111111", True),
        (f"Digest of {_long_date(made_at)}", 38, "#111111", False),
        (f"Data as of {as_of} · build {build_id} · made {made}", 26, "#333333", False),
        (status, 26, "#333333", False),
    ]
    if stale:
        lines.append((stale, 24, "#B00020", False))
    lines.append((f"{len(titles)} slide{'s' if len(titles) != 1 else ''}:", 28, "#111111", True))
    shown = titles[:MAX_LISTED_SLIDES]
    lines += [(f"{i}. {t}", 24, "#111111", False) for i, t in enumerate(shown, 1)]
    if len(titles) > len(shown):
        lines.append((f"… and {len(titles) - len(shown)} more", 24, "#333333", False))
    y = height - 90
    for text, size, color, bold in lines:
        if bold and size < 38:
            y -= 20  # a little air before the list of slides
        for part in textwrap.wrap(text, int((WIDTH - 200) / (0.56 * size)))[:3]:
            body = safe_text(part)
            fig.add_annotation(
                text=f"<b>{body}</b>" if bold else body, x=100, y=y, xref="x", yref="y",
                xanchor="left", yanchor="top", align="left", showarrow=False,
                font={"size": size, "color": color},
            )  # fmt: skip
            y -= int(size * 1.5)
        y -= int(size * 0.3) + (24 if size >= 38 else 0)
    return fig


def make_digest(engine: Engine, deck: Deck, now: datetime | None = None) -> Digest:
    """Render the deck as the server's handout, from one snapshot, behind a title page."""
    engine = engine.pinned()  # every slide from the same build, even if one lands meanwhile
    snap = engine.warehouse.snapshot()
    made_at = (now or datetime.now()).astimezone()
    status, stale = deck_status(deck.pinned_build, deck.pinned_as_of, engine)
    frames = _frames(engine, deck)  # the same frames as the server's handout
    contents = [render_slide(engine, slide) for slide in deck.slides]
    network = " ".join(network_name(engine).split())
    cover = title_page(deck, [c.title for c in contents], made_at, network,
                       snap.as_of, snap.build_id, status, stale)  # fmt: skip
    # a slide whose table is longer than a page becomes several pages
    figures = [page for c, f in zip(contents, frames, strict=True)
               for page in export_pages(c, f, handout=True)]  # fmt: skip
    try:
        pdf = combine_pdfs(render([cover, *figures], "pdf"))
    except Exception as exc:  # kaleido or chromium failed: one line, not a traceback
        raise DigestError(
            f"rendering the PDF failed ({type(exc).__name__}: {exc}); it needs kaleido and "
            "chromium (set BROWSER_PATH=/usr/bin/chromium if it is not found)"
        ) from exc
    return Digest(deck=deck, pdf=pdf, pages=1 + len(figures), made_at=made_at, network=network,
                  as_of=snap.as_of, build_id=snap.build_id, status=status,
                  stale=stale)  # fmt: skip


def write_pdf(data: bytes, path: Path) -> None:
    """Write atomically (temp file + rename): a reader never sees half of last week's file."""
    if path.is_dir():
        raise DigestError(f"--out {path} is a folder; give the PDF file's name", code=2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise DigestError(f"cannot write {path}: {exc.strerror or exc}") from exc


# Mail ----------------------------------------------------------------------


def parse_address(value: str, what: str = "--email-to") -> str:
    """One plain address (`name@example.org`), or a DigestError (exit 2).

    Parsed by email.headerregistry, and refused if it holds anything else: a second
    address, a display name, control characters (a newline would start a new header).
    """
    text = str(value)
    if not text or not text.isprintable() or len(text) > 254 or text != text.strip():
        raise DigestError(f"{what} {text[:80]!r} is not one plain email address", code=2)
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError, TypeError, MessageError) as exc:
        raise DigestError(f"{what} {text[:80]!r} is not an email address ({exc})", code=2) from exc
    domain = address.domain
    if (
        not address.username
        or not domain
        or address.addr_spec != text
        or not set(domain) <= DOMAIN_CHARS
        or "" in domain.split(".")
    ):
        raise DigestError(f"{what} {text[:80]!r} is not one plain email address", code=2)
    return address.addr_spec


def parse_recipients(values: Sequence[str]) -> list[str]:
    """Every --email-to checked (duplicates dropped, order kept)."""
    if len(values) > MAX_RECIPIENTS:
        raise DigestError(f"at most {MAX_RECIPIENTS} --email-to addresses", code=2)
    return list(dict.fromkeys(parse_address(v) for v in values))


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP settings, from DASHBOARD_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS."""

    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool

    @classmethod
    def from_env(cls) -> SmtpSettings:
        try:
            port = env_int("DASHBOARD_SMTP_PORT")
        except ValueError as exc:
            raise DigestError(str(exc)) from exc
        user = env("DASHBOARD_SMTP_USER").strip()
        return cls(
            host=env("DASHBOARD_SMTP_HOST").strip(),
            port=port,
            user=user,
            password=env("DASHBOARD_SMTP_PASSWORD"),
            sender=env("DASHBOARD_SMTP_FROM").strip() or user,
            starttls=env_flag("DASHBOARD_SMTP_STARTTLS"),
        )


def compose(digest: Digest, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """The mail: a short plain-text body and the PDF attached under a dated name."""
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = [
        f"The {digest.deck.name} deck of {digest.network}, as of {_long_date(digest.made_at)}.",
        "",
        f"Data as of {digest.as_of} (build {digest.build_id}). {digest.status}.",
    ]
    if digest.stale:
        lines.append(digest.stale)
    lines += [
        "",
        f"Attached: {digest.filename}, a title page and {digest.pages - 1} slides with "
        "their speaker notes.",
        "",
        "Sent by `python -m dashboard digest`.",
    ]
    message.set_content("\n".join(lines))
    message.add_attachment(digest.pdf, maintype="application", subtype="pdf",
                           filename=digest.filename)  # fmt: skip
    return message


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(body.split())}"[:200]


def mail(digest: Digest, recipients: Sequence[str], smtp: SmtpSettings) -> None:
    """Check the settings, then compose and send the digest (a DigestError says why not)."""
    if not smtp.host:
        raise DigestError("DASHBOARD_SMTP_HOST is not set: there is no server to send the mail to")
    if not smtp.sender:
        raise DigestError(
            "set DASHBOARD_SMTP_FROM (or DASHBOARD_SMTP_USER): the mail needs a sender"
        )
    sender = parse_address(smtp.sender, "DASHBOARD_SMTP_FROM")
    send(compose(digest, sender, parse_recipients(recipients)), smtp)


def send(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Send through the SMTP server (STARTTLS and login as set), or a DigestError saying why."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S) as client:
            client.ehlo()
            if smtp.starttls:
                if not client.has_extn("starttls"):
                    raise DigestError(
                        f"the SMTP server {where} does not offer STARTTLS (set "
                        "DASHBOARD_SMTP_STARTTLS=0 only for a local relay)"
                    )
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.user:
                if not client.has_extn("auth"):
                    raise DigestError(f"the SMTP server {where} offers no login (AUTH)")
                client.login(smtp.user, smtp.password)
            refused = client.send_message(message)
    except DigestError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestError(
            f"the SMTP server {where} refused the login of {smtp.user!r}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        said = "; ".join(f"{a} ({_reply(c, m)})" for a, (c, m) in exc.recipients.items())
        raise DigestError(f"the SMTP server {where} refused every recipient: {said}") from exc
    except smtplib.SMTPSenderRefused as exc:
        raise DigestError(
            f"the SMTP server {where} refused the sender {smtp.sender}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise DigestError(
            f"the SMTP server {where} refused the mail: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPException as exc:
        raise DigestError(f"sending through {where} failed: {exc}") from exc
    except ssl.SSLError as exc:
        why = getattr(exc, "verify_message", None) or exc.reason or exc
        raise DigestError(f"the TLS connection to {where} failed: {why}") from exc
    except socket.gaierror as exc:
        raise DigestError(f"cannot find the SMTP server {smtp.host!r}: {exc.strerror}") from exc
    except TimeoutError as exc:
        raise DigestError(f"the SMTP server {where} did not answer in {SMTP_TIMEOUT_S}s") from exc
    except OSError as exc:
        raise DigestError(
            f"cannot connect to the SMTP server {where}: {exc.strerror or exc}"
        ) from exc
    if refused:
        said = "; ".join(f"{a} ({_reply(c, m)})" for a, (c, m) in refused.items())
        raise DigestError(
            f"the SMTP server {where} refused some recipients (the others got it): {said}"
        )
