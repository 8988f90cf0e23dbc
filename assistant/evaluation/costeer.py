"""CoSteer as the evaluation runs it: the remote steered by the local model that holds the
row's history, with the same planning chat uses."""


from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from assistant.cloud.keys import stored_api_key
from assistant.cloud.plan import (
    DEFAULT_ACCEPT_MARGIN,
    DEFAULT_LOOKAHEAD,
    DEFAULT_NO_REPEAT_NGRAM,
    DEFAULT_TOP_K,
    LLAMA_CPP_EXTRAS,
    STREAM_LOOKAHEAD,
    build_plan,
    steer,
)
from assistant.errors import UserError
from engine.cloud import CloudClient, CloudError
from engine.cloud.probe import (
    PLAIN_MODE,
    Mode,
    choose_mode,
    probe,
)
from engine.methods.costeer import (
    CoSteerConfig,
    CoSteerDecoder,
    CoSteerStats,
    LocalVocab,
)
from engine.methods.rag import pick_texts, rag_budget
from engine.runtime.generation import SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime

log = logging.getLogger(__name__)





class CoSteerEvalMethod:
    """`assistant eval --methods costeer`: the evaluation plug-in (engine.eval.harness.Method).

    Each row's history stands in for the user's writing samples (same retrieval and
    context block as chat); the remote is the endpoint from `assistant cloud set`.
    `last_stats` keeps every row's round-trip figures for the report.
    """

    name = "costeer"
    uses_history = True

    def __init__(
        self,
        runtime: LlamaRuntime,
        sampling: SamplingSettings,
        url: str | None,
        model: str | None,
        *,
        api_key: str | None = None,
        template: str | None = None,
        system: str = "You are a helpful assistant.",
        config: CoSteerConfig | None = None,
        accept_margin: float = DEFAULT_ACCEPT_MARGIN,
        top_k: int = DEFAULT_TOP_K,
    ) -> None:
        if not url or not model:
            raise UserError(
                "The costeer method needs a remote: run 'assistant cloud set --url URL "
                "--model NAME' first."
            )
        self.runtime, self.sampling = runtime, sampling
        self.url, self.model, self.system = url, model, system
        self.key = api_key or stored_api_key()
        self.config = config or CoSteerConfig()
        self.accept_margin = accept_margin
        self.top_k = top_k  # the remote's candidates
        self.template = template
        self.mode: Mode | None = None  # probed at the first row
        self.last_stats: list[CoSteerStats] = []

    def prepare(self, history: Sequence[Any]) -> list[Any]:
        return list(history)

    def personal_texts(self, history: Sequence[Any], task: str) -> list[str]:
        """The row's texts for the local context, picked as chat picks the user's."""
        return pick_texts(task, [h.text for h in history], self.runtime,
                          rag_budget(self.runtime.n_ctx, self.sampling.max_tokens)).texts

    def generate(self, state: list[Any], task: str, seed: int) -> str:
        try:
            client = CloudClient(self.url, self.model, self.key, extra_body=LLAMA_CPP_EXTRAS)
            if self.mode is None:
                vocab = LocalVocab.for_runtime(self.runtime)
                self.mode = choose_mode(probe(client, vocab.shared_fraction), self.template,
                                        client.endpoint.api)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
        if self.mode.kind == PLAIN_MODE:
            raise UserError(f"The cloud endpoint cannot be steered ({self.mode.describe()}); "
                            "costeer cannot be evaluated against it.")
        plan = build_plan(
            self.runtime,
            [{"role": "user", "content": task}],
            self.personal_texts(state, task),
            None,
            system=self.system,
            client=client,
            mode=self.mode,
            top_k=self.top_k,
            max_tokens=self.sampling.max_tokens,
        )
        look = STREAM_LOOKAHEAD if plan.session.stream else DEFAULT_LOOKAHEAD
        decoder = CoSteerDecoder(
            LocalVocab.for_runtime(self.runtime),
            config=self.config,
            lookahead=look,
            min_lookahead=min(4, look) if look == DEFAULT_LOOKAHEAD else look,
            max_lookahead=max(32, look),
            no_repeat_ngram=DEFAULT_NO_REPEAT_NGRAM,
            accept_margin=self.accept_margin,
            seed=seed,
            temperature=self.sampling.temperature,  # one sampler for every evaluated method
            min_p=self.sampling.min_p,
            top_p=self.sampling.top_p,
        )
        stats = CoSteerStats()
        try:
            text = "".join(
                steer(plan, self.runtime, decoder, max_tokens=self.sampling.max_tokens, stats=stats)
            )
        except CloudError as exc:
            raise UserError(str(exc)) from exc
        self.last_stats.append(stats)
        return text.strip()

