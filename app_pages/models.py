"""Models: where each model comes from, what it is (files, parameters, memory and KV cache, licence), its heads,
its architecture, the HF cache with downloads, and what the model manager holds right now."""
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from components import state
from components.code import show_code
from components.escape import markdown_literal
from components.i18n import catalog_labels, t
from components.links import take_link
from components.messages import message_plain, message_text, show_message, show_messages
from components.model_loading import load, manager, resolve_role, source_caption, using
from components.operator import operator_actions_allowed
from components.page import header
from components.session_owner import session_owner
from components.state import keep, keep_offered
from components.tabs import page_tabs
from hflab.loading import cache, files, loaders, typed
from hflab.loading.loaders import fits_fp32
from hflab.loading.network import hub_status
from hflab.loading.roles import ROLES
from hflab.messages import Message, MessageError
from hflab.models import checkpoint, code, licences, memory
from hflab.models.stand_in import lesson_stand_in
from hflab.sentiment.checkpoints import list_trained, trained_source
from hflab.settings import get_settings, user_download_token

PAGE = "models"  # this page's id in links (components.links)
# what a link may ask this page to show (the Learning path's chapters) -> the widget that shows it
LINK_FIELDS = {"download_repo": "models_dl_repo", "pick": "models_mode", "role": "models_role", "head": "models_head",
               "text": "models_head_text"}

MB = 2**20
MODEL_ROLES = [name for name, role in ROLES.items() if role.kind != "dataset"]


def literal(key: str, **params) -> str:
    """A catalog string whose parameters (typed ids, paths, Hub text) are shown literally."""
    return message_text(Message(key, params))


def show_error(exc: Exception, repo_id: str, intro_key: str | None = None) -> None:
    """A clear, translated message for a Hub / disk / weights error (never a traceback)."""
    st.error((t(intro_key) + " " if intro_key else "") + message_text(cache.explain_error(exc, repo_id)))


def explain_problem(source, level: str) -> None:
    """Why a source cannot be inspected, and the command or setting that fixes it."""
    show_message(source.problem(level))
    if source.fix:
        st.code(source.fix, language="bash")


def facts_table(facts: dict) -> None:
    """Label/value rows as a table tall enough to need no inner scrolling."""
    st.dataframe(
        pd.DataFrame(
            {t("models.ov.col.fact"): list(facts), t("models.ov.col.value"): [str(v) for v in facts.values()]}
        ),
        hide_index=True,
        width="stretch",
        height=35 * (len(facts) + 1) + 3,
    )


def when(ts: float) -> str:
    """A timestamp as local date and time."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def first_available(role_sources: dict) -> str:
    """The role the page opens on: the first one with a model here (offline: the packaged one)."""
    ready = [role for role, source in role_sources.items() if source.ready]
    return next((role for role in ready if role != "tokenizer"), ready[0] if ready else MODEL_ROLES[0])


def role_label(role_sources: dict):
    """format_func for the role picker: a role with no model here says so (picking it shows the fix)."""
    name, missing = catalog_labels("role."), t("models.pick.role_missing")
    return lambda role: name(role) + ("" if role_sources[role].ready else f" · {missing}")


def pick_source(role_sources: dict):
    """The model the user chose: a role's resolved source or a typed id / directory."""
    keep("models_mode", "role")
    mode = st.radio(t("models.pick.mode"), ["role", "custom"], horizontal=True, key="models_mode",
                    format_func=catalog_labels("models.pick."))
    if mode == "role":
        role = st.selectbox(t("models.pick.role_label"), MODEL_ROLES, format_func=role_label(role_sources),
                            key=state.keep_choice("models_role", first_available(role_sources)))
        return role_sources[role]
    keep("models_custom", "")
    typed_text = st.text_input(t("models.pick.custom_label"), key="models_custom", help=t("models.pick.custom_help"))
    return typed.resolve_user_input(typed_text)


