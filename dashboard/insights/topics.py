"""Per-topic activity and the question-to-study trail."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import numpy as np

from dashboard import words
from dashboard.db import Warehouse
from dashboard.filters import GROUP_VALUES, Filters
from dashboard.insights.disclosure import Hierarchy, primary, protect_with_increments
from dashboard.insights.earlier_releases import previous_body
from dashboard.insights.priorities import load_tables, resolve_round, score_cell
from dashboard.insights.result import ChartResult, new_result, withhold
from dashboard.insights.stats import wilson
from dashboard.warehouse.release import held

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discussion:
    """Comments and commenters per question and per topic, with what is withheld."""

    question: dict[str, tuple[int, int, bool, bool]]  # comments, commenters, hidden x2
    topic: dict[str, tuple[int, int, bool, bool]]
    # Comments last served per "q|<question>", "t|<topic>" and "all" (this release's where
    # it serves them, else an earlier release's): what the next release compares with.
    last: dict[str, int] = field(default_factory=dict)


# Its name in the build's published results (dashboard/insights/publication.py).
PUBLISHED_AS = "discussion"


def discussion(wh: Warehouse, k: int) -> Discussion:
    """The build's protected discussion counts (computed here only for another k)."""

    def found() -> Discussion:
        return published_discussion(wh, k) or compute_discussion(wh, k)

    return wh.remember(("discussion", k), found)


def encode_discussion(found: Discussion) -> str:
    """The discussion counts and decisions as the publication stores them (JSON)."""
    return json.dumps({"question": found.question, "topic": found.topic, "last": found.last})


def previous_discussion(wh: Warehouse, k: int) -> Discussion | None:
    """The discussion counts the previous release published for k (before withholding);
    None in a first release."""
    body, _ = previous_body(wh, PUBLISHED_AS, k)
    return None if body is None else _discussion_from(body)


def decode_discussion(body: str) -> Discussion:
    """The inverse of `encode_discussion`."""
    return _discussion_from(json.loads(body))


def _discussion_from(data: dict) -> Discussion:
    return Discussion(question={q: tuple(v) for q, v in data["question"].items()},
                      topic={t: tuple(v) for t, v in data["topic"].items()},
                      last={key: int(v) for key, v in data.get("last", {}).items()})  # fmt: skip


def published_discussion(wh: Warehouse, k: int) -> Discussion | None:
    """The discussion the build published for k, if any."""
    if wh.building:
        return None
    stored, _ = wh.run_named("published_result", {"chart": PUBLISHED_AS, "key": "none", "k": k})
    if stored.empty:
        return None
    return decode_discussion(str(stored["body"].iloc[0]))


