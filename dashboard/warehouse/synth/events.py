"""The network's own events (events.csv): a monthly newsletter, campaigns, results webinars.

What staff would list beside the rounds: the research newsletter goes out early each month
(its day drawn from the seed), the two recruitment campaigns are the months when
`join_weights` makes sign-ups jump, and each round's results are presented in a webinar a
few weeks after it closes. Labels are short, as a chart label must be.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.warehouse.synth.common import LAST, MONTHS, START, day_of
from dashboard.warehouse.synth.rounds import ROUNDS

# (first day, last day, label): the months join_weights bumps (2019-03, 2023-10).
CAMPAIGNS = (
    ("2019-03-01", "2019-03-31", "MS Awareness Month drive"),
    ("2023-10-02", "2023-10-27", "Partner clinics campaign"),
)
WEBINAR_AFTER = 21  # days after a round closes


def events_frame(rng: np.random.Generator) -> pd.DataFrame:
    """One row per event: day numbers (end -1 for a one-day event), label and kind."""
    rows: list[tuple[int, int, str, str]] = []
    for first in MONTHS[:-1]:
        day = int(first) + int(rng.integers(2, 8))  # the first week, not the first day
        if START <= day <= LAST:
            month = pd.Timestamp(int(first), unit="D")
            rows.append((day, -1, f"{month:%B %Y} newsletter", "newsletter"))
    for start, end, label in CAMPAIGNS:
        rows.append((day_of(start), day_of(end), label, "campaign"))
    for r in ROUNDS:
        day = r.closes + WEBINAR_AFTER + int(rng.integers(0, 7))
        if day <= LAST:
            name = r.name.split(":", 1)[0]
            rows.append((day, -1, f"Results webinar: {name}", "webinar"))
    rows.sort()
    return pd.DataFrame(rows, columns=["day", "end", "label", "kind"])
