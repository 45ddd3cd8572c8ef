"""The deck that ships with the app: the network's story, always on the latest snapshot."""

from __future__ import annotations

from dashboard.present.deck import Deck, Slide

STATE_OF_THE_NETWORK = Deck(
    name="State of the network",
    slug="state-of-the-network",
    builtin=True,
    slides=(
        Slide("/participation", "growth", "How the network has grown",
              "Members by role over time; running totals are shown only where safe.", "growth"),
        Slide("/participation", "new-members", "New members this quarter",
              "Compare the last two full quarters; the current one is still running.",
              "new-members"),
        Slide("/participation", "activity", "How active members are",
              "Members who did anything in the month: voting, commenting, studies.", "activity"),
        Slide("/priorities", "ranking", "Our latest priorities",
              "Bars that overlap are statistically tied: read tiers, not single ranks.",
              "priorities"),
        Slide("/priorities", "change", "What changed since the previous round",
              "Support now against the previous round, with 95% intervals for the change.",
              "change"),
        Slide("/projects", "open", "Projects open for participation",
              "Where members can take part now.", "open"),
        Slide("/projects", "enrollment", "Enrollment progress",
              "Members enrolled against each study's target.", "enrollment"),
        Slide("/projects", "results", "Results delivered",
              "Studies that have shared results with the community.", "results"),
    ),
)  # fmt: skip

DEFAULT_DECKS = (STATE_OF_THE_NETWORK,)
