"""A model's weights for the torch runtime: read from a GGUF (dequantized) or a Hugging
Face folder, with the identity a steering vector is checked against, and kept in an on-disk
weights cache so the next process does not dequantize the GGUF again.

`read_model` returns the model on the CPU; `engine.runtime.torch_runtime` moves it to its
device and wraps it. transformers and torch are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ModelFileError
from engine.runtime.gguf_info import GGUFInfo, fingerprint, read_gguf_info

if TYPE_CHECKING:  # pragma: no cover
    import torch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelIdentity:
    """What a steering vector must match: the same fields as `GGUFInfo`."""

    path: Path
    architecture: str
    name: str
    n_layer: int
    n_embd: int
    n_head: int
    fingerprint: str

    @classmethod
    def from_gguf(cls, info: GGUFInfo) -> ModelIdentity:
        return cls(
            info.path, info.architecture, info.name, info.n_layer, info.n_embd, info.n_head,
            info.fingerprint,
        )


@contextlib.contextmanager
def _shared_gguf_reader() -> Iterator[None]:
    """Parse the GGUF once per load instead of four times.

    transformers opens the file separately for the config, the weights and the
    tokenizer, and rebuilds gguf's tensor-name map once per module (~400
    times); for SmolLM2 that is most of a 15-25 s load on 2 cores. Inside this
    block `gguf.GGUFReader` returns one reader per path (read-only, memory
    mapped) and the name map is memoised. Both are restored on exit.
    """
    import gguf

    orig_reader = gguf.GGUFReader
    orig_map = getattr(gguf, "get_tensor_name_map", None)
    readers: dict[tuple[str, str], Any] = {}

    def reader(path, mode: str = "r", *args, **kwargs):
        if mode != "r" or args or kwargs:
            return orig_reader(path, mode, *args, **kwargs)
        key = (str(Path(path).resolve()), mode)
        if key not in readers:
            readers[key] = orig_reader(path, mode)
        return readers[key]

    gguf.GGUFReader = reader
    if orig_map is not None:
        gguf.get_tensor_name_map = functools.lru_cache(maxsize=None)(orig_map)
    try:
        yield
    finally:
        gguf.GGUFReader = orig_reader
        if orig_map is not None:
            gguf.get_tensor_name_map = orig_map
        readers.clear()


def _folder_identity(folder: Path, config: Any) -> ModelIdentity:
    """A Hugging Face folder's identity: its config plus each weight file's cheap fingerprint."""
    h = hashlib.sha256()
    cfg = folder / "config.json"
    if cfg.exists():
        h.update(cfg.read_bytes())
    weights = sorted(p for p in folder.iterdir() if p.suffix in {".safetensors", ".bin", ".pt"})
    for p in weights:
        h.update(p.name.encode())
        h.update(fingerprint(p).encode())
    n_embd = int(getattr(config, "hidden_size", 0) or getattr(config, "n_embd", 0))
    return ModelIdentity(
        path=folder,
        architecture=str(getattr(config, "model_type", "unknown")),
        name=folder.name,
        n_layer=int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layer", 0)),
        n_embd=n_embd,
        n_head=int(getattr(config, "num_attention_heads", 0) or getattr(config, "n_head", 0)),
        fingerprint=h.hexdigest()[:16],
    )


# A GGUF's dequantized weights are kept on disk (the weights cache) only up to this size:
# 540 MB for the default model in float32; a 7B model's 28 GB would not be welcome.
MAX_CACHED_WEIGHTS_BYTES = 2 << 30
KEEP_CACHED_MODELS = 2  # the weights of this many models are kept; older ones are removed


def _cached_folder(weights_cache: Path, info: GGUFInfo, dtype: torch.dtype) -> Path:
    return weights_cache / f"{info.fingerprint}-{str(dtype).removeprefix('torch.')}"


def _load_cached(folder: Path, dtype: torch.dtype) -> tuple[Any, Any] | None:
    """The model and tokenizer saved in `folder` by `_save_cached`, or None (absent, or
    unreadable: then removed, and the GGUF is read again)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (folder / "config.json").exists():
        return None
    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except Exception as exc:  # any damage (safetensors has its own error type): the GGUF
        log.warning("cached torch weights in %s are unreadable (%s); reading the GGUF again",
                    folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    os.utime(folder)  # most recently used: kept when older models' weights are removed
    return model, tokenizer


def _save_cached(folder: Path, model: Any, tokenizer: Any) -> None:
    """Keep the dequantized weights for the next load (0.4 s instead of 10-15 s for the
    default model on 2 cores): written to a temporary folder and renamed, so a crash
    leaves no half-written cache. A failure costs only the speed-up."""
    from safetensors.torch import save_model

    size = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    if size > MAX_CACHED_WEIGHTS_BYTES:
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(folder.parent).free < 4 * size:
        log.info("not caching torch weights: little free disk space in %s", folder.parent)
        return
    # The weights as plain tensors and the config without the GGUF origin (transformers'
    # save_pretrained refuses a model loaded from GGUF), as a Hugging Face folder.
    cfg = model.config.to_dict()
    cfg.pop("quantization_config", None)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder.parent))
    try:
        save_model(model, str(tmp / "model.safetensors"))
        (tmp / "config.json").write_text(json.dumps(cfg, default=str), encoding="utf-8")
        tokenizer.save_pretrained(str(tmp))
        tmp.rename(folder)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("could not cache torch weights in %s: %s", folder, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    _prune_cache(folder.parent)


def _prune_cache(weights_cache: Path) -> None:
    """Keep the most recently used models' weights; drop the rest, and what a crashed
    save left behind (a `.partial-` folder over an hour old)."""
    now = time.time()
    models = []
    for d in weights_cache.iterdir():
        if not d.is_dir():
            continue
        if d.name.startswith(".partial-"):
            if now - d.stat().st_mtime > 3600:
                shutil.rmtree(d, ignore_errors=True)
        else:
            models.append(d)
    models.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for old in models[KEEP_CACHED_MODELS:]:
        shutil.rmtree(old, ignore_errors=True)


def read_model(path: Path, dtype: torch.dtype,
               weights_cache: Path | None = None) -> tuple[Any, Any, ModelIdentity, str]:
    """(model, tokenizer, identity, where it came from) for a GGUF file or a Hugging Face
    folder, on the CPU. A GGUF's dequantized weights come from `weights_cache` when they
    are there, and are kept there otherwise."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = "file"
    try:
        if path.is_dir():
            if not (path / "config.json").exists():
                raise ModelFileError(f"{path} is a folder without config.json; not a model.")
            model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
            tokenizer = AutoTokenizer.from_pretrained(str(path))
            identity = _folder_identity(path, model.config)
        else:
            info = read_gguf_info(path)  # validates the file before transformers sees it
            identity = ModelIdentity.from_gguf(info)
            folder = _cached_folder(weights_cache, info, dtype) if weights_cache else None
            cached = _load_cached(folder, dtype) if folder is not None else None
            if cached is not None:
                model, tokenizer = cached
                source = "weights cache"
            else:
                with _shared_gguf_reader():
                    kw = {"gguf_file": path.name}
                    model = AutoModelForCausalLM.from_pretrained(str(path.parent), dtype=dtype,
                                                                 **kw)
                    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), **kw)
                if folder is not None:
                    _save_cached(folder, model, tokenizer)
    except ModelFileError:
        raise
    except (ValueError, KeyError, OSError, RuntimeError, NotImplementedError) as exc:
        raise ModelFileError(f"torch could not load {path.name}: {exc}") from exc
    return model, tokenizer, identity, source
