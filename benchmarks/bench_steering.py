"""Steering core: parity of the two runtimes, control-vector decode cost, torch runtime speed.

Prints a readable table and, as its last line with --json, one JSON object:
  parity_corr        correlation of the next-token logit deltas from the same random
                     vector at the same layer, torch hook vs llama.cpp control vector
  wrong_layer_corr   the same with llama.cpp one layer off (worst neighbour): must be
                     clearly lower, or the parity check could not catch an off-by-one
  cvec_decode_ratio  llama.cpp decode tokens/s with a control vector on every layer over
                     without, same run, rounds alternating (goal >= 0.98)
and the torch runtime's speeds (load, prefill, decode with and without a hook, batched
scoring) on the device it picked.

    python benchmarks/bench_steering.py [--model PATH] [--layer 15] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Before llama.cpp (system libgomp) or torch (its own libgomp) load: spinning OpenMP threads
# cut both runtimes' speed several-fold on a busy 2-core machine (measured 9 vs 43 tok/s).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROMPT = (
    "<|im_start|>user\nWrite a short note to a friend about the weekend.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
SCORE_TEXTS = [
    "Hey! Hope you had a great weekend. We should catch up soon over coffee.",
    "Dear friend, the weekend was lovely; the weather held and we walked by the river.",
    "Quick note: thanks for Saturday, it was fun. Let's do it again next month!",
    "The weekend flew by. I finally finished that book you lent me, loved the ending.",
] * 2


def decode_tps(llama_rt, prompt_ids: list[int], tokens: list[int]) -> float:
    """Tokens/s of one-token llama.cpp decode steps over a fixed token sequence."""
    llm = llama_rt.llm
    llm.reset()
    llm.eval(prompt_ids)
    t0 = time.perf_counter()
    for tok in tokens:
        llm.eval([tok])
    return len(tokens) / (time.perf_counter() - t0)


def bench_cvec(llama_rt, rounds: int, n_tokens: int) -> dict:
    """Plain vs steered decode on the same tokens, alternating so noise hits both alike."""
    import numpy as np

    from engine.steering.vectors import Steering, SteeringVector

    info = llama_rt.info
    ids = llama_rt.tokenize(PROMPT)
    llama_rt.llm.reset()
    tokens: list[int] = []
    logits = llama_rt.eval_prompt(ids)
    for _ in range(n_tokens):  # a fixed, realistic continuation (greedy)
        tokens.append(int(np.argmax(logits)))
        llama_rt.llm.eval([tokens[-1]])
        logits = llama_rt.last_logits()
    rng = np.random.default_rng(0)
    every_layer = {L: rng.standard_normal(info.n_embd).astype(np.float32) * 0.05
                   for L in range(1, info.n_layer)}
    vec = SteeringVector.for_model(info, every_layer)
    plain, steered, ratios = [], [], []
    decode_tps(llama_rt, ids, tokens[:8])  # warm-up
    for _ in range(rounds):
        p = decode_tps(llama_rt, ids, tokens)
        with llama_rt.steered(Steering(vec)):
            s = decode_tps(llama_rt, ids, tokens)
        plain.append(p)
        steered.append(s)
        ratios.append(s / p)
    return {
        "plain_tps": statistics.median(plain),
        "cvec_tps": statistics.median(steered),
        "ratio": statistics.median(ratios),
        "layers": len(every_layer),
    }


def bench_torch(trt, n_tokens: int) -> dict:
    import numpy as np

    from engine.runtime.generation import SamplingSettings
    from engine.runtime.hooks import steer_residual

    greedy = SamplingSettings(temperature=0, repeat_penalty=1.0)
    ids = trt.tokenize(PROMPT * 4)  # ~100 tokens of prefill
    trt.forward(ids[:8])  # warm-up
    reps = 3
    t0 = time.perf_counter()
    for _ in range(reps):
        trt.forward(ids, logits_to_keep=1)
    prefill = reps * len(ids) / (time.perf_counter() - t0)
    plain = trt.generate(PROMPT, greedy, max_new_tokens=n_tokens)
    v = np.random.default_rng(0).standard_normal(trt.n_embd).astype(np.float32)
    with steer_residual(trt, {L: v * 0.05 for L in range(trt.n_layer)}):
        hooked = trt.generate(PROMPT, greedy, max_new_tokens=n_tokens)
    t0 = time.perf_counter()
    scored = trt.loglik([PROMPT] * len(SCORE_TEXTS), SCORE_TEXTS, batch_size=8)
    secs = time.perf_counter() - t0
    n_scored = sum(len(r.tokens) for r in scored) + len(SCORE_TEXTS) * len(trt.tokenize(PROMPT))
    return {
        "load_s": trt.load_seconds,
        "prefill_tps": prefill,
        "decode_tps": plain.tokens_per_s,
        "hooked_decode_tps": hooked.tokens_per_s,
        "loglik_tps": n_scored / secs,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="GGUF file (default: the embedded SmolLM2-135M)")
    ap.add_argument("--layer", type=int, default=None, help="parity layer (default: middle)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--decode-tokens", type=int, default=64)
    ap.add_argument("--device", default="auto", help="torch device: auto, cpu, cuda, mps")
    ap.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    args = ap.parse_args()

    from engine.runtime.torch_device import describe_devices
    from engine.runtime.torch_runtime import load_torch_runtime

    if args.model:
        model = Path(args.model)
    else:
        from assistant.local_models.choice import embedded_model_path

        model = embedded_model_path()
    from engine.runtime.llamacpp import LlamaRuntime
    from engine.steering.parity import steering_parity

    llama_rt = LlamaRuntime(model, n_ctx=1024)
    trt = load_torch_runtime(model, device=args.device)
    layer = args.layer if args.layer is not None else trt.n_layer // 2

    par = steering_parity(trt, llama_rt, PROMPT, layer)
    cvec = bench_cvec(llama_rt, args.rounds, args.decode_tokens)
    tb = bench_torch(trt, min(args.decode_tokens, 32))
    llama_rt.close()

    import torch

    cuda = torch.cuda.is_available()
    rows = [
        ("model", f"{model.name} ({trt.n_layer} layers x {trt.n_embd})"),
        ("torch device", f"{trt.device} / {str(trt.dtype).replace('torch.', '')}"),
        ("accelerators", describe_devices()),
        ("parity layer", str(layer)),
        ("unsteered logits corr (torch vs llama.cpp)", f"{par.base_corr:.4f}"),
        ("parity corr, same layer", f"{par.corr:.4f}"),
    ]
    rows += [(f"  llama.cpp at layer {L} instead (wrong)", f"{c:.4f}")
             for L, c in sorted(par.wrong_layer_corr.items())]
    rows += [
        ("llama.cpp decode tok/s, plain", f"{cvec['plain_tps']:.1f}"),
        (f"llama.cpp decode tok/s, control vector on {cvec['layers']} layers",
         f"{cvec['cvec_tps']:.1f}"),
        ("cvec decode ratio (median of rounds; goal >= 0.98)", f"{cvec['ratio']:.3f}"),
        ("torch load s", f"{tb['load_s']:.1f}"),
        ("torch prefill tok/s", f"{tb['prefill_tps']:.0f}"),
        ("torch decode tok/s (KV cache), plain", f"{tb['decode_tps']:.1f}"),
        ("torch decode tok/s, residual hook on every layer", f"{tb['hooked_decode_tps']:.1f}"),
        ("torch loglik tok/s (batch of 8)", f"{tb['loglik_tps']:.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print("Steering core benchmark")
    print("-" * (width + 16))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if not cuda:
        print("note: no CUDA GPU is available in this run; the torch numbers are CPU numbers "
              "(the runtime picks cuda, then mps, when present).")
    if args.json:
        print(json.dumps({
            "parity_corr": round(par.corr, 5),
            "wrong_layer_corr": round(par.worst_wrong, 5),
            "wrong_layer_corrs": {str(k): round(v, 5) for k, v in par.wrong_layer_corr.items()},
            "cvec_decode_ratio": round(cvec["ratio"], 4),
            "llama_decode_tps": round(cvec["plain_tps"], 2),
            "llama_cvec_decode_tps": round(cvec["cvec_tps"], 2),
            "torch_device": trt.device,
            "torch_dtype": str(trt.dtype).replace("torch.", ""),
            "cuda_available": cuda,
            "torch_load_s": round(tb["load_s"], 2),
            "torch_prefill_tps": round(tb["prefill_tps"], 1),
            "torch_decode_tps": round(tb["decode_tps"], 2),
            "torch_hooked_decode_tps": round(tb["hooked_decode_tps"], 2),
            "torch_loglik_tps": round(tb["loglik_tps"], 1),
            "layer": layer,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
