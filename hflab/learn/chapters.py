"""The tutorial's chapters as data, in the tutorial's order, each with where in the lab to try it.

Titles, summaries and API-change notes are catalog keys (`learn.ch.<id>.title` / `.summary` / `.note`);
the two snippets live in `hflab.learn.code`. A `Target` is plain data: the page to open (its id), the tab it should
open on and what it should show, in the lesson's words ("text", "split", ...): the page maps each word to its own
widget (`LINK_FIELDS` in app_pages/<page>.py), so nothing here names another layer's widgets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hflab.learn.code import MODERN, ORIGINAL
from hflab.story import tutorial as story_tutorial

# the tutorial's four hotel / laptop reviews for batch encoding (it encodes the first two)
TOKENIZER_SENTENCES = (
    "酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, "
    "早餐走了两圈也没有找到可以吃的, 太差了",
    "已经贴完了,又给小区的妈妈买了一套。最值得推荐",
    "屏幕大,本本薄。自带数字小键盘,比较少见。声音也还过得去。usb接口多,有四个。独显看高清很好。运行速度也还可以,性价比高!",
    "酒店环境很好 就是有一点点偏 交通不是很便利 去哪都需要达车 关键是不好打 酒店应该想办法解决一下",
)
PIPELINE_SENTENCE = "你好,我是一款语言模型"
FILL_MASK_SENTENCE = "巴黎是[MASK]国的首都。"
# the generation chapter has no prompt of its own: in English the tutorial's pipeline("text-generation") prompt
# (its Inference API section), in Chinese its own sentence about a language model (its first pipeline call)
GENERATION_PROMPTS = MappingProxyType({"zh": PIPELINE_SENTENCE, "en": "The future of AI is"})
SUBWORD_TEXTS = ("黑", "黑色", "乌黑", "抹黑", "乌鸦的羽毛是乌黑的")


@dataclass(frozen=True)
class Target:
    """Where a chapter is tried in the lab: the `page` id ("sentiment" for app_pages/sentiment.py), the `tab` id it
    opens on (None: the page has no tabs), what it should `show` (the tutorial's example, named by the lesson), and
    `localized` values that depend on the UI's language (name -> {"zh": ..., "en": ...})."""

    page: str
    tab: str | None = None
    show: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    localized: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def show_for(self, lang: str) -> dict[str, Any]:
        """Everything the page should show, for a learner reading in `lang`."""
        return {**self.show, **{name: by_lang[lang] for name, by_lang in self.localized.items()}}


def _target(page: str, tab: str | None = None, localized: dict | None = None, **show: Any) -> Target:
    return Target(page, tab, MappingProxyType(show),
                  MappingProxyType({name: MappingProxyType(by_lang) for name, by_lang in (localized or {}).items()}))


@dataclass(frozen=True)
class Chapter:
    """One chapter of the tutorial: its id, the tutorial line ranges it covers (first to last line, in the
    tutorial's order; a chapter the tutorial continues later has two), its lab target, and whether the API
    changed in transformers 5 (then `learn.ch.<id>.note` says how)."""

    id: str
    lines: tuple[tuple[int, int], ...]
    target: Target
    api_changed: bool

    @property
    def first_line(self) -> int:
        return self.lines[0][0]

    @property
    def title_key(self) -> str:
        return f"learn.ch.{self.id}.title"

    @property
    def summary_key(self) -> str:
        return f"learn.ch.{self.id}.summary"

    @property
    def note_key(self) -> str:
        return f"learn.ch.{self.id}.note"

    @property
    def original(self) -> str:
        """The tutorial's snippet, shortened."""
        return ORIGINAL[self.id]

    @property
    def modern(self) -> str:
        """The same step in transformers 5."""
        return MODERN[self.id]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("ecosystem", ((1, 18),), _target("models", "cache", download_repo="bert-base-chinese"), False),
    Chapter("generation", ((19, 26),),
            _target("sampling", "explore", localized={"prompt": GENERATION_PROMPTS},
                    do_sample=True, temperature=0.7, top_k=50, top_p=0.9), False),
    Chapter("pipeline", ((27, 91),), _target("sentiment", "predict", text=PIPELINE_SENTENCE), True),
    # load_dataset / save_to_disk / load_from_disk, then `train[i]` for the first rows in order; the tutorial
    # comes back to datasets with dataset.map(tokenizer, batched=True) after the tokenizer's batch encoding
    Chapter("datasets", ((94, 159), (260, 283)),
            _target("sentiment", "explore", data_source="role", split="train", query="", regex=False, sort="order",
                    descending=False), True),
    # Mydataset returning (text, label), then the version that tokenizes in __getitem__ with squeeze(0) and a
    # DataLoader(batch_size=32) giving [32, 128] batches; near its end it explains why a PyTorch Dataset at all
    Chapter("torch_dataset", ((160, 192), (284, 342), (942, 949)),
            _target("sentiment", "torch", torch_split="train", batch_size=32, max_length=128), False),
    Chapter("tokenizer", ((193, 259),),
            _target("tokenizer", "anatomy", texts="\n".join(TOKENIZER_SENTENCES[:2]), mode="lines", use_pairs=False,
                    add_special_tokens=True, truncation=True, padding="max_length", set_max_length=True,
                    max_length=30), True),
    Chapter("vocab", ((343, 382),),
            _target("tokenizer", "surgery", new_tokens="阳光, 大地", new_special="[EOS]", special_role="eos_token",
                    probe="阳光照在大地上[EOS]", lookup="阳, 光, 阳光"), True),
    Chapter("inference_api", ((383, 397), (950, 983)),
            _target("sampling", None, remote=True,  # the remote panel has no tabs
                    remote_url="https://router.huggingface.co/v1"), True),
    Chapter("licences", ((398, 452),), _target("models", "overview", pick="role", role="sentiment"), False),
    # the story page in the tutorial's own mode (教程原版) with its defaults: 故事最大字数 300, 创意值 5, 温馨
    Chapter("story", ((453, 775),),
            _target("image_story", None, mode="tutorial", style=story_tutorial.DEFAULT_STYLE,
                    tutorial_length=story_tutorial.DEFAULT_CHARS,
                    tutorial_creativity=story_tutorial.DEFAULT_CREATIVITY), True),
    Chapter("auto_model", ((776, 847),),
            _target("models", "heads", pick="role", role="sentiment", head="AutoModelForSequenceClassification"),
            False),
    Chapter("subword", ((848, 941),),
            _target("tokenizer", "anatomy", texts="\n".join(SUBWORD_TEXTS), mode="lines", use_pairs=False), True),
)


def chapter(chapter_id: str) -> Chapter:
    """The chapter with `chapter_id`."""
    return next(c for c in CHAPTERS if c.id == chapter_id)


def progress(done: set[str]) -> tuple[int, list[Chapter]]:
    """(how many chapters are done, the chapters left in the tutorial's order)."""
    left = [c for c in CHAPTERS if c.id not in done]
    return len(CHAPTERS) - len(left), left
