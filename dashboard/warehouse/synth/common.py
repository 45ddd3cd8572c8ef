"""Day numbers, seeded streams and categorical codes that every section of the demo shares.

Dates are carried as day numbers (days since 1970-01-01) and timestamps as epoch seconds
until DuckDB prints them, so the generators stay vectorized numpy.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

_EPOCH = date(1970, 1, 1)


def day_of(iso: str) -> int:
    """Day number of an ISO date: dates stay integers until DuckDB writes them."""
    return (date.fromisoformat(iso) - _EPOCH).days


START = day_of("2016-11-01")  # the network's launch
AS_OF = day_of("2026-11-01")  # the export's as-of date
LAST = AS_OF - 1  # nothing is dated on or after the as-of date
MONTHS = (
    np.arange("2016-11", "2026-12", dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
)  # first day of each month, plus the first day after the last month
N_MONTHS = len(MONTHS) - 1
DAY_S = 86_400


def stream(seed: int, section: int) -> np.random.Generator:
    """One independent stream per section, so editing one section leaves the others intact."""
    return np.random.default_rng([seed % 2**63, section])


def years(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def parse_weights(spec: str) -> tuple[list[str], np.ndarray]:
    """Parse "CODE weight CODE weight ..." into codes and normalized weights."""
    parts = spec.split()
    codes, w = parts[::2], np.array([float(x) for x in parts[1::2]])
    return codes, w / w.sum()


def categorical(codes: np.ndarray, categories: list[str] | tuple[str, ...]) -> pd.Categorical:
    """Codes (-1 = missing) as a Categorical: DuckDB scans it as an ENUM without copying."""
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=list(categories))


def join_weights() -> np.ndarray:
    """Monthly share of sign-ups: launch burst, steady growth, two campaigns, a slow year."""
    m = np.arange(N_MONTHS, dtype=np.float64)
    w = 1.0 + m / 70
    w[:3] += [14.0, 7.0, 4.0]  # launch
    w[28] += 5.0  # 2019-03: MS awareness month campaign
    w[83] += 6.0  # 2023-10: partner clinic campaign
    w[50:62] *= 0.45  # 2021: a slow year
    return w / w.sum()
