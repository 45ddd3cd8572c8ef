"""The export contract of ../shared/EXPORT_FORMAT.md, as data.

Only the columns listed here are ever read from an export: anything else
(e-mail addresses, names, postal codes, ...) is dropped before it reaches a
table, and reported by name as a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "date", "timestamp", "int", "year", "enum", "url"]

ROLES = ("person_with_ms", "caregiver", "other")
MS_TYPES = ("RRMS", "SPMS", "PPMS", "CIS", "unknown")
SEXES = ("female", "male", "other", "undisclosed")
QUESTION_STATUSES = (
    "submitted",
    "in_discussion",
    "shortlisted",
    "in_study",
    "answered",
    "archived",
)
ROUND_METHODS = ("pick", "rank", "rate")
RATE_SCALE = (1, 5)  # votes.value of a `rate` round: lowest and highest rating
PROJECT_KINDS = ("survey", "observational", "clinical_trial", "participant_driven")
PROJECT_STATUSES = (
    "in_development",
    "open_for_participation",
    "in_progress",
    "completed",
    "results_available",
)
PARTNER_TYPES = ("academic", "industry", "nonprofit", "network")
STAGES = ("invited", "screened", "eligible", "consented", "enrolled", "completed", "withdrawn")
ACTIVITY_KINDS = (
    "login",
    "survey_completed",
    "question_submitted",
    "vote",
    "comment",
    "enrollment",
)
# events.csv (optional; an extension of EXPORT_FORMAT.md, documented in the README): things
# the network did that the time-series charts mark beside the rounds.
EVENT_KINDS = ("newsletter", "campaign", "webinar", "other")
EVENT_LABEL_CHARS = 60  # a label is drawn on a chart: longer ones are refused, not cut
# Columns that name or reach a person. Files about the network, not its members
# (`FileSpec.about_people=False`), refuse them outright instead of dropping them.
PERSON_COLUMNS = re.compile(
    r"member|e_?mail|phone|user|account|person|patient|(first|last|full|given|sur)_?name"
    r"|birth|postal|zip|street|address|ip_?addr"
)


@dataclass(frozen=True)
class Column:
    """One allow-listed column: whether a value is required and what it must look like."""

    name: str
    kind: Kind
    required: bool
    values: tuple[str, ...] = ()
    unique: bool = False
    references: str | None = None  # "file.column" that must contain the value


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of an export.

    `optional`: a missing file is no problem (its table is empty). `about_people`: False
    for a file about the network itself (events), which must carry no column that could
    name a person, so such a column stops the build instead of being dropped.
    """

    name: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    optional: bool = False
    about_people: bool = True

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: Kind, required: bool = False, **kw: object) -> Column:
    return Column(name, kind, required, **kw)  # type: ignore[arg-type]


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "members",
        (
            _c("member_id", "id", True, unique=True),
            _c("joined_on", "date", True),
            _c("role", "enum", True, values=ROLES),
            _c("ms_type", "enum", values=MS_TYPES),
            _c("diagnosis_year", "year"),
            _c("birth_year", "year"),
            _c("sex", "enum", values=SEXES),
            _c("country", "text"),
            _c("region", "text"),
            _c("consent_withdrawn_on", "date"),
        ),
    ),
    FileSpec(
        "questions",
        (
            _c("question_id", "id", True, unique=True),
            _c("submitted_on", "date", True),
            _c("submitted_by_role", "enum", values=ROLES),
            _c("topic", "text", True),
            _c("title", "text", True),
            _c("status", "enum", True, values=QUESTION_STATUSES),
            _c("project_id", "id", references="projects.project_id"),
        ),
    ),
    FileSpec(
        "rounds",
        (
            _c("round_id", "id", True, unique=True),
            _c("name", "text", True),
            _c("opens_on", "date", True),
            _c("closes_on", "date", True),
            _c("method", "enum", True, values=ROUND_METHODS),
            _c("max_choices", "int"),
        ),
    ),
    FileSpec(
        "votes",
        (
            _c("round_id", "id", True, references="rounds.round_id"),
            _c("question_id", "id", True, references="questions.question_id"),
            _c("member_id", "id", True, references="members.member_id"),
            _c("cast_at", "timestamp", True),
            _c("value", "int", True),
        ),
    ),
    FileSpec(
        "comments",
        (
            _c("question_id", "id", True, references="questions.question_id"),
            _c("member_id", "id", True, references="members.member_id"),
            _c("posted_at", "timestamp", True),
        ),
    ),
    FileSpec(
        "projects",
        (
            _c("project_id", "id", True, unique=True),
            _c("title", "text", True),
            _c("kind", "enum", True, values=PROJECT_KINDS),
            _c("status", "enum", True, values=PROJECT_STATUSES),
            _c("partner_type", "enum", values=PARTNER_TYPES),
            _c("started_on", "date"),
            _c("closes_on", "date"),
            _c("target_enrollment", "int"),
            _c("origin_question_id", "id", references="questions.question_id"),
            _c("results_url", "url"),
        ),
    ),
    FileSpec(
        "enrollments",
        (
            _c("project_id", "id", True, references="projects.project_id"),
            _c("member_id", "id", True, references="members.member_id"),
            _c("stage", "enum", True, values=STAGES),
            _c("occurred_on", "date", True),
        ),
    ),
    FileSpec(
        "activity",
        (
            _c("member_id", "id", True, references="members.member_id"),
            _c("occurred_on", "date", True),
            _c("kind", "enum", True, values=ACTIVITY_KINDS),
        ),
    ),
    FileSpec(
        "events",
        (
            _c("event_date", "date", True),
            _c("end_date", "date"),  # empty for a one-day event
            _c("label", "text", True),
            _c("kind", "enum", True, values=EVENT_KINDS),
        ),
        optional=True,
        about_people=False,
    ),
)

FILES_BY_NAME = {f.name: f for f in FILES}
