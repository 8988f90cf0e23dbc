"""Catch a llama.cpp build that crashes on this CPU before it takes the app down.

A native crash (a segfault in a CPU kernel) cannot be caught in-process: the
window would simply vanish. So the first time a llama.cpp library meets a CPU
(keyed by the library file, its size and time, the CPU's flags and the model
parameters we load with), a child process decodes a few tokens
(`engine.runtime.native_probe`). If the child dies by a signal the user gets one
clear sentence with the remedy; the verdict is kept in a small JSON file so
later starts cost nothing.

Only a death by a signal is a verdict on the build. A child that exits with an
error (a damaged model file, say) or runs out of time proves nothing about the
build, so nothing is recorded and the normal load reports its own error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import EngineError
from engine.runtime.native import build_info, cpu_flags, model_param_overrides

log = logging.getLogger(__name__)

VERDICTS_FILE = "native-build-checks.json"
PROBE_TIMEOUT_S = 180.0
REBUILD_COMMAND = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/pip install --force-reinstall '
    "--no-cache-dir llama-cpp-python==0.3.36"
)
# Windows reports an access violation or illegal instruction as an NTSTATUS exit code.
_WINDOWS_CRASH_CODES = {0xC0000005: "access violation", 0xC000001D: "illegal instruction"}


class NativeBuildCrash(EngineError):
    """The installed llama.cpp build dies on this CPU; the message names the remedy."""


@dataclass(frozen=True)
class Verdict:
    ok: bool | None  # None: the probe proved nothing (it failed otherwise or timed out)
    detail: str
    key: str
    cached: bool = False


def build_key() -> str:
    """Identity of (this llama.cpp library, this CPU, our load parameters)."""
    info = build_info()
    h = hashlib.sha256()
    if info.library is not None and info.library.exists():
        # libllama and its ggml libraries (the CPU kernels live in libggml-cpu) lie together.
        for lib in sorted(info.library.parent.iterdir()):
            if lib.suffix in (".so", ".dylib", ".dll") or ".so." in lib.name:
                st = lib.stat()
                h.update(f"{lib}|{st.st_size}|{st.st_mtime_ns}".encode())
    h.update(info.system_info.encode())
    h.update(" ".join(sorted(cpu_flags())).encode())
    # the safety part only: the probe child checks the parameters that can crash
    h.update(json.dumps(model_param_overrides(lean=False), sort_keys=True).encode())
    return h.hexdigest()[:24]


def probe_command(model_path: Path) -> list[str]:
    """The child that decodes a few tokens with the app's parameters."""
    return [sys.executable, "-m", "engine.runtime.native_probe", str(model_path)]


def _signal_name(returncode: int) -> str | None:
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    if sys.platform == "win32":
        return _WINDOWS_CRASH_CODES.get(returncode & 0xFFFFFFFF)
    return None


def crash_message(detail: str) -> str:
    return (
        f"llama.cpp crashed ({detail}) on its first token on this CPU, so the model cannot run "
        f"with this build. Rebuild it without CPU-specific kernels: {REBUILD_COMMAND}"
    )


def _load(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, verdicts: dict[str, dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".verdicts-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(verdicts, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cached_verdict(cache_dir: Path) -> Verdict | None:
    """The kept verdict for this build and CPU, if there is one (no child is started)."""
    key = build_key()
    entry = _load(cache_dir / VERDICTS_FILE).get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("ok"), bool):
        return None
    return Verdict(entry["ok"], str(entry.get("detail", "")), key, cached=True)


def check_native_build(
    model_path: Path,
    cache_dir: Path,
    *,
    command: Sequence[str] | None = None,
    timeout: float = PROBE_TIMEOUT_S,
) -> Verdict:
    """Probe the build once per (library, CPU); raise `NativeBuildCrash` if it dies by a signal."""
    kept = cached_verdict(cache_dir)
    if kept is not None:
        if kept.ok is False:
            raise NativeBuildCrash(crash_message(kept.detail))
        return kept
    key = build_key()
    argv = list(command) if command is not None else probe_command(model_path)
    t0 = time.perf_counter()
    log.info("checking the llama.cpp build on this CPU (once): %s", " ".join(argv))
    env = dict(os.environ, PYTHONFAULTHANDLER="0")
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        log.warning("the llama.cpp build check ran past %.0f s; not recorded", timeout)
        return Verdict(None, "timed out", key)
    except OSError as exc:
        log.warning("the llama.cpp build check could not start: %s", exc)
        return Verdict(None, f"could not start: {exc}", key)
    seconds = time.perf_counter() - t0
    crash = _signal_name(proc.returncode)
    if crash is None and proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        log.warning("the llama.cpp build check failed (exit %s): %s", proc.returncode, tail[0])
        return Verdict(None, f"exit {proc.returncode}", key)
    ok = crash is None
    detail = "decoded" if ok else crash
    verdicts = _load(cache_dir / VERDICTS_FILE)
    verdicts[key] = {
        "ok": ok,
        "detail": detail,
        "library": str(build_info().library),
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "seconds": round(seconds, 2),
    }
    try:
        _save(cache_dir / VERDICTS_FILE, verdicts)
    except OSError as exc:  # the verdict still holds for this run
        log.warning("could not keep the llama.cpp build verdict: %s", exc)
    log.info("llama.cpp build check: %s in %.1f s", detail, seconds)
    if not ok:
        raise NativeBuildCrash(crash_message(detail))
    return Verdict(True, detail, key)
