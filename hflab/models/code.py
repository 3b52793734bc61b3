"""The copyable code the Models page shows: each snippet reproduces one view with transformers or
huggingface_hub alone.

Snippets load the model as hflab.code_reference says (its Hub id; a local copy only as a comment).
"""
from __future__ import annotations

from hflab.code_reference import load_reference
from hflab.models.heads import SAMPLE_TEXT
from hflab.sources import Source


def parameters_code(source: Source, model_class: str = "AutoModel") -> str:
    """Load the model and count its parameters, per top-level module, and its memory."""
    ref = load_reference(source)
    return f"""import transformers

{ref.setup}model = transformers.{model_class}.from_pretrained({ref.args})
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
    ref = load_reference(source)
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
    lines = [f"hf download {'--repo-type dataset ' if kind == 'dataset' else ''}{repo_id}" for repo_id, kind in repos]
    return "\n".join(lines) + "\n" + OFFLINE_RUN


OFFLINE_RUN = "HF_HUB_OFFLINE=1 python dev.py app"
