"""The residual stream and token log-probabilities of texts, read from llama.cpp itself.

A profile build needs, for every token of the user's texts, the hidden state after
every block and the log-probability the model gives the token. Loading the GGUF
into torch for that dequantizes it to float32 (4 bytes a weight: 6 GB for a 1.5B
model); llama.cpp computes the same states on the quantized weights, in the
memory of the file, on the CPU or any GPU backend it was built for.

llama.cpp names the residual stream after block `il` `l_out-il` (after the control
vector is added, the same place a torch forward hook on `model.layers[il]` sees)
and lets a caller read any named tensor through the scheduler's eval callback
(`cb_eval` in the context parameters), which its own `imatrix` and
`cvector-generator` tools use. The callback is asked about every node; it says
yes to the `l_out` ones, and llama.cpp then computes the graph up to that node and
hands it over before going on. So layer L here is torch's layer L, and llama.cpp's
control-vector slot L-1 adds to exactly these states (docs/ARCHITECTURE.md, Layer mapping).

On the last block llama.cpp keeps only the rows whose logits were asked for, so a
row's wanted positions are exactly the positions it asks logits for: both come
back for the same positions.

Fints reads the attention and MLP outputs of a block, not the residual: llama.cpp
names the MLP's output `ffn_out-il` and the residual after attention `ffn_inp-il`
(every architecture it builds, unlike `attn_out`, which Qwen2's graph does not name),
so a block's attention output is `ffn_inp-il` minus the block's input `l_out-(il-1)`.
A run asks for `Part`s and gets them in that order.

Like every llama.cpp context, a reader belongs to one thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import EngineError, GenerationCancelled
from engine.runtime.batched import BatchedLlama, _log_softmax_pick
from engine.runtime.ggml_tensors import ggml_lib, read_rows, rows_of
from engine.runtime.llamacpp import LlamaRuntime

StopFn = Callable[[], bool]
# on_row(index, hidden (n_layer, n_positions, n_embd) float32, log-probs of each position's
# next token (n_positions, or one fewer where the row's last position is wanted))
RowFn = Callable[[int, np.ndarray, np.ndarray], None]


@dataclass(frozen=True)
class Part:
    """One activation a run reads at every wanted position: the residual stream after
    block `layer` ("residual"), or that block's attention or MLP output ("attn", "mlp"),
    each as torch's forward hook on the module sees it."""

    kind: str
    layer: int


def residual_parts(n_layer: int) -> list[Part]:
    """The residual stream after every block: what a run reads unless told otherwise."""
    return [Part("residual", L) for L in range(n_layer)]


def _llama_names(part: Part) -> list[str]:
    """The llama.cpp graph nodes a part is computed from (see the module's docstring)."""
    if part.kind == "residual":
        return [f"l_out-{part.layer}"]
    if part.kind == "mlp":
        return [f"ffn_out-{part.layer}"]
    if part.kind == "attn":
        if part.layer < 1:
            raise EngineError("The attention output of block 0 is not read (no block input "
                              "is named there).")
        return [f"ffn_inp-{part.layer}", f"l_out-{part.layer - 1}"]
    raise EngineError(f"Unknown activation {part.kind!r}.")


@dataclass(frozen=True)
class Row:
    """One sequence to run: its tokens, and the positions [first, stop) whose hidden
    states are wanted (each position's log-probability of the next token comes too,
    where there is one)."""

    tokens: Sequence[int]
    first: int
    stop: int

    @classmethod
    def text(cls, prefix: Sequence[int], text: Sequence[int]) -> Row:
        """A prompt then a text: the states that predict each of the text's tokens."""
        toks = [*prefix, *text]
        return cls(toks, len(prefix) - 1, len(prefix) - 1 + max(1, len(text)))

    @classmethod
    def last(cls, prompt: Sequence[int]) -> Row:
        """The prompt's last position only (where a reply would start)."""
        return cls(list(prompt), len(prompt) - 1, len(prompt))


