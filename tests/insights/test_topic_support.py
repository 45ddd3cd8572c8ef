"""Topics by interest: a topic's support pools its questions' served counts, never more."""

from __future__ import annotations

import pytest

from dashboard.engine import Engine
from dashboard.insights.stats import wilson
from dashboard.insights.vote_methods import vote_method


@pytest.mark.parametrize("args", [{"round": "R1"}, {"round": "R2"}, {"round": "R3"},
                                  {"round": "R1", "role": "person_with_ms"},
                                  {"round": "R3", "age_band": "40-49"}])  # fmt: skip
def test_a_topic_pools_the_served_support_of_its_questions(engine: Engine, args: dict) -> None:
    topics = engine.run("topics", args)
    ranking = engine.run("priorities", args)
    vote = vote_method(ranking.context["round"]["method"])
    by_topic: dict[str, list] = {}
    for row in ranking.rows:
        by_topic.setdefault(row["topic"], []).append(vote.support(row))
    checked = 0
    for row in topics.rows:
        pairs = by_topic.get(row["topic"], [])
        if not pairs or any(p is None for p in pairs) or ranking.message:
            assert row["support"] is None and "support" in row["suppressed"], row
            continue
        x, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        assert (row["supporters"], row["base"]) == (x, n)
        assert row["support"] == pytest.approx(x / n)
        assert (row["support_low"], row["support_high"]) == pytest.approx(wilson(x, n))
        checked += 1
    if args == {"round": "R3"}:
        assert checked, "the whole network's rate round serves some topic"
