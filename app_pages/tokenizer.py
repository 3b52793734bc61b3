"""Tokenizer: the full anatomy of a tokenizer(...) call, the vocab, vocab surgery and export,
a byte-level BPE comparison, and the legacy vs modern API."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.attention_view import ENCODER_SHARES, cached_inspection, render_attention
from components.code import notebook_button
from components.i18n import t
from components.limits import show_caps
from components.links import take_link
from components.messages import show_message, show_messages
from components.model_loading import explain_missing, load, resolve_role, source_caption, using
from components.page import header
from components.session_owner import session_owner
from components.state import keep, keep_choice, kept, remember, remembered, session_memo, set_choice
from components.tabs import page_tabs
from components.token_chips import Chip, legend, markdown_label, render_chips, render_source
from hflab import attention
from hflab import byte_pieces as bp
from hflab.loading.loaders import load_classifier, load_tokenizer
from hflab.loading.manager import Handle
from hflab.loading.roles import ROLES
from hflab.messages import Message
from hflab.sentiment.checkpoints import classifier_choices, name_key, trained_name
from hflab.settings import get_settings
from hflab.snippet.reference import load_reference
from hflab.tokenizer import anatomy as an
from hflab.tokenizer import code, compare, export, inputs, vocab
from hflab.tokenizer.counts import counts
from hflab.tokenizer.decode import decode_reasons
from hflab.tokenizer.examples import EXAMPLES, example_of, subword_lesson

KIND_STYLE = {  # kind -> (background, border, style)
    "special": ("#ede9fe", "#7c3aed", "bold"),
    "pad": ("#f3f4f6", "#9ca3af", "faded"),
    "unk": ("#fee2e2", "#dc2626", "bold"),
    "added": ("#dcfce7", "#16a34a", ""),
    "continuation": ("#fef3c7", "#d97706", "dashed"),
    "normal": ("#ffffff", "#d1d5db", ""),
}
LEGEND_SAMPLES = {"pad": "[PAD]", "unk": "[UNK]", "special": "[CLS]", "continuation": "##x"}
SEGMENT1_BACKGROUND = "#dbeafe"
COMPARE_CHARS = 2000
EDITS_KEY, EDITED_KEY, RESULT_KEY, ZIP_KEY = "tok_edits", "tok_edited", "tok_result", "tok_zip"
SURGERY_MESSAGES_KEY = "tok_surgery_messages"
ATTENTION_KEY = "tok_attention"  # this session's last attention Inspection, with the model and input it is for
PAGE = "tokenizer"  # this page's id in links (components.links)
# what a link may ask this page to show (the Learning path, the Sentiment page's reviews) -> the widget that shows it
LINK_FIELDS = {"texts": "tok_texts", "use_pairs": "tok_use_pairs", "add_special_tokens": "tok_add_special",
               "truncation": "tok_truncation", "padding": "tok_padding", "set_max_length": "tok_set_max",
               "max_length": "tok_max_length", "new_tokens": "tok_new_tokens", "new_special": "tok_new_special",
               "special_role": "tok_special_role", "probe": "tok_probe", "lookup": "tok_lookup"}
LINK_CHOICES = {"mode": "tok_mode"}
RETURN_FLAGS = ("return_attention_mask", "return_token_type_ids", "return_special_tokens_mask",
                "return_offsets_mapping", "return_length")


# ---------------------------------------------------------------- the tokenizer of this session


def session_tokenizer(handle: Handle) -> Handle:
    """The shared tokenizer's handle, or one of this session's edited copy of it (never the shared one mutated)."""
    edits = st.session_state.get(EDITS_KEY, [])
    if not edits:
        return handle
    def edited() -> Handle:
        with using(handle) as shared:
            return Handle(f"{handle.key}+edits", vocab.edited_copy(shared, edits), 0)

    return session_memo(EDITED_KEY, (handle.key, tuple(edits)), edited)


def chip_for(kind: str, text: str, title: str, segment: int | None, selected: bool = False) -> Chip:
    """A token chip coloured by its kind (second-text tokens in blue)."""
    background, border, style = KIND_STYLE[kind]
    if segment == 1 and kind in ("normal", "continuation"):
        background = SEGMENT1_BACKGROUND
    return Chip(text, title=title, background=background, border=border, style=style, selected=selected)


def kind_chips(tokenizer, ids: list[int], tokens: list[str]) -> list[Chip]:
    """Chips of a plain token list (no padding, one text), hover text `id <n>`."""
    return [chip_for(kind, tok, f"id {i}", 0) for kind, tok, i in zip(an.token_kinds(tokenizer, ids, tokens, None),
                                                                       tokens, ids)]


def kind_legend(with_pairs: bool) -> None:
    """What each chip colour means."""
    items = [(t(f"tokenizer.kind.{k}"), chip_for(k, LEGEND_SAMPLES.get(k, "ab"), "", 0)) for k in an.KINDS]
    if with_pairs:
        items.append((t("tokenizer.kind.segment1"), chip_for("normal", "ab", "", 1)))
    legend(items)


def in_language(messages: list[Message]) -> list[Message]:
    """Messages whose `what` parameter (text / pair) is replaced by its name in the session's language."""
    return [Message(m.key, {**m.params, "what": t(f"tokenizer.what.{m.params['what']}")}, m.level)
            if "what" in m.params else m for m in messages]


