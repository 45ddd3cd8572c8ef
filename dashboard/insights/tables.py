"""A round's protected tables: looked up in the build's publication, computed only if absent.

A table holds every question's summed cube measures over one set of voter
dimensions (the full cross-classification, empty cells included) and the
disclosure decisions for each measure. The build computes and protects every
such table once (dashboard/insights/publication.py) and stores it in the
warehouse; a request looks one up, picks the rows it shows (a topic's
questions) and formats. Only a server run with another k than its build's
(tests, experiments) computes tables on the spot, with the same code.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.db import Snapshot, Warehouse
from dashboard.filters import GROUP_VALUES, MAX_GROUP_FILTERS, WHO_DIMS, Filters
from dashboard.insights.cube import WHO, WHO_CHILDREN, WHO_EVERYONE, Axes, table_dims
from dashboard.insights.disclosure import protect, protect_batch
from dashboard.insights.vote_methods import (
    CUBE_MEASURES,
    EVERY_VALUE,
    SUM_SPLIT,
    SUM_VALUE,
    VoteMethod,
    sum_split,
    vote_method,
)

if TYPE_CHECKING:
    from dashboard.insights.priorities import Round

log = logging.getLogger(__name__)
MEASURES = CUBE_MEASURES
# The filter dimension that stands for each table axis when a table is computed.
AXIS_FILTER = {WHO: "role"}


def masked_measures(vote: VoteMethod) -> tuple[str, ...]:
    """Every measure whose disclosure decisions a chart of this method can ask for."""
    split = () if vote.value_split is None else (vote.value_split,)
    sums = (SUM_SPLIT,) if any(m == SUM_VALUE for m, _ in vote.protects) else ()
    return tuple(dict.fromkeys(["voters", *split, *sums, *(m for m, _ in vote.protects),
                                *vote.joint, *(part for part, _ in vote.nested)]))  # fmt: skip


@dataclass
class Tables:
    """Dense per-question tables over the dimensions in use, and the voters table."""

    axes: Axes
    method: str
    voters: np.ndarray
    voters_hidden: np.ndarray
    questions: pd.DataFrame
    measures: dict[str, dict[str, np.ndarray]]
    snapshot: Snapshot
    _hidden: dict[str, dict[str, np.ndarray]]
    _info: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Years since diagnosis "not-applicable" are the same people as the who axis's
    # "not-applicable" (caregivers and others): a table split by duration but not by
    # who takes that column's decisions from the who table (see _duration_given).
    reference: Tables | None = None
    # Published tables carry every decision already: asking for another is a bug.
    published: bool = False
    # What no filter changes, derived once per table (a topic's view, every question's
    # counts and decisions stacked): a published table is decoded once per build and
    # process (published_tables), so these are derived once per build too.
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # A topic's view reads its cells from the whole table's stacks: its questions'
    # positions there.
    _parent: Tables | None = field(default=None, repr=False, compare=False)
    _positions: tuple[int, ...] = field(default=(), repr=False, compare=False)
    # The method's `value_split` counts (rank: how many ranked each question 1st, 2nd,
    # ...), per question over axes + value: only while the build protects them (a
    # published table carries their decisions, never the counts).
    by_value: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    # The previous release's published table of the same (kept) round and split, while the
    # build protects this one: every cell it withheld is given as withheld (`_forced`).
    previous: Tables | None = field(default=None, repr=False, compare=False)
    # While the build protects this table: for each axis (its position), the decisions
    # (measure -> question -> mask) of the table without it (`_forced`).
    coarser: dict[int, dict[str, dict[str, np.ndarray]]] = field(
        default_factory=dict, repr=False, compare=False)  # fmt: skip

    @property
    def vote(self) -> VoteMethod:
        """How the round these tables come from was voted."""
        return vote_method(self.method)

    def question_info(self) -> dict[str, dict[str, Any]]:
        """question_id -> title, topic, status (built once: looked up per row and group)."""
        if "info" not in self._info:
            q = self.questions
            self._info["info"] = {
                str(i): {"title": t, "topic": tp, "status": st}
                for i, t, tp, st in zip(q["question_id"], q["title"], q["topic"], q["status"],
                                        strict=True)
            }  # fmt: skip
        return self._info["info"]

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` once for this table (a value no filter changes)."""
        if key not in self._derived:  # two threads may both compute it: same value
            self._derived[key] = compute()
        return self._derived[key]

    def counts_at(self, cell: tuple) -> list[list[int]]:
        """Every question's measures (MEASURES order) in one cell, in question order."""
        if self._parent is not None:
            every = self._parent.counts_at(cell)
            return [every[i] for i in self._positions]
        stack = self.derived("stack", lambda: _stack_measures(self, list(self.measures)))
        return stack[(slice(None), slice(None), *cell)].tolist()

    def hidden_at(self, measure: str, cell: tuple, k: int, outcome: int = 0) -> list[bool]:
        """Whether each question's `measure` is withheld in one cell, in question order.

        `outcome` picks another cell of the measure's split (e.g. 1: "did not choose it",
        or for a nested part, the whole minus the part).
        """
        if self._parent is not None:
            every = self._parent.hidden_at(measure, cell, k, outcome)
            return [every[i] for i in self._positions]
        if not self.measures:
            return []

        def stack() -> np.ndarray:
            return np.stack([self.hidden(q, measure, k) for q in self.measures])

        return self.derived(("masks", measure), stack)[(slice(None), *cell, outcome)].tolist()

    def hidden(self, question_id: str, measure: str, k: int) -> np.ndarray:
        """Mask over axes + outcome (outcome 0: the measure's own count): withheld cells.

        Computed for every question at once (protect_batch), by the build. Where
        the method serves the round's voter count beside each question's count,
        "voted but did not choose it" is protected too; where it does not (rate:
        "voters minus raters" would be a handful of people and withhold almost
        every cell), only the question's own count is. The method's `joint`
        measures (rate: rated 4-5, rated 1-2) are one split of raters, protected
        together with what is left (rated 3), so none of the three is raters
        minus the other two; each one's mask puts its own outcome first. A `nested`
        measure (rate: rated 5, rated 1) is a two-outcome split of its whole (rated 4-5,
        rated 1-2), protected like "chosen / not chosen" with the whole as the base and
        the whole's decisions taken as given: where the whole is withheld both parts
        are, and where it is served, part and whole minus part are protected knowing
        their sum is served. So the count of every rating value is protected within the
        three-way split without changing any of its decisions.
        """
        if measure not in self._hidden:
            if self.published:
                raise KeyError(f"the publication has no decisions for {measure!r}")
            self._protect(measure, k)
        return self._hidden[measure][question_id]

    def _protect(self, measure: str, k: int) -> None:
        order = list(self.measures)
        joint = self.vote.joint
        nested = dict(self.vote.nested)
        if measure == EVERY_VALUE:
            self._protect_any(order, EVERY_VALUE, self.vote.value_counts(), k)
            return
        if measure == SUM_VALUE:  # the raters, both splits: what the exact mean reads
            self._protect_any(order, SUM_VALUE,
                              (("voters", 0), (joint[0], None), (SUM_SPLIT, None)), k)  # fmt: skip
            return
        if measure == SUM_SPLIT:
            self._protect_sum_split(order, k)
            return
        if measure == self.vote.value_split:
            self._protect_values(order, measure, k)
            return
        if measure in nested:
            self._protect_nested(order, measure, nested[measure], k)
            return
        if measure in joint:
            measure = joint[0]  # the split's own order: its masks are the reference's
            parts = [self._stack(order, m) for m in joint]
            rest = self._stack(order, "voters") - np.sum(parts, axis=0)
            table = np.stack([*parts, rest], axis=-1)
        elif measure == "voters" and not self.vote.serves_voters:
            table = self._stack(order, "voters")[..., None]
        else:  # chosen / not chosen, out of voters or (top2) out of raters
            chosen = self._stack(order, "voters" if measure == "voters" else "top2")
            total = (np.broadcast_to(self.voters, chosen.shape) if measure == "voters"
                     else self._stack(order, "voters"))  # fmt: skip
            table = np.stack([chosen, total - chosen], axis=-1)
        given = self._forced(order, measure, table, k,
                             self._given(order, measure, k, table.shape[-1]))  # fmt: skip
        masks = protect_batch(table, k, self.axes.hierarchy, given)
        if measure in joint:
            for i, name in enumerate(joint):
                first = [i, *(j for j in range(table.shape[-1]) if j != i)]
                self._hidden[name] = {q: masks[x][..., first] for x, q in enumerate(order)}
        else:
            self._hidden[measure] = {q: masks[i] for i, q in enumerate(order)}

    def _protect_nested(self, order: list[str], part: str, whole: str, k: int) -> None:
        """`part` and `whole - part`, protected within the whole's served cells."""
        parts = self._stack(order, part)
        table = np.stack([parts, self._stack(order, whole) - parts], axis=-1)
        given = self._forced(order, part, table, k, self._given(order, part, k, 2))
        if order:  # the whole's decisions: withheld there, both parts withheld
            outer = np.stack([self.hidden(q, whole, k)[..., 0] for q in order])
            forced = np.broadcast_to(outer[..., None], table.shape)
            given = np.where(forced, 1, -1 if given is None else given).astype(np.int8)
        masks = protect_batch(table, k, self.axes.hierarchy, given)
        self._hidden[part] = {q: masks[i] for i, q in enumerate(order)}

    def _protect_values(self, order: list[str], name: str, k: int) -> None:
        """The voters split by vote value (`VoteMethod.value_split`; rank: ranked 1st,
        2nd, ...), one outcome per value, protected within the voters' served cells:
        where the voters are withheld every value's count is, and where they are served
        the counts are protected knowing their sum is served (like a `nested` split)."""
        width = max((a.shape[-1] for a in self.by_value.values()), default=1)

        def counts(q: str) -> np.ndarray:
            a = self.by_value.get(q, np.zeros((*self.axes.shape, 0), dtype=np.int64))
            return np.pad(a, [(0, 0)] * len(self.axes.shape) + [(0, width - a.shape[-1])])

        table = (np.stack([counts(q) for q in order]) if order
                 else np.zeros((0, *self.axes.shape, width), dtype=np.int64))  # fmt: skip
        given = self._forced(order, name, table, k, self._given(order, name, k, width))
        if order:
            outer = np.stack([self.hidden(q, "voters", k)[..., 0] for q in order])
            forced = np.broadcast_to(outer[..., None], table.shape)
            given = np.where(forced, 1, -1 if given is None else given).astype(np.int8)
        masks = protect_batch(table, k, self.axes.hierarchy, given)
        self._hidden[name] = {q: masks[i] for i, q in enumerate(order)}

    def _protect_sum_split(self, order: list[str], k: int) -> None:
        """Rate rounds' raters split as rated 1 or 4, rated 2 or 5, rated 3 (`SUM_SPLIT`:
        with the three-way split, what the sum of ratings, so the mean, tells), protected
        as one split like the three-way one. Where every rating count is served
        (`EVERY_VALUE`) this split follows from them: it is given as served there, so
        the cells withheld to protect it are others."""
        shape = (len(order), *self.axes.shape, 3)
        table = (np.stack([np.stack(sum_split(self.measures[q]), axis=-1) for q in order])
                 if order else np.zeros(shape, dtype=np.int64))  # fmt: skip
        given = self._forced(order, SUM_SPLIT, table, k, self._given(order, SUM_SPLIT, k, 3))
        if order:
            known = ~np.stack([self.hidden(q, EVERY_VALUE, k)[..., 0] for q in order])
            free = np.broadcast_to(-1 if given is None else given, shape)
            given = np.where(known[..., None] & (free < 0), 0, free).astype(np.int8)
        masks = protect_batch(table, k, self.axes.hierarchy, given)
        self._hidden[SUM_SPLIT] = {q: masks[i] for i, q in enumerate(order)}

    def _protect_any(self, order: list[str], name: str,
                     outcomes: tuple[tuple[str, int | None], ...], k: int) -> None:  # fmt: skip
        """Withheld wherever one of `outcomes` (measure, outcome) is: the decisions of what
        is computed from all of them (EVERY_VALUE, the count of every vote value: rate's
        t-interval, rank's Borda points; SUM_VALUE: rate's exact mean). An outcome None:
        any outcome of that measure's split."""
        gone = np.zeros((len(order), *self.axes.shape), dtype=bool)
        for measure, j in outcomes:
            if order:
                masks = np.stack([self.hidden(q, measure, k) for q in order])
                gone |= masks.any(axis=-1) if j is None else masks[..., j]
        # Its parts withhold what the previous release withheld already; and so does it.
        forced = self._forced(order, name, np.zeros((*gone.shape, 1), np.int64), k, None)
        if forced is not None:
            gone |= forced[..., 0] > 0
        self._hidden[name] = {q: gone[i][..., None] for i, q in enumerate(order)}

    def _given(self, order: list[str], measure: str, k: int, outcomes: int) -> np.ndarray | None:
        """Fixed decisions for the duration "not-applicable" column, from the who table."""
        if self.reference is None:
            return None
        ref = self.reference
        masks = [ref.hidden(q, measure, k) if q in ref.measures else None for q in order]
        return np.stack([_duration_given(self.axes, ref.axes, m, outcomes) for m in masks]) \
            if order else None  # fmt: skip

    def _forced(self, order: list[str], measure: str, counts: np.ndarray, k: int,
                given: np.ndarray | None) -> np.ndarray | None:  # fmt: skip
        """`given` (None: all free) with more cells fixed as withheld: every cell the
        previous release withheld in its table of this round and split, and the largest
        part of every count of k or more a coarser table withheld (`_revealed_below`).
        `counts` is (questions, *axes, outcomes); nothing to force leaves `given` as is."""
        if not order:
            return given
        withheld = self._previously_withheld(order, measure, counts.shape)
        for pos, masks in self.coarser.items():
            by_q = masks.get(measure, {})
            if any(q not in by_q for q in order):  # the same round's table: a bug
                raise ValueError(f"the table without {self.axes.dims[pos]} has no "
                                 f"{measure!r} decisions for every question")  # fmt: skip
            coarse = np.stack([by_q[q] for q in order])
            who = self.axes.dims[pos] == WHO
            withheld = withheld | _revealed_below(counts, 1 + pos, coarse, k, who)
        return _also_withheld(given, withheld)

    def _previously_withheld(self, order: list[str], measure: str,
                             shape: tuple[int, ...]) -> np.ndarray:  # fmt: skip
        """The cells (questions `order`, *axes, outcomes) the previous release's table of
        this round and split withheld `measure` in; none without one."""
        prev = self.previous
        before = [] if prev is None or measure not in prev._hidden else list(prev.measures)
        if not before:
            return np.zeros(shape, dtype=bool)
        stacked = np.stack([prev._hidden[measure][q] for q in before])
        return _aligned(stacked, before, prev.axes, order, self.axes, shape)

    def _stack(self, order: list[str], measure: str) -> np.ndarray:
        if not order:
            return np.zeros((0, *self.voters.shape), dtype=np.int64)
        return np.stack([self.measures[q][measure] for q in order])

    def for_topic(self, questions: pd.DataFrame) -> Tables:
        """The same table showing only these questions (a topic): a view, not a new table.

        Questions are protected one by one, so leaving some out changes no decision.
        """
        keep = [q for q in questions["question_id"].astype(str) if q in self.measures]
        shown = questions[questions["question_id"].astype(str).isin(keep)].reset_index(drop=True)
        base = self._parent or self
        at = {q: i for i, q in enumerate(base.measures)}
        return replace(self, questions=shown, measures={q: self.measures[q] for q in keep},
                       _info={}, _derived={}, _parent=base,
                       _positions=tuple(at[q] for q in keep))  # fmt: skip

    def with_category(self, dim: str, value: str) -> Tables:
        """The table with one more, empty category (a country nobody in the round is from).

        An empty category adds no count to any line, so no decision changes; its
        cells read as a group too small to show.
        """
        pos = self.axes.dims.index(dim)
        values = tuple((*v, value) if i == pos else v for i, v in enumerate(self.axes.values))

        def pad(a: np.ndarray, offset: int = 0) -> np.ndarray:
            width = [(0, 0)] * a.ndim
            width[pos + offset] = (0, 1)
            return np.pad(a, width)

        return replace(
            self,
            axes=Axes(self.axes.dims, values),
            voters=pad(self.voters),
            voters_hidden=pad(self.voters_hidden),
            measures={q: {m: pad(a) for m, a in ms.items()} for q, ms in self.measures.items()},
            _hidden={m: {q: pad(a) for q, a in qs.items()} for m, qs in self._hidden.items()},
            by_value={q: pad(a) for q, a in self.by_value.items()},
            _derived={},
            _parent=None,
            _positions=(),
        )


