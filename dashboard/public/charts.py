"""The public charts: which charts and filters the world may see, and what they render to.

This module is the whole public surface. A chart the catalogue does not mark
public, or a filter outside its `public` list, cannot be reached from an embed
or the static publish, whatever is asked. Results still come from the Engine,
so the same disclosure control applies, and figures and summaries are the
catalogue's, the same as on the page and the slide.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.catalogue import CATALOGUE, PUBLIC_GROUPS, public_charts
from dashboard.filters import GROUP_VALUES, FilterError, Filters
from dashboard.i18n import LANGUAGES, _, date, language, ngettext, number, plotly_locale
from dashboard.insights.priorities import resolve_round
from dashboard.insights.result import ChartResult, to_csv
from dashboard.words import who

if TYPE_CHECKING:
    from dashboard.engine import Engine

# Coarse filters only (a round, and one broad group), as the catalogue declares them.
PUBLIC_FILTERS: dict[str, tuple[str, ...]] = {c.id: c.public or () for c in public_charts()}


class NotPublic(LookupError):
    """The chart is not public (or does not exist)."""


@dataclass(frozen=True)
class Credit:
    """Who publishes, where, and under which licence: the public text around a chart."""

    network: str
    network_url: str
    public_url: str
    license: str

    @classmethod
    def of(cls, engine: Engine) -> Credit:
        s = engine.settings
        network = s.network_name or engine.warehouse.snapshot().network or "The network"
        return cls(network, s.network_url, s.public_url, s.license)


@dataclass(frozen=True)
class PublicView:
    """What one embed shows: the protected result, its figure and a one-line summary."""

    result: ChartResult
    figure: go.Figure
    summary: str
    credit: Credit
    about: str = ""  # the filters in words ("caregivers, round R8")
    lang: str = "en"
    title: str = ""  # the result's title, or its translation
    kept: bool = False  # its release keeps it (kept_in_release): cite the kept address

    @property
    def key(self) -> str:
        return data_key(self.result.filters)

    @property
    def stem(self) -> str:
        """The data file name without its suffix: `<key>` in English, `<key>.<lang>` else."""
        return self.key if self.lang == LANGUAGES[0] else f"{self.key}.{self.lang}"

    def archive_url(self) -> str:
        """The address to cite: in its release if the release keeps it (it never changes
        there, see releases.py), else the live address."""
        query = self.result.filters.to_query()
        qs = "?" + urlencode(sorted(query.items())) if query else ""
        at = f"@{self.result.as_of}/" if self.kept else ""
        return f"{self.credit.public_url}/embed/{self.result.chart}/{at}{qs}"

    def citation(self) -> str:
        """A line to paste into a reference list (the reader adds the date they accessed it)."""
        shown = self.about and self.about.lower() not in self.result.title.lower()
        about = f", {self.about}" if shown else ""
        with language(self.lang):
            return _("{network}. “{title}”{about}. Community insights, data as of {as_of}. "
                     "{url}").format(network=self.credit.network, title=self.title, about=about,
                                     as_of=self.result.as_of, url=self.archive_url())  # fmt: skip

    def voters(self) -> int | None:
        """How many voters the chart counts, where it says (question charts)."""
        value = self.result.context.get("voters")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def payload(self) -> dict[str, Any]:
        """The JSON an embed page renders (and the static publish writes)."""
        r = self.result
        return {
            "chart": r.chart,
            "lang": self.lang,
            "title": self.title,
            "summary": self.summary,
            "about": self.about,
            "as_of": r.as_of,
            "build_id": r.build_id,
            "k": r.k,
            "filters": r.filters.describe(),
            "network": self.credit.network,
            "network_url": self.credit.network_url,
            "license": self.credit.license,
            "citation": self.citation(),
            "archive_url": self.archive_url(),
            "kept": self.kept,
            "voters": self.voters(),
            "columns": r.columns,
            "rows": r.to_json()["rows"],
            "figure": json.loads(pio.to_json(self.figure, validate=False)),
            "labels": chrome(self.lang, r.as_of, self.voters()),
            "plotly_locale": plotly_locale(self.lang),
        }

    def json_bytes(self) -> bytes:
        """The payload, serialized once (it is cached by build id)."""
        return json.dumps(self.payload(), separators=(",", ":"), allow_nan=False).encode()

    def csv(self) -> str:
        """Exactly the numbers shown, rounded as shown; every withheld value reads "withheld"."""
        return to_csv(self.result, rounded=True)


def embed_path(chart_id: str) -> str:
    """Where a public chart's embed page lives."""
    return f"/embed/{chart_id}/"


