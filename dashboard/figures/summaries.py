"""One sentence per chart: the finding in words, what a screen reader hears instead of it.

Every surface (page, embed, slide headline, alt text) uses the same sentence.
"""

from __future__ import annotations

from typing import Any

from dashboard import words
from dashboard.figures.chart_figures import date_span, events_in_window, round_short_name
from dashboard.figures.geo import summarize_countries
from dashboard.insights.result import WITHHELD, ChartResult
from dashboard.insights.vote_methods import SCORES, SHARE

# Said when a group is shown but every question's score in it is withheld.
ALL_WITHHELD = f"Every question's score is {WITHHELD} to protect privacy."


def _people(value: Any, phrase: str) -> str:
    """ "1,234 members", or "members: withheld" (never a number for a withheld count)."""
    return f"{phrase}: {WITHHELD}" if value is None else f"{value:,} {phrase}"


def headlines(result: ChartResult) -> str:
    by = {r["measure"]: r for r in result.rows}
    members, active = by.get("members"), by.get("active_90_days")
    if not (members and active):
        return result.title
    return (f"{_people(members['value'], 'members')}; "
            f"{_people(active['value'], 'active in the last 90 days')}.")  # fmt: skip


def priorities(result: ChartResult) -> str:
    """The finding in words: which question comes first for whom, how clearly, what is hidden."""
    chosen = SCORES.get(result.method, SHARE)
    if result.message:
        return result.message
    served = [r for r in result.rows if r.get("rank")]
    if not served:
        return ALL_WITHHELD
    top = served[0]
    value = top[chosen.field]
    shown = f"{value:.0%} {SAID[chosen.name]}" if chosen.percent else \
        f"{SAID[chosen.name]} {value:.2f}"  # fmt: skip
    tied = [r for r in served if r.get("tier") == 1]
    group = words.who(result.filters)
    first = "comes first among the questions that can be shown" if len(served) < len(
        result.rows) else "comes first"  # fmt: skip
    text = f"Among {group}, {words.quoted(top.get('title'))} {first} ({shown})"
    if len(tied) > 1:
        text += f"; {len(tied) - 1} more {'is' if len(tied) == 2 else 'are'} statistically " \
                "tied with it"  # fmt: skip
    else:
        text += (
            ", clearly ahead of the others shown"
            if len(served) < len(result.rows)
            else ", clearly ahead of the rest"
        )
    text += "."
    if len(served) < len(result.rows):
        text += (f" {len(result.rows) - len(served)} of {len(result.rows)} questions are "
                 f"{WITHHELD} to protect privacy.")  # fmt: skip
    return text


# How each score reads after its value in a sentence.
SAID = {"share": "chose it", "mean": "mean rating", "points": "Borda points per voter"}


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
        return text + ("no difference holds after correction for the number of comparisons "
                       f"({others} other group{'s' if others != 1 else ''}).")  # fmt: skip
    text += (f"{len(held)} difference{'s' if len(held) != 1 else ''} hold"
             f"{'' if len(held) != 1 else 's'} after correction for the number of comparisons. "
             "Largest: ")  # fmt: skip
    parts = [f"{name(r['group'])} {'more' if r['difference'] > 0 else 'less'} on "
             f"{words.quoted(r.get('title'), 60)} ({r['difference'] * 100:+.0f} points)"
             for r in held[:2]]  # fmt: skip
    return text + "; ".join(parts) + "."


def balanced(result: ChartResult) -> str:
    if result.message:
        return result.message
    top = next((r for r in result.rows if r.get("balanced_rank") == 1), None)
    groups = ", ".join(result.context.get("groups", []))
    return f"Balanced across {groups}; first: {top['question_id'] if top else 'none'}."