def stand_in_for(source, role_sources: dict):
    """A role with no model here (offline): say so with its fix, then the model shown instead (a classifier the lab
    trained, or the packaged LM) so the tabs still teach their lesson; `source` itself when there is none."""
    trained = [trained_source(path) for path, _meta in list_trained(session_owner())]
    found = lesson_stand_in(source, role_sources, trained)
    if found is None:
        return source
    explain_problem(source, "warning")
    st.info(literal(f"models.stand_in.{found.kind}", missing=source.repo_id, repo=found.source.repo_id,
                    path=found.source.target or "-"))
    return found.source


def load_choice(source):
    """What can be done with the chosen source: a note, its problem and fix, or the load button; the handle once
    loaded."""
    if source.role == "tokenizer":
        st.info(t("models.pick.tokenizer_role"))
        st.caption(source_caption(source))
    elif source.problem_key == "models.problem.empty":
        st.info(t("models.problem.empty"))
    elif not source.ready:  # a typed input is wrong; a role is only not downloaded yet
        explain_problem(source, "error" if typed.is_typed(source) else "warning")
    else:
        page_source = typed.for_page(source)
        loaded_key = f"models_loaded|{page_source.cache_key}"
        if st.button(t("models.load_button"), key="models_load", type="primary"):
            st.session_state[loaded_key] = True
        if st.session_state.get(loaded_key):
            return load(page_source, loaders.load_for_inspection, t("models.what"),
                        width="fp32" if fits_fp32(page_source) else "stored")
        st.caption(t("models.load_hint"))
    return None


def local_facts(source, facts: dict):
    """Add revision, dtype and header counts of a local copy to `facts`; returns (files, weights summary)."""
    config = files.config_dict(source.target)
    revision = files.revision_info(source.target)
    facts[t("models.ov.commit")] = revision.get("commit") or t("models.ov.not_in_cache")
    if revision.get("refs"):
        facts[t("models.ov.refs")] = ", ".join(revision["refs"])
    summary = None
    try:
        summary = files.weights_summary(source.target)
    except files.CorruptWeights as exc:
        show_error(exc, source.repo_id)
    if config:
        facts[t("models.ov.stored_dtype")] = files.stored_dtype(config) or "-"
    if summary:
        facts[t("models.ov.weights_format")] = summary.format
    if summary and summary.params:
        facts[t("models.ov.params_header")] = f"{summary.params:,} ({', '.join(summary.dtypes)})"
        estimate = checkpoint.estimated_load_bytes(summary.params, True, summary.bytes)
        facts[t("models.ov.mem_estimated")] = f"{estimate / MB:,.1f} MB"
    return files.local_files(source.target), summary


def per_module_table(per_module: dict, total: int) -> None:
    """Parameters per top-level module with their share of the total."""
    st.markdown(f"**{t('models.ov.per_module')}**")
    st.dataframe(pd.DataFrame([{t("models.ov.col.module"): name, t("models.ov.col.params"): count,
                                t("models.ov.col.share"): round(100 * count / max(total, 1), 2)}
                               for name, count in per_module.items()]), hide_index=True, width="stretch")
    if sum(per_module.values()) != total:
        st.caption(t("models.ov.tied_note"))


