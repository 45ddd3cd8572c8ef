"""The Dash app: `create_app()` builds it; `python app.py` serves it.

Nothing is queried at import time: pages ask the engine when they render.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from dash import Dash

from dashboard.api import make_api
from dashboard.config import Settings
from dashboard.insights.charts import Engine
from dashboard.layout import shell

log = logging.getLogger(__name__)
PAGES_DIR = Path(__file__).resolve().parent / "dashboard" / "pages"


def create_app(settings: Settings | None = None) -> Dash:
    """A configured app serving the pages and the data API for one warehouse."""
    settings = settings or Settings.from_env()
    engine = Engine(settings)
    engine.warehouse.snapshot()  # refuse to start on a missing or corrupt warehouse
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        title="Community insights",
        suppress_callback_exceptions=True,
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
    )
    app.server.config["ENGINE"] = engine
    app.server.register_blueprint(make_api(engine))
    app.layout = lambda: shell(engine, dash.page_container)
    return app


def main() -> None:
    """Serve on 127.0.0.1:8050 (see `python -m dashboard serve --help` for options)."""
    logging.basicConfig(level=logging.INFO)
    create_app().run(host="127.0.0.1", port=8050, debug=False)


if __name__ == "__main__":
    main()
