"""The build's own audit by linear programming, table by table, and the complements it adds.

Making every line safe (two withheld cells or more, worth k or more together) is not
enough: where withheld cells form two cycles joined at one cell, an attacker who knows
every served cell and every served line total can solve for a withheld count's largest
possible value and find it below k (on 300 random 3-5 x 3-5 tables: 8 such tables
after `knock-on`). So after the line rule, the build asks HiGHS, for every withheld
count of 1..k-1, for the largest value it can take given the table's served cells and
its served margins (counts are never negative); where that is below k it withholds one
more cell, the smallest that lifts it to k or more once the line rule has again made
every line safe around it, and asks again.

What the attacker is given, per table: every cell the table serves (a cell of 1..k-1
never is, whatever the mask says: such a cell is unknown), every line total of 0 or at
least k (the coarser table serves it; one of 1..k-1 it withholds), and on a hierarchy
axis that each category is the sum of its finest ones (all non-negative). Tables linked
through shared cells are audited one by one here; the tests' audit of whole releases
(audit.py) links them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from dashboard.insights.lp_ranges import Capped, Program

TOL = 1e-6
# Tables solved together in one program (block-diagonal: they share no cell).
CHUNK = 256
# Tables with more axes (of two categories or more) than this are not audited here: on
# a network of 1,500 members, tables of two filters and the outcome took minutes of linear
# programs (one filter and the outcome: 9 s) for 14 counts. The release audit of the tests
# (audit.py) covers them on the fixture and the demo.
AUDITED_AXES = 2
# Witness points asked for before the targets left are solved one by one.
WITNESS_ROUNDS = 20
# Complements tried per step of `_mend` (each one linear program).
MAX_TRIALS = 64


@dataclass(frozen=True)
class Layout:
    """Where each cell of a batch (axis 0 indexes tables) stands in the attacker's unknowns:
    the finest cells it adds up (`atoms`: cells x finest cells, 0/1; the identity but on a
    hierarchy axis) and its lines along the plain axes (each a row of cell numbers)."""

    shape: tuple[int, ...]
    atoms: sparse.csr_array
    lines: sparse.csr_array  # lines x cells, 0/1

    @classmethod
    def of(cls, shape: tuple[int, ...], h_axis: int | None, hierarchy) -> Layout:
        membership = [sparse.identity(n, format="csr") for n in shape]
        if hierarchy is not None and h_axis is not None:
            # Each category is the sum of the finest ones it holds, themselves cells.
            fine = set(hierarchy.levels[0])
            member = np.array(
                [
                    [j in fine and hierarchy.sets[j] <= s for j in range(len(hierarchy.sets))]
                    for s in hierarchy.sets
                ]
            )
            membership[h_axis] = sparse.csr_array(member.astype(float))  # fmt: skip
        atoms = membership[0]
        for m in membership[1:]:
            atoms = sparse.kron(atoms, m, format="csr")
        index = np.arange(int(np.prod(shape))).reshape(shape)
        blocks = []
        for axis in range(1, len(shape)):
            if axis == h_axis or shape[axis] < 2:
                # A category's sums are in `atoms` (its total is a cell); a line of one
                # cell is that cell, not a total served elsewhere.
                continue
            line = np.moveaxis(index, axis, -1).reshape(-1, shape[axis])
            rows = np.repeat(np.arange(len(line)), shape[axis])
            blocks.append(sparse.csr_array((np.ones(line.size), (rows, line.ravel())),
                                           shape=(len(line), index.size)))  # fmt: skip
        lines = (sparse.vstack(blocks).tocsr() if blocks
                 else sparse.csr_array((0, index.size)))  # fmt: skip
        return cls(shape, sparse.csr_array(atoms), lines)


@dataclass
class Facts:
    """What the attacker knows of one batch, over its unknown finest cells: a program, and
    each cell as (row over the unknowns) + (what its known finest cells add)."""

    program: Program
    cells: sparse.csr_array
    offset: np.ndarray


def facts(layout: Layout, values: np.ndarray, unknown: np.ndarray, k: int) -> Facts | None:
    """The attacker's facts for a batch (None when no finest cell is unknown)."""
    flat, unknown = values.reshape(-1).astype(float), unknown.reshape(-1)
    atoms = layout.atoms
    # The unknowns: finest cells not served (a column of `atoms` is a cell; a coarser
    # category's column is empty, its value the sum of its finest ones).
    var = unknown & (np.diff(atoms.tocsc().indptr) > 0)
    if not var.any():
        return None
    cells = atoms[:, np.flatnonzero(var)].tocsr()
    offset = atoms[:, np.flatnonzero(~var)] @ flat[~var]
    rows, rhs = [], []
    # Every served cell (known, and holding an unknown finest cell) is a fact.
    known = ~unknown & (np.diff(cells.indptr) > 0)
    if known.any():
        rows.append(cells[known])
        rhs.append(flat[known] - offset[known])
    # Every served line total: 0 or at least k (one of 1..k-1 is withheld where served).
    totals = layout.lines @ flat
    use = ~((totals > 0) & (totals < k))
    line_rows = (layout.lines[use] @ cells).tocsr()
    keep = np.diff(line_rows.indptr) > 0
    if keep.any():
        rows.append(line_rows[keep])
        rhs.append(totals[use][keep] - (layout.lines[use] @ offset)[keep])
    n = cells.shape[1]
    a = sparse.vstack(rows).tocsr() if rows else sparse.csr_array((0, n))
    b = np.concatenate(rhs) if rhs else np.zeros(0)
    return Facts(Program(a, b, b, np.zeros(n), np.full(n, np.inf)), cells, offset)