def _aligned(stacked: np.ndarray, before: list[str], prev_axes: Axes, order: list[str],
             axes: Axes, shape: tuple[int, ...]) -> np.ndarray:  # fmt: skip
    """A previous release's masks (questions `before`, `prev_axes`, outcomes) laid over this
    table's cells (`shape`: questions `order`, `axes`, outcomes), matched by question id,
    category and outcome; a cell the previous table did not have is False (free)."""
    if before == order and prev_axes == axes and stacked.shape == tuple(shape):
        return stacked.astype(bool)
    out = np.zeros(shape, dtype=bool)
    if prev_axes.dims != axes.dims:  # another split: nothing lines up
        return out
    at = {q: i for i, q in enumerate(before)}
    pairs = [[(i, at[q]) for i, q in enumerate(order) if q in at]]
    for new, old in zip(axes.values, prev_axes.values, strict=True):
        where = {v: j for j, v in enumerate(old)}
        pairs.append([(i, where[v]) for i, v in enumerate(new) if v in where])
    width = min(shape[-1], stacked.shape[-1])
    pairs.append([(i, i) for i in range(width)])
    if any(not p for p in pairs):
        return out
    mine = np.ix_(*[[i for i, _ in p] for p in pairs])
    theirs = np.ix_(*[[j for _, j in p] for p in pairs])
    out[mine] = stacked[theirs]
    return out


