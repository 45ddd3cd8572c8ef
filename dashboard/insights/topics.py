"""Per-topic activity and the question-to-study trail."""

from __future__ import annotations

import numpy as np

from dashboard.db import Warehouse
from dashboard.filters import GROUP_VALUES, Filters
from dashboard.insights.disclosure import protect, safe_aggregate
from dashboard.insights.priorities import load_tables, resolve_round
from dashboard.insights.result import ChartResult, new_result, withhold


def topics(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Per topic: questions in the round, votes from the filtered voters, comments.

    A topic's votes add up its questions' counts, so the total is served only
    when the questions withheld in the priorities view cannot be recovered
    from it. Comments are network-wide (all rounds, all members).
    """
    rnd = resolve_round(wh, filters.round)
    dims = filters.group_dims()
    tables = load_tables(wh, rnd, filters, dims, k)
    cell = tables.axes.index(**{d: getattr(filters, d) for d in dims})
    result = new_result("topics", f"Topics: questions, votes and discussion ({rnd.name})",
                     "votes = member-question choices in the round; comments = all time",
                     filters, tables.snapshot, k,
                     ["topic", "questions", "votes", "comments", "commenters"],
                     {"votes", "comments", "commenters"})  # fmt: skip
    result.context["round"] = rnd.__dict__
    group_hidden = bool(tables.voters_hidden[cell]) or tables.voters[cell] == 0
    by_topic: dict[str, list[str]] = {}
    for q in tables.questions.itertuples():
        by_topic.setdefault(q.topic, []).append(q.question_id)
    params = {f"by_{d}": False for d in GROUP_VALUES} | {"topic": filters.topic}
    comments, _ = wh.run_named("comment_cells", params)
    qtopic = dict(zip(tables.questions["question_id"], tables.questions["topic"], strict=True))
    all_q = wh.run_static("questions", {"topic": filters.topic})
    qtopic.update(dict(zip(all_q["question_id"], all_q["topic"], strict=True)))
    comments = comments.assign(topic=comments["question_id"].map(qtopic))
    per_topic = comments.groupby("topic")[["comments", "commenters"]].sum()
    names = sorted(set(by_topic) | set(per_topic.index))
    c_vals = np.array([int(per_topic["comments"].get(t, 0)) for t in names], dtype=np.int64)
    p_vals = np.array([int(per_topic["commenters"].get(t, 0)) for t in names], dtype=np.int64)
    c_hidden, p_hidden = protect(c_vals, k), protect(p_vals, k)
    rows = []
    for i, topic in enumerate(names):
        qids = by_topic.get(topic, [])
        counts = [int(tables.measures[q]["voters"][cell]) for q in qids]
        flags = [bool(tables.hidden(q, "voters", k)[(*cell, 0)]) for q in qids]
        row = {"topic": topic, "questions": len(qids), "votes": sum(counts),
               "comments": int(c_vals[i]), "commenters": int(p_vals[i])}  # fmt: skip
        withheld = []
        if group_hidden or not safe_aggregate(counts, flags, k) or 0 < sum(counts) < k:
            withheld.append("votes")
        if c_hidden[i]:
            withheld.append("comments")
        if p_hidden[i]:
            withheld.append("commenters")
        if withheld:
            withhold(row, withheld)
        rows.append(row)
    result.rows = rows
    return result


def question_trail(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each question's status and the project it led to, with that project's status."""
    df, snap = wh.run_named("questions", {"topic": filters.topic})
    if filters.question:
        df = df[df["question_id"] == filters.question]
    result = new_result("question-trail", "From question to study", "one row per question",
                     filters, snap, k, list(df.columns), set())  # fmt: skip
    result.rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return result
