"""The GGUF models already on this computer: ours, and those other apps downloaded.

Users of LM Studio, GPT4All, Jan or the Hugging Face tools already have models;
the app lists them where they are and uses a file in place (no copy). Each folder
is searched a few levels deep with a cap on files, so a huge cache cannot make the
list slow; partial downloads, the later parts of split models and vision
projectors (`mmproj`) are left out. Describing a file means reading its GGUF
header, which takes seconds for a large vocabulary, so descriptions are cached in
the machine cache, keyed by path, size and modification time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.local_models.choice import embedded_model_path

log = logging.getLogger(__name__)

MAX_DEPTH = 5  # LM Studio: models/<publisher>/<repo>/<file>; HF: hub/models--x/snapshots/<sha>/
MAX_FILES = 500
CACHE_FILE = "model-library.json"
_SPLIT_PART = re.compile(r"-(\d+)-of-\d+\.gguf$", re.I)


def _later_split_part(name: str) -> bool:
    """model-00002-of-00003.gguf: llama.cpp loads the parts from the first one."""
    m = _SPLIT_PART.search(name)
    return m is not None and int(m.group(1)) > 1


@dataclass(frozen=True)
class FoundModel:
    path: Path
    source: str  # embedded | setting | app folder | LM Studio | GPT4All | Jan | Hugging Face


def model_folders(home: Path) -> list[tuple[str, Path]]:
    """Where each app keeps its models on this platform (those that exist)."""
    h = Path.home()
    if sys.platform == "darwin":
        support = h / "Library" / "Application Support"
        data = [support]
    elif os.name == "nt":
        data = [Path(os.environ.get("LOCALAPPDATA", h / "AppData" / "Local")),
                Path(os.environ.get("APPDATA", h / "AppData" / "Roaming"))]
    else:
        data = [Path(os.environ.get("XDG_DATA_HOME", h / ".local" / "share")),
                Path(os.environ.get("XDG_CONFIG_HOME", h / ".config"))]
    hf = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get(
        "HF_HOME", h / ".cache" / "huggingface")) / "hub")
    candidates = [
        ("app folder", home / "models"),
        ("LM Studio", h / ".lmstudio" / "models"),
        ("LM Studio", h / ".cache" / "lm-studio" / "models"),
        *[("GPT4All", d / "nomic.ai" / "GPT4All") for d in data],
        ("Jan", h / "jan" / "models"),
        *[("Jan", d / "Jan" / "data" / "models") for d in data],
        ("Hugging Face", hf),
    ]
    seen: set[Path] = set()
    out = []
    for source, folder in candidates:
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.resolve() not in seen:
                seen.add(folder.resolve())
                out.append((source, folder))
    return out


def _ggufs(folder: Path) -> list[Path]:
    found: list[Path] = []
    base = len(folder.parts)
    for root, dirs, files in os.walk(folder, followlinks=False):
        depth = len(Path(root).parts) - base
        if depth >= MAX_DEPTH:
            dirs[:] = []
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "blobs"]
        for f in sorted(files):
            low = f.lower()
            if (not low.endswith(".gguf") or "mmproj" in low or low.startswith(".")
                    or _later_split_part(low)):
                continue
            found.append(Path(root) / f)
            if len(found) >= MAX_FILES:
                return found
    return found


def find_models(home: Path, saved: str | None) -> list[FoundModel]:
    """Every model the user can pick, the embedded and saved ones first, each path once."""
    found: list[FoundModel] = []
    with contextlib.suppress(UserError):
        found.append(FoundModel(embedded_model_path(), "embedded"))
    if saved:
        found.append(FoundModel(Path(saved).expanduser(), "setting"))
    for source, folder in model_folders(home):
        found.extend(FoundModel(p, source) for p in _ggufs(folder))
    seen: set[Path] = set()
    unique = []
    for m in found:
        try:
            key = m.path.resolve()
        except OSError:
            continue
        if key not in seen:
            seen.add(key)
            unique.append(m)
    return unique


def describe(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """Name, architecture, size, quantization, context and chat template of one file.

    {"ok": False, "error": ...} for a file that is not a usable model.
    """
    from engine.errors import ModelFileError
    from engine.runtime.gguf_info import read_gguf_info

    try:
        st = path.stat()
    except OSError as exc:
        return {"ok": False, "error": f"{path.name}: {exc.strerror}"}
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    cache = _load_cache(cache_dir)
    if key in cache:
        return cache[key]
    try:
        info = read_gguf_info(path)
        d = {"ok": True, "name": info.name, "architecture": info.architecture,
             "layers": info.n_layer, "n_embd": info.n_embd, "context": info.context_length,
             "size_mb": round(info.size_bytes / 1e6, 1), "quantization": info.quantization,
             "chat_template": info.chat_template is not None}
    except ModelFileError as exc:
        d = {"ok": False, "error": str(exc)}
    cache[key] = d
    _save_cache(cache_dir, cache)
    return d


def library(home: Path, saved: str | None, cache_dir: Path | None = None) -> list[dict]:
    """find_models + describe: what `assistant models list` and the settings window show."""
    out = []
    for m in find_models(home, saved):
        d = describe(m.path, cache_dir)
        if d.get("ok") and d.get("architecture") == "clip":  # a vision projector, not a model
            continue
        out.append({**asdict(m), "path": str(m.path), **d})
    return out


def _load_cache(cache_dir: Path | None) -> dict[str, dict]:
    if cache_dir is None:
        return {}
    try:
        data = json.loads((cache_dir / CACHE_FILE).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(cache_dir: Path | None, cache: dict[str, dict]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".{CACHE_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(cache), "utf-8")
        os.replace(tmp, cache_dir / CACHE_FILE)
    except OSError as exc:  # a cache that cannot be written only costs time
        log.info("model library cache not written: %s", exc.strerror)
