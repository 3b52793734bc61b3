"""The model roles of the lab, their default Hub ids and how each can be overridden."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """One job a model or data set does in the lab."""

    name: str
    default_id: str
    kind: str  # "model", "tokenizer" or "dataset": decides how the cache is probed
    probe_file: str  # a file whose presence in a snapshot means "usable"

    @property
    def env_id(self) -> str:
        """Env var that overrides the Hub id, e.g. HFLAB_CAUSAL_LM_ID."""
        return f"HFLAB_{self.name.upper()}_ID"

    @property
    def env_dir(self) -> str:
        """Env var that points the role at a local directory, e.g. HFLAB_CAUSAL_LM_DIR."""
        return f"HFLAB_{self.name.upper()}_DIR"

    def hub_id(self, override: str | None = None) -> str:
        """The Hub id in effect: explicit setting, then env var, then the default."""
        return (override or os.environ.get(self.env_id) or self.default_id).strip()

    def local_dir(self, override: str | None = None) -> str | None:
        """The local directory in effect, if any: explicit setting, then env var."""
        value = override or os.environ.get(self.env_dir)
        return value.strip() if value and value.strip() else None


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("caption", "Salesforce/blip-image-captioning-base", "model", "config.json"),
        Role("translation", "Helsinki-NLP/opus-mt-en-zh", "model", "config.json"),
        Role("causal_lm", "Qwen/Qwen2-0.5B-Instruct", "model", "config.json"),
        Role("tokenizer", "bert-base-chinese", "tokenizer", "vocab.txt"),
        Role("sentiment", "bert-base-chinese", "model", "config.json"),
        Role("dataset", "lansinuote/ChnSentiCorp", "dataset", "README.md"),
    )
}
