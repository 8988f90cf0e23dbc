"""Replies as Markdown: the HTML subset Qt's rich text draws, with highlighted code.

markdown-it-py parses (CommonMark plus tables and strikethrough) and Pygments
colours fenced code with inline styles, which Qt's rich-text engine understands
without a stylesheet. Raw HTML in a reply is shown as text, never interpreted: a
model's output must not be able to draw links or images the user did not see as
such. Each code block gets a "Copy code" link (`copy:N`); the view copies block N
when it is clicked, and opens other links in the browser only on a click.

Rendering is a pure function of the text, so a reply being streamed is simply
rendered again as it grows (an unclosed fence is code up to the end).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

COPY_SCHEME = "copy"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class Rendered:
    html: str
    code_blocks: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    return md


@lru_cache(maxsize=64)
def _lexer(lang: str):
    """The fence's language, or None (plain): guessing would be too slow per repaint."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, dark: bool) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    lexer = _lexer(lang.strip().lower())
    if lexer is None:
        return f"<pre>{html.escape(code)}</pre>"
    # nowrap: only the coloured spans, inside our own <pre> (Qt keeps its whitespace).
    style = "native" if dark else "default"  # colours that read on the palette's background
    spans = highlight(code, lexer, HtmlFormatter(noclasses=True, nowrap=True, style=style))
    return f"<pre>{spans}</pre>"


def render(text: str, *, dark: bool = False) -> Rendered:
    """HTML for Qt's rich text, and the raw text of every code block in order; `dark`
    picks code colours for a dark background."""
    md = _parser()
    blocks: list[str] = []
    out: list[str] = []
    prose: list = []  # tokens between code blocks, rendered together

    def flush() -> None:
        if prose:
            out.append(md.renderer.render(prose, md.options, {}))
            prose.clear()

    for tok in md.parse(text):
        if tok.type not in ("fence", "code_block"):
            prose.append(tok)
            continue
        flush()
        n = len(blocks)
        blocks.append(tok.content)
        lang = tok.info.split()[0] if tok.info else ""
        label = f"{html.escape(lang)} · " if lang else ""
        out.append(f'<p style="margin:6px 0 0 0"><small>{label}'
                   f'<a href="{COPY_SCHEME}:{n}">Copy code</a></small></p>')
        out.append(_highlight(tok.content, lang, dark))
    flush()
    return Rendered("".join(out), blocks)


def warm() -> None:
    """Import the parser and the common lexers once, when the window is idle, so the first
    reply does not pay for them while it streams."""
    render("**x**\n\n```python\nx = 1\n```\n")
