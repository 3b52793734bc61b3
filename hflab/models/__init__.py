"""Models page core: what a model is (sources and files, parameters, licence, heads, module tree), the
HF cache, and the page's copyable code.

Small modules, one question each: typed (what the user typed -> Source), checkpoint (files, headers,
config, counts, the page's loader), licences, heads, tree, memory (weights and KV cache from the config),
cache, code. None imports streamlit, and torch / transformers are imported inside functions so that
importing this package stays cheap.
"""
