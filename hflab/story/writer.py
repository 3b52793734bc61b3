"""The story writer: chat messages per style, sampling settings, token streaming and length control.

The page consumes a *chunk source*: any iterator of text chunks. `stream_local` is the one for a
transformers model (TextIteratorStreamer fed by `generate` in a thread); another backend only has to
yield text. `cut_at_sentence` wraps any chunk source and ends the story at the first sentence end
near the requested length, then closes the source (which stops generation).

A settings object decides the whole run: how the prompt is encoded, the `generate` arguments, how
the stream is limited and how the final text is finished. `StorySettings` is the lab's way;
`hflab.story.tutorial.TutorialSettings` is the tutorial's original, with the same methods.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields

from hflab.chat import chat_text_and_ids

# the tutorial's eleven styles; the prompt uses these Chinese names, the page shows translated labels
STYLES = ("搞笑", "武侠", "爱情", "动作", "科幻", "悬疑", "奇幻", "温馨", "恐怖", "冒险", "童话")
STYLE_HINTS = {
    "搞笑": "情节夸张，有反转和笑点，语言俏皮。",
    "武侠": "有江湖、侠义和招式描写，语言带一点古风。",
    "爱情": "细腻地写人物的心动与情感变化。",
    "动作": "节奏紧凑，动作描写具体，充满张力。",
    "科幻": "有合理的科学设想和未来感的细节。",
    "悬疑": "埋下伏笔，层层推进，结尾揭开谜底。",
    "奇幻": "有魔法或奇异生物，想象丰富。",
    "温馨": "温暖治愈，写出人与人之间的善意。",
    "恐怖": "营造紧张阴森的气氛，但不要血腥。",
    "冒险": "主角踏上旅程，克服困难，有成长。",
    "童话": "语言简单，适合讲给孩子听，有一个小道理。",
}
STYLE_NAMES_EN = dict(zip(STYLES, ("funny", "martial-arts", "love", "action", "science-fiction", "mystery",
                                     "fantasy", "heart-warming", "scary", "adventure", "fairy-tale")))
MIN_CHARS, MAX_CHARS = 50, 1000
DEFAULT_CHARS = 300
ENGLISH_CENTRIC_DEFAULT_CHARS = (
    100  # the offline SmolLM2 writes English at ~1 token/s on 2 cores: keep its first story short
)
TEMPERATURE_PER_STEP = 0.15  # creativity 0..10 -> temperature 0.15 x creativity; 0 means greedy decoding
TOP_K = 50  # fixed and recorded, so a model's own generation_config (Qwen2 sets top_k=20) cannot change results
# an ASCII full stop ends a sentence unless it sits after a digit (3.5): the offline model writes English
_SENTENCE_END = re.compile(r"(?:[。！？!?…]|(?<![0-9])\.)+[」』”’\"'）)]*")
_CLOSERS = "」』”’\"'）)"


def creativity_to_temperature(creativity: int) -> float:
    """The sampling temperature for a creativity level (0 = greedy, 10 = 1.5)."""
    return round(TEMPERATURE_PER_STEP * max(0, min(10, int(creativity))), 2)


# what the model is asked to write, in its own language: its tokenizer on these gives characters per token
REFERENCE_STORY = {
    "zh": "小猫坐在窗台上，看着外面的雨。它想出去玩，可是妈妈说雨停了才可以。过了一会儿，太阳出来了，"
          "天边挂着一道彩虹。小猫跳下窗台，跑进花园，和蝴蝶一起在草地上奔跑。",
    "en": "A little cat sat on the windowsill and watched the rain. It wanted to go outside and play, but its "
          "mother said it had to wait until the rain stopped. After a while the sun came out and a rainbow hung "
          "in the sky. The cat jumped down and ran into the garden to chase butterflies across the grass.",
}
BUDGET_HEADROOM = 1.2  # room for the sentence that crosses the target, not enough to let the story run away


def chars_per_token(tokenizer, language: str) -> float:
    """Characters (whitespace excluded) per token of `tokenizer` on the reference story in `language`."""
    sample = REFERENCE_STORY[language]
    return count_chars(sample) / max(1, len(tokenizer(sample, add_special_tokens=False)["input_ids"]))


def token_budget(target_chars: int, cap: int, measured_chars_per_token: float | None = None) -> int:
    """max_new_tokens for a story of `target_chars` characters: room to reach a sentence end.

    With the model's measured characters per token: 1.2 x the tokens the target needs, plus 16.
    Unmeasured (the model is not loaded yet): 1.2 tokens per character plus 64, which fits Qwen2
    (about 1.4 Chinese characters per token).
    """
    if measured_chars_per_token is None:
        return max(16, min(cap, int(target_chars * 1.2) + 64))
    return max(16, min(cap, int(target_chars * BUDGET_HEADROOM / measured_chars_per_token) + 16))


@dataclass
class StreamProgress:
    """Tokens and characters streamed so far: the speed and the time left shown beside the stop button.

    A local model reports its exact token count (`stream_local`); for a server each streamed chunk
    counts as one token (OpenAI-compatible servers send one token per chunk).
    """

    max_new_tokens: int
    target_chars: int
    tokens: int = 0
    chars: int = 0
    count_chunks_as_tokens: bool = True
    started: float = field(default_factory=time.perf_counter)

    def add(self, chunk: str) -> None:
        """Count one streamed chunk."""
        self.chars += count_chars(chunk)
        if self.count_chunks_as_tokens and chunk:
            self.tokens += 1

    def tokens_per_s(self) -> float:
        """Tokens per second since the stream started (prompt processing included)."""
        return self.tokens / max(1e-6, time.perf_counter() - self.started)

    def seconds_left(self) -> float | None:
        """Seconds until the story ends at the target length or the token budget, whichever comes first."""
        if not self.tokens:
            return None
        elapsed = time.perf_counter() - self.started
        left = (self.max_new_tokens - self.tokens) * elapsed / self.tokens
        if self.chars:
            left = min(left, (self.target_chars - self.chars) * elapsed / self.chars)
        return max(0.0, left)


@dataclass(frozen=True)
class StorySettings:
    """Everything that decides the generated story besides the model and the messages."""

    style: str = "温馨"
    target_chars: int = 300
    creativity: int = 6
    top_p: float = 0.9
    repetition_penalty: float = 1.1
    seed: int = 42
    max_new_tokens: int = 424

    @property
    def temperature(self) -> float:
        """Temperature from creativity (shown on the page next to the slider)."""
        return creativity_to_temperature(self.creativity)

    @property
    def do_sample(self) -> bool:
        """Creativity 0 means greedy decoding (no sampling)."""
        return self.temperature > 0

    def generate_kwargs(self) -> dict:
        """The keyword arguments for `model.generate` (besides inputs, streamer, stopping criteria)."""
        kwargs = {"max_new_tokens": self.max_new_tokens, "repetition_penalty": self.repetition_penalty,
                  "do_sample": self.do_sample}
        if self.do_sample:
            kwargs.update(temperature=self.temperature, top_p=self.top_p, top_k=TOP_K)
        return kwargs

    def special_token_kwargs(self, tokenizer) -> dict:
        """None: the chat model's own generation config supplies the pad and end-of-turn tokens."""
        return {}

    def encode(self, tokenizer, messages: list[dict]):
        """Model inputs: the chat messages through the model's chat template; a typed chat marker in the caption
        stays text (hflab.chat), it never opens a turn of its own."""
        import torch
        from transformers import BatchEncoding

        _, ids = chat_text_and_ids(tokenizer, messages)
        return BatchEncoding(
            {"input_ids": torch.tensor([ids]), "attention_mask": torch.ones(1, len(ids), dtype=torch.long)}
        )

    def limit(self, chunks: Iterable[str]) -> Iterator[str]:
        """The stream, ended at the first sentence end near the target length."""
        return cut_at_sentence(chunks, self.target_chars)

    def finish(self, streamed: str) -> str:
        """The final story from the streamed text."""
        return finish_story(streamed)

    def as_dict(self) -> dict:
        """Settings plus the derived values, for params.json."""
        return {**asdict(self), "temperature": self.temperature, "do_sample": self.do_sample,
                "generate_kwargs": self.generate_kwargs()}

    @classmethod
    def from_dict(cls, data: dict) -> StorySettings:
        """Rebuild from `as_dict()` output (derived keys ignored)."""
        return cls(**known_fields(cls, data))


