"""Fitting a long chat into the context: `LlamaRuntime.fit_chat` on 100, 1,000 and 10,000
short messages (about 260 bytes each, as a client of `assistant serve` may send), on the
embedded model with the app's default context (4,096) and reply length (512).

The time should grow linearly with the messages (each is tokenized once); the fit that
rendered and tokenized the whole chat again for every dropped turn grew with their square
(1,000 messages: minutes). `--old N` also times that fit, re-implemented here, on N
messages, for the ratio.

Prints a table and, with --json, one line: {"fit_s": {"100": s, ...}, "kept_turns": {...},
"per_message_us": {...}, "old_fit_s": {...}}.

    .venv/bin/python benchmarks/bench_fit.py [--json] [--old 100]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZES = (100, 1_000, 10_000)
N_CTX, REPLY = 4096, 512


def chat(n: int) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": "You are a helpful assistant."}]
    for i in range(n - 1):
        role = "user" if i % 2 == 0 else "assistant"
        msgs.append({"role": role, "content": f"Message {i}: " + "a short line of chat " * 12})
    msgs.append({"role": "user", "content": "And what is the answer now?"})
    return msgs


def old_fit(rt, messages: list[dict[str, str]], reply_tokens: int) -> int:
    """The fit before: render and tokenize the whole chat after each dropped turn."""
    msgs = list(messages)
    budget = rt.n_ctx - reply_tokens
    trimmed = 0
    while True:
        if rt.format_chat(msgs).n_tokens <= budget:
            return trimmed
        droppable = [i for i, m in enumerate(msgs[:-1]) if m["role"] != "system"]
        del msgs[droppable[0]]
        trimmed += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--old", type=int, nargs="*", default=[], metavar="N",
                    help="also time the old quadratic fit on N messages")
    args = ap.parse_args()

    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(embedded_model_path(), n_ctx=N_CTX)
    rt.fit_chat(chat(10), REPLY)  # warm the template
    fit_s, kept, per_msg = {}, {}, {}
    for n in SIZES:
        msgs = chat(n)
        t0 = time.perf_counter()
        prompt = rt.fit_chat(msgs, REPLY)
        fit_s[str(n)] = round(time.perf_counter() - t0, 4)
        kept[str(n)] = n - prompt.trimmed_turns
        per_msg[str(n)] = round(1e6 * fit_s[str(n)] / n, 1)
    old_s = {}
    for n in args.old:
        t0 = time.perf_counter()
        old_fit(rt, chat(n), REPLY)
        old_s[str(n)] = round(time.perf_counter() - t0, 3)
    rt.close()

    print(f"fit_chat, n_ctx {N_CTX}, reply {REPLY} tokens (embedded model)")
    print(f"{'messages':>10} {'seconds':>9} {'us/message':>11} {'kept':>6} {'old fit s':>10}")
    for n in SIZES:
        k = str(n)
        print(f"{n:>10,} {fit_s[k]:>9.4f} {per_msg[k]:>11.1f} {kept[k]:>6} "
              f"{old_s.get(k, float('nan')):>10.3f}")
    if args.json:
        print(json.dumps({"fit_s": fit_s, "kept_turns": kept, "per_message_us": per_msg,
                          "old_fit_s": old_s}))


if __name__ == "__main__":
    main()
