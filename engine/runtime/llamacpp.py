"""llama.cpp runtime: the fast path for chat.

One instance owns one loaded model and its context. llama.cpp is not
thread-safe, so exactly one thread (the CLI's main thread, or the GUI's model
worker) may call into an instance; `CancelToken` is the only thing other threads
touch.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.errors import ContextOverflowError, EngineError, ModelFileError
from engine.runtime.chat_format import ChatFormat, StopScanner, chat_format_for
from engine.runtime.generation import (
    CancelToken,
    GenerationStats,
    SamplingSettings,
    sample_token,
)
from engine.runtime.gguf_info import GGUFInfo, read_gguf_info

if TYPE_CHECKING:  # pragma: no cover
    from engine.steering.vectors import Steering

log = logging.getLogger(__name__)

LogitsFn = Callable[[Sequence[int], np.ndarray], np.ndarray]


@dataclass
class ChatPrompt:
    text: str
    n_tokens: int
    stop: list[str] = field(default_factory=list)
    trimmed_turns: int = 0


class FitCancelled(EngineError):
    """Fitting a chat stopped because its request was cancelled."""


# Tokens of a prompt evaluated per llama_decode call: small enough that a Stop lands
# within a fraction of a second on a slow CPU (a decode cannot be interrupted), large
# enough to keep llama.cpp's batching efficient.
PREFILL_CHUNK = 32


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


class LlamaRuntime:
    """A GGUF model loaded in llama.cpp, with streaming chat and per-step logits."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_gpu_layers: int | None = None,
        seed: int | None = None,
    ) -> None:
        self.info: GGUFInfo = read_gguf_info(model_path)
        import llama_cpp  # lazy: importing builds nothing, but pulls in the shared library

        from engine.runtime.native import install_safe_model_defaults

        install_safe_model_defaults()  # no AMX kernels where they crash (engine.runtime.native)
        self._llama_cpp = llama_cpp
        if n_gpu_layers is None:
            n_gpu_layers = -1 if llama_cpp.llama_supports_gpu_offload() else 0
        self.gpu_offload = n_gpu_layers != 0
        ctx = min(n_ctx, self.info.context_length or n_ctx)
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(self.info.path),
                n_ctx=ctx,
                n_threads=n_threads or default_threads(),
                n_gpu_layers=n_gpu_layers,
                seed=seed if seed is not None else llama_cpp.LLAMA_DEFAULT_SEED,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelFileError(f"llama.cpp could not load {self.info.path.name}: {exc}") from exc
        self.chat_format = self._make_chat_format()
        self._marker_ids = self._single_token_markers(self.chat_format.markers)
        self._cvec_active = False
        # Steer only the positions that generate (the prompt's last token on), so the
        # prompt, the user's retrieved texts included, is read as the plain model reads it.
        self._cvec_generated_only = False
        self._steering: Steering | None = None  # what `steered` applied (None: plain)

    # ---- facts -------------------------------------------------------------
    @property
    def n_ctx(self) -> int:
        return self.llm.n_ctx()

    @property
    def n_vocab(self) -> int:
        return self.llm.n_vocab()

    @property
    def model_name(self) -> str:
        return self.info.name

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.llm.close()

    # ---- prompts -----------------------------------------------------------
    def _make_chat_format(self) -> ChatFormat:
        def piece(tok: int) -> str:
            if tok < 0:
                return ""
            return self.llm.detokenize([tok], special=True).decode("utf-8", errors="ignore")

        vocab = self.llm._model.vocab
        ends = [piece(self.llm.token_eos()), piece(self._llama_cpp.llama_vocab_eot(vocab))]
        fmt = chat_format_for(
            self.info.architecture,
            self.info.chat_template,
            bos=piece(self.llm.token_bos()),
            eos=piece(self.llm.token_eos()),
            end_texts=ends,
        )
        note = fmt.note(self.info.path.name)
        if note:
            log.warning("%s", note)
        return fmt

    def _single_token_markers(self, markers: Sequence[str]) -> frozenset[int]:
        """Token ids of the template markers that are one control token each.

        A control token detokenizes to nothing, so a text stop string never sees
        it: generation stops on the id instead (a base model writes
        `<start_of_turn>` where a chat model would end its turn).
        """
        ids = set()
        for m in markers:
            toks = self.llm.tokenize(m.encode("utf-8"), add_bos=False, special=True)
            if len(toks) == 1:
                ids.add(toks[0])
        return frozenset(ids)

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=special)

    def detokenize(self, tokens: Sequence[int]) -> str:
        return self.llm.detokenize(list(tokens)).decode("utf-8", errors="replace")

    def token_bytes(self, token: int) -> bytes:
        """One token's bytes (part of a character, for some): what log-probabilities name."""
        return self.llm.detokenize([token])

    def format_chat(self, messages: Sequence[dict[str, str]]) -> ChatPrompt:
        result = self.chat_format.render(messages)
        return ChatPrompt(
            text=result.text, n_tokens=len(self.tokenize(result.text)), stop=result.stop
        )

    def fit_chat(self, messages: Sequence[dict[str, str]], reply_tokens: int,
                 cancel: CancelToken | None = None) -> ChatPrompt:
        """Format `messages`, dropping the oldest turns until a reply of `reply_tokens` fits.

        The system message and the newest user turn are never dropped; if those
        alone do not fit, the user must shorten their message.

        Linear at worst: the template's cost per turn is measured once (on two short
        turns), each turn's text is tokenized at most once, newest first and only until
        the context is full, and the turns older than that are dropped by count. Only the
        kept chat is rendered and tokenized, to check the count (a template that costs
        more than measured drops as many more turns as cover the excess). A 10,000-turn
        chat fits in a fraction of a second, where rendering the whole chat again per
        dropped turn took minutes. `cancel` stops it between turns (a client that left).
        """
        msgs = list(messages)
        budget = self.n_ctx - reply_tokens
        keep = [i == len(msgs) - 1 or m["role"] == "system" for i, m in enumerate(msgs)]
        fixed = [m for m, k in zip(msgs, keep, strict=True) if k]
        droppable = [i for i, k in enumerate(keep) if not k]
        if not droppable:
            return self._checked_fit(msgs, 0, budget, reply_tokens)
        fixed_tokens = self.format_chat(fixed).n_tokens
        per_turn = self._turn_overhead(fixed, fixed_tokens)
        room = budget - fixed_tokens
        # Walk back from the newest turn, tokenizing each once, while the turns fit in the
        # room the kept messages leave; everything older is dropped uncounted.
        costs: dict[int, int] = {}
        drop = len(droppable)
        used = 0
        for j in range(len(droppable) - 1, -1, -1):
            if cancel is not None and cancel.cancelled:
                raise FitCancelled("The request was cancelled while its chat was fitted.")
            costs[j] = self._count(msgs[droppable[j]]["content"]) + per_turn
            if used + costs[j] > room:
                break
            used += costs[j]
            drop = j
        while True:
            gone = set(droppable[:drop])
            kept = [m for i, m in enumerate(msgs) if i not in gone]
            prompt = self.format_chat(kept)
            if prompt.n_tokens <= budget or drop >= len(droppable):
                return self._checked_fit(kept, drop, budget, reply_tokens, prompt)
            # Measured short: drop as many more turns as cover the excess.
            excess = prompt.n_tokens - budget
            while excess > 0 and drop < len(droppable):
                excess -= costs[drop]
                drop += 1

    def _checked_fit(self, msgs: list[dict[str, str]], trimmed: int, budget: int,
                     reply_tokens: int, prompt: ChatPrompt | None = None) -> ChatPrompt:
        prompt = prompt or self.format_chat(msgs)
        if prompt.n_tokens > budget:
            raise ContextOverflowError(
                f"The message is {prompt.n_tokens} tokens, but the model's context holds "
                f"{self.n_ctx} tokens including {reply_tokens} for the reply. "
                "Shorten it, lower the reply length, or pick a model with a longer context."
            )
        prompt.trimmed_turns = trimmed
        return prompt

    def _count(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _turn_overhead(self, fixed: list[dict[str, str]], fixed_tokens: int) -> int:
        """Tokens the template adds around one turn, beyond its text (measured on a pair)."""
        pair = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hello"}]
        with_pair = [*fixed[:-1], *pair, fixed[-1]] if fixed else pair
        try:
            extra = self.format_chat(with_pair).n_tokens - fixed_tokens
        except Exception:  # noqa: BLE001 - a template that refuses the shape: a safe guess
            return 8
        return max(1, -(-(extra - 2 * self._count("Hello")) // 2))

    # ---- generation --------------------------------------------------------
    def stream(
        self,
        prompt: str | ChatPrompt,
        sampling: SamplingSettings | None = None,
        *,
        cancel: CancelToken | None = None,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Stream text pieces for `prompt` through llama.cpp's own sampler (the fast path).

        Stops at end of sequence, `max_tokens`, or when `cancel` is set; `stats`
        is filled in as it goes, so a caller that stops iterating still has it.
        """
        s = sampling or SamplingSettings()
        st = stats if stats is not None else GenerationStats()
        text = prompt.text if isinstance(prompt, ChatPrompt) else prompt
        stop = prompt.stop if isinstance(prompt, ChatPrompt) else []
        if isinstance(prompt, ChatPrompt):
            st.trimmed_turns = prompt.trimmed_turns
        if s.seed is not None:
            self.llm.set_seed(s.seed)

        # llama.cpp calls the stopping criteria once per sampled token, including
        # the end-of-sequence token and the one past max_tokens, neither of which
        # is emitted: the count is corrected from the finish reason below.
        sampled = 0

        def should_stop(ids: Sequence[int], _logits: object) -> bool:
            nonlocal sampled
            sampled += 1
            st.tokens = min(sampled, s.max_tokens)
            if len(ids) and int(ids[-1]) in self._marker_ids:
                return True
            return bool(cancel and cancel.cancelled)

        from llama_cpp import StoppingCriteriaList

        t0 = time.perf_counter()
        st.finish_reason = "stop"
        prompt_in: str | list[int] = text
        if self._steers_generated_only:
            prompt_in = self.tokenize(text)
            # llama-cpp-python reuses the cached prefix and evaluates only what follows
            # it (at least the last token), which runs steered.
            done = self._prefill_unsteered(prompt_in, cancel)
        else:
            prompt_in = self.tokenize(text)
            done = self._prefill(prompt_in, cancel)
        if not done:  # stopped while the prompt was read: no token was written
            st.finish_reason = "cancelled"
            st.seconds = time.perf_counter() - t0
            return
        chunks = self.llm.create_completion(
            prompt=prompt_in,
            max_tokens=s.max_tokens,
            temperature=s.temperature,
            top_k=s.top_k,
            top_p=s.top_p,
            min_p=s.min_p,
            repeat_penalty=s.repeat_penalty,
            stop=stop or None,
            stream=True,
            stopping_criteria=StoppingCriteriaList([should_stop]),
        )
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                piece = choice.get("text") or ""
                if piece:
                    if st.first_token_s is None:
                        st.first_token_s = time.perf_counter() - t0
                    yield piece
                if choice.get("finish_reason"):
                    st.finish_reason = choice["finish_reason"]
                st.seconds = time.perf_counter() - t0
        finally:
            with contextlib.suppress(Exception):
                chunks.close()
            st.seconds = time.perf_counter() - t0
            if cancel and cancel.cancelled:
                st.finish_reason = "cancelled"
            if st.finish_reason == "length":
                st.tokens = s.max_tokens
            elif sampled:
                st.tokens = sampled - 1

    # ---- logits ------------------------------------------------------------
    def eval_prompt(self, tokens: Sequence[int]) -> np.ndarray:
        """Evaluate `tokens` (reusing the cached prefix) and return the next-token logits."""
        toks = list(tokens)
        cached = self.llm._input_ids.tolist()
        keep = 0
        for a, b in zip(cached, toks[:-1], strict=False):
            if a != b:
                break
            keep += 1
        self.llm.n_tokens = keep
        self.llm.eval(toks[keep:])
        return self.last_logits()

    def last_logits(self) -> np.ndarray:
        ptr = self._llama_cpp.llama_get_logits_ith(self.llm.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float32, copy=True)

    def score_tokens(self, prompt: str, tokens: Sequence[int]) -> list[float]:
        """Each of `tokens`' log-probability after `prompt` and the tokens before it, under
        whatever steering is applied now (teacher forcing, one token at a time)."""
        self.llm.reset()
        logits = self.eval_prompt(self.tokenize(prompt))
        out: list[float] = []
        for tok in tokens:
            z = logits.astype(np.float64)
            z -= z.max()
            out.append(float(z[tok] - np.log(np.exp(z).sum())))
            self.llm.eval([int(tok)])
            logits = self.last_logits()
        return out

    def next_token_logits(self, text: str) -> np.ndarray:
        """Logits for the token after `text` (a fresh evaluation, no sampling)."""
        self.llm.reset()
        return self.eval_prompt(self.tokenize(text))

    def stream_with_logits(
        self,
        prompt: str | ChatPrompt,
        sampling: SamplingSettings | None = None,
        *,
        logits_fn: LogitsFn | None = None,
        on_token: Callable[[int, np.ndarray], None] | None = None,
        cancel: CancelToken | None = None,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Token-by-token generation that exposes (and lets `logits_fn` rewrite) each step's logits.

        Slower than `stream` (sampling in numpy), so only methods that contrast
        or steer logits use it, and requests that want log-probabilities: `on_token`
        gets each emitted token with the logits it was sampled from, before its text
        is yielded.
        """
        s = sampling or SamplingSettings()
        st = stats if stats is not None else GenerationStats()
        text = prompt.text if isinstance(prompt, ChatPrompt) else prompt
        scanner = StopScanner(prompt.stop if isinstance(prompt, ChatPrompt) else [])
        rng = np.random.default_rng(s.seed)
        tokens = self.tokenize(text)
        if len(tokens) >= self.n_ctx:
            raise ContextOverflowError(
                f"The prompt is {len(tokens)} tokens; the context holds {self.n_ctx}."
            )
        self.llm.reset()
        if self._steers_generated_only:
            self._prefill_unsteered(tokens)
        logits = self.eval_prompt(tokens)
        generated: list[int] = []
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        eos = self.llm.token_eos()
        t0 = time.perf_counter()
        st.finish_reason = "length"
        for _ in range(s.max_tokens):
            if cancel and cancel.cancelled:
                st.finish_reason = "cancelled"
                break
            if logits_fn is not None:
                logits = logits_fn(generated, logits)
            tok = sample_token(logits, generated, s, rng)
            if (
                tok == eos
                or tok in self._marker_ids
                or self._llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, tok)
            ):
                st.finish_reason = "stop"
                break
            generated.append(tok)
            st.tokens += 1
            if on_token is not None:
                on_token(tok, logits)
            piece = scanner.feed(decoder.decode(self.llm.detokenize([tok])))
            if piece:
                if st.first_token_s is None:
                    st.first_token_s = time.perf_counter() - t0
                yield piece
            if scanner.stopped:
                st.finish_reason = "stop"
                break
            if len(tokens) + len(generated) >= self.n_ctx:
                break
            self.llm.eval([tok])
            logits = self.last_logits()
            st.seconds = time.perf_counter() - t0
        tail = scanner.feed(decoder.decode(b"", final=True)) + scanner.flush()
        if tail:
            yield tail
        st.seconds = time.perf_counter() - t0

    # ---- control vectors (steering) ----------------------------------------
    @property
    def steering(self) -> Steering | None:
        """The steering applied now (inside a `steered` block); None when plain."""
        return self._steering

    @contextlib.contextmanager
    def steered(self, steering: Steering | None) -> Iterator[None]:
        """Generate under `steering` (None: unsteered) inside the block; on the way out,
        normally or by an exception, what was applied before is back (plain, or the outer
        block's steering), so blocks nest and nothing outlives its request.

        The vector is checked against this model first (architecture, size, file
        fingerprint unless `steering.strict` is off), so a profile from another model is
        a clear `IncompatibleVectorError` rather than garbage or a native crash.
        """
        before = self._steering
        self._apply(steering)
        try:
            yield
        finally:
            self._apply(before)

    def _apply(self, steering: Steering | None) -> None:
        if steering is None:
            self._clear_control_vector()
            return
        steering.vector.check_compatible(self.info, strict=steering.strict)
        self._set_control_vector(steering.control_buffer(self.info.n_layer),
                                 generated_only=steering.generated_only)
        self._steering = steering

    def _set_control_vector(self, data: np.ndarray, *, generated_only: bool = False) -> None:
        """Apply a control vector buffer of shape (n_layer, n_embd); slot i is layer i+1.

        `generated_only`: the prompt is evaluated unsteered and the vector applies from
        the prompt's last position on (the states that produce the reply), so steering
        changes how the reply is written, not how the prompt is read.

        docs/ARCHITECTURE.md, Layer mapping: a torch hook on the output of `model.layers[L]`
        equals slot L-1 here. llama.cpp never steers layer 0, and copies the buffer into its
        own tensors, so a new call simply replaces the old vector: switching costs no model
        reload, only the prompt's KV cache (computed under the old vector) is dropped.
        Every layer's slot is applied (a zero slot adds nothing), as chat always has.
        """
        n_layer, n_embd = self.info.n_layer, self.info.n_embd
        arr = np.ascontiguousarray(data, dtype=np.float32)
        if arr.shape != (n_layer, n_embd):
            raise ModelFileError(
                f"Control vector shape {arr.shape} does not fit this model "
                f"({n_layer} layers of {n_embd})."
            )
        if not np.all(np.isfinite(arr)):
            raise ModelFileError("The control vector has NaN or infinite values.")
        flat = arr.reshape(-1)
        ptr = flat.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        rc = self._llama_cpp.llama_set_adapter_cvec(
            self.llm.ctx, ptr, flat.size, n_embd, 1, n_layer
        )
        if rc != 0:
            raise ModelFileError(f"llama.cpp refused the control vector (code {rc}).")
        self._cvec_buffer = flat  # llama.cpp copies it, but keep it alive for safety
        self._cvec_active = True
        self._cvec_generated_only = generated_only
        self.llm.reset()  # cached KV was computed without (or with another) vector

    def _clear_control_vector(self) -> None:
        """Stop steering (llama.cpp keeps its tensors allocated for the next vector)."""
        self._steering = None
        if not self._cvec_active:
            return
        n_embd = self.info.n_embd
        self._llama_cpp.llama_set_adapter_cvec(self.llm.ctx, None, 0, n_embd, -1, -1)
        self._cvec_active = False
        self._cvec_generated_only = False
        self.llm.reset()

    def _native_cvec(self, on: bool) -> None:
        """Switch the applied buffer on or off in llama.cpp without forgetting it."""
        n_embd = self.info.n_embd
        if not on:
            self._llama_cpp.llama_set_adapter_cvec(self.llm.ctx, None, 0, n_embd, -1, -1)
            return
        flat = self._cvec_buffer
        ptr = flat.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        rc = self._llama_cpp.llama_set_adapter_cvec(self.llm.ctx, ptr, flat.size, n_embd,
                                                    1, self.info.n_layer)
        if rc != 0:
            raise ModelFileError(f"llama.cpp refused the control vector (code {rc}).")

    def _prefill(self, tokens: Sequence[int], cancel: CancelToken | None = None, *,
                 fresh: bool = False) -> bool:
        """Evaluate all but the prompt's last token, `PREFILL_CHUNK` tokens at a time, and
        say whether it got through. One llama_decode of a long prompt runs for seconds and
        nothing interrupts it; between chunks a Stop is seen, so it lands within one chunk.
        The cached prefix is reused (`fresh`: not), as llama-cpp-python then does too."""
        body = list(tokens[:-1])
        keep = 0
        if fresh:
            self.llm.reset()
        else:
            for a, b in zip(self.llm._input_ids.tolist(), body, strict=False):
                if a != b:
                    break
                keep += 1
            self.llm.n_tokens = keep
        for i in range(keep, len(body), PREFILL_CHUNK):
            if cancel and cancel.cancelled:
                return False
            self.llm.eval(body[i:i + PREFILL_CHUNK])
        return not (cancel and cancel.cancelled)

    def _prefill_unsteered(self, tokens: Sequence[int],
                           cancel: CancelToken | None = None) -> bool:
        """For generated-only steering: evaluate all but the prompt's last token with the
        vector off, then switch it on, so the last token (whose state predicts the first
        reply token) and everything after it are steered. The whole prompt is evaluated
        afresh: earlier KV cells may hold steered states of a previous reply."""
        self._native_cvec(False)
        try:
            return self._prefill(tokens, cancel, fresh=True)
        finally:
            self._native_cvec(True)

    @property
    def _steers_generated_only(self) -> bool:
        return self._cvec_active and self._cvec_generated_only
