"""A small ChnSentiCorp-shaped data set built in code, so no test needs ../shared.

Same layout as `lansinuote/ChnSentiCorp` saved with `save_to_disk`: a DatasetDict with train /
validation / test splits and `text` (str) and `label` (0 negative, 1 positive) columns. Reviews are
composed from hotel, book and shopping phrases, like the real ones: mostly short, a few very long
(so truncation shares and the length tail are not empty), labels learnable and about balanced.
"""
from __future__ import annotations

import random
from pathlib import Path

SIZES = {"train": 1600, "validation": 200, "test": 300}

TOPICS = ("酒店", "房间", "这本书", "快递", "这台电脑", "早餐", "前台", "屏幕", "键盘", "作者的文笔")
POSITIVE = (
    "非常好，值得推荐", "服务热情周到", "环境干净整洁", "性价比很高", "物流很快，包装完好", "下次还会再来",
    "内容很精彩，一口气读完了", "位置方便，出门就是地铁", "质量不错，用起来很顺手", "总体来说很满意",
    "早餐种类丰富，味道也好", "前台小姐态度很好", "床很舒服，睡得很香", "运行流畅，速度很快", "送给朋友，她很喜欢",
)
NEGATIVE = (
    "太差了，不会再来", "服务态度很差", "房间又小又脏", "价格贵，不值这个钱", "快递太慢，包装也破了", "非常失望",
    "内容空洞，浪费时间", "隔音效果很差，一晚上没睡好", "质量很差，用了两天就坏了", "总体来说很不满意",
    "早餐很简单，没什么可吃的", "前台爱理不理", "热水时有时无", "发热严重，风扇很吵", "和描述的完全不一样",
)
CONNECTORS = ("，", "。", "！", "，而且", "，但是", "；")


def review(rng: random.Random, label: int) -> str:
    """One review: a topic, two to four phrases of its sentiment, sometimes one of the other side."""
    own, other = (POSITIVE, NEGATIVE) if label == 1 else (NEGATIVE, POSITIVE)
    phrases = rng.sample(own, rng.randint(2, 4))
    if rng.random() < 0.2:  # real reviews mix praise and complaints; the majority still decides
        phrases.insert(rng.randrange(len(phrases) + 1), rng.choice(other))
    text = rng.choice(TOPICS) + rng.choice(CONNECTORS).join(phrases)
    if rng.random() < 0.04:  # a few very long reviews, as in the real data (hundreds of characters)
        text = "。".join([text] * rng.randint(8, 30))
    return text + rng.choice(("。", "！", "！！", "～", ""))


def build_chnsenticorp(path: Path, sizes: dict[str, int] = SIZES, seed: int = 0) -> Path:
    """Write the data set to `path` with `DatasetDict.save_to_disk`; returns `path`."""
    from datasets import Dataset, DatasetDict

    rng = random.Random(seed)
    splits = {}
    for split, rows in sizes.items():
        labels = [rng.randint(0, 1) for _ in range(rows)]
        splits[split] = Dataset.from_dict({"text": [review(rng, label) for label in labels], "label": labels})
    DatasetDict(splits).save_to_disk(str(path))
    return path
