"""Disclosure control: the one place that decides which counts may leave the server.

The rule (written for researchers in the README's methods section):

1. Primary suppression: a count from 1 to k-1 is never served.
2. Differencing: a count is also withheld when subtracting it from the
   coarser counts we serve (any of its filters dropped, or "not chosen"
   instead of "chosen") would leave a group of 1 to k-1 people. This is
   checked for every combination of dropped filters (inclusion-exclusion).
3. Complementary suppression: in every line of the table (the categories
   of one filter with the others fixed, whose total is served elsewhere), a
   line with withheld cells has at least two of them, adding up to k or more,
   so no withheld cell can be recovered from the total and its neighbours.
   Complements are chosen to withhold few people: in each unsafe line, the
   visible non-zero cell withheld is the one that costs least counting what it
   sets off, its own count plus, for each other line through it that withholds
   nothing yet, the smallest other cell that line will then need (a very large
   cost where there is none). This is repeated until every line is safe. The
   "knock-on-audited" rule (current) then asks a linear program, in tables of one or
   two axes, whether a withheld count of 1..k-1 is still boxed below k, and withholds
   more where a complement can free it (lp_guard.py); "knock-on-pruned" (measured, not
   offered) instead shows again, largest first, each complement whose lines all stay
   safe without it.

Every score derived from a withheld count (share, interval, mean, points) is
withheld with it. Tables are computed over the full cross-classification of
the filters in use, so every query with the same filters hides the same cells.

Overlapping categories (a Hierarchy): role, MS type, MS course and voter
group all cut the same people, e.g. "relapsing" = RRMS + CIS and
"not-applicable" = caregiver + other. Protecting their tables separately let
a withheld CIS count be worked out as relapsing minus RRMS, so they share one
axis holding every category at once, and rules 2 and 3 also cover every
"this category is the sum of those" equation on it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from dashboard.insights import lp_guard


@dataclass(frozen=True)
class Hierarchy:
    """An axis whose categories overlap: each is a set of fine categories.

    `sets[i]` holds the fine categories category i adds up; `levels` are the
    ways the axis partitions everyone (each a tuple of category indices), the
    last being the whole (the total, which is served by coarser tables and so
    never withheld here). `axis` is the axis's position in a single table.
    """

    axis: int
    sets: tuple[frozenset[int], ...]
    levels: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        return self.levels[-1][0]

    @functools.cached_property
    def equations(self) -> list[tuple[tuple[int, ...], int]]:
        """(parts, whole): every category that is the sum of finer served categories."""
        out: set[tuple[tuple[int, ...], int]] = set()
        for fine in self.levels:
            for coarse in self.levels:
                for whole in coarse:
                    parts = tuple(c for c in fine if self.sets[c] <= self.sets[whole])
                    covered = frozenset().union(*(self.sets[c] for c in parts))
                    if len(parts) > 1 and covered == self.sets[whole]:
                        out.add((parts, whole))
        return sorted(out)

    @functools.cached_property
    def ancestors(self) -> list[np.ndarray]:
        """Per level, each category's smallest enclosing category there (itself if none)."""
        maps = []
        for level in self.levels:
            anc = np.arange(len(self.sets))
            for i, cell in enumerate(self.sets):
                for whole in level:
                    if cell < self.sets[whole]:
                        anc[i] = whole
            if (anc != np.arange(len(self.sets))).any():  # the finest level steps nowhere
                maps.append(anc)
        return maps


def primary(counts: np.ndarray, k: int) -> np.ndarray:
    """Cells holding 1..k-1."""
    return (counts > 0) & (counts < k)


Margin = Callable[[np.ndarray], np.ndarray]


def _coarsenings(counts: np.ndarray, first_axis: int, h: Hierarchy | None) -> list[list[Margin]]:
    """Per axis, the ways to step up to a served coarser count (the margin, or an ancestor)."""
    out: list[list[Margin]] = []
    for axis in range(first_axis, counts.ndim):
        if h is not None and axis == h.axis + first_axis:
            out.append([lambda c, a=axis, m=m: np.take(c, m, axis=a) for m in h.ancestors])
        else:
            out.append([lambda c, a=axis: c.sum(axis=a, keepdims=True)])
    return out