def overview(source, handle) -> None:
    """Source, revision, files, dtype, parameters, memory and licence."""
    st.text(f"{t('models.ov.source')}: {source_caption(source)}")
    facts = {t("models.ov.kind"): t(f"models.ov.kind.{source.kind}"), t("models.ov.repo_id"): source.repo_id,
             t("models.ov.path"): source.target or "-"}
    file_rows, summary = [], None
    if source.kind in ("hub", "mirror"):
        try:
            file_rows, facts[t("models.ov.commit")] = files.hub_files(source.repo_id, typed.hub_token(source))
        except Exception as exc:
            show_error(exc, source.repo_id, "models.ov.hub_files_failed")
    elif Path(source.target).is_dir():
        file_rows, summary = local_facts(source, facts)
    if handle is not None:
        model = handle.value.model
        total, per_module = checkpoint.parameter_counts(model)
        facts[t("models.ov.params_loaded")] = f"{total:,}"
        facts[t("models.ov.loaded_dtype")] = checkpoint.loaded_dtype(model)
        facts[t("models.ov.mem_measured")] = f"{handle.nbytes / MB:,.1f} MB"
    facts_table(facts)
    st.caption(t("models.ov.mem_note"))
    if (
        handle is not None
        and checkpoint.loaded_dtype(handle.value.model) in ("bfloat16", "float16")
        and not fits_fp32(source)
    ):
        from hflab.loading.loaders import estimate_load_bytes

        st.info(t("models.ov.kept_stored", dtype=checkpoint.loaded_dtype(handle.value.model),
                  need=f"{estimate_load_bytes(source) // MB:,}", budget=f"{get_settings().memory_budget_mb:,}"))
    if summary and summary.format == "pytorch_bin":
        st.warning(t("models.ov.bin_weights"))
    elif summary and summary.format == "none" and source.kind not in ("hub", "mirror"):
        st.info(t("models.ov.no_weights"))
    if handle is not None:
        per_module_table(per_module, total)
    if file_rows:
        with st.expander(f"{t('models.ov.files')} ({len(file_rows)})"):
            st.dataframe(pd.DataFrame([{t("models.ov.col.file"): f.name, t("models.ov.col.size"): round(f.size / MB, 3)}
                                       for f in file_rows]), hide_index=True, width="stretch")
    model_class = type(handle.value.model).__name__ if handle is not None else "AutoModel"
    snippet = code.parameters_code(source, model_class)
    show_code(snippet, "models.code.parameters", notebook=code.snippet_notebook("parameters", snippet, source,
                                                                              model_class=model_class))
    licence_view(source)


def licence_view(source) -> None:
    """Licence id, where it came from, its plain-language class and what that allows."""
    st.subheader(t("models.lic.title"))
    if source.kind in ("hub", "mirror"):
        try:
            found = licences.read_hub(source.repo_id, typed.hub_token(source))
        except Exception as exc:
            show_error(exc, source.repo_id, "models.lic.hub_failed")
            found = licences.Licence("", "none", "unknown")
    else:
        found = licences.read_source(source)
    if found.licence_id:
        st.text(t("models.lic.id", licence=found.licence_id, found_in=t(f"models.lic.found.{found.found_in}")))
    if found.klass == "unknown":
        st.error(t("models.lic.unknown"), icon="⚠️")
    else:
        box = st.warning if found.is_risk else st.info
        box(f"**{t('models.lic.class.' + found.klass)}**: {t('models.lic.summary.' + found.klass)}")
    if found.name or found.link:
        st.text(t("models.lic.custom_link", name=found.name, link=found.link))
    show_code(code.licence_code(source), "models.code.licence")


def head_report(report) -> None:
    """The model class a head built, input and output shapes, and its newly initialised weights."""
    st.markdown(t("models.heads.model_class", model_class=f"`{report.model_class}`"))
    cols = st.columns(2)
    for col, title, shapes in ((cols[0], "models.heads.inputs", report.input_shapes),
                               (cols[1], "models.heads.outputs", report.output_shapes)):
        col.markdown(f"**{t(title)}**")
        col.dataframe(pd.DataFrame([{t("models.heads.col.name"): k, t("models.heads.col.shape"): str(list(v))}
                                    for k, v in shapes.items()]), hide_index=True, width="stretch")
    if report.newly_initialized:
        st.warning(t("models.heads.new_weights", count=len(report.newly_initialized)), icon="⚠️")
        st.code("\n".join(report.newly_initialized), language=None)
    else:
        st.success(t("models.heads.no_new_weights"), icon="✅")
    if report.unused_from_checkpoint:
        st.caption(t("models.heads.unused", count=len(report.unused_from_checkpoint)))
        st.code("\n".join(report.unused_from_checkpoint), language=None)
    if report.answer is not None:
        st.markdown(t("models.heads.answer", label=markdown_literal(str(report.answer["label"])),
                      score=f"{report.answer['score']:.4f}"))
        if report.newly_initialized:
            st.caption(t("models.heads.answer_random"))


