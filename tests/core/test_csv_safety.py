"""CSV cells that a spreadsheet would run as formulas are written as text (issue 15.6)."""
import csv
import io

import pandas as pd

from hflab.csv_safety import csv_bytes, inert_cell

HOSTILE = ['=HYPERLINK("http://example.com","x")', "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1",
           '＝HYPERLINK("http://example.com","x")', "＋1+1", "－2+3", "＠SUM(1)", "|calc", "%0A=1"]


def test_formula_cells_get_an_apostrophe_and_numbers_stay_numbers():
    confidence = [-0.5, 0.9] + list(range(1, len(HOSTILE) + 1))  # one per row: numbers stay numbers
    df = pd.DataFrame({"text": HOSTILE + ["好评", "a=b"], "confidence": confidence})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(df).decode("utf-8"), newline="")))
    assert [r["text"] for r in rows] == ["'" + h for h in HOSTILE] + ["好评", "a=b"]
    assert [r["confidence"] for r in rows] == ["-0.5", "0.9"] + [f"{n}.0" for n in range(1, len(HOSTILE) + 1)]


def test_column_names_and_non_text_cells():
    assert inert_cell(-3) == -3 and inert_cell(None) is None and inert_cell("ok") == "ok"
    df = pd.DataFrame({"=cmd": ["x"]})
    assert csv_bytes(df).decode("utf-8").split("\r\n")[0] == "'=cmd"