class _RowReader:
    """What a build asks of either reader, written once over its `run`."""

    def run(self, rows: Sequence[Row], on_row: RowFn, *, hidden: bool = True,
            parts: Sequence[Part] | None = None, should_stop: StopFn | None = None,
            progress: Callable[[int, int], None] | None = None) -> None:
        raise NotImplementedError

    def logprobs(self, seqs: Sequence[tuple[Sequence[int], int]], *,
                 should_stop: StopFn | None = None) -> list[np.ndarray]:
        """log p(tok[t] | tok[:t]) for t = start..len-1 of each (tokens, start), under this
        context's control vector (none unless set)."""
        rows = [Row.text(list(t)[:s], list(t)[s:]) for t, s in seqs]
        out: list[np.ndarray] = [np.zeros(0, np.float32)] * len(rows)

        def keep(i: int, _h: np.ndarray, lp: np.ndarray) -> None:
            out[i] = lp[: len(seqs[i][0]) - seqs[i][1]]

        self.run(rows, keep, hidden=False, should_stop=should_stop)
        return out

    def hidden(self, rows: Sequence[Row], *, parts: Sequence[Part] | None = None,
               should_stop: StopFn | None = None) -> list[np.ndarray]:
        """Each row's states at its wanted positions, (n_parts, n, n_embd), by default the
        residual after every block (small inputs)."""
        out: list[np.ndarray] = [np.zeros(0)] * len(rows)

        def keep(i: int, h: np.ndarray, _lp: np.ndarray) -> None:
            out[i] = h

        self.run(rows, keep, parts=parts, should_stop=should_stop)
        return out


