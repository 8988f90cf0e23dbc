"""DPS speed: head scan and contrastive decoding on the default model.

Prints, in one run:
- the head scan over 20 real texts (paper_dev's first rows' histories, six
  abstracts per author, texts cut to 128 tokens) as the build runs it:
  `attribution` (one forward and backward for all 270 heads, then the top
  `refine` heads ablated exactly), contrasted against reference texts after the
  same prompts (here another author's text of the same rows, the length the
  app's generic replies are cut to);
- the exact ablation of the kept heads with every pass starting at the head's
  block (the build's way) and running all blocks (before), side by side;
- the exact scan of every head, timed on `--exact-layers` layers and scaled to
  all layers by the blocks each one runs (a head of block L runs n_layer - L);
- DPS decode time over plain torch decode, same prompt, greedy, KV cache on both
  (goal <= 1.3).

    python benchmarks/bench_dps.py [--items 20] [--exact-layers 2] [--tokens 48] [--json]

Run `assistant eval --methods none,rag,steerx,dps --data .../paper_dev.json --limit N`
for quality.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"
PROMPT = "Write a short abstract for a paper on indexing moving objects."


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--exact-layers", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from assistant.local_models.choice import embedded_model_path
    from assistant.profile.store import quiet_load_torch
    from engine.eval.data import load_rows
    from engine.methods import dps
    from engine.runtime.generation import SamplingSettings
    from engine.runtime.torch_device import describe_devices

    trt = quiet_load_torch(embedded_model_path(), args.device)
    out: dict = {"device": describe_devices(), "torch_device": trt.device,
                 "threads": __import__("torch").get_num_threads()}
    # paper_dev users have six texts each: take the first rows' until there are --items
    pairs = []
    for row in load_rows(DATA):
        pairs += [(h.prompt, h.text) for h in row.history]
        if len(pairs) >= args.items:
            break
    pairs = pairs[: args.items]
    items = dps.prepare_items(trt, pairs)
    out["items"] = len(items)
    out["tokens_per_item"] = round(sum(len(i.prompt) + len(i.text) for i in items) / len(items), 1)
    n_heads = trt.n_layer * trt.n_head

    # Another author's text after each prompt: six texts per author, so shift by six.
    others = [pairs[(i + 6) % len(pairs)][1] for i in range(len(pairs))]
    reference = dps.reference_items(trt, pairs, others)
    scan = dps.scan_heads(trt, items, mode="attribution", reference=reference)
    out["scan_attribution_s"] = round(scan.seconds, 1)
    out["top_heads"] = scan.top(dps.DEFAULT_FRACTION)

    kept = [(h["layer"], h["head"]) for h in out["top_heads"]]
    timed = {}
    for from_block in (True, False):
        t0 = time.perf_counter()
        got, _ = dps.exact_scores(trt, items, kept, from_block=from_block)
        timed[from_block] = (time.perf_counter() - t0, got)
    out["kept_heads_exact_from_block_s"] = round(timed[True][0], 1)
    out["kept_heads_exact_all_blocks_s"] = round(timed[False][0], 1)
    out["kept_heads_exact_ratio"] = round(timed[True][0] / timed[False][0], 3)
    diff = max(abs(timed[True][1][k] - timed[False][1][k]) for k in kept)
    out["kept_heads_max_score_diff"] = float(f"{diff:.2g}")

    layers = list(range(trt.n_layer))[:: max(1, trt.n_layer // max(1, args.exact_layers))]
    layers = layers[: args.exact_layers]
    heads = [(L, h) for L in layers for h in range(trt.n_head)]
    t0 = time.perf_counter()
    dps.exact_scores(trt, items, heads)
    t_exact = time.perf_counter() - t0
    blocks_run = sum(trt.n_layer - L for L in layers)
    out["exact_layers_timed"] = layers
    out["exact_s_for_timed_layers"] = round(t_exact, 1)
    out["exact_full_scan_s_extrapolated"] = round(
        t_exact * sum(trt.n_layer - L for L in range(trt.n_layer)) / blocks_run, 1)
    out["n_heads"] = n_heads

    greedy = SamplingSettings(temperature=0, repeat_penalty=1.0)
    prompt = dps.chat_prompt(trt, [{"role": "user", "content": PROMPT}])
    top = [(h["layer"], h["head"]) for h in out["top_heads"]]
    plain_t, dps_t = [], []
    for _ in range(args.rounds):  # alternate so machine noise hits both alike
        a = trt.generate(prompt, greedy, max_new_tokens=args.tokens)
        plain_t.append(a.seconds / max(1, len(a.tokens)))
        b = dps.generate(trt, prompt, top, greedy, max_new_tokens=args.tokens)
        dps_t.append(b.seconds / max(1, len(b.tokens)))
    out["plain_s_per_token"] = round(min(plain_t), 4)
    out["dps_s_per_token"] = round(min(dps_t), 4)
    out["decode_ratio"] = round(min(dps_t) / min(plain_t), 3)
    out["plain_text"], out["dps_text"] = a.text[:160], b.text[:160]

    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:32} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
