"""Tokens as coloured chips, and a source text with one span highlighted.

Shared by the Tokenizer page (chips by token kind) and the sampling playground (generated tokens
coloured by probability: pass `Chip(text, background=probability_color(p), title=f"p={p:.2f}")`); the
Sentiment page colours a review's characters by their signed attributions (`render_scored_text`).
The HTML is built here from escaped token text only (`html_literal`); colours must match a strict
CSS colour pattern, so nothing a model or a user typed can inject markup. `st.html` sanitises
it once more (DOMPurify) and runs no JavaScript.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from components.escape import html_literal, markdown_literal
from hflab.byte_pieces import visible

_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[0-9.]+\s*,\s*[0-9.]+\s*,\s*[0-9.]+\s*(,\s*[0-9.]+\s*)?\)")
_STYLES = {
    "": "",
    "dashed": "border-style:dashed;",
    "strike": "text-decoration:line-through;opacity:.55;",
    "faded": "opacity:.45;",
    "bold": "font-weight:600;",
}


@dataclass(frozen=True)
class Chip:
    """One token: its text (made visible and escaped when drawn), hover text, colours and a style."""

    text: str
    title: str = ""
    background: str | None = None  # CSS colour, e.g. "#dbeafe" or probability_color(p)
    border: str | None = None
    style: str = ""  # "", "dashed", "strike", "faded" or "bold"
    selected: bool = False


def safe_color(color: str | None) -> str | None:
    """`color` if it is a plain hex / rgb() / rgba() colour, else None."""
    return color if color and _COLOR.fullmatch(color.strip()) else None


def probability_color(p: float, rgb: tuple[int, int, int] = (255, 157, 0)) -> str:
    """A background whose strength grows with probability `p` (0..1), in the app's orange by default."""
    alpha = 0.08 + 0.8 * min(1.0, max(0.0, float(p)))
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f})"


def _chip_html(chip: Chip) -> str:
    background = safe_color(chip.background) or "#f3f4f6"
    border = safe_color(chip.border) or "#d1d5db"
    style = (f"display:inline-block;margin:2px 3px;padding:1px 7px;border-radius:6px;border:1px solid {border};"
             f"background:{background};font-family:monospace;font-size:0.92rem;white-space:pre;line-height:1.6;"
             + _STYLES.get(chip.style, ""))
    if chip.selected:
        style += "outline:3px solid #FF9D00;outline-offset:1px;"
    title = f' title="{html_literal(chip.title)}"' if chip.title else ""
    return f'<span class="hflab-chip"{title} style="{style}">{html_literal(visible(chip.text))}</span>'


def chips_html(chips: Sequence[Chip]) -> str:
    """One HTML block of chips (every text escaped, every colour checked)."""
    inner = "".join(_chip_html(chip) for chip in chips)
    return f'<div class="hflab-chips" style="line-height:2.1">{inner}</div>'


def render_chips(chips: Sequence[Chip]) -> None:
    """Draw chips (nothing when there are none)."""
    if chips:
        st.html(chips_html(chips))


def source_html(text: str, mark: tuple[int, int] | None = None, faded_from: int | None = None,
                window: int = 3000) -> str:
    """`text` escaped, with characters mark[0]:mark[1] highlighted and everything from `faded_from` struck out.

    Long texts are cut to `window` characters around the mark (the cut ends show "…").
    """
    start, end = mark if mark else (0, 0)
    lo = max(0, min(start, len(text)) - window // 2) if mark else 0
    hi = min(len(text), lo + window)
    cut_at = len(text) if faded_from is None else max(0, faded_from)
    bounds = sorted({lo, hi, *(b for b in (start, end, cut_at) if lo < b < hi)})
    parts = ["…"] if lo > 0 else []
    for a, b in zip(bounds, bounds[1:]):
        piece = html_literal(text[a:b])
        if mark and start <= a and b <= end:
            parts.append(f'<mark class="hflab-span" style="background:#FF9D00;color:#111;padding:0 1px;'
                         f'border-radius:3px">{piece}</mark>')
        elif a >= cut_at:
            parts.append(
                f'<span class="hflab-truncated" style="text-decoration:line-through;opacity:.45">{piece}</span>'
            )
        else:
            parts.append(piece)
    if hi < len(text):
        parts.append("…")
    return ('<div class="hflab-source" style="white-space:pre-wrap;word-break:break-all;font-size:1.05rem;'
            'line-height:1.8;padding:8px 12px;border:1px solid #e5e7eb;border-radius:8px;background:#fafafa">'
            + "".join(parts) + "</div>")


def render_source(text: str, mark: tuple[int, int] | None = None, faded_from: int | None = None) -> None:
    """Draw `text` with the highlighted span (see `source_html`)."""
    st.html(source_html(text, mark, faded_from))


def signed_color(value: float, scale: float, plus: tuple[int, int, int] = (22, 163, 74),
                 minus: tuple[int, int, int] = (220, 38, 38)) -> str:
    """Green for a positive `value`, red for a negative one, stronger as |value| nears `scale`."""
    share = min(1.0, abs(float(value)) / scale) if scale > 0 else 0.0
    r, g, b = plus if value >= 0 else minus
    return f"rgba({r},{g},{b},{0.06 + 0.74 * share:.2f})"


def scored_text_html(pieces: Sequence[tuple[str, float | None, str]]) -> str:
    """A text whose pieces (text, score or None, hover text) are coloured by the sign and size of their score.

    Each piece is escaped (`html_literal`); pieces without a score are drawn grey. Used for attributions.
    """
    scale = max((abs(score) for _, score, _ in pieces if score is not None), default=0.0)
    parts = []
    for text, score, title in pieces:
        if score is None:
            parts.append(f'<span style="color:#9ca3af">{html_literal(text)}</span>')
            continue
        color = safe_color(signed_color(score, scale)) or "#f3f4f6"
        parts.append(f'<span class="hflab-scored" title="{html_literal(title)}" style="background:{color};'
                     f'border-radius:3px;padding:1px 1px">{html_literal(text)}</span>')
    return ('<div class="hflab-scored-text" style="white-space:pre-wrap;word-break:break-all;font-size:1.15rem;'
            'line-height:2;padding:8px 12px;border:1px solid #e5e7eb;border-radius:8px">' + "".join(parts) + "</div>")


def render_scored_text(pieces: Sequence[tuple[str, float | None, str]]) -> None:
    """Draw a text coloured by scores (see `scored_text_html`)."""
    st.html(scored_text_html(pieces))


def legend(items: Sequence[tuple[str, Chip]]) -> None:
    """A row of sample chips, each followed by what it means."""
    body = "".join(f"{_chip_html(chip)}<span style='margin-right:14px;font-size:.85rem'>{html_literal(label)}</span>"
                   for label, chip in items)
    st.html(f'<div class="hflab-legend">{body}</div>')


def markdown_label(text: str) -> str:
    """Untrusted text made safe for widget labels that render Markdown (st.pills options, for example)."""
    return markdown_literal(visible(text))
