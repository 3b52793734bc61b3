"""Streamlit building blocks shared by several pages."""
