"""Personalization methods as evaluation plug-ins, built with the app's own code.

Each method of the registry (`assistant.method_registry`) makes its plug-in here from the
shared `EvalParts` (`Method.evaluate`; `assistant.evaluation.methods` parses `--methods`
and makes them). Each row's history becomes a profile through
`engine.methods.profile_build.build_profile`, the function the vector kinds' build
step calls, and steering goes through llama.cpp's control vector as in chat. Methods:

- none          the task alone
- rag           the user's texts in the prompt, picked from the row's history as chat
                picks them (engine.methods.rag.pick_texts)
- stylevector   the task alone, steered with the StyleVector profile
- steerx        the task alone, steered with the SteerX profile
- rag+steerx    history in the prompt and SteerX steering together
- fints         per-request Fints control vector (assistant.profile.fints)
- steerx+fints  SteerX and Fints stacked
- rag+fints     history in the prompt and Fints, at the strength chosen for that
- dps           preference heads of the row's history, contrastive torch decoding
- costeer       the remote (--remote-url/--remote-model, else `assistant cloud set`)
                steered by the local delta; the capability probe picks the mode
- remote        the remote alone, the public turns only (assistant.evaluation.remote)
- remote+rag    the remote with the user's texts in its prompt: an evaluation-only
                reference that sends the history, never offered in chat

Caches (generic replies, per-item activations) live in a separate database under
`<home>/cache/eval`, never in the user's own, so an evaluation leaves the user's
data alone and a second run skips work already done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.eval.data import HistoryItem
from engine.runtime.generation import SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime
from engine.steering.vectors import Steering

log = logging.getLogger(__name__)

EVAL_SYSTEM = "You are a helpful assistant."


class Generator:
    """One llama.cpp model writing replies, optionally steered."""

    def __init__(self, runtime: LlamaRuntime, sampling: SamplingSettings) -> None:
        self.runtime = runtime
        self.sampling = sampling

    def reply(self, user: str, seed: int, steering: Steering | None = None) -> str:
        from dataclasses import replace

        msgs = [{"role": "system", "content": EVAL_SYSTEM}, {"role": "user", "content": user}]
        prompt = self.runtime.fit_chat(msgs, self.sampling.max_tokens)
        with self.runtime.steered(steering):
            return "".join(self.runtime.stream(prompt, replace(self.sampling, seed=seed))).strip()


class ProfileBuilds:
    """Builds each row's profiles once per row, shared by the methods that need them."""

    def __init__(self, runtime: LlamaRuntime, cache_home: Path, device: str = "auto",
                 options: dict[str, Any] | None = None, reply_tokens: int = 512) -> None:
        from assistant.profile.store import SqlGenericCache, SqlItemStore
        from engine.runtime.batched import BatchedLlama
        from store import Database

        self.runtime = runtime
        self.db = Database(cache_home)
        fp = runtime.info.fingerprint
        self.generic_cache = SqlGenericCache(self.db, fp)
        self.item_store = SqlItemStore(self.db, fp)
        self.batched = BatchedLlama(runtime)
        self.device = device
        self.options = options or {}
        self.reply_tokens = reply_tokens  # the replies' length: the texts' budget (rag)
        # Per history and method: with the other-user control every row's profile
        # is used twice (its own row and the row that borrows it).
        self._reports: dict[tuple, dict[str, Any]] = {}

    def load_torch(self):
        from assistant.profile.store import quiet_load_torch

        return quiet_load_torch(self.runtime.info.path, self.device)

    def get(self, history: Sequence[HistoryItem], method: str):
        from engine.methods.generic_replies import ProfileItem
        from engine.methods.profile_build import BuildOptions, build_profile

        key = tuple((h.prompt, h.text) for h in history)
        reports = self._reports.setdefault(key, {})
        if method not in reports:
            items = [ProfileItem(text=h.text, prompt=h.prompt) for h in history]
            opts = BuildOptions(method=method, reply_tokens=self.reply_tokens, **self.options)
            reports[method] = build_profile(
                items, self.runtime, self.load_torch, self.generic_cache, self.item_store,
                opts, batched=self.batched,
            )
        return reports[method]

    def close(self) -> None:
        self.batched.close()
        self.db.close()


