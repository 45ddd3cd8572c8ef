"""The deck store: save, load, reorder, validation, atomic writes, concurrent saves."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from dashboard.present.store import DeckStore, StoreError, check_name, make_slide, slugify
from dashboard.present.viewurl import parse_view


def _slide(view: str = "/priorities?round=R1", note: str = "", **kw):
    return make_slide(view, note=note, **kw)


def test_save_and_load_survive_a_new_store(store: DeckStore) -> None:
    store.add_slide("Advisory board, May".replace(",", ""), _slide(note="Open with this"))
    store.add_slide("Advisory board May", _slide("/participation?role=caregiver"),
                    pin=("b1", "2026-11-01"))  # fmt: skip
    again = DeckStore(store.directory)
    deck = again.get("advisory-board-may")
    assert deck is not None
    assert deck.name == "Advisory board May"
    assert [s.view for s in deck.slides] == [
        "/priorities?round=R1",
        "/participation?role=caregiver",
    ]
    assert deck.slides[0].note == "Open with this"
    assert deck.slides[1].focus == "growth"
    assert deck.pinned_build is None  # pin only applies when a deck is created
    assert deck.revision == 2
    names = [d.name for d in again.list_decks()]
    assert names == ["State of the network", "Advisory board May"]


def test_reorder_move_remove_note_pin_delete(store: DeckStore) -> None:
    for view in ("/", "/priorities", "/projects", "/participation"):
        store.add_slide("D", _slide(view))
    deck = store.move_slide("d", 3, 0)
    assert [s.view for s in deck.slides] == ["/participation", "/", "/priorities", "/projects"]
    ids = [s.id for s in deck.slides]
    deck = store.reorder("d", list(reversed(ids)))
    assert [s.view for s in deck.slides] == ["/projects", "/priorities", "/", "/participation"]
    with pytest.raises(StoreError):
        store.reorder("d", ids[:2])
    with pytest.raises(StoreError):
        store.move_slide("d", 0, 9)
    deck = store.remove_slide("d", 1)
    assert [s.view for s in deck.slides] == ["/projects", "/", "/participation"]
    deck = store.set_note("d", 0, "  Say   why \n it matters ")
    assert deck.slides[0].note == "Say why it matters"
    deck = store.set_pin("d", ("20261101-abc", "2026-11-01"))
    assert (deck.pinned_build, deck.pinned_as_of) == ("20261101-abc", "2026-11-01")
    assert store.set_pin("d", None).pinned_build is None
    store.delete_deck("d")
    assert store.get("d") is None


def test_pinned_when_created(store: DeckStore) -> None:
    deck = store.add_slide("Funders", _slide(), pin=("b7", "2026-11-01"))
    assert deck.pinned_build == "b7"


@pytest.mark.parametrize(
    "name", ["", "   ", "<script>", "a" * 61, "...", "deck/../../etc", "naïve", "x\ny"]
)
def test_bad_deck_names_are_refused(name: str) -> None:
    with pytest.raises(StoreError):
        check_name(name)


def test_slug() -> None:
    assert slugify("Advisory Board 2026.05") == "advisory-board-2026-05"


@pytest.mark.parametrize(
    "view",
    [
        "https://evil.example/admin",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "/api/v1/charts",
        "/priorities?evil=1",
        "/priorities?role=caregiver&role=other",
        "/priorities?role=admin",
        "/participation?from=yesterday",
        "/projects?round=R1",
        "",
    ],
)
def test_only_views_of_this_app_can_be_saved(store: DeckStore, view: str) -> None:
    with pytest.raises(StoreError):
        store.add_slide("D", _slide(view))


def test_full_url_keeps_only_path_and_validated_query() -> None:
    view = parse_view("http://127.0.0.1:8050/priorities/?role=caregiver&round=R7#top",
                      host="127.0.0.1:8050")  # fmt: skip
    assert view.url == "/priorities?round=R7&role=caregiver"
    assert view.focus == "ranking"
    with pytest.raises(ValueError, match="address of this app"):
        parse_view("http://elsewhere.example/priorities", host="127.0.0.1:8050")
    with pytest.raises(ValueError, match="can show"):
        parse_view("/priorities", "growth")


def test_text_limits(store: DeckStore) -> None:
    with pytest.raises(StoreError):
        _slide(note="x" * 281)
    with pytest.raises(StoreError):
        _slide(title="t" * 121)


def test_the_builtin_deck_cannot_be_changed(store: DeckStore) -> None:
    with pytest.raises(StoreError):
        store.add_slide("State of the network", _slide())
    with pytest.raises(StoreError):
        store.remove_slide("state-of-the-network", 0)
    assert len(store.get("state-of-the-network").slides) == 8


def test_atomic_write_leaves_the_old_file_when_the_rename_fails(
    store: DeckStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_slide("D", _slide(note="first"))
    before = store.path.read_bytes()
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.add_slide("D", _slide(note="second"))
    assert synced, "the temporary file is fsynced before the rename"
    assert store.path.read_bytes() == before
    leftovers = [p.name for p in store.directory.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    monkeypatch.undo()
    assert [s.note for s in store.get("d").slides] == ["first"]


def test_an_unreadable_file_is_reported_not_overwritten(store: DeckStore) -> None:
    store.directory.mkdir(parents=True)
    store.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="not a readable deck file"):
        store.list_decks()
    with pytest.raises(StoreError):
        store.add_slide("D", _slide())
    assert store.path.read_text(encoding="utf-8") == "{not json"


WORKERS, SHARED, OWN = 6, 8, 4


def _worker(directory: str, n: int, start: multiprocessing.synchronize.Event) -> None:
    store = DeckStore(Path(directory))
    start.wait(10)
    for j in range(SHARED):
        store.add_slide("Shared", make_slide("/priorities", note=f"w{n}-{j}"))
        if j < OWN:
            store.add_slide(f"Own {n}", make_slide("/projects", note=f"own{n}-{j}"))


def test_concurrent_saves_from_several_processes_lose_nothing(store: DeckStore) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_worker, args=(str(store.directory), n, start))
             for n in range(WORKERS)]  # fmt: skip
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    shared = store.get("shared")
    notes = sorted(s.note for s in shared.slides)
    assert notes == sorted(f"w{n}-{j}" for n in range(WORKERS) for j in range(SHARED))
    assert shared.revision == WORKERS * SHARED
    for n in range(WORKERS):
        assert [s.note for s in store.get(f"own-{n}").slides] == [f"own{n}-{j}" for j in range(OWN)]
    assert len({s.id for s in shared.slides}) == WORKERS * SHARED
    json.loads(store.path.read_text(encoding="utf-8"))  # still one valid document
