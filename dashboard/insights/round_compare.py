"""Priorities compared across rounds and across groups, from rows already protected.

Both charts are built only from what `priorities`, `priorities-by-group` and
`priorities-balanced` serve for the same voters: every rank here has passed
disclosure control there, and a rank withheld there is withheld here. Nothing
is computed from raw counts, so these charts add no new way to work out a
small group.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights import priorities as pr
from dashboard.insights.result import ChartResult, new_result, withhold

TOP = 10  # a James Lind Alliance shortlist compares each group's top ten
MOVERS = 3  # the largest movers the summary names and the figure colours
RANKS = ["rank", "rank_low", "rank_high"]


def round_shifts(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each question's rank in every round that asked it, for the voters filtered.

    A round's rows are its `priorities` rows (default score, same filters), so a
    rank and its interval are exactly the ones that chart serves. `status_in_round`
    says whether the question was new, kept from the round before, or returned
    after a gap; `move` is how many places it rose (+) or fell (-) since the
    round before, where both ranks are served.
    """
    columns = ["question_id", "title", "round_id", "round", "score", "score_value", *RANKS,
               "tier", "status_in_round", "move", "rounds_in", "in_latest_round"]  # fmt: skip
    result = new_result("round-shifts", "Shifts in priorities between rounds",
                        "rank by each round's default score, with its rank interval",
                        filters, wh.snapshot(), k, columns, set())  # fmt: skip
    shown: list[tuple[pr.Round, list[dict[str, Any]]]] = []
    withheld_rounds = []
    for rnd in pr.list_rounds(wh):
        ranked = pr.priorities(wh, replace(filters, round=rnd.round_id, method=None), k)
        if ranked.message:
            withheld_rounds.append(rnd.round_id)  # a small group and an empty one alike
        elif ranked.rows:
            shown.append((rnd, [_shift_row(rnd, ranked.method, r) for r in ranked.rows]))
    result.context["rounds_withheld"] = withheld_rounds
    if not shown:
        result.message = pr.TOO_FEW if withheld_rounds else "No round asked these questions."
        return result
    _mark_changes(shown)
    latest_round, latest = shown[-1]
    previous = shown[-2][1] if len(shown) > 1 else []
    now = {r["question_id"] for r in latest}
    status = {s: [r["question_id"] for r in latest if r["status_in_round"] == s and previous]
              for s in ("new", "returned")}  # fmt: skip
    movers = sorted((r for r in latest if r["move"]),
                    key=lambda r: (-abs(r["move"]), r["question_id"]))  # fmt: skip
    result.context.update(
        rounds=[rnd.round_id for rnd, _ in shown],
        latest=latest_round.round_id,
        previous=shown[-2][0].round_id if len(shown) > 1 else None,
        **status,  # in rank order, as is `dropped` (by its rank in the round before)
        dropped=[r["question_id"] for r in previous if r["question_id"] not in now],
        movers=[r["question_id"] for r in movers[:MOVERS]],
    )
    result.rows = [row for _, rows in shown for row in rows]
    return result


def _shift_row(rnd: pr.Round, score: str, row: dict[str, Any]) -> dict[str, Any]:
    """One question in one round: its served rank and interval, or all three withheld."""
    out = {"question_id": row["question_id"], "title": row.get("title"),
           "round_id": rnd.round_id, "round": rnd.name, "score": score,
           "score_value": row.get(pr.SCORE_FIELDS[score][0]), "rank": row.get("rank"),
           "rank_low": row.get("rank_best"), "rank_high": row.get("rank_worst"),
           "tier": row.get("tier")}  # fmt: skip
    if out["rank"] is None:
        withhold(out, [*RANKS, "score_value", "tier"])
    return out


def _mark_changes(shown: list[tuple[pr.Round, list[dict[str, Any]]]]) -> None:
    """Status against the round before, the move in rank, and how many rounds asked it."""
    seen: set[str] = set()
    previous: dict[str, dict[str, Any]] = {}
    rounds_in: dict[str, int] = {}
    for _, rows in shown:
        for row in rows:
            rounds_in[row["question_id"]] = rounds_in.get(row["question_id"], 0) + 1
    latest = {r["question_id"] for r in shown[-1][1]}
    for _, rows in shown:
        for row in rows:
            qid = row["question_id"]
            before = previous.get(qid)
            row["status_in_round"] = ("kept" if before else "returned" if qid in seen
                                      else "new")  # fmt: skip
            both = before and before["rank"] is not None and row["rank"] is not None
            row["move"] = before["rank"] - row["rank"] if both else None
            row["rounds_in"] = rounds_in[qid]
            row["in_latest_round"] = qid in latest
        seen |= {r["question_id"] for r in rows}
        previous = {r["question_id"]: r for r in rows}


