"""The remote model's chat template, for the completions route.

The completions route takes a raw prompt, so the public turns must be rendered the
way the *remote* model was trained to read them. Never the local model's template
by default: a Llama 3 or Gemma remote reading ChatML turns answers something else.
The template is either the server's own (llama.cpp's `/apply-template`, found by
the capability probe) or one the user picks from `REMOTE_TEMPLATES` (llama.cpp's
built-in renderers, so no Jinja is run on the remote's behalf).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.cloud.client import CloudClient
from engine.cloud.errors import CloudConfigError, CloudProtocolError
from engine.runtime.chat_format import _builtin_render, scaffolding_markers

SERVER = "server"  # the endpoint's own template, through /apply-template
LOCAL = "local"  # the local model's own: only for a remote serving the same model family
# The families most endpoints serve; llama.cpp names (engine.runtime.chat_format).
REMOTE_TEMPLATES = ("chatml", "llama3", "llama4", "mistral-v7", "gemma", "phi4", "deepseek3",
                    "gpt-oss", "granite", "command-r")


@dataclass
class Rendered:
    prompt: str
    stops: list[str]


def check_template(name: str) -> str:
    if name not in (SERVER, LOCAL, *REMOTE_TEMPLATES):
        raise CloudConfigError(f"Unknown remote template {name!r}; use one of "
                               f"{', '.join((SERVER, LOCAL, *REMOTE_TEMPLATES))}.")
    return name


def render(name: str, messages: Sequence[dict[str, str]], client: CloudClient,
           local: Callable[[list[dict[str, str]]], Rendered] | None = None) -> Rendered:
    """The public turns as the remote's prompt, ready for its reply, with its stop texts
    (`local` renders with the local model's template, for LOCAL)."""
    check_template(name)
    msgs = [dict(m) for m in messages]
    if name == LOCAL:
        if local is None:
            raise CloudConfigError("The local model's template is not available here.")
        return local(msgs)
    if name == SERVER:
        data = client.post_root("/apply-template", {"messages": msgs})
        prompt = data.get("prompt") if isinstance(data, dict) else None
        if not isinstance(prompt, str) or not prompt:
            raise CloudProtocolError("The endpoint's /apply-template gave no prompt.")
        return Rendered(prompt, [])  # the server stops at its own end-of-turn token
    fn = _builtin_render(name)
    return Rendered(fn(msgs, True), scaffolding_markers(fn))
