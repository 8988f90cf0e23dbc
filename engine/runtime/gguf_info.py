"""Read and validate a GGUF file before llama.cpp sees it.

llama.cpp reports a bad file with a bare "failed to load model" (and a broken
file can even abort the process), so we check the header, the metadata and that
every tensor lies inside the file ourselves, and say exactly what is wrong.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from engine.errors import ModelFileError

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    architecture: str
    name: str
    n_layer: int
    n_embd: int
    n_head: int
    context_length: int
    chat_template: str | None
    size_bytes: int
    fingerprint: str
    quantization: str = ""  # from general.file_type, e.g. "Q4_K_M" ("" when not said)
    n_params: int = 0  # weights in the file (what a torch copy of the model holds)


def _field_value(reader, key: str):
    field = reader.fields.get(key)
    if field is None:
        return None
    try:
        return field.contents()
    except Exception:  # older gguf packages lack contents()
        part = field.parts[field.data[0]]
        if field.types and field.types[0].name == "STRING":
            return bytes(part).decode("utf-8", errors="replace")
        return part.tolist()[0] if len(part) == 1 else part.tolist()


def fingerprint(path: Path) -> str:
    """A cheap identity for a model file: size plus the first and last MiB.

    Hashing a multi-GB model fully would take seconds on every start; the header
    (all metadata and the tensor table) and the tail differ between any two real
    models, which is what we need to refuse a profile built for another model.
    """
    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(str(size).encode())
    with path.open("rb") as fh:
        h.update(fh.read(1 << 20))
        if size > (2 << 20):
            fh.seek(-(1 << 20), 2)
            h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


def read_gguf_info(path: str | Path) -> GGUFInfo:
    """Validate `path` as a complete GGUF model and return its key facts.

    The gguf package parses every metadata field, the tokenizer's 49k-262k strings
    included: 2.5 s for the default model, paid by llama.cpp's load, torch's load and
    the model list alike. So a file's facts are kept for the process, keyed by its
    size and modification time: a file changed on disk (replaced, truncated) is read
    and checked again.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(f"Model file not found: {p}")
    if not p.is_file():
        raise ModelFileError(f"Model path is not a file: {p}")
    st = p.stat()
    info = _read_checked(str(p.resolve()), st.st_size, st.st_mtime_ns)
    return info if info.path == p else replace(info, path=p)


@functools.lru_cache(maxsize=32)
def _read_checked(resolved: str, size: int, _mtime_ns: int) -> GGUFInfo:
    """`read_gguf_info`'s work, once per (file, size, mtime); a refusal is not kept."""
    p = Path(resolved)
    with p.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelFileError(f"{p.name} is not a GGUF model file (wrong header).")

    from gguf import GGUFReader  # lazy: only needed when a model is opened

    # The reader's own exceptions speak numpy ("index 0 is out of bounds"); the
    # user gets plain words and the detail goes to the log for a bug report.
    damaged = (f"{p.name} is truncated or damaged: its header does not describe a whole "
               "model. Download it again.")
    try:
        reader = GGUFReader(str(p), "r")
    except Exception as exc:
        log.info("GGUF reader refused %s: %s: %s", p.name, type(exc).__name__, exc)
        raise ModelFileError(damaged) from exc
    try:
        end = max((int(t.data_offset) + int(t.n_bytes) for t in reader.tensors), default=0)
    except Exception as exc:
        log.info("GGUF tensors of %s unreadable: %s: %s", p.name, type(exc).__name__, exc)
        raise ModelFileError(damaged) from exc
    if end > size or not reader.tensors:
        raise ModelFileError(
            f"{p.name} is truncated: its tensors need {end} bytes but the file has {size}."
        )
    arch = _field_value(reader, "general.architecture")
    if not isinstance(arch, str):
        raise ModelFileError(f"{p.name} has no general.architecture; not a model file.")
    if arch == "controlvector":
        raise ModelFileError(f"{p.name} is a control vector, not a model.")

    def num(key: str, default: int = 0) -> int:
        v = _field_value(reader, f"{arch}.{key}")
        return int(v) if isinstance(v, int | float) else default

    template = _field_value(reader, "tokenizer.chat_template")
    file_type = _field_value(reader, "general.file_type")
    name = _field_value(reader, "general.name")
    return GGUFInfo(
        path=p,
        architecture=arch,
        name=name if isinstance(name, str) else p.stem,
        n_layer=num("block_count"),
        n_embd=num("embedding_length"),
        n_head=num("attention.head_count"),
        context_length=num("context_length", 2048),
        chat_template=template if isinstance(template, str) else None,
        size_bytes=size,
        fingerprint=fingerprint(p),
        n_params=sum(int(t.n_elements) for t in reader.tensors),
        quantization=quantization_name(file_type),
    )


def quantization_name(file_type: object) -> str:
    """llama.cpp's file type number as the name users know ("Q4_K_M"), via the gguf package."""
    import gguf

    if not isinstance(file_type, int):
        return ""
    try:
        return gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"type {file_type}"
