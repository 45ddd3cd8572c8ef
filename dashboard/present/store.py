"""Decks of saved views: a small JSON store beside (never inside) the read-only warehouse.

One file, `decks.json`, in the application-state directory (`data/app-state/` by
default, `DASHBOARD_APP_STATE` to move it). Every change is a read-modify-write
under an exclusive `fcntl.flock` on a separate lock file, so two staff members
saving at the same moment (from threads or processes) both keep their change.
The new content is written to a temporary file in the same directory, flushed,
fsynced, and renamed over the old one with `os.replace`, then the directory is
fsynced: a reader or a crash sees the old file or the new one, never half of one.

Input from people (deck names, slide titles, notes, view URLs) is validated
here, once; the pages and routes only ever see validated decks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from dashboard.config import env_path
from dashboard.present.deck import Deck, Slide
from dashboard.present.default_deck import DEFAULT_DECKS
from dashboard.present.viewurl import ViewError, parse_view

__all__ = ["Deck", "DeckStore", "Slide", "StoreError", "make_slide"]

FILE_NAME = "decks.json"
FORMAT_VERSION = 1
NAME_PATTERN = re.compile(r"[A-Za-z0-9 _.\-]{1,60}")
MAX_TITLE = 120
MAX_NOTE = 280
MAX_SLIDES = 60
MAX_DECKS = 200


class StoreError(ValueError):
    """A name, note or view that cannot be saved, or a deck that does not exist."""


def state_dir() -> Path:
    """Where application state lives (DASHBOARD_APP_STATE, else data/app-state)."""
    return env_path("DASHBOARD_APP_STATE")


def slugify(name: str) -> str:
    """The URL form of a deck name: lowercase words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def check_name(name: object) -> str:
    """A deck name from the allow-list pattern, with at least one letter or digit."""
    raw = str(name or "")
    value = " ".join(raw.split())
    if not raw.isprintable() or not NAME_PATTERN.fullmatch(value) or not slugify(value):
        raise StoreError(
            "a deck name is 1-60 letters, digits, spaces, '_', '.' or '-', "
            "with at least one letter or digit"
        )
    return value


