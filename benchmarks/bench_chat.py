"""Chat speed: `assistant chat` against raw llama-cpp-python, same prompt and settings.

Prints, in one run: decode tokens/s of the app and of raw llama-cpp-python, their
ratio (goal >= 0.95), the app's time to first token (inside the process, from
the start of generation), and its wall time to first byte from process launch.
Rounds alternate app/raw so that machine noise hits both alike; medians are reported.

    python benchmarks/bench_chat.py [--rounds 5] [--max-tokens 128] [--extra-bufts] [--json]

`--extra-bufts` adds what the AMX fix costs: raw llama-cpp-python with llama.cpp's
extra buffer types (weight repacking) on and off, each in its own child process
so that a build that crashes with them on (AMX CPUs) is reported, not fatal.
The app turns them off only where the CPU or the build has AMX.
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


def raw_llama(
    model: Path, prompt_text: str, max_tokens: int, seed: int, threads: int,
    extra_bufts: bool | None = None,
) -> dict:
    """The baseline: plain llama-cpp-python, no app code in the loop.

    `extra_bufts` forces `llama_model_params.use_extra_bufts` (None: as the process has it).
    """
    import llama_cpp
    import llama_cpp.llama_cpp as low

    if extra_bufts is not None:
        original = low.llama_model_default_params

        def forced():
            params = original()
            params.use_extra_bufts = extra_bufts
            return params

        low.llama_model_default_params = forced
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


def raw_in_child(prompt_text: str, max_tokens: int, seed: int, threads: int,
                 extra_bufts: bool) -> dict:
    """`raw_llama` in a fresh process: {"crashed": "SIGSEGV"} if llama.cpp dies."""
    import signal

    arg = json.dumps([prompt_text, max_tokens, seed, threads, extra_bufts])
    proc = subprocess.run(
        [sys.executable, __file__, "--raw-child", arg], capture_output=True, text=True,
        cwd=REPO, timeout=600,
    )
    if proc.returncode < 0:
        return {"crashed": signal.Signals(-proc.returncode).name}
    if proc.returncode != 0:
        raise SystemExit(f"raw llama.cpp child failed: {proc.stderr[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    ap.add_argument("--extra-bufts", action="store_true",
                    help="also compare llama.cpp's extra buffer types on vs off (raw)")
    ap.add_argument("--raw-child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    from assistant.local_models.choice import embedded_model_path

    if args.raw_child:
        prompt_text, max_tokens, seed, threads, extra = json.loads(args.raw_child)
        print(json.dumps(raw_llama(embedded_model_path(), prompt_text, max_tokens, seed, threads,
                                   extra_bufts=extra)))
        return 0
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

    from engine.runtime.native import cpu_has_amx, model_param_overrides

    apps, raws = [], []
    bufts: dict[bool, list[dict]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as home:
        for i in range(args.rounds):
            seed = 100 + i
            apps.append(app_chat(home, args.max_tokens, seed))
            raws.append(raw_llama(model, prompt, args.max_tokens, seed, default_threads()))
            if args.extra_bufts:
                for on in (True, False):
                    bufts[on].append(raw_in_child(prompt, args.max_tokens, seed,
                                                  default_threads(), on))

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
    result["cpu_amx"] = cpu_has_amx()
    result["app_extra_bufts"] = not model_param_overrides()
    if args.extra_bufts:
        for on, rows in bufts.items():
            key = "extra_bufts_on" if on else "extra_bufts_off"
            crashed = [r["crashed"] for r in rows if "crashed" in r]
            ok = [r for r in rows if "crashed" not in r]
            result[f"{key}_tokens_per_s"] = round(med(ok, "tokens_per_s"), 2) if ok else None
            result[f"{key}_first_token_s"] = round(med(ok, "first_token_s"), 4) if ok else None
            result[f"{key}_crashed"] = crashed[0] if crashed else None
        on_tps = result["extra_bufts_on_tokens_per_s"]
        off_tps = result["extra_bufts_off_tokens_per_s"]
        both = on_tps and off_tps
        result["extra_bufts_off_over_on"] = round(off_tps / on_tps, 3) if both else None
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
    if args.extra_bufts:
        def cell(key: str) -> str:
            crash = result[f"{key}_crashed"]
            return f"crashed ({crash})" if crash else str(result[f"{key}_tokens_per_s"])

        print(f"{'':24}{'extra bufts on':>16}{'extra bufts off':>16}")
        on_cell, off_cell = cell("extra_bufts_on"), cell("extra_bufts_off")
        print(f"{'raw decode tokens/s':24}{on_cell:>16}{off_cell:>16}")
        print(
            f"off/on = {result['extra_bufts_off_over_on']}; this CPU has AMX: {result['cpu_amx']}; "
            f"the app loads with extra bufts {'on' if result['app_extra_bufts'] else 'off'}"
        )
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
