"""Every string of ours has a Spanish translation, and the committed .mo matches the .po."""

import ast
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, msgstr) pairs of singular entries, with continued lines joined."""
    entries, current, field = [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            field, _, rest = line.partition(" ")
            current[field] = ast.literal_eval(rest)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid") and "msgid_plural" not in current:
                entries.append((current["msgid"], current.get("msgstr", "")))
            current, field = {}, None
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 50
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_the_source():
    with translation.override("es"):
        stale = [msgid for msgid, msgstr in po_entries() if translation.gettext(msgid) != msgstr]
    assert stale == [], "Run `make messages` to recompile locale/es/LC_MESSAGES/django.mo"
