"""HF Lab core: everything testable without a browser. Never imports streamlit."""