def compute_discussion(wh: Warehouse, k: int) -> Discussion:
    """Discussion counts for every question and topic, protected once for all views.

    Comments add up: a topic's comments are its questions' comments, and all
    topics add up to every comment, so they are protected on one axis holding
    questions, topics and the total (a Hierarchy): no withheld count can be
    recovered from a topic total or from the other questions. Commenters are
    people counted once per question or topic; they do not add up to any
    served total (a member who comments on two questions counts in both), so
    a count of 1..k-1 is withheld and nothing else is needed. Always computed
    over every question, whatever the filters, so every view agrees.

    Counted to the end of the last complete month from monthly rollups that later
    releases keep (release.py), so they never go down. Comments are served as counted,
    or withheld where they are 1..k-1 above what an earlier release last served
    (`_protect_comments`); commenters, which add up to nothing, are served as the
    previous release served them unless they moved by 0 or at least k (`held`).
    """
    params = {f"by_{d}": False for d in GROUP_VALUES} | {"topic": None}
    cells, _ = wh.run_named("comment_cells", params)
    questions = wh.run_static("questions", {"topic": None})
    topic_of = dict(zip(questions["question_id"], questions["topic"], strict=True))
    per_q = cells.groupby("question_id")[["comments", "commenters"]].sum()
    qids = sorted(per_q.index)
    names = sorted({str(topic_of.get(q)) for q in qids})
    n_q = len(qids)
    members = [[i for i, q in enumerate(qids) if str(topic_of.get(q)) == t] for t in names]
    # A topic with one question is that question's count: the same cell, not a second
    # one that could be withheld differently.
    position, sets = [], [frozenset({i}) for i in range(n_q)]
    for part in members:
        if len(part) == 1:
            position.append(part[0])
        else:
            position.append(len(sets))
            sets.append(frozenset(part))
    sets.append(frozenset(range(n_q)))
    comments = np.zeros(len(sets), dtype=np.int64)
    for i, q in enumerate(qids):
        comments[i] = int(per_q.loc[q, "comments"])
    levels = (tuple(range(n_q)), tuple(position), (len(sets) - 1,))
    q_people = [int(per_q.loc[q, "commenters"]) for q in qids]
    # A topic's commenters are distinct members: per-question counts cannot be added.
    distinct = wh.run_static("topic_commenters", {})
    t_people = [int(distinct.loc[distinct["topic"] == t, "commenters"].sum()) for t in names]
    # Across releases: commenters (per question and topic) are served as the previous
    # release served them unless they moved by 0 or at least k.
    before, kept = previous_discussion(wh, k), []

    def hold(new: int, old: tuple | None, at: int, name: str) -> int:
        value = new if before is None else held(new, None if old is None else old[at], k)
        if value != new:
            kept.append(name)
        return value

    if before is not None:
        for i, q in enumerate(qids):
            q_people[i] = hold(q_people[i], before.question.get(q), 1, f"{q} commenters")
        t_people = [hold(n, before.topic.get(t), 1, f"topic {t!r} commenters")
                    for t, n in zip(names, t_people, strict=True)]  # fmt: skip
    if kept:
        log.info("discussion: %d counts moved by 1 to %d since the previous release and are "
                 "served as it served them: %s", len(kept), k - 1, ", ".join(kept))  # fmt: skip
    for j, part in enumerate(members):
        comments[position[j]] = comments[part].sum()
    comments[-1] = comments[:n_q].sum()
    keys = [f"q|{q}" for q in qids] + [""] * (len(sets) - n_q - 1) + ["all"]
    for j, t in enumerate(names):
        if position[j] >= n_q:
            keys[position[j]] = f"t|{t}"
    last = _last_served(before)
    # A question or topic nobody has commented on is served as 0 (the question trail, the
    # topics chart): kept as last served at 0, so a topic whose only commented question gets
    # a second one is compared with that question's count plus 0, not with nothing (it was
    # compared with 0 and served 1 to k-1 above the count it had been served at before).
    for q in topic_of:
        if q not in per_q.index:
            last[f"q|{q}"] = 0
    for t in {str(v) for v in topic_of.values()} - set(names):
        last[f"t|{t}"] = 0
    # A topic compared with nothing before (it had one question, stored as that question's
    # count): the sum of its questions' last served counts, where they all have one.
    base = dict(last)
    for j, part in enumerate(members):
        key = keys[position[j]]
        questions = [f"q|{qids[i]}" for i in part]
        if key.startswith("t|") and key not in base and all(q in base for q in questions):
            base[key] = sum(base[q] for q in questions)
    hidden = _protect_comments(comments, keys, base, k,
                               Hierarchy(axis=0, sets=tuple(sets), levels=levels))  # fmt: skip
    for i, key in enumerate(keys):
        if not hidden[i]:
            last[key] = int(comments[i])
    # A topic with one commented question is served as that question's count: its last
    # served value is the question's (not a value kept from when it had none).
    for j, part in enumerate(members):
        if len(part) == 1:
            served = last.get(f"q|{qids[part[0]]}")
            if served is None:
                last.pop(f"t|{names[j]}", None)
            else:
                last[f"t|{names[j]}"] = served
    q_hidden = primary(np.array(q_people, dtype=np.int64), k)
    t_hidden = primary(np.array(t_people, dtype=np.int64), k)
    return Discussion(
        question={q: (int(comments[i]), q_people[i], bool(hidden[i]), bool(q_hidden[i]))
                  for i, q in enumerate(qids)},
        topic={t: (int(comments[position[j]]), t_people[j], bool(hidden[position[j]]),
                   bool(t_hidden[j])) for j, t in enumerate(names)},
        last=dict(sorted(last.items())),
    )  # fmt: skip


def _last_served(before: Discussion | None) -> dict[str, int]:
    """Comments an earlier release last served (a release before `last` was kept: its
    served values)."""
    if before is None:
        return {}
    if before.last:
        return dict(before.last)
    out = {f"q|{q}": v[0] for q, v in before.question.items() if not v[2]}
    return out | {f"t|{t}": v[0] for t, v in before.topic.items() if not v[2]}


def _protect_comments(comments: np.ndarray, keys: list[str], last: dict[str, int], k: int,
                      hierarchy: Hierarchy) -> np.ndarray:  # fmt: skip
    """Withheld comment counts: where small, and where 1..k-1 above what an earlier release
    last served (`protect_with_increments`, on the question/topic/total axis)."""
    base = np.array([last.get(key, 0) for key in keys], dtype=np.int64)
    return protect_with_increments(comments, np.maximum(comments - base, 0), k, hierarchy)


