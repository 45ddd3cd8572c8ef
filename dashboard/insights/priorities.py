"""Research priorities of one round: scores with honest uncertainty, by group.

Every number comes from the rollups (vote_cube, voter_cube) as a dense table
over the voter filters in use, passes disclosure control, and only then
becomes a score. A withheld count withholds every score derived from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard import words
from dashboard.db import Snapshot, Warehouse
from dashboard.filters import GROUP_LABELS, GROUP_VALUES, WHO_DIMS, FilterError, Filters
from dashboard.insights.result import WITHHELD_GROUP, ChartResult, new_result, withhold
from dashboard.insights.stats import (
    benjamini_hochberg,
    newcombe_difference_arrays,
    rank_intervals,
    tiers,
    two_proportion_p_arrays,
)
from dashboard.insights.tables import Tables, forget_recent_tables, load_tables

__all__ = ["Tables", "forget_recent_tables", "load_tables"]
from dashboard.insights.vote_methods import (
    COUNT_FIELDS,
    CROSS_GROUP_RANKINGS,
    CUBE_MEASURES,
    SCORES,
    VoteMethod,
    vote_method,
)

TOO_FEW = WITHHELD_GROUP  # an empty group reads the same as a small one
MEASURES = CUBE_MEASURES


@dataclass(frozen=True)
class Round:
    """A prioritization round as the scores need it."""

    round_id: str
    name: str
    method: str
    max_choices: int | None
    closes_on: str

    @property
    def vote(self) -> VoteMethod:
        """How this round was voted (a property, so it stays out of `__dict__`)."""
        return vote_method(self.method)


def list_rounds(wh: Warehouse) -> list[Round]:
    """Every closed round that has votes, oldest first (read once per build).

    A round still open at the build's as-of date is not here, so nothing counted from its
    votes is computed, published or served (rankings, comparisons, topics, a question's
    trend, round shifts, consensus, the rounds chart, headlines, embeds, slides): its
    counts appear once, in the first release after it closes, and later releases keep
    them as published (README "Releases: what a rebuild may change").
    """

    def read() -> tuple[Round, ...]:
        df = wh.run_static("rounds", {})
        return tuple(
            Round(r.round_id, r.name, r.method,
                  None if pd.isna(r.max_choices) else int(r.max_choices), str(r.closes_on))
            for r in df.itertuples()
            if r.has_votes
        )  # fmt: skip

    return list(wh.remember(("rounds with votes",), read))


@dataclass(frozen=True)
class OpenRound:
    """A round not closed at the build's as-of date: named with its dates, never counted."""

    round_id: str
    name: str
    opens_on: str
    closes_on: str

    def words(self) -> str:
        """The plain-words line pages and answers give for it."""
        return (f"{self.name} is open until {self.closes_on}: its results are published "
                "when it closes.")  # fmt: skip


def open_rounds(wh: Warehouse) -> list[OpenRound]:
    """Rounds still open (or not yet opened) at the build's as-of date, by closing date."""

    def read() -> tuple[OpenRound, ...]:
        df = wh.run_static("open_rounds", {})
        return tuple(OpenRound(r.round_id, r.name, str(r.opens_on)[:10], str(r.closes_on)[:10])
                     for r in df.itertuples())  # fmt: skip

    return list(wh.remember(("open rounds",), read))


def resolve_round(wh: Warehouse, round_id: str | None) -> Round:
    """The requested round, or the latest closed one that has votes.

    An open round is refused like any value that cannot be served (a FilterError, so a
    400 with this message on the API and the message on a page, never a 500).
    """
    rounds = list_rounds(wh)
    if round_id is None and rounds:
        return rounds[-1]
    for r in rounds:
        if r.round_id == round_id:
            return r
    for still_open in open_rounds(wh):
        if still_open.round_id == round_id:
            raise FilterError(still_open.words())
    if not rounds:
        raise FilterError("no round has closed with votes yet: a round's results are "
                          "published when it closes")  # fmt: skip
    raise FilterError(
        f"no round {round_id!r} with votes; rounds: {', '.join(r.round_id for r in rounds)}"
    )


def score_cell(tables: Tables, rnd: Round, qid: str, cell: tuple, k: int) -> dict[str, Any]:
    """Every score of one question for one group (cell), with withheld fields."""
    m = tables.measures[qid]
    counts = {name: m[name][cell] for name in MEASURES}
    row = rnd.vote.score_cell(counts, int(tables.voters[cell]), rnd.max_choices)
    gone = rnd.vote.withheld(lambda measure: bool(tables.hidden(qid, measure, k)[(*cell, 0)]))
    if gone:
        gone = rnd.vote.coarsen(row, counts, gone)
    if gone:
        withhold(row, gone)
    return row


