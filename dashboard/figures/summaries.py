"""One-sentence summaries of results: what a screen reader hears instead of the chart."""

from __future__ import annotations

from dashboard.insights.result import ChartResult

SCORE_FIELD = {"share": "share", "points": "mean_points", "mean": "mean_rating"}


def priorities_summary(result: ChartResult) -> str:
    """One sentence a screen reader can use instead of the chart."""
    score = SCORE_FIELD.get(result.method, "share")
    if result.message:
        return result.message
    served = [r for r in result.rows if r.get("rank")]
    if not served:
        return f"No question has enough voters to show (fewer than {result.k})."
    top = served[0]
    tied = [r["question_id"] for r in served if r.get("tier") == 1]
    value = top.get(score)
    return (
        f"{len(served)} of {len(result.rows)} questions can be shown. Top: {top['question_id']} "
        f"({value:.2f}); statistically tied in tier 1: {', '.join(tied)}."
    )
