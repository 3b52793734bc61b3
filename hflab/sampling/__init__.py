"""Sampling playground core (no streamlit): what generate's logits processors do to a next-token distribution.

- processors.py  the settings, generate's processors in generate's order, each stage kept (StepView)
- stepper.py     step-by-step generation on the KV cache, token for token equal to `model.generate`
- tokens.py      token labels, divergence of runs, observed vs expected draws
- lens.py        logit lens: each layer's next-token guess through the final norm and LM head
- code.py        the copyable transformers code that reproduces the playground
"""
