"""The deck model: plain data, so the built-in decks and the store can both use it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Slide:
    """One saved view: where it comes from, what to show of it, what to say."""

    view: str
    focus: str
    title: str = ""
    note: str = ""
    id: str = ""


@dataclass(frozen=True)
class Deck:
    """A named, ordered list of slides, pinned to a build or following the latest."""

    name: str
    slug: str
    slides: tuple[Slide, ...] = ()
    pinned_build: str | None = None
    pinned_as_of: str | None = None
    revision: int = 0
    updated_at: str = ""
    builtin: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["slides"] = [asdict(s) for s in self.slides]
        del data["builtin"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deck:
        slides = tuple(Slide(**s) for s in data.get("slides", []))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "slides": slides})
