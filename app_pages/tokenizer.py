"""Tokenizer: the full anatomy of a tokenizer(...) call, the vocab, vocab surgery and export,
a byte-level BPE comparison, and the legacy vs modern API."""
from __future__ import annotations

from contextlib import nullcontext

import pandas as pd
import streamlit as st

from components.i18n import t
from components.limits import show_caps
from components.models import explain_missing, load, manager, resolve_role, source_caption
from components.page import header
from components.token_chips import Chip, legend, markdown_label, render_chips, render_source
from hflab import byte_pieces as bp
from hflab import tokenization as tz
from hflab import tokenizer_vocab as tv
from hflab.loading import load_tokenizer
from hflab.settings import get_settings

KIND_STYLE = {  # kind -> (background, border, style)
    "special": ("#ede9fe", "#7c3aed", "bold"),
    "pad": ("#f3f4f6", "#9ca3af", "faded"),
    "unk": ("#fee2e2", "#dc2626", "bold"),
    "added": ("#dcfce7", "#16a34a", ""),
    "continuation": ("#fef3c7", "#d97706", "dashed"),
    "normal": ("#ffffff", "#d1d5db", ""),
}
SEGMENT1_BACKGROUND = "#dbeafe"
COMPARE_CHARS = 2000
EDITS_KEY, EDITED_KEY, RESULT_KEY, ZIP_KEY = "tok_edits", "tok_edited", "tok_result", "tok_zip"
HANDOVER_KEY = "tokenizer_text"  # set by the Sentiment page before switching here


def model_ref(source) -> str:
    """What to pass to from_pretrained in copyable code: the Hub id, or the local directory."""
    return source.repo_id if source.kind in ("hub", "mirror", "cache") else source.target


def session_tokenizer(handle):
    """The shared tokenizer, or this session's edited copy of it (never the shared one mutated)."""
    edits = st.session_state.get(EDITS_KEY, [])
    if not edits:
        return handle.value, handle.lock
    cached = st.session_state.get(EDITED_KEY)
    if not cached or cached[0] != (handle.key, tuple(edits)):
        with handle.lock:
            copy = tv.edited_copy(handle.value, edits)
        st.session_state[EDITED_KEY] = cached = ((handle.key, tuple(edits)), copy)
    return cached[1], nullcontext()


def show_problems(problems) -> None:
    for p in problems:
        (st.error if p.blocking else st.warning)(t(p.key, **{**p.params, **_what(p.params)}))


def _what(params: dict) -> dict:
    return {"what": t(f"tokenizer.what.{params['what']}")} if "what" in params else {}


def chip_for(kind: str, text: str, title: str, segment: int | None, selected: bool = False) -> Chip:
    background, border, style = KIND_STYLE[kind]
    if segment == 1 and kind in ("normal", "continuation"):
        background = SEGMENT1_BACKGROUND
    return Chip(text, title=title, background=background, border=border, style=style, selected=selected)


def kind_legend(with_pairs: bool) -> None:
    items = [(t(f"tokenizer.kind.{k}"), chip_for(k, {"pad": "[PAD]", "unk": "[UNK]", "special": "[CLS]",
                                                      "continuation": "##x"}.get(k, "ab"), "", 0))
             for k in tz.KINDS]
    if with_pairs:
        items.append((t("tokenizer.kind.segment1"), chip_for("normal", "ab", "", 1)))
    legend(items)


# ---------------------------------------------------------------- header and tokenizer

header("nav.tokenizer", "tokenizer.intro")
source = resolve_role("tokenizer")
st.caption(t("tokenizer.source", source=source_caption(source)))
handle = load(source, load_tokenizer, t("tokenizer.what"))
if handle is None:
    st.stop()
tokenizer, lock = session_tokenizer(handle)
if st.session_state.get(EDITS_KEY):
    st.info(t("tokenizer.edited_note", size=len(tokenizer)))
settings = get_settings()

# ---------------------------------------------------------------- input


def use_example() -> None:
    texts, pairs = tz.EXAMPLES[st.session_state["tok_example"]]
    st.session_state["tok_texts"] = "\n".join(texts)
    st.session_state["tok_mode"] = "lines"
    st.session_state["tok_use_pairs"] = pairs is not None
    if pairs is not None:
        st.session_state["tok_pairs"] = "\n".join(pairs)


