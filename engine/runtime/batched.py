"""Many sequences at once through llama.cpp: batched sampling and teacher-forced scoring.

Profile building needs a short generic reply for every history item and the
log-probability of every token of the user's texts, with and without context.
One sequence at a time that is ~100 x 64 decode steps; decoding all sequences
of a wave together costs about as many steps as the longest one. This opens a
second llama.cpp context on the model the `LlamaRuntime` already loaded (no
second copy of the weights) with a unified KV cache shared by up to `n_seq`
sequences. Like the runtime, it must be used from one thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import EngineError, GenerationCancelled
from engine.runtime.generation import SamplingSettings, sample_token
from engine.runtime.llamacpp import LlamaRuntime, default_threads

StopFn = Callable[[], bool]


_in_use = 0  # threads this process's batch work is running with (for the load estimate)


def work_threads() -> int:
    """Threads for long batch work: every core, or one when other processes keep them busy.

    llama.cpp's and torch's worker threads wait for each other at every layer;
    when the cores are shared, a descheduled thread stalls the rest, and one
    thread was measured 2-10x faster than two on a loaded 2-core machine. The
    load average counts this process's own threads too, so those are taken off
    before deciding. Called again between batches, so a build adapts as other
    work comes and goes.
    """
    global _in_use
    n = os.cpu_count() or 1
    try:
        others = os.getloadavg()[0] - _in_use
    except (OSError, AttributeError):  # not available on Windows
        return default_threads()
    _in_use = 1 if n > 1 and others >= 0.5 else default_threads()
    return _in_use


def use_work_threads_in_torch() -> None:
    """Apply `work_threads()` to torch's CPU thread pool (no-op when it is unchanged)."""
    import torch

    want = work_threads()
    if torch.get_num_threads() != want:
        torch.set_num_threads(want)


@dataclass
class _Active:
    index: int
    seq: int
    n_past: int
    rng: np.random.Generator
    out: list[int]
    first: np.ndarray | None = None


def _log_softmax_pick(logits: np.ndarray, targets: np.ndarray, rows: int = 64) -> np.ndarray:
    """log softmax(logits)[target] per row, in float32: with the row's maximum taken off
    first, float32 is exact enough, and a float64 copy of 512 x 49k logits cost more than
    the scoring pass's own arithmetic (a sixth of a calibration's time, measured). Done
    `rows` rows at a time, so the temporaries stay small on a 150k-token vocabulary."""
    z = np.asarray(logits, dtype=np.float32)
    out = np.empty(len(targets), dtype=np.float32)
    for s in range(0, len(targets), rows):
        part = z[s : s + rows]
        m = part.max(axis=1)
        lse = m + np.log(np.exp(part - m[:, None]).sum(axis=1, dtype=np.float64)).astype(
            np.float32)
        out[s : s + rows] = part[np.arange(len(part)), targets[s : s + rows]] - lse
    return out