def heads_view(source, handle) -> None:
    """Supported Auto classes, a real forward pass per head, newly initialised weights."""
    from hflab.models import heads

    st.markdown(t("models.heads.intro"))
    if source.needs_conversion:  # no config.json before the one-time conversion: the architecture says it
        supported = heads.packaged_heads()
    else:
        try:
            config = handle.value.model.config if handle is not None else loaders.load_config(
                source.target, token=typed.hub_token(source))
        except Exception as exc:
            show_error(exc, source.repo_id)
            return
        supported = heads.supported_heads(config)
    if not supported:
        st.info(t("models.heads.none"))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {t("models.heads.col.class"): name, t("models.heads.col.outputs"): t(f"models.head.{name}")}
                for name in supported
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    if handle is None:
        st.info(t("models.ov.needs_conversion" if source.needs_conversion else "models.need_load"))
        return
    keep_offered("models_head", supported, supported[0])
    head = st.selectbox(t("models.heads.pick"), supported, key="models_head")
    keep("models_head_text", heads.SAMPLE_TEXT)
    text = st.text_input(t("models.heads.text"), key="models_head_text").strip() or heads.SAMPLE_TEXT
    budget = get_settings().memory_budget_mb
    if handle.nbytes / MB > budget / 2:
        st.warning(t("models.heads.too_big", mb=round(handle.nbytes / MB), budget=budget))
        return
    key = f"models_head_report|{source.cache_key}|{head}|{text}"
    if st.button(t("models.heads.run"), key="models_head_run"):
        try:
            with st.spinner(t("models.heads.running", head=head)), using(handle) as inspected:
                st.session_state[key] = heads.run_head(
                    source.target, head, inspected.tokenizer, typed.hub_token(source), text
                )
        except Exception as exc:
            show_error(exc, source.repo_id)
    if st.session_state.get(key) is not None:
        head_report(st.session_state[key])
    snippet = code.head_code(source, head)
    show_code(snippet, "models.code.heads", notebook=code.snippet_notebook("heads", snippet, source, head=head))


