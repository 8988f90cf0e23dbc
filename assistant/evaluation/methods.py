"""The evaluation's side of the method registry (`assistant.method_registry`).

`assistant eval --methods` names methods of the one registry; each method makes its
own plug-in (`Method.evaluate`) from the parts the evaluation shares
(`assistant.evaluation.service.EvalParts`). The methods only the evaluation runs, the
remote endpoint's replies, register here like any other, flagged `chat=False` so that
chat, the CLI and the window never offer them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import UserError
from assistant.method_registry import (
    HISTORY,
    REGISTRY,
    REMOTE,
    Need,
    Prepared,
    Request,
    profile_kinds,
    register,
)

if TYPE_CHECKING:  # pragma: no cover
    from assistant.evaluation.service import EvalParts, ProfileBuilds
    from engine.runtime.generation import SamplingSettings
    from engine.runtime.llamacpp import LlamaRuntime


@dataclass(frozen=True)
class EvalOnly:
    """A method only `assistant eval` runs: a remote endpoint's replies."""

    name: str
    label: str
    summary: str
    needs: tuple[Need, ...]
    plugin: Callable[[EvalParts], Any]  # the evaluation's plug-in, made from its parts
    chat: bool = False

    def prepare(self, req: Request) -> Prepared:
        raise UserError(f"{self.name} runs in 'assistant eval' only.")

    def evaluate(self, parts: EvalParts) -> Any:
        return self.plugin(parts)


def _costeer(parts: EvalParts) -> Any:
    from assistant.evaluation.service import costeer_plugin

    return costeer_plugin(parts)


def _remote(parts: EvalParts) -> Any:
    from assistant.evaluation.service import remote_plugin

    return remote_plugin(parts, with_rag=False)


def _remote_rag(parts: EvalParts) -> Any:
    from assistant.evaluation.service import remote_plugin

    return remote_plugin(parts, with_rag=True)


COSTEER = register(EvalOnly("costeer", "CoSteer", "the remote steered by the local delta",
                            (HISTORY, REMOTE), _costeer))
REMOTE_ALONE = register(EvalOnly("remote", "Remote", "the remote alone", (REMOTE,), _remote))
# An evaluation-only reference: it sends the user's texts, which the app never does.
REMOTE_RAG = register(EvalOnly(
    "remote+rag", "Remote + my texts",
    "the remote with the user's texts in its prompt: evaluation only, it sends the history",
    (HISTORY, REMOTE), _remote_rag))


def methods_help() -> str:
    """The `--methods` help: every registered method, with a word on the evaluation's own."""
    return "comma-separated: " + ", ".join(
        m.name if m.chat else f"{m.name} ({m.summary})" for m in REGISTRY.values())


def parse_methods(text: str) -> list[str]:
    """`--methods`: the named methods (evaluation-only ones included), each once."""
    names = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in names if m not in REGISTRY]
    if bad or not names:
        raise UserError(
            f"Unknown method(s) {', '.join(bad) or '(none given)'}; choose from "
            f"{', '.join(REGISTRY)}."
        )
    return list(dict.fromkeys(names))


def make_methods(names: Sequence[str], runtime: LlamaRuntime, sampling: SamplingSettings,
                 cache_home: Path, device: str = "auto", options: dict[str, Any] | None = None,
                 cloud: tuple[str | None, str | None, str | None] = (None, None, None),
                 ) -> tuple[list[Any], ProfileBuilds | None]:
    """The plug-ins of the named methods, and the per-row profile builds they share (made
    when one of them steers with a profile; the caller closes them)."""
    from assistant.evaluation.service import EvalParts, Generator, ProfileBuilds

    chosen = [REGISTRY[n] for n in names]
    parts = EvalParts(runtime, sampling, Generator(runtime, sampling), device, cloud)
    if any(profile_kinds(m) for m in chosen):
        parts.builds = ProfileBuilds(runtime, cache_home, device, options,
                                     reply_tokens=sampling.max_tokens)
    return [m.evaluate(parts) for m in chosen], parts.builds
