"""The second tokenizer of the Compare tab: the causal LM's byte-level BPE tokenizer, without its model.

Offline the causal LM is a GGUF file; converting the whole model only to get its tokenizer took about
two minutes. The tokenizer alone is read out of the GGUF (still tens of seconds: the reader walks all
of the file's metadata) and saved once as a small folder, so later loads take a second.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from hflab.loading import loaders, offline_assets
from hflab.loading.sources import Source
from hflab.paths import atomic_dir
from hflab.settings import get_settings

_extract_lock = threading.Lock()


def tokenizer_only_dir() -> Path:
    """Where the tokenizer read out of the packaged GGUF is kept."""
    return get_settings().assets_dir / "SmolLM2-135M-Instruct-tokenizer"


def _extracted() -> bool:
    return (tokenizer_only_dir() / "tokenizer_config.json").is_file()


def needs_extraction(source: Source) -> bool:
    """True when loading this source's tokenizer must first read it out of the GGUF (slow, once)."""
    return source.needs_conversion and not _extracted()


def load_compare_tokenizer(source: Source) -> Any:
    """The tokenizer of `source` alone: from the converted model when it exists, else from the GGUF
    (read once and saved as a tokenizer folder), else as `loaders.load_tokenizer` does."""
    if not source.needs_conversion:
        return loaders.load_tokenizer(source)
    with _extract_lock:
        if not _extracted():
            gguf = offline_assets.smollm2_gguf()
            if gguf is None:
                raise FileNotFoundError(offline_assets.SMOLLM2_GGUF)
            tokenizer = offline_assets.gguf_tokenizer(gguf)
            with atomic_dir(tokenizer_only_dir()) as tmp:
                tokenizer.save_pretrained(tmp)
    return loaders.load_tokenizer_dir(tokenizer_only_dir())
