"""Presentation mode: decks of saved explorer views, shown full screen and exported.

`register_present_routes(server, engine)` mounts the export routes and the
save API; the pages live in dashboard/pages/present.py.
"""

from dashboard.present.routes import register_present_routes
from dashboard.present.store import Deck, DeckStore, Slide, StoreError

__all__ = ["Deck", "DeckStore", "Slide", "StoreError", "register_present_routes"]
