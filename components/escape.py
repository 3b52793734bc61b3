"""The one escaper for untrusted text (model output, data set rows, typed paths, server replies).

Streamlit renders Markdown in st.markdown / st.error / st.info / captions / tables' help: links,
images, HTML, `:red[...]` directives, `:emoji:` shortcodes and LaTeX `$...$` all come from ASCII
punctuation, and CommonMark lets every ASCII punctuation character be backslash-escaped. So every one
is escaped, and line breaks become spaces (a newline could start a heading or a list).
"""
from __future__ import annotations

import html
import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# where GFM's autolink literals start: after "scheme:" before "//", inside "www.", and right after "@"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def markdown_literal(text: object) -> str:
    """`text` made inert inside any Markdown-rendering Streamlit element: shown exactly as written.

    GFM turns bare `https://...`, `www.` and `a@b.c` into links after escapes are resolved, so those
    sequences are broken with an invisible zero-width space (the text reads the same, it links nowhere).
    """
    plain = _AUTOLINK.sub("\u200b", _LINE_BREAKS.sub(" ", str(text)))
    return _PUNCTUATION.sub(r"\\\1", plain)


def markdown_code(text: object) -> str:
    """`text` as an inline code span: shown verbatim (no escapes, no links), copyable as written.

    The fence is one backtick longer than any run inside, so no value can close it early.
    """
    plain = _LINE_BREAKS.sub(" ", str(text))
    fence = "`" * (max((len(run) for run in re.findall("`+", plain)), default=0) + 1)
    pad = " " if plain[:1] == "`" or plain[-1:] == "`" else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{plain}{pad}{fence}"


def markdown_lines(text: object) -> str:
    """`text` made inert like `markdown_literal`, its line breaks kept as Markdown hard breaks (streamed stories).

    Per line, so it can be applied chunk by chunk to a stream: the result does not depend on the chunking.
    """
    return "  \n".join(markdown_literal(line) for line in str(text).split("\n"))


def html_literal(text: object) -> str:
    """`text` made inert inside HTML we build ourselves (token chips): entities for & < > " '."""
    return html.escape(str(text), quote=True)
