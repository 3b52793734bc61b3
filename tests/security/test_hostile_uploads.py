"""Data bombs inside the upload cap (issue 38): a table that expands to millions of rows or columns is refused from
its shape before it is parsed in full, with a message that names the cap; malformed JSONL and Parquet say they
cannot be read. Caps are set small here through the same settings an operator uses."""
from __future__ import annotations

import io
import tracemalloc

import pandas as pd
import pytest
from apptest_utils import open_page

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.sentiment.data import DataError, read_table


@pytest.fixture()
def caps(monkeypatch):
    monkeypatch.setenv("HFLAB_MAX_UPLOAD_ROWS", "1000")
    monkeypatch.setenv("HFLAB_MAX_UPLOAD_COLUMNS", "8")


def refusal(name: str, raw: bytes) -> tuple[str, dict]:
    with pytest.raises(DataError) as refused:
        read_table(name, raw)
    return refused.value.key, dict(refused.value.params)


def test_a_csv_of_a_million_columns_is_refused_from_its_header(caps):
    raw = (",".join(f"c{i}" for i in range(1_000_000)) + "\n" + ",".join("1" * 1_000_000) + "\n").encode()
    tracemalloc.start()
    try:
        assert refusal("wide.csv", raw) == ("sentiment.err.too_many_columns", {"columns": "1,000,000", "limit": "8"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # the header is counted, not parsed into a million-column frame (GBs before)


def test_too_many_rows_is_refused_for_every_format(caps):
    rows = pd.DataFrame({"text": ["好"] * 1001, "label": [1] * 1001})
    csv_raw = rows.to_csv(index=False).encode()
    jsonl_raw = rows.to_json(orient="records", lines=True, force_ascii=False).encode()
    json_raw = rows.to_json(orient="records", force_ascii=False).encode()
    for name, raw in (("r.csv", csv_raw), ("r.jsonl", jsonl_raw), ("r.json", json_raw)):
        assert refusal(name, raw) == ("sentiment.err.too_many_rows", {"limit": "1,000"}), name
    assert len(read_table("r.csv", rows.iloc[:1000].to_csv(index=False).encode())) == 1000  # at the cap: fine


def test_a_few_kilobytes_of_parquet_holding_millions_of_rows_is_refused_from_its_footer(caps):
    buffer = io.BytesIO()
    pd.DataFrame({"text": ["好"] * 3_000_000, "label": [1] * 3_000_000}).to_parquet(buffer)
    raw = buffer.getvalue()
    assert len(raw) < 100_000  # small on the wire, 3M rows once read
    tracemalloc.start()
    try:
        assert refusal("bomb.parquet", raw) == ("sentiment.err.too_many_rows", {"limit": "1,000"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


@pytest.mark.parametrize("name, raw", [("broken.parquet", b"PAR1 not really parquet"),
                                       ("broken.jsonl", b'{"text": "ok", "label": 1}\n{"text": '),
                                       ("broken.json", b'[{"text": "ok", "label": 1},')])
def test_malformed_jsonl_json_and_parquet_are_unreadable_not_a_crash(name, raw):
    key, params = refusal(name, raw)
    assert key == "sentiment.err.unreadable" and set(params) == {"error"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sentiment_page_names_the_row_cap(lang, caps, tiny_env):
    rows = pd.DataFrame({"text": ["好"] * 1001, "label": [1] * 1001})
    at = open_page("app_pages/sentiment.py", lang)
    at.radio(key="sentiment_data_src").set_value("upload").run()
    at.file_uploader(key="sentiment_upload_file").set_value(
        ("reviews.csv", rows.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [t("sentiment.err.too_many_rows", lang, limit=markdown_literal("1,000"))]