class LlamaActivations(_RowReader, BatchedLlama):
    """A llama.cpp context on `runtime`'s model (no second copy of the weights) that reads
    the residual stream after every block while it scores texts.

    Its control vector (`set_control_vector`) steers what it reads and scores, which is
    how a build compares layers and strengths on held-out texts without torch.
    """

    def __init__(self, runtime: LlamaRuntime, *, n_ctx: int = 4096, n_seq: int = 16,
                 n_batch: int = 256, n_threads: int | None = None) -> None:
        self._lib = ggml_lib()
        self.n_layer = runtime.info.n_layer
        self.n_embd = runtime.info.n_embd
        self._capturing = False
        self._want: frozenset[bytes] = frozenset()  # the node names this batch reads
        self._got: dict[bytes, np.ndarray] = {}
        self._cb = self._make_callback()  # kept alive as long as the context
        super().__init__(runtime, n_ctx=n_ctx, n_seq=n_seq, n_batch=n_batch,
                         n_threads=n_threads, cb_eval=self._cb)

    # ---- the callback ----------------------------------------------------------
    def _make_callback(self):
        import llama_cpp

        lib = self._lib
        n_embd = self.n_embd

        def callback(t, ask, _user):
            if not self._capturing:
                return not ask
            name = lib.ggml_get_name(t)
            if name not in self._want:
                return not ask
            if ask:
                return True
            rows = rows_of(lib, t, n_embd)
            if rows is None:
                self._error = f"unexpected layout of {name.decode()}"
                return False
            # a name given twice (the last block's l_out) is read again: the later wins
            self._got[name] = read_rows(lib, t, rows, n_embd)
            return True

        return llama_cpp.ggml_backend_sched_eval_callback(callback)

    # ---- running rows --------------------------------------------------------------
    def run(
        self,
        rows: Sequence[Row],
        on_row: RowFn,
        *,
        hidden: bool = True,
        parts: Sequence[Part] | None = None,
        should_stop: StopFn | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Run every row; call `on_row(i, hidden, logprobs)` as each one completes, with
        `hidden` (len(parts), n, n_embd): the `parts` (default: the residual after every
        block) at the row's wanted positions.

        `hidden` False skips reading the states (scoring only: the callback then asks
        for nothing and llama.cpp computes each batch in one go); `on_row` gets an
        empty (0, n, n_embd) array then.
        """
        parts = list(parts) if parts is not None else residual_parts(self.n_layer)
        self._want = frozenset(n.encode() for p in parts for n in _llama_names(p))
        for i, r in enumerate(rows):
            if not 0 <= r.first < r.stop <= len(r.tokens):
                raise EngineError(f"Row {i}: wanted positions {r.first}..{r.stop} are outside "
                                  f"its {len(r.tokens)} tokens.")
            if len(r.tokens) > self.n_ctx:
                raise EngineError(f"A text of {len(r.tokens)} tokens does not fit the "
                                  f"reading context ({self.n_ctx}).")
        order = list(range(len(rows)))
        done = 0
        while order:
            wave: list[int] = []
            used = 0
            for i in order:
                n = len(rows[i].tokens)
                if len(wave) >= self.n_seq or used + n > self.n_ctx:
                    break
                wave.append(i)
                used += n
            order = order[len(wave):]
            if should_stop and should_stop():
                raise GenerationCancelled("Stopped.")
            self._run_wave(wave, rows, on_row, hidden, parts)
            done += len(wave)
            if progress:
                progress(done, len(rows))

    def _run_wave(self, wave: list[int], rows: Sequence[Row], on_row: RowFn,
                  hidden: bool, read: Sequence[Part]) -> None:
        self._clear()
        # Per row of the wave: the pieces of its wanted states and log-probs, filled batch
        # by batch; a row is handed over once its last wanted position has been computed.
        parts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {i: [] for i in wave}
        entries: list[tuple[int, int, int, bool]] = []
        owners: list[tuple[int, int | None]] = []  # per wanted entry: (row, target or None)
        index_of: list[int] = []  # per wanted entry: its index within the batch
        finishing: list[int] = []

        def flush() -> None:
            if not entries:
                return
            self._got = {}
            self._error = None
            self._capturing = hidden
            try:
                self._decode(entries)
            finally:
                self._capturing = False
            if self._error:
                raise EngineError(f"llama.cpp's states could not be read: {self._error}.")
            n_out = len(owners)
            states = self._states(read, n_out, np.asarray(index_of)) if hidden else None
            logits = self._logits(n_out)
            targets = np.array([t if t is not None else 0 for _, t in owners], dtype=np.int64)
            lp = _log_softmax_pick(logits, targets)
            start = 0
            while start < n_out:
                row = owners[start][0]
                end = start
                while end < n_out and owners[end][0] == row:
                    end += 1
                h = states[:, start:end] if states is not None else np.zeros((0, end - start, 0))
                has_target = [t is not None for _, t in owners[start:end]]
                parts[row].append((h, lp[start:end][np.asarray(has_target)]))
                start = end
            entries.clear()
            owners.clear()
            index_of.clear()
            for row in finishing:
                self._hand_over(row, parts.pop(row), on_row)
            finishing.clear()

        for seq, i in enumerate(wave):
            r = rows[i]
            toks = list(r.tokens)
            for pos, tok in enumerate(toks):
                want = r.first <= pos < r.stop
                if want:
                    index_of.append(len(entries))
                    owners.append((i, int(toks[pos + 1]) if pos + 1 < len(toks) else None))
                entries.append((int(tok), pos, seq, want))
                if pos == len(toks) - 1:
                    finishing.append(i)
                if len(entries) == self.n_batch:
                    flush()
        flush()

    def _states(self, parts: Sequence[Part], n_out: int, idx: np.ndarray) -> np.ndarray:
        """The batch's wanted rows of each part, (len(parts), n_out, n_embd)."""
        missing = sorted(n.decode() for n in self._want - self._got.keys())
        if missing:
            raise EngineError(f"llama.cpp's graph for this model has no {', '.join(missing[:3])}"
                              f"{' ...' if len(missing) > 3 else ''}: its states cannot be "
                              "read for this build.")
        # the last block keeps only the rows that output logits, in batch order
        got = {n: (b if b.shape[0] == n_out else b[idx]) for n, b in self._got.items()}
        states = np.empty((len(parts), n_out, self.n_embd), dtype=np.float32)
        for k, p in enumerate(parts):
            names = [n.encode() for n in _llama_names(p)]
            states[k] = got[names[0]] - got[names[1]] if p.kind == "attn" else got[names[0]]
        return states

    def _hand_over(self, row: int, pieces: list[tuple[np.ndarray, np.ndarray]],
                   on_row: RowFn) -> None:
        h = np.concatenate([p[0] for p in pieces], axis=1) if pieces else np.zeros((0, 0, 0))
        lp = np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, np.float32)
        on_row(row, h, lp)

    # ---- what a build asks for ---------------------------------------------------------