@dataclass
class NoneMethod:
    gen: Generator
    name: str = "none"
    uses_history: bool = False

    def prepare(self, history: Sequence[HistoryItem]) -> None:
        return None

    def generate(self, state: Any, task: str, seed: int) -> str:
        return self.gen.reply(task, seed)


def rag_examples(runtime: LlamaRuntime, history: Sequence[HistoryItem], task: str,
                 reply_tokens: int) -> list[str]:
    """The row's texts for the task, picked and cut as chat picks and cuts the user's
    (engine.methods.rag.pick_texts, with the budget of a reply of `reply_tokens`)."""
    from engine.methods.rag import pick_texts, rag_budget

    return pick_texts(task, [h.text for h in history], runtime,
                      rag_budget(runtime.n_ctx, reply_tokens)).texts


@dataclass
class RagMethod:
    gen: Generator
    name: str = "rag"
    uses_history: bool = True

    def prepare(self, history: Sequence[HistoryItem]) -> Sequence[HistoryItem]:
        return history

    def generate(self, state: Sequence[HistoryItem], task: str, seed: int) -> str:
        return self.gen.reply(
            rag_prompt(self.gen.runtime, state, task, self.gen.sampling.max_tokens), seed
        )


def rag_prompt(runtime: LlamaRuntime, history: Sequence[HistoryItem], task: str,
               reply_tokens: int = 512) -> str:
    """The task with the user's texts before it (as chat has them), dropping texts while a
    long task leaves them no room."""
    from engine.methods.profile_build import with_examples

    examples = rag_examples(runtime, history, task, reply_tokens)
    while True:
        text = with_examples(task, examples)
        n = len(runtime.tokenize(text))
        if n + reply_tokens + 64 <= runtime.n_ctx or not examples:
            return text
        examples = examples[:-1]


@dataclass
class SteeredMethod:
    """Steer with a profile built from the row's history; optionally with RAG as well."""

    gen: Generator
    builds: ProfileBuilds
    kind: str  # stylevector | steerx
    with_rag: bool = False
    name: str = ""
    uses_history: bool = True

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"rag+{self.kind}" if self.with_rag else self.kind

    def prepare(self, history: Sequence[HistoryItem]) -> tuple[Any, Sequence[HistoryItem]]:
        return self.builds.get(history, self.kind), history

    def steering_strength(self, state: tuple[Any, Sequence[HistoryItem]]) -> float:
        """The strength `generate` steers this user with: 0 where the build switched
        steering off."""
        from engine.methods.calibration import WITH_PROMPT_HISTORY

        report, _history = state
        if not self.with_rag:
            return float(report.alpha or 0.0)
        chosen = report.with_texts
        if chosen is None:
            return float((report.alpha or 0.0) * WITH_PROMPT_HISTORY)
        return float(chosen["alpha"] or 0.0)

    def generate(self, state: tuple[Any, Sequence[HistoryItem]], task: str, seed: int) -> str:
        from engine.methods.calibration import WITH_PROMPT_HISTORY

        report, history = state
        if not self.with_rag:  # generated positions only when chosen that way, as chat
            return self.gen.reply(task, seed, report.steering(
                generated_only=report.alone is not None))
        user = rag_prompt(self.gen.runtime, history, task, self.gen.sampling.max_tokens)
        chosen = report.with_texts
        if chosen is None:  # built without the calibration: the old fixed quarter
            return self.gen.reply(user, seed, report.steering(report.alpha * WITH_PROMPT_HISTORY))
        return self.gen.reply(user, seed, report.steering(chosen["alpha"], generated_only=True))