def differencing(
    counts: np.ndarray, k: int, first_axis: int = 0, hierarchy: Hierarchy | None = None
) -> np.ndarray:
    """Cells whose subtraction from served margins would expose 1..k-1 people.

    For a cell x and a set S of axes, the region "same as x outside S,
    different from x on every axis in S" has the size
    sum over T subset of S of (-1)^(|S|-|T|) * margin_T(x). On a hierarchy
    axis, "different" means "in an enclosing category but not in x's", for
    every enclosing category.
    """
    bad = np.zeros(counts.shape, dtype=bool)
    steps = _coarsenings(counts, first_axis, hierarchy)
    n = counts.ndim - first_axis

    # The sum over T is the product over S of (step - identity) applied to the counts
    # (steps on different axes commute, and integer sums are exact), so each region is
    # its parent's (S less its last axis) stepped once minus the parent: one step and
    # one subtraction per region, instead of 2^|S| margins added up.
    def visit(region: np.ndarray, after: int) -> None:
        for axis in range(after, n):
            for way in steps[axis]:
                child = way(region)
                child = np.subtract(child, region, out=np.empty(counts.shape, np.int64))
                bad[...] |= (child > 0) & (child < k)
                visit(child, axis + 1)

    visit(counts, 0)
    return bad


def _moved(a: np.ndarray, axis: int) -> np.ndarray:
    return np.moveaxis(a, axis, -1).reshape(-1, a.shape[axis])


def _restore(lines: np.ndarray, like: np.ndarray, axis: int) -> np.ndarray:
    return np.moveaxis(lines.reshape(np.moveaxis(like, axis, -1).shape), -1, axis)


def _fix_lines(
    h: np.ndarray,
    v: np.ndarray,
    k: int,
    parts: list[int] | None,
    whole: int | None,
    free: np.ndarray,
    extra: np.ndarray | None = None,
) -> np.ndarray | None:
    """Hide one more cell in each unsafe line; None when every line is safe.

    A line is `parts` adding up to `whole` (None: a margin served elsewhere,
    never withheld here). It is unsafe when exactly one of its cells is
    withheld (it could be worked out) or, with the whole served, the withheld
    parts add up to 1..k-1. The cell hidden is the free, visible, non-zero cell
    of least count plus `extra` (what withholding it costs elsewhere).
    """
    hp = h if parts is None else h[:, parts]
    vp = v if parts is None else v[:, parts]
    whole_hidden = h[:, whole] if whole is not None else np.zeros(len(h), dtype=bool)
    n_hidden = hp.sum(axis=1) + whole_hidden
    s_hidden = (vp * hp).sum(axis=1)
    unsafe = (n_hidden == 1) | (~whole_hidden & (s_hidden > 0) & (s_hidden < k))
    rows = np.flatnonzero(unsafe)  # few lines are unsafe: pick cells in those only
    if not rows.size:
        return None
    hu, vu = hp[rows], vp[rows]
    fu = free[rows] if parts is None else free[rows][:, parts]
    cost = vu
    if extra is not None:
        cost = vu + (extra[rows] if parts is None else extra[rows][:, parts])
    candidates = np.where(~hu & (vu > 0) & fu, cost, np.inf)
    # Ties go to the first cell: deterministic, so every query agrees.
    pick = np.argmin(candidates, axis=1)
    can = np.isfinite(candidates[np.arange(len(pick)), pick])
    if not can.any():
        return None
    cols = np.arange(h.shape[1]) if parts is None else np.asarray(parts)
    h = h.copy()
    h[rows[can], cols[pick[can]]] = True
    return h


# What withholding a cell costs in a line through it that has no other candidate left: it
# would stay alone there, so it is chosen only where nothing else can be.
NO_PARTNER = 1e9


def _partner(cv: np.ndarray, axis: int) -> np.ndarray:
    """Per cell, the smallest candidate (`cv`, inf elsewhere) of its line along `axis`
    other than itself; NO_PARTNER where there is none."""
    smallest = cv.min(axis=axis, keepdims=True)
    at_min = cv == smallest
    shared = np.count_nonzero(at_min, axis=axis, keepdims=True) >= 2
    second = np.where(at_min, np.inf, cv).min(axis=axis, keepdims=True)
    out = np.where(at_min & ~shared, second, smallest)
    return np.where(np.isfinite(out), out, NO_PARTNER)


