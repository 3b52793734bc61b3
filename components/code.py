"""'Show the code' expanders: copyable Python that reproduces what a page computed, and the same code as a
notebook to download (hflab.snippet.notebook)."""
from __future__ import annotations

import streamlit as st

from components.i18n import t
from hflab.snippet.notebook import MIME, NotebookSpec, build_notebook, notebook_bytes


def notebook_button(spec: NotebookSpec) -> None:
    """'Download as notebook': `spec` as an .ipynb with its heading and intro in the session's language, and a line
    saying how to open it (issue 33.6: no page said so)."""
    title = f"{t('app.title')} · {t(spec.page_key)}: {t(spec.title_key)}"
    nb = build_notebook(spec, title, t("notebook.intro"), columns=(t("notebook.col.setting"), t("notebook.col.value")))
    st.download_button(
        t("notebook.download"),
        data=notebook_bytes(nb),
        file_name=spec.file_name,
        mime=MIME,
        key=f"notebook_{spec.name}",
        help=t("notebook.help"),
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption(t("notebook.how_to_open", file=spec.file_name))  # the lab's own file name: no learner text


def show_code(code: str, title_key: str = "common.show_code", expanded: bool = False,
              notebook: NotebookSpec | None = None) -> None:
    """Draw `code` in an expander with Streamlit's copy button, and `notebook` as a download when given."""
    with st.expander(t(title_key), expanded=expanded):
        st.code(code, language="python")
        if notebook is not None:
            notebook_button(notebook)
