"""Presentation mode: decks of saved explorer views, shown full screen and exported.

`present.routes.register_present_routes(server, engine)` mounts the export
routes and the save API; the pages live in dashboard/pages/present.py. The
deck model is imported lazily: the catalogue imports `present.slides`, and the
store reads the catalogue through `present.viewurl`.
"""

from typing import Any

__all__ = ["Deck", "DeckStore", "Slide", "StoreError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dashboard.present import store

        return getattr(store, name)
    raise AttributeError(name)
