"""Statistics against closed-form values."""

from __future__ import annotations

import math

import pytest

from dashboard.insights import stats


def test_wilson_matches_closed_form() -> None:
    # 22 of 36, z = 1.96: centre (p + z²/2n)/(1 + z²/n), half-width as in Wilson (1927).
    low, high = stats.wilson(22, 36)
    assert low == pytest.approx(0.44864, abs=1e-4)
    assert high == pytest.approx(0.75215, abs=1e-4)
    assert stats.wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-4)


def test_t_interval_for_ratings() -> None:
    # 12 ratings of 5 and 12 of 4: mean 4.5, sd sqrt(6/23), t(0.975, 23) = 2.0686576104.
    mean, low, high = stats.mean_interval(24, 108, 12 * 25 + 12 * 16)
    half = 2.068657610419041 * math.sqrt(6 / 23) / math.sqrt(24)
    assert mean == 4.5
    assert (low, high) == pytest.approx((4.5 - half, 4.5 + half), abs=1e-6)
    assert stats.t_quantile_975(1000) == pytest.approx(1.9623, abs=1e-3)


def test_benjamini_hochberg() -> None:
    # Classic example: thresholds 0.01, 0.02, 0.03, 0.04, 0.05 for five tests.
    assert stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.2]) == [
        True, True, True, True, False,
    ]  # fmt: skip
    assert stats.benjamini_hochberg([0.04, 0.06]) == [False, False]


def test_difference_and_p_value() -> None:
    d, low, high = stats.newcombe_difference(30, 50, 15, 50)
    assert d == pytest.approx(0.3)
    assert low < 0.3 < high and low > 0  # clearly different
    assert stats.two_proportion_p(30, 50, 15, 50) == pytest.approx(0.00255, abs=2e-4)


def test_rank_intervals_and_tiers() -> None:
    low, high = [0.6, 0.5, 0.1], [0.8, 0.7, 0.2]  # first two overlap, third is clearly last
    assert stats.rank_intervals(low, high) == [(1, 2), (1, 2), (3, 3)]
    assert stats.tiers(low, high) == [1, 1, 2]


@pytest.mark.parametrize(("df", "quantile"), [
    (1, 12.706204736174698), (10, 2.228138851986274), (23, 2.068657610419041),
    (45, 2.0141033888808457), (100, 1.983971518523551), (1000, 1.9623390808264074),
])  # fmt: skip
def test_t_quantile_is_exact(df: int, quantile: float) -> None:
    """Published values to 1e-12: the old three-decimal table was off by up to 1.6e-4."""
    assert stats.t_quantile_975(df) == pytest.approx(quantile, rel=1e-12)
    assert pytest.approx(1.959963984540054, rel=1e-15) == stats.Z95


def test_benjamini_hochberg_agrees_with_scipy() -> None:
    import numpy as np
    from scipy.stats import false_discovery_control

    rng = np.random.default_rng(7)
    for _ in range(200):
        p = rng.uniform(0, 0.2, size=int(rng.integers(1, 30))).tolist()
        expected = (false_discovery_control(p, method="bh") <= 0.05).tolist()
        assert stats.benjamini_hochberg(p) == expected