def topics(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Per topic: questions in the round, votes from the filtered voters, comments.

    A topic's votes add up its questions' counts, so the total is served only
    when none of them is withheld: then it adds nothing to the priorities view.
    Comments are network-wide (all rounds, all members), to the end of the last complete
    month, and move between releases only by 0 or at least k (`compute_discussion`).
    """
    rnd = resolve_round(wh, filters.round)
    dims = filters.group_dims()
    tables = load_tables(wh, rnd, filters, dims, k)
    cell = tables.axes.index(**{d: getattr(filters, d) for d in dims})
    share = rnd.vote.support_score
    result = new_result("topics", f"Support by topic among {words.who(filters)}: {rnd.name}",
                     f"{share.axis_title}, pooled over the topic's questions (95% Wilson); "
                     "votes = member-question choices in the round; comments = to the end of the "
                     "last complete month",
                     filters, tables.snapshot, k,
                     ["topic", "questions", "support", "support_low", "support_high",
                      "supporters", "base", "votes", "comments", "commenters"],
                     {"supporters", "base", "votes", "comments", "commenters"})  # fmt: skip
    result.context["round"] = rnd.__dict__
    group_hidden = bool(tables.voters_hidden[cell]) or tables.voters[cell] == 0
    by_topic: dict[str, list[str]] = {}
    for q in tables.questions.itertuples():
        by_topic.setdefault(q.topic, []).append(q.question_id)
    talk = discussion(wh, k).topic
    names = sorted(set(by_topic) | ({filters.topic} & set(talk) if filters.topic else set(talk)))
    rows = []
    for topic in names:
        qids = by_topic.get(topic, [])
        counts = [int(tables.measures[q]["voters"][cell]) for q in qids]
        flags = [bool(tables.hidden(q, "voters", k)[(*cell, 0)]) for q in qids]
        n_comments, n_people, c_hidden, p_hidden = talk.get(topic, (0, 0, False, False))
        row = {"topic": topic, "questions": len(qids), "votes": sum(counts),
               "comments": n_comments, "commenters": n_people}  # fmt: skip
        row.update(_support(tables, rnd, qids, cell, k, group_hidden))
        withheld = [n for n in SUPPORT if row[n] is None]
        # A topic's votes are served only as a sum of served question counts: with
        # any withheld, the total minus other filters' totals exposed small groups.
        if group_hidden or any(flags) or 0 < sum(counts) < k:
            withheld.append("votes")
        if c_hidden:
            withheld.append("comments")
        if p_hidden:
            withheld.append("commenters")
        if withheld:
            withhold(row, withheld)
        rows.append(row)
    result.rows = rows
    return result


SUPPORT = ("support", "support_low", "support_high", "supporters", "base")


def _support(tables, rnd, qids: list[str], cell: tuple, k: int, hidden: bool) -> dict:
    """How strongly the topic's questions were supported: of every (voter, question) pair
    in the topic, the share who chose it (pick, rank) or rated it 4-5 (rate).

    A sum of the questions' served counts, so served only when none of them is withheld
    (rule 5); a topic with more questions does not score higher for it, unlike votes.
    """
    pairs = [] if hidden else [rnd.vote.support(score_cell(tables, rnd, q, cell, k))
                               for q in qids]  # fmt: skip
    if not pairs or any(p is None for p in pairs):
        return dict.fromkeys(SUPPORT)
    x, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    low, high = wilson(x, n)
    return {"support": x / n, "support_low": low, "support_high": high,
            "supporters": int(x), "base": int(n)}  # fmt: skip


def question_trail(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each question's status and the project it led to, with that project's status."""
    df, snap = wh.run_static("questions", {"topic": filters.topic}), wh.snapshot()
    if filters.question:
        df = df[df["question_id"] == filters.question]
    talk = discussion(wh, k).question
    columns = [*df.columns, "comments", "commenters"]
    result = new_result("question-trail", "From question to study",
                        "one row per question; comments and commenters to the end of the last "
                        "complete month",
                        filters, snap, k, columns, {"comments", "commenters"})  # fmt: skip
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    for row in rows:
        comments, people, c_hidden, p_hidden = talk.get(row["question_id"], (0, 0, False, False))
        row.update(comments=comments, commenters=people)
        withheld = [n for n, h in (("comments", c_hidden), ("commenters", p_hidden)) if h]
        if withheld:
            withhold(row, withheld)
    result.rows = rows
    return result
