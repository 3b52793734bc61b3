"""Home: what the lab is, the environment, which models are ready (and the command that readies each), memory.
Imports no torch."""
import pandas as pd
import streamlit as st

from components.i18n import t
from components.model_loading import explain_missing, manager, resolve_role, source_caption
from components.page import header
from hflab.loading.network import hub_status
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, fix_command
from hflab.runtime.environment import accelerator, cpu_count, library_versions, process_rss_bytes
from hflab.settings import get_settings, hf_home

PAGES = ("learn", "image_story", "sampling", "tokenizer", "sentiment", "models")


def render_pages() -> None:
    """One line per page: what it does."""
    st.subheader(t("home.how_to"))
    for page in PAGES:
        st.markdown(f"- **{t('nav.' + page)}**: {t('home.page.' + page)}")


def network_mode() -> str:
    """Online (which endpoint) or offline (forced, or the endpoint unreachable)."""
    status = hub_status()
    if status.online:
        return t("home.env.online", endpoint=status.endpoint)
    if status.offline_forced:
        return t("home.env.offline_forced")
    return t("home.env.offline_unreachable", endpoint=status.endpoint)


def render_environment(mode: str, data_dir: str) -> None:
    """Device, online or offline, library versions, cache and data folders."""
    st.subheader(t("home.environment"))
    rows = {t("home.env.device"): f"{accelerator()} · {cpu_count()} CPU", t("home.env.mode"): mode}
    rows.update(library_versions())
    rows[t("home.env.cache")] = str(hf_home())
    rows[t("home.env.data_dir")] = data_dir
    st.dataframe(pd.DataFrame({t("home.col.item"): list(rows), t("home.col.value"): list(rows.values())}),
                 hide_index=True, width="stretch", height=(len(rows) + 1) * 35 + 3)  # every row, no scrollbar


def role_status(source: Source) -> str:
    """Ready here, downloads on first use, or missing."""
    if not source.ready:
        return t("home.status.missing")
    return t("home.status.download") if source.kind in ("hub", "mirror") else t("home.status.ready")


def render_roles(sources: dict[str, Source], loaded_mb: dict[str, float]) -> None:
    """Per role: where it comes from and whether it is ready; below, the one command that readies each other."""
    st.subheader(t("home.models"))
    st.dataframe(pd.DataFrame([{
        t("home.col.role"): t(f"role.{role}"),
        t("home.col.ready"): role_status(src),
        t("home.col.id"): src.repo_id,
        t("home.col.source"): source_caption(src),
        t("home.col.memory"): loaded_mb.get(src.cache_key, 0.0),
    } for role, src in sources.items()]), hide_index=True, width="stretch")
    commands = {role: fix_command(src) for role, src in sources.items() if fix_command(src)}
    if commands:
        st.markdown(f"**{t('home.col.fix')}**")
        for role, command in commands.items():
            st.caption(f"{t('role.' + role)} · {role_status(sources[role])}")
            st.code(command, language="bash")
    missing = [src for src in sources.values() if not src.ready]
    if missing:
        with st.expander(t("home.missing_title")):
            for src in missing:
                st.markdown(f"**{t('role.' + src.role)}**")
                explain_missing(src, "info")


def render_memory(budget_mb: int) -> None:
    """The process's resident memory against the model budget."""
    st.subheader(t("home.memory"))
    rss_mb = process_rss_bytes() // 2**20
    st.progress(min(1.0, rss_mb / budget_mb), text=t("home.memory_caption", rss=rss_mb, budget=budget_mb))


def main() -> None:
    """The page, top to bottom."""
    header("app.title", "home.intro")
    st.caption(t("app.tagline"))
    render_pages()
    settings = get_settings()
    render_environment(network_mode(), str(settings.data_dir))
    render_roles({role: resolve_role(role) for role in ROLES}, {row["key"]: row["mb"] for row in manager().snapshot()})
    render_memory(settings.memory_budget_mb)


main()