@dataclass
class DpsMethod:
    """DPS: the row's preference heads found on its history (contrasted with the model's
    own replies to the same prompts, as the app's build does), then contrastive torch
    decoding with two of the row's texts before the task, as the heads were scored.

    The torch runtime's sampler is the same as llama.cpp's, but the numbers
    differ slightly from the llama.cpp runtime's, so 'none' and 'dps' are paired
    by seed, not bit for bit.
    """

    runtime: LlamaRuntime
    sampling: SamplingSettings
    builds: ProfileBuilds
    device: str = "auto"
    max_items: int = 8  # fewer items than a profile build (20): an eval scans once per row
    name: str = "dps"
    uses_history: bool = True
    _heads: dict[tuple, list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    def prepare(self, history: Sequence[HistoryItem]):
        from assistant.profile.store import quiet_load_torch
        from engine.methods import dps
        from engine.methods.generic_replies import ProfileItem, generic_responses

        self.trt = quiet_load_torch(self.runtime.info.path, self.device)
        pairs = [(h.prompt, h.text) for h in history[-self.max_items :]]
        key = tuple(pairs)
        if key not in self._heads:  # the other-user control asks for each history twice
            instructions = [ProfileItem(text=t, prompt=p).instruction for p, t in pairs]
            others, _n = generic_responses(self.runtime, self.builds.batched, instructions,
                                           self.builds.generic_cache)
            items = dps.prepare_items(self.trt, pairs)
            scan = dps.scan_heads(self.trt, items,
                                  reference=dps.reference_items(self.trt, pairs, others))
            self._heads[key] = [(h["layer"], h["head"]) for h in scan.top(dps.DEFAULT_FRACTION)]
        return self._heads[key], history

    def generate(self, state, task: str, seed: int) -> str:
        from dataclasses import replace

        from engine.methods import dps

        heads, history = state
        texts = rag_examples(self.runtime, history, task, self.sampling.max_tokens)
        texts = texts[: dps.N_CONTEXT]  # the most relevant, as chat's DPS has them
        per = dps.MAX_CONTEXT_TOKENS // max(1, len(texts))
        user = dps.user_prompt(task, [dps.cut(self.trt, t, per) for t in texts])
        msgs = [{"role": "system", "content": EVAL_SYSTEM}, {"role": "user", "content": user}]
        out = dps.generate(self.trt, dps.chat_prompt(self.trt, msgs), heads,
                           replace(self.sampling, seed=seed))
        return out.text.strip()


@dataclass
class EvalParts:
    """What the plug-ins share: one generator, and the per-row profile builds if needed."""

    runtime: LlamaRuntime
    sampling: SamplingSettings
    gen: Generator
    device: str
    cloud: tuple[str | None, str | None, str | None]  # url, model, the remote's template
    builds: ProfileBuilds | None = None

    def profile_builds(self) -> ProfileBuilds:
        """The per-row builds, which the evaluation opens when any chosen method needs a
        profile (`make_methods`)."""
        if self.builds is None:
            raise RuntimeError("This evaluation opened no profile builds.")
        return self.builds


def costeer_plugin(p: EvalParts) -> Any:
    from assistant.evaluation.costeer import (
        CoSteerEvalMethod,  # the remote of `assistant cloud set`
    )

    url, model, template = p.cloud
    return CoSteerEvalMethod(p.runtime, p.sampling, url, model, template=template,
                             system=EVAL_SYSTEM)


def _rag_prompt_of(p: EvalParts) -> Callable[[Sequence[HistoryItem], str], str]:
    """(history, task) -> the task with the row's texts before it, as the rag plug-in has it."""
    return lambda history, task: rag_prompt(p.runtime, history, task, p.sampling.max_tokens)


def remote_plugin(p: EvalParts, *, with_rag: bool) -> Any:
    from assistant.cloud.keys import stored_api_key
    from assistant.evaluation.remote import RemoteEvalMethod

    url, model, _template = p.cloud
    return RemoteEvalMethod(p.sampling, url, model, api_key=stored_api_key(),
                            rag_prompt=_rag_prompt_of(p) if with_rag else None)


def fints_plugin(p: EvalParts, name: str, *, stack: str | None = None,
                 with_rag: bool = False) -> Any:
    """Fints' plug-in; `stack`: the profile kind summed with it (steerx+fints)."""
    from assistant.profile.fints import FintsEvalMethod

    return FintsEvalMethod(p.gen, p.builds, name=name, stack=stack,
                           rag_prompt=_rag_prompt_of(p) if with_rag else None)
