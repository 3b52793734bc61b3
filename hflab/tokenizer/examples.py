"""The page's preset examples, each showing one concept, and the tutorial's `黑` / `##黑` lesson."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

# name -> (texts, pairs); labels are in the catalog as tokenizer.example.<name>
EXAMPLES: dict[str, tuple[list[str], list[str] | None]] = {
    "mixed": (["iPhone15很好用，电池能撑一整天", "买了3000mAh的充电宝，USB-C接口"], None),
    "reviews": (
        [
            "酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, "
            "早餐走了两圈也没有找到可以吃的, 太差了",
            "已经贴完了,又给小区的妈妈买了一套。最值得推荐",
        ],
        None,
    ),
    "subword": (["乌鸦的羽毛是乌黑的", "黑色", "黑客", "乌黑", "黑黑", "抹黑"], None),
    "emoji": (["今天天气真好😀👍🏻，出去玩吧🎉", "外卖到了🍜，好吃！"], None),
    "fullwidth": (["ＡＢＣ１２３！你好？“引号”（括号）……", "全角：ｈｅｌｌｏ，半角: hello"], None),
    "pair": (["这家店的服务怎么样？", "价格贵吗？"], ["服务很周到，阳光明媚的下午很舒服。", "不贵，性价比很高。"]),
    "surgery": (["阳光照在大地上[EOS]"], None),
}

# the tutorial's sentence, the words its explanation splits it into first, and the tokens it prints
SUBWORD_SENTENCE = "乌鸦的羽毛是乌黑的"
SUBWORD_WORDS = ("乌鸦", "的", "羽毛", "是", "乌黑的")
SUBWORD_TUTORIAL_TOKENS = ("乌", "##鸦", "的", "羽", "##毛", "是", "乌", "##黑", "##的")


def example_of(texts: list[str], pairs: list[str] | None) -> str | None:
    """The name of the preset example these texts are, or None when the learner typed something else."""
    for name, (example_texts, example_pairs) in EXAMPLES.items():
        if texts == example_texts and pairs == example_pairs:
            return name
    return None


@dataclass(frozen=True)
class SubwordLesson:
    """The tutorial's sentence tokenized three ways, and the two vocab entries the lesson is about."""

    tutorial: tuple[str, ...]  # what the tutorial prints
    default: list[str]  # the tokenizer as it is: BERT splits every Chinese character off first
    by_words: list[str]  # tokenize_chinese_chars=False on the words the tutorial splits the sentence into
    ids: dict[str, int | None]  # 黑 and ##黑 -> id in the vocab


def chinese_chars_kept_together(tokenizer: Any) -> Any | None:
    """A copy of a BERT tokenizer loaded as with `tokenize_chinese_chars=False` (None for other tokenizers)."""
    changed = copy.deepcopy(tokenizer)
    normalizer = getattr(getattr(changed, "backend_tokenizer", None), "normalizer", None)
    if not hasattr(normalizer, "handle_chinese_chars"):
        return None
    normalizer.handle_chinese_chars = False
    return changed


def subword_lesson(tokenizer: Any) -> SubwordLesson | None:
    """The tutorial's 黑 / ##黑 lesson with `tokenizer` (None when it is not a BERT WordPiece tokenizer)."""
    together = chinese_chars_kept_together(tokenizer)
    if together is None:
        return None
    vocab = tokenizer.get_vocab()
    return SubwordLesson(SUBWORD_TUTORIAL_TOKENS, tokenizer.tokenize(SUBWORD_SENTENCE),
                         together.tokenize(" ".join(SUBWORD_WORDS)), {"黑": vocab.get("黑"), "##黑": vocab.get("##黑")})