def characters(start: int, end: int) -> str:
    """Offsets (start, end) in words: "the 5th character" for (4, 5), in the session's language."""
    first, last = an.character_numbers(start, end)
    return t("tokenizer.chars.one", n=first) if first == last else t("tokenizer.chars.many", first=first, last=last)


def column_names() -> dict[str, str]:
    """Table headers of vocab tables in the session's language (the values stay identifiers)."""
    return {name: t(f"tokenizer.vocab.col.{name}") for name in ("role", "token", "id", "text")}


def selected_index(count: int) -> int:
    """The text of the batch the learner inspects (the anatomy tab's picker), within 0..count-1."""
    return min(int(st.session_state.get("tok_index", 0) or 0), count - 1)


# ---------------------------------------------------------------- input


def fill_example(name: str) -> None:
    """Fill the boxes with the example `name` (one text per line, pairs on when it has pairs)."""
    texts, pairs = EXAMPLES[name]
    st.session_state["tok_texts"] = "\n".join(texts)
    set_choice("tok_mode", "lines")
    st.session_state["tok_use_pairs"] = pairs is not None
    if pairs is not None:
        st.session_state["tok_pairs"] = "\n".join(pairs)


def use_example(widget_key: str) -> None:
    """Selectbox callback: fill the boxes with the chosen example."""
    fill_example(st.session_state[widget_key])


def prepare_input_state() -> None:
    """The session's first visit starts on the first example, unless a link brought a text."""
    if kept("tok_texts") is None:
        set_choice("tok_example", "mixed")
        fill_example("mixed")


def render_options() -> inputs.CallOptions:
    """The call's arguments, each a widget named like the argument."""
    with st.expander(t("tokenizer.options"), expanded=True):
        c1, c2, c3 = st.columns(3)
        keep("tok_add_special", True)
        add_special = c1.checkbox("add_special_tokens", key="tok_add_special")
        keep("tok_truncation", True)
        truncation = c1.selectbox("truncation", inputs.TRUNCATION_CHOICES, key="tok_truncation", format_func=repr)
        keep("tok_padding", "max_length")
        padding = c1.selectbox("padding", inputs.PADDING_CHOICES, key="tok_padding", format_func=repr)
        keep("tok_set_max", True)
        set_max = c2.checkbox(t("tokenizer.set_max_length"), key="tok_set_max")
        keep("tok_max_length", 30)
        max_length = c2.number_input("max_length", min_value=0, step=1, key="tok_max_length", disabled=not set_max)
        returns = {}
        for name in RETURN_FLAGS:
            keep(f"tok_{name}", True)
            returns[name] = c3.checkbox(name, key=f"tok_{name}")
    return inputs.CallOptions(add_special_tokens=add_special, truncation=truncation, padding=padding,
                              max_length=int(max_length) if set_max else None, **returns)


def render_input(settings) -> tuple[str, str | None, bool, inputs.CallOptions]:
    """The example picker, the text boxes and the call's arguments; returns (texts box, pairs box, one per line,
    options)."""
    st.subheader(t("tokenizer.input"))
    col_example, col_mode = st.columns([1, 1])
    # labels are computed now, in this run's language (format_func may be called outside the run)
    example_labels = {name: t(f"tokenizer.example.{name}") for name in EXAMPLES}
    mode_labels = {mode: t(f"tokenizer.mode.{mode}") for mode in ("lines", "whole")}
    example_key = keep_choice("tok_example", "mixed")
    col_example.selectbox(t("tokenizer.example"), list(example_labels), key=example_key,
                          format_func=example_labels.get, on_change=use_example, args=(example_key,))
    mode = col_mode.radio(t("tokenizer.mode"), list(mode_labels), key=keep_choice("tok_mode", "lines"),
                          horizontal=True, format_func=mode_labels.get)
    keep("tok_texts", "")
    raw_texts = st.text_area(t("tokenizer.texts"), key="tok_texts", height=110)
    show_caps("text_chars", "batch_texts")
    keep("tok_use_pairs", False)
    use_pairs = st.checkbox(t("tokenizer.use_pairs"), key="tok_use_pairs")
    raw_pairs = None
    if use_pairs:
        keep("tok_pairs", "")
        raw_pairs = st.text_area(t("tokenizer.pairs"), key="tok_pairs", height=90)
    return raw_texts, raw_pairs, mode == "lines", render_options()


