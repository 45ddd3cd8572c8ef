"""The chart catalogue: every chart declared once, read by every surface.

A declaration says where the chart's data comes from, how it is drawn and
said in one sentence, which page and place it lives on, which filters it takes
(and which of them the public may use), and what a slide of it can show.
Pages, embeds, slides, the data API and `publish` all read this; none keeps a
list of its own, and tests/test_catalogue.py walks every entry on every surface.
To add a chart, see "How to add a chart" in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from dashboard import notes
from dashboard.figures import chart_figures as fig
from dashboard.figures import summaries as say
from dashboard.filters import CONSENSUS_DEFAULTS, GROUP_DIMS
from dashboard.i18n import N_
from dashboard.insights import (
    consensus,
    headlines,
    participation,
    pipeline,
    priorities,
    projects,
    round_compare,
    topics,
    two_groups,
)
from dashboard.insights.result import ChartResult
from dashboard.insights.vote_methods import CROSS_GROUP_RANKINGS
from dashboard.present import slides

if TYPE_CHECKING:
    from dashboard.db import Warehouse
    from dashboard.filters import Filters

Builder = Callable[["Warehouse", "Filters", int], ChartResult]
FigureBuilder = Callable[[ChartResult, fig.Size], go.Figure]
Summary = Callable[[ChartResult], str]
Args = Mapping[str, Any]


@dataclass(frozen=True)
class SlideSpec:
    """One thing a slide of a chart can show: its `focus` key, a label, and how.

    `render` is None for the plain slide: the chart's figure, its summary as the
    headline and the chart's footnote.
    """

    focus: str
    label: str
    render: slides.SlideRenderer | None = None


@dataclass(frozen=True)
class AlsoShown:
    """A second card of the same rows on the chart's page (e.g. joiners beside members)."""

    dom: str
    figure: FigureBuilder
    summary: Summary


