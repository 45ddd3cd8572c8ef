"""Delphi consensus in rate rounds: who rates each question important, who unimportant.

Per question and group, the share of raters giving it 4-5 (important) and 1-2
(unimportant), each with a Wilson 95% interval, and a status under a named
rule (see the README's "Scores"): *in* = at least `high`% rate it important and
under `low`% unimportant; *out* = at least `high`% rate it unimportant and
under `low`% important; *none* otherwise. Thresholds come from the filters
`consensus_high` and `consensus_low` (70 and 15 by default).

The second rule, `consensus_rule=median_iqr`: *in* = median rating at least 4
and interquartile range (q3 - q1) at most 1; *out* = median at most 2 and
interquartile range at most 1; *none* otherwise. Quartiles are Hyndman and Fan's
type 7 (linear interpolation between order statistics: R's default, numpy's
"linear", Excel's QUARTILE.INC). Rows then also carry `median`, `q1`, `q3`.

Counts come from the same protected tables as `priorities` (the `all` rows) and
`priorities-by-group` (each group's rows). Rated 4-5, rated 1-2 and the rest
(rated 3) are one split of raters, protected together (`Tables.hidden`), so
none of them is raters minus the other two. A status read from a withheld
share is withheld with it. The median and quartiles are read from the count of
each rating value: rated 5 and rated 4 are protected as a split nested in rated
4-5, rated 1 and rated 2 in rated 1-2 (`VoteMethod.nested`); the median, the
quartiles and the median rule's status are served only where all five counts
(and the raters) are, and withheld otherwise. The five counts themselves are
not served.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from dashboard.db import Warehouse
from dashboard.filters import CONSENSUS_RULES, Filters
from dashboard.insights import priorities as pr
from dashboard.insights.result import ChartResult, new_result, withhold
from dashboard.insights.stats import newcombe_difference, wilson

STATUSES = ("in", "out", "none")
RULES = CONSENSUS_RULES  # the `consensus_rule` filter's values, default first
QUARTILES = ["median", "q1", "q3"]
IMPORTANT = ["rated_4_or_5", "share_important", "ci_low", "ci_high"]
UNIMPORTANT = ["rated_1_or_2", "share_unimportant", "unimportant_low", "unimportant_high"]
COLUMNS = ["question_id", "title", "topic", "group", "raters", *IMPORTANT, *UNIMPORTANT,
           "status"]  # fmt: skip
COUNTS = {"raters", "rated_4_or_5", "rated_1_or_2"}
# How many questions reach consensus (in or out) in every group shown, in some, in none;
# "undetermined": a withheld status leaves it open.
REACH = ("every", "some", "none", "undetermined")


def rule_name(high: int, low: int, rule: str = "share") -> str:
    """The rule in words, as the response's `method` states it."""
    if rule == "median_iqr":
        return ("median and interquartile range rule: in = median rating at least 4 and "
                "interquartile range (q3 - q1) at most 1; out = median at most 2 and "
                "interquartile range at most 1 (quartiles: Hyndman-Fan type 7, linear "
                "interpolation; shares with 95% Wilson intervals)")  # fmt: skip
    return (f"share rule: in = at least {high}% rate it 4-5 and below {low}% rate it 1-2; "
            f"out = at least {high}% rate it 1-2 and below {low}% rate it 4-5 "
            "(95% Wilson intervals)")  # fmt: skip


def filter_rule(filters: Filters) -> str:
    """The consensus rule asked for (`consensus_rule`), the share rule by default."""
    return filters.consensus_rule or RULES[0]


def quantile(counts: tuple[int, ...], p: float) -> float:
    """The p-quantile of ratings 1..len(counts), given how many gave each rating.

    Hyndman and Fan's type 7: with the n ratings sorted, x[0] <= ... <= x[n-1], and
    h = (n - 1) p, it is x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
    NaN when nobody rated.
    """
    n = sum(counts)
    if n <= 0:
        return math.nan
    h = (n - 1) * p
    lo = math.floor(h)

    def value(i: int) -> int:  # the i-th smallest rating (0-based)
        seen = 0
        for rating, count in enumerate(counts, start=1):
            seen += count
            if i < seen:
                return rating
        raise AssertionError("unreachable")  # pragma: no cover

    a, b = value(lo), value(min(lo + 1, n - 1))
    return a + (h - lo) * (b - a)