def topics(result: ChartResult) -> str:
    served = [r for r in result.rows if r.get("support") is not None]
    if not served:
        if result.message:
            return result.message
        if result.rows:
            return f"Support by topic is {WITHHELD} to protect privacy."
        return "No votes to show for this selection."
    top = max(served, key=lambda r: (r["support"], r["topic"]))
    text = (f"Among {words.who(result.filters)}, questions on {words.quoted(top['topic'])} drew "
            f"the most support ({top['support']:.0%} of voter-question pairs, 95% interval "
            f"{top['support_low']:.0%}-{top['support_high']:.0%}).")  # fmt: skip
    if len(served) < len(result.rows):
        text += f" {len(result.rows) - len(served)} of {len(result.rows)} topics are {WITHHELD}."
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
    return f"{q['question_id']}: {q['title']} ({q['topic']}, {q['status']}); {project}."


def question_trend(result: ChartResult) -> str:
    served = [r for r in result.rows if r.get("support") is not None]
    question = result.filters.question or "This question"
    return result.message or (
        f"{question} was in {len(result.rows)} rounds; support can be shown for {len(served)}"
        + (f", latest {served[-1]['support']:.0%} in {served[-1]['round_id']}." if served else ".")
    )


def projects(result: ChartResult) -> str:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    parts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
    return f"{len(result.rows)} projects: {parts}."


def enrollment(result: ChartResult) -> str:
    if result.filters.project:
        enrolled = next((r for r in result.rows if r["stage"] == "enrolled"), None)
        shown = enrolled and enrolled.get("members")
        if not shown:
            return (f"{result.filters.project}: the number enrolled is {WITHHELD} to protect "
                    "privacy, or the study is not yet open.")  # fmt: skip
        target = enrolled.get("target_enrollment")
        return (f"{result.filters.project}: {shown:,} members enrolled"
                + (f" of a target of {target:,}." if target else "."))  # fmt: skip
    served = [r for r in result.rows if r["stage"] == "enrolled" and r.get("members")]
    total = sum(r["members"] for r in served)
    return f"{len(served)} projects have enrolled members that can be shown ({total:,} in all)."


def accrual(result: ChartResult) -> str:
    return f"Accrual of {len({r['project_id'] for r in result.rows})} projects by month."


def _latest(result: ChartResult, field: str, phrase: str) -> str:
    role = result.filters.role or "all"
    series = [r for r in result.rows if r.get("role") == role and r.get(field)]
    if not series:
        return result.title
    last = series[-1]
    who = "members" if role == "all" else f"members ({role.replace('_', ' ')})"
    return f"{last[field]:,} {who} {phrase} {last['month']}."


def _with_round(sentence: str, result: ChartResult) -> str:
    """The sentence, then the latest round the chart shades, if any: a jump near it has a cause.

    "... Rounds are shaded; the latest shown, 2026 priorities, ran 1–30 Apr 2026."
    """
    _, _, inside = events_in_window(result)
    rounds = [e for e in inside if e["kind"] == "round"]
    if not rounds:
        return sentence
    last = rounds[-1]
    ran = date_span(last["starts_on"], last["ends_on"])
    return (f"{sentence.rstrip('.')}. Rounds are shaded; the latest shown, "
            f"{round_short_name(last)}, ran {ran}.")  # fmt: skip


def members(result: ChartResult) -> str:
    return _with_round(_latest(result, "members", "as of"), result)


def new_members(result: ChartResult) -> str:
    return f"Members who joined each month; a gap is a month {WITHHELD} to protect privacy."


def active_members(result: ChartResult) -> str:
    return _with_round(_latest(result, "active", "active in"), result)


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
        return result.message or "No questions yet."
    by = {r["step"]: r for r in result.rows}
    total = sum(r["questions"] for r in result.rows)
    steps = ", ".join(f"{r['questions']:,} {r['label'].lower()}" for r in result.rows)
    studied = by["in_study"]["questions"] + by["results_shared"]["questions"]
    archived = result.context.get("archived", 0)
    return (f"{total:,} questions: {steps}; {studied:,} led to a study"
            + (f" ({archived:,} more archived)." if archived else "."))  # fmt: skip


