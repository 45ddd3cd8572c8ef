"""Dense tables over voter-profile dimensions, for disclosure control.

Disclosure control must see the full cross-classification of the filters in
use (every category, including empty ones), so that every query with the
same filters hides the same cells. These helpers turn the cells a rollup
query returns into such arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.filters import GROUP_VALUES


@dataclass(frozen=True)
class Axes:
    """The dimensions of a table and the categories along each."""

    dims: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]

    @classmethod
    def for_dims(cls, dims: list[str], *frames: pd.DataFrame, extra: dict | None = None) -> Axes:
        """Categories from the allow-list; country from the data (plus any asked for)."""
        values = []
        for dim in dims:
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

    def index(self, **cell: str) -> tuple[int, ...]:
        """Position of one cell (every dimension named)."""
        return tuple(vals.index(cell[d]) for d, vals in zip(self.dims, self.values, strict=True))

    def dense(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """Sum `column` of `frame` into an array over these axes."""
        out = np.zeros(self.shape, dtype=np.int64)
        if frame.empty:
            return out
        if not self.dims:
            return np.asarray(int(frame[column].sum()), dtype=np.int64)
        codes = []
        for dim, vals in zip(self.dims, self.values, strict=True):
            lookup = {v: i for i, v in enumerate(vals)}
            codes.append(frame[dim].map(lookup).to_numpy())
        keep = np.all([~pd.isna(c) for c in codes], axis=0)
        idx = tuple(np.asarray(c[keep], dtype=np.int64) for c in codes)
        np.add.at(out, idx, frame[column].to_numpy()[keep].astype(np.int64))
        return out