def cell_scores(tables: Tables, rnd: Round, cell: tuple, k: int) -> list[dict[str, Any]]:
    """`score_cell` of every question of the table (in its order) for one group (cell)."""
    return cells_scores(tables, rnd, [cell], k)[0]


def cells_scores(tables: Tables, rnd: Round, cells: list[tuple],
                 k: int) -> list[list[dict[str, Any]]]:  # fmt: skip
    """`cell_scores` of each cell: the same rows, computed on arrays of every cell at once.

    A comparison by country scores hundreds of cells; one Python call per cell was most
    of its time. The array twins (score_arrays) give the same values bit for bit. One
    cell (a priorities chart) is scored question by question: numpy's fixed cost per
    operation makes the arrays slower there.
    """
    if not _scored_as_columns(tables, rnd, cells):
        return [_scores_one_by_one(tables, rnd, cell, k) for cell in cells]
    return _cell_columns(tables, rnd, cells, k).rows()


def _scored_as_columns(tables: Tables, rnd: Round, cells: list[tuple]) -> bool:
    """Whether these cells are scored on arrays (`_cell_columns`): the method has array
    scores and there are questions and at least two cells (one is faster row by row)."""
    return rnd.vote.score_columns is not None and bool(tables.measures) and len(cells) >= 2


@dataclass(frozen=True)
class CellColumns:
    """Every question's scores in each of some cells (groups), field by field.

    Values are in question then cell order (the order of a comparison's rows): the value
    of question q in cell c is at q * cells + c. A withheld value is None and its row's
    withheld fields are in `suppressed` (None where nothing is), as `withhold` leaves a
    row: `row(i)` is the `score_cell` row, withheld fields blanked.
    """

    cells: int
    questions: int
    names: tuple[str, ...]  # row fields, in score_cell's order
    values: dict[str, list[Any]]
    suppressed: list[tuple[str, ...] | None]

    def row(self, i: int) -> dict[str, Any]:
        """The row of one (question, cell) pair, by its position."""
        row = {name: self.values[name][i] for name in self.names}
        if (gone := self.suppressed[i]) is not None:
            row["suppressed"] = list(gone)
        return row

    def rows(self) -> list[list[dict[str, Any]]]:
        """Each cell's rows, in question order (`cells_scores`)."""
        return [[self.row(q * self.cells + c) for q in range(self.questions)]
                for c in range(self.cells)]  # fmt: skip

    def field(self, name: str) -> list[Any]:
        """One field's value of every pair (None where withheld or not a field here)."""
        found = self.values.get(name)
        return [None] * (self.cells * self.questions) if found is None else found

    @classmethod
    def from_rows(cls, rows: list[list[dict[str, Any]]]) -> CellColumns:
        """The columns of each cell's rows (`cells_scores`' shape)."""
        questions = len(rows[0]) if rows else 0
        ordered = [rows[c][q] for q in range(questions) for c in range(len(rows))]
        names = tuple(n for n in (ordered[0] if ordered else {}) if n != "suppressed")
        values = {n: [r.get(n) for r in ordered] for n in names}
        gone = [tuple(r["suppressed"]) if "suppressed" in r else None for r in ordered]
        return cls(len(rows), questions, names, values, gone)


def _cell_columns(tables: Tables, rnd: Round, cells: list[tuple], k: int) -> CellColumns:
    """`cells_scores` as columns, computed on arrays of every cell at once (the method's
    `score_columns`; withheld fields and `coarsen` on arrays too)."""
    vote = rnd.vote
    where = tuple(np.array(axis, dtype=np.intp) for axis in zip(*cells, strict=True))
    pick = (slice(None), *where)  # every question, these cells
    stack = tables.derived("stack", lambda: _stack_counts(tables))
    counts = stack[(slice(None), *pick)]  # questions, measures, cells
    by_measure = {name: counts[:, i] for i, name in enumerate(MEASURES)}
    voters = tables.voters[where].astype(np.int64)[None, :]
    fields = vote.score_columns(by_measure, voters, rnd.max_choices)
    shape = counts[:, 0].shape
    names = tuple(fields)
    values = {name: np.broadcast_to(fields[name], shape).ravel().tolist() for name in names}
    level = np.full(shape, -1, dtype=np.int64)  # the first (widest) protected measure hidden
    for i in reversed(range(len(vote.protects))):
        hidden = _hidden_stack(tables, vote.protects[i][0], k)[(*pick, 0)]
        level[hidden] = i
    suppressed: list[tuple[str, ...] | None] = [None] * level.size
    flat = level.ravel()
    for i in np.unique(flat[flat >= 0]).tolist():
        at = np.flatnonzero(flat == i)
        positions = at.tolist()
        some = {m: a.ravel()[at] for m, a in by_measure.items()}
        coarse, gone = vote.coarsen_columns(some, list(vote.protects[i][1]))
        for name, column in coarse.items():
            served = values[name]
            for j, value in zip(positions, column.tolist(), strict=True):
                served[j] = value
        gone = tuple(dict.fromkeys(gone))
        for name in gone:
            blank = values[name]
            for j in positions:
                blank[j] = None
        if gone:
            for j in positions:
                suppressed[j] = gone
    return CellColumns(len(cells), len(tables.measures), names, values, suppressed)


