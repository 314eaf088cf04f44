"""Cells for CSV files that staff open in a spreadsheet."""

# A spreadsheet runs a cell that starts like a formula, and names and notes are typed by anyone
# (OWASP "CSV injection"): such a cell gets a leading apostrophe, which shows it as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
