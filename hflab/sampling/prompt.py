"""The prompt as the model sees it: plain, or wrapped in the tokenizer's chat template as one user turn;
and the example prompts the playground starts from."""
from __future__ import annotations

from hflab.chat import chat_text_and_ids

# the first prompt, in the UI's language; both are offered where the model is English-centric
EXAMPLE_PROMPTS = {"zh": "从前，在一个小村庄里，", "en": "Once upon a time, in a small village,"}


def has_chat_template(tokenizer) -> bool:
    """True when the tokenizer carries a chat template (the wrap can be offered)."""
    return bool(getattr(tokenizer, "chat_template", None))


def encode_prompt(tokenizer, prompt: str, use_chat: bool) -> tuple[str, list[int]]:
    """(the text the model sees, its token ids): the prompt itself, or the chat template around it with the
    assistant turn opened (`add_generation_prompt`); no special tokens added beyond what the template writes."""
    if use_chat:  # typed chat markers stay text inside the user turn (hflab.chat)
        return chat_text_and_ids(tokenizer, [{"role": "user", "content": prompt}])
    return prompt, tokenizer(prompt, add_special_tokens=False).input_ids
