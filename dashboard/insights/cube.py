"""Dense tables over voter-profile dimensions, for disclosure control.

Disclosure control must see the full cross-classification of the filters in
use (every category, including empty ones), so that every query with the
same filters hides the same cells. These helpers turn the cells a rollup
query returns into such arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.filters import GROUP_VALUES, WHO_DIMS
from dashboard.insights.disclosure import Hierarchy

# Role, MS type, MS course and voter group cut the same people in overlapping
# ways, so a table over any of them uses one axis "who" holding every category
# of all four: the seven finest groups, the sums of them the four dimensions
# name, and everyone. Disclosure control then sees every equation between them.
WHO = "who"
WHO_FINE = ("RRMS", "SPMS", "PPMS", "CIS", "unknown", "caregiver", "other")
_FINE = {name: i for i, name in enumerate(WHO_FINE)}
WHO_BLOCKS = {
    "relapsing": ("RRMS", "CIS"),
    "progressive": ("SPMS", "PPMS"),
    "person_with_ms": ("RRMS", "SPMS", "PPMS", "CIS", "unknown"),
    "not-applicable": ("caregiver", "other"),
    "everyone": WHO_FINE,
}
WHO_CATEGORIES = (*WHO_FINE, *WHO_BLOCKS)
_SETS = tuple(
    frozenset({_FINE[c]} if c in _FINE else {_FINE[f] for f in WHO_BLOCKS[c]})
    for c in WHO_CATEGORIES
)
_POS = {c: i for i, c in enumerate(WHO_CATEGORIES)}
# The categories nest (any two are disjoint or one holds the other): a tree under
# everyone. Each category's children, by position in WHO_CATEGORIES: the categories
# whose smallest strict superset it is.
WHO_EVERYONE = _POS["everyone"]
WHO_CHILDREN: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, inner in enumerate(_SETS)
          if inner < outer and min((s for s in _SETS if inner < s), key=len) == outer)
    for outer in _SETS
)  # fmt: skip
_LEVELS = (
    WHO_FINE,
    ("relapsing", "progressive", "unknown", "caregiver", "other"),  # voter group
    ("relapsing", "progressive", "unknown", "not-applicable"),  # MS course
    ("person_with_ms", "caregiver", "other"),  # role
    ("person_with_ms", "not-applicable"),
    ("everyone",),
)
# The category each filter value names on the who axis.
WHO_LABEL = {
    ("ms_type", "not-applicable"): "not-applicable",
    ("ms_course", "not-applicable"): "not-applicable",
    ("voter_group", "unknown-course"): "unknown",
    **{("ms_type", v): v for v in ("RRMS", "SPMS", "PPMS", "CIS", "unknown")},
    **{("ms_course", v): v for v in ("relapsing", "progressive", "unknown")},
    **{("role", v): v for v in ("person_with_ms", "caregiver", "other")},
    **{("voter_group", v): v for v in ("relapsing", "progressive", "caregiver", "other")},
}
# Which finest groups each category adds up (rows: categories, columns: fine).
_EXPAND = np.array([[int(f in s) for f in range(len(WHO_FINE))] for s in _SETS], dtype=np.int64)


@functools.cache
def who_hierarchy(axis: int) -> Hierarchy:
    """The who axis's categories and partitions, for disclosure control (one per axis
    position, so its equations are worked out once)."""
    levels = tuple(tuple(_POS[c] for c in level) for level in _LEVELS)
    return Hierarchy(axis=axis, sets=_SETS, levels=levels)


def who_fine(frame: pd.DataFrame) -> pd.Series:
    """The finest who group of each row of a cell frame (role and ms_type columns)."""
    return frame["ms_type"].where(frame["role"] == "person_with_ms", frame["role"])


def table_dims(dims: list[str]) -> list[str]:
    """Dimensions of the table for these filter dimensions: the who ones become one axis."""
    out: list[str] = []
    for dim in dims:
        name = WHO if dim in WHO_DIMS else dim
        if name not in out:
            out.append(name)
    return out


@dataclass(frozen=True)
class Axes:
    """The dimensions of a table and the categories along each."""

    dims: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]

    @classmethod
    def for_dims(cls, dims: list[str], *frames: pd.DataFrame, extra: dict | None = None) -> Axes:
        """Categories from the allow-list; country from the data (plus any asked for).

        `dims` are filter dimensions; role, MS type, MS course and voter group
        share one axis (see WHO).
        """
        values = []
        dims = table_dims(dims)
        for dim in dims:
            if dim == WHO:
                values.append(WHO_CATEGORIES)
                continue
            allowed = list(GROUP_VALUES[dim])
            if not allowed:
                seen: set[str] = set()
                for frame in frames:
                    if dim in frame:
                        seen.update(str(v) for v in frame[dim].dropna().unique())
                if extra and extra.get(dim):
                    seen.add(extra[dim])
                allowed = sorted(seen)
            values.append(tuple(allowed))
        return cls(tuple(dims), tuple(values))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.values)

    @property
    def hierarchy(self) -> Hierarchy | None:
        """The who axis's equations, when the table has one."""
        return who_hierarchy(self.dims.index(WHO)) if WHO in self.dims else None

    def index(self, **cell: str | None) -> tuple[int, ...]:
        """Position of one cell, named by filter dimensions (who: at most one, or everyone)."""
        named = {d: v for d, v in cell.items() if v is not None}
        who = [WHO_LABEL[(d, v)] for d, v in named.items() if d in WHO_DIMS]
        if len(who) > 1:
            raise ValueError("one of role, ms_type, ms_course, voter_group at a time")
        named[WHO] = who[0] if who else "everyone"
        return tuple(vals.index(named[d]) for d, vals in zip(self.dims, self.values, strict=True))

    def dense(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """Sum `column` of `frame` into an array over these axes."""
        return self.dense_by(frame, [column], None)[1][column][0]

    def dense_by(
        self, frame: pd.DataFrame, columns: list[str], by: str | None
    ) -> tuple[list[str], dict[str, np.ndarray]]:
        """Sum several columns into arrays of shape (len(keys), *axes), one row per `by` key.

        One pass over the frame for every key and column: the per-question loop
        this replaces was the slowest part of a priorities request.
        """
        keys = sorted(str(v) for v in frame[by].unique()) if by and not frame.empty else [""]
        out = {c: np.zeros((len(keys), *self.shape), dtype=np.int64) for c in columns}
        if frame.empty:
            return keys, out
        codes = [self._codes(frame[by].astype(str), keys)] if by else [
            np.zeros(len(frame), dtype=np.int64)]  # fmt: skip
        for dim, vals in zip(self.dims, self.values, strict=True):
            column = who_fine(frame) if dim == WHO else frame[dim]
            codes.append(self._codes(column, WHO_FINE if dim == WHO else vals))
        keep = np.all([c >= 0 for c in codes], axis=0)
        idx = tuple(c[keep] for c in codes)
        for column in columns:
            values = frame[column].to_numpy(dtype=np.float64, na_value=0)[keep].astype(np.int64)
            np.add.at(out[column], idx, values)
        if WHO in self.dims:  # fine groups were counted; every category is a sum of them
            axis = 1 + self.dims.index(WHO)
            fine = np.arange(len(WHO_FINE))
            out = {c: np.moveaxis(np.tensordot(np.take(a, fine, axis=axis), _EXPAND,
                                               axes=([axis], [1])), -1, axis)
                   for c, a in out.items()}  # fmt: skip
        return keys, out

    @staticmethod
    def _codes(series: pd.Series, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """Position of each value among `values`; -1 where it is not one of them."""
        return pd.Categorical(series, categories=list(values)).codes.astype(np.int64)
