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
from engine.runtime.row_steering import RowSteering
from engine.runtime.row_steering import check as check_steering

StopFn = Callable[[], bool]
STEERED_SEQS = 128  # sequences of one `generate_each` wave (prompts and replies)


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


@dataclass(frozen=True)
class SteeredJob:
    """One reply `generate_each` writes: after prompt `prompt` (an index), steered by
    `buffer` (llama.cpp's control-vector layout; None: unsteered), sampled with `seed`."""

    prompt: int
    buffer: np.ndarray | None
    seed: int


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
        # Sequences the context can hold: `n_seq` per wave of plain generation, and more
        # for `generate_each`, whose sequences share their prompts' cells.
        self.n_seq_max = self.n_seq if cb_eval is not None else min(
            max(self.n_seq, STEERED_SEQS), llama_cpp.llama_max_parallel_sequences())
        p = llama_cpp.llama_context_default_params()
        p.n_ctx = n_ctx
        p.n_batch = n_batch
        p.n_ubatch = n_batch
        p.n_seq_max = self.n_seq_max
        p.kv_unified = True
        self._auto_threads = n_threads is None
        threads = n_threads or work_threads()
        p.n_threads = threads
        p.n_threads_batch = threads
        p.no_perf = True
        # Each sequence's own control vector (`generate_each`), unless the caller reads
        # states through its own callback (`engine.runtime.activations`).
        self._rows = RowSteering(runtime.info.n_embd) if cb_eval is None else None
        p.cb_eval = self._rows.callback if self._rows is not None else cb_eval
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
        if self._rows is not None and self._rows.active:
            self._rows.map_batch(entries)
        rc = self._L.llama_decode(self.ctx, b)
        if self._rows is not None:
            check_steering(self._rows)
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
                logprobs: dict[int, list[float]] | None = None,
                logprobs_for: set[int] | None = None) -> None:
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
                    if logprobs is not None and (logprobs_for is None
                                                 or a.index in logprobs_for):
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
        """A continuation of every prompt under each control buffer (None: unsteered):
        `generate_each` over every (buffer, prompt) pair. Returns [variant][prompt] token
        lists; sequence i of every variant uses seed i. A list passed as `plain_logprobs`
        is filled, [variant][prompt], with each continuation's token log-probabilities
        under the *unsteered* model (a fluency check)."""
        jobs = [SteeredJob(i, buf, i if seeds is None else seeds[i])
                for buf in buffers for i in range(len(prompts))]
        done = self.generate_each(prompts, jobs, sampling, should_stop=should_stop,
                                  progress=progress, plain_logprobs=plain_logprobs is not None)
        n = len(prompts)
        if plain_logprobs is not None:
            plain_logprobs[:] = [[done[v * n + i][1] for i in range(n)]
                                 for v in range(len(buffers))]
        return [[done[v * n + i][0] for i in range(n)] for v in range(len(buffers))]

    def generate_each(
        self,
        prompts: Sequence[Sequence[int]],
        jobs: Sequence[SteeredJob],
        sampling: SamplingSettings,
        *,
        should_stop: StopFn | None = None,
        progress: Callable[[int, int], None] | None = None,
        plain_logprobs: bool = False,
    ) -> list[tuple[list[int], np.ndarray]]:
        """Each job's continuation of its prompt under its own control buffer, applied to
        generated positions only (the prompt's last token on), as
        `LlamaRuntime.set_control_vector(..., generated_only=True)` does.

        Every prompt is evaluated once, unsteered, and the jobs on it share its KV cells
        (a unified cache copies a sequence by reference); the jobs then decode together,
        each with its own vector (`RowSteering`), so trying four strengths of five folds'
        vectors costs about one batch of replies, not twenty. Returns (tokens, plain
        log-probs) per job; the log-probs (empty unless `plain_logprobs`) are each kept
        token's under the *unsteered* model, read from the sampling logits where the job
        is unsteered and by a teacher-forced pass over the reply otherwise.
        """
        if self._rows is None:
            raise EngineError("This context reads states; it cannot steer each sequence.")
        out: list[tuple[list[int], np.ndarray]] = [([], np.zeros(0, np.float32)) for _ in jobs]
        waves = self._job_waves(prompts, jobs, sampling.max_tokens)
        done = 0
        for wave_prompts, wave_jobs in waves:
            if should_stop and should_stop():
                raise GenerationCancelled("Stopped.")
            self._steered_wave(prompts, jobs, wave_prompts, wave_jobs, sampling, should_stop,
                               plain_logprobs, out)
            done += len(wave_jobs)
            if progress:
                progress(done, len(jobs))
        return out

    def _steered_wave(self, prompts, jobs, wave_prompts, wave_jobs, sampling, should_stop,
                      plain_logprobs, out) -> None:
        mem = self._L.llama_get_memory(self.ctx)
        self._clear()
        self.set_control_vector(None)
        seq_of = {p: s for s, p in enumerate(wave_prompts)}
        entries: list[tuple[int, int, int, bool]] = []
        for p in wave_prompts:
            for pos, tok in enumerate(list(prompts[p])[:-1]):
                entries.append((int(tok), pos, seq_of[p], False))
                if len(entries) == self.n_batch:
                    self._decode(entries)
                    entries.clear()
        if entries:
            self._decode(entries)
        base = len(wave_prompts)
        buffers: list[np.ndarray] = []
        seq_buffer: dict[int, int] = {}
        active: list[_Active] = []
        last: list[tuple[int, int, int, bool]] = []
        for w, j in enumerate(wave_jobs):
            job = jobs[j]
            toks = list(prompts[job.prompt])
            work = base + w
            self._L.llama_memory_seq_cp(mem, seq_of[job.prompt], work, -1, -1)
            if job.buffer is not None:
                seq_buffer[work] = len(buffers)
                buffers.append(job.buffer)
            last.append((int(toks[-1]), len(toks) - 1, work, True))
            active.append(_Active(j, work, len(toks), np.random.default_rng(job.seed), []))
        results: list[list[int]] = [[] for _ in jobs]
        # Unsteered, the sampling logits are the plain model's: no scoring pass.
        plain = {j for j in wave_jobs if jobs[j].buffer is None}
        taken: dict[int, list[float]] | None = {} if plain_logprobs else None
        self._rows.begin(buffers, seq_buffer)
        try:
            for s in range(0, len(last), self.n_batch):
                self._decode(last[s : s + self.n_batch])
                logits = self._logits(len(last[s : s + self.n_batch]))
                for r, a in enumerate(active[s : s + self.n_batch]):
                    a.first = logits[r].copy()
            self._sample(active, sampling, should_stop, results, None, taken, plain)
        finally:
            self._rows.end()
        for w, _j in enumerate(wave_jobs):
            self._L.llama_memory_seq_rm(mem, base + w, -1, -1)
        for j in wave_jobs:
            lp = np.asarray((taken or {}).get(j, []), np.float32)
            out[j] = (results[j], lp)
        if plain_logprobs:
            steered = [j for j in wave_jobs if j not in plain]
            rows = []
            for w, j in enumerate(steered):
                toks, cont = list(prompts[jobs[j].prompt]), [int(t) for t in results[j]]
                work = base + w
                self._L.llama_memory_seq_cp(mem, seq_of[jobs[j].prompt], work, -1, -1)
                row = [toks[-1], *cont]
                rows.append((j, [(int(tok), len(toks) - 1 + k, work,
                                  cont[k] if k < len(cont) else None)
                                 for k, tok in enumerate(row)]))
            lps = self._forced_logprobs(rows)
            for j in steered:
                out[j] = (results[j], lps[j])

    def _job_waves(self, prompts, jobs, budget: int) -> list[tuple[list[int], list[int]]]:
        """Jobs in waves (grouped by prompt) whose prompts' cells, replies and sequences fit
        the context: ([prompt indices], [job indices]) per wave."""
        cells = self.n_ctx
        by_prompt: dict[int, list[int]] = {}
        for j, job in enumerate(jobs):
            by_prompt.setdefault(job.prompt, []).append(j)
        waves: list[tuple[list[int], list[int]]] = []
        used = seqs = 0
        for p, js in by_prompt.items():
            n = len(prompts[p])
            if n + budget + 1 > self.n_ctx:
                raise EngineError(f"A prompt of {n} tokens does not fit the batch context.")
            # one prompt's jobs that alone overflow a wave go in several
            per = max(1, min(self.n_seq_max - 1, (cells - n) // (budget + 1)))
            for s in range(0, len(js), per):
                part = js[s : s + per]
                need = n + len(part) * (budget + 1)
                if not waves or seqs + len(part) + 1 > self.n_seq_max \
                        or used + need > cells:
                    waves.append(([], []))
                    used = seqs = 0
                if p not in waves[-1][0]:
                    waves[-1][0].append(p)
                waves[-1][1].extend(part)
                used += need
                seqs += len(part) + 1
        return waves

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
