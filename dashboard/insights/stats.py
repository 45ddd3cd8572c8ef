"""Statistics used by the scores: distributions from scipy, the rest closed-form and pure.

The exact constants, as the README's methods state them: z = the 97.5% normal
quantile (1.959963984540054...), t = the 97.5% Student t quantile with n - 1
degrees of freedom, both from scipy.stats.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.special
import scipy.stats

Z95 = float(scipy.stats.norm.ppf(0.975))


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion; honest near 0 and 1, unlike Wald."""
    if trials <= 0:
        return (math.nan, math.nan)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@functools.lru_cache(maxsize=4096)
def t_quantile_975(df: int) -> float:
    """Two-sided 95% Student t quantile (scipy; cached: a request asks for few df)."""
    if df <= 0:
        return math.nan
    return float(scipy.stats.t.ppf(0.975, df))


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
    # scipy's standard normal CDF at -z (what scipy.stats.norm.sf computes), without the
    # distribution object's per-call checks: a comparison asks it hundreds of times.
    return float(2 * scipy.special.ndtr(-z))


# Array twins of the functions above, for comparisons over many groups at once (one
# Python call per cell cost most of a by-country comparison). Each does the same
# operations in the same order on float64, so every value is the same bit for bit as
# its scalar twin (tests/insights/test_stats.py checks it): how a served value is
# computed must never change it. Where the scalar returns early, the twin computes
# anyway and masks (errors silenced), so it takes the masked branch's value.


def squared(values: np.ndarray) -> np.ndarray:
    """`x ** 2` of each value as Python computes it (libm's pow). numpy's `x ** 2` is
    `x * x`, which rounds differently about once in a thousand values."""
    powers = (x**2 for x in values.ravel().tolist())
    return np.fromiter(powers, dtype=float, count=values.size).reshape(values.shape)


def wilson_arrays(
    successes: np.ndarray, trials: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """`wilson` of each (successes, trials) pair (pass ints where the scalar gets ints)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / trials
        denom = 1 + z * z / trials
        centre = (p + z * z / (2 * trials)) / denom
        half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low, high = centre - half, centre + half
    low = np.where(low > 0.0, low, 0.0)  # max(0.0, low)
    high = np.where(high < 1.0, high, 1.0)  # min(1.0, high)
    empty = trials <= 0
    return np.where(empty, math.nan, low), np.where(empty, math.nan, high)


def mean_interval_arrays(
    n: np.ndarray, total: np.ndarray, total_sq: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`mean_interval` of each (count, sum, sum of squares); `n` holds integers."""
    t = np.array([t_quantile_975(int(df)) for df in (n - 1).ravel().tolist()]).reshape(n.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = (total_sq - n * mean * mean) / (n - 1)
        var = np.where(var < 0.0, 0.0, var)  # max(var, 0.0)
        half = t * np.sqrt(var / n)
    low, high = mean - half, mean + half
    one = n < 2
    mean = np.where(n <= 0, math.nan, mean)
    return mean, np.where(one, math.nan, low), np.where(one, math.nan, high)


def newcombe_difference_arrays(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`newcombe_difference` of each pair of proportions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = wilson_arrays(x1, n1)
        l2, u2 = wilson_arrays(x2, n2)
        d = p1 - p2
        low = d - np.sqrt(squared(p1 - l1) + squared(u2 - p2))
        high = d + np.sqrt(squared(u1 - p1) + squared(p2 - l2))
    empty = (n1 <= 0) | (n2 <= 0)
    return tuple(np.where(empty, math.nan, v) for v in (d, low, high))  # type: ignore[return-value]


def two_proportion_p_arrays(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
) -> np.ndarray:
    """`two_proportion_p` of each pair of proportions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.abs(x1 / n1 - x2 / n2) / se
        p = 2 * scipy.special.ndtr(-z)
    p = np.where(se == 0, 1.0, p)
    return np.where((n1 <= 0) | (n2 <= 0), math.nan, p)


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
    above = (lo[None, :] > hi[:, None]).sum(axis=1).tolist()  # row i: lo[j] > hi[i]
    below = (hi[None, :] < lo[:, None]).sum(axis=1).tolist()  # row i: hi[j] < lo[i]
    return [(1 + a, n - b) for a, b in zip(above, below, strict=True)]


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


def welch_difference(m1: float, low1: float, high1: float, n1: float, m2: float, low2: float,
                     high2: float, n2: float) -> tuple[float, float, float, float]:  # fmt: skip
    """Difference of two means (m1 - m2) with a Welch 95% interval and two-sided p-value,
    from each mean's 95% t-interval and count (as `mean_interval` gives them).

    Each interval's half-width is t(n - 1) * s / sqrt(n), so each standard error is the
    half-width over t(n - 1): the test needs nothing but the served mean, interval and
    count. Degrees of freedom by Welch-Satterthwaite. Two groups without any spread
    (every rating the same) differ for certain (p = 0) unless their means are equal.
    """
    values = (m1, low1, high1, n1, m2, low2, high2, n2)
    if n1 < 2 or n2 < 2 or any(math.isnan(v) for v in values):
        return (math.nan, math.nan, math.nan, math.nan)
    se1 = (high1 - low1) / 2 / t_quantile_975(int(n1) - 1)
    se2 = (high2 - low2) / 2 / t_quantile_975(int(n2) - 1)
    d = m1 - m2
    var = se1 * se1 + se2 * se2
    if var == 0:
        return (d, d, d, 1.0 if d == 0 else 0.0)
    df = var * var / (se1**4 / (n1 - 1) + se2**4 / (n2 - 1))
    se = math.sqrt(var)
    half = float(scipy.stats.t.ppf(0.975, df)) * se
    p = float(2 * scipy.stats.t.sf(abs(d) / se, df))
    return (d, d - half, d + half, p)