def architecture_view(source, handle) -> None:
    """The module tree with parameter counts (collapsible) and the config as a table."""
    from hflab.models import tree

    if handle is None:
        st.info(t("models.need_load"))
    else:
        st.markdown(f"**{t('models.arch.tree')}**")
        keep("models_tree_depth", 2)
        depth = st.slider(t("models.arch.depth"), 1, 6, key="models_tree_depth")
        root = tree.module_tree(handle.value.model)
        st.json({f"{root.name} · {root.params:,}": tree.tree_as_nested_dict(root)}, expanded=depth)
    config = handle.value.model.config.to_dict() if handle is not None else files.config_dict(source.target or "")
    st.markdown(f"**{t('models.arch.config')}**")
    if config:
        st.dataframe(
            pd.DataFrame(
                checkpoint.flat_config(config), columns=[t("models.arch.col.key"), t("models.arch.col.value")]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(t("models.arch.no_config"))
    snippet = code.architecture_code(source)
    show_code(snippet, "models.code.architecture", notebook=code.snippet_notebook("architecture", snippet, source))


def memory_config(source, handle):
    """The config to estimate: the loaded model's, the picked model's config.json, or a pasted one (None: none yet)."""
    origin = st.radio(t("models.mem.from"), ["model", "pasted"], horizontal=True,
                      key=state.keep_choice("models_mem_from", "model"), format_func=catalog_labels("models.mem.from."))
    try:
        if origin == "pasted":
            keep("models_mem_config", "")
            text = st.text_area(t("models.mem.paste_label"), key="models_mem_config", height=200,
                                max_chars=get_settings().max_text_chars)
            if not text.strip():
                st.info(t("models.mem.paste_empty"))
                return None, None
            return memory.config_from_text(text), None
        if handle is not None:
            return handle.value.model.config, source
        if not source.ready or source.role == "tokenizer" or source.needs_conversion:
            st.info(t("models.mem.no_model"))
            return None, None
        token = typed.hub_token(source) if source.kind in ("hub", "mirror") else None
        return memory.config_from_dir(source.target, token), source
    except MessageError as exc:
        show_message(exc.message)
    except Exception as exc:  # the Hub's answer for a config.json it could not give
        show_error(exc, source.repo_id)
    return None, None


def memory_inputs(attention) -> tuple[int, int, int, str]:
    """Context length, batch, source length (encoder-decoder only) and KV-cache dtype."""
    cols = st.columns(4)
    keep("models_mem_context", min(1024, attention.max_positions or 1024))
    context = cols[0].number_input(t("models.mem.context"), step=256, key="models_mem_context")
    keep("models_mem_batch", 1)
    batch = cols[1].number_input(t("models.mem.batch"), step=1, key="models_mem_batch")
    source_length = 0
    if attention.kind == "encoder_decoder":
        keep("models_mem_source", 128)
        source_length = cols[2].number_input(t("models.mem.encoder_length"), step=16, key="models_mem_source")
    keep("models_mem_dtype", "fp32")
    cache_dtype = cols[3].selectbox(t("models.mem.cache_dtype"), list(memory.CACHE_BYTES), key="models_mem_dtype")
    return int(context), int(batch), int(source_length), cache_dtype


def largest_text(row, attention) -> str:
    """The longest context that fits, or why there is none."""
    if row.largest_context is None:
        return t("models.mem.largest.none")
    if row.largest_context == 0:
        return t("models.mem.largest.weights")
    if attention.max_positions and row.largest_context > attention.max_positions:
        return t("models.mem.largest.beyond", tokens=f"{row.largest_context:,}", max=f"{attention.max_positions:,}")
    return f"{row.largest_context:,}"


def memory_view(source, handle) -> None:
    """Weights at fp32 / fp16 / int8 and the KV cache for a context and batch, against the memory budget."""
    st.markdown(t("models.mem.intro"))
    config, config_source = memory_config(source, handle)
    if config is None:
        return
    try:
        attention, params = memory.describe(config)
    except MessageError as exc:
        show_message(exc.message)
        return
    context, batch, source_length, cache_dtype = memory_inputs(attention)
    if show_messages(memory.check_inputs(context, batch, source_length, attention)):
        return
    budget = get_settings().memory_budget_mb
    rows = memory.memory_table(config, context, batch, cache_dtype, budget, source_length)
    model_class = getattr(memory.model_class(config), "__name__", "AutoModel")
    if attention.caches:
        st.markdown(t("models.mem.summary", params=f"{params:,}", model_class=model_class, layers=attention.layers,
                      heads=attention.heads, kv_heads=attention.kv_heads, head_dim=attention.head_dim,
                      per_token=f"{attention.bytes_per_token(batch, memory.CACHE_BYTES[cache_dtype]):,}"))
        if attention.kv_heads < attention.heads:
            st.caption(t("models.mem.gqa", heads=attention.heads, kv_heads=attention.kv_heads,
                         share=f"{attention.kv_heads}/{attention.heads}"))
    st.info(t(f"models.mem.kind.{attention.kind}", tokens=attention.cross_length))
    st.dataframe(pd.DataFrame([{t("models.mem.col.weights"): row.weights,
                                t("models.mem.col.weights_mb"): round(row.weight_bytes / MB, 2),
                                t("models.mem.col.cache_mb"): round(row.cache_bytes / MB, 2),
                                t("models.mem.col.total_mb"): round(row.total_bytes / MB, 2),
                                t("models.mem.col.fits"): t("models.mem.fits." + ("yes" if row.fits else "no")),
                                t("models.mem.col.largest"): largest_text(row, attention)} for row in rows]),
                 hide_index=True, width="stretch")
    st.caption(t("models.mem.caption", budget=budget))
    snippet = code.memory_code(config_source, context, batch, cache_dtype)
    notebook = None if config_source is None else code.snippet_notebook(  # a pasted config has no file to read
        "memory", snippet, config_source, context=context, batch=batch, cache_dtype=cache_dtype)
    show_code(snippet, "models.code.memory", notebook=notebook)


def delete_view(repos: list, allowed: bool) -> None:
    """Pick a cached repo, confirm, delete it (an operator action: off unless `allowed`); the result is shown after
    the rerun."""
    with st.expander(t("models.cache.delete_title")):
        by_name = {f"{r.repo_id}（{t('models.dl.type.' + r.repo_type)}）": r for r in repos}
        choice = by_name[st.selectbox(t("models.cache.delete_pick"), list(by_name), key="models_delete_pick")]
        mb = round(choice.size_on_disk / MB, 2)
        sure = st.checkbox(literal("models.cache.delete_confirm", repo=choice.repo_id, mb=mb), key="models_delete_sure",
                           disabled=not allowed)
        # Streamlit discards a click a crafted client sends for a disabled widget, on the server
        if st.button(
            t("models.cache.delete_button"), disabled=not (sure and allowed), key="models_delete", type="primary"
        ):
            try:
                freed = cache.delete_repo(choice.repo_id, choice.repo_type)
                st.session_state["models_cache_msg"] = literal("models.cache.deleted", repo=choice.repo_id,
                                                               mb=round(freed / MB, 2))
                st.session_state.pop("models_delete_sure", None)
                st.rerun()
            except Exception as exc:
                st.error(t("models.cache.delete_failed", error=type(exc).__name__))


def cache_view() -> None:
    """List, delete, download, prepare for offline."""
    st.subheader(t("models.cache.title"))
    st.caption(literal("models.cache.location", path=cache.hub_cache_dir()))
    repos, warnings = cache.list_cache()
    if not repos:
        st.info(t("models.cache.empty"))
    else:
        st.caption(t("models.cache.total", count=len(repos), mb=round(sum(r.size_on_disk for r in repos) / MB, 1)))
        st.dataframe(pd.DataFrame([{t("models.cache.col.repo"): r.repo_id, t("models.cache.col.type"): r.repo_type,
                                    t("models.cache.col.size"): round(r.size_on_disk / MB, 2),
                                    t("models.cache.col.files"): r.nb_files,
                                    t("models.cache.col.last_used"): when(r.last_accessed),
                                    t("models.cache.col.refs"): ", ".join(r.refs)} for r in repos]),
                     hide_index=True, width="stretch")
    if warnings:
        st.warning(t("models.cache.warnings"))
        st.code("\n".join(warnings), language=None)
    allowed = operator_actions_allowed()
    if repos:
        delete_view(repos, allowed)
    if "models_cache_msg" in st.session_state:
        st.success(st.session_state.pop("models_cache_msg"))
    download_view()
    prepare_offline_view(allowed)
    show_code(code.CACHE_CODE, "models.code.cache")


def download_view() -> None:
    """Download one repo with a progress bar."""
    st.subheader(t("models.dl.title"))
    token = t("models.dl.token_set") if user_download_token() else t("models.dl.token_unset")
    st.caption(t("models.dl.where", endpoint=hub_status().endpoint, token=token))
    st.caption(t("models.dl.atomic_note"))
    keep("models_dl_repo", "")
    keep("models_dl_type", "model")
    with st.form("models_download"):
        repo_id = st.text_input(t("models.dl.repo"), key="models_dl_repo").strip()
        repo_type = st.radio(t("models.dl.type"), ["model", "dataset"], horizontal=True, key="models_dl_type",
                             format_func=catalog_labels("models.dl.type."))
        submitted = st.form_submit_button(t("models.dl.button"))
    if submitted and not repo_id:
        st.warning(t("models.dl.empty"))
    elif submitted:
        bar = st.progress(0.0)
        try:
            path = cache.download(repo_id, repo_type, progress=progress_callback(bar, repo_id), typed=True)
            bar.progress(1.0)
            st.success(literal("models.dl.done", repo=repo_id, path=path))
        except Exception as exc:
            bar.empty()
            show_error(exc, repo_id)


def prepare_offline_view(allowed: bool) -> None:
    """Download every default repo for offline use (an operator action: off unless `allowed`), with one status row
    per repo."""
    st.subheader(t("models.dl.offline_title"))
    st.markdown(t("models.dl.offline_intro"))
    st.code(code.offline_commands(cache.default_repos()), language="bash")
    if not st.button(t("models.dl.offline_button"), key="models_prepare_offline", disabled=not allowed):
        return
    bar = st.progress(0.0)
    outcomes = cache.prepare_offline(lambda rid, *counts: progress_callback(bar, rid)(*counts))
    rows = [{t("models.cache.col.repo"): o.repo_id, t("models.cache.col.type"): o.repo_type,
             t("models.dl.col.status"): "✅" if o.ok else message_plain(o.error)}
            for o in outcomes]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        st.error(t("models.dl.offline_partial", failed=len(failed)))
    else:
        st.success(t("models.dl.offline_ok"))
        st.code(code.OFFLINE_RUN, language="bash")


def progress_callback(bar, repo_id: str):
    """Update `bar` with files and megabytes done (called from the script thread only)."""
    def report(files_done: int, files_total: int, bytes_done: int, bytes_total: int) -> None:
        bar.progress(min(1.0, files_done / max(files_total, 1)),
                     text=t("models.dl.progress", repo=repo_id, done=files_done, total=files_total,
                            mb=round(bytes_done / MB, 1)))
    return report


def loaded_view(mgr) -> None:
    """The model manager's view with an unload button."""
    st.subheader(t("models.loaded.title"))
    rows = mgr.snapshot()
    used = round(mgr.used_bytes() / MB, 1)
    budget = get_settings().memory_budget_mb
    st.progress(min(1.0, used / max(budget, 1)), text=t("models.loaded.budget", used=used, budget=budget))
    if not rows:
        st.info(t("models.loaded.none"))
    else:
        st.dataframe(pd.DataFrame([{t("models.loaded.col.model"): r["label"], t("models.loaded.col.mb"): r["mb"],
                                    t("models.loaded.col.loaded_at"): when(r["loaded_at"]),
                                    t("models.loaded.col.last_used"): when(r["last_used"]),
                                    t("models.loaded.col.load_s"): r["load_seconds"]} for r in rows]),
                     hide_index=True, width="stretch")
        names = {r["key"]: r["label"] for r in rows}
        key = st.selectbox(t("models.loaded.pick"), list(names), format_func=names.get, key="models_unload_pick")
        if st.button(t("models.loaded.unload"), key="models_unload"):
            status = mgr.unload(key, if_idle=True)  # "unloaded", "gone" or "busy" (another learner runs it)
            if status != "busy":
                st.session_state.pop(f"models_loaded|{key}", None)  # or this page would load it again on rerun
            st.session_state["models_loaded_msg"] = (status, literal(f"models.loaded.{status}", label=names[key]))
            st.rerun()
    if "models_loaded_msg" in st.session_state:
        status, text = st.session_state.pop("models_loaded_msg")
        (st.warning if status == "busy" else st.success)(text)
    show_code(code.UNLOAD_CODE, "models.code.unload")


def model_tabs(source, handle, overview_tab, heads_tab, architecture_tab) -> None:
    """The three tabs about one model; a packaged model not converted yet has no files to read until loaded: its
    overview (with its licence) and heads come from what the lab knows of it."""
    if source.needs_conversion:
        overview_tab.info(t("models.ov.needs_conversion"))
        with overview_tab:
            overview(source, None)
        with heads_tab:
            heads_view(source, None)
        architecture_tab.info(t("models.ov.needs_conversion"))
        return
    with overview_tab:
        overview(source, handle)
    with heads_tab:
        heads_view(source, handle)
    with architecture_tab:
        architecture_view(source, handle)


def main() -> None:
    """The page: pick a model (a role of the lab or anything typed), load it, then one tab per question."""
    header("nav.models", "models.intro")
    take_link(PAGE, LINK_FIELDS)
    role_sources = {role: resolve_role(role) for role in MODEL_ROLES}
    source = stand_in_for(pick_source(role_sources), role_sources)
    handle = load_choice(source)
    tabs = page_tabs(PAGE, ("overview", "heads", "architecture", "memory", "cache", "loaded"),
                     lambda name: t(f"models.tab.{name}"), key="models_tab")
    overview_tab, heads_tab, architecture_tab, memory_tab, cache_tab, loaded_tab = tabs.values()
    if source.ready and source.role != "tokenizer":
        model_tabs(source, handle, overview_tab, heads_tab, architecture_tab)
    with memory_tab:
        memory_view(source, handle)
    with cache_tab:
        cache_view()
    with loaded_tab:
        loaded_view(manager())


main()
