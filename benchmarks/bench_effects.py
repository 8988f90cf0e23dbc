"""How well SteerX's token effects tell a writer's own history from another's, per reference.

    .venv/bin/python benchmarks/bench_effects.py [--users 12] [--offset 100] [--json]

SteerX keeps the tokens whose log-probability the user's history H raises by
more than tau (`engine.methods.steerx`). Some tokens pass tau for any history:
seeing examples of the kind at all, the instruction that comes with them, or
chance. This benchmark shows each real author's texts (paper_dev, rows from
--offset: the tuning rows) after two of their own other texts, and after two of
the next author's texts presented as theirs ("another's"), and reports the
share of tokens above tau in both. Their ratio is the selection's signal to
noise. It does so for three references the effect is taken against:

- none: log p(y | x, H) - log p(y | x), what the build uses;
- other-user: H_ref = a third author's texts (the eval has them, the app has no
  other users);
- model: H_ref = the local model's own replies to the same prompts as H (the
  only other writer on the user's machine).

Everything runs for real: llama.cpp for the prompts and the model's replies,
torch for the log-probabilities. The `--json` line has, per reference,
`ratio`, `share_own`, `share_other`, `mean_own`, `mean_other`.
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
DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"
REFERENCES = ("none", "other-user", "model")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=12)
    ap.add_argument("--offset", type=int, default=100)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from assistant.local_models.choice import embedded_model_path
    from engine.eval.data import load_paper_dev
    from engine.methods import steerx as sx
    from engine.methods.generic_replies import (
        MemoryGenericCache,
        ProfileItem,
        chat_prefix,
        generic_responses,
    )
    from engine.methods.profile_build import (
        BuildOptions,
        history_prompt,
        text_tokens,
        truncate_text,
    )
    from engine.runtime.batched import BatchedLlama
    from engine.runtime.llamacpp import LlamaRuntime
    from engine.runtime.torch_runtime import load_torch_runtime

    rows = load_paper_dev(args.data)[args.offset : args.offset + args.users]
    if len(rows) < 3:
        raise SystemExit("need at least 3 users (own, another's, a reference)")
    opt = BuildOptions()
    t0 = time.perf_counter()
    llama = LlamaRuntime(embedded_model_path(), n_ctx=2048)
    trt = load_torch_runtime(embedded_model_path(), device="cpu", dtype="float32")
    batched = BatchedLlama(llama)
    cache = MemoryGenericCache()
    users = [[ProfileItem(h.text, h.prompt) for h in r.history] for r in rows]
    replies = []  # the model's reply to each item's prompt, per user
    for items in users:
        texts, _ = generic_responses(llama, batched, [it.instruction for it in items], cache,
                                     max_tokens=opt.generic_tokens)
        replies.append(texts)
    batched.close()

    def prompt(instruction: str, shown: list[str]) -> list[int]:
        shown = [truncate_text(llama, t, opt.context_tokens) for t in shown]
        return llama.tokenize(history_prompt(llama, instruction, shown, opt.system))

    targets: list[list[int]] = []
    prompts: dict[str, list[list[int]]] = {k: [] for k in
                                           ("own", "another", "none", "other-user",
                                            "model-own", "model-another")}
    for u, items in enumerate(users):
        v, w = (u + 1) % len(users), (u + 2) % len(users)
        for i, it in enumerate(items):
            ctx = sx.context_items(len(items), i, opt.n_context)
            theirs = [j % len(users[v]) for j in ctx]
            ref = [j % len(users[w]) for j in ctx]
            targets.append(text_tokens(llama, it.text)[: opt.max_text_tokens])
            prompts["own"].append(prompt(it.instruction, [items[j].text for j in ctx]))
            prompts["another"].append(prompt(it.instruction, [users[v][j].text for j in theirs]))
            prompts["none"].append(llama.tokenize(chat_prefix(llama, it.instruction, opt.system)))
            prompts["other-user"].append(prompt(it.instruction, [users[w][j].text for j in ref]))
            prompts["model-own"].append(prompt(it.instruction, [replies[u][j] for j in ctx]))
            prompts["model-another"].append(prompt(it.instruction,
                                                   [replies[v][j] for j in theirs]))
    lp = {k: sx.history_logprobs(trt, p, targets) for k, p in prompts.items()}
    result: dict[str, object] = {"users": len(rows), "offset": args.offset,
                                 "tokens": sum(map(len, targets)), "tau": opt.tau}
    for ref in REFERENCES:
        own_ref = lp["model-own"] if ref == "model" else lp[ref]
        other_ref = lp["model-another"] if ref == "model" else lp[ref]
        result[ref] = {k: round(v, 4) for k, v in sx.separation(
            sx.paired_effects(lp["own"], own_ref),
            sx.paired_effects(lp["another"], other_ref), opt.tau).items()}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"{len(rows)} authors from row {args.offset}, {result['tokens']} tokens, "
          f"tau {opt.tau}, {result['seconds']} s")
    print(f"{'reference':<12}{'share own':>11}{'share another':>15}{'ratio':>8}"
          f"{'mean own':>10}{'mean another':>14}")
    for ref in REFERENCES:
        r = result[ref]
        print(f"{ref:<12}{r['share_own']:>11.3f}{r['share_other']:>15.3f}{r['ratio']:>8.2f}"
              f"{r['mean_own']:>+10.3f}{r['mean_other']:>+14.3f}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
