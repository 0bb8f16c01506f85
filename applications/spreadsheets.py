"""The one rule every CSV and XLSX the product writes applies to its cells.

Excel and WPS treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so applicant text such as ``=HYPERLINK(...)`` would run on a
staff member's machine. Such text is written with a leading apostrophe, which the spreadsheet
shows as plain text. Numbers, dates and empty cells pass unchanged (a negative number is a number).
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as it may be written to a spreadsheet cell: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(v) for v in values]
