"""The remote model's own replies as evaluation arms (`assistant eval --methods remote,...`).

- remote      the remote alone: one plain chat request with the public turns only (the
              task), what a user gets from the cloud without personalization.
- remote+rag  the remote with the user's texts in its prompt. It sends the writing
              history to the remote, which the app never does: it exists only as the
              evaluation's reference (how much of its gain CoSteer recovers without
              sending the texts) and is offered by no chat method list.

Both use the evaluation's sampler (temperature, top-p, seed; the llama.cpp extras
top-k, min-p and repeat penalty where the server takes them), so they are paired
with the local methods by seed as far as a remote sampler allows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from assistant.errors import UserError
from engine.cloud import CloudClient, CloudError
from engine.eval.data import HistoryItem
from engine.runtime.generation import SamplingSettings

REMOTE = "remote"
REMOTE_RAG = "remote+rag"
# Sampler fields only llama.cpp-style servers know; dropped once if a server rejects them.
LLAMA_CPP_SAMPLER = ("top_k", "min_p", "repeat_penalty")


def sampler_body(sampling: SamplingSettings, seed: int) -> dict[str, Any]:
    """The evaluation's sampler as chat-request fields."""
    return {
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "seed": seed,
        "top_k": sampling.top_k,
        "min_p": sampling.min_p,
        "repeat_penalty": sampling.repeat_penalty,
    }


class RemoteEvalMethod:
    """The remote's plain reply to the task (`rag_prompt` None) or to the task with the
    row's texts before it (`rag_prompt(history, task)`: remote+rag)."""

    def __init__(
        self,
        sampling: SamplingSettings,
        url: str | None,
        model: str | None,
        *,
        api_key: str | None = None,
        rag_prompt: Callable[[Sequence[HistoryItem], str], str] | None = None,
        timeout: float = 300.0,
    ) -> None:
        if not url or not model:
            raise UserError("The remote methods need a remote: give --remote-url and "
                            "--remote-model, or run 'assistant cloud set' first.")
        self.sampling = sampling
        self.url, self.model, self.key = url, model, api_key
        self.rag_prompt = rag_prompt
        self.timeout = timeout
        self.name = REMOTE if rag_prompt is None else REMOTE_RAG
        self.uses_history = rag_prompt is not None

    def prepare(self, history: Sequence[HistoryItem]) -> list[HistoryItem]:
        return list(history)

    def user_text(self, state: Sequence[HistoryItem], task: str) -> str:
        return task if self.rag_prompt is None else self.rag_prompt(state, task)

    def generate(self, state: Sequence[HistoryItem], task: str, seed: int) -> str:
        msgs = [{"role": "user", "content": self.user_text(state, task)}]
        try:
            with CloudClient(self.url, self.model, self.key, timeout=self.timeout) as client:
                text, _finish = client.chat_text(
                    msgs, max_tokens=self.sampling.max_tokens,
                    sampler=sampler_body(self.sampling, seed), droppable=LLAMA_CPP_SAMPLER)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
        return text.strip()