# The previous release's published tables of its kept (frozen) rounds, while the build
# protects this one's: (round_id, split) -> its table, or None (dashboard/insights/
# publication.py sets it; nothing else protects with it).
_PREVIOUS: contextvars.ContextVar[Callable[[str, tuple[str, ...]], Tables | None] | None] = (
    contextvars.ContextVar("previous_tables", default=None)
)


@contextlib.contextmanager
def following(previous: Callable[[str, tuple[str, ...]], Tables | None]) -> Iterator[None]:
    """Inside this block, a table protected for a round and split the previous release
    published withholds every cell that release withheld (and whatever else the rule in
    force needs): so a release serves a subset of what the one before served about the
    same kept counts, whichever rule chose the complements of either."""
    token = _PREVIOUS.set(previous)
    try:
        yield
    finally:
        _PREVIOUS.reset(token)


def _duration_given(
    axes: Axes, ref_axes: Axes, ref_mask: np.ndarray | None, extra: int = 0
) -> np.ndarray:
    """-1 everywhere but the duration "not-applicable" column, set from the who table.

    `ref_mask` is the who table's mask (who axis first, then this table's other
    axes in the same order, then `extra` outcome cells); None or a shape that
    does not line up withholds the column, the safe side.
    """
    pos = axes.dims.index("duration_band")
    na = axes.values[pos].index("not-applicable")
    shape = (*axes.shape, extra) if extra else axes.shape
    given = np.full(shape, -1, dtype=np.int8)
    column = [slice(None)] * len(shape)
    column[pos] = na
    expected = tuple(n for i, n in enumerate(shape) if i != pos)
    if ref_mask is None:
        given[tuple(column)] = 1
        return given
    ref = np.take(ref_mask, ref_axes.values[0].index("not-applicable"), axis=0)
    given[tuple(column)] = ref.astype(np.int8) if ref.shape == expected else 1
    return given


