"""Compiles locale/*/LC_MESSAGES/django.po into .mo files with polib, so no gettext tools are needed.

`make messages` (which does need gettext's xgettext) refreshes the .po files first.
The compiled .mo files are committed; tests/academy/test_catalogues.py checks they match their .po.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
