"""Whether a torch copy of a model fits this machine, asked before loading one.

The profile builds read activations from llama.cpp in the memory of the GGUF file;
DPS still needs torch (it ablates attention heads and takes gradients through them),
and torch holds every weight dequantized: 4 bytes a weight in float32 on the CPU, 2 in
half precision on a GPU, plus the scan's activations and gradients. Measured on this
project's 2-core box (2026-12-07): loading Qwen2.5-Coder-0.5B (630 M weights, 2.5 GB in
float32) peaked at 3.9 GB; DPS's whole build on Qwen2.5-Coder-1.5B (1.78 G weights, 7.1 GB
in float32) peaked at 22.3 GB, 3.1 times its float32 weights, with llama.cpp's copy of the
model open beside it, and left 100 MB of the machine's memory free. So the app asks
first and, where it does not fit, says what it would need.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import EngineError
from engine.runtime.gguf_info import GGUFInfo

# A DPS build's peak over its model's float32 weights: 22.3 GB for Qwen2.5-Coder-1.5B's
# 7.1 GB (bench_scale.py, 2026-12-07), the scan's working set and llama.cpp's copy included.
LOAD_PEAK_OVER_WEIGHTS = 3.0
RUNTIME_OVERHEAD_BYTES = 600 * 2**20  # torch and transformers themselves, measured on the CPU


@dataclass(frozen=True)
class TorchNeed:
    """What a torch copy of one model takes, on one device."""

    device: str
    bytes_per_weight: int
    need_bytes: int  # peak while loading, the runtime included
    free_bytes: int | None  # what the device has free now; None where it cannot be told

    @property
    def fits(self) -> bool:
        return self.free_bytes is None or self.need_bytes <= self.free_bytes


def torch_need(info: GGUFInfo, device: str) -> TorchNeed:
    """The memory loading `info`'s model into torch on `device` ("cpu", "cuda", "mps")
    peaks at, and what the device has free."""
    per_weight = 4 if device == "cpu" else 2  # engine.runtime.torch_device.pick_dtype
    need = int(info.n_params * per_weight * LOAD_PEAK_OVER_WEIGHTS) + RUNTIME_OVERHEAD_BYTES
    return TorchNeed(device, per_weight, need, _free_bytes(device))


def _free_bytes(device: str) -> int | None:
    if device.startswith("cuda"):
        try:
            import torch

            free, _total = torch.cuda.mem_get_info()
            return int(free)
        except Exception:
            return None
    import psutil  # the CPU's memory, and Apple's unified memory that MPS shares

    return int(psutil.virtual_memory().available)


def require_torch_fits(info: GGUFInfo, device: str, what: str) -> TorchNeed:
    """Raise a plain-words EngineError, before anything is loaded, when `what` (e.g. "DPS")
    would need more memory for `info`'s model than `device` has free."""
    need = torch_need(info, device)
    if need.fits:
        return need
    gb = 2**30
    half = int(info.n_params * 2 * LOAD_PEAK_OVER_WEIGHTS) + RUNTIME_OVERHEAD_BYTES
    where = "on the CPU in float32" if device == "cpu" else f"on {device} in half precision"
    raise EngineError(
        f"{what} loads {info.name} into torch {where}: about {need.need_bytes / gb:.1f} GB, "
        f"and this computer has {need.free_bytes / gb:.1f} GB free, so it did not start. "
        f"It needs about {need.need_bytes / gb:.1f} GB free"
        + (f", or a GPU with {half / gb:.1f} GB (half precision)" if device == "cpu" else "")
        + ", or a smaller model.")
