"""One sentence per chart: the finding in words, what a screen reader hears instead of it.

Every surface (page, embed, slide headline, alt text) uses the same sentence. The public
charts' sentences are whole messages in the reader's language (dashboard/i18n.py), with
`{placeholders}` a translator can move; member-written text goes in as written.
"""

from __future__ import annotations

from typing import Any

from dashboard import words
from dashboard.figures.chart_figures import (
    date_span,
    events_in_window,
    role_name,
    round_short_name,
)
from dashboard.figures.charts import chart_title, count, decimal, english, pct, plain, who
from dashboard.figures.dumbbell import COMPARED_SCORES, how_many
from dashboard.figures.geo import summarize_countries
from dashboard.filters import GROUP_LABELS, FilterError
from dashboard.i18n import N_, _, date, ngettext
from dashboard.insights.result import WITHHELD, ChartResult
from dashboard.insights.two_groups import score_name
from dashboard.insights.vote_methods import SCORES, SHARE, Score, vote_method

# Said when a group is shown but every question's score in it is withheld.
ALL_WITHHELD = N_("Every question's score is withheld to protect privacy.")


def _people(value: Any, phrase: str) -> str:
    """ "1,234 members", or "members: withheld" (never a number for a withheld count)."""
    return f"{phrase}: {WITHHELD}" if value is None else f"{value:,} {phrase}"


def headlines(result: ChartResult) -> str:
    """ "6,000 members; 812 active in October 2026.": the period is the row's own."""
    by = {r["measure"]: r for r in result.rows}
    members, active = by.get("members"), by.get("active_last_month")
    if not (members and active):
        return result.title
    period = active["label"].removeprefix("Active ")  # "in October 2026"
    who = _people(members["value"], "members")
    return f"{who}; {_people(active['value'], 'active ' + period)}."


def priorities(result: ChartResult) -> str:
    """The finding in words: which question comes first for whom, how clearly, what is hidden."""
    chosen = SCORES.get(result.method, SHARE)
    if result.message:
        return _(result.message)
    served = [r for r in result.rows if r.get("rank")]
    if not served:
        return _(ALL_WITHHELD)
    top = served[0]
    more = sum(1 for r in served if r.get("tier") == 1) - 1  # tied with the first
    every = len(served) == len(result.rows)
    if more > 0 and every:
        text = ngettext(
            "Among {group}, {question} comes first ({score}); {n} more is statistically tied "
            "with it.",
            "Among {group}, {question} comes first ({score}); {n} more are statistically tied "
            "with it.", more)  # fmt: skip
    elif more > 0:
        text = ngettext(
            "Among {group}, {question} comes first among the questions that can be shown "
            "({score}); {n} more is statistically tied with it.",
            "Among {group}, {question} comes first among the questions that can be shown "
            "({score}); {n} more are statistically tied with it.", more)  # fmt: skip
    elif every:
        text = _("Among {group}, {question} comes first ({score}), clearly ahead of the rest.")
    else:
        text = _("Among {group}, {question} comes first among the questions that can be shown "
                 "({score}), clearly ahead of the others shown.")  # fmt: skip
    text = text.format(group=who(result.filters), question=words.quoted(top.get("title")),
                       score=_score_said(chosen, top[chosen.field]), n=plain(more))  # fmt: skip
    if not every:
        hidden = len(result.rows) - len(served)
        text += " " + ngettext(
            "{n} of {total} questions are withheld to protect privacy.",
            "{n} of {total} questions are withheld to protect privacy.", hidden,
        ).format(n=plain(hidden), total=plain(len(result.rows)))  # fmt: skip
    return text


def _score_said(chosen: Score, value: float) -> str:
    """A score as a sentence says it: "61% chose it", "mean rating 4.50"."""
    if chosen.name == "mean":
        return _("mean rating {value}").format(value=decimal(value))
    if chosen.name == "points":
        return _("Borda points per voter {value}").format(value=decimal(value))
    return _("{value} chose it").format(value=pct(value))