def _witnessed(layout: Layout, values: np.ndarray, unknown: np.ndarray, targets: np.ndarray,
               k: int) -> tuple[np.ndarray, Facts | None]:  # fmt: skip
    """Which `targets` (flat cells) some point of the facts takes to k or more: points
    pushing every open target to k at once (two in one line may not both reach k in one
    point, but each can in its own), at most WITNESS_ROUNDS of them."""
    settled = np.zeros(len(targets), dtype=bool)
    known = facts(layout, values, unknown, k) if len(targets) else None
    if known is None:
        return ~settled, None
    goals, base = known.cells[targets], known.offset[targets]
    witness = Capped(known.program, goals, k - base)
    for _ in range(WITNESS_ROUNDS):
        point = witness.point(~settled)
        if point is None:
            break
        more = ~settled & (base + goals @ point >= k - TOL)
        settled |= more
        if not more.any() or settled.all():
            break
    return settled, known


def boxed(values: np.ndarray, hidden: np.ndarray, k: int, h_axis: int | None = None,
          hierarchy=None, layout: Layout | None = None,
          among: np.ndarray | None = None, single: Layout | None = None) -> np.ndarray:  # fmt: skip
    """Withheld counts of 1..k-1 (a batch: axis 0 indexes tables; only cells in `among` if
    given) whose largest value, given what the table serves, is below k.

    Witness points settle most; the rest are solved exactly, each in its own table's
    program (`single`: one table's layout) rather than the batch's, which is block-diagonal
    and up to CHUNK times larger (a quarter of a demo build went to those solves)."""
    layout = layout or Layout.of(values.shape, h_axis, hierarchy)
    small = (values > 0) & (values < k)
    wanted = hidden & small if among is None else hidden & small & among
    targets = np.flatnonzero(wanted.reshape(-1))
    out = np.zeros(values.size, dtype=bool)
    settled, known = _witnessed(layout, values, hidden | small, targets, k)
    if known is None:
        return out.reshape(values.shape)
    left = targets[~settled]
    if single is None:
        single = layout if len(values) == 1 else Layout.of((1, *values.shape[1:]), h_axis,
                                                            hierarchy)  # fmt: skip
    out[left] = _reaching(values, hidden, k, single, left) < k - TOL
    return out.reshape(values.shape)


def reachable(values: np.ndarray, hidden: np.ndarray, free: np.ndarray, k: int,
              layout: Layout, single: Layout) -> np.ndarray:  # fmt: skip
    """Withheld counts of 1..k-1 (a batch laid out by `layout`; `single`: one of its
    tables) that some choice of complements can lift to k: those whose largest value is
    k or more with every free cell withheld. The others are boxed by the served margins
    alone (as this table sees them: every line total of 0 or k and more), which their own
    tables protect with complements outside this one: left to them. Witness points
    settle most; the rest are solved exactly, each in its own table's program."""
    small = (values > 0) & (values < k)
    targets = np.flatnonzero((hidden & small).reshape(-1))
    everything = hidden | (free & (values >= k))
    settled, _ = _witnessed(layout, values, everything | small, targets, k)
    out = np.zeros(values.size, dtype=bool)
    out[targets[settled]] = True
    left = targets[~settled]
    out[left] = _reaching(values, everything, k, single, left) >= k - TOL
    return out.reshape(values.shape)


