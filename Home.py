"""HF Lab entrypoint: navigation, shared sidebar, secrets. Run with `streamlit run Home.py`."""
import streamlit as st

from components.i18n import t
from components.progress import keep_progress
from components.secrets import apply_secrets
from components.sidebar import render_sidebar
from hflab.runtime.os_memory import configure_allocator, trim_heap

configure_allocator()  # before any model: large tensors go back to the OS when freed (hflab/runtime/os_memory.py)
st.set_page_config(page_title="HF Lab", page_icon="🤗", layout="wide")
apply_secrets()
keep_progress()  # before anything reads the language: a refresh gets its ticks and inputs back (?lab=... in the URL)

PAGES = [
    ("app_pages/home.py", "nav.home", "🏠", True),
    ("app_pages/learn.py", "nav.learn", "🧭", False),
    ("app_pages/image_story.py", "nav.image_story", "🖼️", False),
    ("app_pages/sampling.py", "nav.sampling", "🎲", False),
    ("app_pages/tokenizer.py", "nav.tokenizer", "🔤", False),
    ("app_pages/sentiment.py", "nav.sentiment", "💬", False),
    ("app_pages/models.py", "nav.models", "📦", False),
]
navigation = st.navigation(
    [st.Page(path, title=t(key), icon=icon, default=default) for path, key, icon, default in PAGES]
)
render_sidebar()
try:
    navigation.run()
finally:
    # a run that generated or loaded leaves freed heap in the process (glibc keeps it): give it back after each run
    trim_heap()
