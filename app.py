"""Entry point: `python app.py` serves the explorer; gunicorn serves `app:make_server()`.

The app itself is built in dashboard/server.py.
"""

from dashboard.server import (
    create_app,
    create_public_server,
    main,
    make_server,
    plotly_bundle_url,
)

__all__ = ["create_app", "create_public_server", "main", "make_server", "plotly_bundle_url"]

if __name__ == "__main__":
    main()
