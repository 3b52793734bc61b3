"""The copyable code the Models page shows: each snippet reproduces one view with transformers or
huggingface_hub alone.

Snippets load the model as hflab.snippet.reference says (its Hub id; a local copy only as a comment). Every
value a snippet embeds is a literal: text as its repr, numbers through int(), class names only when they are
identifiers, repo ids in shell commands quoted for the shell.
"""
from __future__ import annotations

import keyword
import shlex

from hflab.loading.sources import Source
from hflab.models.heads import SAMPLE_TEXT
from hflab.snippet.notebook import NotebookSpec
from hflab.snippet.reference import load_reference


def class_name(name: str) -> str:
    """`name` when it is a Python identifier (a transformers class such as `BertModel`); ValueError otherwise,
    since a snippet writes it as code, not as a string."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a Python identifier")
    return name


def parameters_code(source: Source, model_class: str = "AutoModel") -> str:
    """Load the model and count its parameters, per top-level module, and its memory."""
    ref = load_reference(source)
    return f"""import transformers

{ref.setup}model = transformers.{class_name(model_class)}.from_pretrained({ref.args})
total = sum(p.numel() for p in model.parameters())
per_module = {{name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}}
memory_mb = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()]) / 2**20
print(total, per_module, memory_mb)"""


def licence_code(source: Source) -> str:
    """Read the licence from the model card's metadata."""
    return f"""from huggingface_hub import ModelCard

card = ModelCard.load({source.repo_id!r})   # or the README.md path of a local copy
print(card.data.license, card.data.get("license_name"), card.data.get("license_link"))"""


def head_code(source: Source, head: str) -> str:
    """Load one head, list its newly initialised weights and print the output shapes of a forward pass."""
    ref, head = load_reference(source), class_name(head)
    return f"""import torch
from transformers import {head}, AutoTokenizer

{ref.setup}model, info = {head}.from_pretrained({ref.args}, output_loading_info=True)
print("newly initialised (untrained):", sorted(info["missing_keys"]))
tokenizer = AutoTokenizer.from_pretrained({ref.args})
with torch.no_grad():
    outputs = model(**tokenizer({SAMPLE_TEXT!r}, return_tensors="pt"))
print({{name: tuple(value.shape) for name, value in outputs.items() if torch.is_tensor(value)}})"""


def architecture_code(source: Source) -> str:
    """Print the module tree with parameter counts, and the config."""
    ref = load_reference(source)
    return f"""import transformers

{ref.setup}model = transformers.AutoModel.from_pretrained({ref.args})
print(model)            # the module tree
for name, module in model.named_modules():
    print(name or "(root)", type(module).__name__, sum(p.numel() for p in module.parameters()))
print(model.config)     # the config"""


def memory_code(source: Source | None, context: int, batch: int, cache_dtype: str) -> str:
    """Count the parameters on the meta device (no weights allocated) and compute the KV cache for `context`
    tokens and `batch`; `source` None: the config the learner pasted, read from a config.json file."""
    if source is None:
        load = """import json

data = json.load(open("config.json", encoding="utf-8"))   # the config you pasted
config = AutoConfig.for_model(**data)"""
    else:
        ref = load_reference(source)
        load = f"{ref.setup}config = AutoConfig.from_pretrained({ref.args})   # config.json only, no weights"
    bytes_per_value = {"fp32": 4, "fp16": 2}[cache_dtype]
    return f"""import torch
import transformers
from transformers import AutoConfig, AutoModel

{load}
with torch.device("meta"):   # shapes only: the weights take no memory
    names = [n for n in (config.architectures or []) if hasattr(transformers, n)]
    model = getattr(transformers, names[0])(config) if names else AutoModel.from_config(config)
params = sum(p.numel() for p in model.parameters())   # tied weights once
print({{dtype: params * size / 2**20 for dtype, size in {{"fp32": 4, "fp16": 2, "int8": 1}}.items()}})   # MB

text = config.get_text_config(decoder=True)   # the language part of a multimodal config
kv_heads = getattr(text, "num_key_value_heads", None) or text.num_attention_heads   # grouped-query attention
head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
context, batch, bytes_per_value = {int(context)}, {int(batch)}, {bytes_per_value}   # {cache_dtype}
kv_bytes = 2 * text.num_hidden_layers * batch * kv_heads * head_dim * context * bytes_per_value   # K and V
print("KV cache MB:", kv_bytes / 2**20)
# an encoder-decoder adds the same per source token (cross-attention); an encoder-only model caches nothing"""


def snippet_notebook(view: str, code: str, source: Source | None, **settings: object) -> NotebookSpec:
    """One of this page's snippets as a notebook: `view` names it (parameters, heads, architecture, memory)."""
    model = load_reference(source, "config.json").args if source is not None else "config.json"
    return NotebookSpec(f"models-{view}", "nav.models", f"models.code.{view}", code, {"model": model, **settings},
                        ("torch", "transformers", "huggingface_hub"))


CACHE_CODE = """from huggingface_hub import scan_cache_dir, snapshot_download

info = scan_cache_dir()                       # what is cached, sizes, last access
for repo in info.repos:
    print(repo.repo_id, repo.size_on_disk_str, repo.last_accessed)
repo = next(r for r in info.repos if r.repo_id == "bert-base-chinese")
info.delete_revisions(*[r.commit_hash for r in repo.revisions]).execute()   # delete it
snapshot_download("bert-base-chinese")        # HF_ENDPOINT and HF_TOKEN are honoured"""

UNLOAD_CODE = """import gc

del model          # drop every reference to the model ...
gc.collect()       # ... and its memory is returned"""


def offline_commands(repos: list[tuple[str, str]]) -> str:
    """The shell commands that download `repos` ((repo_id, repo_type) pairs) and then run the lab offline."""
    lines = [f"hf download {'--repo-type dataset ' if kind == 'dataset' else ''}{shlex.quote(repo_id)}"
             for repo_id, kind in repos]
    return "\n".join(lines) + "\n" + OFFLINE_RUN


OFFLINE_RUN = "HF_HUB_OFFLINE=1 python dev.py app"