def median_status(median: float, q1: float, q3: float) -> str | None:
    """`in`, `out` or `none` under the median and IQR rule; None when nobody rated it."""
    if math.isnan(median):
        return None
    if q3 - q1 <= 1 and median >= 4:
        return "in"
    if q3 - q1 <= 1 and median <= 2:
        return "out"
    return "none"


def status(important: int, unimportant: int, raters: int, high: int, low: int) -> str | None:
    """`in`, `out` or `none` under the share rule; None when nobody rated it.

    Whole-number arithmetic, so a share of exactly 70% is "at least 70%".
    """
    if raters <= 0:
        return None
    if important * 100 >= high * raters and unimportant * 100 < low * raters:
        return "in"
    if unimportant * 100 >= high * raters and important * 100 < low * raters:
        return "out"
    return "none"


def consensus(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Consensus per question for everyone filtered (`all`), and per group with `compare`."""
    rnd = pr.resolve_round(wh, filters.round)
    high, low = filters.consensus_thresholds()
    rule = filter_rule(filters)
    columns = COLUMNS if rule == "share" else [*COLUMNS[:-1], *QUARTILES, COLUMNS[-1]]
    result = new_result("consensus", f"Consensus on importance: {rnd.name}",
                        rule_name(high, low, rule), filters, wh.snapshot(), k, columns,
                        COUNTS)  # fmt: skip
    result.context.update(round=rnd.__dict__, high=high, low=low, groups=[])
    if rule != "share":  # the share rule's context stays as it was
        result.context["rule"] = rule
    measures = rnd.vote.importance
    if measures is None:
        result.message = (
            f"Consensus applies to rounds where members rate questions; {rnd.round_id} is a "
            f"{rnd.method} round. Pick a rate round."
        )
        return result
    dims = filters.group_dims()
    tables = pr.load_tables(wh, rnd, filters, dims, k)
    result.build_id, result.as_of = tables.snapshot.build_id, tables.snapshot.as_of
    cell = tables.axes.index(**{d: getattr(filters, d) for d in dims})
    if tables.voters[cell] == 0 or tables.voters_hidden[cell]:
        result.message = pr.TOO_FEW  # an empty group reads as a small one
        return result
    rows = _rows(tables, measures, cell, "all", (rule, high, low), k)
    groups: list[str] = []
    if filters.compare:
        _, compared, dim = pr._compare_tables(wh, filters, k)
        for value, gcell in pr._groups(compared, dim, filters):
            groups.append(value)
            rows += _rows(compared, measures, gcell, value, (rule, high, low), k)
        result.context["compare"] = dim
    result.context["groups"] = groups
    result.rows = sorted(rows, key=lambda r: (r["question_id"], r["group"] != "all"))
    result.context.update(reach(result.rows, groups or ["all"]))
    return result


def _rows(tables: pr.Tables, measures: tuple[str, str], cell: tuple, group: str,
          rule: tuple[str, int, int], k: int) -> list[dict[str, Any]]:  # fmt: skip
    """Every question of the table in one group (`_row`), its cell read once per measure."""
    at = {m: i for i, m in enumerate(pr.MEASURES)}
    flags = {m: tables.hidden_at(m, cell, k) for m in ("voters", *measures)}
    counts = tables.counts_at(cell)
    values: list[tuple[int, ...] | None] = [None] * len(counts)
    if rule[0] == "median_iqr":
        values = _values(tables, counts, cell, k)
    return [
        _row(tables, qid, group, (int(c[at["voters"]]), int(c[at[measures[0]]]),
                                  int(c[at[measures[1]]])),
             tuple(flags[m][i] for m in ("voters", *measures)), rule, values[i])
        for i, (qid, c) in enumerate(zip(tables.measures, counts, strict=True))
    ]  # fmt: skip


def _values(tables: pr.Tables, counts: list[list[int]], cell: tuple,
            k: int) -> list[tuple[int, ...] | None]:  # fmt: skip
    """Per question, how many rated it 1, 2, 3, 4, 5 in one cell; None unless all are served.

    Served means: the raters, every outcome of the three-way split (rated 4-5, 1-2, 3)
    and both parts of each nested split (rated 5 / 4 within 4-5, rated 1 / 2 within
    1-2) are unwithheld. Only then may anything computed from them be served.
    """
    at = {m: i for i, m in enumerate(pr.MEASURES)}
    masks = [tables.hidden_at("voters", cell, k)]
    masks += [tables.hidden_at("top2", cell, k, j) for j in range(3)]
    masks += [tables.hidden_at(part, cell, k, j) for part, _ in tables.vote.nested
              for j in range(2)]  # fmt: skip
    out: list[tuple[int, ...] | None] = []
    for i, c in enumerate(counts):
        if any(m[i] for m in masks):
            out.append(None)
            continue
        raters, top2, bottom2 = (int(c[at[m]]) for m in ("voters", "top2", "bottom2"))
        top1, bottom1 = int(c[at["top1"]]), int(c[at["bottom1"]])
        out.append((bottom1, bottom2 - bottom1, raters - top2 - bottom2, top2 - top1, top1))
    return out


def _row(tables: pr.Tables, qid: str, group: str, counts: tuple[int, int, int],
         hidden: tuple[bool, bool, bool], rule: tuple[str, int, int],
         values: tuple[int, ...] | None = None) -> dict[str, Any]:  # fmt: skip
    """One question in one group: both shares with intervals, the status, what is withheld.

    `counts`: raters, rated 4-5, rated 1-2 in the group's cell; `hidden`: whether
    disclosure control withholds each of them. `rule`: (rule, high, low); under the
    median rule, `values` are the served counts of each rating (None: withheld).
    """
    name, high, low = rule
    raters, top, bottom = counts
    info = tables.question_info().get(qid, {})
    row: dict[str, Any] = {"question_id": qid, "title": info.get("title"),
                           "topic": info.get("topic"), "group": group,
                           "raters": raters}  # fmt: skip
    for names, count in ((IMPORTANT, top), (UNIMPORTANT, bottom)):
        low_ci, high_ci = wilson(count, raters)
        share = count / raters if raters else math.nan
        row.update(zip(names, (count, share, low_ci, high_ci), strict=True))
    if name == "share":
        row["status"] = status(top, bottom, raters, high, low)
        if hidden[0]:
            withhold(row, ["raters", *IMPORTANT, *UNIMPORTANT, "status"])
            return row
        gone = [*(IMPORTANT if hidden[1] else []), *(UNIMPORTANT if hidden[2] else [])]
        if gone:
            withhold(row, [*gone, "status"])
        return row
    quartiles = [quantile(values, p) for p in (0.5, 0.25, 0.75)] if values else [math.nan] * 3
    row.update(zip(QUARTILES, quartiles, strict=True))
    row["status"] = median_status(*quartiles) if values else None
    gone = ["raters", *IMPORTANT, *UNIMPORTANT] if hidden[0] else [
        *(IMPORTANT if hidden[1] else []), *(UNIMPORTANT if hidden[2] else [])]  # fmt: skip
    if values is None:
        gone += [*QUARTILES, "status"]
    if gone:
        withhold(row, gone)
    return row


def reach(rows: list[dict[str, Any]], groups: list[str]) -> dict[str, Any]:
    """Questions reaching consensus (in or out) in every group shown, some, none, or unknown.

    A group where nobody rated the question does not count; a withheld status
    leaves the question undetermined unless the served ones already say "some".
    """
    by: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["group"] in groups:
            by.setdefault(row["question_id"], []).append(row)
    out: dict[str, list[str]] = {f"reach_{name}": [] for name in REACH}
    for qid, found in by.items():
        asked = [r for r in found if r.get("raters") != 0]
        withheld = sum(1 for r in asked if "status" in r.get("suppressed", ()))
        reached = sum(1 for r in asked if r["status"] in ("in", "out"))
        missed = sum(1 for r in asked if r["status"] == "none")
        if reached and missed:
            kind = "some"
        elif withheld or not asked:
            kind = "undetermined"
        else:
            kind = "every" if reached else "none"
        out[f"reach_{kind}"].append(qid)
    return out


CHANGE_COLUMNS = ["question_id", "title", "group", "round_before", "round_after",
                  "share_before", "share_after", "change", "change_low", "change_high",
                  "status_before", "status_after", "status_changed"]  # fmt: skip
CHANGE = ["change", "change_low", "change_high"]


def rate_rounds(wh: Warehouse, upto: str | None) -> list[pr.Round]:
    """Rate rounds with votes, oldest first, up to the asked round (all of them if none)."""
    rounds = [r for r in pr.list_rounds(wh) if r.vote.importance is not None]
    if upto is None:
        return rounds
    pr.resolve_round(wh, upto)  # an unknown round is a clear error
    ids = [r.round_id for r in rounds]
    return rounds[: ids.index(upto) + 1] if upto in ids else []


def consensus_change(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Stability between two successive rate rounds, from the `consensus` rows of each.

    For questions rated in both (the asked round, or the latest rate round, and
    the rate round before it), the change in the share rating it 4-5 with
    Newcombe's hybrid Wilson interval, and whether the consensus status changed.
    Every number is read from rows `consensus` serves for the same filters, so a
    value withheld there is withheld here.
    """
    high, low = filters.consensus_thresholds()
    result = new_result("consensus-change", "Consensus between successive rate rounds",
                        "change in the share rating it 4-5, 95% Newcombe hybrid Wilson; "
                        + rule_name(high, low, filter_rule(filters)), filters, wh.snapshot(),
                        k, CHANGE_COLUMNS, set())  # fmt: skip
    rounds = rate_rounds(wh, filters.round)
    result.context.update(high=high, low=low, groups=[], rounds=[])
    if len(rounds) < 2:
        result.message = ("Stability needs two successive rate rounds"
                          + (f" up to {filters.round}" if filters.round else "")
                          + "; there is at most one.")  # fmt: skip
        return result
    before_round, after_round = rounds[-2], rounds[-1]
    result.context["rounds"] = [before_round.round_id, after_round.round_id]
    before = consensus(wh, replace(filters, round=before_round.round_id), k)
    after = consensus(wh, replace(filters, round=after_round.round_id), k)
    if before.message or after.message:
        result.message = after.message or before.message
        return result
    result.context["groups"] = [g for g in after.context["groups"]
                                if g in before.context["groups"]]  # fmt: skip
    earlier = {(r["question_id"], r["group"]): r for r in before.rows}
    for now in after.rows:
        then = earlier.get((now["question_id"], now["group"]))
        if then is not None:
            result.rows.append(_change_row(before_round, after_round, then, now))
    changed = [r for r in result.rows if r["status_changed"]]
    result.context.update(
        questions=len({r["question_id"] for r in result.rows}),
        status_changed=sorted({r["question_id"] for r in changed}),
        status_unknown=sorted(
            {r["question_id"] for r in result.rows if r["status_changed"] is None}
        ),
    )
    return result


def _change_row(before: pr.Round, after: pr.Round, then: dict[str, Any],
                now: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """One question in one group: both rounds' served shares and statuses, and the change."""
    row: dict[str, Any] = {"question_id": now["question_id"], "title": now.get("title"),
                           "group": now["group"], "round_before": before.round_id,
                           "round_after": after.round_id,
                           "share_before": then.get("share_important"),
                           "share_after": now.get("share_important"),
                           "status_before": then.get("status"),
                           "status_after": now.get("status")}  # fmt: skip
    gone_then, gone_now = set(then.get("suppressed", ())), set(now.get("suppressed", ()))
    counts = [(r.get("rated_4_or_5"), r.get("raters")) for r in (now, then)]
    if all(x is not None and n for x, n in counts):
        (x1, n1), (x2, n2) = counts
        row.update(zip(CHANGE, newcombe_difference(x1, n1, x2, n2), strict=True))
    else:
        row.update(dict.fromkeys(CHANGE))
    unknown = "status" in gone_then or "status" in gone_now
    row["status_changed"] = (None if unknown or None in (row["status_before"],
                                                         row["status_after"])
                             else row["status_before"] != row["status_after"])  # fmt: skip
    withheld = []
    pairs = (("share_important", "share"), ("status", "status"))
    for gone, side in ((gone_then, "before"), (gone_now, "after")):
        withheld += [f"{new}_{side}" for old, new in pairs if old in gone]
    if "share_important" in gone_then | gone_now:
        withheld += CHANGE
    if unknown:
        withheld.append("status_changed")
    if withheld:
        withhold(row, withheld)
    return row
