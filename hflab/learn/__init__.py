"""Learning path core: the tutorial's chapters and its hands-on steps (no streamlit)."""
