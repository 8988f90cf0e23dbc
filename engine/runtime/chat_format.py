"""How a conversation becomes a prompt for one model, and where its reply must stop.

Three sources, in order:

1. the chat template in the GGUF file (`tokenizer.chat_template`), rendered by
   llama-cpp-python's Jinja2 formatter;
2. llama.cpp's built-in template for the model's architecture, when the file
   has none but the family has one (Gemma's `<start_of_turn>` turns, say);
3. a plain transcript ("User: ... / Assistant:") for a file that looks like a
   base model. Chat may not work well then (the user is told), but drafting's
   "continue" does, and no made-up template token is ever put in the prompt.

Until this module existed, a file with no template was given ChatML, which a
base Gemma answered with `<|im_end|>` in the text. Every format therefore also
lists the template *markers* it uses, and each is a stop string: a model that
writes one as text stops there, so no marker reaches a reply, a profile
description or the store.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Architectures whose family has one chat format, as llama.cpp names its built-in templates.
BUILTIN_BY_ARCHITECTURE = {
    "gemma": "gemma",
    "gemma2": "gemma",
    "gemma3": "gemma",
    "gemma3n": "gemma",
    "phi3": "phi3",
    "qwen2": "chatml",
    "qwen2moe": "chatml",
    "qwen3": "chatml",
    "qwen3moe": "chatml",
    "command-r": "command-r",
    "cohere2": "command-r",
    "granite": "granite",
}

PLAIN_ROLES = {"system": "System", "user": "User", "assistant": "Assistant"}
PLAIN_STOPS = ["\nUser:", "\nSystem:", "\nAssistant:"]

# Text that looks like a chat-template token: <|im_end|>, <end_of_turn>, [INST], </s>.
_MARKER = re.compile(r"<\|[^<>|\s]{1,40}\|>|</?[a-z][a-z0-9_]{1,30}>|\[/?[A-Z_]{3,12}\]")

# Sentinels for reading a template's own scaffolding off a rendered sample.
_A, _B, _C = "\x01AAAA\x01", "\x01BBBB\x01", "\x01CCCC\x01"


@dataclass(frozen=True)
class Rendered:
    text: str
    stop: list[str]


@dataclass
class ChatFormat:
    """A model's way of writing a conversation; `render` is all a caller needs."""

    source: str  # "file" | "builtin:<name>" | "plain"
    _render: Callable[[list[dict[str, str]], bool], str]
    markers: list[str] = field(default_factory=list)
    base_stops: list[str] = field(default_factory=list)

    @property
    def is_base_model(self) -> bool:
        """The file carries no chat template: most likely a base model, not tuned to chat."""
        return self.source != "file"

    def note(self, model_name: str) -> str | None:
        """What the user should know about this format (None for a normal chat model)."""
        if self.source == "file":
            return None
        how = (
            f"llama.cpp's built-in '{self.source.split(':', 1)[1]}' turns"
            if self.source.startswith("builtin:")
            else "a plain User/Assistant transcript"
        )
        return (
            f"{model_name} has no chat template, so it looks like a base model; it gets {how}. "
            "Chat may not work well with it; drafting's Continue does."
        )

    @property
    def stops(self) -> list[str]:
        return list(dict.fromkeys(self.base_stops + self.markers))

    def render(
        self, messages: Sequence[dict[str, str]], *, add_generation_prompt: bool = True
    ) -> Rendered:
        return Rendered(self._render(list(messages), add_generation_prompt), self.stops)

    def clean(self, text: str) -> str:
        """`text` cut at the first stop string (for replies made outside the stop machinery)."""
        cut = len(text)
        for s in self.stops:
            i = text.find(s)
            if 0 <= i < cut:
                cut = i
        return text[:cut]