def _reaching(values: np.ndarray, hidden: np.ndarray, k: int, single: Layout,
              cells: np.ndarray) -> np.ndarray:  # fmt: skip
    """Withheld `cells` of a batch (flat numbers), each solved in its own table's program
    (`single`: one table's layout), as far as telling whether it reaches k."""
    out = np.empty(len(cells))
    if not len(cells):
        return out
    size = values[0].size
    for t in np.unique(cells // size):
        mine = cells // size == t
        out[mine] = _highest_of(values[t], hidden[t], k, single, cells[mine] - t * size,
                                enough=k - TOL)  # fmt: skip
    return out


def _highest_of(values: np.ndarray, hidden: np.ndarray, k: int, layout: Layout,
                at: np.ndarray, enough: float | None = None) -> np.ndarray:  # fmt: skip
    """One table's withheld cells `at` (flat): the largest value each can take. With
    `enough`, only whether it reaches `enough` is wanted: a cell that the point of an
    earlier solve already takes that far is not solved (its value there is given)."""
    small = (values > 0) & (values < k)
    known = facts(layout, values[None], (hidden | small)[None], k)
    if known is None:
        return np.full(len(at), np.inf)
    goals = known.cells[at].toarray()
    base = known.offset[at]
    out = np.full(len(at), np.nan)
    for j in range(len(at)):
        if not np.isnan(out[j]):
            continue
        out[j] = base[j] + known.program.maximum(goals[j])
        point = known.program.last_point
        if enough is not None and point is not None:
            seen = base + goals @ point
            reached = np.isnan(out) & (seen >= enough)
            out[reached] = seen[reached]
    return out


def guard(counts: np.ndarray, hidden: np.ndarray, free: np.ndarray, k: int,
          h_axis: int | None, hierarchy, complete) -> np.ndarray:  # fmt: skip
    """Withhold more cells until no withheld count of 1..k-1 that complements can lift
    (`reachable`) is boxed below k (a batch: axis 0 indexes tables).
    `complete(values, hidden, free)` makes one table's lines safe again after a cell is
    added (the line rule in force); only `free` cells are added."""
    values = np.asarray(counts, dtype=np.int64)
    spread = sum(n > 1 for n in values.shape[1:])
    if spread > AUDITED_AXES or (spread < 2 and h_axis is None):
        return hidden  # one line is safe once the line rule holds; larger: see AUDITED_AXES
    small = (values > 0) & (values < k)
    layout = Layout.of((1, *values.shape[1:]), h_axis, hierarchy)
    flat = values.reshape(len(values), -1)
    # A table whose categories are not the sums of their finest ones (running increments
    # clipped at 0, say) gives the attacker no such equations: not audited here.
    additive = (flat @ layout.atoms.T == flat).all(axis=1)
    look = np.flatnonzero((hidden & small).reshape(len(values), -1).any(axis=1) & additive)
    if not look.size:
        return hidden
    hidden = hidden.copy()
    chunk_layout = None
    for start in range(0, len(look), CHUNK):
        part = look[start : start + CHUNK]
        if chunk_layout is None or chunk_layout.shape[0] != len(part):
            chunk_layout = Layout.of((len(part), *values.shape[1:]), h_axis, hierarchy)
        can = reachable(values[part], hidden[part], free[part], k, chunk_layout, layout)
        found = boxed(values[part], hidden[part], k, layout=chunk_layout, among=can, single=layout)
        for i in np.flatnonzero(found.reshape(len(part), -1).any(axis=1)):
            t = part[i]
            hidden[t] = _mend(values[t], hidden[t], free[t], k, layout, complete, can[i])
    return hidden


def highest(values: np.ndarray, hidden: np.ndarray, k: int, layout: Layout,
            cell: tuple) -> float:  # fmt: skip
    """One table's withheld `cell`: the largest value the attacker's facts allow."""
    at = np.array([np.ravel_multi_index(cell, values.shape)])
    return float(_highest_of(values, hidden, k, layout, at)[0])


def _mend(values: np.ndarray, hidden: np.ndarray, free: np.ndarray, k: int, layout: Layout,
          complete, can: np.ndarray) -> np.ndarray:  # fmt: skip
    """One table: add complements until none of its withheld small counts in `can` is
    boxed (or no free cell is left to add).

    Each step tries the free cells in the target's lines, then the others, smallest
    first (at most MAX_TRIALS), each with the lines made safe again: the first that
    lifts the target to k is kept; if none does, the one that lifts it most."""
    for _ in range(values.size):
        stuck = boxed(values[None], hidden[None], k, layout=layout, among=can[None])[0]
        if not stuck.any():
            return hidden
        target = np.unravel_index(int(np.flatnonzero(stuck.reshape(-1))[0]), values.shape)
        candidates = free & ~hidden & (values >= k)
        near = np.zeros(values.shape, dtype=bool)
        for axis in range(values.ndim):
            at = list(target)
            at[axis] = slice(None)
            near[tuple(at)] = True
        tried: list[tuple[float, np.ndarray]] = []
        for pool in (candidates & near, candidates & ~near):
            cells = np.argwhere(pool)
            cells = cells[np.lexsort((np.arange(len(cells)), values[tuple(cells.T)]))]
            for cell in cells[: MAX_TRIALS - len(tried)]:
                more = hidden.copy()
                more[tuple(cell)] = True
                more = complete(values, more, free)
                tried.append((highest(values, more, k, layout, target), more))
                if tried[-1][0] >= k - TOL:
                    break
            if tried and tried[-1][0] >= k - TOL:
                break
        if not tried:
            can = can.copy()
            can[target] = False  # nothing left to add
            continue
        best = max(range(len(tried)), key=lambda i: (tried[i][0] >= k - TOL, tried[i][0], -i))
        hidden = tried[best][1]
    return hidden
