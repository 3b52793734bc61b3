"""The arguments of one `tokenizer(...)` call, and the checks on what the learner typed.

Every check returns `Message`s: errors stop the call, warnings explain what was changed or dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hflab.byte_pieces import control_chars
from hflab.messages import Message

UNSET_MODEL_MAX = 1_000_000  # transformers uses ~1e30 for "no known maximum"
FALLBACK_MAX_LENGTH = 8192  # the largest max_length allowed when the tokenizer knows no maximum

TRUNCATION_CHOICES: tuple = (False, True, "longest_first", "only_first", "only_second")
PADDING_CHOICES: tuple = (False, "longest", "max_length")
FIELDS = ("input_ids", "token_type_ids", "attention_mask", "special_tokens_mask", "offset_mapping", "length")
LINE_SEPARATORS = ("\u2028", "\u2029")


@dataclass(frozen=True)
class CallOptions:
    """The arguments of the tutorial's call, each explicit so the returned fields are predictable."""

    add_special_tokens: bool = True
    truncation: bool | str = False
    padding: bool | str = False
    max_length: int | None = None
    return_attention_mask: bool = True
    return_token_type_ids: bool = True
    return_special_tokens_mask: bool = False
    return_offsets_mapping: bool = False
    return_length: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `tokenizer(texts, **kwargs)` (max_length only when set)."""
        kw: dict[str, Any] = {"add_special_tokens": self.add_special_tokens, "truncation": self.truncation,
                              "padding": self.padding}
        if self.max_length is not None:
            kw["max_length"] = self.max_length
        kw.update(return_attention_mask=self.return_attention_mask, return_token_type_ids=self.return_token_type_ids,
                  return_special_tokens_mask=self.return_special_tokens_mask,
                  return_offsets_mapping=self.return_offsets_mapping, return_length=self.return_length)
        return kw

    def returned_fields(self) -> list[str]:
        """The keys the user's call returns, in display order."""
        flags = {"input_ids": True, "token_type_ids": self.return_token_type_ids,
                 "attention_mask": self.return_attention_mask,
                 "special_tokens_mask": self.return_special_tokens_mask,
                 "offset_mapping": self.return_offsets_mapping, "length": self.return_length}
        return [f for f in FIELDS if flags[f]]

    @property
    def truncates(self) -> bool:
        """True when the call may cut tokens away."""
        return self.truncation not in (False, "do_not_truncate")


def split_texts(raw: str, one_per_line: bool) -> list[str]:
    """The batch typed in a box: one text per "\\n"-separated line (empty lines dropped), or the whole box.

    Only "\\n" separates lines: U+2028 inside a text stays part of it (`str.splitlines` would split there).
    """
    if not one_per_line:
        return [raw]
    return [line.rstrip("\r") for line in raw.split("\n") if line.strip()]


def check_texts(raw: str, one_per_line: bool, max_chars: int, max_texts: int,
                what: str = "text") -> tuple[list[str], list[Message]]:
    """Split and check one input box; returns the texts to tokenize and the messages to show."""
    messages: list[Message] = []
    if not raw:
        return [], [Message("tokenizer.bad.empty", {"what": what})]
    if not raw.strip():
        return [], [Message("tokenizer.bad.whitespace", {"what": what})]
    if len(raw) > max_chars:
        messages.append(Message("tokenizer.bad.too_long", {"chars": len(raw), "limit": max_chars}, "warning"))
        raw = raw[:max_chars]
    texts = split_texts(raw, one_per_line)
    if len(texts) > max_texts:
        messages.append(Message("tokenizer.bad.too_many", {"count": len(texts), "limit": max_texts}, "warning"))
        texts = texts[:max_texts]
    controls = sorted({c for text in texts for c in control_chars(text)})
    if controls:
        messages.append(Message("tokenizer.bad.control", {"chars": ", ".join(f"U+{ord(c):04X}" for c in controls[:5])},
                                "warning"))
    if any(sep in raw for sep in LINE_SEPARATORS):
        messages.append(Message("tokenizer.bad.line_separator", level="warning"))
    return texts, messages


def check_pairs(texts: list[str], pairs: list[str]) -> list[Message]:
    """Sentence pairs must match the texts one to one."""
    if pairs and len(pairs) != len(texts):
        return [Message("tokenizer.bad.pair_count", {"pairs": len(pairs), "texts": len(texts)})]
    return []


def model_max(tokenizer: Any) -> int | None:
    """The tokenizer's model_max_length, or None when it declares no real maximum."""
    value = getattr(tokenizer, "model_max_length", None)
    return int(value) if value and value < UNSET_MODEL_MAX else None


def check_options(options: CallOptions, tokenizer: Any, has_pairs: bool) -> list[Message]:
    """Errors in the call's arguments that the library would silently ignore or fail on."""
    messages: list[Message] = []
    limit = model_max(tokenizer) or FALLBACK_MAX_LENGTH
    if options.max_length is not None:
        if options.max_length <= 0:
            messages.append(Message("tokenizer.bad.max_length_zero"))
        elif options.max_length > limit:
            messages.append(Message("tokenizer.bad.max_length_large", {"value": options.max_length, "limit": limit}))
        elif options.add_special_tokens and options.truncates:
            reserved = tokenizer.num_special_tokens_to_add(pair=has_pairs)
            if options.max_length <= reserved:
                messages.append(Message("tokenizer.bad.max_length_specials",
                                        {"value": options.max_length, "reserved": reserved}))
    if options.padding == "max_length" and options.max_length is None:
        messages.append(Message("tokenizer.bad.pad_without_max", {"limit": model_max(tokenizer) or "?"}))
    if options.truncation == "only_second" and not has_pairs:
        messages.append(Message("tokenizer.bad.only_second"))
    if options.truncates and options.max_length is None and model_max(tokenizer) is None:
        messages.append(Message("tokenizer.bad.truncation_no_max"))
    if options.padding and getattr(tokenizer, "pad_token", None) is None:
        messages.append(Message("tokenizer.bad.no_pad_token"))
    return messages