def checked_input(tok, settings, raw_texts: str, raw_pairs: str | None, one_per_line: bool,
                  options: inputs.CallOptions) -> tuple[list[str], list[str] | None, list[Message]]:
    """The texts and pairs to tokenize, and every message about them and the arguments."""
    texts, messages = inputs.check_texts(raw_texts, one_per_line, settings.max_text_chars, settings.max_batch_texts)
    pairs = None
    if raw_pairs is not None and texts:
        pairs, pair_messages = inputs.check_texts(raw_pairs, one_per_line, settings.max_text_chars,
                                                  settings.max_batch_texts, what="pair")
        messages += pair_messages + inputs.check_pairs(texts, pairs)
    with using(tok) as tokenizer:
        messages += inputs.check_options(options, tokenizer, raw_pairs is not None)
    return texts, pairs, in_language(messages)


def run_call(handle, tok: Handle, texts: list[str], pairs: list[str] | None, options: inputs.CallOptions):
    """The anatomy of the call, cached for this session until the tokenizer, the texts or the arguments change."""
    # which tokenizer: the shared one (by manager key) plus this session's edits, never id() alone (ids are reused)
    cache_key = (handle.key, id(handle.value), tuple(st.session_state.get(EDITS_KEY, [])), tuple(texts),
                 tuple(pairs) if pairs is not None else None, options)
    def call():
        with using(tok) as tokenizer:
            return an.encode(tokenizer, texts, pairs, options)

    try:
        return session_memo(RESULT_KEY, cache_key, call)
    except Exception as exc:  # the tokenizer's own refusal (e.g. a truncation it cannot do) becomes a message
        show_message(Message("tokenizer.bad.call_failed", {"error": str(exc)}))
        return None


# ---------------------------------------------------------------- anatomy tab


def render_totals(tok, anatomy) -> None:
    """Texts, characters, tokens, tokens per character and [UNK] rate over the whole batch."""
    with using(tok) as tokenizer:
        total = counts(tokenizer, anatomy)
    m = st.columns(5)
    m[0].metric(t("tokenizer.metric.texts"), len(anatomy))
    m[1].metric(t("tokenizer.metric.chars"), total.chars)
    m[2].metric(t("tokenizer.metric.tokens"), total.tokens)
    m[3].metric(t("tokenizer.metric.per_char"), f"{total.tokens_per_char:.2f}")
    m[4].metric(t("tokenizer.metric.unk"), f"{total.unk_rate:.1%}")
    if total.kept_chars < total.chars:
        st.caption(t("tokenizer.per_char_truncated", tokens=total.tokens, kept=total.kept_chars,
                     cut=total.chars - total.kept_chars))


def render_batch(tok, anatomy) -> int:
    """One row per text of the batch, and the picker of the text to inspect; returns its index."""
    if len(anatomy) <= 1:
        return 0
    st.markdown(f"**{t('tokenizer.batch')}**")
    shown = min(len(anatomy), an.DRAWN_TEXTS)
    with using(tok) as tokenizer:
        rows, sets = [], an.KindSets.of(tokenizer)
        for i in range(shown):
            c = counts(tokenizer, anatomy, [i], sets)
            rows.append({"#": i, t("tokenizer.col.text"): anatomy.texts[i][:60],
                         t("tokenizer.col.positions"): len(anatomy.fields["input_ids"][i]),
                         t("tokenizer.col.tokens"): c.tokens, t("tokenizer.col.unk"): c.unk})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(38 + 35 * shown, 260))
    if len(anatomy) > shown:
        st.caption(t("tokenizer.batch_capped", total=len(anatomy), shown=shown))
    st.session_state["tok_index"] = min(int(keep("tok_index", 0) or 0), len(anatomy) - 1)
    st.number_input(t("tokenizer.pick_text"), min_value=0, max_value=len(anatomy) - 1, step=1, key="tok_index")
    return selected_index(len(anatomy))


