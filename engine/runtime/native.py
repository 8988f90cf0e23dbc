"""What the installed llama.cpp build and this CPU can safely do together.

llama-cpp-python compiles llama.cpp on the user's machine with `GGML_NATIVE`,
so on a CPU with AMX (Sapphire Rapids and newer Xeons) the build carries
ggml's AMX matrix kernels. Those kernels crash on the first decode on many
such machines (llama.cpp #20824, ollama #17249: a general protection fault in
`ggml_backend_amx_mul_mat`). They are reached only through llama.cpp's *extra
buffer types* (weights repacked for AMX or AVX2 kernels at load time), which a
model turns off with `llama_model_params.use_extra_bufts = False`.

We turn them off at run time, and only where the CPU or the build has AMX,
rather than leaving AMX out of the build: a build flag would not reach users
who installed a prebuilt or cached wheel, and on CPUs without AMX the repacked
AVX2 kernels stay on (see `benchmarks/bench_chat.py --extra-bufts`).

`Llama()` has no argument for the field, so `install_safe_model_defaults()`
wraps llama-cpp-python's `llama_model_default_params`, the one place every
`Llama` (ours, the batched context's model, the OpenAI-compatible server the
tests start) takes its parameters from. The wrap is named and idempotent.
"""

from __future__ import annotations

import functools
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Where Linux lists the CPU's feature flags; tests point it at a fake file.
CPUINFO = Path("/proc/cpuinfo")

AMX_FLAGS = frozenset({"amx_int8", "amx_tile", "amx_bf16", "amx_fp16", "amx_complex"})


def cpu_flags(cpuinfo: Path | None = None) -> frozenset[str]:
    """The CPU's feature flags (`flags` on x86 Linux, `Features` on ARM); empty where unknown."""
    path = cpuinfo or CPUINFO
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def cpu_has_amx(flags: frozenset[str] | None = None) -> bool:
    return bool((cpu_flags() if flags is None else flags) & AMX_FLAGS)


@dataclass(frozen=True)
class BuildInfo:
    """What `llama_print_system_info` says about the loaded llama.cpp library."""

    library: Path | None
    system_info: str
    features: dict[str, str]
    gpu_offload: bool

    @property
    def has_amx(self) -> bool:
        return any(k.startswith("AMX") and v == "1" for k, v in self.features.items())

    @property
    def backend(self) -> str:
        """A short name for the accelerator the build was compiled for."""
        info = self.system_info.upper()
        for name in ("CUDA", "METAL", "VULKAN", "HIP", "SYCL"):
            if name in info:
                return name.lower()
        return "cpu"


def _parse_features(text: str) -> dict[str, str]:
    return dict(re.findall(r"([A-Z][A-Z0-9_]+) = ([^|\s]+)", text))


@functools.cache
def build_info() -> BuildInfo:
    """Facts about the llama.cpp library llama-cpp-python loaded (imports it; loads no model)."""
    import llama_cpp

    lib = getattr(llama_cpp.llama_cpp, "_lib", None)
    name = getattr(lib, "_name", None)
    text = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    return BuildInfo(
        library=Path(name).resolve() if name else None,
        system_info=text.strip(),
        features=_parse_features(text),
        gpu_offload=bool(llama_cpp.llama_supports_gpu_offload()),
    )


def extra_bufts_safe(flags: frozenset[str] | None = None, build: BuildInfo | None = None) -> bool:
    """False where llama.cpp's extra buffer types could reach the AMX kernels."""
    if cpu_has_amx(flags):
        return False
    if build is None and platform.machine().lower() in ("x86_64", "amd64"):
        build = build_info()
    return not (build is not None and build.has_amx)


_lean = False


def load_models_lean(on: bool = True) -> None:
    """Load every later model of this process without the extra buffer types' repacked
    copy of the weights: what a profile build asks for.

    The repacked copy lives in anonymous memory beside the file's mapped pages: 597 MB
    for Qwen2.5-Coder-1.5B Q4_K_M (835 MB of anonymous memory with it, 238 MB without),
    where a build's bound is the model file plus 1.5 GB. A build mostly reads prompts,
    and prompt processing on that model was no slower without it (7.7 s against 8.8 s of
    CPU for 361 tokens, 2026-12-07); chat keeps them (decode is 5 % faster with them,
    `bench_chat.py --extra-bufts`)."""
    global _lean
    _lean = on


def model_param_overrides(flags: frozenset[str] | None = None, *,
                          lean: bool | None = None) -> dict[str, Any]:
    """The `llama_model_params` fields this project sets on every model it loads: the extra
    buffer types off where AMX could be reached, or where the process loads lean."""
    lean = _lean if lean is None else lean
    return {} if extra_bufts_safe(flags) and not lean else {"use_extra_bufts": False}


_original: Callable[[], Any] | None = None


def install_safe_model_defaults() -> None:
    """Make every later `llama_cpp.Llama(...)` in this process load with the safe parameters.

    The overrides are computed at each call (cheap: one small file read), so a
    test that fakes the CPU's flags sees them applied on the next load.
    """
    global _original
    import llama_cpp.llama_cpp as low

    if _original is not None:
        return
    original = low.llama_model_default_params

    def safe_default_params():
        params = original()
        for name, value in model_param_overrides().items():
            setattr(params, name, value)
        return params

    safe_default_params.__wrapped__ = original  # type: ignore[attr-defined]
    _original = original
    low.llama_model_default_params = safe_default_params
