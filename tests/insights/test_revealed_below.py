"""A complement is not revealed from below: what a finer table serves of a count a coarser
table withholds adds up to at most that count minus k (tables._revealed_below)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.db import Warehouse
from dashboard.insights.cube import WHO, WHO_CATEGORIES, WHO_CHILDREN, WHO_EVERYONE, WHO_FINE
from dashboard.insights.priorities import list_rounds
from dashboard.insights.publication import table_splits
from dashboard.insights.tables import MEASURES, _revealed_below, masked_measures, published_tables

K = 11


def test_the_largest_part_of_a_withheld_sum_of_k_or_more_is_withheld() -> None:
    counts = np.array([[13, 0, 2], [4, 12, 0], [5, 3, 2], [20, 9, 1]])
    withheld = np.array([True, True, False, True])  # row 2 sums to 10: below k anyway
    forced = _revealed_below(counts, 1, withheld, K)
    assert forced.tolist() == [[True, False, False], [False, True, False],
                               [False, False, False], [True, False, False]]  # fmt: skip


def test_no_part_is_forced_when_every_part_is_small() -> None:
    """Parts of 1..k-1 are withheld as small counts already: nothing to add."""
    counts = np.array([[6, 5, 4]])
    assert not _revealed_below(counts, 1, np.array([True]), K).any()


def test_the_axis_may_be_any_axis() -> None:
    counts = np.array([[13, 4], [0, 12]])  # sums along axis 0: 13 and 16
    forced = _revealed_below(counts, 0, np.array([True, True]), K)
    assert forced.tolist() == [[True, False], [False, True]]


def _who_line(**fine: int) -> np.ndarray:
    """Counts of every who category from counts of the finest groups."""
    sets = [{WHO_FINE[i] for i in _leaves(c)} for c in range(len(WHO_CATEGORIES))]
    return np.array([sum(fine.get(f, 0) for f in s) for s in sets])


def _leaves(category: int) -> list[int]:
    children = WHO_CHILDREN[category]
    if not children:
        return [category]
    return [leaf for child in children for leaf in _leaves(child)]


def test_who_categories_are_a_tree_of_partitions() -> None:
    """Each category with children is exactly its children's people, and every finest
    group sits under everyone once: the walk below relies on it."""
    assert sorted(_leaves(WHO_EVERYONE)) == list(range(len(WHO_FINE)))
    for category, children in enumerate(WHO_CHILDREN):
        leaves = [leaf for child in children for leaf in _leaves(child)]
        assert len(leaves) == len(set(leaves)), WHO_CATEGORIES[category]


def test_along_who_the_chain_of_largest_groups_is_withheld() -> None:
    line = _who_line(RRMS=20, CIS=3, SPMS=5, PPMS=4, unknown=2, caregiver=6, other=1)
    forced = _revealed_below(line[None], 1, np.array([True]), K, who=True)[0]
    names = [WHO_CATEGORIES[i] for i in np.nonzero(forced)[0]]
    assert names == ["RRMS", "relapsing", "person_with_ms"]


def test_along_who_the_walk_stops_above_small_groups() -> None:
    """Relapsing (14) is the deepest group of k or more: its parts are small counts."""
    line = _who_line(RRMS=8, CIS=6, SPMS=5, PPMS=4, caregiver=3)
    forced = _revealed_below(line[None], 1, np.array([True]), K, who=True)[0]
    assert [WHO_CATEGORIES[i] for i in np.nonzero(forced)[0]] == ["relapsing", "person_with_ms"]
    assert not _revealed_below(line[None], 1, np.array([False]), K, who=True).any()


def _served_floor(counts: np.ndarray, hidden: np.ndarray, axis: int, who: bool) -> np.ndarray:
    """What the served parts prove a sum along `axis` is at least (counts are not
    negative): along who, a served category's count, else its children's floors."""
    counts, hidden = np.moveaxis(counts, axis, -1), np.moveaxis(hidden, axis, -1)
    if not who:
        return np.where(hidden, 0, counts).sum(axis=-1)

    def floor(c: int) -> np.ndarray:
        below = sum((floor(child) for child in WHO_CHILDREN[c]), np.zeros(counts.shape[:-1]))
        return np.where(hidden[..., c], below, counts[..., c])

    return sum((floor(child) for child in WHO_CHILDREN[WHO_EVERYONE]),
               np.zeros(counts.shape[:-1]))  # fmt: skip


def _no_complement_revealed_from_below(path: Path, round_id: str) -> None:
    """Every count of k or more a table withholds (voters, and each question's counts),
    against what every table one axis finer serves of it."""
    wh = Warehouse(path)
    rnd = next(r for r in list_rounds(wh) if r.round_id == round_id)
    checked = 0
    for split in table_splits():
        fine = published_tables(wh, rnd, split, K)
        assert fine is not None
        measures = [m for m in masked_measures(fine.vote) if m in MEASURES]
        for pos, dim in enumerate(split):
            coarse = published_tables(wh, rnd, split[:pos] + split[pos + 1 :], K)
            assert coarse is not None
            pairs = [(fine.voters, fine.voters_hidden, coarse.voters, coarse.voters_hidden)]
            for q in fine.measures:
                pairs += [(fine.measures[q][m], fine.hidden(q, m, K)[..., 0],
                           coarse.measures[q][m], coarse.hidden(q, m, K)[..., 0])
                          for m in measures]  # fmt: skip
            for counts, hidden, sums, withheld in pairs:
                floor = np.asarray(_served_floor(np.asarray(counts), np.asarray(hidden, bool), pos,
                                      dim == WHO))  # fmt: skip
                sums = np.asarray(sums)  # a table of no axes stores one flag
                guarded = np.reshape(withheld, sums.shape).astype(bool) & (sums >= K)
                checked += int(guarded.sum())
                assert (floor[guarded] <= sums[guarded] - K).all(), (split, dim)
    assert checked, "no withheld count of k or more: the test checked nothing"


@pytest.mark.parametrize("round_id", ["R1", "R2", "R3"])  # pick, rank, rate
def test_no_published_complement_is_revealed_from_below(fixture_warehouse: Path,
                                                        round_id: str) -> None:  # fmt: skip
    _no_complement_revealed_from_below(fixture_warehouse, round_id)


@pytest.mark.slow
@pytest.mark.parametrize("round_id", [f"R{i}" for i in range(1, 9)])
def test_no_complement_of_the_small_network_is_revealed_from_below(small_network: Path,
                                                                   round_id: str) -> None:  # fmt: skip
    """Groups of a few dozen voters: without the rule, R5 fails here."""
    _no_complement_revealed_from_below(small_network, round_id)
