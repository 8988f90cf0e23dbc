"""Everything a bug report needs, gathered without loading a model into this process.

`assistant doctor` prints it; the facts come from the modules that own them
(the llama.cpp build from `engine.runtime.native`, the verdict from
`engine.runtime.native_guard`, the keyring from `assistant.secrets`), so the
report says what the app itself would decide.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.paths import cache_dir, data_dir, logs_dir, machine_cache_dir

INTERESTING_FLAGS = (
    "avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni",
    "amx_tile", "amx_int8", "amx_bf16", "amx_fp16", "neon", "asimd", "sve",
)


def _cpu() -> dict[str, Any]:
    from engine.runtime.native import AMX_FLAGS, cpu_flags

    flags = cpu_flags()
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "model": model,
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "flags": [f for f in INTERESTING_FLAGS if f in flags],
        "amx": bool(flags & AMX_FLAGS),
    }


def _llama(machine_cache: Path, probe: bool) -> dict[str, Any]:
    try:
        from engine.runtime.native import build_info, model_param_overrides
        from engine.runtime.native_guard import (
            NativeBuildCrash,
            cached_verdict,
            check_native_build,
        )
    except ImportError as exc:
        return {"error": f"llama-cpp-python is not installed ({exc})"}
    import llama_cpp

    info = build_info()
    out: dict[str, Any] = {
        "version": getattr(llama_cpp, "__version__", "?"),
        "library": str(info.library),
        "backend": info.backend,
        "gpu_offload": info.gpu_offload,
        "features": sorted(k for k, v in info.features.items() if v == "1"),
        "extra_buffer_types": "off (AMX)" if model_param_overrides() else "on",
    }
    verdict = cached_verdict(machine_cache)
    if verdict is None and probe:
        from assistant.errors import UserError
        from assistant.local_models.choice import embedded_model_path

        try:
            verdict = check_native_build(embedded_model_path(), machine_cache)
        except UserError as exc:
            out["guard"] = f"not checked: {exc}"
            return out
        except NativeBuildCrash as exc:
            out["guard"] = f"crashes: {exc}"
            return out
    if verdict is None:
        out["guard"] = "not checked yet"
    elif verdict.ok is None:
        out["guard"] = f"inconclusive ({verdict.detail})"
    else:
        out["guard"] = "decodes" if verdict.ok else f"crashes ({verdict.detail})"
    return out


def _torch(device_setting: str) -> dict[str, Any]:
    try:
        import torch
    except ImportError:
        return {"error": "torch is not installed"}
    from engine.errors import EngineError
    from engine.runtime.torch_device import describe_devices, pick_device

    try:
        device = pick_device(device_setting)
    except EngineError as exc:
        device = f"error: {exc}"
    return {
        "version": torch.__version__,
        "setting": device_setting,
        "device": device,
        "devices": describe_devices(),
        "threads": torch.get_num_threads(),
    }


def _keyring() -> dict[str, Any]:
    import keyring

    from assistant.secrets import _backend_usable

    try:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
    except Exception as exc:
        name = f"error: {exc}"
    return {"backend": name, "usable": _backend_usable()}


def _display() -> dict[str, Any]:
    from assistant.desktop_check import missing_libraries, uses_xcb, window_problem

    out: dict[str, Any] = {
        "platform": os.environ.get("QT_QPA_PLATFORM")
        or ("wayland" if os.environ.get("WAYLAND_DISPLAY") else "x11" if os.environ.get("DISPLAY")
            else "none"),
        "xcb_missing": missing_libraries() if sys.platform.startswith("linux") else [],
    }
    if uses_xcb():
        out["problem"] = window_problem()
    return out


def _database(root: Path) -> dict[str, Any]:
    """Whether the data folder's database is readable, of a known revision, and its rows
    (read-only: the doctor never changes the file it examines)."""
    from store.repair import damaged_copies, diagnose

    found = diagnose(root).as_dict()
    if found["exists"] and not found["ok"]:
        found["advice"] = ("'assistant repair' saves what can still be read into a fresh "
                           "database; 'assistant reset --all --yes' starts again with nothing")
    found["damaged_copies"] = [str(p) for p in damaged_copies(root)]
    return found


def collect(home: str | os.PathLike[str] | None = None, *, probe: bool = True) -> dict[str, Any]:
    """The report as a dict (what `--json` prints)."""
    from engine.eval.metrics import wordnet_available

    root = data_dir(home)
    device = "auto"
    database = _database(root)
    if database["exists"] and database["ok"]:
        from assistant.settings import load_settings
        from store import Database, StoreError

        try:
            opened = Database(root)
        except StoreError as exc:  # healthy to SQLite, but not to the app
            database.update(ok=False, problem=f"cannot be used by the app: {exc}",
                            advice="see above")
        else:
            try:
                device = load_settings(opened).device
            finally:
                opened.close()
    machine_cache = machine_cache_dir()
    return {
        "app": __version__,
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "cpu": _cpu(),
        "llama_cpp": _llama(machine_cache, probe),
        "torch": _torch(device),
        "keyring": _keyring(),
        "wordnet": wordnet_available(),
        "display": _display(),
        "database": database,
        "folders": {
            "data": str(root),
            "logs": str(logs_dir(root)),
            "cache": str(cache_dir(root)),
            "machine_cache": str(machine_cache),
        },
    }


def _render_database(db: dict[str, Any]) -> str:
    if not db["exists"]:
        head = f"database: none yet ({db['path']})"
    elif db["ok"]:
        rows = ", ".join(f"{t} {n}" for t, n in db["tables"].items() if t != "alembic_version")
        head = f"database: ok, revision {db['revision']} ({rows})"
    else:
        head = f"database: PROBLEM: {db['path']} {db['problem']}\n  what to do: {db['advice']}"
    if db["damaged_copies"]:
        head += "\n  kept aside by repair: " + " ".join(db["damaged_copies"])
    return head


def render(report: dict[str, Any]) -> str:
    """One screen of `key: value` lines, grouped."""
    lines = [f"Voice Assistant {report['app']} on Python {report['python']}, {report['os']}"]
    lines.append(_render_database(report["database"]))
    for section in ("cpu", "llama_cpp", "torch", "keyring", "display", "folders"):
        lines.append(f"{section}:")
        for key, value in report[section].items():
            if isinstance(value, list):
                value = " ".join(map(str, value)) or "-"
            lines.append(f"  {key}: {value}")
    wordnet = "found" if report["wordnet"] else "missing (METEOR without synonyms)"
    lines.append(f"wordnet: {wordnet}")
    return "\n".join(lines)
