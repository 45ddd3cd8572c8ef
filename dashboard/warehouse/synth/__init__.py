"""A seeded, deterministic demo export in the ../shared/EXPORT_FORMAT.md layout.

Why it exists: demo data takes exactly the path real data takes (export folder ->
validate -> anonymize -> warehouse), so it has to be a real export folder. It also
has to look like a real network (uneven growth, group preferences that differ, a
participation funnel) so that every chart shows something, and it has to exercise
the awkward corners of the contract: quoting, HTML and formula prefixes in titles,
duplicate votes, members who withdrew consent, identifier columns the build must drop.

How it stays fast and reproducible: every row is generated vectorized with numpy
(loops run only over rounds, questions and projects, never over members or votes), and
each section draws from its own seeded stream (see export.py). The words live in
vocabulary.py, the enumerations come from the export contract (warehouse/contract.py).
"""

from __future__ import annotations

from dashboard.warehouse.synth.export import EXPORTED_AT, NETWORK, write_demo_export

__all__ = ["EXPORTED_AT", "NETWORK", "write_demo_export"]