def known_fields(cls, data: dict) -> dict:
    """The items of `data` that are fields of the dataclass `cls` (derived keys of `as_dict()` dropped)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def build_messages(style: str, caption_zh: str, target_chars: int, caption_en: str = "",
                   language: str = "zh") -> list[dict]:
    """System and user chat messages asking for a Chinese story of `style` about the image; `language="en"` asks
    an English-centric model (the offline SmolLM2) for an English story it can write readably."""
    if language == "en":
        return english_messages(style, caption_en.strip() or caption_zh.strip(), target_chars)
    system = f"你是一位中文故事作家，擅长写{style}故事。{STYLE_HINTS.get(style, '')}只用简体中文写作。"
    user = (f"请根据下面的图片描述，写一个{style}风格的中文故事，大约 {target_chars} 个汉字，"
            f"分成几段，有完整的开头、经过和结尾。不要写标题，直接开始讲故事。\n图片描述：{caption_zh.strip()}")
    if caption_en.strip():
        user += f"\n（英文原描述：{caption_en.strip()}）"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def english_messages(style: str, caption: str, target_chars: int) -> list[dict]:
    """The same request in English (the style by its English name): about `target_chars` letters, whole sentences."""
    name = STYLE_NAMES_EN.get(style, style)
    words = max(10, round(target_chars / 5))  # about 5 letters (whitespace excluded) per English word
    system = f"You are a storyteller who writes short {name.lower()} stories in simple English."
    user = (f"Write a short {name.lower()} story of about {words} words about this picture: {caption}\n"
            "Use complete sentences. No title.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def count_chars(text: str) -> int:
    """Characters that count towards the story length (whitespace excluded)."""
    return sum(1 for ch in text if not ch.isspace())


def sentence_cut(text: str, target_chars: int) -> int | None:
    """End index of the first sentence end at or after 90 % of `target_chars`, or None."""
    threshold = int(target_chars * 0.9)
    for match in _SENTENCE_END.finditer(text):
        if count_chars(text[: match.end()]) >= threshold:
            return match.end()
    return None


def trim_to_sentence(text: str) -> str:
    """If `text` stops mid-sentence (token budget ran out), drop the unfinished tail when that keeps at least half."""
    text = text.strip()
    if not text or text[-1] in _CLOSERS or _SENTENCE_END.search(text[-1]):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if ends and count_chars(text[: ends[-1]]) * 2 >= count_chars(text):
        return text[: ends[-1]]
    return text


def cut_at_sentence(chunks: Iterable[str], target_chars: int) -> Iterator[str]:
    """Pass `chunks` through until the first sentence end near `target_chars`, then stop and close the source.

    The cut depends only on the accumulated text, never on how it was chunked, so a rerun with the
    same seed ends at the same place.
    """
    text = ""
    source = iter(chunks)
    try:
        for chunk in source:
            cut = sentence_cut(text + chunk, target_chars)
            if cut is None:
                text += chunk
                yield chunk
                continue
            head = (text + chunk)[len(text):cut]
            if head:
                yield head
            if cut == len(text + chunk):  # a closing quote may arrive in the next chunk
                following = next(source, "")
                closers = following[: len(following) - len(following.lstrip(_CLOSERS))]
                if closers:
                    yield closers
            return
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def ends_at_sentence(text: str) -> bool:
    """True when `text` ends with a sentence end (closing quotes after it allowed)."""
    text = text.strip().rstrip(_CLOSERS)
    return bool(text) and _SENTENCE_END.search(text[-1]) is not None


def finish_story(streamed: str) -> str:
    """The final story from the streamed text: stripped and ending at a sentence boundary."""
    return trim_to_sentence(streamed)


INCOMPLETE = "\ufffd"  # what decode shows for the bytes of a character whose last bytes have not come yet


def whole_char_streamer(tokenizer, **kwargs):
    """A TextIteratorStreamer that never passes on the bytes of an unfinished character.

    A byte-level tokenizer (Qwen2, SmolLM2) spends several tokens on one Chinese character; decoded before its last
    byte, the character shows as U+FFFD. Mid-stream the streamer already waits for more; at the end of the budget
    it flushed the unfinished piece as U+FFFD: that tail is held back. What the model wrote in between is passed on
    as decoded (invalid bytes it wrote stay U+FFFD: the same text a one-shot `decode` gives).
    """
    from transformers import TextIteratorStreamer

    class WholeCharStreamer(TextIteratorStreamer):
        def on_finalized_text(self, text: str, stream_end: bool = False):
            if stream_end:
                text = text.rstrip(INCOMPLETE)
            super().on_finalized_text(text, stream_end)

    return WholeCharStreamer(tokenizer, **kwargs)


class StoryGenerationError(RuntimeError):
    """`generate` failed inside the streaming thread."""


def _event_stopping_criteria(event: threading.Event, prompt_tokens: int, progress: StreamProgress | None):
    """A StoppingCriteria that ends generation as soon as `event` is set (stop button, length reached).

    Called once per generated token, it also reports the exact number of new tokens to `progress`.
    """
    import torch
    from transformers import StoppingCriteria

    class EventStop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            if progress is not None:
                progress.tokens = input_ids.shape[1] - prompt_tokens
            return torch.full((input_ids.shape[0],), event.is_set(), dtype=torch.bool, device=input_ids.device)

    return EventStop()


def stream_local(model, tokenizer, lock, prompt, settings, progress: StreamProgress | None = None) -> Iterator[str]:
    """Yield story text chunks as a local model generates them (TextIteratorStreamer + generate in a thread).

    `prompt` is what `settings.encode` takes (chat messages for the lab's settings, text for the
    tutorial's). The thread holds `lock` while it tokenizes and generates (the streamer decodes inside
    generate). Closing this generator (or leaving it early) sets a stop event that ends `generate` at
    the next token.
    """
    import torch

    from hflab.runtime.rng import seeded_generate

    stop = threading.Event()
    streamer = whole_char_streamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    failure: list[BaseException] = []
    if progress is not None:
        progress.count_chunks_as_tokens = False

    def run() -> None:
        try:
            with lock:
                inputs = settings.encode(tokenizer, prompt).to(model.device)
                criteria = _event_stopping_criteria(stop, inputs["input_ids"].shape[1], progress)
                with seeded_generate(settings.seed, model.device, [criteria]) as own, torch.inference_mode():
                    model.generate(**inputs, streamer=streamer, **own, **settings.generate_kwargs(),
                                   **settings.special_token_kwargs(tokenizer))
        except BaseException as exc:  # surfaced to the consumer below instead of hanging it
            failure.append(exc)
            streamer.on_finalized_text("", stream_end=True)

    thread = threading.Thread(target=run, name="story-generate", daemon=True)
    thread.start()
    try:
        yield from streamer
    finally:
        stop.set()
        thread.join()
    if failure:
        raise StoryGenerationError(f"{type(failure[0]).__name__}: {failure[0]}") from failure[0]


def generate_story(model, tokenizer, lock, prompt, settings) -> str:
    """The whole story through the same path the page streams (used to regenerate from params.json)."""
    return settings.finish("".join(settings.limit(stream_local(model, tokenizer, lock, prompt, settings))))