def _knock_on(values: np.ndarray, hidden: np.ndarray, free: np.ndarray, h_axis: int | None,
              hierarchy: Hierarchy | None) -> list[np.ndarray]:  # fmt: skip
    """Per table axis (axis 0 indexes tables), per cell: what withholding it sets off in its
    lines along that axis. A line that withholds nothing yet would then withhold one cell,
    so it needs a partner: the smallest other candidate there (summed over the equations
    a hierarchy cell is a part of)."""
    cand = free & ~hidden & (values > 0)
    # float32: half the memory; counts up to 2^24 are exact (beyond, only ties could move)
    cv = np.where(cand, values, np.inf).astype(np.float32)
    out = []
    for axis in range(1, values.ndim):
        if axis != h_axis:
            none = ~hidden.any(axis=axis, keepdims=True)
            out.append(np.where(none, _partner(cv, axis), np.float32(0)))
            continue
        assert hierarchy is not None
        cost = np.zeros(values.shape, dtype=np.float32)
        for parts, whole in hierarchy.equations:
            at: list = [slice(None)] * values.ndim
            at[axis] = list(parts)
            none = ~hidden[tuple(at)].any(axis=axis, keepdims=True)
            if whole != hierarchy.total:
                at_whole: list = [slice(None)] * values.ndim
                at_whole[axis] = [whole]
                none &= ~hidden[tuple(at_whole)]
            cost[tuple(at)] += np.where(none, _partner(cv[tuple(at)], axis), np.float32(0))
        out.append(cost)
    return out


def _line_sets(shape: tuple[int, ...], h_axis: int | None, hierarchy: Hierarchy | None
               ) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:  # fmt: skip
    """Per table axis, its lines through a cell as arrays: (axis, parts (lines x width,
    -1 padding), whole (per line, -1: served elsewhere), which categories each line goes
    through). A plain axis has one line, every category; a hierarchy axis one per
    equation."""
    out = []
    for axis, size in enumerate(shape):
        if axis + 1 != h_axis:
            out.append((axis, np.arange(size)[None], np.array([-1]), np.ones((1, size), bool)))
            continue
        assert hierarchy is not None
        eqs = hierarchy.equations
        parts = np.full((len(eqs), max((len(p) for p, _ in eqs), default=0)), -1)
        through = np.zeros((len(eqs), size), dtype=bool)
        whole = np.full(len(eqs), -1)
        for i, (ps, w) in enumerate(eqs):
            parts[i, : len(ps)] = ps
            through[i, list(ps)] = True
            if w != hierarchy.total:
                whole[i] = w
                through[i, w] = True
        out.append((axis, parts, whole, through))
    return out


def _safe_through(values: np.ndarray, hidden: np.ndarray, k: int, cells: np.ndarray,
                  shape: tuple[int, ...], line_sets: list) -> np.ndarray:  # fmt: skip
    """Per flat cell (over all tables, `values` and `hidden` flat), whether every line
    through it is safe under `hidden`: the conditions `_fix_lines` enforces (not exactly
    one withheld cell; withheld parts adding up to 0 or at least k unless the whole is
    withheld), on every axis and, on a hierarchy axis, every equation the cell is a part
    or the whole of. Only these lines can change when the cell alone changes."""
    strides = np.cumprod((*shape[1:], 1)[::-1])[::-1]
    ok = np.ones(len(cells), dtype=bool)
    for axis, parts, whole, through in line_sets:
        stride = int(strides[axis])
        mine = cells // stride % shape[axis]
        base = cells - mine * stride  # the line's cell of category 0
        valid = parts >= 0
        at = base[:, None, None] + np.where(valid, parts, 0)[None] * stride  # cells x lines x width
        hp = hidden[at] & valid
        n = hp.sum(axis=2)
        total = np.where(hp, values[at], 0).sum(axis=2)
        whole_hidden = hidden[base[:, None] + np.maximum(whole, 0) * stride] & (whole >= 0)
        unsafe = (n + whole_hidden == 1) | (~whole_hidden & (total > 0) & (total < k))
        ok &= ~(unsafe & through[:, mine].T).any(axis=1)
    return ok