def parse(chart_id: str, args: Mapping[str, Any]) -> Filters:
    """Validate a public request: a public chart and only its coarse filters."""
    if chart_id not in PUBLIC_FILTERS:
        raise NotPublic(f"no public chart {chart_id[:60]!r}")
    filters = Filters.parse(args, allowed=PUBLIC_FILTERS[chart_id])
    if len(filters.group_dims()) > 1:
        raise FilterError("public charts take at most one group filter (role or ms_course)")
    return filters


def data_key(filters: Filters) -> str:
    """The file-name form of a filter set, shared by the server and the static publish."""
    query = filters.to_query()
    return "&".join(f"{k}={query[k]}" for k in sorted(query)) or "all"


def parse_key(chart_id: str, key: str) -> Filters:
    """The inverse of data_key; anything malformed is a FilterError."""
    if key == "all":
        return parse(chart_id, {})
    args: dict[str, str] = {}
    for part in key.split("&"):
        name, eq, value = part.partition("=")
        if not eq or name in args:
            raise FilterError("malformed data key")
        args[name] = value
    filters = parse(chart_id, args)
    if data_key(filters) != key:
        raise FilterError("data key is not in canonical form")
    return filters


def view(engine: Engine, chart_id: str, filters: Filters, lang: str = "en") -> PublicView:
    """Run one public chart and build what the embed shows, in `lang`."""
    if chart_id not in PUBLIC_FILTERS:
        raise NotPublic(chart_id)
    chart = CATALOGUE[chart_id]
    result = engine.run_filters(chart, filters)
    with language(lang):
        figure, summary = chart.figure(result, "embed"), chart.summary(result)
        said = about(engine, filters)
        title = result.title
        if lang != LANGUAGES[0]:  # dynamic English titles: the chart's title and who, translated
            title = _(chart.title) + (f": {said}" if said else "")
    kept = kept_in_release(engine, chart_id, filters)
    return PublicView(result, figure, summary, Credit.of(engine), said, lang, title, kept)


KEEP = ("always", "closed_rounds", "never")


def kept_in_release(engine: Engine, chart_id: str, filters: Filters) -> bool:
    """Whether a release keeps this view for good: only what later releases cannot move.

    The build's release policy carries closed rounds and complete periods into every
    later release, so their counts never move by 1..k-1. An open round is not served at
    all (resolve_round refuses it); the discussion's running totals move by 0 or at least
    k, and an archive beside the live release would still show them move.
    """
    keep = CATALOGUE[chart_id].keep
    if keep not in KEEP:
        raise ValueError(f"{chart_id}: keep={keep!r}; use one of {KEEP}")
    if keep == "closed_rounds":
        try:
            rnd = resolve_round(engine.warehouse, filters.round)
        except FilterError:
            return False
        return rnd.closes_on[:10] < engine.warehouse.snapshot().as_of
    return keep == "always"


def about(engine: Engine, filters: Filters) -> str:
    """A public filter set in words: "caregivers, Round 8 (2026)"; empty for the default.

    In the current language; round names are the network's own and stay as written.
    """
    parts = [_(who(filters, everyone=""))] if filters.group_dims() else []
    if filters.round:
        names = {r.round_id: r.name for r in engine.rounds()}
        parts.append(names.get(filters.round, filters.round))
    if filters.project:
        parts.append(_("project {id}").format(id=filters.project))
    return ", ".join(p for p in parts if p)


def chrome(lang: str, as_of: str, voters: int | None) -> dict[str, str]:
    """The embed page's own words in `lang` (embed.js sets them; the HTML has English)."""
    with language(lang):
        return {
            "loading": _("Loading the chart…"),
            "how_to_read": _("How to read this chart"),
            "download": _("Download the data (CSV)"),
            "package": _("Data package (zip)"),
            "cite": _("Cite this chart"),
            "as_of": _("Data as of {date}").format(date=date(as_of)),
            "voters": ngettext("{n} voter", "{n} voters", voters or 0).format(
                n=number(voters or 0)) if voters is not None else "",
            "accessed": _("accessed {date}"),
            "unavailable": _("This chart is not available for these filters."),
            "release": _("Release of {date}: this chart never changes.").format(date=date(as_of)),
            "latest": _("The latest release"),
        }  # fmt: skip


def combinations(engine: Engine, chart_id: str) -> Iterator[Filters]:
    """Every public filter set of a chart (for the static publish)."""
    names = PUBLIC_FILTERS[chart_id]
    choices: list[list[tuple[str, str] | None]] = []
    if "round" in names:
        rounds = engine.rounds()
        choices.append([None, *(("round", r.round_id) for r in rounds)])
    if "project" in names:
        projects = engine.run("projects", {}).rows
        choices.append([None, *(("project", p["project_id"]) for p in projects)])
    groups = [g for g in PUBLIC_GROUPS if g in names]
    if groups:
        choices.append([None, *((g, v) for g in groups for v in GROUP_VALUES[g])])
    for combo in itertools.product(*choices):
        yield parse(chart_id, dict(c for c in combo if c))