# Kept under its old name: tests and the benchmark call it.
priorities_summary = priorities


def by_group(result: ChartResult) -> str:
    """Which groups differ from the reference, on which questions, in words."""
    if result.message:
        return result.message
    dim = result.context.get("compare")
    name = (lambda g: words.in_sentence(dim, g)) if dim else str
    groups = result.context.get("groups", [])
    held = sorted((r for r in result.rows if r.get("significant")),
                  key=lambda r: -abs(r["difference"]))  # fmt: skip
    if not groups:
        return ALL_WITHHELD
    text = f"Compared with {name(groups[0])}: "
    if not held:
        others = len(groups) - 1
        return text + ("no difference holds after the false-discovery-rate correction for "
                       f"the number of comparisons ({others} other group"
                       f"{'s' if others != 1 else ''}).")  # fmt: skip
    text += (f"{len(held)} difference{'s' if len(held) != 1 else ''} hold"
             f"{'' if len(held) != 1 else 's'} after the false-discovery-rate correction for "
             "the number of comparisons. Largest: ")  # fmt: skip
    parts = [f"{name(r['group'])} {'more' if r['difference'] > 0 else 'less'} on "
             f"{words.quoted(r.get('title'), 60)} ({r['difference'] * 100:+.0f} points)"
             for r in held[:2]]  # fmt: skip
    return text + "; ".join(parts) + "."


def two_groups(result: ChartResult) -> str:
    """How many questions the two groups differ on after the correction, the largest
    difference in words, the score compared, and who and how many."""
    ctx = result.context
    a, b = ctx.get("group_a", ""), ctx.get("group_b", "")
    if result.message:
        gone = ctx.get("withheld_groups") or []
        if gone:
            return f"Cannot compare: {' and '.join(gone)} withheld. {result.message}"
        return result.message
    score = COMPARED_SCORES[ctx["score"]]
    tested = ctx.get("tested", 0)
    held = sorted((r for r in result.rows if r.get("significant")),
                  key=lambda r: (-abs(r["difference"]), r["question_id"]))  # fmt: skip
    both = f"{words.capital(a)} and {b}"
    if not tested:
        text = f"{both}: no question can be compared, its score is withheld in one group."
    else:
        text = (
            f"{both} differ on {len(held)} of {tested} question{'s' if tested != 1 else ''}"
            f" after correcting for {tested} comparison{'s' if tested != 1 else ''}"
            " (false discovery rate, Benjamini-Hochberg)."
        )
    if held:
        top = held[0]
        higher = a if top["difference"] > 0 else b
        question = words.quoted(top.get("title"), 60)
        if score.percent:
            meaning = vote_method(ctx["round"]["method"]).support_meaning
            text += (f" Largest: {higher} more often {meaning.replace(' it', ' ' + question, 1)}"
                     f" ({abs(top['difference']) * 100:+.0f} points).")  # fmt: skip
        else:
            text += (
                f" Largest: {higher} put {question} higher "
                f"({abs(top['difference']):+.2f} on the {score_name(score)})."
            )
    hidden = sum(1 for r in result.rows if r.get("value_a") is None or r.get("value_b") is None)
    if hidden:
        text += (f" {hidden} question{'s are' if hidden != 1 else ' is'} {WITHHELD} in one "
                 "group or both, shown as such.")  # fmt: skip
    said = (
        score.axis_title
        if score.axis_title.startswith("Borda")
        else (score.axis_title[:1].lower() + score.axis_title[1:])
    )
    text += f" Compared on the {said}"
    text += f" ({ctx['fallback']})." if ctx.get("fallback") else "."
    if ctx.get("nested"):
        text += (" One group includes the other: the intervals treat them as two samples, so "
                 "they are wider than they need to be.")  # fmt: skip
    many_a, many_b, noun = how_many(result)
    return text + f" {words.capital(a)}: {many_a} {noun}; {b}: {many_b} {noun}."