class BatchedLlama:
    """A second context on `runtime`'s model for batched generation and scoring."""

    def __init__(
        self,
        runtime: LlamaRuntime,
        *,
        n_ctx: int = 8192,
        n_seq: int = 32,
        n_batch: int = 512,
        n_threads: int | None = None,
        cb_eval=None,
    ) -> None:
        """`cb_eval`: llama.cpp's scheduler eval callback (a `ggml_backend_sched_eval_callback`
        the caller keeps alive), for a context that reads states while it decodes
        (`engine.runtime.activations`)."""
        import llama_cpp

        self._L = llama_cpp
        self.runtime = runtime
        self.n_vocab = runtime.n_vocab
        self.n_ctx = n_ctx
        self.n_batch = n_batch
        self.n_seq = min(n_seq, llama_cpp.llama_max_parallel_sequences())
        p = llama_cpp.llama_context_default_params()
        p.n_ctx = n_ctx
        p.n_batch = n_batch
        p.n_ubatch = n_batch
        p.n_seq_max = self.n_seq
        p.kv_unified = True
        self._auto_threads = n_threads is None
        threads = n_threads or work_threads()
        p.n_threads = threads
        p.n_threads_batch = threads
        p.no_perf = True
        if cb_eval is not None:
            p.cb_eval = cb_eval
            p.cb_eval_user_data = None
        self.ctx = llama_cpp.llama_init_from_model(runtime.llm.model, p)
        if not self.ctx:
            raise EngineError("llama.cpp could not open a batch context (out of memory?).")
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._vocab = runtime.llm._model.vocab
        self._cvec: np.ndarray | None = None

    # ---- plumbing ------------------------------------------------------------
    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._batch is not None:
                self._L.llama_batch_free(self._batch)
                self._batch = None
            if self.ctx:
                self._L.llama_free(self.ctx)
                self.ctx = None

    def __enter__(self) -> BatchedLlama:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clear(self) -> None:
        """Empty the KV cache before a wave, and re-pick the thread count for it."""
        self._L.llama_memory_clear(self._L.llama_get_memory(self.ctx), True)
        if self._auto_threads:
            t = work_threads()
            self._L.llama_set_n_threads(self.ctx, t, t)

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> None:
        """Decode (token, pos, seq, want_logits) entries as one batch."""
        b = self._batch
        b.n_tokens = len(entries)
        for i, (tok, pos, seq, want) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = int(want)
        rc = self._L.llama_decode(self.ctx, b)
        if rc != 0:
            raise EngineError(f"llama.cpp batch decode failed (code {rc}).")

    def _logits(self, n_out: int) -> np.ndarray:
        ptr = self._L.llama_get_logits(self.ctx)
        arr = np.ctypeslib.as_array(ptr, shape=(n_out * self.n_vocab,))
        return arr.reshape(n_out, self.n_vocab)

    def _is_eog(self, tok: int) -> bool:
        return bool(self._L.llama_vocab_is_eog(self._vocab, tok))

    def set_control_vector(self, data: np.ndarray | None) -> None:
        """Steer this context (shape (n_layer, n_embd), slot i = layer i+1), or stop with None."""
        info = self.runtime.info
        if data is None:
            self._L.llama_set_adapter_cvec(self.ctx, None, 0, info.n_embd, 0, 0)
            self._cvec = None
            return
        flat = np.ascontiguousarray(data, dtype=np.float32).reshape(-1)
        if flat.size != info.n_layer * info.n_embd:
            raise EngineError("Control vector does not fit this model.")
        ptr = flat.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        rc = self._L.llama_set_adapter_cvec(
            self.ctx, ptr, flat.size, info.n_embd, 1, info.n_layer
        )
        if rc != 0:
            raise EngineError(f"llama.cpp refused the control vector (code {rc}).")
        self._cvec = flat

    # ---- generation ------------------------------------------------------------
    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        sampling: SamplingSettings,
        *,
        seeds: Sequence[int] | None = None,
        should_stop: StopFn | None = None,
        on_done: Callable[[int, list[int]], None] | None = None,
    ) -> list[list[int]]:
        """Sample a continuation (token ids) for every prompt; `seeds` make each reproducible.

        `on_done(i, tokens)` is called as each sequence finishes, so a caller can
        store results while the rest are still running (and keep them on cancel).
        """
        results: list[list[int]] = [[] for _ in prompts]
        budget = sampling.max_tokens
        order = list(range(len(prompts)))
        while order:
            wave: list[int] = []
            used = 0
            for i in order:
                need = len(prompts[i]) + budget
                if need > self.n_ctx:
                    raise EngineError(
                        f"A prompt of {len(prompts[i])} tokens does not fit the batch context."
                    )
                if len(wave) >= self.n_seq or used + need > self.n_ctx:
                    break
                wave.append(i)
                used += need
            order = order[len(wave) :]
            self._generate_wave(wave, prompts, sampling, seeds, should_stop, results, on_done)
        return results

    def _generate_wave(self, wave, prompts, sampling, seeds, should_stop, results, on_done):
        self._clear()
        active = [
            _Active(i, s, 0, np.random.default_rng(None if seeds is None else seeds[i]), [])
            for s, i in enumerate(wave)
        ]
        # Prompts, in chunks of at most n_batch tokens; logits only at each prompt's end.
        entries: list[tuple[int, int, int, bool]] = []
        owners: list[_Active] = []

        def flush() -> None:
            if not entries:
                return
            self._decode(entries)
            logits = self._logits(len(owners))
            for row, a in enumerate(owners):
                a.first = logits[row].copy()
            entries.clear()
            owners.clear()

        for a in active:
            toks = list(prompts[a.index])
            for pos, tok in enumerate(toks):
                last = pos == len(toks) - 1
                entries.append((tok, pos, a.seq, last))
                if last:
                    owners.append(a)
                if len(entries) == self.n_batch:
                    flush()
            a.n_past = len(toks)
        flush()
        self._sample(active, sampling, should_stop, results, on_done)

    def _sample(self, active, sampling, should_stop, results, on_done,
                logprobs: dict[int, list[float]] | None = None) -> None:
        """Sample every active sequence from its `first` logits until each one ends. Where
        `logprobs` is given, the log-probability of each kept token under the logits it was
        sampled from is appended to `logprobs[index]` (for an unsteered context, the
        plain model's: what a teacher-forced pass over the reply would give)."""
        current = {a.seq: a.first for a in active}
        while active:
            if should_stop and should_stop():
                raise GenerationCancelled("Stopped.")
            step: list[tuple[int, int, int, bool]] = []
            still: list[_Active] = []
            for a in active:
                tok = sample_token(current[a.seq], a.out, sampling, a.rng)
                if not self._is_eog(tok):
                    a.out.append(tok)
                    if logprobs is not None:
                        row = current[a.seq][None, :]
                        logprobs.setdefault(a.index, []).append(
                            float(_log_softmax_pick(row, np.array([tok]))[0]))
                if self._is_eog(tok) or len(a.out) >= sampling.max_tokens:
                    results[a.index] = a.out
                    if on_done:
                        on_done(a.index, a.out)
                    continue
                step.append((tok, a.n_past, a.seq, True))
                a.n_past += 1
                still.append(a)
            active = still
            if not step:
                break
            self._decode(step)
            logits = self._logits(len(step))
            current = {a.seq: logits[r].copy() for r, a in enumerate(active)}

    def generate_variants(
        self,
        prompts: Sequence[Sequence[int]],
        buffers: Sequence[np.ndarray | None],
        sampling: SamplingSettings,
        *,
        seeds: Sequence[int] | None = None,
        should_stop: StopFn | None = None,
        progress: Callable[[int, int], None] | None = None,
        plain_logprobs: list | None = None,
    ) -> list[list[list[int]]]:
        """A continuation of every prompt under each control buffer (None: unsteered), the
        buffer applied to generated positions only (each prompt's last token on), as
        `LlamaRuntime.set_control_vector(..., generated_only=True)` does.

        The prompts are evaluated once, unsteered, and every variant's sequences share
        their KV cells (a unified cache copies a sequence by reference), so trying five
        strengths costs one prompt pass rather than five: what makes choosing a
        strength by generation affordable. Returns [variant][prompt] token lists;
        sequence i of every variant uses seed i. A list passed as `plain_logprobs` is
        filled, [variant][prompt], with each continuation's token log-probabilities
        under the *unsteered* model (a fluency check), reusing the same prompt cells.
        """
        out: list[list[list[int]]] = [[[] for _ in prompts] for _ in buffers]
        if plain_logprobs is not None:
            plain_logprobs[:] = [[np.zeros(0, np.float32) for _ in prompts] for _ in buffers]
        groups = self._variant_groups(prompts, sampling.max_tokens)
        mem = self._L.llama_get_memory(self.ctx)
        steps, total = 0, len(groups) * len(buffers)
        for group in groups:
            self._clear()
            self.set_control_vector(None)
            entries: list[tuple[int, int, int, bool]] = []
            for seq, i in enumerate(group):
                for pos, tok in enumerate(list(prompts[i])[:-1]):
                    entries.append((int(tok), pos, seq, False))
                    if len(entries) == self.n_batch:
                        self._decode(entries)
                        entries.clear()
            if entries:
                self._decode(entries)
            n = len(group)
            for v, buf in enumerate(buffers):
                if should_stop and should_stop():
                    raise GenerationCancelled("Stopped.")
                self.set_control_vector(buf)
                active = []
                last: list[tuple[int, int, int, bool]] = []
                for seq, i in enumerate(group):
                    toks = list(prompts[i])
                    work = n + seq
                    self._L.llama_memory_seq_cp(mem, seq, work, -1, -1)
                    last.append((int(toks[-1]), len(toks) - 1, work, True))
                    rng = np.random.default_rng(None if seeds is None else seeds[i])
                    active.append(_Active(i, work, len(toks), rng, []))
                self._decode(last)
                logits = self._logits(len(last))
                for r, a in enumerate(active):
                    a.first = logits[r].copy()
                results: list[list[int]] = [[] for _ in prompts]
                # Unsteered, the sampling logits are the plain model's: no scoring pass.
                taken: dict[int, list[float]] | None = (
                    {} if plain_logprobs is not None and buf is None else None)
                self._sample(active, sampling, should_stop, results, None, taken)
                for seq, i in enumerate(group):
                    out[v][i] = results[i]
                    self._L.llama_memory_seq_rm(mem, n + seq, -1, -1)
                if taken is not None:
                    for i in group:
                        plain_logprobs[v][i] = np.asarray(taken.get(i, []), np.float32)
                elif plain_logprobs is not None:
                    self.set_control_vector(None)
                    self._score_after_prompts(group, prompts, [out[v][i] for i in group],
                                              plain_logprobs[v])
                steps += 1
                if progress:
                    progress(steps, total)
        self.set_control_vector(None)
        return out

    def _score_after_prompts(self, group: list[int], prompts, continuations, into) -> None:
        """Teacher-forced unsteered log-probs of each continuation after its prompt, whose
        cells (all but its last token) sit in sequence k of the group: each is copied to a
        work sequence, scored there, and dropped."""
        mem = self._L.llama_get_memory(self.ctx)
        n = len(group)
        rows = []
        for k, i in enumerate(group):
            self._L.llama_memory_seq_cp(mem, k, n + k, -1, -1)
            toks, cont = list(prompts[i]), [int(t) for t in continuations[k]]
            row = [toks[-1], *cont]
            rows.append((k, [(int(tok), len(toks) - 1 + j, n + k,
                              cont[j] if j < len(cont) else None)
                             for j, tok in enumerate(row)]))
        lp = self._forced_logprobs(rows)
        for k, i in enumerate(group):
            self._L.llama_memory_seq_rm(mem, n + k, -1, -1)
            into[i] = lp[k]

    def _forced_logprobs(self, rows) -> dict[int, np.ndarray]:
        """Decode each owner's (token, pos, seq, target) entries in n_batch chunks; where
        target is not None, keep log p(target) at that position. Returns, per owner, the
        log-probs in entry order."""
        entries: list[tuple[int, int, int, bool]] = []
        wants: list[tuple[int, int]] = []  # (owner, target token)
        parts: dict[int, list[np.ndarray]] = {owner: [] for owner, _ in rows}

        def flush() -> None:
            if not entries:
                return
            self._decode(entries)
            if wants:
                logits = self._logits(len(wants))
                lp = _log_softmax_pick(logits, np.array([t for _, t in wants], dtype=np.int64))
                for r, (owner, _t) in enumerate(wants):
                    parts[owner].append(lp[r : r + 1])
            entries.clear()
            wants.clear()

        for owner, row in rows:
            for tok, pos, seq, target in row:
                entries.append((tok, pos, seq, target is not None))
                if target is not None:
                    wants.append((owner, target))
                if len(entries) == self.n_batch:
                    flush()
        flush()
        return {owner: np.concatenate(p) if p else np.zeros(0, np.float32)
                for owner, p in parts.items()}

    def _variant_groups(self, prompts: Sequence[Sequence[int]], budget: int) -> list[list[int]]:
        """Prompts in groups whose cells and sequences (two per prompt) fit the context."""
        groups: list[list[int]] = []
        used = 0
        for i, p in enumerate(prompts):
            need = len(p) + budget
            if need > self.n_ctx:
                raise EngineError(f"A prompt of {len(p)} tokens does not fit the batch context.")
            if not groups or 2 * (len(groups[-1]) + 1) > self.n_seq or used + need > self.n_ctx:
                groups.append([])
                used = 0
            groups[-1].append(i)
            used += need
        return groups

    # ---- scoring ---------------------------------------------------------------
    def score(
        self,
        sequences: Sequence[tuple[Sequence[int], int]],
        *,
        should_stop: StopFn | None = None,
    ) -> list[np.ndarray]:
        """Teacher-forced log p(tok[t] | tok[:t]) for t = start..len-1 of each (tokens, start)."""
        out: list[np.ndarray] = [np.zeros(0, np.float32) for _ in sequences]
        order = list(range(len(sequences)))
        while order:
            wave: list[int] = []
            used = 0
            for i in order:
                n = len(sequences[i][0])
                if n > self.n_ctx:
                    raise EngineError(f"A text of {n} tokens does not fit the batch context.")
                if len(wave) >= self.n_seq or used + n > self.n_ctx:
                    break
                wave.append(i)
                used += n
            order = order[len(wave) :]
            if should_stop and should_stop():
                raise GenerationCancelled("Stopped.")
            self._score_wave(wave, sequences, out)
        return out

    def _score_wave(self, wave, sequences, out) -> None:
        self._clear()
        rows = []
        for seq, i in enumerate(wave):
            toks, start = sequences[i]
            start = max(1, start)
            rows.append((i, [(int(tok), pos, seq,
                              int(toks[pos + 1]) if start - 1 <= pos < len(toks) - 1 else None)
                             for pos, tok in enumerate(toks)]))
        for i, lp in self._forced_logprobs(rows).items():
            out[i] = lp
