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
   The smallest non-zero visible cells are withheld first, repeatedly, until
   every line is safe.

Every score derived from a withheld count (share, interval, mean, points) is
withheld with it. Tables are computed over the full cross-classification of
the filters in use, so every query with the same filters hides the same cells.
"""

from __future__ import annotations

import itertools

import numpy as np

MAX_GROUP_FILTERS = 3


def primary(counts: np.ndarray, k: int) -> np.ndarray:
    """Cells holding 1..k-1."""
    return (counts > 0) & (counts < k)


def _margin(counts: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return counts.sum(axis=axes, keepdims=True) if axes else counts


def differencing(counts: np.ndarray, k: int, first_axis: int = 0) -> np.ndarray:
    """Cells whose subtraction from served margins would expose 1..k-1 people.

    For a cell x and a set S of axes, the region "same as x outside S,
    different from x on every axis in S" has the size
    sum over T subset of S of (-1)^(|S|-|T|) * margin_T(x).
    """
    bad = np.zeros(counts.shape, dtype=bool)
    axes = range(first_axis, counts.ndim)
    for size in range(1, counts.ndim - first_axis + 1):
        for subset in itertools.combinations(axes, size):
            region = np.zeros(counts.shape, dtype=np.int64)
            for t_size in range(size + 1):
                for t in itertools.combinations(subset, t_size):
                    sign = -1 if (size - t_size) % 2 else 1
                    region = region + sign * _margin(counts, t)
            bad |= (region > 0) & (region < k)
    return bad


def complementary(
    counts: np.ndarray, hidden: np.ndarray, k: int, first_axis: int = 0
) -> np.ndarray:
    """Grow the hidden set until no line has one hidden cell or a hidden sum in 1..k-1."""
    hidden = hidden.copy()
    if counts.size == 0:  # an empty table (e.g. a topic with no questions) hides nothing
        return hidden
    values = counts.astype(float)
    for _ in range(counts.size + 1):
        changed = False
        for axis in range(first_axis, counts.ndim):
            h = np.moveaxis(hidden, axis, -1).reshape(-1, counts.shape[axis])
            v = np.moveaxis(values, axis, -1).reshape(-1, counts.shape[axis])
            n_hidden = h.sum(axis=1)
            s_hidden = (v * h).sum(axis=1)
            unsafe = (n_hidden == 1) | ((s_hidden > 0) & (s_hidden < k))
            if not unsafe.any():
                continue
            candidates = np.where(~h & (v > 0), v, np.inf)
            # Ties go to the first cell: deterministic, so every query agrees.
            pick = np.argmin(candidates, axis=1)
            can = unsafe & np.isfinite(candidates[np.arange(len(pick)), pick])
            if not can.any():
                continue
            rows = np.where(can)[0]
            h = h.copy()
            h[rows, pick[rows]] = True
            shape = list(np.moveaxis(hidden, axis, -1).shape)
            hidden = np.moveaxis(h.reshape(shape), -1, axis)
            changed = True
        if not changed:
            break
    return hidden


def protect(counts: np.ndarray, k: int) -> np.ndarray:
    """Hidden-cell mask for a table of people counts whose margins may all be served."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 0:
        counts = counts.reshape(1)
    hidden = primary(counts, k) | differencing(counts, k)
    return complementary(counts, hidden, k)


def protect_batch(counts: np.ndarray, k: int) -> np.ndarray:
    """`protect` for many tables at once: axis 0 indexes independent tables.

    Each table's mask is exactly what `protect` gives it alone (lines never
    cross axis 0, and extra rounds are no-ops for tables already safe); this
    is one vectorised pass instead of a Python loop over questions.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 1:
        counts = counts.reshape(-1, 1)
    hidden = primary(counts, k) | differencing(counts, k, first_axis=1)
    return complementary(counts, hidden, k, first_axis=1)


def protect_nested(counts: list[int], k: int, force: list[bool] | None = None) -> list[bool]:
    """Hidden flags for a chain of nested counts (a funnel, a cumulative series).

    Each served count must be 0 or at least k, and so must its difference
    from the previous served count, or the difference would expose people.
    `force` withholds cells for reasons found elsewhere.
    """
    hidden = []
    last: int | None = None
    for i, value in enumerate(counts):
        ok = (value == 0 or value >= k) and (
            last is None or last - value == 0 or abs(last - value) >= k
        )
        ok = ok and not (force and force[i])
        hidden.append(not ok)
        if ok:
            last = value
    return hidden


def safe_aggregate(values: list[int], hidden: list[bool], k: int) -> bool:
    """Whether a sum of cells, some withheld elsewhere, may be served.

    Serving the sum reveals the total of its withheld parts, so it is safe
    only when none are withheld, or at least two are and they add up to k
    or more.
    """
    hidden_values = [v for v, h in zip(values, hidden, strict=True) if h]
    return not hidden_values or (len(hidden_values) >= 2 and sum(hidden_values) >= k)
