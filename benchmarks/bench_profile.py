"""Time to build a SteerX profile from 100 history items, and to rebuild after one more.

    .venv/bin/python benchmarks/bench_profile.py [--items 100] [--method steerx] [--json]

The history is the first N writing samples of the invented users in
../shared/data/cogenesis/context_aware_dev.json (real-length texts, read whole
like any sample). Everything runs for real in a temporary data folder: llama.cpp
for the generic replies, the description, scores and activations (its own
states, engine.runtime.activations), SQLite for the caches.

Reported: the full build (in-process, cold: includes loading the torch model),
the incremental rebuild after one new sample in the same process (what the
desktop app does: the model stays loaded), and the same incremental rebuild
as a fresh `assistant profile build` command (pays for loading both models).
The machine's core count and load average are printed with the numbers,
because on a shared machine they decide the times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "cogenesis" / "context_aware_dev.json"


def samples(n: int) -> list[tuple[str, str]]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    out = [(p["title"], p["text"]) for r in rows for p in r["profile"]]
    if len(out) < n + 1:
        raise SystemExit(f"only {len(out)} samples in {DATA}")
    return out[: n + 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--method", default="steerx", choices=["steerx", "stylevector"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from assistant import method_registry as methods
    from assistant.app import AppContext
    from assistant.writing.history import HistoryService
    from engine.runtime.batched import work_threads

    data = samples(args.items)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        app = AppContext(home)
        hist = HistoryService(app.db)
        for prompt, text in data[: args.items]:
            hist.add(text, prompt=prompt)
        t = time.perf_counter()
        full = methods.build_profile(app, args.method)
        full_s = time.perf_counter() - t
        hist.add(data[args.items][1], prompt=data[args.items][0])
        t = time.perf_counter()
        inc = methods.build_profile(app, args.method)
        inc_s = time.perf_counter() - t
        app.close()
        hist_app = AppContext(home)
        HistoryService(hist_app.db).add("One more short note, written today.", prompt="")
        hist_app.close()
        env = dict(os.environ, ASSISTANT_HOME=str(home))
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assistant", "profile", "build",
                               "--method", args.method, "--json"], capture_output=True,
                              text=True, env=env, cwd=REPO)
        cli_s = time.perf_counter() - t
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
    result = {
        "method": args.method,
        "items": args.items,
        "full_build_s": round(full_s, 1),
        "full_build_stages_s": full.timings,
        "incremental_in_process_s": round(inc_s, 2),
        "incremental_stages_s": inc.timings,
        "incremental_new_items": inc.n_new,
        "incremental_cli_s": round(cli_s, 1),
        "layer": full.profile.layer,
        "alpha": full.profile.alpha,
        "cpu_count": os.cpu_count(),
        "threads_used": work_threads(),
        "load_avg_before": round(load_before, 2),
        "load_avg_after": round(os.getloadavg()[0], 2),
    }
    print(f"{args.method} profile from {args.items} items: full build {full_s:.1f} s "
          f"(goal < 60 s); after one new item: {inc_s:.2f} s in the app (goal < 5 s), "
          f"{cli_s:.1f} s as a new CLI process; {os.cpu_count()} cores, load average "
          f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