def _stack_counts(tables: Tables) -> np.ndarray:
    """Every question's measures: (questions, measures, *axes), read once per table (what
    `Tables.counts_at` reads one cell of)."""
    return np.stack([np.stack([tables.measures[q][m] for m in MEASURES])
                     for q in tables.measures])  # fmt: skip


def _hidden_stack(tables: Tables, measure: str, k: int) -> np.ndarray:
    """Disclosure decisions of `measure`: (questions, *axes, outcome), read once per table
    (what `Tables.hidden_at` reads one cell of)."""
    return tables.derived(("masks", measure), lambda: np.stack(
        [tables.hidden(q, measure, k) for q in tables.measures]))  # fmt: skip


def _scores_one_by_one(tables: Tables, rnd: Round, cell: tuple, k: int) -> list[dict[str, Any]]:
    """`cell_scores` with the method's own `score_cell` (one cell, or no array twin)."""
    vote, max_choices = rnd.vote, rnd.max_choices
    voters = int(tables.voters[cell])
    counts = tables.counts_at(cell)
    names = list(MEASURES)
    flags = {measure: tables.hidden_at(measure, cell, k) for measure, _ in vote.protects}
    rows = []
    for i, values in enumerate(counts):
        cell_counts = dict(zip(names, values, strict=True))
        row = vote.score_cell(cell_counts, voters, max_choices)
        gone = vote.withheld(lambda measure, i=i: flags[measure][i])
        if gone and (gone := vote.coarsen(row, cell_counts, gone)):
            withhold(row, gone)
        rows.append(row)
    return rows


SCORE_FIELDS = {s.name: (s.field, s.low, s.high) for s in SCORES.values()}


def score_method(rnd: Round, asked: str | None) -> str:
    """The score a round is ranked by; refuse one the round cannot support."""
    method = asked or rnd.vote.default_score
    if method in CROSS_GROUP_RANKINGS:
        return method
    if method not in rnd.vote.scores:
        raise FilterError(
            f"method={method} does not apply to a {rnd.method} round; "
            f"use {', '.join((*rnd.vote.scores, *CROSS_GROUP_RANKINGS))}"
        )
    return method


def rank_rows(rows: list[dict[str, Any]], method: str) -> list[dict[str, Any]]:
    """Order by score; add rank, rank interval and tier among served scores only.

    Withheld scores go last, in question order, with no rank: placing them by
    their true value would leak it.
    """
    score, low, high = SCORE_FIELDS[method]
    served = [r for r in rows if r.get(score) is not None and not math.isnan(r[score])]
    ranked = {id(r) for r in served}
    withheld = [r for r in rows if id(r) not in ranked]
    served.sort(key=lambda r: (-r[score], r["question_id"]))
    intervals = rank_intervals([r[low] for r in served], [r[high] for r in served])
    tier_of = tiers([r[low] for r in served], [r[high] for r in served])
    for i, row in enumerate(served):
        row.update({"rank": i + 1, "rank_best": intervals[i][0], "rank_worst": intervals[i][1],
                    "tier": tier_of[i]})  # fmt: skip
    for row in withheld:
        row.update({"rank": None, "rank_best": None, "rank_worst": None, "tier": None})
    return served + sorted(withheld, key=lambda r: r["question_id"])


def _question_fields(tables: Tables, qid: str) -> dict[str, Any]:
    found = tables.question_info().get(qid)
    if found is None:
        return {"question_id": qid, "title": None, "topic": None, "status": None}
    return {"question_id": qid, **found}