def scaffolding_markers(render: Callable[[list[dict[str, str]], bool], str]) -> list[str]:
    """The template tokens a format writes around messages, read off a rendered sample."""
    sample = [
        {"role": "user", "content": _A},
        {"role": "assistant", "content": _B},
        {"role": "user", "content": _C},
    ]
    try:
        text = render(sample, True)
    except Exception:  # a template that refuses this shape still gets its other stops
        return []
    scaffold = re.sub("\x01[ABC]{4}\x01", " ", text)
    return list(dict.fromkeys(_MARKER.findall(scaffold)))


def _plain_render(messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
    parts = [
        f"{PLAIN_ROLES.get(m['role'], m['role'].title())}: {m['content'].strip()}"
        for m in messages
    ]
    if add_generation_prompt:
        parts.append("Assistant:")
    return "\n\n".join(parts)


def _jinja_render(template: str, bos: str, eos: str) -> Callable[[list[dict[str, str]], bool], str]:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    fmt = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

    def render(messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
        fmt.add_generation_prompt = add_generation_prompt
        return fmt(messages=messages).prompt

    return render


def builtin_templates() -> list[str]:
    """The names of llama.cpp's built-in chat templates."""
    import llama_cpp

    n = llama_cpp.llama_chat_builtin_templates(None, 0)
    arr = (ctypes.c_char_p * max(n, 1))()
    llama_cpp.llama_chat_builtin_templates(arr, n)
    return [arr[i].decode() for i in range(n)]


def _builtin_render(name: str) -> Callable[[list[dict[str, str]], bool], str]:
    import llama_cpp

    def render(messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
        keep = [(m["role"].encode(), m["content"].encode()) for m in messages]
        chat = (llama_cpp.llama_chat_message * len(keep))()
        for i, (role, content) in enumerate(keep):
            chat[i].role, chat[i].content = role, content
        size = 256 + sum(len(r) + len(c) for r, c in keep) * 2
        for _ in range(2):
            buf = ctypes.create_string_buffer(size)
            n = llama_cpp.llama_chat_apply_template(
                name.encode(), chat, len(keep), add_generation_prompt, buf, size
            )
            if n < 0:
                raise ValueError(f"llama.cpp does not know the chat template {name!r}")
            if n <= size:
                return buf.raw[:n].decode("utf-8", errors="replace")
            size = n + 1
        raise ValueError("chat template output did not fit")

    return render


def chat_format_for(
    architecture: str, template: str | None, *, bos: str, eos: str, end_texts: Sequence[str] = ()
) -> ChatFormat:
    """The format for a model: its file's template, its family's built-in one, or plain.

    `end_texts` are the texts of the model's end-of-generation tokens (`<|im_end|>`,
    `<end_of_turn>`): stops too, in case a model writes one as plain text.
    """
    extra = [t for t in end_texts if t and _MARKER.fullmatch(t)]
    if template:
        render = _jinja_render(template, bos, eos)
        return ChatFormat("file", render, scaffolding_markers(render) + extra)
    name = BUILTIN_BY_ARCHITECTURE.get(architecture)
    if name and name in builtin_templates():
        render = _builtin_render(name)
        return ChatFormat(f"builtin:{name}", render, scaffolding_markers(render) + extra)
    return ChatFormat("plain", _plain_render, extra, base_stops=list(PLAIN_STOPS))


class StopScanner:
    """Streams text through, holding back only what could still become a stop string.

    llama-cpp-python does this for its own sampler; the token-by-token loop
    (`LlamaRuntime.stream_with_logits`) uses this one.
    """

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = [s for s in stops if s]
        self._held = ""
        self.stopped = False

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        text = self._held + piece
        cut = min((i for i in (text.find(s) for s in self.stops) if i >= 0), default=-1)
        if cut >= 0:
            self.stopped = True
            self._held = ""
            return text[:cut]
        keep = 0
        for s in self.stops:
            for k in range(min(len(s) - 1, len(text)), 0, -1):
                if text.endswith(s[:k]):
                    keep = max(keep, k)
                    break
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        out, self._held = ("" if self.stopped else self._held), ""
        return out
