"""The one escaper (components/escape.py): every dangerous character, links, images, HTML and LaTeX.

The oracle is an independent CommonMark parser (markdown-it-py): escaped text must render as exactly the
text that was escaped, inside one paragraph, with no element of its own.
"""
from __future__ import annotations

import html
import re
import string

import pytest
from markdown_it import MarkdownIt

from components.escape import html_literal, markdown_code, markdown_literal

pytestmark = pytest.mark.security

ZWSP = "\u200b"
PAYLOADS = {
    "link": "[Session expired](http://evil.example/login)",
    "image": "![x](http://evil.example/pixel.png)",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "latex": "$x^2$ and $$\\int_0^1 f$$",
    "directive": ":red[alarm] :material/warning: :smile:",
    "heading": "# big\n## bigger",
    "list": "- item\n1. first",
    "code": "`code` ```fence```",
    "emphasis": "*a* _b_ **c** ~~d~~",
    "table": "| a | b |\n|---|---|",
    "autolink": "<http://evil.example> https://evil.example www.evil.example a@evil.example",
    "entity": "&lt;b&gt; &amp; &#60;",
}


def rendered(markdown: str) -> str:
    """HTML of `markdown` rendered by CommonMark, linkify off (GFM autolinks are checked apart)."""
    return MarkdownIt("commonmark").render(markdown)


def text_of(fragment: str) -> str:
    """The text a reader sees in a rendered one-paragraph fragment."""
    inner = re.fullmatch(r"<p>(.*)</p>\n", fragment, re.S)
    assert inner, fragment  # exactly one paragraph: no heading, list, table, code block
    assert "<" not in inner.group(1), fragment  # no element inside it
    return html.unescape(inner.group(1)).replace(ZWSP, "")


@pytest.mark.parametrize("char", list(string.punctuation))
def test_every_ascii_punctuation_character_is_escaped(char):
    assert markdown_literal(f"a{char}b").replace(ZWSP, "") == f"a\\{char}b"
    assert text_of(rendered(markdown_literal(f"a{char}{char}b{char}"))) == f"a{char}{char}b{char}"


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_renders_as_its_own_text(name):
    payload = PAYLOADS[name]
    assert text_of(rendered(markdown_literal(payload))) == payload.replace("\n", " ")


@pytest.mark.parametrize("breaker", ["\n", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"])
def test_line_breaks_cannot_start_a_block(breaker):
    assert text_of(rendered(markdown_literal(f"a{breaker}# title{breaker}- item"))) == "a # title - item"


@pytest.mark.parametrize(
    "literal", ["https://evil.example", "HTTP://evil.example", "www.evil.example", "a@evil.example"]
)
def test_gfm_autolink_literals_are_broken(literal):
    escaped = markdown_literal(literal)
    assert not re.search(r"(?i)https?:\\?/|www\\?\.|\w@\w", escaped.replace("\\", "")), escaped
    assert escaped.replace(ZWSP, "").replace("\\", "") == literal


@pytest.mark.parametrize("value", ["http://127.0.0.1:8080", "a`b", "``x``", "`edge`", "[x](y) <b> $z$", "line\nbreak"])
def test_code_span_shows_the_value_verbatim(value):
    fragment = rendered(f"see {markdown_code(value)}.")
    inner = re.fullmatch(r"<p>see <code>(.*)</code>\.</p>\n", fragment, re.S)
    assert inner, fragment
    assert html.unescape(inner.group(1)) == value.replace("\n", " ")


def test_html_literal_escapes_quotes_and_brackets():
    assert (
        html_literal("<a href=\"x\" onclick='y'>&</a>")
        == "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
    )
