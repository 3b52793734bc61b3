"""CSV files a spreadsheet opens without running formulas from data (CSV / formula injection).

Excel, LibreOffice and Google Sheets treat a cell that starts with = + - @ (or a tab / carriage return
before one) as a formula: `=HYPERLINK(...)` in a review would become a live link in predictions.csv. With an East
Asian input method the fullwidth ＝ ＋ － ＠ start formulas too, and | and % start DDE and macro payloads in older
spreadsheets.
Such text cells get a leading apostrophe, which spreadsheets show as plain text (OWASP's advice).
"""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "|", "%")


def inert_cell(value: object) -> object:
    """`value` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names are inert (numbers stay numbers)."""
    out = df.rename(columns=lambda name: inert_cell(str(name)))
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(inert_cell)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """`df` as UTF-8 CSV without its index, every cell safe to open in a spreadsheet.

    RFC 4180 line ends ("\r\n"), so a cell holding a lone "\r" is quoted instead of splitting its row."""
    return inert_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
