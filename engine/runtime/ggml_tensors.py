"""Reading and writing llama.cpp's intermediate tensors from its scheduler eval callback.

llama.cpp hands a context's `cb_eval` every node of the graph it computes: first
asking whether the caller wants the node (`ask` true), then, for a yes, the
computed tensor before any later node has read it. Its own `imatrix` and
`cvector-generator` tools read states this way. Two parts of the app use it: the
build's activation reader (`engine.runtime.activations`) copies the residual stream
out, and the batch context (`engine.runtime.batched`) adds a different control
vector to each sequence's rows, which llama.cpp's own control vector (one per
context) cannot do. Both go through the backend's tensor get/set, so they work
whatever device holds the tensor.
"""

from __future__ import annotations

import ctypes

import numpy as np

RESIDUAL_PREFIX = b"l_out-"  # llama.cpp's name of the residual stream after block il
GGML_TYPE_F32 = 0


class TensorHead(ctypes.Structure):
    """The first fields of `struct ggml_tensor` (ggml.h), which have kept this layout for
    years: enough to read a tensor's shape without binding the whole struct."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("buffer", ctypes.c_void_p),
        ("ne", ctypes.c_int64 * 4),
        ("nb", ctypes.c_size_t * 4),
    ]


def ggml_lib():
    """The ggml functions the callbacks call (ggml-base, loaded by llama-cpp-python)."""
    from llama_cpp._ggml import libggml

    lib = libggml
    if not getattr(lib, "_assistant_typed", False):
        lib.ggml_get_name.argtypes = [ctypes.c_void_p]
        lib.ggml_get_name.restype = ctypes.c_char_p
        lib.ggml_nbytes.argtypes = [ctypes.c_void_p]
        lib.ggml_nbytes.restype = ctypes.c_size_t
        for fn in (lib.ggml_backend_tensor_get, lib.ggml_backend_tensor_set):
            fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
            fn.restype = None
        lib.ggml_is_contiguous.argtypes = [ctypes.c_void_p]
        lib.ggml_is_contiguous.restype = ctypes.c_bool
        lib._assistant_typed = True
    return lib


def residual_layer(lib, t) -> int | None:
    """The block index of a residual-stream node (`l_out-il`), else None."""
    name = lib.ggml_get_name(t) or b""
    if not name.startswith(RESIDUAL_PREFIX):
        return None
    try:
        return int(name[len(RESIDUAL_PREFIX):])
    except ValueError:
        return None


def rows_of(lib, t, n_embd: int) -> int | None:
    """The number of n_embd-wide float32 rows of a contiguous tensor, else None (a layout
    the callers do not know how to read)."""
    head = TensorHead.from_address(t)
    if head.type != GGML_TYPE_F32 or head.ne[0] != n_embd or not lib.ggml_is_contiguous(t):
        return None
    return int(head.ne[1])


def read_rows(lib, t, rows: int, n_embd: int) -> np.ndarray:
    buf = np.empty((rows, n_embd), dtype=np.float32)
    lib.ggml_backend_tensor_get(t, buf.ctypes.data, 0, buf.nbytes)
    return buf


def write_rows(lib, t, buf: np.ndarray) -> None:
    buf = np.ascontiguousarray(buf, dtype=np.float32)
    lib.ggml_backend_tensor_set(t, buf.ctypes.data, 0, buf.nbytes)
