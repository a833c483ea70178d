"""CSV for people to open in a spreadsheet: no cell runs as a formula (OWASP's CSV injection rule).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: a customer named ``=HYPERLINK("http://...")`` would become a link,
and worse. Such text cells are written with a single quote before them, which the spreadsheet shows
as text; numbers stay numbers, so a negative amount is still a number. Raw exports for programs
(JSON, GraphML) stay raw.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import numbers
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "spreadsheet_csv"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet should show it: text that would run as a formula gets a leading quote.

    Numbers, booleans and missing values are returned as they are; anything else is judged by the
    text the CSV will hold for it.
    """
    if value is None or isinstance(value, (bool, numbers.Number)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else value


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) whose header and cells no spreadsheet runs as formulas.

    Lines end in CRLF (RFC 4180), so that a cell holding a carriage return is quoted: unquoted,
    a spreadsheet would start a new row there, and the text after it could run as a formula.
    """
    return frame.rename(columns=neutralise).map(neutralise).to_csv(index=False, lineterminator="\r\n")
