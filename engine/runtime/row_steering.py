"""A different control vector for each sequence of one llama.cpp batch.

llama.cpp's control vector belongs to a context: every sequence it decodes is
steered the same way. Choosing a strength by generation writes many replies
that differ only in their vector (each fold's vector at each candidate
strength); one vector per context meant one small batch after another, which
was most of a profile build's time. This adds each sequence's own vector to its
rows of the residual stream, at the node llama.cpp's control vector is added to
(`l_out-il`, through the scheduler's eval callback; `engine.runtime.ggml_tensors`),
so all of them decode in the same batches. The arithmetic is the same float32
addition llama.cpp's control vector does at that node.

The buffers are llama.cpp's control-vector layout (n_layer, n_embd), row i
steering block i+1, as `SteeringVector.control_buffer` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.errors import EngineError
from engine.runtime.ggml_tensors import ggml_lib, read_rows, residual_layer, rows_of, write_rows


class RowSteering:
    """The eval callback of a batch context, and what it adds while a plan is set."""

    def __init__(self, n_embd: int) -> None:
        import llama_cpp

        self.n_embd = n_embd
        self._lib = ggml_lib()
        self._layers: dict[int, np.ndarray] = {}  # block -> (n_buffers + 1, n_embd)
        self._seq_buffer: dict[int, int] = {}
        self._row_buf = np.zeros(0, np.int64)  # per batch row: its buffer (-1: none)
        self._out_buf = np.zeros(0, np.int64)  # the same for the rows that output logits
        self.error: str | None = None
        self.callback = llama_cpp.ggml_backend_sched_eval_callback(self._callback)

    @property
    def active(self) -> bool:
        return bool(self._layers)

    def begin(self, buffers: Sequence[np.ndarray], seq_buffer: dict[int, int]) -> None:
        """Steer sequence s with `buffers[seq_buffer[s]]` (others unsteered) until `end`."""
        n = len(buffers)
        layers: dict[int, np.ndarray] = {}
        for b, buf in enumerate(buffers):
            for slot in np.flatnonzero(np.abs(buf).sum(axis=1)):
                mat = layers.setdefault(int(slot) + 1, np.zeros((n + 1, self.n_embd), np.float32))
                mat[b] = buf[slot]
        self._layers = layers
        self._seq_buffer = dict(seq_buffer)
        self.error = None

    def end(self) -> None:
        self._layers, self._seq_buffer = {}, {}

    def map_batch(self, entries: Sequence[tuple[int, int, int, bool]]) -> None:
        """Which buffer each row of the batch about to decode gets ((tok, pos, seq, want))."""
        rows = np.array([self._seq_buffer.get(seq, -1) for _t, _p, seq, _w in entries],
                        dtype=np.int64)
        want = np.array([w for *_x, w in entries], dtype=bool)
        self._row_buf, self._out_buf = rows, rows[want]

    def _callback(self, t, ask, _user) -> bool:
        if not self._layers:
            return not ask
        layer = residual_layer(self._lib, t)
        if layer is None or layer not in self._layers:
            return not ask
        if ask:
            return True
        rows = rows_of(self._lib, t, self.n_embd)
        # On the last block llama.cpp keeps only the rows that output logits.
        if rows == len(self._row_buf):
            which = self._row_buf
        elif rows == len(self._out_buf):
            which = self._out_buf
        else:
            self.error = f"l_out-{layer} has {rows} rows for a batch of {len(self._row_buf)}"
            return False
        add = self._layers[layer][which]  # index -1 is the all-zero last row
        if add.any():
            x = read_rows(self._lib, t, rows, self.n_embd)
            x += add
            write_rows(self._lib, t, x)
        return True


def check(steering: RowSteering) -> None:
    if steering.error:
        raise EngineError(f"llama.cpp's states could not be steered: {steering.error}.")