@dataclass(frozen=True)
class Published:
    """A chart the build publishes as finished results (dashboard/insights/publication.py).

    `keys` are the filters whose every allowed value (and none) is a result of its
    own, because they change what is protected; `view` picks a result's rows for the
    other filters (a window of months, one project, one role's lines), which only
    select rows and so are views of it, never new computations.
    """

    keys: tuple[str, ...] = ()
    view: Callable[[Warehouse, list[dict[str, Any]], Filters], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class ChartSpec:
    """One chart id with everything every surface needs.

    `place` is where on its page the card goes ("main", or "question" inside the
    question panel); `when` says whether the page shows it for these query
    values; `ignores` are page values the card does not pass on (the topics card
    is how a topic is picked, so it always shows every topic). `view_args` is
    what its page needs in the URL to show it; `card` names a card kind other
    than a figure ("numbers", "board", "question"). `public` lists the coarse
    filters an embed may use, or is None for a researcher-only chart. `published`
    says how the build publishes its results; charts without it read the build's
    protected priority tables (dashboard/insights/tables.py). `note` is the public
    chart's method note in plain words (required when `public` is set).
    """

    id: str
    title: str
    data: Builder
    figure: FigureBuilder
    summary: Summary
    page: str
    filters: tuple[str, ...]
    slides: tuple[SlideSpec, ...]
    public: tuple[str, ...] | None = None
    place: str = "main"
    when: Callable[[Args], bool] = lambda args: True
    ignores: tuple[str, ...] = ()
    view_args: Mapping[str, str] = field(default_factory=dict)
    card: str = "chart"
    dom: str = ""
    footnote: str = ""
    also_on: tuple[str, ...] = ()
    more: tuple[AlsoShown, ...] = ()
    published: Published | None = None
    # Its rows are questions a reader can open (a click on a dot, or a link per question
    # under the chart for keyboards and screen readers).
    opens_questions: bool = False
    # A public chart's plain-language method note (dashboard/notes.py; `{k}` is k).
    note: str = ""
    # Which of its public views a release keeps for good (releases.py): "always" (what
    # later releases cannot move by 1..k-1: complete months, study funnels, questions),
    # "closed_rounds" (a round's view only once the round has closed), or "never".
    keep: str = "always"

    @property
    def dom_id(self) -> str:
        """The prefix of the card's DOM ids (callbacks listen to `<dom_id>-graph`)."""
        return self.dom or self.id

    @property
    def needs_question(self) -> bool:
        return "question" in self.filters and "round" not in self.filters

    def page_args(self, args: Args) -> dict[str, Any]:
        """The page's query values this chart takes."""
        return {k: v for k, v in args.items()
                if k in self.filters and k not in self.ignores and v not in (None, "")}  # fmt: skip


def _cross_group(args: Args) -> bool:
    return args.get("method") in CROSS_GROUP_RANKINGS


def _consensus_asked(args: Args) -> bool:
    """The consensus card shows when its rule is in the URL (a rate round is not known here)."""
    return any(args.get(name) for name in CONSENSUS_FILTERS)


G = GROUP_DIMS
# The consensus rule (share or median_iqr) and the share rule's thresholds.
CONSENSUS_FILTERS = (*CONSENSUS_DEFAULTS, "consensus_rule")
PUBLIC_GROUPS = ("role", "ms_course")
CENSUS = "Counts of everyone, not a sample: no sampling interval applies."
INTERVALS = ("Whiskers are 95% intervals (Wilson for shares, t for means and points); "
             "questions in the same tier are statistically tied.")  # fmt: skip

CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "headlines", "The network at a glance, with change", headlines.headlines,
        fig.headlines, say.headlines, "/", (), card="numbers", footnote=CENSUS,
        published=Published(),
        slides=(SlideSpec("headlines", "Headline numbers", slides.overview),),
    ),
    ChartSpec(
        "pipeline", N_("From question to result: the five steps"), pipeline.pipeline,
        fig.pipeline, say.pipeline, "/", (), public=(), published=Published(), note=notes.PIPELINE,
        footnote="Counts of questions, not of people: exact. Archived questions are apart.",
        slides=(SlideSpec("pipeline", "The five steps from question to result"),),
    ),
    ChartSpec(
        "priorities", N_("Research priorities of a round"), priorities.priorities,
        fig.priorities, say.priorities, "/priorities", ("round", "topic", "method", *G),
        public=("round", *PUBLIC_GROUPS), when=lambda a: not _cross_group(a), footnote=INTERVALS,
        also_on=("/",), opens_questions=True, note=notes.PRIORITIES, keep="closed_rounds",
        slides=(SlideSpec("ranking", "Ranked questions with 95% intervals", slides.ranking),
                SlideSpec("change", "What changed since the previous round", slides.change)),
    ),
    ChartSpec(
        "round-shifts", "Shifts in priorities between rounds", round_compare.round_shifts,
        fig.round_shifts, say.round_shifts, "/priorities", ("topic", *G),
        when=lambda a: not (a.get("compare") or _cross_group(a)),
        footnote="Rank by each round's own default score; whiskers are rank intervals. "
        "The largest movers into the latest round are in colour.",
        slides=(SlideSpec("shifts", "How priorities shifted between rounds"),),
    ),
    ChartSpec(
        "priorities-balanced", "Stakeholder-balanced priorities and bridging scores",
        priorities.balanced, fig.balanced, say.balanced, "/priorities",
        ("round", "topic", "compare", "method", *G), when=_cross_group, dom="balanced",
        view_args={"method": "balanced"},
        footnote="Each group weighs the same, whatever its size.",
        slides=(SlideSpec("balanced", "Ranked across groups, each group weighing the same"),),
    ),
    ChartSpec(
        "priorities-by-group", "Priorities compared between groups", priorities.by_group,
        fig.by_group, say.by_group, "/priorities", ("round", "topic", "compare", *G),
        when=lambda a: bool(a.get("compare")) and not _cross_group(a), dom="compare",
        view_args={"compare": "voter_group"},
        footnote="Share with 95% interval; * marks a difference that holds after "
        "Benjamini-Hochberg correction.",
        slides=(SlideSpec("compare", "Groups compared, question by question"),),
    ),
    ChartSpec(
        "priorities-two-groups", "Two groups compared, question by question",
        two_groups.two_groups, fig.two_groups, say.two_groups, "/priorities",
        ("round", "topic", "method", "vs", *G), dom="two-groups",
        when=lambda a: bool(a.get("vs")) and not _cross_group(a),
        view_args={"vs": "role=caregiver"},
        footnote="The ranking's score for each group with its 95% interval; the line is "
        "solid where the difference holds after Benjamini-Hochberg correction.",
        slides=(SlideSpec("two-groups", "Two groups compared, question by question"),),
    ),
    ChartSpec(
        "group-top", "Each group's top ten beside the combined top ten",
        round_compare.group_top, fig.group_top, say.group_top, "/priorities",
        ("round", "topic", "compare", *G), when=lambda a: bool(a.get("compare")),
        view_args={"compare": "role"},
        footnote="Numbers are ranks within each group; combined = stakeholder-balanced. "
        "Orange diamonds: in a group's top ten, left out of the combined top ten.",
        slides=(SlideSpec("group-top", "Each group's top ten and the combined top ten"),),
    ),
    ChartSpec(
        "consensus", "Consensus on importance in a rate round", consensus.consensus,
        fig.consensus, say.consensus, "/priorities",
        ("round", "topic", "compare", *G, *CONSENSUS_FILTERS), when=_consensus_asked,
        view_args={"consensus_high": "70"},
        footnote="Dots: share rating it 4-5 (important) and 1-2 (unimportant), with 95% "
        "Wilson intervals; lines: the share rule's thresholds (consensus_rule=median_iqr: "
        "median and interquartile range in the words instead).",
        slides=(SlideSpec("consensus", "Consensus on importance, question by question"),),
    ),
    ChartSpec(
        "consensus-change", "Consensus between successive rate rounds",
        consensus.consensus_change, fig.consensus_change, say.consensus_change, "/priorities",
        ("round", "topic", "compare", *G, *CONSENSUS_FILTERS), when=_consensus_asked,
        view_args={"consensus_low": "15"},
        footnote="Change in the share rating it 4-5 since the rate round before, with 95% "
        "Newcombe intervals; the status before and after in words.",
        slides=(SlideSpec("consensus-change", "Would another round change the picture?"),),
    ),
    ChartSpec(
        "question-trail", "From question to study", topics.question_trail,
        fig.question_trail, say.question_trail, "/priorities", ("topic", "question"),
        when=lambda a: bool(a.get("question")), card="question", ignores=("topic",),
        slides=(SlideSpec("question", "The question, its discussion and its study"),),
    ),
    ChartSpec(
        "question-trend", "One question's support across rounds", priorities.question_trend,
        fig.question_trend, say.question_trend, "/priorities", ("question", *G),
        place="question", when=lambda a: bool(a.get("question")),
        footnote="Support = share of voters who chose it (pick, rank) or rated it 4-5 (rate).",
        slides=(SlideSpec("question-trend", "One question's support across rounds"),),
    ),
    ChartSpec(
        "topics", N_("Support by topic, with votes and discussion"), topics.topics, fig.topics,
        say.topics, "/priorities", ("round", "topic", *G), public=("round", *PUBLIC_GROUPS),
        when=lambda a: not _cross_group(a), ignores=("topic",), footnote=CENSUS,
        note=notes.TOPICS, keep="never",  # its discussion counts are all-time: they move
        slides=(SlideSpec("topics", "Votes by topic"),),
    ),
    ChartSpec(
        "projects", N_("Research projects by status"), projects.projects, fig.projects,
        say.projects, "/projects", ("project",), public=(), card="board", ignores=("project",),
        published=Published(view=projects.project_rows), note=notes.PROJECTS,
        footnote="Projects are not people: these counts are exact.",
        slides=(SlideSpec("board", "Projects by status", slides.board),
                SlideSpec("open", "Projects open for participation", slides.open_projects),
                SlideSpec("results", "Results delivered", slides.results)),
    ),
    ChartSpec(
        "enrollment", N_("Enrollment funnel and progress to target"), projects.enrollment,
        fig.enrollment, say.enrollment, "/projects", ("project",), public=("project",),
        dom="funnel", footnote=CENSUS, published=Published(view=projects.project_rows),
        note=notes.ENROLLMENT,
        slides=(SlideSpec("enrollment", "Enrollment progress to target", slides.enrollment),),
    ),
    ChartSpec(
        "accrual", "Enrollment accrual over time", projects.accrual, fig.accrual, say.accrual,
        "/projects", ("project", "from", "to"), footnote=CENSUS,
        published=Published(view=projects.project_rows),
        slides=(SlideSpec("accrual", "Members enrolled over time"),),
    ),
    ChartSpec(
        "members", N_("Members over time by role"), participation.members, fig.members,
        say.members, "/participation", ("role", "from", "to"), public=("role",),
        footnote=CENSUS + " Gaps are totals withheld to protect people.",
        published=Published(view=participation.role_rows), note=notes.MEMBERS,
        more=(AlsoShown("new-members", fig.new_members, say.new_members),),
        slides=(SlideSpec("growth", "Members over time", slides.growth),
                SlideSpec("new-members", "New members: this quarter against the previous ones",
                          slides.new_members)),
    ),
    ChartSpec(
        "active-members", N_("Monthly active members"), participation.active_members,
        fig.active_members, say.active_members, "/participation", ("role", "from", "to"),
        public=("role",), dom="active", footnote=CENSUS, note=notes.ACTIVE_MEMBERS,
        published=Published(view=participation.role_rows),
        slides=(SlideSpec("activity", "Monthly active members", slides.activity),),
    ),
    ChartSpec(
        "retention", "Retention of join cohorts", participation.retention, fig.retention,
        say.retention, "/participation", ("role",), footnote=CENSUS,
        published=Published(keys=("role",)),
        slides=(SlideSpec("retention", "Share of each join year still active"),),
    ),
    ChartSpec(
        "rounds", "Votes and comments per round", participation.round_activity, fig.rounds,
        say.rounds, "/participation", (), footnote=CENSUS, published=Published(),
        slides=(SlideSpec("rounds", "Members who voted and commented per round"),),
    ),
    ChartSpec(
        "countries", "Members by country", participation.countries, fig.countries,
        say.countries, "/participation", ("role",), footnote=CENSUS,
        published=Published(keys=("role",)),
        slides=(SlideSpec("countries", "Where members live"),),
    ),
)  # fmt: skip

