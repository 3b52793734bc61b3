"""Helpers to run one page of the app with streamlit.testing's AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, lang: str = "zh", timeout: float = 120, tab: str | None = None,
              lab: str | None = None) -> AppTest:
    """Run Home.py's navigation and switch to `page` (e.g. 'app_pages/tokenizer.py') in `lang`, on its `tab`
    (as a Learning-path link opens it) when given; `lab`: the tab's id in its URL (a refresh of that tab)."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=timeout)
    at.session_state["lang_en"] = lang == "en"
    if lab is not None:
        at.query_params["lab"] = lab
    if tab:
        from components.links import LINK_KEY

        at.session_state[LINK_KEY] = {"page": Path(page).stem, "tab": tab, "show": {}}
    at.switch_page(page)
    return at.run()


def error_texts(at: AppTest) -> list[str]:
    """Texts of all st.error boxes and exceptions on the page."""
    return [e.value for e in at.error] + [str(e.value) for e in at.exception]


def chart_data(at: AppTest) -> list:
    """The data of every Vega-Lite (Altair) chart on the page, one pandas DataFrame per dataset, in page order."""
    import pyarrow as pa

    return [pa.ipc.open_stream(dataset.data.data).read_pandas()
            for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets]


def record_downloads(monkeypatch) -> list[dict]:
    """Record every st.download_button the page draws (label, data, file_name, ...), then draw it as usual."""
    import streamlit as st

    written: list[dict] = []
    real = st.download_button

    def recording_download_button(label, data, *args, **kwargs):
        written.append({"label": label, "data": data, **kwargs})
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording_download_button)
    return written


def notebook_download(at: AppTest, written: list[dict], file_name: str, lang: str):
    """The 'download as notebook' button named `file_name` on the page, drawn with its label in `lang`; its
    notebook read back with nbformat (the recorded data of the latest run)."""
    import nbformat

    from hflab.i18n import t

    label = t("notebook.download", lang)
    assert label in [b.proto.label for b in at.get("download_button")]
    recorded = [w for w in written if w.get("file_name") == file_name]
    assert recorded and recorded[-1]["label"] == label and recorded[-1]["mime"] == "application/x-ipynb+json"
    nb = nbformat.reads(recorded[-1]["data"].decode("utf-8"), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].source.startswith(f"# {t('app.title', lang)} · ")
    return nb


def link_fields(page: str) -> tuple[dict[str, str], dict[str, str]]:
    """(LINK_FIELDS, LINK_CHOICES) of page id `page`, read from its file (importing a page would run it)."""
    import ast

    found = {"LINK_FIELDS": {}, "LINK_CHOICES": {}}
    for node in ast.parse((ROOT / "app_pages" / f"{page}.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in found:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found["LINK_FIELDS"], found["LINK_CHOICES"]
