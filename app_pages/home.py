"""Home: what the lab is, the environment, which models are ready, memory. Imports no torch."""
import pandas as pd
import streamlit as st

from components.i18n import t
from components.models import explain_missing, manager, resolve_role, source_caption
from components.page import header
from hflab.environment import accelerator, cpu_count, library_versions, process_rss_bytes
from hflab.network import hub_status
from hflab.roles import ROLES
from hflab.settings import get_settings, hf_home

header("app.title", "home.intro")
st.caption(t("app.tagline"))

st.subheader(t("home.how_to"))
for page in ("image_story", "sampling", "tokenizer", "sentiment", "models"):
    st.markdown(f"- **{t('nav.' + page)}**: {t('home.page.' + page)}")

st.subheader(t("home.environment"))
status = hub_status()
if status.online:
    mode = t("home.env.online", endpoint=status.endpoint)
elif status.offline_forced:
    mode = t("home.env.offline_forced")
else:
    mode = t("home.env.offline_unreachable", endpoint=status.endpoint)
settings = get_settings()
env_rows = {t("home.env.device"): f"{accelerator()} · {cpu_count()} CPU", t("home.env.mode"): mode}
env_rows.update(library_versions())
env_rows[t("home.env.cache")] = str(hf_home())
env_rows[t("home.env.data_dir")] = str(settings.data_dir)
st.dataframe(
    pd.DataFrame({t("home.col.item"): list(env_rows.keys()), t("home.col.value"): list(env_rows.values())}),
    hide_index=True,
    width="stretch",
    height=(len(env_rows) + 1) * 35 + 3,  # every row visible, no inner scrollbar
)

st.subheader(t("home.models"))
loaded = {row["key"]: row["mb"] for row in manager().snapshot()}
sources = {role: resolve_role(role) for role in ROLES}
st.dataframe(
    pd.DataFrame(
        [
            {
                t("home.col.role"): t(f"role.{role}"),
                t("home.col.id"): src.repo_id,
                t("home.col.source"): source_caption(src),
                t("home.col.ready"): t("common.yes") if src.ready else t("common.no"),
                t("home.col.memory"): loaded.get(src.cache_key, 0.0),
            }
            for role, src in sources.items()
        ]
    ),
    hide_index=True,
    width="stretch",
)
missing = [src for src in sources.values() if not src.ready]
if missing:
    with st.expander(t("home.missing_title")):
        for src in missing:
            st.markdown(f"**{t('role.' + src.role)}**")
            explain_missing(src)

st.subheader(t("home.memory"))
rss_mb, budget_mb = process_rss_bytes() // 2**20, settings.memory_budget_mb
st.progress(min(1.0, rss_mb / budget_mb), text=t("home.memory_caption", rss=rss_mb, budget=budget_mb))
