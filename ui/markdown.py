"""Replies as Markdown: the HTML subset Qt's rich text draws, with highlighted code.

markdown-it-py parses (CommonMark plus tables and strikethrough) and Pygments
colours fenced code with inline styles, which Qt's rich-text engine understands
without a stylesheet. Raw HTML in a reply is shown as text, never interpreted: a
model's output must not be able to draw links or images the user did not see as
such. Each code block gets a "Copy code" link (`copy:N`); the view copies block N
when it is clicked, and opens other links in the browser only on a click.

Qt's rich-text engine knows only a subset of HTML and CSS, so the renderer writes
what it does draw: single line breaks as `<br>` (a letter's lines stay lines),
inline code in a monospaced family with a tinted background, tables with
`border` and `cellpadding` attributes, and a block quote as a one-cell table with a
tinted background and a left rule (Qt indents a bare `<blockquote>` and nothing else).

Rendering is a pure function of the text, so a reply being streamed is simply
rendered again as it grows (an unclosed fence is code up to the end).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

COPY_SCHEME = "copy"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
MONO = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace"
# Tints that read on a light and on a dark background: (code, quote background, rule).
_TINTS = {False: ("#eeeeee", "#f4f4f4", "#a0a0a0"), True: ("#3a3a3a", "#2e2e2e", "#707070")}


@dataclass
class Rendered:
    html: str
    code_blocks: list[str] = field(default_factory=list)


@lru_cache(maxsize=2)
def _parser(dark: bool = False):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "breaks": True})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    code_bg, quote_bg, rule = _TINTS[dark]

    def code_inline(_self, tokens, idx, _options, _env) -> str:
        return (f'<code style="font-family: {MONO}; background-color: {code_bg};">'
                f"{html.escape(tokens[idx].content)}</code>")

    def table_open(*_args) -> str:
        return f'<table border="1" cellspacing="0" cellpadding="4" style="border-color: {rule};' \
               ' border-collapse: collapse; margin: 4px 0;">\n'

    def quote_open(*_args) -> str:
        return (f'<table width="100%" cellspacing="0" cellpadding="6" style="margin: 4px 0;">'
                f'<tr><td style="background-color: {quote_bg}; border-left: 3px solid {rule};'
                ' font-style: italic;">\n')

    def quote_close(*_args) -> str:
        return "</td></tr></table>\n"

    md.add_render_rule("code_inline", code_inline)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("blockquote_open", quote_open)
    md.add_render_rule("blockquote_close", quote_close)
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
        return f'<pre style="font-family: {MONO};">{html.escape(code)}</pre>'
    # nowrap: only the coloured spans, inside our own <pre> (Qt keeps its whitespace).
    style = "native" if dark else "default"  # colours that read on the palette's background
    spans = highlight(code, lexer, HtmlFormatter(noclasses=True, nowrap=True, style=style))
    return f'<pre style="font-family: {MONO};">{spans}</pre>'


def render(text: str, *, dark: bool = False) -> Rendered:
    """HTML for Qt's rich text, and the raw text of every code block in order; `dark`
    picks code colours for a dark background."""
    md = _parser(dark)
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