# --- finding a table: recent, published, or (another k) computed ------------------------

_RECENT_TABLES: OrderedDict[tuple, Tables] = OrderedDict()
_RECENT_LOCK = threading.Lock()
RECENT_TABLES = 16  # a page render asks for a few; each is a few MB at most
_WARNED_K: set[tuple[str, int]] = set()


def load_tables(wh: Warehouse, rnd: Round, filters: Filters, dims: list[str], k: int) -> Tables:
    """The round's protected tables split by `dims`, as the rows for these filters need them.

    The whole table (every question, every category) is what the build protected;
    a topic shows some of its questions and an unseen country adds an empty
    category, both views of it.
    """
    tables = full_tables(wh, rnd, tuple(table_dims(dims)), k)
    if filters.topic is not None:
        whole, topic = tables, filters.topic
        tables = whole.derived(("topic", topic), lambda: whole.for_topic(
            wh.run_static("questions", {"topic": topic})))  # fmt: skip
    country = filters.country if "country" in dims else None
    if country is not None and country not in tables.axes.values[tables.axes.dims.index(
            "country")]:  # fmt: skip
        tables = tables.with_category("country", country)
    return tables


def full_tables(wh: Warehouse, rnd: Round, tdims: tuple[str, ...], k: int,
                finest: Dense | None = None) -> Tables:  # fmt: skip
    """One protected table, kept among the most recent (a page's charts share a few)."""
    key = (wh.snapshot().build_id, rnd.round_id, tdims, k)
    with _RECENT_LOCK:
        if key in _RECENT_TABLES:
            _RECENT_TABLES.move_to_end(key)
            return _RECENT_TABLES[key]
    tables = None if wh.building else published_tables(wh, rnd, tdims, k)
    if tables is None and not wh.building and (wh.snapshot().build_id, k) not in _WARNED_K:
        _WARNED_K.add((wh.snapshot().build_id, k))
        log.warning("build %s published no tables for k=%d: computing them per request",
                    wh.snapshot().build_id, k)  # fmt: skip
    if tables is None:
        tables = compute_tables(wh, rnd, tdims, k, finest)
    with _RECENT_LOCK:
        _RECENT_TABLES[key] = tables
        while len(_RECENT_TABLES) > RECENT_TABLES:
            _RECENT_TABLES.popitem(last=False)
    return tables


