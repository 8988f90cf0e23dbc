"""Where torch runs: the device and dtype a runtime gets, and what accelerators it sees.

torch is imported inside the functions (through `import_torch`, which asks OpenMP to
sleep rather than spin), so importing this module is cheap.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError

if TYPE_CHECKING:  # pragma: no cover
    import torch


def import_torch() -> Any:
    """Import torch, asking OpenMP to sleep rather than spin while its threads wait.

    Measured on a busy 2-core machine: a decode step of SmolLM2 took ~480 ms
    with OpenMP's default spinning and ~45 ms with OMP_WAIT_POLICY=PASSIVE,
    because spinning threads fight llama.cpp, the GUI and each other for the
    cores. libgomp reads the variable when torch first loads it, so it only
    helps if this runs before anything else imports torch; a value the user
    set is kept.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    return torch


def pick_device(setting: str = "auto") -> str:
    """'auto' takes CUDA, then Apple's MPS, then the CPU; anything else is forced.

    A forced device that torch cannot see is an error, not a silent fallback:
    the user asked for it, so they should learn it is not there.
    """
    torch = import_torch()

    s = (setting or "auto").strip().lower()
    if s == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if s.startswith("cuda") and not torch.cuda.is_available():
        raise EngineError("The device is set to CUDA, but torch sees no CUDA GPU here.")
    if s == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise EngineError("The device is set to MPS, but this machine has no Apple GPU.")
    if s != "cpu" and not s.startswith(("cuda", "mps")):
        raise EngineError(f"Unknown device '{setting}'; use auto, cpu, cuda or mps.")
    return s


def pick_dtype(device: str, setting: str = "auto") -> torch.dtype:
    """fp32 on the CPU (half precision there is slow and lossy); bf16, else fp16, on GPUs."""
    torch = import_torch()

    names = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
             "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}
    if setting and setting != "auto":
        if setting not in names:
            raise EngineError(f"Unknown dtype '{setting}'; use auto, float32, bfloat16 or float16.")
        return names[setting]
    if device.startswith("cuda"):
        try:  # native bf16 only (Ampere and later); emulated bf16 is slower than fp16
            native = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # older torch
            native = torch.cuda.is_bf16_supported()
        return torch.bfloat16 if native else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


def describe_devices() -> str:
    """One line on what accelerators torch sees (benchmarks print it)."""
    import torch

    if torch.cuda.is_available():
        return f"CUDA: {torch.cuda.get_device_name(0)}"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "Apple MPS"
    return "no CUDA GPU or MPS device available; torch runs on the CPU"
