"""The tutorial's `datasets` steps on its own three reviews: `Dataset.from_dict`, `.info` / `.features`,
and `map(tokenize)` batched vs one row at a time, timed."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

# the tutorial's Dataset.from_dict example: 0 negative, 1 positive (its labels, kept as written)
TUTORIAL_REVIEWS = {
    "text": [
        "位置尚可,但距离海边的位置比预期的要差的多",
        "5月8日付款成功,当当网显示5月10日发货,可是至今还没看到货物,也没收到任何通知,简不知怎么说好!!!",
        "整体来说,本书还是不错的。至少在书中描述了许多现实中存在的司法系统方面的问题,这是值得每个法律工作者去思考的。"
        "尤其是让那涉世深的想加入到律师队伍中的年青人,看到了社会特别是中国司法界真实的一面。缺点是:书中引用了大量的"
        "法律条文和司法解释,对于已经是律师或有一定工作经验的法律工作者来说有点多余,而且所占的篇幅不少,有凑字数的嫌疑。"
        "整体来说还是不错的。不要对一本书提太高的要求。",
    ],
    "label": [0, 1, 1],
}

# HF datasets.Dataset vs torch.utils.data.Dataset: one catalog row per aspect (learn.cmp.<aspect>.hf / .torch)
COMPARISON_ASPECTS = ("what", "indexing", "types", "storage", "transform", "batching")


def tutorial_dataset(copies: int = 1):
    """`Dataset.from_dict` with the tutorial's three reviews, repeated `copies` times (for timing `map`)."""
    from datasets import Dataset

    return Dataset.from_dict({name: values * copies for name, values in TUTORIAL_REVIEWS.items()})


def feature_rows(dataset) -> list[dict[str, str]]:
    """One row per column: its name and the `datasets` feature type (what `.features` prints)."""
    return [{"column": name, "feature": repr(feature)} for name, feature in dataset.features.items()]


def info_fields(dataset) -> dict[str, Any]:
    """The `DatasetInfo` fields a learner looks at, plus the row count."""
    info = dataset.info
    return {"num_rows": dataset.num_rows, "features": str(info.features), "description": info.description or "",
            "dataset_size": info.dataset_size, "builder_name": info.builder_name}


@dataclass(frozen=True)
class MapRun:
    """One `dataset.map(tokenize)` call: the result and how long it took."""

    batched: bool
    dataset: Any
    seconds: float


def tokenize_function(tokenizer, max_length: int):
    """The function the tutorial passes to `map`: works on one row or a batch of rows alike."""
    def tokenize(rows):
        return tokenizer(rows["text"], truncation=True, max_length=max_length)

    return tokenize


def timed_map(dataset, tokenizer, batched: bool, max_length: int = 128) -> MapRun:
    """`dataset.map(tokenize, batched=...)`, never served from the cache, with its wall time."""
    start = time.perf_counter()
    mapped = dataset.map(tokenize_function(tokenizer, max_length), batched=batched, load_from_cache_file=False,
                         keep_in_memory=True)
    return MapRun(batched, mapped, time.perf_counter() - start)
