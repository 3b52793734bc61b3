"""The tutorial's own story step (教程原版), kept as the tutorial wrote it so a learner can compare.

The tutorial (its Gradio `app.py`) maps creativity 0-10 to a temperature of 0.3-2.0, sends a raw
text prompt (任务 / 要求 / 图片描述 / 故事) without a chat template, always samples with top_p 0.9,
allows as many new tokens as the maximum number of characters, and cuts the decoded story hard at
that number, back to the last "。", adding a truncation marker.

The lab's own mode (hflab.story.writer) differs on purpose: Qwen2-Instruct is a chat model, so its
chat template follows the instructions better; creativity 0 there means greedy decoding, so a learner
can see the model's single most likely story; and the story ends at a sentence end near the target
instead of a hard cut. `TutorialSettings` has the same methods as `StorySettings`, so the page and
`writer.stream_local` / `writer.generate_story` run either.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from hflab.chat import encode_as_text
from hflab.story.caption import CaptionSettings
from hflab.story.writer import StorySettings, known_fields

MIN_CHARS, MAX_CHARS, CHARS_STEP = 50, 1000, 50  # the tutorial's "故事最大字数" slider
DEFAULT_CHARS, DEFAULT_CREATIVITY, DEFAULT_STYLE = 300, 5, "温馨"
TOP_P = 0.9  # the tutorial: "平衡创意与逻辑"
PROMPT_MAX_TOKENS = 512  # the tutorial truncates its prompt to 512 tokens
TRUNCATION_MARKER = "......(故事已截断以符合字数要求)"
# the tutorial's caption call: `model.generate(**inputs, max_length=50, num_beams=3)`, no repetition penalty,
# BLIP's own generation config for the rest (greedy beams); its translation: `translator(caption, max_length=50)`
CAPTION = CaptionSettings(num_beams=3, max_length=50, repetition_penalty=None)
TRANSLATION_MAX_NEW_TOKENS = 49  # max_length=50 counts the decoder's start token
SEED_LIMIT = 2**31  # seeds the page's number input takes: 0 .. 2**31 - 1


@dataclass(frozen=True)
class TutorialExample:
    """One row of the tutorial's `gr.Examples`: its image file, 故事最大字数, 风格, 创意值; `image` is the lab's
    stand-in for that file (the tutorial does not ship its images): an example image id of the story page."""

    id: str
    tutorial_file: str
    max_chars: int
    style: str
    creativity: int
    image: str


# the tutorial's examples, in its order: ["./example_images/dog.jpg", 300, "温馨", 5], ...
EXAMPLES = (
    TutorialExample("dog", "dog.jpg", 300, "温馨", 5, "chelsea"),  # a pet photo: the shipped cat
    TutorialExample("kite", "fangfengzheng.jpeg", 400, "童话", 8, "kite"),  # 放风筝: drawn in code
    TutorialExample("wedding", "jiehun.jpg", 200, "爱情", 7, "rings"),  # 结婚: drawn in code
)


def tutorial_example(example_id: str) -> TutorialExample:
    """The tutorial's example with `example_id`."""
    return next(e for e in EXAMPLES if e.id == example_id)


def fresh_seed() -> int:
    """A new seed for one click in the tutorial's mode (the tutorial never seeds: each click tells a new story)."""
    return secrets.randbelow(SEED_LIMIT)


def tutorial_temperature(creativity: int) -> float:
    """The tutorial's mapping: `max(0.3, min(2.0, 0.3 + (creativity / 10) * 1.7))`."""
    return max(0.3, min(2.0, 0.3 + (creativity / 10) * 1.7))


def tutorial_prompt(style: str, caption: str, max_length: int) -> str:
    """The tutorial's prompt text, character for character (its colons and semicolons are ASCII)."""
    return f"""任务:根据图片描述写{style}风格故事
要求:1. 纯中文;2. 字数控制在{max_length}字左右;3. 符合风格特点,语句通顺
图片描述:{caption}
故事:"""


def tutorial_cut(story: str, max_length: int) -> str:
    """The tutorial's length control: longer than `max_length` -> cut there, back to the last "。", plus the marker."""
    if len(story) > max_length:
        story = story[:max_length].rsplit("。", 1)[0] + TRUNCATION_MARKER
    return story


@dataclass(frozen=True)
class TutorialSettings:
    """The tutorial's story settings; `target_chars` is its "故事最大字数" (max_length)."""

    style: str = DEFAULT_STYLE
    target_chars: int = DEFAULT_CHARS
    creativity: int = DEFAULT_CREATIVITY
    seed: int = 42

    @property
    def temperature(self) -> float:
        """The tutorial's temperature for this creativity."""
        return tutorial_temperature(self.creativity)

    @property
    def do_sample(self) -> bool:
        """The tutorial always samples."""
        return True

    @property
    def top_p(self) -> float:
        """Fixed in the tutorial."""
        return TOP_P

    @property
    def max_new_tokens(self) -> int:
        """The tutorial's `max_length=len(input_ids) + max_length`: one new token per allowed character."""
        return self.target_chars

    def generate_kwargs(self) -> dict:
        """The tutorial's `generate` arguments (top_k and repetition_penalty come from the model's generation
        config)."""
        return {"max_new_tokens": self.max_new_tokens, "temperature": self.temperature, "do_sample": True,
                "top_p": TOP_P}

    def special_token_kwargs(self, tokenizer) -> dict:
        """The tutorial passes the tokenizer's pad (its end-of-text when it has none) and end-of-text ids."""
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        return {"pad_token_id": pad, "eos_token_id": tokenizer.eos_token_id}

    def encode(self, tokenizer, prompt: str):
        """Model inputs: the raw prompt text, truncated to 512 tokens, no chat template. The prompt holds no
        markers of its own, so all of it is tokenized as text: a chat marker typed into the caption stays text."""
        return encode_as_text(tokenizer, prompt, return_tensors="pt", truncation=True, max_length=PROMPT_MAX_TOKENS)

    def limit(self, chunks: Iterable[str]) -> Iterator[str]:
        """The tutorial generates its whole token budget; the cut comes afterwards."""
        return iter(chunks)

    def finish(self, streamed: str) -> str:
        """The tutorial's hard cut (its decode strips the text first)."""
        return tutorial_cut(streamed.strip(), self.target_chars)

    def as_dict(self) -> dict:
        """Settings plus the derived values, for params.json."""
        return {**asdict(self), "mode": "tutorial", "temperature": self.temperature, "do_sample": True,
                "generate_kwargs": self.generate_kwargs()}

    @classmethod
    def from_dict(cls, data: dict) -> TutorialSettings:
        """Rebuild from `as_dict()` output (derived keys ignored)."""
        return cls(**known_fields(cls, data))


def from_lab(settings: StorySettings) -> TutorialSettings:
    """The tutorial's settings for the same style, creativity and seed, the length on its 50-character step."""
    chars = min(MAX_CHARS, max(MIN_CHARS, round(settings.target_chars / CHARS_STEP) * CHARS_STEP))
    return TutorialSettings(settings.style, chars, settings.creativity, settings.seed)


def to_lab(settings: TutorialSettings, max_new_tokens: int) -> StorySettings:
    """The lab's settings for the same style, length, creativity and seed (its own top_p and repetition penalty)."""
    return StorySettings(style=settings.style, target_chars=settings.target_chars, creativity=settings.creativity,
                         seed=settings.seed, max_new_tokens=max_new_tokens)
