"""History items as the methods see them, and their generic (style-agnostic) replies.

StyleVector and SteerX contrast the user's own text y with what the local model
writes for the same prompt x without any personalization (y_hat). Generating
y_hat is the slow part of building a profile, so it is done in batches
(`BatchedLlama`), kept short (`GENERIC_MAX_TOKENS`) and cached per prompt and
model: a rebuild, or a rebuild after one new sample, only generates what is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.runtime.batched import BatchedLlama
from engine.runtime.generation import SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime

# The one system prompt every profile computation uses: the vectors describe the
# difference to the model's default behaviour, so the default context is fixed.
PROFILE_SYSTEM = "You are a helpful assistant."
GENERIC_MAX_TOKENS = 48
OPENING_WORDS = 10
MAX_PROMPT_CHARS = 1500
ProgressFn = Callable[[int, int], None]


def sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


@dataclass(frozen=True)
class ProfileItem:
    """One writing sample: the user's text and what it answered (may be empty).

    `generic`: the model's own text for this prompt when the user edited it into `text`
    (an edit pair); a build uses it as the generic reply instead of generating one.
    """

    text: str
    prompt: str = ""
    generic: str | None = None

    @property
    def key(self) -> str:
        """Content hash: an edited sample is a new item; an unchanged one is reused. A
        pair's model text is part of it (it is the item's generic side)."""
        return sha(self.prompt, self.text, *((self.generic,) if self.generic else ()))

    @property
    def instruction(self) -> str:
        return item_instruction(self.prompt, self.text)


def item_instruction(prompt: str, text: str) -> str:
    """The x of an item. A sample with no prompt (an imported file, a draft) gets one
    made from its opening words, so the generic reply is about the same thing and the
    contrast with the user's text is about how it is written."""
    if prompt.strip():
        # A chat sample's prompt is the reply it answered, which can be long; its end
        # is what the user responded to.
        return prompt.strip()[-MAX_PROMPT_CHARS:]
    opening = " ".join(text.split()[:OPENING_WORDS])
    return f'Write a short text that begins with: "{opening}"'


def chat_prefix(runtime: LlamaRuntime, instruction: str, system: str = PROFILE_SYSTEM) -> str:
    """The chat-formatted prompt up to where the assistant's reply starts."""
    return runtime.format_chat(
        [{"role": "system", "content": system}, {"role": "user", "content": instruction}]
    ).text


def prompt_hash(instruction: str, system: str = PROFILE_SYSTEM) -> str:
    return sha("generic-v1", system, instruction, str(GENERIC_MAX_TOKENS))


class GenericCache(Protocol):
    """Where generic replies are kept for one model (SQLite in the app, a dict in tests)."""

    def get_many(self, hashes: Sequence[str]) -> dict[str, str]: ...

    def put(self, prompt_hash: str, text: str) -> None: ...


class MemoryGenericCache:
    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get_many(self, hashes: Sequence[str]) -> dict[str, str]:
        return {h: self.data[h] for h in hashes if h in self.data}

    def put(self, prompt_hash: str, text: str) -> None:
        self.data[prompt_hash] = text


def generic_sampling(max_tokens: int = GENERIC_MAX_TOKENS) -> SamplingSettings:
    """Temperature 0.7 with repeat penalty: greedy decoding loops on this model
    (docs/ARCHITECTURE.md, Sampler defaults)."""
    return SamplingSettings(temperature=0.7, top_k=40, top_p=0.95, min_p=0.05,
                            repeat_penalty=1.1, max_tokens=max_tokens)


def generic_responses(
    runtime: LlamaRuntime,
    batched: BatchedLlama,
    instructions: Sequence[str],
    cache: GenericCache,
    *,
    system: str = PROFILE_SYSTEM,
    max_tokens: int = GENERIC_MAX_TOKENS,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[list[str], int]:
    """The generic reply for each instruction, and how many had to be generated.

    Each reply is stored as soon as it is finished, so a cancelled build keeps
    the work done; the seed comes from the prompt, so a reply is reproducible.
    """
    hashes = [prompt_hash(x, system) for x in instructions]
    found = cache.get_many(sorted(set(hashes)))
    todo: dict[str, str] = {}
    for h, x in zip(hashes, instructions, strict=True):
        if h not in found:
            todo.setdefault(h, x)
    if todo:
        keys = list(todo)
        prompts = [runtime.tokenize(chat_prefix(runtime, todo[h], system)) for h in keys]
        seeds = [int(h[:8], 16) for h in keys]
        done = 0

        def on_done(i: int, tokens: list[int]) -> None:
            nonlocal done
            text = runtime.detokenize(tokens).strip()
            found[keys[i]] = text
            cache.put(keys[i], text)
            done += 1
            if progress:
                progress(done, len(keys))

        batched.generate(prompts, generic_sampling(max_tokens), seeds=seeds,
                         should_stop=should_stop, on_done=on_done)
    return [found[h] for h in hashes], len(todo)