def balanced(result: ChartResult) -> str:
    if result.message:
        return result.message
    top = next((r for r in result.rows if r.get("balanced_rank") == 1), None)
    groups = _groups(result)
    return f"Balanced across {groups}; first: {_named([top] if top else [])}."


def topics(result: ChartResult) -> str:
    served = [r for r in result.rows if r.get("support") is not None]
    if not served:
        if result.message:
            return _(result.message)
        if result.rows:
            return _("Support by topic is withheld to protect privacy.")
        return _("No votes to show for this selection.")
    top = max(served, key=lambda r: (r["support"], r["topic"]))
    text = _("Among {group}, questions on {topic} drew the most support ({support} of "
             "voter-question pairs, 95% interval {low}-{high}).").format(
        group=who(result.filters), topic=words.quoted(top["topic"]), support=pct(top["support"]),
        low=pct(top["support_low"]), high=pct(top["support_high"]))  # fmt: skip
    if len(served) < len(result.rows):
        hidden = len(result.rows) - len(served)
        text += " " + ngettext("{n} of {total} topics are withheld.",
                               "{n} of {total} topics are withheld.", hidden).format(
            n=plain(hidden), total=plain(len(result.rows)))  # fmt: skip
    return text


def question_trail(result: ChartResult) -> str:
    if not result.rows:
        return "No such question."
    if len(result.rows) > 1:
        taken = sum(1 for r in result.rows if r.get("project_id"))
        return f"{len(result.rows)} questions; {taken} led to a project."
    q = result.rows[0]
    project = (f"led to project {q.get('project_title') or q['project_id']}"
               if q.get("project_id") else "no project has taken it up yet")  # fmt: skip
    status = str(q["status"]).replace("_", " ")
    return f"{words.quoted(q['title'])} ({q['topic']}, {status}); {project}."


def question_trend(result: ChartResult) -> str:
    served = [r for r in result.rows if r.get("support") is not None]
    question = "This question"  # the panel names it above; no code
    return result.message or (
        f"{question} was in {len(result.rows)} rounds; support can be shown for {len(served)}"
        + (f", latest {served[-1]['support']:.0%} in {served[-1]['round_id']}." if served else ".")
    )


def projects(result: ChartResult) -> str:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    parts = ", ".join(_at_status(s, n) for s, n in counts.items())
    return ngettext("{n} projects: {parts}.", "{n} projects: {parts}.", len(result.rows)).format(
        n=plain(len(result.rows)), parts=parts)  # fmt: skip


def _at_status(status: str, n: int) -> str:
    """ "2 completed": how many projects have a status, in the reader's language."""
    if status == "in_development":
        text = ngettext("{n} in development", "{n} in development", n)
    elif status == "open_for_participation":
        text = ngettext("{n} open for participation", "{n} open for participation", n)
    elif status == "in_progress":
        text = ngettext("{n} in progress", "{n} in progress", n)
    elif status == "completed":
        text = ngettext("{n} completed", "{n} completed", n)
    elif status == "results_available":
        text = ngettext("{n} results available", "{n} results available", n)
    else:  # a status the export adds: as the data has it
        return f"{plain(n)} {status.replace('_', ' ')}"
    return text.format(n=plain(n))


def enrollment(result: ChartResult) -> str:
    project = result.filters.project
    if project:
        enrolled = next((r for r in result.rows if r["stage"] == "enrolled"), None)
        shown = enrolled and enrolled.get("members")
        if not shown:
            return _("{project}: the number enrolled is withheld to protect privacy, or the "
                     "study is not yet open.").format(project=project)  # fmt: skip
        target = enrolled.get("target_enrollment")
        if target:
            return _("{project}: {n} members enrolled of a target of {target}.").format(
                project=project, n=count(shown), target=count(target))  # fmt: skip
        return _("{project}: {n} members enrolled.").format(project=project, n=count(shown))
    served = [r for r in result.rows if r["stage"] == "enrolled" and r.get("members")]
    total = sum(r["members"] for r in served)
    return ngettext("{n} projects have enrolled members that can be shown ({total} in all).",
                    "{n} projects have enrolled members that can be shown ({total} in all).",
                    len(served)).format(n=plain(len(served)), total=count(total))  # fmt: skip


