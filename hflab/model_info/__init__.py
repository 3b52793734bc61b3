"""What a model is: sources and files, parameters, licence, heads, module tree, and the HF cache.

Small modules, one question each; none imports streamlit, and torch / transformers are imported
inside functions so that importing this package stays cheap.
"""