class TorchActivations(_RowReader):
    """The same reading through the torch runtime's hooks: for a GPU with torch in half
    precision, and for the parity test against `LlamaActivations`."""

    def __init__(self, trt, *, batch: int = 16) -> None:
        self.trt = trt
        self.batch = batch
        self.n_layer = trt.n_layer
        self.n_embd = trt.n_embd
        self._steer: tuple[int, np.ndarray] | None = None

    def close(self) -> None:
        """Nothing to free: the torch runtime is shared."""

    def set_control_vector(self, data: np.ndarray | None) -> None:
        """Steer what follows like llama.cpp's buffer would (slot i = layer i+1); only one
        non-zero layer is supported, which is all a build tries."""
        if data is None or not np.any(data):
            self._steer = None
            return
        slots = np.flatnonzero(np.abs(data).sum(axis=1))
        if len(slots) != 1:
            raise EngineError("The torch reader steers one layer at a time.")
        self._steer = (int(slots[0]) + 1, np.asarray(data[slots[0]], np.float32))

    def run(self, rows: Sequence[Row], on_row: RowFn, *, hidden: bool = True,
            parts: Sequence[Part] | None = None, should_stop: StopFn | None = None,
            progress: Callable[[int, int], None] | None = None) -> None:
        import contextlib

        import torch

        from engine.runtime import hooks

        trt = self.trt
        parts = list(parts) if parts is not None else residual_parts(self.n_layer)
        kinds = {p.kind for p in parts}
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i].tokens))
        done = 0
        for s in range(0, len(order), self.batch):
            if should_stop and should_stop():
                raise GenerationCancelled("Stopped.")
            chunk = order[s : s + self.batch]
            toks = [list(rows[i].tokens) for i in chunk]
            first = min(rows[i].first for i in chunk)
            stop = max(rows[i].stop for i in chunk)
            keep = torch.arange(first, stop, device=trt.device)
            ids, _mask = trt.pad_batch(toks, side="right")
            with contextlib.ExitStack() as stack:
                if self._steer is not None:
                    stack.enter_context(hooks.steer_residual(trt, {self._steer[0]:
                                                                   self._steer[1]}))
                cap = stack.enter_context(hooks.capture(
                    trt, sorted({p.layer for p in parts}), residual="residual" in kinds,
                    attn="attn" in kinds, mlp="mlp" in kinds)) if hidden else None
                logits = trt.forward(ids, logits_to_keep=keep).logits
                h_all = (torch.stack([getattr(cap, p.kind)(p.layer) for p in parts])
                         if cap is not None else None)
            for k, i in enumerate(chunk):
                r = rows[i]
                pos = list(range(r.first, r.stop))
                targets = [p for p in pos if p + 1 < len(r.tokens)]
                z = logits[k, [p - first for p in targets]].float()
                tgt = torch.as_tensor([int(r.tokens[p + 1]) for p in targets], device=z.device)
                lp = (torch.log_softmax(z, dim=-1).gather(1, tgt[:, None])[:, 0]
                      .cpu().numpy().astype(np.float32))
                h = (h_all[:, k, r.first:r.stop].float().cpu().numpy()
                     if h_all is not None else np.zeros((0, len(pos), 0), np.float32))
                on_row(i, h, lp)
            done += len(chunk)
            if progress:
                progress(done, len(rows))



def steered_logprobs(reader, seqs: Sequence[tuple[Sequence[int], int]],
                     steer: Sequence[tuple[int, np.ndarray] | None], *,
                     should_stop: StopFn | None = None) -> list[np.ndarray]:
    """log p(tok[t] | tok[:t]) for t >= start of each sequence, each steered by its own
    (layer, vector) or not at all: rows that share a steer run together under one control
    vector (llama.cpp steers a whole context at once)."""
    groups: dict[tuple[int, int] | None, list[int]] = {}
    keyed: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
    for i, st in enumerate(steer):
        key = None if st is None else (st[0], hash(np.asarray(st[1], np.float32).tobytes()))
        if st is not None:
            keyed[key] = st
        groups.setdefault(key, []).append(i)
    out: list[np.ndarray] = [np.zeros(0, np.float32)] * len(seqs)
    try:
        for key, idx in groups.items():
            if key is None:
                reader.set_control_vector(None)
            else:
                layer, vec = keyed[key]
                buf = np.zeros((reader.n_layer, reader.n_embd), np.float32)
                buf[layer - 1] = vec  # slot L-1 steers the output of block L
                reader.set_control_vector(buf)
            for i, lp in zip(idx, reader.logprobs([seqs[i] for i in idx],
                                                  should_stop=should_stop), strict=True):
                out[i] = lp
    finally:
        reader.set_control_vector(None)
    return out


def as_reader(x):
    """A reader as is; a torch runtime (what older callers pass) wrapped as one."""
    return x if hasattr(x, "run") else TorchActivations(x)
