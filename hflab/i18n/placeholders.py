"""Intro and plan texts of pages still being built (each page's own catalog module replaces its entries)."""

STRINGS = {
    "sampling.intro": {"zh": "真实模型的下一个词分布，以及温度、top-k、top-p 对它做了什么。", "en": "A real model's next-token distribution, and what temperature, top-k and top-p do to it."},
    "sampling.planned": {"zh": "- 全词表上的分布，逐阶段显示\n- 单步生成、分支、撤销\n- 与 model.generate 完全一致", "en": "- The distribution over the full vocabulary, stage by stage\n- Step-by-step generation, branching, undo\n- Identical to model.generate"},
}