def forget_recent_tables() -> None:
    """Drop the recent tables (benchmarks measure the lookup, not this reuse)."""
    with _RECENT_LOCK:
        _RECENT_TABLES.clear()


# A table's decisions: the voter cells it withholds, and measure -> question -> mask.
Decisions = tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]

# Question cells, voter cells, and (a method with a `value_split`) cells by vote value.
Frames = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]


FINEST = (WHO, "age_band", "duration_band", "sex", "country")


def round_cells(wh: Warehouse, rnd: Round, tdims: tuple[str, ...] = FINEST) -> Frames:
    """The round's question cells and voter cells split by `tdims` (default: finest)."""
    params: dict[str, Any] = {"round": rnd.round_id, "topic": None}
    for dim in GROUP_VALUES:  # the who axis is built from role and ms_type (see cube.WHO)
        params[f"by_{dim}"] = dim in tdims if dim not in WHO_DIMS else WHO in tdims and dim in (
            "role", "ms_type")  # fmt: skip
    values = None
    if vote_method(rnd.method).value_split is not None:
        values = wh.run_named("position_cells", params)[0]
    return (wh.run_named("priority_cells", params)[0], wh.run_named("voter_cells", params)[0],
            values)  # fmt: skip


@dataclass(frozen=True)
class Dense:
    """A round's counts as dense arrays over some axes: voters, and per question measures."""

    axes: Axes
    voters: np.ndarray
    questions: list[str]
    arrays: dict[str, np.ndarray]  # measure -> (questions, *axes)
    # The method's `value_split` counts, (questions, *axes, values); None: it has none.
    by_value: np.ndarray | None = None

    @classmethod
    def of(cls, frames: Frames, tdims: tuple[str, ...]) -> Dense:
        cells, voter_cells, value_cells = frames
        axes = Axes.for_dims([AXIS_FILTER.get(d, d) for d in tdims], cells, voter_cells)
        keys, arrays = axes.dense_by(cells, list(MEASURES), "question_id")
        by_value = None
        if value_cells is not None:
            by_value = _by_value(axes, value_cells, keys)
        return cls(axes, axes.dense(voter_cells, "voters"), keys, arrays, by_value)

    # Splits already made from this one (the build makes every split of a round's finest
    # counts): a split is summed from the smallest of them that has its axes.
    _splits: dict[frozenset[str], Dense] = field(default_factory=dict, repr=False,
                                                 compare=False)  # fmt: skip
    # The decisions of each split the build protected, by (split, k): its withheld voter
    # cells and its masks (measure -> question -> mask), what a finer split's protection
    # reads (`_coarser`) without the coarser tables kept whole.
    decided: dict[tuple[tuple[str, ...], int], Decisions] = field(
        default_factory=dict, repr=False, compare=False)  # fmt: skip

    def split(self, tdims: tuple[str, ...]) -> Dense:
        """The same counts over fewer axes: "everyone" on the who axis, sums on the others.

        Sums of sums are the same integers, so a split summed from a kept finer split
        (one with more axes) equals the one summed from these counts.
        """
        key = frozenset(tdims) & frozenset(self.axes.dims)
        if key not in self._splits:
            sources = [d for d in self._splits.values() if key <= frozenset(d.axes.dims)]
            source = min(sources, key=lambda d: d.voters.size, default=self)
            self._splits[key] = source._summed(tdims)
        return self._splits[key]

    def prepare_splits(self, splits: list[tuple[str, ...]]) -> None:
        """Make these splits, those with the most axes first, each summed from a finer one."""
        for tdims in sorted(splits, key=len, reverse=True):
            self.split(tdims)

    def _summed(self, tdims: tuple[str, ...]) -> Dense:
        dims, values = list(self.axes.dims), list(self.axes.values)
        voters, arrays, by_value = self.voters, dict(self.arrays), self.by_value
        for dim in reversed(self.axes.dims):
            if dim in tdims:
                continue
            pos = dims.index(dim)
            if dim == WHO:
                at = values[pos].index("everyone")
                voters = np.take(voters, at, axis=pos)
                arrays = {m: np.take(a, at, axis=pos + 1) for m, a in arrays.items()}
                if by_value is not None:
                    by_value = np.take(by_value, at, axis=pos + 1)
            else:
                voters = voters.sum(axis=pos)
                arrays = {m: a.sum(axis=pos + 1) for m, a in arrays.items()}
                if by_value is not None:
                    by_value = by_value.sum(axis=pos + 1)
            del dims[pos], values[pos]
        return Dense(Axes(tuple(dims), tuple(values)), voters, self.questions, arrays,
                     by_value)  # fmt: skip