def accrual(result: ChartResult) -> str:
    return f"Accrual of {len({r['project_id'] for r in result.rows})} projects by month."


def _latest(result: ChartResult, field: str) -> str:
    """The latest month's count: "1,234 members as of 2026-10-01" (members), "... active in"."""
    role = result.filters.role or "all"
    series = [r for r in result.rows if r.get("role") == role and r.get(field)]
    if not series:
        return chart_title(result)
    last = series[-1]
    month = str(last["month"]) if english() else date(last["month"], "MMMM 'de' y")
    if role == "all":
        text = (_("{n} members as of {month}.") if field == "members"
                else _("{n} members active in {month}."))  # fmt: skip
    else:
        text = (_("{n} members ({role}) as of {month}.") if field == "members"
                else _("{n} members ({role}) active in {month}."))  # fmt: skip
    named = role.replace("_", " ") if english() else role_name(role)
    return text.format(n=count(last[field]), role=named, month=month)


def _with_round(sentence: str, result: ChartResult) -> str:
    """The sentence, then the latest round the chart shades, if any: a jump near it has a cause.

    "... Rounds are shaded; the latest shown, 2026 priorities, ran 1–30 Apr 2026."
    """
    *_window, inside = events_in_window(result)
    rounds = [e for e in inside if e["kind"] == "round"]
    if not rounds:
        return sentence
    last = rounds[-1]
    return _("{sentence}. Rounds are shaded; the latest shown, {round}, ran {dates}.").format(
        sentence=sentence.rstrip("."), round=round_short_name(last),
        dates=date_span(last["starts_on"], last["ends_on"]))  # fmt: skip


def members(result: ChartResult) -> str:
    return _with_round(_latest(result, "members"), result)


def new_members(result: ChartResult) -> str:
    return _("Members who joined each month; a gap is a month withheld to protect privacy.")


def active_members(result: ChartResult) -> str:
    return _with_round(_latest(result, "active"), result)


def retention(result: ChartResult) -> str:
    return "Share of each join year active later."


def countries(result: ChartResult) -> str:
    return summarize_countries(result.rows)


def rounds(result: ChartResult) -> str:
    latest = result.rows[-1] if result.rows else None
    if latest and latest["voters"] is not None and latest["commenters"] is not None:
        return (f"{latest['round_id']}: {latest['voters']:,} members voted and "
                f"{latest['commenters']:,} commented while it was open.")  # fmt: skip
    return result.title


def pipeline(result: ChartResult) -> str:
    if not result.rows:
        return _(result.message or N_("No questions yet."))
    by = {r["step"]: r for r in result.rows}
    total = sum(r["questions"] for r in result.rows)
    steps = ", ".join(_at_step(r) for r in result.rows)
    studied = by["in_study"]["questions"] + by["results_shared"]["questions"]
    archived = result.context.get("archived", 0)
    if archived:
        text = ngettext(
            "{total} questions: {steps}; {studied} led to a study ({archived} more archived).",
            "{total} questions: {steps}; {studied} led to a study ({archived} more archived).",
            studied)  # fmt: skip
    else:
        text = ngettext(
            "{total} questions: {steps}; {studied} led to a study.",
            "{total} questions: {steps}; {studied} led to a study.",
            studied,
        )
    return text.format(total=count(total), steps=steps, studied=count(studied),
                       archived=count(archived))  # fmt: skip


