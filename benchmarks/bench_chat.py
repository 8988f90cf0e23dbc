"""Chat speed: `assistant chat` against raw llama-cpp-python, same prompt and settings.

Prints, in one run: decode tokens/s of the app and of raw llama-cpp-python, their
ratio (goal >= 0.95), the app's time to first token (inside the process, from
the start of generation), and its wall time to first byte from process launch.
Rounds alternate app/raw so that machine noise hits both alike; medians are reported.

    python benchmarks/bench_chat.py [--rounds 5] [--max-tokens 128] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def raw_llama(model: Path, prompt_text: str, max_tokens: int, seed: int, threads: int) -> dict:
    """The baseline: plain llama-cpp-python, no app code in the loop."""
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=str(model), n_ctx=4096, n_threads=threads, seed=seed, verbose=False
    )
    t0 = time.perf_counter()
    first = None
    n = 0
    for chunk in llm.create_completion(
        prompt=prompt_text,
        max_tokens=max_tokens,
        temperature=0.7,
        top_k=40,
        top_p=0.95,
        min_p=0.05,
        repeat_penalty=1.1,
        stream=True,
    ):
        if not chunk["choices"][0]["text"]:
            continue  # the closing chunk carries only the finish reason
        if first is None:
            first = time.perf_counter() - t0
        n += 1
    secs = time.perf_counter() - t0
    llm.close()
    return {"tokens": n, "seconds": secs, "tokens_per_s": n / secs, "first_token_s": first}


def app_chat(home: str, max_tokens: int, seed: int) -> dict:
    env = dict(os.environ, ASSISTANT_HOME=home, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "chat",
            "--json",
            "--max-tokens",
            str(max_tokens),
            "--seed",
            str(seed),
            PROMPT,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    proc.stdout.read(1)
    first_byte = time.perf_counter() - t0
    out = proc.stdout.read().decode()
    proc.wait()
    if proc.returncode != 0:
        raise SystemExit(f"assistant chat failed: {proc.stderr.read().decode()}")
    j = json.loads(out.strip().splitlines()[-1])
    j["wall_first_byte_s"] = first_byte
    return j


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from assistant.models import embedded_model_path
    from engine.runtime.llamacpp import LlamaRuntime, default_threads

    model = embedded_model_path()
    rt = LlamaRuntime(model)  # only to render the same chat prompt the app sends
    prompt = rt.fit_chat(
        [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": PROMPT},
        ],
        args.max_tokens,
    ).text
    rt.close()

    apps, raws = [], []
    with tempfile.TemporaryDirectory() as home:
        for i in range(args.rounds):
            seed = 100 + i
            apps.append(app_chat(home, args.max_tokens, seed))
            raws.append(raw_llama(model, prompt, args.max_tokens, seed, default_threads()))

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    result = {
        "app_tokens_per_s": round(med(apps, "tokens_per_s"), 2),
        "raw_tokens_per_s": round(med(raws, "tokens_per_s"), 2),
        "app_first_token_s": round(med(apps, "first_token_s"), 4),
        "raw_first_token_s": round(med(raws, "first_token_s"), 4),
        "app_wall_first_byte_s": round(med(apps, "wall_first_byte_s"), 3),
        "app_tokens": [a["tokens"] for a in apps],
        "raw_tokens": [r["tokens"] for r in raws],
        "rounds": args.rounds,
        "threads": default_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }
    result["ratio"] = round(result["app_tokens_per_s"] / result["raw_tokens_per_s"], 3)
    print(f"{'':24}{'assistant chat':>16}{'raw llama.cpp':>16}")
    print(f"{'decode tokens/s':24}{result['app_tokens_per_s']:>16}{result['raw_tokens_per_s']:>16}")
    print(
        f"{'first token (s)':24}{result['app_first_token_s']:>16}{result['raw_first_token_s']:>16}"
    )
    print(f"{'launch to first byte (s)':24}{result['app_wall_first_byte_s']:>16}{'-':>16}")
    print(
        f"ratio app/raw = {result['ratio']} (goal >= 0.95) over {args.rounds} rounds, "
        f"{args.max_tokens} max tokens, {result['threads']} threads"
    )
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
