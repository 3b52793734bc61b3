"""Home: what the lab is, where to start (the Learning path's first chapter), the environment, which models are ready
(and the command that readies each, in the learner's shell), memory. Imports no torch."""
import pandas as pd
import streamlit as st

from components import state
from components.i18n import catalog_labels, t
from components.messages import show_message
from components.model_loading import manager, resolve_role, source_caption
from components.page import header
from hflab.learn.chapters import CHAPTERS
from hflab.loading.network import hub_status
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, fix_command
from hflab.runtime.environment import accelerator, cpu_count, library_versions, process_rss_bytes
from hflab.settings import get_settings, hf_home
from hflab.snippet.shells import SHELLS, in_shell

HIGHLIGHT = {"bash": "bash", "powershell": "powershell", "cmd": "batch"}  # st.code's language per shell
PAGES = ("learn", "image_story", "sampling", "tokenizer", "sentiment", "models")


def render_start_here() -> str:
    """从这里开始: the Learning path's first chapter, what each chapter offers, and the shell the commands on this
    page are written for (bash, or PowerShell / cmd on Windows, where the tutorial was written); returns that shell."""
    with st.container(border=True):
        st.subheader(t("home.start.title"))
        first = CHAPTERS[0]
        st.markdown(t("home.start.steps", chapter=t(first.title_key), open=t("learn.open"), done=t("learn.done")))
        st.page_link("app_pages/learn.py", label=t("home.start.link", chapter=t(first.title_key)), icon="🧭")
        return st.radio(t("home.shell"), SHELLS, horizontal=True, key=state.keep_choice("home_shell", "bash"),
                        format_func=catalog_labels("home.shell."), help=t("home.shell_help"))


def show_command(command: str, shell: str) -> None:
    """One of the lab's bash commands, as typed in `shell`."""
    st.code(in_shell(command, shell), language=HIGHLIGHT[shell], wrap_lines=True)


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


def render_roles(sources: dict[str, Source], loaded_mb: dict[str, float], shell: str) -> None:
    """Per role: where it comes from and whether it is ready (a table that wraps its long cells to the page's
    width); below, the one command that readies each other, in `shell`."""
    st.subheader(t("home.models"))
    st.table(pd.DataFrame([{
        t("home.col.role"): t(f"role.{role}"),
        t("home.col.ready"): role_status(src),
        t("home.col.id"): src.repo_id,
        t("home.col.memory"): f"{loaded_mb.get(src.cache_key, 0.0):,.1f}",
        t("home.col.source"): source_caption(src),
    } for role, src in sources.items()]), hide_index=True, width="stretch")
    commands = {role: fix_command(src) for role, src in sources.items() if fix_command(src)}
    if commands:
        st.markdown(f"**{t('home.col.fix')}**")
        for role, command in commands.items():
            st.caption(f"{t('role.' + role)} · {role_status(sources[role])}")
            show_command(command, shell)
    missing = [src for src in sources.values() if not src.ready]
    if missing:
        with st.expander(t("home.missing_title")):
            for src in missing:
                st.markdown(f"**{t('role.' + src.role)}**")
                show_message(src.problem("info"))
                if src.fix:
                    show_command(src.fix, shell)


def render_memory(budget_mb: int) -> None:
    """The process's resident memory against the model budget."""
    st.subheader(t("home.memory"))
    rss_mb = process_rss_bytes() // 2**20
    st.progress(min(1.0, rss_mb / budget_mb), text=t("home.memory_caption", rss=rss_mb, budget=budget_mb))


def main() -> None:
    """The page, top to bottom."""
    header("app.title", "home.intro")
    st.caption(t("app.tagline"))
    shell = render_start_here()
    render_pages()
    settings = get_settings()
    render_environment(network_mode(), str(settings.data_dir))
    render_roles({role: resolve_role(role) for role in ROLES}, {row["key"]: row["mb"] for row in manager().snapshot()},
                 shell)
    render_memory(settings.memory_budget_mb)


main()
