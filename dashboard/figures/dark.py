"""Light and dark themes for figures, with WCAG AA contrast checked rather than hoped for.

The embed figures are drawn for a white page with the Okabe-Ito palette
(dashboard/figures/theme.py). Some of those colours are below WCAG 2.2 AA on
white (orange, yellow and sky blue are under 3:1 as marks), and on a dark
background black and dark grey disappear. `apply_theme` recolours a figure so
that every text colour reaches 4.5:1 and every mark (marker, line, bar, error
bar, arrow) reaches 3:1 against the theme's background, keeping each colour's
hue: a colour only moves toward black (light theme) or white (dark theme) as far
as it must. Neutral greys are mirrored in the dark theme first, so dark grey
"other questions" stay quieter than the highlighted blue, as on white.

Used by the images (dashboard/public/images.py) and meant for the dark embed too
(issue #17 item 6): the embed can apply the same function to its figure JSON.
Gridlines are decoration (WCAG 1.4.11 asks 3:1 only of what is needed to
understand the chart) and stay faint on purpose; the zero line is a bar chart's
baseline, so it is held to 3:1 like a mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import plotly.graph_objects as go

from dashboard.figures.theme import FONT, PALETTE

Theme = Literal["light", "dark"]
TEXT_RATIO = 4.5  # WCAG 1.4.3, normal-size text
MARK_RATIO = 3.0  # WCAG 1.4.11, graphical objects


@dataclass(frozen=True)
class Colours:
    """One theme's fixed colours (each checked by tests/public/test_images.py)."""

    background: str
    text: str
    muted: str  # subtitles and source lines: still 4.5:1
    grid: str  # decoration only
    zeroline: str  # a bar chart's baseline: a mark, 3:1


THEMES: dict[str, Colours] = {
    "light": Colours("#FFFFFF", "#1A1A1A", "#4D4D4D", "#E6E6E6", "#8C8C8C"),
    "dark": Colours("#121417", "#EDEDED", "#B8B8B8", "#2C3036", "#7A808A"),
}

_NAMED = {"white": (255, 255, 255, 1.0), "black": (0, 0, 0, 1.0),
          "transparent": (0, 0, 0, 0.0)}  # fmt: skip
_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


def parse_colour(colour: str) -> tuple[int, int, int, float]:
    """#RGB, #RRGGBB, #RRGGBBAA, rgb(), rgba() or white/black/transparent as RGBA."""
    text = colour.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) in (6, 8) and all(c in "0123456789abcdef" for c in digits):
            alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha
    match = _RGB.fullmatch(text)
    if match:
        r, g, b, a = match.groups()
        return round(float(r)), round(float(g)), round(float(b)), float(a) if a else 1.0
    raise ValueError(f"unsupported colour {colour!r}")


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02X}" for v in rgb)


def _over(colour: str, background: str) -> tuple[int, int, int]:
    """The colour as seen: composited over the (opaque) background by its alpha."""
    r, g, b, a = parse_colour(colour)
    br, bg_, bb, _ = parse_colour(background)
    return (round(r * a + br * (1 - a)), round(g * a + bg_ * (1 - a)),
            round(b * a + bb * (1 - a)))  # fmt: skip


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an opaque colour."""

    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b, _ = parse_colour(colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio (1 to 21) of fg, composited by its alpha, over an opaque bg."""
    seen = _hex(_over(fg, bg))
    la, lb = relative_luminance(seen), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def fit(colour: str, background: str, ratio: float) -> str:
    """The colour, moved toward black or white only as far as needed to reach `ratio`.

    Keeps the hue (a blend, not a new colour), so a legend still matches what it names.
    """
    seen = _over(colour, background)
    if contrast_ratio(_hex(seen), background) >= ratio:
        return _hex(seen)
    target = (0, 0, 0) if relative_luminance(background) > 0.18 else (255, 255, 255)
    for step in range(1, 51):
        t = step / 50
        mixed = _hex(tuple(c + (m - c) * t for c, m in zip(seen, target, strict=True)))
        if contrast_ratio(mixed, background) >= ratio:
            return mixed
    return _hex(target)


def _is_neutral(colour: str) -> bool:
    r, g, b, _ = parse_colour(colour)
    return max(r, g, b) - min(r, g, b) <= 12