COUNTS = COUNT_FIELDS


def _base(chart: str, title: str, method: str, filters: Filters, snap: Snapshot, k: int,
          columns: list[str], rnd: Round) -> ChartResult:  # fmt: skip
    return ChartResult(
        chart=chart, title=title, method=method, filters=filters, build_id=snap.build_id,
        as_of=snap.as_of, k=k, columns=columns, count_fields=COUNTS,
        context={"round": rnd.__dict__},
    )  # fmt: skip


def _columns(rnd: Round) -> list[str]:
    return ["question_id", "title", "topic", "status", *rnd.vote.columns]


RANK_COLUMNS = ["rank", "rank_best", "rank_worst", "tier"]


def priorities(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Ranked questions of a round for the voters who match the filters."""
    rnd = resolve_round(wh, filters.round)
    method = score_method(rnd, filters.method)
    if method in CROSS_GROUP_RANKINGS:
        return balanced(wh, filters, k)
    dims = filters.group_dims()
    tables = load_tables(wh, rnd, filters, dims, k)
    title = f"Research priorities of {words.who(filters)}: {rnd.name}"
    result = _base("priorities", title, method, filters, tables.snapshot, k,
                   [*RANK_COLUMNS, *_columns(rnd)], rnd)  # fmt: skip
    cell = tables.axes.index(**{d: getattr(filters, d) for d in dims})
    if tables.voters[cell] == 0:
        result.message = TOO_FEW.format(k=k)  # as a small group: no tell
        return result
    if tables.voters_hidden[cell]:
        result.message = TOO_FEW.format(k=k)
        return result
    rows = [
        {**_question_fields(tables, qid), **scores}
        for qid, scores in zip(tables.measures, cell_scores(tables, rnd, cell, k), strict=True)
    ]
    result.rows = rank_rows(rows, method)
    if rnd.vote.serves_voters:  # served: the group's voters are not withheld (above)
        result.context["voters"] = int(tables.voters[cell])
    return result


def _groups(tables: Tables, dim: str, filters: Filters) -> list[tuple[str, tuple]]:
    """(value, cell) of every category of `dim` whose voter count may be shown."""
    out = []
    if dim == "country":
        values = tables.axes.values[tables.axes.dims.index(dim)]
    else:
        values = GROUP_VALUES[dim]
    fixed = {d: getattr(filters, d) for d in GROUP_VALUES if d != dim}
    for value in values:
        cell = tables.axes.index(**fixed, **{dim: value})
        if tables.voters[cell] > 0 and not tables.voters_hidden[cell]:
            out.append((value, cell))
    return out


def _compare_tables(wh: Warehouse, filters: Filters, k: int) -> tuple[Round, Tables, str]:
    rnd = resolve_round(wh, filters.round)
    # Default: people with MS vs caregivers vs others, unless a who filter is in use.
    dim = filters.compare or ("age_band" if any(d in WHO_DIMS for d in filters.group_dims())
                              else "role")  # fmt: skip
    dims = [d for d in GROUP_VALUES if d in filters.group_dims() or d == dim]
    if len(dims) > 3:
        raise FilterError("compare plus at most two voter filters")
    return rnd, load_tables(wh, rnd, filters, dims, k), dim


GroupScores = CellColumns  # each group shown (a cell), every question's scores


def _group_scores(tables: Tables, rnd: Round, groups: list[tuple[str, tuple]],
                  k: int) -> GroupScores:  # fmt: skip
    """Every question's scores in each group shown (read once; shared by comparisons)."""
    cells = [cell for _, cell in groups]
    if not _scored_as_columns(tables, rnd, cells):
        return CellColumns.from_rows(cells_scores(tables, rnd, cells, k))
    return _cell_columns(tables, rnd, cells, k)


# A comparison's fields, in its rows' order: None where a group is not compared.
COMPARED = ("difference", "difference_low", "difference_high", "p_value", "significant")


def by_group(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """The same scores side by side for each group of one dimension, with differences.

    Each group is compared with the first group shown (the reference); the
    difference of shares has a Newcombe interval and a two-proportion test,
    and `significant` marks those that hold after Benjamini-Hochberg at 5%
    across every comparison in the table.
    """
    return by_group_of(wh, filters, k, *_compare_tables(wh, filters, k))


def by_group_of(wh: Warehouse, filters: Filters, k: int, rnd: Round, tables: Tables, dim: str,
                scores: GroupScores | None = None) -> ChartResult:  # fmt: skip
    """`by_group` from its tables (and, if read already, each group's scores)."""
    method = rnd.vote.support_score.name
    cols = ["group", *_columns(rnd), "reference", *COMPARED]
    title = f"Priorities of {words.who(filters.without(dim))} by {GROUP_LABELS[dim].lower()}"
    result = _base("priorities-by-group", f"{title}: {rnd.name}", method,
                   filters, tables.snapshot, k, cols, rnd)  # fmt: skip
    groups = _groups(tables, dim, filters)
    result.context["groups"] = [g for g, _ in groups]
    result.context["compare"] = dim
    if len(groups) < 2:
        result.message = TOO_FEW.format(k=k) + " At least two groups are needed to compare."
        return result
    reference = groups[0][0]
    if scores is None:
        scores = _group_scores(tables, rnd, groups, k)
    values = [value for value, _ in groups]
    qids = list(tables.measures)
    tested, compared = _compare_with_reference(rnd, scores, len(qids), len(values))
    # Every row's fields as columns, in the rows' order (question, then group).
    size = len(qids) * len(values)
    info = [_question_fields(tables, qid) for qid in qids]
    heads = list(info[0]) if info else []
    found: list[list[Any]] = [[None] * size for _ in COMPARED]  # None: not compared
    for column, numbers in zip(found, [*compared, benjamini_hochberg(compared[3])],
                               strict=True):  # fmt: skip
        for i, number in zip(tested, numbers, strict=True):
            column[i] = number
    columns = [
        values * len(qids),
        *([fields[h] for fields in info for _ in values] for h in heads),
        *(scores.values[name] for name in scores.names),
        [reference] * size,
        *found,
    ]
    keys = ("group", *heads, *scores.names, "reference", *COMPARED)
    rows = [dict(zip(keys, row_values, strict=True)) for row_values in zip(*columns, strict=True)]
    scored = 1 + len(heads) + len(scores.names)  # a withheld row lists them after its scores
    for i, gone in enumerate(scores.suppressed):
        if gone is not None:
            fields = list(rows[i].items())
            rows[i] = {**dict(fields[:scored]), "suppressed": list(gone), **dict(fields[scored:])}
    result.rows = rows
    return result


def _compare_with_reference(
    rnd: Round, scores: GroupScores, questions: int, groups: int
) -> tuple[list[int], list[list[float]]]:
    """Each group's share compared with the first group's (the reference), per question.

    Returns the positions (in question then group order, the rows' order) of the pairs
    compared (both shares served, not the reference itself), and the difference, its
    Newcombe interval and the two-proportion p-value of each, in the same order.
    Computed on arrays of every pair at once, with the same values as the scalar stats.
    """
    served, counts = rnd.vote.support_columns(scores.values, questions * groups)
    served = served.reshape(questions, groups)
    counts = counts.reshape(questions, groups, 2)
    tested = served & served[:, :1]  # the reference is column 0
    tested[:, 0] = False
    a = counts[tested]  # (supporters, base) of each pair, in question then group order
    b = np.broadcast_to(counts[:, :1], counts.shape)[tested]  # its reference's
    d, low, high = newcombe_difference_arrays(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    p = two_proportion_p_arrays(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    positions = np.flatnonzero(tested.ravel()).tolist()
    return positions, [d.tolist(), low.tolist(), high.tolist(), p.tolist()]


def balanced(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Stakeholder-balanced ranking and bridging score across the groups of one dimension.

    Questions are ranked within each group; the balanced rank is the mean of
    those ranks, so each group weighs the same whatever its size (as the James
    Lind Alliance does). The bridging score is the lowest share across groups:
    high only for questions every group supports. Both use served scores only.
    """
    return balanced_of(wh, filters, k, *_compare_tables(wh, filters, k))


def balanced_of(wh: Warehouse, filters: Filters, k: int, rnd: Round, tables: Tables, dim: str,
                scores: GroupScores | None = None) -> ChartResult:  # fmt: skip
    """`balanced` from its tables (and, if read already, each group's scores)."""
    score = SCORES[rnd.vote.balance_score].field
    cols = ["balanced_rank", "question_id", "title", "topic", "status", "mean_group_rank",
            "groups_ranked", "bridging_score", "bridging_group"]  # fmt: skip
    title = f"Balanced priorities across {dim}: {rnd.name}"
    result = _base("priorities-balanced", title, filters.method or "balanced", filters,
                   tables.snapshot, k, cols, rnd)  # fmt: skip
    groups = _groups(tables, dim, filters)
    result.context["groups"] = [g for g, _ in groups]
    result.context["compare"] = dim  # the groups' dimension, for their names in words
    if len(groups) < 2:
        result.message = TOO_FEW.format(k=k) + " At least two groups are needed to balance."
        return result
    if scores is None:
        scores = _group_scores(tables, rnd, groups, k)
    column, size = scores.field(score), len(groups)
    by_value = {value: {qid: column[q * size + c] for q, qid in enumerate(tables.measures)}
                for c, (value, _) in enumerate(groups)}  # fmt: skip
    ranks: dict[str, list[int]] = {qid: [] for qid in tables.measures}
    for value in by_value:
        served = sorted(
            ((s, q) for q, s in by_value[value].items() if s is not None and not math.isnan(s)),
            key=lambda t: (-t[0], t[1]),
        )
        for position, (_, qid) in enumerate(served, start=1):
            ranks[qid].append(position)
    rows = []
    for qid in tables.measures:
        values = [by_value[g][qid] for g in by_value]
        complete = all(v is not None and not math.isnan(v) for v in values)
        row = {**_question_fields(tables, qid),
               "mean_group_rank": float(np.mean(ranks[qid])) if ranks[qid] else None,
               "groups_ranked": len(ranks[qid])}  # fmt: skip
        if complete:
            low_group = min(by_value, key=lambda g: (by_value[g][qid], g))
            row.update(bridging_score=by_value[low_group][qid], bridging_group=low_group)
        else:
            withhold(row, ["bridging_score", "bridging_group"])
        rows.append(row)
    key = "bridging_score" if filters.method == "bridging" else "mean_group_rank"
    ordered = sorted(
        rows,
        key=lambda r: (
            r[key] is None,
            (-(r[key] or 0)) if key == "bridging_score" else (r[key] or 0),
            -r["groups_ranked"],
            r["question_id"],
        ),
    )
    for i, row in enumerate(ordered, start=1):
        row["balanced_rank"] = i if row[key] is not None else None
    result.rows = ordered
    return result


def question_detail(wh: Warehouse, filters: Filters, k: int) -> dict[str, Any]:
    """One question across rounds (its trend) for the drill-down panel."""
    if not filters.question:
        raise FilterError("question is required")
    out: dict[str, Any] = {"question_id": filters.question, "rounds": []}
    for rnd in list_rounds(wh):
        tables = load_tables(wh, rnd, filters.without("topic"), filters.group_dims(), k)
        if filters.question not in tables.measures:
            continue
        cell = tables.axes.index(**{d: getattr(filters, d) for d in filters.group_dims()})
        if tables.voters_hidden[cell] or tables.voters[cell] == 0:
            continue
        out["rounds"].append({"round": rnd.__dict__,
                              **score_cell(tables, rnd, filters.question, cell, k)})  # fmt: skip
    return out


def question_trend(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """One question's support in every round that asked it, for the voters filtered.

    Support is the share who picked or ranked it (pick, rank rounds) or rated it
    4 or 5 (rate rounds), with its Wilson interval; each round's cell is
    protected exactly as in that round's priorities chart with the same filters.
    """
    detail = question_detail(wh, filters, k)
    snap = wh.snapshot()
    columns = ["round_id", "round", "method", "base", "supporters", "support",
               "support_low", "support_high"]  # fmt: skip
    result = new_result("question-trend", f"Support for {filters.question} across rounds",
                        "share who chose it (pick, rank) or rated it 4-5 (rate), 95% Wilson",
                        filters, snap, k, columns, {"base", "supporters"})  # fmt: skip
    for entry in detail["rounds"]:
        rnd = entry["round"]
        vote = vote_method(rnd["method"])
        share = vote.support_score
        # base: the people support is a share of (voters, or raters where voters are not served)
        names = {vote.support_base: "base", vote.support_count: "supporters",
                 share.field: "support", share.low: "support_low",
                 share.high: "support_high"}  # fmt: skip
        row = {"round_id": rnd["round_id"], "round": rnd["name"], "method": rnd["method"],
               **{new: entry.get(old) for old, new in names.items()}}  # fmt: skip
        gone = set(entry.get("suppressed", ()))
        withheld = [new for old, new in names.items() if old in gone]
        if withheld:
            withhold(row, withheld)
        result.rows.append(row)
    if not result.rows:
        result.message = (f"Nothing to show for {filters.question}: it was in no round, or "
                          "this group is withheld to protect privacy.")  # fmt: skip
    return result
