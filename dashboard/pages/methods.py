"""Methods: how every score, interval and suppression rule works, in plain language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
from dash import dcc, html

from dashboard.config import PROJECT_ROOT

dash.register_page(__name__, path="/methods", name="Methods",
                   title="Methods · Community insights")  # fmt: skip


def layout(**_: Any) -> html.Div:
    """The README's methods section, so the page and the docs never disagree."""
    text = Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.find("## Methods")
    end = text.find("\n## ", start + 1)
    section = text[start:end] if start >= 0 else "Methods are described in the README."
    return html.Div([dcc.Markdown(section, id="methods-text")], className="col-lg-9")
