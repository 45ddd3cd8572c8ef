"""Plain-language method notes for the public charts, one per chart (the catalogue names it).

A public reader gets these instead of the README: what was asked, who answered, what
a mark and its whisker mean, and why some values are withheld, in at most ~150 words
(tests/public/test_reuse.py counts). No question codes, no "tier", no code paths.
`{k}` is the disclosure threshold. The first sentence is the method in one sentence
(a reuse package's metadata carries it). Pages add WITHHELD_RULE after every note.
Each text is a message id of the Spanish catalog (dashboard/i18n.py): translate it
with `_()` where it is shown.
"""

from __future__ import annotations

from dashboard.i18n import N_

WITHHELD_RULE = N_(
    "To protect members, a count of people under {k} is never shown, nor any number from "
    "which one could be worked out, including by comparing this release with an earlier "
    "one; each such value reads “withheld”, whatever the reason it was withheld."
)

PIPELINE = N_(
    "Each research question asked by members is counted at the step it has reached: "
    "asked, discussed, prioritized in a vote, studied, or answered with results shared. "
    "The bars count questions, not people, so they are shown as they are. “Moved on” "
    "counts the questions that went on from a step to a later one, and the typical time "
    "between steps is the median number of days, given only where enough questions "
    "made that move. Questions that were set aside are counted apart."
)

PRIORITIES = N_(
    "Members chose, ranked or rated the research questions of a prioritization round; "
    "each dot is a question's score among the members shown, and the whisker is its 95% "
    "interval, the range the score would likely fall in if the vote were repeated with "
    "other members like these. Where two whiskers overlap, the order of the two "
    "questions is not certain. Each member's vote counts once, and only members who "
    "took part in the round are counted. The line under the title says who voted and "
    "how many."
)

TOPICS = N_(
    "Each research question belongs to a topic. For each topic, the bar is the share of "
    "all votes on its questions that supported a question (chose it, ranked it, or "
    "rated it important), among the members shown, with a 95% interval as a whisker. "
    "A topic with more questions does not score higher for that alone. The votes and "
    "comments beside each topic are counts of votes and of comments, not of people."
)

PROJECTS = N_(
    "The research projects that came from members' questions, with their status: in "
    "development, recruiting or in progress, or with results available. Each project is "
    "shown once, with the question it answers where there is one. No number of people "
    "is shown here."
)

ENROLLMENT = N_(
    "How many members reached each step of a study's enrollment, from invitation to "
    "enrollment, counted to the end of the last complete month, and how far enrollment "
    "has come towards the study's target. Members are counted once per step they "
    "reached."
)

MEMBERS = N_(
    "How many people were members at the end of each complete month, by the role they "
    "gave when they joined (living with MS, caregiver, or other). Members who left or "
    "withdrew their consent are no longer counted from then on; months already published "
    "keep the numbers they had. Shaded periods are prioritization rounds."
)

ACTIVE_MEMBERS = N_(
    "How many members did something on the platform in each complete month: voted, "
    "commented, suggested a question or took part in a study. A member counts once per "
    "month however much they did. Shaded periods are prioritization rounds, when activity "
    "usually rises."
)


def first_sentence(note: str) -> str:
    """The method in one sentence (metadata.json's `method`)."""
    head, dot, _ = note.partition(". ")
    return head + "." if dot else note
