"""The copyable code of the Tokenizer page: the current call (transformers 5), the tutorial's
transformers 4 call, the vocab edits, the embedding resize and loading an exported zip.

Code loads the tokenizer the page used the way every snippet loads its model (hflab.snippet.reference): by its
model id (a local copy only as a comment), or, offline, from the packaged vocab as the lab does, so the
notebook runs without the Hub and prints the page's ids.
"""
from __future__ import annotations

from collections.abc import Sequence

from hflab.snippet.notebook import NotebookSpec
from hflab.snippet.reference import LoadReference
from hflab.tokenizer.inputs import CallOptions
from hflab.tokenizer.vocab import VocabEdit

SNIPPET_TEXT_CHARS = 4000


def _literal_list(values: Sequence[str], limit: int = SNIPPET_TEXT_CHARS) -> tuple[str, bool]:
    """A Python list literal of `values`, cut to about `limit` characters; True when it was cut."""
    kept, size = [], 0
    for v in values:
        if size + len(v) > limit and kept:
            return "[\n" + "".join(f"    {x!r},\n" for x in kept) + "]", True
        kept.append(v)
        size += len(v)
    return "[\n" + "".join(f"    {x!r},\n" for x in kept) + "]", False


def _kwargs_lines(options: CallOptions, indent: str = "    ") -> str:
    return "".join(f"{indent}{k}={v!r},\n" for k, v in options.kwargs().items())


def load_line(model: LoadReference) -> str:
    """The lines that load the tokenizer (`model`'s setup, then `tokenizer = AutoTokenizer.from_pretrained(...)`)."""
    setup = model.setup + "\n" if model.setup.count("\n") > 1 else model.setup  # a block of setup: a blank line
    return f"{setup}tokenizer = AutoTokenizer.from_pretrained({model.args})"


def edit_line(edit: VocabEdit) -> str:
    """The line of Python that makes `edit`."""
    if edit.special_role is None:
        return f"tokenizer.add_tokens({list(edit.tokens)!r})"
    if edit.special_role == "additional_special_tokens":
        return (f'tokenizer.add_special_tokens({{"additional_special_tokens": {list(edit.tokens)!r}}}, '
                "replace_extra_special_tokens=False)")
    return f"tokenizer.add_special_tokens({{{edit.special_role!r}: {edit.tokens[0]!r}}})"


def call_snippet(model: LoadReference, texts: Sequence[str], pairs: Sequence[str] | None, options: CallOptions,
                 edits: Sequence[VocabEdit] = (), index: int = 0) -> tuple[str, bool]:
    """Copyable code for the current call (transformers 5) that loads the tokenizer as `model` says
    (hflab.snippet.reference.load_reference) and prints the page's table for text `index`.

    Returns (code, cut): cut is True when the texts were too long to embed in full.
    """
    texts_literal, cut_texts = _literal_list(texts)
    lines = ["import pandas as pd", "from transformers import AutoTokenizer", "", load_line(model)]
    lines += [edit_line(edit) for edit in edits]
    lines.append(f"texts = {texts_literal}")
    pair_arg = ""
    cut_pairs = False
    if pairs is not None:
        pairs_literal, cut_pairs = _literal_list(pairs)
        lines.append(f"pairs = {pairs_literal}")
        pair_arg = "    text_pair=pairs,\n"
    lines.append("out = tokenizer(\n    texts,\n" + pair_arg + _kwargs_lines(options) + ")")
    lines += [
        f"i = {int(index)}  # the text shown in the table",
        'table = pd.DataFrame({"token": tokenizer.convert_ids_to_tokens(out["input_ids"][i]),',
        '                      **{key: out[key][i] for key in out if key != "length"}})',
        "print(table)",
    ]
    if options.return_length:
        lines.append('print("length:", out["length"][i])')
    return "\n".join(lines) + "\n", cut_texts or cut_pairs


def call_notebook(model: LoadReference, texts: Sequence[str], pairs: Sequence[str] | None, options: CallOptions,
                  edits: Sequence[VocabEdit] = (), index: int = 0, model_id: str = "") -> NotebookSpec:
    """`call_snippet` (same arguments) as a notebook with the call's settings (`model_id`: the model's name
    there); it prints the page's table."""
    snippet, _ = call_snippet(model, texts, pairs, options, edits, index)
    settings: dict[str, object] = {"model": model_id or model.args, "texts": len(texts), "text in the table": index,
                                   "text": texts[index] if 0 <= index < len(texts) else ""}
    if pairs is not None:
        settings["pair"] = pairs[index] if 0 <= index < len(pairs) else ""
    settings.update(options.kwargs())
    if edits:
        settings["vocab edits"] = [edit_line(edit) for edit in edits]
    return NotebookSpec("tokenizer", "nav.tokenizer", "tokenizer.api.modern", snippet, settings,
                        ("transformers", "tokenizers", "pandas"))


def legacy_snippet(options: CallOptions, has_pairs: bool) -> str:
    """The tutorial's transformers 4 call with the same arguments (it raises AttributeError in transformers 5)."""
    batch = "list(zip(texts, pairs))" if has_pairs else "texts"
    return ("# transformers 4 only: batch_encode_plus was removed in transformers 5\n"
            "out = tokenizer.batch_encode_plus(\n"
            f"    batch_text_or_text_pairs={batch},\n" + _kwargs_lines(options) + "    return_tensors=None,\n)\n")


def resize_snippet(model_id: str, new_size: int) -> str:
    """The call a model needs after the vocab grew: its embedding matrix must have one row per id."""
    return ("from transformers import AutoModel\n\n"
            f"model = AutoModel.from_pretrained({model_id!r})\n"
            f"model.resize_token_embeddings(len(tokenizer))  # {int(new_size)} rows; new rows start random\n")


def surgery_snippet(model_id: str, edits: Sequence[VocabEdit], new_size: int) -> str:
    """The edits as code, then the embedding resize they make necessary."""
    return "\n".join(edit_line(edit) for edit in edits) + "\n" + resize_snippet(model_id, new_size)


EXPORT_LOAD_SNIPPET = ('from transformers import AutoTokenizer\n\n'
                       'tokenizer = AutoTokenizer.from_pretrained("tokenizer")  # the unzipped folder\n')