def _one_line(value: object, limit: int, what: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise StoreError(f"the {what} is longer than {limit} characters")
    if not text.isprintable():
        raise StoreError(f"the {what} contains control characters")
    return text


def make_slide(view: str, note: str = "", title: str = "", focus: str | None = None,
               host: str | None = None) -> Slide:  # fmt: skip
    """A validated slide (the view must be one of this app's explorer views)."""
    try:
        parsed = parse_view(view, focus, host)
    except ViewError as exc:
        raise StoreError(str(exc)) from None
    return Slide(
        view=parsed.url,
        focus=parsed.focus,
        title=_one_line(title, MAX_TITLE, "slide title"),
        note=_one_line(note, MAX_NOTE, "speaker note"),
        id=secrets.token_hex(6),
    )


@dataclass
class _State:
    decks: dict[str, Deck] = field(default_factory=dict)


class DeckStore:
    """Decks in one JSON file, changed only under a file lock and written atomically."""

    def __init__(self, directory: Path | str | None = None,
                 builtin: tuple[Deck, ...] | None = None) -> None:  # fmt: skip
        self.directory = Path(directory) if directory else state_dir()
        self.path = self.directory / FILE_NAME
        self.lock_path = self.directory / f".{FILE_NAME}.lock"
        self.builtin = {d.slug: d for d in (DEFAULT_DECKS if builtin is None else builtin)}

    # Reading -------------------------------------------------------------

    def _read(self) -> _State:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _State()
        try:
            data = json.loads(text)
            decks = {slug: Deck.from_json(d) for slug, d in data.get("decks", {}).items()}
        except (ValueError, TypeError, AttributeError) as exc:
            # Never overwrite a file we cannot read: someone must look at it.
            raise StoreError(f"{self.path} is not a readable deck file: {exc}") from exc
        return _State(decks)

    def list_decks(self) -> list[Deck]:
        """The built-in decks first, then saved decks by name."""
        saved = sorted(self._read().decks.values(), key=lambda d: d.name.lower())
        return [*self.builtin.values(), *saved]

    def get(self, slug: str) -> Deck | None:
        """A deck by its slug (built-in or saved), or None."""
        if slug in self.builtin:
            return self.builtin[slug]
        return self._read().decks.get(slug)

    # Writing -------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _write(self, state: _State) -> None:
        body = {
            "version": FORMAT_VERSION,
            "decks": {slug: deck.to_json() for slug, deck in sorted(state.decks.items())},
        }
        fd, tmp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(body, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _change(self, slug: str, change: Callable[[Deck], Deck | None]) -> Deck | None:
        """Read-modify-write one deck under the lock; None from `change` deletes it."""
        if slug in self.builtin:
            raise StoreError("the built-in deck cannot be changed; save to a new deck name")
        with self._locked():
            state = self._read()
            deck = state.decks.get(slug)
            if deck is None:
                raise StoreError(f"no deck {slug[:60]!r}")
            new = change(deck)
            if new is None:
                del state.decks[slug]
            else:
                new = replace(new, revision=deck.revision + 1, updated_at=_now())
                state.decks[slug] = new
            self._write(state)
            return new

    def add_slide(self, deck_name: str, slide: Slide,
                  pin: tuple[str, str] | None = None) -> Deck:  # fmt: skip
        """Append a slide to a deck, creating the deck if needed.

        `pin` (build id, as-of date) pins a deck being created to that snapshot;
        an existing deck keeps its own setting.
        """
        name = check_name(deck_name)
        slug = slugify(name)
        if slug in self.builtin:
            raise StoreError(f"{name!r} is a built-in deck; choose another name")
        with self._locked():
            state = self._read()
            deck = state.decks.get(slug)
            if deck is None:
                if len(state.decks) >= MAX_DECKS:
                    raise StoreError(f"there are already {MAX_DECKS} decks; delete one first")
                deck = Deck(name=name, slug=slug, pinned_build=pin[0] if pin else None,
                            pinned_as_of=pin[1] if pin else None)  # fmt: skip
            if len(deck.slides) >= MAX_SLIDES:
                raise StoreError(f"a deck holds at most {MAX_SLIDES} slides")
            deck = replace(deck, slides=(*deck.slides, slide), revision=deck.revision + 1,
                           updated_at=_now())  # fmt: skip
            state.decks[slug] = deck
            self._write(state)
            return deck

    def move_slide(self, slug: str, index: int, to: int) -> Deck:
        """Move the slide at `index` (0-based) to position `to`."""

        def change(deck: Deck) -> Deck:
            slides = list(deck.slides)
            if not (0 <= index < len(slides) and 0 <= to < len(slides)):
                raise StoreError("no slide at that position")
            slides.insert(to, slides.pop(index))
            return replace(deck, slides=tuple(slides))

        return self._require(self._change(slug, change))

    def reorder(self, slug: str, order: list[str]) -> Deck:
        """Put the slides in the order of their ids (every id exactly once)."""

        def change(deck: Deck) -> Deck:
            by_id = {s.id: s for s in deck.slides}
            if sorted(order) != sorted(by_id):
                raise StoreError("the new order must list every slide of the deck once")
            return replace(deck, slides=tuple(by_id[i] for i in order))

        return self._require(self._change(slug, change))

    def remove_slide(self, slug: str, index: int) -> Deck:
        def change(deck: Deck) -> Deck:
            if not 0 <= index < len(deck.slides):
                raise StoreError("no slide at that position")
            return replace(deck, slides=deck.slides[:index] + deck.slides[index + 1 :])

        return self._require(self._change(slug, change))

    def set_note(self, slug: str, index: int, note: str) -> Deck:
        text = _one_line(note, MAX_NOTE, "speaker note")

        def change(deck: Deck) -> Deck:
            if not 0 <= index < len(deck.slides):
                raise StoreError("no slide at that position")
            slides = list(deck.slides)
            slides[index] = replace(slides[index], note=text)
            return replace(deck, slides=tuple(slides))

        return self._require(self._change(slug, change))

    def set_pin(self, slug: str, pin: tuple[str, str] | None) -> Deck:
        """Pin a deck to (build id, as-of date), or let it follow the latest (None)."""
        build, as_of = pin if pin else (None, None)
        return self._require(
            self._change(slug, lambda d: replace(d, pinned_build=build, pinned_as_of=as_of))
        )

    def delete_deck(self, slug: str) -> None:
        self._change(slug, lambda _: None)

    @staticmethod
    def _require(deck: Deck | None) -> Deck:
        assert deck is not None
        return deck


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