def group_top(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each group's top ten beside the stakeholder-balanced top ten.

    Groups are those of `priorities-by-group` (by role unless `compare` says
    otherwise), each ranked by the round's default score among its served
    scores; "combined" is `priorities-balanced` (mean of within-group ranks).
    `in_combined_top` flags what a group's top ten shares with the combined one,
    so a question one group cares about and the combined ranking cuts shows up.
    """
    plain = replace(filters, method=None)
    rnd, tables, dim = pr._compare_tables(wh, plain, k)
    shown = pr._groups(tables, dim, plain)
    scores = pr._group_scores(tables, rnd, shown, k) if len(shown) > 1 else None  # read once
    groups = pr.by_group_of(wh, plain, k, rnd, tables, dim, scores)
    combined = pr.balanced_of(wh, replace(plain, method="balanced"), k, rnd, tables, dim, scores)
    score = rnd.vote.default_score
    columns = ["group", "rank", "question_id", "title", "in_combined_top", "combined_rank",
               "score", "score_value"]  # fmt: skip
    title = f"Each group's top {TOP} beside the combined top {TOP}: {rnd.name}"
    method = f"top {TOP} by {score} within each group; combined: stakeholder-balanced"
    result = new_result("group-top", title, method, filters, wh.snapshot(), k, columns, set())
    result.context.update(round=rnd.__dict__, groups=groups.context.get("groups", []),
                          compare=dim)  # fmt: skip
    if groups.message or combined.message:
        result.message = groups.message or combined.message
        return result
    rows = group_top_rows(groups.rows, combined.rows, score)
    result.rows = rows
    result.context["left_out"] = left_out(rows)
    return result


def group_top_rows(group_rows: list[dict[str, Any]], balanced_rows: list[dict[str, Any]],
                   score: str, top: int = TOP) -> list[dict[str, Any]]:  # fmt: skip
    """Rows of each group's top `top` by `score`, then the combined top `top`.

    Pure over protected rows: a group ranks only its served scores (as
    `priorities` does), and the combined rank is `balanced_rank` as served.
    """
    combined_rank = {r["question_id"]: r.get("balanced_rank") for r in balanced_rows}
    in_top = {q for q, rank in combined_rank.items() if rank is not None and rank <= top}
    field = pr.SCORE_FIELDS[score][0]
    out: list[dict[str, Any]] = []
    groups = list(dict.fromkeys(r["group"] for r in group_rows))
    for group in groups:
        mine = [dict(r) for r in group_rows if r["group"] == group]
        for row in pr.rank_rows(mine, score):
            if row["rank"] is None or row["rank"] > top:
                continue
            out.append(_top_row(group, row["rank"], row, combined_rank, in_top, score,
                                row.get(field)))  # fmt: skip
    best = sorted((r for r in balanced_rows if r["question_id"] in in_top),
                  key=lambda r: r["balanced_rank"])  # fmt: skip
    for row in best:
        out.append(_top_row("combined", row["balanced_rank"], row, combined_rank, in_top,
                            "mean_group_rank", row.get("mean_group_rank")))  # fmt: skip
    return out


def _top_row(group: str, rank: int, row: dict[str, Any], combined_rank: dict[str, Any],
             in_top: set[str], score: str, value: Any) -> dict[str, Any]:  # fmt: skip
    qid = row["question_id"]
    out = {"group": group, "rank": rank, "question_id": qid, "title": row.get("title"),
           "in_combined_top": qid in in_top, "combined_rank": combined_rank.get(qid),
           "score": score, "score_value": value}  # fmt: skip
    if not in_top:  # the combined ranking is withheld as a whole: no flag either way
        withhold(out, ["combined_rank", "in_combined_top"])
    elif out["combined_rank"] is None:  # every group's balance score of it is withheld
        withhold(out, ["combined_rank"])
    return out


def left_out(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per group, the questions in its top ten that the combined top ten leaves out."""
    out: dict[str, list[str]] = {}
    for row in rows:
        if row["group"] != "combined" and row["in_combined_top"] is False:
            out.setdefault(row["group"], []).append(row["question_id"])
    return out