def _by_value(axes: Axes, cells: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """(questions in `keys` order, *axes, values): the counts of `cells` (question_id,
    the axes' columns, position 1.., ranked) by value, value v at index v - 1."""
    width = int(cells["position"].max()) if not cells.empty else 1
    position = cells["position"].to_numpy(dtype=np.int64) if not cells.empty else []
    frame = cells.assign(**{f"value_{v}": np.where(np.asarray(position) == v, cells["ranked"], 0)
                            for v in range(1, width + 1)})  # fmt: skip
    columns = [f"value_{v}" for v in range(1, width + 1)]
    found, arrays = axes.dense_by(frame, columns, "question_id")
    at = {q: i for i, q in enumerate(found)}
    out = np.zeros((len(keys), *axes.shape, width), dtype=np.int64)
    for i, q in enumerate(keys):
        if q in at:
            out[i] = np.stack([arrays[c][at[q]] for c in columns], axis=-1)
    return out


def compute_tables(wh: Warehouse, rnd: Round, tdims: tuple[str, ...], k: int,
                   finest: Dense | None = None) -> Tables:  # fmt: skip
    """The round's cells split by `tdims`, dense, with every measure protected.

    `finest` (the round's counts over every axis) saves a query per table when
    the build computes them all: each split is a sum of it.
    """
    dense = (finest.split(tdims) if finest is not None
             else Dense.of(round_cells(wh, rnd, tdims), tdims))  # fmt: skip
    snap = wh.snapshot()
    axes, voters, keys, arrays = dense.axes, dense.voters, dense.questions, dense.arrays
    measures: dict[str, dict[str, np.ndarray]] = {
        qid: {m: arrays[m][i] for m in MEASURES} for i, qid in enumerate(keys) if qid
    }
    by_value = ({} if dense.by_value is None else
                {qid: dense.by_value[i] for i, qid in enumerate(keys) if qid})  # fmt: skip
    qdf = wh.run_static("questions", {"topic": None})
    qdf = qdf[qdf["question_id"].isin(measures.keys())].reset_index(drop=True)
    lookup = _PREVIOUS.get()
    previous = None if lookup is None else lookup(rnd.round_id, tdims)
    reference = None
    given = None
    if "duration_band" in tdims and WHO not in tdims:
        # Its axes: who, then this table's others in the same order (see _duration_given).
        others = tuple(d for d in tdims if d != "duration_band")
        reference = full_tables(wh, rnd, (WHO, *others), k, finest)
        given = _duration_given(axes, reference.axes, reference.voters_hidden)
    below = _coarser(wh, rnd, tdims, k, finest)
    withheld = np.zeros(np.shape(voters), dtype=bool)
    if previous is not None:  # the voters the previous release withheld stay withheld
        was = np.asarray(previous.voters_hidden)[None, ..., None]
        withheld = _aligned(was, ["voters"], previous.axes, ["voters"], axes,
                            (1, *np.shape(voters), 1))[0, ..., 0]  # fmt: skip
    for pos, (coarse_withheld, _) in below.items():
        who = tdims[pos] == WHO
        withheld = withheld | _revealed_below(np.asarray(voters), pos, coarse_withheld, k, who)
    given = _also_withheld(given, withheld)
    hidden = protect(voters, k, axes.hierarchy, given)
    tables = Tables(axes, rnd.method, voters, hidden, qdf, measures, snap, {},
                    reference=reference, by_value=by_value, previous=previous,
                    coarser={pos: masks for pos, (_, masks) in below.items()})  # fmt: skip
    for measure in masked_measures(tables.vote):
        if measure not in tables._hidden:
            tables._protect(measure, k)
    # Its decisions are taken; it stands alone now.
    tables.reference = tables.previous = None
    tables.coarser = {}
    if finest is not None and len(tdims) < MAX_GROUP_FILTERS:  # a finer split reads them
        finest.decided[(tdims, k)] = (np.asarray(hidden, dtype=bool), tables._hidden)
    return tables


def _coarser(wh: Warehouse, rnd: Round, tdims: tuple[str, ...], k: int,
             finest: Dense | None) -> dict[int, Decisions]:  # fmt: skip
    """For each axis of `tdims` (its position), the decisions of the split without it:
    from the build's record (it protects coarse to fine), else from its table.

    A coarser table withholds a count of k or more as a complement; if this table served
    the count's parts, their sum would be a floor under it, and a complement revealed
    from below conceals nothing (README, "The audit"). So a part of k or more of each is
    withheld here too (`_revealed_below`), for the voters and every question's measures.
    """
    out: dict[int, Decisions] = {}
    for pos in range(len(tdims)):
        coarse = tdims[:pos] + tdims[pos + 1 :]
        if finest is not None and (coarse, k) in finest.decided:
            out[pos] = finest.decided[(coarse, k)]
            continue
        tables = full_tables(wh, rnd, coarse, k, finest)  # every measure decided
        out[pos] = (np.asarray(tables.voters_hidden, dtype=bool), tables._hidden)
    return out


def _revealed_below(counts: np.ndarray, axis: int, withheld: np.ndarray, k: int,
                    who: bool = False) -> np.ndarray:  # fmt: skip
    """The cells of `counts` to withhold so that no sum along `axis` that `withheld`
    (a mask over the other axes) withholds is revealed from below by its parts.

    Along most axes the parts are the categories: the largest part of each withheld
    sum of k or more is withheld, if it is k or more itself (smaller parts are all
    withheld as small counts). Along the who axis (`who`) the sum is "everyone" and the
    parts nest (`WHO_CHILDREN`): from everyone down, the largest child of k or more is
    withheld, then its largest child of k or more, and so on, so every served category
    either misses that group of k or more or is inside it and small. Either way at
    least k of the sum stay unserved."""
    force = np.zeros(counts.shape, dtype=bool)
    # Views with a leading axis of one: a table of one axis has a single sum.
    parts, moved = np.moveaxis(counts, axis, -1)[None], np.moveaxis(force, axis, -1)[None]
    if np.size(withheld) != np.prod(parts.shape[:-1], dtype=int):  # a bug: never skip
        raise ValueError(f"sums withheld over {np.shape(withheld)} do not line up with "
                         f"parts {counts.shape} along axis {axis}")  # fmt: skip
    withheld = np.reshape(withheld, parts.shape[:-1])  # a table of no axes stores one flag
    if not who:
        largest = parts.argmax(axis=-1)
        size = np.take_along_axis(parts, largest[..., None], -1)[..., 0]
        where = np.nonzero(withheld & (parts.sum(axis=-1) >= k) & (size >= k))
        if where[0].size:
            moved[(*where, largest[where])] = True
        return force
    at = np.where(withheld & (parts[..., WHO_EVERYONE] >= k), WHO_EVERYONE, -1)
    while (at >= 0).any():
        below = np.full(at.shape, -1)
        for category in np.unique(at[at >= 0]):
            children = np.asarray(WHO_CHILDREN[category], dtype=np.intp)
            if not children.size:
                continue
            lines = np.nonzero(at == category)
            sizes = parts[lines][:, children]
            best = sizes.argmax(axis=1)
            big = sizes[np.arange(len(best)), best] >= k
            chosen = tuple(line[big] for line in lines)
            moved[(*chosen, children[best[big]])] = True
            below[chosen] = children[best[big]]
        at = below
    return force


def _also_withheld(given: np.ndarray | None, withheld: np.ndarray) -> np.ndarray | None:
    """`given` (-1 free, 0 shown, 1 withheld; None: all free) with `withheld` fixed as 1."""
    if not withheld.any():
        return given
    free = (np.full(withheld.shape, -1, np.int8) if given is None
            else np.broadcast_to(given, withheld.shape))  # fmt: skip
    return np.where(withheld, 1, free).astype(np.int8)


# --- the stored form ----------------------------------------------------------------------


def _stack_measures(tables: Tables, order: list[str]) -> np.ndarray:
    """(questions, measures, *axes) counts."""
    if not order:
        return np.zeros((0, len(MEASURES), *tables.axes.shape), dtype=np.int64)
    return np.stack([np.stack([tables.measures[q][m] for m in MEASURES]) for q in order])


def encode(tables: Tables) -> bytes:
    """The table and every decision as the publication stores them: a JSON header (axes,
    questions, shapes) and the arrays' raw bytes, zlib-compressed. No pickling; reading
    it back is a decompression and a few array views."""
    return compress(uncompressed(tables))


def compress(body: bytes) -> bytes:
    """How a table's bytes are stored (the build compresses beside its next table)."""
    return zlib.compress(body, 6)


def uncompressed(tables: Tables) -> bytes:
    """`encode` before compression."""
    order = list(tables.measures)
    counts = [_stack_measures(tables, order), np.asarray(tables.voters, dtype=np.int64)]
    flags = [np.asarray(tables.voters_hidden, dtype=bool)]
    masks = {}
    for measure, by_q in tables._hidden.items():
        stacked = (np.stack([by_q[q] for q in order]) if order
                   else np.zeros((0, *tables.axes.shape, 1), dtype=bool))  # fmt: skip
        masks[measure] = list(stacked.shape)
        flags.append(stacked.astype(bool))
    header = json.dumps({
        "method": tables.method, "dims": list(tables.axes.dims),
        "axes": [list(v) for v in tables.axes.values], "questions": order,
        "measures": list(MEASURES), "masks": masks,
        "voters": list(np.shape(tables.voters)), "voters_hidden": list(flags[0].shape),
    }).encode()  # fmt: skip
    return b"".join([len(header).to_bytes(4, "little"), header,
                     *(np.ascontiguousarray(c, dtype="<i8").tobytes() for c in counts),
                     *(np.ascontiguousarray(f).tobytes() for f in flags)])  # fmt: skip


def decode(body: bytes, snapshot: Snapshot,
           questions: Callable[[tuple[str, ...]], pd.DataFrame]) -> Tables:  # fmt: skip
    """A published table as the charts read it; its decisions are final. `questions`
    gives the rows of the questions table for the table's question ids."""
    raw = zlib.decompress(body)
    size = int.from_bytes(raw[:4], "little")
    head = json.loads(raw[4 : 4 + size])
    offset = 4 + size
    dims = tuple(head["dims"])
    axes = Axes(dims, tuple(tuple(v) for v in head["axes"]))
    order, names = head["questions"], head["measures"]

    def take(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        nonlocal offset
        array = np.frombuffer(raw, dtype=dtype, count=int(np.prod(shape)), offset=offset)
        offset += array.nbytes
        return array.reshape(shape)

    stacked = take((len(order), len(names), *axes.shape), "<i8")
    voters = take(tuple(head["voters"]), "<i8")
    voters_hidden = take(tuple(head["voters_hidden"]), "bool")
    hidden, stacks = {}, {}
    for measure, shape in head["masks"].items():
        masks = stacks[measure] = take(tuple(shape), "bool")
        hidden[measure] = {q: masks[i] for i, q in enumerate(order)}
    measures = {q: {m: stacked[i, j] for j, m in enumerate(names)} for i, q in enumerate(order)}
    derived: dict[Any, Any] = {("masks", m): stacks[m] for m in stacks}
    if names == list(MEASURES):  # the stack counts_at reads, without a copy
        derived["stack"] = stacked
    derived["bytes"] = len(raw)
    return Tables(axes, head["method"], voters, voters_hidden, questions(tuple(order)),
                  measures, snapshot, hidden, published=True, _derived=derived)  # fmt: skip


def split_key(split: tuple[str, ...]) -> str:
    """How the publication names a split: its axes, comma-separated ("everyone": none)."""
    return ",".join(split) or "everyone"


_DECODED: OrderedDict[tuple, Tables] = OrderedDict()
_DECODED_LOCK = threading.Lock()
# Every published table of a build decoded is ~60 MB at 1M members (it depends on the
# categories, not the members); beyond this the least recently used are dropped.
DECODED_BYTES = 128 * 2**20
_decoded_bytes = 0


def published_tables(wh: Warehouse, rnd: Round, tdims: tuple[str, ...], k: int) -> Tables | None:
    """The build's protected table for this round, split and k; None if it published none.

    Decoded once per build and process: kept by build id (a rebuild swapped in is a new
    key, never served the old tables), least recently used dropped past DECODED_BYTES.
    """
    global _decoded_bytes
    key = (wh.snapshot().build_id, k, rnd.round_id, split_key(tdims))
    with _DECODED_LOCK:
        if key in _DECODED:
            _DECODED.move_to_end(key)
            return _DECODED[key]
    tables = _decode_published(wh, rnd, tdims, k)
    if tables is None:
        return None
    with _DECODED_LOCK:
        if key not in _DECODED:
            _DECODED[key] = tables
            _decoded_bytes += tables._derived["bytes"]
        while _decoded_bytes > DECODED_BYTES and len(_DECODED) > 1:
            _, dropped = _DECODED.popitem(last=False)
            _decoded_bytes -= dropped._derived["bytes"]
        return _DECODED[key]


def warm_tables(wh: Warehouse, k: int) -> int:
    """Decode every table the build published for k, before the first request needs it.

    Called when an app starts: under gunicorn's preloaded app this runs once in the
    master, and every worker forked after it starts with the tables decoded (a worker's
    first round-shifts view otherwise decodes 8 tables, ~0.7 ms each at 1M members).
    Returns how many are decoded; bounded like any other use by DECODED_BYTES.
    """
    from dashboard.insights.priorities import list_rounds  # priorities imports this module

    rounds = {r.round_id: r for r in list_rounds(wh)}
    done = 0
    for round_id, dims in publication(wh, k):
        rnd = rounds.get(round_id)
        if rnd is not None:
            tdims = () if dims == split_key(()) else tuple(dims.split(","))
            done += published_tables(wh, rnd, tdims, k) is not None
    return done


def forget_decoded_tables() -> None:
    """Drop every decoded published table (to measure a process's first requests)."""
    global _decoded_bytes
    with _DECODED_LOCK:
        _DECODED.clear()
        _decoded_bytes = 0


def _decode_published(wh: Warehouse, rnd: Round, tdims: tuple[str, ...], k: int) -> Tables | None:
    body = publication(wh, k).get((rnd.round_id, split_key(tdims)))
    if body is None:
        return None

    def questions(order: tuple[str, ...]) -> pd.DataFrame:
        def pick() -> pd.DataFrame:
            every = wh.run_static("questions", {"topic": None})
            return every[every["question_id"].isin(order)].reset_index(drop=True)

        return wh.remember(("questions in", order), pick)  # the same for every split

    return decode(body, wh.snapshot(), questions)


def publication(wh: Warehouse, k: int) -> dict[tuple[str, str], bytes]:
    """Every table the build published for k, as stored bytes: read once per build and
    process (a few MB, bounded by the categories, not the members)."""

    def read() -> dict[tuple[str, str], bytes]:
        rows, _ = wh.run_named("published_tables", {"k": k})
        return {(str(r), str(d)): bytes(b) for r, d, b in
                zip(rows["round_id"], rows["dims"], rows["body"], strict=True)}  # fmt: skip

    return wh.remember(("publication", k), read)