def _ids(ids: list[str], most: int = 5) -> str:
    """ "Q1, Q2", or "none", or the first few "and 15 more" (a sentence, not a table)."""
    if not ids:
        return "none"
    more = f" and {len(ids) - most} more" if len(ids) > most else ""
    return ", ".join(ids[:most]) + more


def round_shifts(result: ChartResult) -> str:
    if result.message:
        return result.message
    ctx = result.context
    latest, previous = ctx.get("latest"), ctx.get("previous")
    repeated = {r["question_id"] for r in result.rows if (r.get("rounds_in") or 0) > 1}
    n, rounds = len(repeated), len(ctx.get("rounds", []))
    head = f"{n} question{'s were' if n != 1 else ' was'} in more than one of {rounds} rounds"
    if previous is None:
        return f"{head}; only {latest} can be shown, so there is nothing to compare."
    rows = {(r["round_id"], r["question_id"]): r for r in result.rows}
    moves = []
    for qid in ctx.get("movers", []):
        now, before = rows[(latest, qid)], rows[(previous, qid)]
        clear = now["rank_high"] < before["rank_low"] or now["rank_low"] > before["rank_high"]
        moves.append(f"{qid} {'rose' if now['move'] > 0 else 'fell'} from {before['rank']} to "
                     f"{now['rank']}" + (" (rank intervals apart)" if clear else ""))  # fmt: skip
    gone = ctx.get("rounds_withheld") or []
    withheld = f" Rounds {WITHHELD} for this group: {_ids(gone)}." if gone else ""
    new, dropped = _ids(ctx.get("new", [])), _ids(ctx.get("dropped", []))
    back = f"; back from an earlier round: {_ids(ctx['returned'])}" if ctx.get("returned") else ""
    return (f"{head}. From {previous} to {latest}, largest movers: {_ids(moves)}. "
            f"New in {latest}: {new}{back}; dropped: {dropped}.{withheld}")  # fmt: skip


def group_top(result: ChartResult) -> str:
    if result.message:
        return result.message
    groups = ", ".join(result.context.get("groups", []))
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
    named = "; ".join(f"{q} (top 10 of {', '.join(g)})" for q, g in out.items())
    return f"Left out of the combined top 10 but in a group's top 10: {named}."


def consensus(result: ChartResult) -> str:
    if result.message:
        return result.message
    ctx = result.context
    groups = ctx.get("groups") or []
    counts = {name: len(ctx.get(f"reach_{name}", [])) for name in
              ("every", "some", "none", "undetermined")}  # fmt: skip
    everyone = [r for r in result.rows if r["group"] == "all"]
    ins = [r["question_id"] for r in everyone if r.get("status") == "in"]
    outs = [r["question_id"] for r in everyone if r.get("status") == "out"]
    head = (f"Consensus ({ctx.get('high')}% / {ctx.get('low')}% rule) among all raters: "
            f"in for {_ids(ins)}; out for {_ids(outs)}")  # fmt: skip
    if groups:
        where = (f"{counts['every']} of {len(everyone)} questions reach consensus in every "
                 f"group ({', '.join(groups)}), {counts['some']} in some, {counts['none']} in "
                 "none")  # fmt: skip
    else:
        where = (f"{counts['every']} of {len(everyone)} questions reach consensus, "
                 f"{counts['none']} do not")  # fmt: skip
    open_ = f"; {counts['undetermined']} {WITHHELD}" if counts["undetermined"] else ""
    hidden = (f" No group of {ctx['compare']} can be shown: {WITHHELD} to protect privacy."
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
            f"consensus status changed for {len(changed)} ({_ids(changed)})")  # fmt: skip
    shares = f"the share rating it 4-5 clearly moved for {len(clear)} ({_ids(clear)})"
    open_ = f"; {len(unknown)} {WITHHELD}" if unknown else ""
    verdict = ("another round could still change the picture" if changed
               else "no status that can be shown changed" if unknown
               else "the picture looks stable")  # fmt: skip
    return f"{head}{open_}; {shares}: {verdict}."
