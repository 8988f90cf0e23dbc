"""Personalization quality on real authors, with the controls that make it mean something.

    .venv/bin/python benchmarks/eval_personalization.py [--rows 50] [--offset 0] [-- extra args]

A thin wrapper over `assistant eval` (the same code path the app uses to build
profiles), with the benchmark's defaults: ../shared/data/cogenesis/paper_dev.json,
rows 0-49, the methods in one run, 256-token replies, seed 0, the other-user
control, and the report (outputs.jsonl, report.md, scores.png) in
test-artifacts/eval/. The `--json` line carries, per method, `raw` and `matched`
scores, `words`, `ci` intervals, the `other`-user gap and `attribution`.

The applied strength's factor was tuned on rows 120-160 of paper_dev.json, and
the reported rows 0-49 were not used to choose anything. context_aware_dev.json
(`--data`) had no quality setting chosen on it as far as the commit history
records; its first rows are the history bench_profile.py times and the rows
tests/test_eval.py checks the loader on, so they were seen in development.
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
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--methods", default="none,rag,stylevector,steerx,rag+steerx,fints,dps")
    ap.add_argument("--home", help="data folder for the eval caches (default: the app's)")
    ap.add_argument("--controls", default="other-user")
    ap.add_argument("--report", type=Path, default=REPO / "test-artifacts" / "eval")
    args, extra = ap.parse_known_args()
    if extra[:1] == ["--"]:  # `-- --seeds 2`: everything after -- goes to assistant eval
        extra = extra[1:]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.cli import main as cli

    home = ["--home", args.home] if args.home else []
    return cli([*home, "eval", "--data", str(args.data), "--methods", args.methods,
                "--offset", str(args.offset), "--limit", str(args.rows),
                "--controls", args.controls, "--report", str(args.report), "--json", *extra])


if __name__ == "__main__":
    sys.exit(main())
