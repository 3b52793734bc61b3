"""English -> Chinese caption translation with a Marian model (opus-mt-en-zh).

The model is loaded once per process by the model manager; this module only runs it.
"""
from __future__ import annotations


def translate_en_zh(model, tokenizer, text: str, max_new_tokens: int = 128) -> str:
    """Translate one English sentence. Callers hold the model's lock."""
    import torch

    inputs = tokenizer([text.strip()], return_tensors="pt", truncation=True, max_length=256).to(model.device)
    # a caption's translation is about as many tokens as its source: do not let a bad model ramble to 128
    max_new_tokens = min(max_new_tokens, 2 * inputs["input_ids"].shape[1] + 10)
    with torch.inference_mode():
        out = model.generate(**inputs, num_beams=4, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(out[0], skip_special_tokens=True).strip()
