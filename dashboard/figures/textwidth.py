"""How wide text is drawn, so exported slides can wrap it before plotly draws it.

Plotly never wraps a title or an annotation: a line is as long as its text, and
a figure's margins are fixed numbers. Slides (dashboard/present/export.py) and
their tables (figures/tables.py) therefore wrap text here, at the width it will
have, and reserve room for the lines it takes.

Widths are the advance widths of DejaVu Sans and DejaVu Sans Bold (what Debian's
chromium draws "system-ui" and "sans-serif" with, as kaleido renders the
exports), in thousandths of an em for the printable ASCII characters; other
characters count as wide ones (a full em for East Asian wide characters).
`SAFETY` adds 3% so a line measured to fit does fit.
"""

from __future__ import annotations

import html
import re
import unicodedata

# fmt: off
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
    696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580,
    1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
    733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500,
    500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
    716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
)
# fmt: on
_OTHER = {"…": 1000, "·": 318, "—": 1000, "–": 500, "’": 318, "‘": 318, "“": 518, "”": 518}
SAFETY = 1.03
_TAG = re.compile(r"<[^>]*>")


def char_em(ch: str, bold: bool = False) -> float:
    """One character's advance width in ems."""
    code = ord(ch)
    if 32 <= code < 127:
        return (_BOLD if bold else _REGULAR)[code - 32] / 1000
    if ch in _OTHER:
        return _OTHER[ch] / 1000 * (1.1 if bold else 1.0)
    if code >= 0x1F000:  # emoji, drawn from a colour font a little wider than an em
        return 1.3
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return 0.72 if bold else 0.66  # accented letters and the rest: a wide letter's width


def text_px(text: str, size: float, bold: bool = False) -> float:
    """The width in pixels of plain (unescaped, untagged) text at a font size."""
    return sum(char_em(ch, bold) for ch in text) * size * SAFETY


def plain(markup: str) -> str:
    """Escaped plotly text (tags, entities) as the characters it shows."""
    return html.unescape(_TAG.sub("", markup))


def wrap_px(text: str, width_px: float, size: float, bold: bool = False) -> list[str]:
    """Plain text in lines no wider than `width_px`, broken at spaces, never dropping a word.

    A word wider than a whole line is broken between characters. Returns plain
    lines (escape each before drawing); an empty text is no lines.
    """
    words = " ".join(str(text or "").split()).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        if not word:
            continue
        candidate = f"{line} {word}" if line else word
        if text_px(candidate, size, bold) <= width_px:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # the word alone, broken where it must be
            if line and text_px(line + ch, size, bold) > width_px:
                lines.append(line)
                line = ch
            else:
                line += ch
    if line:
        lines.append(line)
    return lines