def _at_step(row: dict[str, Any]) -> str:
    """ "2 prioritized": how many questions are at a step, in the reader's language."""
    n, step = row["questions"], row["step"]
    if step == "submitted":
        text = ngettext("{n} asked", "{n} asked", n)
    elif step == "in_discussion":
        text = ngettext("{n} discussed", "{n} discussed", n)
    elif step == "prioritized":
        text = ngettext("{n} prioritized", "{n} prioritized", n)
    elif step == "in_study":
        text = ngettext("{n} studied", "{n} studied", n)
    elif step == "results_shared":
        text = ngettext("{n} results shared", "{n} results shared", n)
    else:  # a step added later: its label as the data has it
        return f"{count(n)} {_(row['label']).lower()}"
    return text.format(n=count(n))


def _ids(ids: list[str], most: int = 5) -> str:
    """ "Q1, Q2", or "none", or the first few "and 15 more" (a sentence, not a table)."""
    if not ids:
        return "none"
    more = f" and {len(ids) - most} more" if len(ids) > most else ""
    return ", ".join(ids[:most]) + more


def _groups(result: ChartResult, groups: list[str] | None = None) -> str:
    """The groups compared, as people ("people with MS, caregivers", "aged 30-39"), not
    their codes (the result's own groups unless `groups` are given)."""
    dim = result.context.get("compare") or getattr(result.filters, "compare", None)
    shown = result.context.get("groups") or [] if groups is None else groups
    return ", ".join(_group_name(dim, g) for g in shown)


def _group_name(dim: str | None, value: str) -> str:
    """One group in a sentence; its value as the data has it if it has no name."""
    try:
        return words.in_sentence(dim, value) if dim else value
    except (FilterError, KeyError, TypeError, ValueError):
        return value


def _named(rows: list[dict[str, Any]], most: int = 3) -> str:
    """Questions in their own words ("“Can ...?”, “Is ...?” and 4 more"), not their codes:
    a summary is read, and heard by a screen reader (the table has the codes)."""
    return _ids([words.quoted(r.get("title") or r["question_id"], 70) for r in rows], most)


def _by_id(result: ChartResult, ids: list[str]) -> list[dict[str, Any]]:
    """The rows of these question ids (the first of each), in the order given."""
    first: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        first.setdefault(row["question_id"], row)
    return [first.get(q, {"question_id": q}) for q in ids]


def round_shifts(result: ChartResult) -> str:
    if result.message:
        return result.message
    ctx = result.context
    latest, previous = ctx.get("latest"), ctx.get("previous")
    repeated = {r["question_id"] for r in result.rows if (r.get("rounds_in") or 0) > 1}
    n, rounds = len(repeated), len(ctx.get("rounds", []))
    names = {r["round_id"]: round_short_name({"label": r.get("round") or r["round_id"],
                                              "round_id": r["round_id"]})
             for r in result.rows}  # fmt: skip
    head = f"{n} question{'s were' if n != 1 else ' was'} in more than one of {rounds} rounds"
    if previous is None:
        return (f"{head}; only {names.get(latest, latest)} can be shown, so there is nothing "
                "to compare.")  # fmt: skip
    rows = {(r["round_id"], r["question_id"]): r for r in result.rows}
    moves = []
    for qid in ctx.get("movers", []):
        now, before = rows[(latest, qid)], rows[(previous, qid)]
        clear = now["rank_high"] < before["rank_low"] or now["rank_low"] > before["rank_high"]
        moves.append(f"{_named([now])} {'rose' if now['move'] > 0 else 'fell'} from rank "
                     f"{before['rank']} to {now['rank']}"
                     + (" (rank intervals apart)" if clear else ""))  # fmt: skip
    gone = [names.get(r, r) for r in ctx.get("rounds_withheld") or []]
    withheld = f" Rounds {WITHHELD} for this group: {_ids(gone)}." if gone else ""
    new, dropped = _named(_by_id(result, ctx.get("new", []))), _named(
        _by_id(result, ctx.get("dropped", [])))  # fmt: skip
    back = (f"; back from an earlier round: {_named(_by_id(result, ctx['returned']))}"
            if ctx.get("returned") else "")  # fmt: skip
    before_name, latest_name = names.get(previous, previous), names.get(latest, latest)
    return (f"{head}. From {before_name} to {latest_name}, largest movers: {_ids(moves, 3)}. "
            f"New in {latest_name}: {new}{back}; dropped: {dropped}.{withheld}")  # fmt: skip