def _mirror(colour: str) -> str:
    """A neutral grey's place on a dark background: as far from it as it was from white."""
    r, g, b, a = parse_colour(colour)
    if a < 1.0:  # a tint: the same tint of the mirrored colour
        return f"rgba({255 - r},{255 - g},{255 - b},{a:g})"
    return _hex((255 - r, 255 - g, 255 - b))


def themed_colour(colour: str, theme: str, ratio: float) -> str:
    """A figure colour for `theme`: greys mirrored on dark, then fitted to `ratio`.

    On dark, marks are held to the text ratio too: a saturated blue that passes 3:1 on
    near-black still reads dim next to mirrored greys, and the highlight must not fade.
    """
    bg = THEMES[theme].background
    if theme == "dark":
        ratio = max(ratio, TEXT_RATIO)
        if _is_neutral(colour):
            colour = _mirror(colour)
    return fit(colour, bg, ratio)


def palette(theme: str, ratio: float = MARK_RATIO) -> tuple[str, ...]:
    """The Okabe-Ito palette as it appears in a theme (black becomes white on dark)."""
    return tuple(themed_colour(c, theme, ratio) for c in PALETTE)


def template(theme: str) -> go.layout.Template:
    """A small template with no colour of its own beyond the theme's (nothing to miss)."""
    c = THEMES[theme]
    axis = {"gridcolor": c.grid, "zerolinecolor": c.zeroline, "showline": False, "ticks": "",
            "title": {"standoff": 12}}  # fmt: skip
    return go.layout.Template(layout={
        "font": {**FONT, "color": c.text}, "paper_bgcolor": c.background,
        "plot_bgcolor": c.background, "colorway": list(palette(theme)),
        "xaxis": axis, "yaxis": axis, "legend": {"bgcolor": "rgba(0,0,0,0)"},
        "hoverlabel": {"align": "left"},
    })  # fmt: skip


def _recolour(node: Any, change: Callable[[str, bool], str], in_font: bool = False) -> Any:
    """Every `color` in a trace or annotation dict, recoloured (text inside fonts)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "hoverlabel":  # not in a static image; left as plotly draws it
                out[key] = value
            elif key in ("color", "arrowcolor"):
                text = in_font and key == "color"
                out[key] = _map_colours(value, lambda s, text=text: change(s, text))
            elif key in ("bgcolor", "fillcolor", "bordercolor"):
                out[key] = value  # backgrounds: see apply_theme
            else:
                out[key] = _recolour(value, change, in_font or "font" in key)
        return out
    if isinstance(node, list):
        return [_recolour(v, change, in_font) for v in node]
    return node


def _map_colours(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list | tuple):
        return [change(v) if isinstance(v, str) else v for v in value]
    return value  # numbers on a colour scale: the scale decides


def apply_theme(fig: go.Figure, theme: str = "light") -> go.Figure:
    """A copy of a light (embed) figure recoloured for the theme, AA contrast for all colours.

    Not idempotent on dark: greys are mirrored, so pass the light figure, not a dark one.

    Trace and annotation colours are fitted (text 4.5:1, marks 3:1); the template is
    replaced by the theme's own; shape fills (shaded periods) are mirrored on dark.
    """
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}")
    c = THEMES[theme]

    def change(colour: str, text: bool) -> str:
        return themed_colour(colour, theme, TEXT_RATIO if text else MARK_RATIO)

    data = [_recolour(t.to_plotly_json(), change) for t in fig.data]
    layout = fig.layout.to_plotly_json()
    layout["template"] = template(theme)
    layout["paper_bgcolor"] = layout["plot_bgcolor"] = c.background
    layout["font"] = {**FONT, **layout.get("font", {}), "color": c.text}
    for key in ("annotations", "title", "legend"):
        if key in layout:
            layout[key] = _recolour(layout[key], change, key == "title")
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        layout[name] = _recolour(layout[name], change, True)
    for shape in layout.get("shapes", []):
        if isinstance(shape.get("line", {}).get("color"), str):
            shape["line"]["color"] = change(shape["line"]["color"], False)
        if theme == "dark" and isinstance(shape.get("fillcolor"), str):
            shape["fillcolor"] = _mirror(shape["fillcolor"])  # a light tint becomes a dark one
    for annotation in layout.get("annotations", []):
        if theme == "dark" and isinstance(annotation.get("bgcolor"), str):
            annotation["bgcolor"] = _mirror(annotation["bgcolor"])
    return go.Figure(data=data, layout=layout)