CATALOGUE: dict[str, ChartSpec] = {c.id: c for c in CHARTS}
PAGES: tuple[str, ...] = tuple(dict.fromkeys(c.page for c in CHARTS))


class UnknownChart(LookupError):
    """No chart has this id."""


def spec(chart_id: str) -> ChartSpec:
    """The declaration of a chart id (or a clear error)."""
    found = CATALOGUE.get(chart_id)
    if found is None:
        raise UnknownChart(f"no chart {str(chart_id)[:60]!r}; see /api/v1/charts")
    return found


def on_page(path: str, place: str = "main") -> list[ChartSpec]:
    """The charts whose home is this page and place, in catalogue order."""
    return [c for c in CHARTS if c.page == path and c.place == place]


def shown_on(path: str) -> list[ChartSpec]:
    """Charts shown on a page: its own (main place) and those featured there."""
    return [c for c in CHARTS if (c.page == path and c.place == "main") or path in c.also_on]


def page_filters(path: str) -> tuple[str, ...]:
    """Every query-string name a page accepts: the filters of the charts living on it."""
    names = [n for c in CHARTS if c.page == path for n in c.filters]
    return tuple(dict.fromkeys(names))


def slide_specs(path: str) -> dict[str, tuple[ChartSpec, SlideSpec]]:
    """What a slide of a page can show, by focus key; the first is the default."""
    return {s.focus: (c, s) for c in CHARTS if c.page == path for s in c.slides}


def public_charts() -> list[ChartSpec]:
    """The charts the world may see (embeds, publish)."""
    return [c for c in CHARTS if c.public is not None]
