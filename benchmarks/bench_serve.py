"""`assistant serve` speed and load: the server against the in-process turn, then a flood.

Prints, in one run:
1. decode tokens/s of a streamed chat reply through the server (the official `openai`
   client on 127.0.0.1, in a process of its own as another app would be; `--same-process`
   runs it in this one) and of the same `ApiTurn` in this process, same prompt, settings
   and seed, rounds alternating; medians and their ratio (goal >= 0.95);
2. eight concurrent clients for `--flood-s` seconds against a queue of 4: every request
   is answered (200) or refused (429 with Retry-After), none lost, none failed, and the
   process's resident memory at the start and the end of the flood.

    python benchmarks/bench_serve.py [--rounds 5] [--max-tokens 128] [--flood-s 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def thread_cpu_s(native_id: int) -> float | None:
    """CPU seconds one thread of this process has used (Linux; None elsewhere)."""
    try:
        stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def through_server(client, max_tokens: int, seed: int) -> tuple[float, int]:
    """(decode tokens/s from the first token on, tokens) of one streamed reply."""
    first = last = None
    tokens = 0
    for chunk in client.chat.completions.create(
            model="voice-assistant:plain", messages=[{"role": "user", "content": PROMPT}],
            max_tokens=max_tokens, seed=seed, stream=True,
            stream_options={"include_usage": True}):
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
    return (tokens - 1) / (last - first) if last and first and last > first else 0.0, tokens


def client_process(url: str, token: str, max_tokens: int,
                   seed: int) -> tuple[float, float, int]:
    """`through_server` run by another Python process (the client's parsing then costs the
    server no interpreter time, as with a real app): (tokens/s, the client's CPU seconds
    per token while it streamed, which it takes from the same cores as the model, tokens)."""
    import subprocess

    r = subprocess.run([sys.executable, __file__, "--client", url, token, str(max_tokens),
                        str(seed)], capture_output=True, text=True, timeout=300, check=True)
    rate, cpu_per_token, tokens = r.stdout.strip().splitlines()[-1].split()
    return float(rate), float(cpu_per_token), int(tokens)


def in_process(app, max_tokens: int, seed: int) -> tuple[float, int]:
    from assistant.chat.turn import ApiRequest, ApiTurn

    turn = ApiTurn(app, ApiRequest(messages=[{"role": "user", "content": PROMPT}],
                                   method="none", sampling={"max_tokens": max_tokens,
                                                            "seed": seed}))
    turn.start()
    first = last = None
    for piece in turn.stream():
        if piece:
            now = time.perf_counter()
            first = first or now
            last = now
    n = turn.summary().completion_tokens
    return (n - 1) / (last - first) if last and first and last > first else 0.0, n


def flood(url: str, token: str, seconds: float, clients: int = 8) -> dict:
    import httpx

    counts = {"sent": 0, "answered": 0, "refused_429": 0, "errors": 0, "no_retry_after": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one_client() -> None:
        with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {token}"}) as c:
            while time.monotonic() < stop:
                with lock:
                    counts["sent"] += 1
                try:
                    r = c.post(url + "/chat/completions", json={
                        "model": "voice-assistant:plain", "max_tokens": 24,
                        "messages": [{"role": "user", "content": PROMPT}]})
                except httpx.HTTPError:
                    with lock:
                        counts["errors"] += 1
                    continue
                with lock:
                    if r.status_code == 200 and r.json()["choices"][0]["message"]["content"]:
                        counts["answered"] += 1
                    elif r.status_code == 429:
                        counts["refused_429"] += 1
                        counts["no_retry_after"] += "retry-after" not in r.headers
                    else:
                        counts["errors"] += 1
                if r.status_code == 429:
                    time.sleep(min(1.0, float(r.headers.get("retry-after", 1))))

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts["lost"] = counts["sent"] - counts["answered"] - counts["refused_429"] - \
        counts["errors"]
    return counts


def main() -> int:
    if sys.argv[1:2] == ["--client"]:  # the client process of `client_process`
        import openai

        url, token, n, seed = sys.argv[2:6]
        c = openai.OpenAI(base_url=url, api_key=token, max_retries=0)
        cpu0 = time.process_time()
        rate, tokens = through_server(c, int(n), int(seed))
        print(rate, (time.process_time() - cpu0) / max(tokens, 1), tokens)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--flood-s", type=float, default=60)
    ap.add_argument("--same-process", action="store_true",
                    help="run the client in this process (its parsing competes with the server)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import openai
    import psutil

    from assistant.app import AppContext
    from assistant.serve.server import Server
    from assistant.serve.worker import ModelWorker

    home = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "home"
    token = "va-bench-" + os.urandom(8).hex()
    worker = ModelWorker(lambda: AppContext(home), capacity=4)
    server = Server(worker, lambda: token, 0)
    worker.start()
    server.start()
    local = AppContext(home)
    client = openai.OpenAI(base_url=server.url, api_key=token, max_retries=0)
    try:
        through_server(client, 8, 0)  # warm both paths up
        in_process(local, 8, 0)
        served, inproc, client_cpu = [], [], []
        loop_cpu0, loop_tokens = thread_cpu_s(server.native_id), 0
        for i in range(args.rounds):
            if args.same_process:
                rate, n = through_server(client, args.max_tokens, 100 + i)
            else:
                rate, per_token, n = client_process(server.url, token, args.max_tokens,
                                                    100 + i)
                client_cpu.append(per_token)
            served.append(rate)
            loop_tokens += n
            inproc.append(in_process(local, args.max_tokens, 100 + i)[0])
        # The event loop's CPU over the served rounds (it idles during the in-process ones).
        loop_cpu1 = thread_cpu_s(server.native_id)
        loop_ms = (1000 * (loop_cpu1 - loop_cpu0) / loop_tokens
                   if loop_cpu0 is not None and loop_cpu1 is not None else None)
        local.close_runtime()  # only the server's model stays for the flood
        proc = psutil.Process()
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:  # resident memory every tenth of the flood
            while len(samples) < 10 and not done.wait(args.flood_s / 10):
                samples.append(proc.memory_info().rss / 2**20)

        sampler = threading.Thread(target=sample)
        rss_start = proc.memory_info().rss / 2**20
        sampler.start()
        counts = flood(server.url, token, args.flood_s)
        done.set()
        sampler.join()
        rss_end = proc.memory_info().rss / 2**20
    finally:
        server.stop()
        worker.stop()
        local.close()
    s_med, i_med = statistics.median(served), statistics.median(inproc)
    out = {
        "serve_tokens_per_s": round(s_med, 2), "inprocess_tokens_per_s": round(i_med, 2),
        "ratio": round(s_med / i_med, 3) if i_med else None, "rounds": args.rounds,
        "client": "this process" if args.same_process else "another process",
        # Where the gap goes, per token: the server's event loop and the client's parsing
        # both run on the cores the model's threads use (the in-process turn pays neither).
        "serve_loop_cpu_ms_per_token": round(loop_ms, 3) if loop_ms is not None else None,
        "client_cpu_ms_per_token": (round(1000 * statistics.median(client_cpu), 3)
                                    if client_cpu else None),
        "decode_ms_per_token": round(1000 / i_med, 2) if i_med else None,
        "max_tokens": args.max_tokens, "flood_clients": 8, "flood_s": args.flood_s,
        "flood_sent": counts["sent"], "flood_answered": counts["answered"],
        "flood_refused_429": counts["refused_429"], "flood_errors": counts["errors"],
        "flood_lost": counts["lost"], "flood_429_without_retry_after": counts["no_retry_after"],
        "rss_start_mb": round(rss_start, 1), "rss_end_mb": round(rss_end, 1),
        "rss_growth_mb": round(rss_end - rss_start, 1),
        # After the first tenth (the first requests' buffers): what a leak would grow.
        "rss_growth_after_warmup_mb": round(rss_end - samples[0], 1) if samples else None,
        "rss_samples_mb": [round(x) for x in samples],
    }
    print(f"decode tokens/s  server {s_med:.2f}  in-process {i_med:.2f}  "
          f"ratio {out['ratio']} (goal >= 0.95; {args.rounds} rounds of {args.max_tokens})")
    print(f"per token: decode {out['decode_ms_per_token']} ms in process; CPU of the "
          f"server's event loop {out['serve_loop_cpu_ms_per_token']} ms, of the client "
          f"{out['client_cpu_ms_per_token']} ms")
    print(f"flood: 8 clients x {args.flood_s:.0f} s: {counts['sent']} sent, "
          f"{counts['answered']} answered, {counts['refused_429']} refused with 429, "
          f"{counts['errors']} failed, {counts['lost']} lost")
    print(f"memory: {rss_start:.0f} MiB at the flood's start, {rss_end:.0f} MiB at its end "
          f"(every tenth: {out['rss_samples_mb']})")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
