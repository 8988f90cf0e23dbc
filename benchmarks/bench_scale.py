"""The profile build on the models people run: time and peak memory per model of the ladder.

    python benchmarks/bench_scale.py [--models smollm2-135m,qwen2.5-coder-0.5b]
                                     [--samples 100] [--method steerx] [--json]

Per model (benchmarks/models.py assembles the GGUFs from PyPI): a real `assistant
profile build` in a fresh data folder whose history is N abstracts from paper_dev
rows 100 and above (whole texts), run as a child process so its peak resident
memory is its own (`os.wait4`'s ru_maxrss); one prompt-processing pass of the same
tokens through llama.cpp, measured in the same run (the floor a build is compared
to); the incremental rebuild after one new sample inside the app (model loaded);
chat decode speed, and decode speed with the profile's control vector applied.

The last line of --json output is one JSON object with a `models` list; each entry
has name, gguf_mb, build_s, build_peak_rss_mb, history_tokens, pp_pass_s,
build_over_pass, incremental_s, chat_tok_s, steered_over_plain, plus steering_on
(whether the build kept steering on) and the build's stage timings; then DPS's build
on the same history (its 20 most recent samples) as the user runs it: dps_s,
dps_peak_rss_mb, dps_scan_s, or dps_refused with the sentence the app said instead.
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
sys.path.insert(0, str(REPO / "benchmarks"))
DATA = REPO.parent / "shared" / "data" / "cogenesis" / "paper_dev.json"
CHAT_PROMPT = "Write a short note to a colleague about the project's next steps."


def history(n: int) -> list[tuple[str, str]]:
    """n + 1 distinct (prompt, abstract) pairs from paper_dev rows 100 and above (tuning rows;
    the +1 is the incremental sample)."""
    from engine.eval.data import load_paper_dev

    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for row in load_paper_dev(DATA)[100:]:
        for h in row.history:
            if h.text not in seen:
                seen.add(h.text)
                out.append((h.prompt, h.text))
    if len(out) < n + 1:
        raise SystemExit(f"only {len(out)} samples in rows 100+ of {DATA}")
    return out[: n + 1]


def timed_child(args: list[str], env: dict[str, str], *,
                check: bool = True) -> tuple[float, float, str, str]:
    """Run a command; (seconds, its own peak RSS in MB from `os.wait4`, stdout, stderr).
    A failure ends the benchmark unless `check` is False."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdout=fo, stderr=fe, text=True, env=env, cwd=REPO)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if proc.returncode != 0 and check:
        raise SystemExit(f"{' '.join(args[2:])} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out, err  # ru_maxrss is in KiB on Linux


def pp_pass(rt, token_lists: list[list[int]]) -> float:
    """Seconds llama.cpp takes to process every token once (prompt processing, no logits but
    each sequence's last): the floor a build is measured against."""
    from engine.runtime.batched import BatchedLlama

    with BatchedLlama(rt, n_ctx=4096, n_seq=16, n_batch=512) as bl:
        t = time.perf_counter()
        entries: list[tuple[int, int, int, bool]] = []
        used = 0
        seq = 0
        bl._clear()
        for toks in token_lists:
            for s in range(0, len(toks), 2048):  # longer texts in windows
                part = toks[s : s + 2048]
                if seq >= bl.n_seq or used + len(part) > bl.n_ctx:
                    if entries:
                        bl._decode(entries)
                        entries.clear()
                    bl._clear()
                    used, seq = 0, 0
                for pos, tok in enumerate(part):
                    entries.append((int(tok), pos, seq, pos == len(part) - 1))
                    if len(entries) == bl.n_batch:
                        bl._decode(entries)
                        entries.clear()
                used += len(part)
                seq += 1
        if entries:
            bl._decode(entries)
        return time.perf_counter() - t


def decode_speeds(rt, steering, tokens: int = 64, rounds: int = 5) -> tuple[float, float]:
    """Median decode tokens/s without and with `steering` (a `Steering` on generated
    positions only, as chat steers), in alternating rounds so that a busy machine slows
    both alike."""
    import statistics

    from engine.runtime.generation import GenerationStats, SamplingSettings

    prompt = rt.format_chat([{"role": "user", "content": CHAT_PROMPT}])
    speeds: dict[bool, list[float]] = {False: [], True: []}
    for r in range(rounds):
        for steered in (False, True):
            st = GenerationStats()
            s = SamplingSettings(max_tokens=tokens, seed=r, temperature=0.7)
            with rt.steered(steering if steered else None):
                for _ in rt.stream(prompt, s, stats=st):
                    pass
            if st.tokens and st.seconds:
                speeds[steered].append(st.tokens / st.seconds)
    return (statistics.median(speeds[False]) if speeds[False] else 0.0,
            statistics.median(speeds[True]) if speeds[True] else 0.0)


def bench_dps(env: dict[str, str]) -> dict:
    """`assistant profile build --method dps` as the user runs it (the 20 most recent
    samples): its time and peak memory, or the sentence it refused with (a model whose
    torch copy does not fit, or a scan estimated over an hour)."""
    seconds, peak_mb, out, err = timed_child(
        [sys.executable, "-m", "assistant", "profile", "build", "--method", "dps", "--json"],
        env, check=False)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    try:
        built = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        built = None
    if not isinstance(built, dict):
        said = [ln for ln in err.splitlines() if ln.strip()]
        return {"dps_s": round(seconds, 1), "dps_peak_rss_mb": round(peak_mb, 1),
                "dps_refused": said[-1] if said else "failed without a message"}
    return {"dps_s": round(seconds, 1), "dps_peak_rss_mb": round(peak_mb, 1),
            "dps_scan_s": round(float(built.get("seconds") or 0.0), 1), "dps_refused": None}


def bench_model(name: str, n: int, method: str, dps: bool = True) -> dict:
    from models import model_path

    from assistant import method_registry as methods
    from assistant.app import AppContext
    from assistant.profile.service import ProfileService
    from assistant.settings import update_setting
    from assistant.writing.history import HistoryService
    from engine.methods.profile_build import text_tokens

    path = model_path(name)
    data = history(n)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        app = AppContext(home)
        for prompt, text in data[:n]:
            HistoryService(app.db).add(text, prompt=prompt)
        update_setting(app.db, "model_path", str(path))
        app.close()
        env = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")
        build_s, peak_mb, out, _err = timed_child(
            [sys.executable, "-m", "assistant", "profile", "build", "--method", method,
             "--json"], env)
        built = json.loads([ln for ln in out.splitlines() if ln.strip()][-1])
        dps_row = bench_dps(env) if dps else {}
        app = AppContext(home)
        rt = app.runtime()
        tokens = [text_tokens(rt, t) for _p, t in data[:n]]
        pp_s = pp_pass(rt, [[rt.llm.token_bos(), *t] for t in tokens])
        HistoryService(app.db).add(data[n][1], prompt=data[n][0])
        t = time.perf_counter()
        methods.build_profile(app, method)
        incremental_s = time.perf_counter() - t
        view, sv = ProfileService(app).steering_vector(method)
        from engine.steering.vectors import Steering

        plain, steered = decode_speeds(rt, Steering.at_layer(sv, view.layer, view.alpha or 1.0,
                                                             generated_only=True))
        app.close()
    return {
        "name": name,
        "gguf_mb": round(path.stat().st_size / 2**20, 1),
        "build_s": round(build_s, 1),
        "build_peak_rss_mb": round(peak_mb, 1),
        "history_tokens": sum(len(t) for t in tokens),
        "pp_pass_s": round(pp_s, 2),
        "build_over_pass": round(build_s / pp_s, 2) if pp_s else None,
        "incremental_s": round(incremental_s, 2),
        "chat_tok_s": round(plain, 2),
        "steered_over_plain": round(steered / plain, 3) if plain else None,
        "steering_on": bool(built.get("alpha")),
        "samples": n,
        "stages": built.get("timings", {}),
        **dps_row,
    }


def main() -> int:
    from models import NAMES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(NAMES))
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--method", default="steerx", choices=["steerx", "stylevector"])
    ap.add_argument("--no-dps", action="store_true", help="skip the DPS build")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    rows = []
    for name in names:
        if name not in NAMES:
            raise SystemExit(f"unknown model {name!r}; use {', '.join(NAMES)}")
        row = bench_model(name, args.samples, args.method, dps=not args.no_dps)
        rows.append(row)
        if not args.json:
            print(json.dumps(row))
    result = {"models": rows, "cpu_count": os.cpu_count(),
              "load_avg": round(os.getloadavg()[0], 2)}
    print(json.dumps(result) if args.json else json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
