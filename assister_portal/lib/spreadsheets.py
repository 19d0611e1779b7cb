"""Cells of the CSV files the portal offers (DESIGN §2, the shared kernel): a spreadsheet runs a cell that starts
with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula, so a name typed as
`=HYPERLINK(…)` would run on the assister's computer (OWASP "CSV injection"). A leading apostrophe makes it text.
Every CSV the portal offers writes its cells through `formula_safe`: the book's export, the agency's enrollments,
the directory's results."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value) -> str:
    """The cell as text (None: empty), with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
