"""Personalization quality on real authors: none, rag, stylevector, steerx, rag+steerx.

    .venv/bin/python benchmarks/eval_personalization.py [--rows 60] [--offset 0] [-- extra args]

A thin wrapper over `assistant eval` (the same code path the app uses to build
profiles), with the benchmark's defaults: ../shared/data/cogenesis/paper_dev.json,
rows 0-59, all five methods in one run, 256-token replies, seed 0, and the
generated texts written next to the table (JSON lines) for inspection.

Rows 120-160 of the same file and context_aware_dev.json were used for
development and tuning; the reported rows were not.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--methods", default="none,rag,stylevector,steerx,rag+steerx")
    ap.add_argument("--home", help="data folder for the eval caches (default: the app's)")
    ap.add_argument("--outputs", type=Path, default=REPO / "test-artifacts" / "eval_outputs.jsonl")
    args, extra = ap.parse_known_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.outputs.parent.mkdir(parents=True, exist_ok=True)
    from assistant.cli import main as cli

    home = ["--home", args.home] if args.home else []
    return cli([*home, "eval", "--data", str(args.data), "--methods", args.methods,
                "--offset", str(args.offset), "--limit", str(args.rows),
                "--outputs", str(args.outputs), "--json", *extra])


if __name__ == "__main__":
    sys.exit(main())
