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
        codes += [self._codes(frame[d], vals) for d, vals in zip(self.dims, self.values,
                                                                  strict=True)]  # fmt: skip
        keep = np.all([c >= 0 for c in codes], axis=0)
        idx = tuple(c[keep] for c in codes)
        for column in columns:
            values = frame[column].to_numpy(dtype=np.float64, na_value=0)[keep].astype(np.int64)
            np.add.at(out[column], idx, values)
        return keys, out

    @staticmethod
    def _codes(series: pd.Series, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """Position of each value among `values`; -1 where it is not one of them."""
        return pd.Categorical(series, categories=list(values)).codes.astype(np.int64)
