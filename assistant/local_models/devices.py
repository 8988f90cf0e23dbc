"""Which devices this computer can really use, as torch and the llama.cpp build report them.

The settings window offers only these (with "auto" and the CPU, which always work), so
nobody picks "Apple GPU (Metal)" on a Linux machine and gets a silent fallback.
Importing torch takes seconds: call this off the GUI thread.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def available_devices() -> list[str]:
    """"auto", "cpu", then "cuda" and/or "mps" where torch or llama.cpp reports them."""
    found = ["auto", "cpu"]
    cuda = mps = False
    try:
        import torch

        cuda = bool(torch.cuda.is_available())
        backend = getattr(torch.backends, "mps", None)
        mps = bool(backend is not None and backend.is_available())
    except Exception:  # no torch, or a broken driver: torch reports nothing
        log.info("torch reports no accelerator", exc_info=True)
    try:
        from engine.runtime.native import build_info

        info = build_info()
        cuda = cuda or (info.backend == "cuda" and info.gpu_offload)
        mps = mps or (info.backend == "metal" and info.gpu_offload)
    except Exception:  # llama.cpp missing: chat says so elsewhere
        log.info("llama.cpp reports no accelerator", exc_info=True)
    if cuda:
        found.append("cuda")
    if mps:
        found.append("mps")
    return found