def _paired(hidden: np.ndarray, h_axis: int | None, hierarchy: Hierarchy | None) -> np.ndarray:
    """Cells on a line with exactly two withheld cells (a whole counted): never shown again,
    as their line would be left with one, and such a line never loses its other cell
    either (that would leave one too). Axis 0 indexes tables."""
    out = np.zeros(hidden.shape, dtype=bool)
    for axis in range(1, hidden.ndim):
        if axis != h_axis:
            out |= np.count_nonzero(hidden, axis=axis, keepdims=True) == 2
            continue
        assert hierarchy is not None
        for parts, whole in hierarchy.equations:
            at: list = [slice(None)] * hidden.ndim
            at[axis] = list(parts) if whole == hierarchy.total else [*parts, whole]
            two = np.count_nonzero(hidden[tuple(at)], axis=axis, keepdims=True) == 2
            out[tuple(at)] |= two
    return out & hidden


def _prune(values: np.ndarray, start: np.ndarray, hidden: np.ndarray, free: np.ndarray,
           k: int, h_axis: int | None, hierarchy: Hierarchy | None) -> np.ndarray:  # fmt: skip
    """Show again each complement no line needs, one at a time per table.

    Greedy choices made early can be made redundant by later ones (a line that needed a
    partner got two). Only cells this call added are candidates (`start` holds primary,
    differencing, forced and given-withheld cells; `free` excludes cells other tables
    decide), largest count first (ties: the first cell in C order), so the most people
    are shown again that this order finds. A cell is shown again only if every line
    through it (`_safe_through`) is safe without it; other lines do not change, so every
    line safe before stays safe, and a line no cell could fix keeps its cells. A refused
    cell's line stays unsafe without it while the line only loses cells and stays safe,
    unless cells worth less than k in all are shown again there and leave only withheld
    zeros: so a table that showed such a cell again (never where every complement holds k
    or more, as when primary cells start withheld) gets another pass, and no single
    complement left can be shown again. Cells on a line of exactly two withheld cells
    are refused without looking (`_paired`): most complements close such a rectangle.

    A decision reads only the lines through its cell, so candidates sharing no line
    (cells differing in two coordinates or more) can be decided together: each step
    decides every candidate with no undecided earlier one on its lines, in every table
    at once (axis 0), exactly what deciding them one by one in order gives, and each
    table's answer depends on that table alone.
    """
    n_tables = len(values)
    out = hidden.reshape(-1).copy()
    flat_values = values.reshape(-1)
    shape = values.shape[1:]
    strides = np.cumprod((*shape[1:], 1)[::-1])[::-1]
    added = (hidden & ~start & free).reshape(n_tables, -1)
    size = added.shape[1]
    # A table's only complement was chosen for a line unsafe without it: it stays.
    look = np.flatnonzero(np.count_nonzero(added, axis=1) >= 2)
    if not look.size:  # nothing to try (also: a hierarchy with no equation has no lines)
        return hidden
    line_sets = _line_sets(shape, h_axis, hierarchy)
    while look.size:
        shaped = out.reshape(values.shape)
        paired = _paired(shaped[look], h_axis, hierarchy).reshape(len(look), -1)
        rows, cells = np.nonzero(added[look] & ~paired)
        if not rows.size:
            break
        flat = look[rows] * size + cells
        flat = flat[np.lexsort((flat, -flat_values[flat], flat // size))]
        # Per axis, the candidates grouped by line (the flat cell with that axis at 0),
        # in order within each group (the sort is stable).
        groups = []
        for axis, stride in enumerate(strides):
            line = flat - flat // stride % shape[axis] * stride
            by_line = np.argsort(line, kind="stable")
            groups.append((line[by_line], by_line))
        undecided = np.ones(flat.size, dtype=bool)
        changed = []
        while undecided.any():
            ready = undecided.copy()
            for line, by_line in groups:
                open_ = undecided[by_line]
                members, keys = by_line[open_], line[open_]
                ready[members[1:][keys[1:] == keys[:-1]]] = False  # not first in its line
            step = flat[ready]
            out[step] = False
            ok = _safe_through(flat_values, out, k, step, shape, line_sets)
            out[step[~ok]] = True
            undecided[ready] = False
            shown = step[ok]
            added.reshape(-1)[shown] = False
            changed.append(shown[flat_values[shown] < k] // size)
        look = np.unique(np.concatenate(changed))
    return out.reshape(values.shape)


# How complements are chosen, by name, so that a release can say which rule made it and
# the next release can follow it. A release that follows another withholds, over the kept
# periods, every cell that one withheld (its publication masks are given as withheld), or
# the two together could serve a cell one of them withheld with its complements
# (dashboard/warehouse/release.py); so a series may move to another rule (build
# --complement-rule), and by default keeps its predecessor's. "smallest-first" is the
# rule of every release built before "knock-on". Each rule is (knock-on cost, pruning,
# audit): "knock-on-pruned" is knock-on, then every complement that turns out not to be
# needed shown again (`_prune`); "knock-on-audited" is knock-on, then, in tables of one
# or two axes, complements added until no withheld count of 1..k-1 that complements can
# lift is boxed below k by a linear program over the table (`lp_guard`).
COMPLEMENT_RULES: dict[str, tuple[bool, bool, bool]] = {
    "smallest-first": (False, False, False),
    "knock-on": (True, False, False),
    "knock-on-pruned": (True, True, False),
    "knock-on-audited": (True, False, True),
}
# The rules a build may be asked for. "knock-on-pruned" is not offered: every rule here
# makes each line safe, which is not enough against linear programming, and the
# complements pruning removes often broke structures that LP can pin a cell through (an
# independent review, 1 December 2026: on 300 random 3-5 x 3-5 tables an LP boxes a
# withheld count within 1..k-1 in 11 with pruning, 8 without; README, "Disclosure control").
# "knock-on-audited" is current since 1 December 2026: knock-on, then no withheld count
# of 1..k-1 left boxed by its own table of one or two axes where a complement can free it.
BUILD_RULES: tuple[str, ...] = ("smallest-first", "knock-on", "knock-on-audited")
CURRENT_RULE = "knock-on-audited"
_rule: contextvars.ContextVar[str] = contextvars.ContextVar("complement_rule", default=CURRENT_RULE)


@contextlib.contextmanager
def complement_rule(name: str) -> Iterator[None]:
    """Choose complements by the named rule inside this block (a build following a release
    made by another rule keeps that rule)."""
    if name not in COMPLEMENT_RULES:
        raise ValueError(f"unknown complement rule {name!r}: {', '.join(COMPLEMENT_RULES)}")
    token = _rule.set(name)
    try:
        yield
    finally:
        _rule.reset(token)


def complementary(
    counts: np.ndarray,
    hidden: np.ndarray,
    k: int,
    first_axis: int = 0,
    hierarchy: Hierarchy | None = None,
    given: np.ndarray | None = None,
    knock_on: bool | None = None,
    prune: bool | None = None,
    audit: bool | None = None,
) -> np.ndarray:
    """Grow the hidden set until no line has one hidden cell or a hidden sum in 1..k-1.

    Lines are the categories of one axis with the others fixed; on a hierarchy
    axis, every "whole = sum of parts" equation is a line. `given` (-1 free,
    0 shown, 1 withheld) fixes cells another table decides: never changed here.
    Each round hides one more cell in every unsafe line, the one of least count
    plus knock-on cost (`_knock_on`, from the round's start); the axes before
    `first_axis` index independent tables, and only tables the last round
    changed are looked at again (the others cannot change any more).
    `knock_on=False` is the plain rule before it (the smallest cell first), for
    comparisons; None: the rule in force (`complement_rule`, else CURRENT_RULE).
    `prune=True` then shows again each complement no line needs (`_prune`), and
    `audit=True` adds complements where a linear program boxes a small count
    (`lp_guard`); None: the rule in force's when `knock_on` is None too, else neither.
    """
    if knock_on is None:
        knock_on, by_rule, audited = COMPLEMENT_RULES[_rule.get()]
        prune = by_rule if prune is None else prune
        audit = audited if audit is None else audit
    prune, audit = bool(prune), bool(audit)
    hidden = hidden.copy()
    if counts.size == 0:  # an empty table (e.g. a topic with no questions) hides nothing
        return hidden
    h_axis = None if hierarchy is None else hierarchy.axis + first_axis
    values = counts.astype(float)
    free = np.ones(counts.shape, dtype=bool)
    if given is not None:
        given = np.broadcast_to(given, counts.shape)
        free = given < 0
        hidden = np.where(free, hidden, given > 0)
    if hierarchy is not None:  # the total is served by coarser tables: never a candidate
        total = [slice(None)] * counts.ndim
        total[h_axis] = hierarchy.total
        hidden[tuple(total)] = False
        values[tuple(total)] = 0
    equations = hierarchy.equations if hierarchy is not None else []
    # One axis of tables, then the table's own axes.
    shape = counts.shape[first_axis:]
    values = values.reshape(-1, *shape)
    free = free.reshape(-1, *shape)
    hidden = hidden.reshape(-1, *shape)
    h_axis = None if h_axis is None else h_axis - first_axis + 1
    before = hidden.copy() if prune else None
    active = np.arange(len(values))
    for _ in range(int(np.prod(shape)) + 1):
        if not active.size:
            break
        va, fa, ha = values[active], free[active], hidden[active]
        start = ha
        costs = _knock_on(va, ha, fa, h_axis, hierarchy) if knock_on else None
        every = None if costs is None else sum(costs[1:], costs[0])
        for axis in range(1, va.ndim):
            v, f = _moved(va, axis), _moved(fa, axis)
            lines = [(None, None)]
            if axis == h_axis:
                lines = [(list(parts), None if w == hierarchy.total else w)
                         for parts, w in equations]  # fmt: skip
            h = _moved(ha, axis)
            # Along this axis the line being fixed is what needs the cell: only the
            # cell's lines along the other axes count against it.
            extra = None if costs is None else _moved(every - costs[axis - 1], axis)
            fixed_any = False
            for parts, whole in lines:
                fixed = _fix_lines(h, v, k, parts, whole, f, extra)
                if fixed is not None:
                    h, fixed_any = fixed, True
            if fixed_any:
                ha = _restore(h, ha, axis)
        changed = (ha != start).reshape(len(active), -1).any(axis=1)
        hidden[active] = ha
        active = active[changed]
    if before is not None:
        hidden = _prune(values, before, hidden, free, k, h_axis, hierarchy)
    if audit:
        hidden = _audited(counts.reshape(-1, *shape), hidden, free, k, h_axis, hierarchy,
                          knock_on, prune)  # fmt: skip
    return hidden.reshape(counts.shape)


def _audited(counts: np.ndarray, hidden: np.ndarray, free: np.ndarray, k: int,
             h_axis: int | None, hierarchy: Hierarchy | None, knock_on: bool, prune: bool
             ) -> np.ndarray:  # fmt: skip
    """`lp_guard.guard` over line-safe tables (axis 0 indexes them): every line made safe
    again by the same rule after each complement it adds (the hierarchy's total, served by
    coarser tables, is never one)."""
    free = free.copy()
    if h_axis is not None and hierarchy is not None:  # served by coarser tables
        total: list = [slice(None)] * counts.ndim
        total[h_axis] = hierarchy.total
        free[tuple(total)] = False

    def complete(values: np.ndarray, more: np.ndarray, free: np.ndarray) -> np.ndarray:
        given = np.where(free, -1, np.where(more, 1, 0)).astype(np.int8)
        return complementary(values[None], more[None], k, first_axis=1, hierarchy=hierarchy,
                             given=given[None], knock_on=knock_on, prune=prune,
                             audit=False)[0]  # fmt: skip

    return lp_guard.guard(counts, hidden, free, k, h_axis, hierarchy, complete)


def protect(
    counts: np.ndarray,
    k: int,
    hierarchy: Hierarchy | None = None,
    given: np.ndarray | None = None,
) -> np.ndarray:
    """Hidden-cell mask for a table of people counts whose margins may all be served."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 0:
        counts = counts.reshape(1)
    return protect_batch(counts[None], k, hierarchy, given)[0]


def protect_batch(
    counts: np.ndarray,
    k: int,
    hierarchy: Hierarchy | None = None,
    given: np.ndarray | None = None,
) -> np.ndarray:
    """`protect` for many tables at once: axis 0 indexes independent tables.

    Each table's mask is exactly what `protect` gives it alone (lines never
    cross axis 0, and extra rounds are no-ops for tables already safe); this
    is one vectorised pass instead of a Python loop over questions.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 1:
        counts = counts.reshape(-1, 1)
    hidden = primary(counts, k) | differencing(counts, k, first_axis=1, hierarchy=hierarchy)
    return complementary(counts, hidden, k, first_axis=1, hierarchy=hierarchy, given=given)


def protect_with_increments(
    counts: np.ndarray,
    increments: np.ndarray,
    k: int,
    hierarchy: Hierarchy | None = None,
    fixed: np.ndarray | None = None,
    forced: np.ndarray | None = None,
) -> np.ndarray:
    """Withheld cells of a running-total table whose earlier releases' values stay known.

    The counts and their increments since they were last served are each protected
    (`protect`) knowing what the other withholds, until neither withholds more: so the
    withheld cells together hide at least k of the newcomers, and a value an earlier
    release served pins none of them. A cell that has not moved since it was last served
    (or is 0 and never was) is counted as shown whatever this release does with it: a
    later release may serve it again at that value, so it hides nothing (an independent
    review worked out a partner's count from a withheld 0 served again later). `fixed`
    holds `protect`'s `given` (1 withheld, -1 free) for cells decided elsewhere, e.g. a
    margin another chart withholds, and 0 for the rest; `forced` cells start withheld.
    """
    mask = np.zeros(counts.shape, dtype=bool) if forced is None else forced.astype(bool)
    for _ in range(2 * counts.size + 2):
        before = mask.copy()
        for table in (counts, increments):
            given = np.where(increments == 0, 0, np.where(mask, 1, -1))
            if fixed is not None:
                given = np.where(fixed != 0, fixed, given)
            mask = mask | protect(table, k, hierarchy, given.astype(np.int8))
        if (mask == before).all():
            break
    return mask


def protect_nested(
    counts: list[int],
    k: int,
    force: list[bool] | None = None,
    anchors: frozenset[int] | set[int] = frozenset(),
) -> list[bool]:
    """Hidden flags for a chain of nested counts (a funnel, a cumulative series).

    Each served count must be 0 or at least k, and so must its difference
    from the previous served count, or the difference would expose people.
    `force` withholds cells for reasons found elsewhere. `anchors` (e.g. the
    last month of each year) are kept served where possible by withholding
    the served points just before them instead, so that yearly totals (and
    cohorts, their differences) can be shown.
    """
    served: list[int] = []

    def step_ok(i: int) -> bool:
        if not served:
            return True
        last = counts[served[-1]]
        return last - counts[i] == 0 or abs(last - counts[i]) >= k

    for i, value in enumerate(counts):
        if (force and force[i]) or not (value == 0 or value >= k):
            continue
        if step_ok(i):
            served.append(i)
            continue
        if i not in anchors:
            continue
        dropped = []
        while served and served[-1] not in anchors and not step_ok(i):
            dropped.append(served.pop())
        if step_ok(i):
            served.append(i)
        else:
            served.extend(reversed(dropped))
    kept = set(served)
    return [i not in kept for i in range(len(counts))]


def safe_aggregate(values: list[int], hidden: list[bool], k: int) -> bool:
    """Whether a sum of cells, some withheld elsewhere, may be served.

    Serving the sum reveals the total of its withheld parts, so it is safe
    only when none are withheld, or at least two are and they add up to k
    or more.
    """
    hidden_values = [v for v, h in zip(values, hidden, strict=True) if h]
    return not hidden_values or (len(hidden_values) >= 2 and sum(hidden_values) >= k)
