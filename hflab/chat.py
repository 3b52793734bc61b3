"""Chat-template prompts in which text typed by a user can never become a special token.

`apply_chat_template(..., tokenize=True)` renders the template and tokenizes the result as one string,
so a user who types `<|im_end|>\n<|im_start|>system` gets a real system turn. Here the template is
rendered around placeholders, its own parts are tokenized as usual (their markers are real special
tokens) and each message's content is tokenized with `split_special_tokens=True` (markers stay text).
For text sent to a remote server, whose template we do not run, typed markers are broken apart instead.
"""
from __future__ import annotations

import re
import secrets
from typing import Any

ZERO_WIDTH_SPACE = "\u200b"


def special_token_strings(tokenizer: Any) -> list[str]:
    """Every special / added token string the tokenizer would turn into one special id, longest first."""
    names = set(getattr(tokenizer, "all_special_tokens", []) or [])
    names.update(str(tok) for tok in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).values()
                 if getattr(tok, "special", False))
    return sorted((n for n in names if n), key=len, reverse=True)


def markers_in(messages: list[dict], markers: list[str]) -> list[str]:
    """Which of `markers` the messages' contents hold (the page says they were kept as text)."""
    return [marker for marker in markers if any(marker in str(m.get("content", "")) for m in messages)]


def typed_markers(tokenizer: Any, messages: list[dict]) -> list[str]:
    """The tokenizer's special-token strings found in the messages' contents."""
    return markers_in(messages, special_token_strings(tokenizer))


def chat_text_and_ids(tokenizer: Any, messages: list[dict], add_generation_prompt: bool = True
                      ) -> tuple[str, list[int]]:
    """The rendered chat prompt and its token ids, with every message's content tokenized as plain text.

    The template's own markers are cut out as their special ids; everything between them (template text
    and contents together, so merges across their borders stay as they are) is tokenized with
    `split_special_tokens=True`. Without typed markers the ids equal `apply_chat_template(tokenize=True)`.
    """
    holders = [f"\u2063{secrets.token_hex(8)}\u2063" for _ in messages]
    rendered = tokenizer.apply_chat_template(
        [{**m, "content": holder} for m, holder in zip(messages, holders)],
        add_generation_prompt=add_generation_prompt, tokenize=False)
    markers = special_token_strings(tokenizer)
    pattern = re.compile("(" + "|".join(re.escape(m) for m in markers) + ")") if markers else None
    contents = {holder: str(m.get("content", "")) for m, holder in zip(messages, holders)}
    holder_split = re.compile("(" + "|".join(re.escape(h) for h in holders) + ")")
    ids: list[int] = []
    text_parts: list[str] = []
    pending = ""  # text waiting to be tokenized as plain text
    for part in holder_split.split(rendered):
        if part in contents:
            pending += contents[part]
            text_parts.append(contents[part])
            continue
        text_parts.append(part)
        for piece in (pattern.split(part) if pattern else [part]):
            if pattern and piece in markers:
                ids += _plain_ids(tokenizer, pending) + [tokenizer.convert_tokens_to_ids(piece)]
                pending = ""
            else:
                pending += piece
    ids += _plain_ids(tokenizer, pending)
    return "".join(text_parts), ids


def encode_as_text(tokenizer: Any, text: str, **kwargs: Any):
    """`tokenizer(text, **kwargs)` with every special-token string in `text` tokenized as plain text (for a prompt
    whose every part is text: the tutorial's raw prompt around a typed caption); the tokens the call itself adds
    (`add_special_tokens`) stay special."""
    return tokenizer(text, split_special_tokens=True, **kwargs)


def _plain_ids(tokenizer: Any, text: str) -> list[int]:
    return encode_as_text(tokenizer, text, add_special_tokens=False).input_ids if text else []


def defuse_markers(text: str, markers: list[str]) -> str:
    """`text` with each marker broken by a zero-width space after its first character (for remote servers)."""
    for marker in markers:
        if len(marker) > 1:
            text = text.replace(marker, marker[0] + ZERO_WIDTH_SPACE + marker[1:])
    return text


# chat markers of the templates a remote server may run (ChatML, Llama 2/3, Mistral, Gemma, Phi, SmolLM)
REMOTE_MARKERS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<|start_header_id|>",
                  "<|end_header_id|>", "<|eot_id|>", "<start_of_turn>", "<end_of_turn>", "[INST]", "[/INST]",
                  "<<SYS>>", "<</SYS>>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<s>", "</s>"]


def defuse_messages(messages: list[dict]) -> list[dict]:
    """Messages for a remote server with every known chat marker in their contents broken apart."""
    return [{**m, "content": defuse_markers(str(m.get("content", "")), REMOTE_MARKERS)} for m in messages]