def group_top(result: ChartResult) -> str:
    if result.message:
        return result.message
    groups = _groups(result)
    if not any(r["group"] != "combined" for r in result.rows):
        return f"Every group's top questions are {WITHHELD} to protect privacy ({groups})."
    if not any(r["group"] == "combined" for r in result.rows):
        return (f"Each group's top 10 ({groups}); the combined ranking is {WITHHELD} to "
                "protect privacy.")  # fmt: skip
    out: dict[str, list[str]] = {}
    for group, ids in result.context.get("left_out", {}).items():
        for qid in ids:
            out.setdefault(qid, []).append(group)
    if not out:
        return f"Every question in a top 10 of {groups} is in the combined top 10."
    named = "; ".join(f"{_named(_by_id(result, [q]))} (top 10 of {_groups(result, g)})"
                      for q, g in out.items())  # fmt: skip
    return f"Left out of the combined top 10 but in a group's top 10: {named}."


def consensus(result: ChartResult) -> str:
    if result.message:
        return result.message
    ctx = result.context
    groups = ctx.get("groups") or []
    counts = {name: len(ctx.get(f"reach_{name}", [])) for name in
              ("every", "some", "none", "undetermined")}  # fmt: skip
    everyone = [r for r in result.rows if r["group"] == "all"]
    ins = [r for r in everyone if r.get("status") == "in"]
    outs = [r for r in everyone if r.get("status") == "out"]
    rule = (f"{ctx.get('high')}% / {ctx.get('low')}% rule" if ctx.get("rule") != "median_iqr"
            else "median rule: in = median rating 4 or more, out = 2 or less, each with an "
            "interquartile range of at most 1")  # fmt: skip
    head = (f"Consensus ({rule}) among all raters: "
            f"in for {_named(ins)}; out for {_named(outs)}")  # fmt: skip
    if groups:
        named = _groups(result)
        where = (f"{counts['every']} of {len(everyone)} questions reach consensus in every "
                 f"group ({named}), {counts['some']} in some, {counts['none']} in "
                 "none")  # fmt: skip
    else:
        where = (f"{counts['every']} of {len(everyone)} questions reach consensus, "
                 f"{counts['none']} do not")  # fmt: skip
    open_ = f"; {counts['undetermined']} {WITHHELD}" if counts["undetermined"] else ""
    hidden = (f" No group by {GROUP_LABELS.get(ctx['compare'], ctx['compare']).lower()} can "
              f"be shown: {WITHHELD} to protect privacy."
              if ctx.get("compare") and not groups else "")  # fmt: skip
    return f"{head}. {where}{open_}.{hidden}"


def consensus_change(result: ChartResult) -> str:
    if result.message:
        return result.message
    ctx = result.context
    before, after = ctx["rounds"]
    changed, unknown = ctx.get("status_changed", []), ctx.get("status_unknown", [])
    n = ctx.get("questions", 0)
    clear = sorted({r["question_id"] for r in result.rows if r.get("change") is not None
                    and (r["change_low"] > 0 or r["change_high"] < 0)})  # fmt: skip
    head = (f"{n} question{'s were' if n != 1 else ' was'} rated in {before} and {after}; "
            f"consensus status changed for {len(changed)} "
            f"({_named(_by_id(result, changed))})")  # fmt: skip
    shares = (f"the share rating it 4-5 clearly moved for {len(clear)} "
              f"({_named(_by_id(result, clear))})")  # fmt: skip
    open_ = f"; {len(unknown)} {WITHHELD}" if unknown else ""
    verdict = ("another round could still change the picture" if changed
               else "no status that can be shown changed" if unknown
               else "the picture looks stable")  # fmt: skip
    return f"{head}{open_}; {shares}: {verdict}."
