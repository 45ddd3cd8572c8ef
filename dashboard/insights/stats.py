"""Closed-form statistics used by the scores, kept pure for testing."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion; honest near 0 and 1, unlike Wald."""
    if trials <= 0:
        return (math.nan, math.nan)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def t_quantile_975(df: int) -> float:
    """Two-sided 95% Student t quantile, from a table then the normal limit."""
    table = {
        1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
        16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
        23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
        30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
    }  # fmt: skip
    if df <= 0:
        return math.nan
    if df in table:
        return table[df]
    if df > 120:
        # Cornish-Fisher expansion around the normal quantile: good to 1e-4 here.
        z = Z95
        return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    lower = max(d for d in table if d < df)
    upper = min(d for d in table if d > df)
    # Interpolate linearly in 1/df, which is nearly exact for t quantiles.
    w = (1 / df - 1 / upper) / (1 / lower - 1 / upper)
    return table[upper] + w * (table[lower] - table[upper])


def mean_interval(n: float, total: float, total_sq: float) -> tuple[float, float, float]:
    """Mean with a 95% t-interval, from the count, sum and sum of squares."""
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    mean = total / n
    if n < 2:
        return (mean, math.nan, math.nan)
    var = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    half = t_quantile_975(int(n) - 1) * math.sqrt(var / n)
    return (mean, mean - half, mean + half)


def newcombe_difference(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float, float]:
    """Difference of two proportions with Newcombe's hybrid Wilson interval (method 10)."""
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan, math.nan)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (d, low, high)


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = abs(x1 / n1 - x2 / n2) / se
    return math.erfc(z / math.sqrt(2))


def benjamini_hochberg(pvalues: list[float], alpha: float = 0.05) -> list[bool]:
    """Which hypotheses are rejected at false-discovery rate alpha (NaN never is)."""
    p = np.asarray(pvalues, dtype=float)
    valid = ~np.isnan(p)
    m = int(valid.sum())
    out = np.zeros(len(p), dtype=bool)
    if m == 0:
        return out.tolist()
    idx = np.where(valid)[0]
    order = idx[np.argsort(p[idx], kind="stable")]
    thresholds = alpha * np.arange(1, m + 1) / m
    passed = p[order] <= thresholds
    if passed.any():
        last = int(np.max(np.where(passed)[0]))
        out[order[: last + 1]] = True
    return out.tolist()


def rank_intervals(low: list[float], high: list[float]) -> list[tuple[int, int]]:
    """Range of ranks consistent with the intervals (by interval overlap).

    A question's best rank is 1 + the number of questions whose interval lies
    wholly above its own; its worst is n - the number wholly below it.
    """
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    n = len(lo)
    out = []
    for i in range(n):
        above = int(np.sum(lo > hi[i]))
        below = int(np.sum(hi < lo[i]))
        out.append((1 + above, n - below))
    return out


def tiers(low: list[float], high: list[float]) -> list[int]:
    """Tiers of statistically tied items, given intervals in descending score order.

    A tier starts at the best item not yet placed and takes every later item
    whose interval reaches the leader's lower bound.
    """
    n = len(low)
    out = [0] * n
    tier = 0
    i = 0
    while i < n:
        tier += 1
        leader_low = low[i]
        j = i
        while j < n and (j == i or high[j] >= leader_low):
            out[j] = tier
            j += 1
        i = j
    return out
