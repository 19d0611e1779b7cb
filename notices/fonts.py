"""The fonts PDF notices embed, and the taglines every notice carries.

Notices are rendered by WeasyPrint with the font files shipped in ``notices/fonts/`` (subsets of Noto, renamed
"Notice …"; how and why: ``notices/fonts/SOURCES.md``), never with whatever fonts the rendering machine has.
A notice stylesheet starts with :func:`font_face_css` and sets ``font-family: {FONT_FAMILY}``; every character of
English, Spanish and the other Latin, Greek or Cyrillic texts, and of the taglines, then has a shipped glyph.

The taglines (``notices/data/taglines.csv``) and the script fonts go together: the non-Latin fonts hold only the
characters the taglines use, so a changed tagline needs ``.venv/bin/python notices/fonts/build.py`` run again
(the tests in ``notices/tests/test_fonts.py`` fail until it is).

This module imports nothing from Django, so it is safe to import from settings, tasks or scripts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_APP_DIR = Path(__file__).resolve().parent
FONT_DIR = _APP_DIR / "fonts"
TAGLINES_CSV = _APP_DIR / "data" / "taglines.csv"

# (CSS family, file in FONT_DIR, weight). The Latin family comes first so that digits, spaces and punctuation in every
# line use it; each other script falls through to the one family that has its letters.
FONT_FILES: tuple[tuple[str, str, int], ...] = (
    ("Notice Sans", "NoticeSans-Regular.ttf", 400),
    ("Notice Sans", "NoticeSans-Bold.ttf", 700),
    ("Notice Sans Ethiopic", "NoticeSansEthiopic-Regular.ttf", 400),
    ("Notice Sans Arabic", "NoticeSansArabic-Regular.ttf", 400),
    ("Notice Sans Myanmar", "NoticeSansMyanmar-Regular.ttf", 400),
    ("Notice Sans Khmer", "NoticeSansKhmer-Regular.ttf", 400),
    ("Notice Sans Lao", "NoticeSansLao-Regular.ttf", 400),
    ("Notice Sans TC", "NoticeSansTC-Regular.otf", 400),
    ("Notice Sans KR", "NoticeSansKR-Regular.otf", 400),
)

FONT_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(family for family, _file, _weight in FONT_FILES))

# The value for ``font-family`` in notice stylesheets.
FONT_FAMILY = ", ".join(f'"{family}"' for family in FONT_FAMILIES) + ", sans-serif"

_FORMATS = {".ttf": "truetype", ".otf": "opentype"}


@cache
def font_face_css() -> str:
    """@font-face rules for every shipped font file, with absolute file:// URLs (independent of the working directory)."""
    rules = []
    for family, filename, weight in FONT_FILES:
        path = FONT_DIR / filename
        rules.append(
            "@font-face {\n"
            f'  font-family: "{family}";\n'
            f'  src: url("{path.as_uri()}") format("{_FORMATS[path.suffix]}");\n'
            f"  font-weight: {weight};\n"
            "  font-style: normal;\n"
            "}\n"
        )
    return "".join(rules)


@dataclass(frozen=True)
class Tagline:
    code: str  # ISO 639 code (BCP 47 tag for Chinese), usable as an HTML lang attribute
    english_name: str
    autonym: str
    direction: str  # "ltr" or "rtl", for the HTML dir attribute
    text: str


@cache
def _read_taglines() -> tuple[Tagline, ...]:
    with TAGLINES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple(
            Tagline(
                code=row["code"],
                english_name=row["english_name"],
                autonym=row["autonym"],
                direction=row["direction"],
                text=row["text"],
            )
            for row in rows
        )


def taglines() -> list[Tagline]:
    """The taglines, in the file's order (English names, alphabetically). The file is read once per process."""
    return list(_read_taglines())
