"""Fints: per-request overhead, llama.cpp decode cost, and (optionally) the evaluation.

Prints a readable report and, with --json, one JSON object as the last line:
  choose_ms_p50/p95  retrieval + aggregation + control buffer for one request over a
                     bank of --items synthetic items (goal < 20 ms): what Fints adds
                     per request besides embedding the request
  embed_ms_p50       embedding one request with all-MiniLM-L6-v2 on the CPU (reported
                     apart: it is the same cost RAG pays)
  decode_ratio       llama.cpp decode tokens/s with the Fints control vector over without,
                     same tokens, rounds alternating (goal >= 0.95)
With --eval-rows N it also runs `assistant eval --methods none,rag,steerx,fints,steerx+fints`
on N rows of the CoGenesis paper dev set (slow: minutes per row on 2 cores).

    python benchmarks/bench_fints.py [--items 1000] [--rounds 5] [--eval-rows 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads: see bench_steering

PROMPT = (
    "<|im_start|>user\nWrite a short note to a friend about the weekend.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
EVAL_DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"


def synthetic_bank(n: int, n_embd: int, layers: list[int]):
    """Random unit embeddings and vectors of a realistic size: timing does not depend on
    what the numbers are, only on their shapes."""
    import numpy as np

    from engine.methods.fints import FintsBank

    rng = np.random.default_rng(0)
    emb = rng.standard_normal((n, 384)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    shape = (n, len(layers), n_embd)
    return FintsBank(layers, [str(i) for i in range(n)], emb,
                     rng.standard_normal(shape).astype(np.float32) * 0.3,
                     rng.standard_normal(shape).astype(np.float32) * 0.3,
                     [f"item {i}" for i in range(n)])


def bench_overhead(bank, n_layer: int, reps: int = 300) -> dict:
    import numpy as np

    rng = np.random.default_rng(1)
    qs = rng.standard_normal((reps, 384)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    times = []
    for q in qs:
        t0 = time.perf_counter()
        bank.choose(q).steering(n_layer).control_buffer(n_layer)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"choose_ms_p50": round(statistics.median(times), 3),
            "choose_ms_p95": round(times[int(0.95 * len(times))], 3)}


def bench_embed(reps: int = 20) -> dict:
    from engine.methods.fints import embed_texts

    embed_texts(["warm up"])
    times = []
    for i in range(reps):
        t0 = time.perf_counter()
        embed_texts([f"Write an email to my team about meeting number {i}."])
        times.append((time.perf_counter() - t0) * 1000)
    return {"embed_ms_p50": round(statistics.median(times), 2)}


def decode_tps(llama_rt, prompt_ids: list[int], tokens: list[int]) -> float:
    llm = llama_rt.llm
    llm.reset()
    llm.eval(prompt_ids)
    t0 = time.perf_counter()
    for tok in tokens:
        llm.eval([tok])
    return len(tokens) / (time.perf_counter() - t0)


def bench_decode(llama_rt, bank, rounds: int, n_tokens: int) -> dict:
    """Plain vs Fints-steered decode over the same greedy tokens, rounds alternating."""
    import numpy as np

    ids = llama_rt.tokenize(PROMPT)
    logits = llama_rt.eval_prompt(ids)
    tokens: list[int] = []
    for _ in range(n_tokens):
        tokens.append(int(np.argmax(logits)))
        llama_rt.llm.eval([tokens[-1]])
        logits = llama_rt.last_logits()
    steering = bank.choose(bank.emb[0]).steering(llama_rt.info.n_layer)
    plain, steered = [], []
    for _ in range(rounds):
        plain.append(decode_tps(llama_rt, ids, tokens))
        with llama_rt.steered(steering):
            steered.append(decode_tps(llama_rt, ids, tokens))
    p, s = statistics.median(plain), statistics.median(steered)
    return {"decode_tps": round(p, 1), "fints_decode_tps": round(s, 1),
            "decode_ratio": round(s / p, 3)}


def run_eval(rows: int, max_tokens: int) -> dict:
    cmd = [sys.executable, "-m", "assistant", "eval", "--data", str(EVAL_DATA),
           "--methods", "none,rag,steerx,fints,steerx+fints", "--limit", str(rows),
           "--max-tokens", str(max_tokens), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        return {"eval_error": proc.stderr[-2000:]}
    print(proc.stdout)
    return {"eval": json.loads(proc.stdout.strip().splitlines()[-1])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="GGUF file (default: the embedded model)")
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--eval-rows", type=int, default=0)
    ap.add_argument("--eval-max-tokens", type=int, default=128)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from assistant.local_models.choice import embedded_model_path
    from engine.methods.fints import default_layers
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(Path(args.model) if args.model else embedded_model_path(), n_ctx=2048)
    info = rt.info
    bank = synthetic_bank(args.items, info.n_embd, default_layers(info.n_layer))
    out = {"model": rt.model_name, "items": args.items, "layers": bank.layers}
    out.update(bench_overhead(bank, info.n_layer))
    out.update(bench_embed())
    out.update(bench_decode(rt, bank, args.rounds, args.tokens))
    rt.close()
    if args.eval_rows:
        out.update(run_eval(args.eval_rows, args.eval_max_tokens))
    for k, v in out.items():
        if k != "eval":
            print(f"{k:>18}: {v}")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
