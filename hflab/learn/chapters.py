"""The tutorial's chapters as data, in the tutorial's order, each with where in the lab to try it.

Titles, summaries and notes are catalog keys (`learn.ch.<id>.title` / `.summary` / `.note`); the tutorial's code is
in `hflab.learn.tutorial_code`, its transformers 5 form in `hflab.learn.code`, and where the tutorial's code breaks
today in `hflab.learn.traps`. A `Target` is plain data: the page to open (its id), the tab it should
open on and what it should show, in the lesson's words ("text", "split", ...): the page maps each word to its own
widget (`LINK_FIELDS` in app_pages/<page>.py), so nothing here names another layer's widgets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hflab.learn.code import MODERN, Snippet
from hflab.learn.traps import Trap, chapter_traps
from hflab.learn.tutorial_code import ORIGINAL
from hflab.story import tutorial as story_tutorial
from hflab.tokenizer.examples import EXAMPLES

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
# the generation chapter has no prompt of its own: the tutorial's pipeline("text-generation") prompt (its Inference
# API section), in Chinese put into Chinese (a prompt to continue, not the classification sentence)
GENERATION_PROMPTS = MappingProxyType({"zh": "人工智能的未来是", "en": "The future of AI is"})
# the Tokenizer page's subword example: sent there, it shows the tutorial's 黑 / ##黑 lesson beside the tokens
SUBWORD_TEXTS = tuple(EXAMPLES["subword"][0])
# the Inference API chapter: the OpenAI-compatible face of the router that replaced api-inference.huggingface.co
ROUTER_URL = "https://router.huggingface.co/v1"


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
    """One chapter of the tutorial: its id, the tutorial's headings it covers (verbatim, in the tutorial's order; a
    chapter the tutorial comes back to later lists the later heading too) and its lab target."""

    id: str
    sections: tuple[str, ...]
    target: Target

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
    def original(self) -> tuple[Snippet, ...]:
        """The tutorial's code, verbatim (empty where its section has none)."""
        return ORIGINAL.get(self.id, ())

    @property
    def modern(self) -> tuple[Snippet, ...]:
        """The same steps as complete transformers 5 code."""
        return MODERN[self.id]

    @property
    def traps(self) -> tuple[Trap, ...]:
        """Where the tutorial's code fails or changes meaning on today's libraries."""
        return chapter_traps(self.id)


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("ecosystem", ("Hugging Face系统学习", "注册和安装"),
            _target("models", "cache", download_repo="bert-base-chinese")),
    Chapter("generation", ("temperature、top_k、top_p的区别含义与作用机制",),
            _target("sampling", "explore", localized={"prompt": GENERATION_PROMPTS},
                    do_sample=True, temperature=0.7, top_k=50, top_p=0.9)),
    # the untrained head's answer (LABEL_x near 0.5) is what the lesson explains: the Models page builds the
    # classification head on the sentiment role's checkpoint and runs pipeline("text-classification") on the sentence
    Chapter("pipeline", ("加载Bert分类模型", "输出结果解析"),
            _target("models", "heads", pick="role", role="sentiment", head="AutoModelForSequenceClassification",
                    text=PIPELINE_SENTENCE)),
    # load_dataset / save_to_disk / load_from_disk, then `train[i]` for the first rows in order; the tutorial
    # comes back to datasets with dataset.map(tokenizer, batched=True) after the tokenizer's batch encoding
    Chapter("datasets", ("数据集下载&本地加载", "方式2:自己自定义数据集", "转换huggingface自带的datasets数据集"),
            _target("sentiment", "explore", data_source="role", split="train", query="", regex=False, sort="order",
                    descending=False)),
    # Mydataset returning (text, label), then the version that tokenizes in __getitem__ with squeeze(0) and a
    # DataLoader(batch_size=32) giving [32, 128] batches; near its end it explains why a PyTorch Dataset at all
    Chapter("torch_dataset", ("使用PyTorch 原生的 Dataset 加载数据(重点,常用)", "转换PyTorch Dataset 数据集",
                              "1. 本质区别:datasets.Dataset vs torch.utils.data.Dataset"),
            _target("sentiment", "torch", torch_split="train", batch_size=32, max_length=128)),
    Chapter("tokenizer", ("词汇表操作", "批量文本编码"),
            _target("tokenizer", "anatomy", texts="\n".join(TOKENIZER_SENTENCES[:2]), mode="lines", use_pairs=False,
                    add_special_tokens=True, truncation=True, padding="max_length", set_max_length=True,
                    max_length=30)),
    Chapter("vocab", ("修改词汇表",),
            _target("tokenizer", "surgery", new_tokens="阳光, 大地", new_special="[EOS]", special_role="eos_token",
                    probe="阳光照在大地上[EOS]", lookup="阳, 光, 阳光")),
    Chapter("inference_api",
            ("在线API访问(很多API访问不了,了解即可)", "匿名访问 API(了解)", "使用Access Tokens调用API"),
            _target("sampling", None, remote=True, remote_url=ROUTER_URL)),  # the remote panel has no tabs
    # offline the sentiment role has no model: the Models page shows its licence lesson on a model that is here (the
    # classifier the lab trained, else the packaged SmolLM2 with its Apache-2.0), hflab/models/stand_in.py
    Chapter("licences", ("License说明",), _target("models", "overview", pick="role", role="sentiment")),
    # the story page in the tutorial's own mode (教程原版) with its defaults: 故事最大字数 300, 创意值 5, 温馨, and its
    # first example (gr.Examples: dog.jpg, 300, 温馨, 5) chosen, so an example image is on the page
    # the tutorial creates its Space ("查看自己的模型", "创建或上传模型文件"), then writes the app's code into it
    Chapter("story", ("查看自己的模型", "创建或上传模型文件", "模型代码示例"),
            _target("image_story", None, mode="tutorial", style=story_tutorial.DEFAULT_STYLE,
                    tutorial_length=story_tutorial.DEFAULT_CHARS,
                    tutorial_creativity=story_tutorial.DEFAULT_CREATIVITY,
                    tutorial_example=story_tutorial.EXAMPLES[0].id)),
    # the Space downloads its models on every cold start: the Models page's cache tab shows what that means
    Chapter("deploy", ("编写依赖文件", "编写README.md", "为什么每次执行代码都那么久?不应该有缓存吗"),
            _target("models", "cache", download_repo="Qwen/Qwen2-0.5B-Instruct")),
    # offline the same stand-in: the heads its architecture takes are listed before any load or conversion
    Chapter("auto_model", ("AutoModel和 AutoModelForXXX",),
            _target("models", "heads", pick="role", role="sentiment", head="AutoModelForSequenceClassification")),
    Chapter("subword", ("子词分割",),
            _target("tokenizer", "anatomy", texts="\n".join(SUBWORD_TEXTS), mode="lines", use_pairs=False)),
)


def chapter(chapter_id: str) -> Chapter:
    """The chapter with `chapter_id`."""
    return next(c for c in CHAPTERS if c.id == chapter_id)


def progress(done: set[str]) -> tuple[int, list[Chapter]]:
    """(how many chapters are done, the chapters left in the tutorial's order)."""
    left = [c for c in CHAPTERS if c.id not in done]
    return len(CHAPTERS) - len(left), left
