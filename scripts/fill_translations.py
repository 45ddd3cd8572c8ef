"""Fill a .po catalog's empty entries from a Python dict of translations (a helper for
translators working in a script; `pybabel update` keeps existing entries).

    python scripts/fill_translations.py dashboard/locale/es/LC_MESSAGES/messages.po FILE.py

FILE.py defines ES = {msgid: msgstr, (singular, plural): (form0, form1), ...}.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(po: Path, source: Path) -> None:
    table = runpy.run_path(str(source))["ES"]
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        found = table.get(message.id if isinstance(message.id, str) else tuple(message.id))
        if found is not None:
            message.string = found
            message.flags.discard("fuzzy")
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(message.id)
    with po.open("wb") as fh:
        write_po(fh, catalog, width=96, omit_header=False)
    for m in missing:
        print("untranslated:", m)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