def render_token_chips(anatomy, index: int, kinds: list[str]) -> None:
    """The tokens of one text as chips; hovering shows the characters each came from."""
    st.markdown(f"**{t('tokenizer.chips')}**")
    kind_legend(anatomy.pairs is not None)
    ids, tokens, segments = anatomy.fields["input_ids"][index], anatomy.tokens[index], anatomy.segments[index]
    drawn = min(len(ids), an.DRAWN_CHIPS)
    picked = st.session_state.get("tok_pick")
    picked = picked if isinstance(picked, int) and picked < drawn else None
    chips = []
    for pos in range(drawn):
        span = an.span_of(anatomy, index, pos)
        where = (f"{characters(span[1], span[2])} «{an.source_text(anatomy, index, span[0])[span[1]:span[2]]}»"
                 if span else t("tokenizer.no_span"))
        chips.append(chip_for(kinds[pos], tokens[pos], t("tokenizer.chip_title", pos=pos, id=ids[pos], span=where),
                              segments[pos], selected=pos == picked))
    render_chips(chips)
    if len(ids) > drawn:
        st.caption(t("tokenizer.chips_capped", total=len(ids), shown=drawn, rows=an.DRAWN_ROWS))


def render_token_source(anatomy, index: int, truncated: bool) -> None:
    """Pick a token: the characters it came from are highlighted in its source text."""
    if anatomy.offsets is None:
        st.info(t("tokenizer.no_offsets"))
        return
    tokens, n = anatomy.tokens[index], len(anatomy.fields["input_ids"][index])
    pickable = min(n, an.DRAWN_CHIPS // 2)
    label = t("tokenizer.pick_token") + (t("tokenizer.pick_capped", shown=pickable) if n > pickable else "")
    picked = st.pills(label, list(range(pickable)), key="tok_pick",
                      format_func=lambda p: f"{p}·{markdown_label(tokens[p])}")
    picked = picked if isinstance(picked, int) and picked < n else None
    span = an.span_of(anatomy, index, picked) if picked is not None else None
    if picked is not None and span is None:
        st.markdown(t("tokenizer.span_none", pos=picked, token=markdown_label(tokens[picked])))
    if span is not None:
        which = t("tokenizer.which.pair") if span[0] == 1 else t("tokenizer.which.text")
        st.markdown(t("tokenizer.span", pos=picked, token=markdown_label(tokens[picked]), which=which,
                      chars=characters(span[1], span[2]), start=span[1], end=span[2]))
    segment = span[0] if span else 0
    st.caption(t("tokenizer.source_text"))
    render_source(an.source_text(anatomy, index, segment), (span[1], span[2]) if span else None,
                  an.covered_end(anatomy, index, segment) if truncated else None)


def render_position_table(anatomy, index: int, kinds: list[str], real: int, full: int) -> None:
    """Exactly the returned fields, one row per position (padding grey, second text blue)."""
    st.markdown(f"**{t('tokenizer.table')}**")
    table = an.position_table(anatomy, index)
    pad_rows = {pos for pos, k in enumerate(kinds) if k == "pad"}
    seg1_rows = {pos for pos, s in enumerate(anatomy.segments[index]) if s == 1}

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


def render_decode(tok, anatomy, index: int, truncated: bool) -> None:
    """decode(ids) with and without special tokens next to the input, and why they differ."""
    st.markdown(f"**{t('tokenizer.decode')}**")
    ids = anatomy.fields["input_ids"][index]
    original = anatomy.texts[index] + (anatomy.pairs[index] if anatomy.pairs is not None else "")
    with using(tok) as tokenizer:
        decoded = tokenizer.decode(ids)
        decoded_clean = tokenizer.decode(ids, skip_special_tokens=True)
        reasons = decode_reasons(tokenizer, original, ids, truncated)
    d1, d2 = st.columns(2)
    d1.caption(t("tokenizer.decode.input"))
    d1.text(anatomy.texts[index][:code.SNIPPET_TEXT_CHARS])
    d2.caption(t("tokenizer.decode.with_special"))
    d2.text(decoded[:code.SNIPPET_TEXT_CHARS])
    d2.caption(t("tokenizer.decode.skip_special"))
    d2.text(decoded_clean[:code.SNIPPET_TEXT_CHARS])
    if reasons:
        st.markdown(
            t("tokenizer.decode.differs") + "\n" + "\n".join(f"- {t('tokenizer.reason.' + r)}" for r in reasons)
        )
    else:
        st.success(t("tokenizer.decode.same"))


def render_subword_lesson(tok) -> None:
    """The tutorial's 黑 / ##黑 lesson: what it prints, what bert-base-chinese really does, and why."""
    with using(tok) as tokenizer:
        lesson = subword_lesson(tokenizer)
    if lesson is None:
        return
    st.markdown(f"**{t('tokenizer.subword.title')}**")
    rows = [(t("tokenizer.subword.tutorial"), list(lesson.tutorial)), (t("tokenizer.subword.default"), lesson.default),
            (t("tokenizer.subword.by_words"), lesson.by_words)]
    st.dataframe(pd.DataFrame([{t("tokenizer.subword.col.way"): way, t("tokenizer.subword.col.tokens"): " ".join(toks)}
                               for way, toks in rows]), hide_index=True, width="stretch")
    st.markdown(t("tokenizer.subword.explain", black=lesson.ids["黑"], sub_black=lesson.ids["##黑"]))


def anatomy_tab(tok, anatomy, options: inputs.CallOptions) -> None:
    """Totals, the batch, then one text: chips, source characters, the per-position table, decode."""
    if anatomy is None:
        st.info(t("tokenizer.no_result"))
        return
    render_totals(tok, anatomy)
    if example_of(anatomy.texts, anatomy.pairs) == "subword":
        render_subword_lesson(tok)
    index = render_batch(tok, anatomy)
    with using(tok) as tokenizer:
        kinds = an.kinds_of(tokenizer, anatomy, index)
        full = an.untruncated_length(tokenizer, anatomy.texts[index],
                                     anatomy.pairs[index] if anatomy.pairs else None, options)
    real = sum(1 for k in kinds if k != "pad")
    render_token_chips(anatomy, index, kinds)
    render_token_source(anatomy, index, real < full)
    render_position_table(anatomy, index, kinds, real, full)
    render_decode(tok, anatomy, index, real < full)


# ---------------------------------------------------------------- vocab tab


def vocab_tab(tok) -> None:
    """Vocab sizes, word lookup, substring search and the special tokens."""
    with using(tok) as tokenizer:
        v = st.columns(3)
        v[0].metric(t("tokenizer.vocab.size"), len(tokenizer))
        v[1].metric(t("tokenizer.vocab.base_size"), tokenizer.vocab_size)
        v[2].metric(t("tokenizer.vocab.added"), len(tokenizer) - tokenizer.vocab_size)
        keep("tok_lookup", "阳, 光, 阳光")
        words = vocab.parse_words(st.text_input(t("tokenizer.vocab.lookup"), key="tok_lookup"))
        if words:
            rows = vocab.lookup(tokenizer, words)
            st.dataframe(pd.DataFrame([{t("tokenizer.vocab.col.word"): r["word"],
                                        t("tokenizer.vocab.col.in_vocab"): r["in_vocab"], "id": r["id"],
                                        t("tokenizer.vocab.col.tokens"): r["tokens"], "ids": str(r["ids"])}
                                       for r in rows]), hide_index=True, width="stretch")
        keep("tok_search", "阳")
        needle = st.text_input(t("tokenizer.vocab.search"), key="tok_search")
        if needle:
            hits, total_hits = vocab.search_vocab(tokenizer, needle)
            st.dataframe(pd.DataFrame(hits, columns=["id", "token", "text"]).rename(columns=column_names()),
                         hide_index=True, width="stretch", height=240)
            st.caption(t("tokenizer.vocab.search_count", total=total_hits, shown=len(hits)))
        st.markdown(f"**{t('tokenizer.vocab.specials')}**")
        st.dataframe(pd.DataFrame(vocab.special_tokens(tokenizer)).rename(columns=column_names()), hide_index=True,
                     width="stretch")


# ---------------------------------------------------------------- surgery tab


def add_edit(handle, words_key: str, role_key: str | None) -> None:
    """Button callback: check the typed tokens against the current tokenizer and record the edit."""
    role = st.session_state[role_key] if role_key else None
    with using(session_tokenizer(handle)) as current:
        fresh, messages = vocab.check_new_tokens(current, vocab.parse_words(st.session_state.get(words_key, "")), role)
    st.session_state[SURGERY_MESSAGES_KEY] = messages
    if fresh:
        st.session_state[EDITS_KEY] = [*st.session_state.get(EDITS_KEY, []), vocab.VocabEdit(tuple(fresh), role)]
        st.session_state.pop(ZIP_KEY, None)


def reset_edits() -> None:
    """Button callback: back to the shared tokenizer."""
    for key in (EDITS_KEY, EDITED_KEY, ZIP_KEY, SURGERY_MESSAGES_KEY):
        st.session_state.pop(key, None)


def render_edit_buttons(handle) -> None:
    """add_tokens and add_special_tokens, each with its box."""
    s1, s2 = st.columns(2)
    keep("tok_new_tokens", "阳光, 大地")
    s1.text_input(t("tokenizer.surgery.tokens"), key="tok_new_tokens")
    s1.button(t("tokenizer.surgery.add"), on_click=add_edit, args=(handle, "tok_new_tokens", None),
              key="tok_add_tokens")
    keep("tok_new_special", "[EOS]")
    s2.text_input(t("tokenizer.surgery.special"), key="tok_new_special")
    keep("tok_special_role", vocab.SPECIAL_ROLES[0])
    s2.selectbox(t("tokenizer.surgery.role"), vocab.SPECIAL_ROLES, key="tok_special_role")
    s2.button(t("tokenizer.surgery.add_special"), on_click=add_edit,
              args=(handle, "tok_new_special", "tok_special_role"), key="tok_add_special_btn")
    show_messages(st.session_state.get(SURGERY_MESSAGES_KEY, []))


def render_before_after(handle, tokenizer) -> str:
    """The new entries, and one sentence tokenized before and after the edits; returns that sentence."""
    with using(handle) as base:
        base_vocab = set(base.get_vocab())
    new_rows = [{"token": tok, "id": tid} for tok, tid in sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
                if tok not in base_vocab]
    st.markdown(f"**{t('tokenizer.surgery.new_ids')}**")
    st.dataframe(pd.DataFrame(new_rows).rename(columns=column_names()), hide_index=True)
    keep("tok_probe", "阳光照在大地上[EOS]")
    probe = st.text_input(t("tokenizer.surgery.probe"), key="tok_probe")
    if probe.strip():
        with using(handle) as base:
            before = base(probe)["input_ids"]
            before_tokens = base.convert_ids_to_tokens(before)
            before_chips = kind_chips(base, before, before_tokens)
        after = tokenizer(probe)["input_ids"]
        after_tokens = tokenizer.convert_ids_to_tokens(after)
        for title, tok_ids, chips in (
            (t("tokenizer.surgery.before"), before, before_chips),
            (t("tokenizer.surgery.after"), after, kind_chips(tokenizer, after, after_tokens)),
        ):
            st.caption(f"{title}: {tok_ids}")
            render_chips(chips)
        if any(tok != tok.strip() for tok in after_tokens):
            st.caption(t("tokenizer.surgery.normalized_note"))
    return probe


def render_export(tokenizer, edits, probe: str, work_dir) -> None:
    """Build the save_pretrained zip, check that it reloads to the same ids, and offer it."""
    st.markdown(f"**{t('tokenizer.surgery.export')}**")
    if st.button(t("tokenizer.surgery.prepare"), key="tok_prepare_zip"):
        exported = export.export_checked(tokenizer, work_dir, probe if probe.strip() else "阳光")
        remember(ZIP_KEY, tuple(edits), exported)
    exported = remembered(ZIP_KEY, tuple(edits))
    if exported is None:
        return
    st.download_button(t("tokenizer.surgery.download"), exported.data, file_name="tokenizer.zip",
                       mime="application/zip", key="tok_download")
    ok = exported.round_trip_ok
    (st.success if ok else st.error)(t("tokenizer.surgery.roundtrip_ok" if ok else "tokenizer.surgery.roundtrip_bad",
                                       files=", ".join(exported.files)))
    st.caption(t("tokenizer.surgery.load_code"))
    st.code(code.EXPORT_LOAD_SNIPPET, language="python")


def surgery_tab(handle, tokenizer, source, work_dir) -> None:
    """Vocab edits on this session's copy, before / after, the code, the export."""
    st.markdown(t("tokenizer.surgery.intro"))
    render_edit_buttons(handle)
    edits = st.session_state.get(EDITS_KEY, [])
    if not edits:
        st.info(t("tokenizer.surgery.none"))
        return
    with using(handle) as base:
        base_size = len(base)
    st.metric(t("tokenizer.surgery.size"), f"{base_size} → {len(tokenizer)}", delta=len(tokenizer) - base_size)
    probe = render_before_after(handle, tokenizer)
    st.warning(t("tokenizer.surgery.resize", old=base_size))
    st.code(code.surgery_snippet(source.repo_id, edits, len(tokenizer)), language="python")
    render_export(tokenizer, edits, probe, work_dir)
    st.button(t("tokenizer.surgery.reset"), on_click=reset_edits, key="tok_reset")


# ---------------------------------------------------------------- compare tab


def load_compare_tokenizer(compare_source):
    """The causal LM's tokenizer only (no weights), under its own manager key; None after a shown failure."""
    busy = t("tokenizer.compare.extracting") if compare.needs_extraction(compare_source) else None
    return load(compare_source, compare.load_compare_tokenizer, t("tokenizer.what"), variant="tokenizer",
                tokenizer_only=True, busy_text=busy)


def render_byte_pieces(other, text: str) -> None:
    """The byte-level tokens of `text`: raw bytes per token, then merged into whole characters."""
    with using(other) as other_tokenizer:
        other_ids = other_tokenizer(text, add_special_tokens=False)["input_ids"]
        pieces = bp.token_bytes(other_tokenizer, other_ids)
    merged = bp.merge_pieces(pieces)
    st.caption(t("tokenizer.compare.stats", tokens=len(other_ids), per_char=len(other_ids) / len(text)))
    st.caption(t("tokenizer.compare.raw"))
    render_chips([Chip(bp.piece_label(p), title=f"id {i}", background="#fee2e2" if bp.is_partial(p) else "#ffffff",
                       border="#dc2626" if bp.is_partial(p) else "#d1d5db") for p, i in zip(pieces, other_ids)])
    partial = sum(bp.is_partial(p) for p in pieces)
    if partial:
        st.caption(t("tokenizer.compare.partial", partial=partial))
    st.caption(t("tokenizer.compare.merged"))
    render_chips([Chip(m.text, title=t("tokenizer.compare.merged_title", n=m.n_tokens, first=m.first, last=m.last),
                       background="#dcfce7" if m.n_tokens > 1 else "#ffffff",
                       border="#16a34a" if m.n_tokens > 1 else "#d1d5db") for m in merged])


def compare_tab(source, tok, texts: list[str]) -> None:
    """The inspected text through this tokenizer and through the causal LM's byte-level BPE tokenizer."""
    st.markdown(t("tokenizer.compare.intro"))
    compare_source = resolve_role("causal_lm")
    st.caption(t("tokenizer.compare.source", source=source_caption(compare_source)))
    if not compare_source.ready:
        explain_missing(compare_source)
        return
    if not texts:
        st.info(t("tokenizer.compare.no_text"))
        return
    keep("tok_compare_on", False)
    if not st.toggle(t("tokenizer.compare.load"), key="tok_compare_on"):
        return
    other = load_compare_tokenizer(compare_source)
    text = texts[selected_index(len(texts))]
    if len(text) > COMPARE_CHARS:
        st.caption(t("tokenizer.compare.capped", limit=COMPARE_CHARS))
        text = text[:COMPARE_CHARS]
    if other is None:
        return
    left, right = st.columns(2)
    with using(tok) as tokenizer:
        mine_ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        mine_chips = kind_chips(tokenizer, mine_ids, tokenizer.convert_ids_to_tokens(mine_ids))
    with left:
        st.markdown(f"**{source.repo_id}**")
        st.caption(t("tokenizer.compare.stats", tokens=len(mine_ids), per_char=len(mine_ids) / len(text)))
        render_chips(mine_chips)
    with right:
        st.markdown(f"**{compare_source.repo_id}**")
        render_byte_pieces(other, text)


# ---------------------------------------------------------------- attention tab


def encoder_label(source, meta: dict | None) -> str:
    """A model's name in the encoder picker: models trained on the Sentiment page by how they were trained."""
    if meta:
        return t(name_key(meta, "name"), dataset=trained_name(meta), base=meta.get("base") or "")
    if source.kind == "local":  # a local dir is whatever it holds: named by its path, not the role's default id
        return source_caption(source)
    return f"{source.repo_id} · {source_caption(source)}"


def pick_encoder(role):
    """The encoder whose attention is shown, among the lab's BERT models (the role's own first); None when none."""
    choices = {source.cache_key: (source, meta)
               for source, meta in sorted(classifier_choices(role, session_owner()), key=lambda c: c[0] != role)}
    if not choices:
        return None
    if keep("tok_attn_model", next(iter(choices))) not in choices:
        st.session_state["tok_attn_model"] = next(iter(choices))
    names = {key: encoder_label(*choice) for key, choice in choices.items()}
    picked = st.selectbox(t("attention.pick_model"), list(choices), key="tok_attn_model", format_func=names.get)
    return choices[picked][0]


def explain_no_encoder(role) -> None:
    """What is missing (weights, not the vocab) and how to get it, as information: the page itself works."""
    show_message(
        Message("attention.no_model", {"repo_id": role.repo_id, "env_dir": ROLES["sentiment"].env_dir}, "info")
    )
    if role.problem_key not in (None, "problem.missing"):  # a bad local dir says what is wrong with it
        show_message(role.problem("warning"))
    if role.fix:
        st.code(role.fix, language="bash")


def attention_result(handle, text: str, pair: str | None) -> attention.Inspection | None:
    """The text (capped) through the encoder, cached for this session until the model or the text changes; None
    after a shown message."""
    def compute(clf) -> attention.Inspection:
        encoded, notes = attention.encode_capped(clf.tokenizer, text, pair, attention.token_limit(clf.model))
        return attention.inspect(clf.model, clf.tokenizer, encoded.input_ids, encoded.token_type_ids, notes)

    return cached_inspection(ATTENTION_KEY, (handle.key, id(handle.value.model), text, pair), handle, compute)


def attention_tab(texts: list[str], pairs: list[str] | None) -> None:
    """The inspected text through an encoder: layer and head pickers, one head's heatmap, all heads of the layer,
    and what each head attends to."""
    st.markdown(t("attention.intro"))
    role = resolve_role("sentiment")
    source = pick_encoder(role)
    if source is None:
        explain_no_encoder(role)
        return
    if not texts:
        st.info(t("tokenizer.compare.no_text"))
        return
    handle = load(source, load_classifier, t("attention.what"))
    if handle is None:
        return
    index = selected_index(len(texts))
    view = attention_result(handle, texts[index], pairs[index] if pairs else None)
    if view is None:
        return
    st.caption(t("attention.own_tokenizer", index=index))
    render_attention(view, "tok_attn", ENCODER_SHARES, "attention.summary", "attention.summary_note")


# ---------------------------------------------------------------- API tab


def api_tab(source, tok: Handle, anatomy) -> None:
    """The page's call as copyable transformers 5 code, and the tutorial's transformers 4 call."""
    st.markdown(t("tokenizer.api.intro", has=hasattr(tok.value, "batch_encode_plus")))  # a class fact: no lock
    if anatomy is None:
        st.info(t("tokenizer.no_result"))
        return
    call = (load_reference(source), anatomy.texts, anatomy.pairs, anatomy.options,
            st.session_state.get(EDITS_KEY, []), selected_index(len(anatomy)))
    snippet, cut = code.call_snippet(*call)
    st.markdown(f"**{t('tokenizer.api.modern')}**")
    st.code(snippet, language="python")
    notebook_button(code.call_notebook(*call, model_id=source.repo_id))
    if cut:
        st.caption(t("tokenizer.api.cut"))
    st.markdown(f"**{t('tokenizer.api.legacy')}**")
    st.code(code.legacy_snippet(anatomy.options, anatomy.pairs is not None), language="python")


# ---------------------------------------------------------------- the page

def main() -> None:
    """The page, top to bottom; a function, so no module global keeps the tokenizer alive after the manager unloads it
    (widget callbacks hold this module's globals)."""
    # one container above the tabs: what appears in it (notes, messages) never moves the tabs, which Streamlit
    # would re-create on the first tab (a click in the surgery tab jumped back to the first one, issue 18.5)
    with st.container():
        header("nav.tokenizer", "tokenizer.intro")
        take_link(PAGE, LINK_FIELDS, LINK_CHOICES)
        source = resolve_role("tokenizer")
        st.caption(t("tokenizer.source", source=source_caption(source)))
        handle = load(source, load_tokenizer, t("tokenizer.what"))
        if handle is None:
            st.stop()
        tok = session_tokenizer(handle)
        if st.session_state.get(EDITS_KEY):
            st.info(t("tokenizer.edited_note", size=len(tok.value)))  # this session's own copy: no lock
        settings = get_settings()

        prepare_input_state()
        raw_texts, raw_pairs, one_per_line, options = render_input(settings)
        texts, pairs, messages = checked_input(tok, settings, raw_texts, raw_pairs, one_per_line, options)
        blocked = show_messages(messages)
        anatomy = run_call(handle, tok, texts, pairs, options) if texts and not blocked else None

    tab_anatomy, tab_vocab, tab_surgery, tab_compare, tab_attention, tab_api = page_tabs(
        PAGE, ("anatomy", "vocab", "surgery", "compare", "attention", "api"),
        lambda name: t(f"tokenizer.tab.{name}"), key="tok_tab").values()
    with tab_anatomy:
        anatomy_tab(tok, anatomy, options)
    with tab_vocab:
        vocab_tab(tok)
    with tab_surgery:
        surgery_tab(handle, tok.value, source, settings.data_dir / "tmp")  # edits live in this session's copy
    with tab_compare:
        compare_tab(source, tok, texts)
    with tab_attention:
        if tab_attention.open is not False:  # the encoder loads and runs only while its tab is open
            attention_tab(texts, pairs)
    with tab_api:
        api_tab(source, tok, anatomy)


main()