if "tok_texts" not in st.session_state:
    st.session_state["tok_example"] = "mixed"
    use_example()
handed_over = st.session_state.pop(HANDOVER_KEY, None)  # a review opened from the Sentiment page
if isinstance(handed_over, str):
    st.session_state.update(tok_texts=handed_over, tok_mode="whole", tok_use_pairs=False)

st.subheader(t("tokenizer.input"))
col_example, col_mode = st.columns([1, 1])
# labels are computed now, in this run's language (format_func may be called outside the run)
example_labels = {name: t(f"tokenizer.example.{name}") for name in tz.EXAMPLES}
mode_labels = {mode: t(f"tokenizer.mode.{mode}") for mode in ("lines", "whole")}
col_example.selectbox(t("tokenizer.example"), list(example_labels), key="tok_example", format_func=example_labels.get,
                      on_change=use_example)
col_mode.radio(t("tokenizer.mode"), list(mode_labels), key="tok_mode", horizontal=True, format_func=mode_labels.get)
raw_texts = st.text_area(t("tokenizer.texts"), key="tok_texts", height=110)
show_caps("text_chars", "batch_texts")
use_pairs = st.checkbox(t("tokenizer.use_pairs"), key="tok_use_pairs")
raw_pairs = st.text_area(t("tokenizer.pairs"), key="tok_pairs", height=90) if use_pairs else None

with st.expander(t("tokenizer.options"), expanded=True):
    c1, c2, c3 = st.columns(3)
    add_special = c1.checkbox("add_special_tokens", value=True, key="tok_add_special")
    truncation = c1.selectbox("truncation", tz.TRUNCATION_CHOICES, index=1, key="tok_truncation", format_func=repr)
    padding = c1.selectbox("padding", tz.PADDING_CHOICES, index=2, key="tok_padding", format_func=repr)
    set_max = c2.checkbox(t("tokenizer.set_max_length"), value=True, key="tok_set_max")
    max_length = c2.number_input("max_length", min_value=0, value=30, step=1, key="tok_max_length",
                                 disabled=not set_max)
    returns = {name: c3.checkbox(name, value=True, key=f"tok_{name}") for name in (
        "return_attention_mask", "return_token_type_ids", "return_special_tokens_mask",
        "return_offsets_mapping", "return_length")}
options = tz.CallOptions(add_special_tokens=add_special, truncation=truncation, padding=padding,
                         max_length=int(max_length) if set_max else None, **returns)

texts, problems = tz.check_texts(raw_texts, st.session_state["tok_mode"] == "lines", settings.max_text_chars,
                                 settings.max_batch_texts)
pairs = None
if use_pairs and texts:
    pairs, pair_problems = tz.check_texts(raw_pairs or "", st.session_state["tok_mode"] == "lines",
                                          settings.max_text_chars, settings.max_batch_texts, what="pair")
    problems += pair_problems
    if pairs and len(pairs) != len(texts):
        problems.append(tz.Problem("tokenizer.bad.pair_count", {"pairs": len(pairs), "texts": len(texts)}, True))
with lock:
    problems += tz.check_options(options, tokenizer, use_pairs)
show_problems(problems)

anatomy = None
if texts and not any(p.blocking for p in problems):
    # which tokenizer: the shared one (by manager key) plus this session's edits, never id() (ids are reused)
    cache_key = (handle.key, id(handle.value), tuple(st.session_state.get(EDITS_KEY, [])), tuple(texts),
                 tuple(pairs) if pairs is not None else None, options)
    cached = st.session_state.get(RESULT_KEY)
    if cached and cached[0] == cache_key:
        anatomy = cached[1]
    else:
        try:
            with lock:
                anatomy = tz.encode(tokenizer, texts, pairs, options)
            st.session_state[RESULT_KEY] = (cache_key, anatomy)
        except Exception as exc:  # the tokenizer's own refusal (e.g. a truncation it cannot do) becomes a message
            st.error(t("tokenizer.bad.call_failed", error=str(exc)))

tab_anatomy, tab_vocab, tab_surgery, tab_compare, tab_api = st.tabs(
    [t("tokenizer.tab.anatomy"), t("tokenizer.tab.vocab"), t("tokenizer.tab.surgery"), t("tokenizer.tab.compare"),
     t("tokenizer.tab.api")])

# ---------------------------------------------------------------- anatomy

