"""CSV for spreadsheets: every export writes through ``spreadsheet_writer``, which keeps text as text.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and some with a tab or a carriage
return first) as a formula: a reason written as ``=HYPERLINK(...)`` would become a live link. Such text cells
get a leading apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection). Numbers are written
as numbers.
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """Return ``value`` as a CSV cell a spreadsheet shows as written: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetWriter:
    """A ``csv.writer`` whose text cells never run as formulas."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_writer(stream) -> SpreadsheetWriter:
    """Return the writer every CSV export uses."""
    return SpreadsheetWriter(stream)
