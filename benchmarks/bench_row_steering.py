"""The strength stage's replies: one control vector per context vs one per sequence.

Choosing a profile's strength by generation writes a reply to each held-out prompt under
each candidate strength of its fold's vector (`engine.methods.generation_calibration`).
With llama.cpp's control vector, which steers a whole context, that is one small batch
per (fold, strength); with `RowSteering` every sequence carries its own vector and all of
them decode together (`BatchedLlama.generate_each`). Both write the same kind of replies
here: the prompts of paper_dev rows 100+ (tuning rows) alone and after three of the
user's texts, five folds of two prompts, four strengths (0 included), 64 greedy tokens,
and the unsteered log-probs of every steered reply (the fluency guard).

    .venv/bin/python benchmarks/bench_row_steering.py [--row 100] [--rounds 2] [--json]

Prints wall and CPU seconds of each way, alternating, and their ratios; `--json` ends
with one line holding `per_context_s`, `per_sequence_s`, `speedup`, `cpu_per_context_s`,
`cpu_per_sequence_s` and `cpu_ratio`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"
LAYER = 22  # the layer the build chose on row 100
FRACTIONS = (0.0, 0.025, 0.05, 0.1)


def _prompts(rt, row: int) -> list[list[int]]:
    from engine.eval.data import load_rows
    from engine.methods.profile_build import history_prompt

    history = load_rows(DATA)[row].history
    alone = [rt.tokenize(rt.format_chat([{"role": "user", "content": h.prompt}]).text)
             for h in history[:5]]
    shown = [h.text for h in history[:3]]
    with_texts = [rt.tokenize(history_prompt(rt, h.prompt, shown)) for h in history[:5]]
    return alone + with_texts


def _buffers(rt, n_folds: int, norm: float) -> list[list[np.ndarray | None]]:
    from engine.steering.vectors import SteeringVector

    out = []
    for fold in range(n_folds):
        v = np.random.default_rng(fold).standard_normal(rt.info.n_embd).astype(np.float32)
        v /= np.linalg.norm(v)
        sv = SteeringVector.for_model(rt.info, {LAYER: v})
        out.append([None if f == 0 else sv.control_buffer(rt.info.n_layer,
                                                         scale=float(f * norm))
                    for f in FRACTIONS])
    return out


def per_context(bl, prompts, groups, buffers, sampling) -> None:
    """As the build did before: for each fold, its prompts read once, then for each
    strength the context's own control vector and the fold's replies in one batch
    (generated positions only, the prompt cells shared), each steered reply then scored
    by the plain model on the same prompt cells."""
    from engine.runtime.batched import _Active

    mem = bl._L.llama_get_memory(bl.ctx)
    for g, ks in enumerate(groups):
        bl._clear()
        bl.set_control_vector(None)
        cells = [(int(t), pos, s, False) for s, k in enumerate(ks)
                 for pos, t in enumerate(prompts[k][:-1])]
        for i in range(0, len(cells), bl.n_batch):
            bl._decode(cells[i : i + bl.n_batch])
        n = len(ks)
        for buf in buffers[g]:
            bl.set_control_vector(buf)
            active = []
            for s, k in enumerate(ks):
                bl._L.llama_memory_seq_cp(mem, s, n + s, -1, -1)
                active.append(_Active(k, n + s, len(prompts[k]), np.random.default_rng(s), []))
            bl._decode([(int(prompts[k][-1]), len(prompts[k]) - 1, n + s, True)
                        for s, k in enumerate(ks)])
            logits = bl._logits(n)
            for r, a in enumerate(active):
                a.first = logits[r].copy()
            results: list[list[int]] = [[] for _ in prompts]
            bl._sample(active, sampling, None, results, None)
            for s in range(n):
                bl._L.llama_memory_seq_rm(mem, n + s, -1, -1)
            if buf is not None:  # the fluency guard: the plain model scores the replies
                bl.set_control_vector(None)
                rows = []
                for s, k in enumerate(ks):
                    bl._L.llama_memory_seq_cp(mem, s, n + s, -1, -1)
                    toks, cont = prompts[k], results[k]
                    row = [toks[-1], *cont]
                    rows.append((k, [(int(t), len(toks) - 1 + j, n + s,
                                      cont[j] if j < len(cont) else None)
                                     for j, t in enumerate(row)]))
                bl._forced_logprobs(rows)
                for s in range(n):
                    bl._L.llama_memory_seq_rm(mem, n + s, -1, -1)
    bl.set_control_vector(None)


def per_sequence(bl, prompts, groups, buffers, sampling) -> None:
    from engine.runtime.batched import SteeredJob

    jobs = [SteeredJob(k, buf, j) for g, ks in enumerate(groups) for buf in buffers[g]
            for j, k in enumerate(ks)]
    bl.generate_each(prompts, jobs, sampling, plain_logprobs=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--row", type=int, default=100, help="a paper_dev tuning row (100+)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", help="a GGUF file (default: the embedded model); "
                    "benchmarks/models.py assembles the ladder's")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from assistant.app import AppContext
    from engine.methods.generation_calibration import calibration_sampling
    from engine.runtime.batched import BatchedLlama

    rt = AppContext(tempfile.mkdtemp()).runtime(args.model)
    prompts = _prompts(rt, args.row)
    groups = [[g, g + 5] for g in range(5)]  # a fold: one prompt alone, one after texts
    norm = 254.7  # the residual norm at LAYER the build measured on row 100 (135M)
    buffers = _buffers(rt, len(groups), norm)
    sampling = calibration_sampling()
    times: dict[str, list[tuple[float, float]]] = {"per_context": [], "per_sequence": []}
    with BatchedLlama(rt) as bl:
        for _ in range(args.rounds):
            for name, run in (("per_context", per_context), ("per_sequence", per_sequence)):
                t, c = time.perf_counter(), time.process_time()
                run(bl, prompts, groups, buffers, sampling)
                times[name].append((time.perf_counter() - t, time.process_time() - c))
                print(f"{name:13s} wall {times[name][-1][0]:7.1f} s  cpu "
                      f"{times[name][-1][1]:7.1f} s", flush=True)
    med = {k: (float(np.median([w for w, _ in v])), float(np.median([c for _, c in v])))
           for k, v in times.items()}
    out = {"per_context_s": round(med["per_context"][0], 2),
           "per_sequence_s": round(med["per_sequence"][0], 2),
           "speedup": round(med["per_context"][0] / med["per_sequence"][0], 2),
           "cpu_per_context_s": round(med["per_context"][1], 2),
           "cpu_per_sequence_s": round(med["per_sequence"][1], 2),
           "cpu_ratio": round(med["per_context"][1] / med["per_sequence"][1], 2),
           "replies": 40, "tokens": 64, "model": rt.model_name}
    print(f"one vector per sequence: {out['speedup']}x the wall time, {out['cpu_ratio']}x "
          f"the CPU time of one vector per context ({out['replies']} replies)")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