with tab_anatomy:
    if anatomy is None:
        st.info(t("tokenizer.no_result"))
    else:
        with lock:
            total = tz.counts(tokenizer, anatomy)
        m = st.columns(5)
        m[0].metric(t("tokenizer.metric.texts"), len(anatomy))
        m[1].metric(t("tokenizer.metric.chars"), total.chars)
        m[2].metric(t("tokenizer.metric.tokens"), total.tokens)
        m[3].metric(t("tokenizer.metric.per_char"), f"{total.tokens_per_char:.2f}")
        m[4].metric(t("tokenizer.metric.unk"), f"{total.unk_rate:.1%}")

        index = 0
        if len(anatomy) > 1:
            st.markdown(f"**{t('tokenizer.batch')}**")
            shown = min(len(anatomy), tz.DRAWN_TEXTS)
            with lock:
                rows, sets = [], tz.KindSets.of(tokenizer)
                for i in range(shown):
                    c = tz.counts(tokenizer, anatomy, [i], sets)
                    rows.append({"#": i, t("tokenizer.col.text"): anatomy.texts[i][:60],
                                 t("tokenizer.col.positions"): len(anatomy.fields["input_ids"][i]),
                                 t("tokenizer.col.tokens"): c.tokens, t("tokenizer.col.unk"): c.unk})
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(38 + 35 * shown, 260))
            if len(anatomy) > shown:
                st.caption(t("tokenizer.batch_capped", total=len(anatomy), shown=shown))
            index = st.number_input(t("tokenizer.pick_text"), min_value=0, max_value=len(anatomy) - 1, value=0,
                                    step=1, key="tok_index")
        index = min(int(index), len(anatomy) - 1)

        with lock:
            kinds = tz.kinds_of(tokenizer, anatomy, index)
            real = sum(1 for k in kinds if k != "pad")
            full = tz.untruncated_length(tokenizer, anatomy.texts[index],
                                         anatomy.pairs[index] if anatomy.pairs else None, options)
            tokens = anatomy.tokens[index]
        ids = anatomy.fields["input_ids"][index]
        segments = anatomy.segments[index]
        n = len(ids)

        # token chips, hover shows the source characters
        st.markdown(f"**{t('tokenizer.chips')}**")
        kind_legend(anatomy.pairs is not None)
        drawn = min(n, tz.DRAWN_CHIPS)
        picked = st.session_state.get("tok_pick")
        picked = picked if isinstance(picked, int) and picked < drawn else None
        chips = []
        for pos in range(drawn):
            span = tz.span_of(anatomy, index, pos)
            where = (f"{span[1]}–{span[2]} «{tz.source_text(anatomy, index, span[0])[span[1]:span[2]]}»"
                     if span else t("tokenizer.no_span"))
            chips.append(chip_for(kinds[pos], tokens[pos], t("tokenizer.chip_title", pos=pos, id=ids[pos], span=where),
                                  segments[pos], selected=pos == picked))
        render_chips(chips)
        if n > drawn:
            st.caption(t("tokenizer.chips_capped", total=n, shown=drawn, rows=tz.DRAWN_ROWS))

        # select a token -> its characters highlighted in the source text
        if anatomy.offsets is None:
            st.info(t("tokenizer.no_offsets"))
        else:
            pickable = min(n, tz.DRAWN_CHIPS // 2)
            label = t("tokenizer.pick_token") + (t("tokenizer.pick_capped", shown=pickable) if n > pickable else "")
            picked = st.pills(label, list(range(pickable)), key="tok_pick",
                              format_func=lambda p: f"{p}·{markdown_label(tokens[p])}")
            picked = picked if isinstance(picked, int) and picked < n else None
            span = tz.span_of(anatomy, index, picked) if picked is not None else None
            if picked is not None and span is None:
                st.markdown(t("tokenizer.span_none", pos=picked, token=markdown_label(tokens[picked])))
            if span is not None:
                which = t("tokenizer.which.pair") if span[0] == 1 else t("tokenizer.which.text")
                st.markdown(t("tokenizer.span", pos=picked, token=markdown_label(tokens[picked]), which=which,
                              start=span[1], end=span[2]))
            shown_segment = span[0] if span else 0
            st.caption(t("tokenizer.source_text"))
            render_source(tz.source_text(anatomy, index, shown_segment), (span[1], span[2]) if span else None,
                          tz.covered_end(anatomy, index, shown_segment) if real < full else None)

        # the per-position table: exactly the returned fields
        st.markdown(f"**{t('tokenizer.table')}**")
        table = tz.position_table(anatomy, index)
        pad_rows = {pos for pos, k in enumerate(kinds) if k == "pad"}
        seg1_rows = {pos for pos, s in enumerate(segments) if s == 1}

        def shade(row):
            color = "#e5e7eb" if row.name in pad_rows else SEGMENT1_BACKGROUND if row.name in seg1_rows else ""
            return [f"background-color: {color}" if color else ""] * len(row)

        st.dataframe(table.style.apply(shade, axis=1), width="stretch", height=min(38 + 35 * len(table), 420),
                     key="tok_table")
        st.caption(t("tokenizer.table_legend"))
        if "length" in anatomy.fields:
            st.caption(t("tokenizer.length", length=anatomy.fields["length"][index], real=real))
        if real < full:
            st.warning(t("tokenizer.truncated", full=full, kept=real, cut=full - real))

        # decode round trip
        st.markdown(f"**{t('tokenizer.decode')}**")
        with lock:
            decoded = tokenizer.decode(ids)
            decoded_clean = tokenizer.decode(ids, skip_special_tokens=True)
            reasons = tz.decode_reasons(tokenizer, anatomy.texts[index] if anatomy.pairs is None else
                                        anatomy.texts[index] + anatomy.pairs[index], ids, real < full)
        d1, d2 = st.columns(2)
        d1.caption(t("tokenizer.decode.input"))
        d1.text(anatomy.texts[index][:tz.SNIPPET_TEXT_CHARS])
        d2.caption(t("tokenizer.decode.with_special"))
        d2.text(decoded[:tz.SNIPPET_TEXT_CHARS])
        d2.caption(t("tokenizer.decode.skip_special"))
        d2.text(decoded_clean[:tz.SNIPPET_TEXT_CHARS])
        if reasons:
            st.markdown(t("tokenizer.decode.differs") + "\n" + "\n".join(f"- {t('tokenizer.reason.' + r)}" for r in reasons))
        else:
            st.success(t("tokenizer.decode.same"))

# ---------------------------------------------------------------- vocab

with tab_vocab:
    with lock:
        v = st.columns(3)
        v[0].metric(t("tokenizer.vocab.size"), len(tokenizer))
        v[1].metric(t("tokenizer.vocab.base_size"), tokenizer.vocab_size)
        v[2].metric(t("tokenizer.vocab.added"), len(tokenizer) - tokenizer.vocab_size)
        words = tv.parse_words(st.text_input(t("tokenizer.vocab.lookup"), value="阳, 光, 阳光", key="tok_lookup"))
        if words:
            rows = tv.lookup(tokenizer, words)
            st.dataframe(pd.DataFrame([{t("tokenizer.vocab.col.word"): r["word"],
                                        t("tokenizer.vocab.col.in_vocab"): r["in_vocab"], "id": r["id"],
                                        t("tokenizer.vocab.col.tokens"): r["tokens"], "ids": str(r["ids"])}
                                       for r in rows]), hide_index=True, width="stretch")
        needle = st.text_input(t("tokenizer.vocab.search"), value="阳", key="tok_search")
        if needle:
            hits, total_hits = tv.search(tokenizer, needle)
            st.dataframe(pd.DataFrame(hits, columns=["id", "token", "text"]).rename(
                columns={"text": t("tokenizer.vocab.col.text")}), hide_index=True, width="stretch", height=240)
            st.caption(t("tokenizer.vocab.search_count", total=total_hits, shown=len(hits)))
        st.markdown(f"**{t('tokenizer.vocab.specials')}**")
        st.dataframe(pd.DataFrame(tv.special_tokens(tokenizer)), hide_index=True, width="stretch")

# ---------------------------------------------------------------- vocab surgery and export


def add_edit(words_key: str, role: str | None) -> None:
    """Button callback: check the typed tokens against the current tokenizer and record the edit."""
    current, current_lock = session_tokenizer(handle)
    with current_lock:
        fresh, messages = tv.check_new_tokens(current, tv.parse_words(st.session_state.get(words_key, "")), role)
    st.session_state["tok_surgery_messages"] = messages
    if fresh:
        st.session_state[EDITS_KEY] = [*st.session_state.get(EDITS_KEY, []), tv.VocabEdit(tuple(fresh), role)]
        st.session_state.pop(ZIP_KEY, None)


def reset_edits() -> None:
    for key in (EDITS_KEY, EDITED_KEY, ZIP_KEY, "tok_surgery_messages"):
        st.session_state.pop(key, None)


with tab_surgery:
    st.markdown(t("tokenizer.surgery.intro"))
    s1, s2 = st.columns(2)
    s1.text_input(t("tokenizer.surgery.tokens"), value="阳光, 大地", key="tok_new_tokens")
    s1.button(t("tokenizer.surgery.add"), on_click=add_edit, args=("tok_new_tokens", None), key="tok_add_tokens")
    s2.text_input(t("tokenizer.surgery.special"), value="[EOS]", key="tok_new_special")
    s2.selectbox(t("tokenizer.surgery.role"), tv.SPECIAL_ROLES, key="tok_special_role")
    s2.button(t("tokenizer.surgery.add_special"), on_click=lambda: add_edit("tok_new_special", st.session_state["tok_special_role"]),
              key="tok_add_special_btn")
    for key, params in st.session_state.get("tok_surgery_messages", []):
        (st.error if key == "tokenizer.surgery.empty" else st.warning)(t(key, **params))
    edits = st.session_state.get(EDITS_KEY, [])
    if not edits:
        st.info(t("tokenizer.surgery.none"))
    else:
        base = handle.value
        with handle.lock:
            base_size, base_vocab = len(base), set(base.get_vocab())
        st.metric(t("tokenizer.surgery.size"), f"{base_size} → {len(tokenizer)}", delta=len(tokenizer) - base_size)
        new_rows = [{"token": tok, "id": tid} for tok, tid in sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
                    if tok not in base_vocab]
        st.markdown(f"**{t('tokenizer.surgery.new_ids')}**")
        st.dataframe(pd.DataFrame(new_rows), hide_index=True)
        probe = st.text_input(t("tokenizer.surgery.probe"), value="阳光照在大地上[EOS]", key="tok_probe")
        if probe.strip():
            with handle.lock:
                before = base(probe)["input_ids"]
                before_tokens = base.convert_ids_to_tokens(before)
            after = tokenizer(probe)["input_ids"]
            after_tokens = tokenizer.convert_ids_to_tokens(after)
            for title, tok_ids, toks, owner in ((t("tokenizer.surgery.before"), before, before_tokens, base),
                                                (t("tokenizer.surgery.after"), after, after_tokens, tokenizer)):
                st.caption(f"{title}: {tok_ids}")
                render_chips([chip_for(k, tok, f"id {i}", 0) for k, tok, i in
                              zip(tz.token_kinds(owner, tok_ids, toks, None), toks, tok_ids)])
            if any(tok != tok.strip() for tok in after_tokens):
                st.caption(t("tokenizer.surgery.normalized_note"))
        st.warning(t("tokenizer.surgery.resize", old=base_size))
        st.code("\n".join(e.code() for e in edits) + "\n" + tv.resize_snippet(source.repo_id, len(tokenizer)),
                language="python")
        st.markdown(f"**{t('tokenizer.surgery.export')}**")
        if st.button(t("tokenizer.surgery.prepare"), key="tok_prepare_zip"):
            exported = tv.export_checked(tokenizer, settings.data_dir / "tmp", probe if probe.strip() else "阳光")
            st.session_state[ZIP_KEY] = (tuple(edits), exported)
        prepared = st.session_state.get(ZIP_KEY)
        if prepared and prepared[0] == tuple(edits):
            exported = prepared[1]
            st.download_button(t("tokenizer.surgery.download"), exported.data, file_name="tokenizer.zip",
                               mime="application/zip", key="tok_download")
            ok = exported.round_trip_ok
            (st.success if ok else st.error)(t("tokenizer.surgery.roundtrip_ok" if ok else
                                               "tokenizer.surgery.roundtrip_bad", files=", ".join(exported.files)))
            st.caption(t("tokenizer.surgery.load_code"))
            st.code('from transformers import AutoTokenizer\n\ntokenizer = AutoTokenizer.from_pretrained("tokenizer")  '
                    "# the unzipped folder\n", language="python")
    if edits:
        st.button(t("tokenizer.surgery.reset"), on_click=reset_edits, key="tok_reset")

# ---------------------------------------------------------------- compare with byte-level BPE


def load_compare_tokenizer(compare_source):
    """The causal LM's tokenizer only (no weights), under its own manager key."""

    label = f"{t('tokenizer.what')} ({compare_source.repo_id})"
    converting = compare_source.needs_conversion
    try:
        with st.spinner(t("common.converting_smollm2") if converting else t("common.loading", what=label)):
            return manager().get(f"{compare_source.cache_key}|tokenizer", lambda: load_tokenizer(compare_source), 0, label)
    except Exception as exc:  # a failed load becomes a message, the page keeps running
        st.error(t("problem.load_failed", what=label, error=f"{type(exc).__name__}: {exc}"))
    return None


with tab_compare:
    st.markdown(t("tokenizer.compare.intro"))
    compare_source = resolve_role("causal_lm")
    st.caption(t("tokenizer.compare.source", source=source_caption(compare_source)))
    if not compare_source.ready:
        explain_missing(compare_source)
    elif not texts:
        st.info(t("tokenizer.compare.no_text"))
    elif st.toggle(t("tokenizer.compare.load"), key="tok_compare_on"):
        other = load_compare_tokenizer(compare_source)
        text = texts[min(int(st.session_state.get("tok_index", 0) or 0), len(texts) - 1)]
        if len(text) > COMPARE_CHARS:
            st.caption(t("tokenizer.compare.capped", limit=COMPARE_CHARS))
            text = text[:COMPARE_CHARS]
        if other is not None:
            left, right = st.columns(2)
            with lock:
                mine_ids = tokenizer(text, add_special_tokens=False)["input_ids"]
                mine_tokens = tokenizer.convert_ids_to_tokens(mine_ids)
                mine_kinds = tz.token_kinds(tokenizer, mine_ids, mine_tokens, None)
            with left:
                st.markdown(f"**{source.repo_id}**")
                st.caption(t("tokenizer.compare.stats", tokens=len(mine_ids), per_char=len(mine_ids) / len(text)))
                render_chips([chip_for(k, tok, f"id {i}", 0) for k, tok, i in zip(mine_kinds, mine_tokens, mine_ids)])
            with other.lock:
                other_ids = other.value(text, add_special_tokens=False)["input_ids"]
                pieces = bp.token_bytes(other.value, other_ids)
            merged = bp.merge_pieces(pieces)
            with right:
                st.markdown(f"**{compare_source.repo_id}**")
                st.caption(t("tokenizer.compare.stats", tokens=len(other_ids), per_char=len(other_ids) / len(text)))
                st.caption(t("tokenizer.compare.raw"))
                render_chips([Chip(bp.piece_label(p), title=f"id {i}",
                                   background="#fee2e2" if bp.is_partial(p) else "#ffffff",
                                   border="#dc2626" if bp.is_partial(p) else "#d1d5db")
                              for p, i in zip(pieces, other_ids)])
                partial = sum(bp.is_partial(p) for p in pieces)
                if partial:
                    st.caption(t("tokenizer.compare.partial", partial=partial))
                st.caption(t("tokenizer.compare.merged"))
                render_chips([Chip(m.text, title=t("tokenizer.compare.merged_title", n=m.n_tokens, first=m.first,
                                                   last=m.last),
                                   background="#dcfce7" if m.n_tokens > 1 else "#ffffff",
                                   border="#16a34a" if m.n_tokens > 1 else "#d1d5db")
                              for m in merged])

# ---------------------------------------------------------------- legacy vs modern API

with tab_api:
    st.markdown(t("tokenizer.api.intro", has=hasattr(tokenizer, "batch_encode_plus")))
    if anatomy is None:
        st.info(t("tokenizer.no_result"))
    else:
        code, cut = tz.call_snippet(model_ref(source), anatomy.texts, anatomy.pairs, options,
                                    [e.code() for e in st.session_state.get(EDITS_KEY, [])],
                                    index=min(int(st.session_state.get("tok_index", 0) or 0), len(anatomy) - 1))
        st.markdown(f"**{t('tokenizer.api.modern')}**")
        st.code(code, language="python")
        if cut:
            st.caption(t("tokenizer.api.cut"))
        st.markdown(f"**{t('tokenizer.api.legacy')}**")
        st.code(tz.legacy_snippet(options, anatomy.pairs is not None), language="python")
