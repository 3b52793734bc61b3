"""What the Models page shows when the role a learner (or a Learning-path chapter) picked has no model here, typically
offline: a model that is here and teaches the same lessons (its files, licence, heads, architecture, memory).

For the sentiment role the newest classifier the lab trained comes first (the same job, a BERT classifier like
bert-base-chinese), then the packaged causal LM (SmolLM2, Apache-2.0: a real licence, and AutoModel vs
AutoModelForCausalLM / ForSequenceClassification on one checkpoint); for any other role the packaged LM comes first.
"""
from __future__ import annotations

from dataclasses import dataclass

from hflab.loading.sources import Source


@dataclass(frozen=True)
class StandIn:
    """The model shown instead of a missing one: its `source` and `kind`, "trained" (a classifier the lab trained,
    at `source.target`) or "packaged" (the offline causal LM)."""

    source: Source
    kind: str


def lesson_stand_in(wanted: Source, role_sources: dict[str, Source], trained: list[Source]) -> StandIn | None:
    """A model that is here to show instead of `wanted`, a role's source with no model here, from the roles'
    `role_sources` and the classifiers the lab `trained` (newest first; the Sentiment page's registry,
    hflab.sentiment.checkpoints); None when `wanted` is ready, typed by the learner (their input is what needs
    fixing), or nothing else is here."""
    if wanted.ready or wanted.role is None or wanted.role == "tokenizer":
        return None
    trained = [StandIn(source, "trained") for source in trained[:1]]
    packaged_lm = role_sources.get("causal_lm")
    packaged = [StandIn(packaged_lm, "packaged")] if packaged_lm is not None and packaged_lm.kind == "packaged" else []
    found = trained + packaged if wanted.role == "sentiment" else packaged + trained
    return found[0] if found else None
