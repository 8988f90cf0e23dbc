"""Cloud collaboration (CoSteer) against a local llama-cpp-python server as the remote.

Part 1, speed: tokens, remote requests per token and tokens/s for plain CoSteer
(one round trip per token, lookahead 1: 1.0 by construction) and for speculative
prefix acceptance (ask for several tokens, keep the prefix the steered choice
agrees with; goal under 0.3 requests per token), read whole (before) and streamed
(the tokens checked as they arrive, the request closed at the first disagreement).
`--latency-ms 80` puts a proxy with that round trip in front of the server; the
`--json` file carries `speedup_80ms` (exact speculative over plain tokens/s at 80 ms)
and `requests_per_token_exact`, and per configuration how much of its text is the
exact configuration's (`word_overlap_with_exact`: what the margin changes).

Part 2, quality: `assistant eval --methods none,costeer` on the first rows of
the shared CoGenesis `paper_dev.json` (real authors: six earlier abstracts as
the writing history, a title as the task), with the remote = the same local
server: ROUGE-1, ROUGE-L and METEOR against the author's real abstract.

    python benchmarks/bench_cloud.py [--rows 4] [--max-tokens 128] [--speed-tokens 64]
                                     [--remote URL] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("COGENESIS_DIR", REPO.parent / "shared" / "data" / "cogenesis"))
if not DATA.exists():
    DATA = Path("/work/shared/data/cogenesis")

SPEED_TASKS = [
    "Write a short note about rainy days and cats.",
    "Give me three tips for writing a clear email to a colleague.",
    "Describe a quiet morning in a small seaside town.",
]
SPEED_HISTORY = [
    (
        "Tell me about your cat",
        "My cat Miso naps on the radiator every afternoon. She purrs "
        "like a tiny engine and judges everyone who walks past.",
    ),
    (
        "Describe your day",
        "Rain again. The cat glares at the window. I make tea, read two "
        "chapters, and call it a productive Sunday.",
    ),
    (
        "Write to a colleague",
        "Hi Sam, quick one: can we move Thursday's sync to 3pm? Short and sweet, thanks!",
    ),
]


class Bench:
    """One temp data folder per user; the runtime is loaded once and shared."""

    def __init__(self, runtime, remote: str) -> None:
        self.runtime = runtime
        self.remote = remote
        self.tmp = tempfile.TemporaryDirectory()
        self.n = 0

    def run(self, history, task, max_tokens, **svc_kw) -> tuple[str, dict]:
        from assistant.app import AppContext
        from assistant.chat.conversations import ChatService
        from assistant.cloud.service import CloudService
        from assistant.settings import update_setting
        from assistant.writing.history import HistoryService

        self.n += 1
        app = AppContext(Path(self.tmp.name) / f"h{self.n}")
        try:
            h = HistoryService(app.db)
            for prompt, text in history:
                h.add(text, prompt=prompt, source="file")
            svc = CloudService(app, **svc_kw)
            # The same model on both sides: its template is the local one; the mode is the
            # one `cloud set --template local` finds (not probed again for every run).
            svc.configure(self.remote, "smollm2", template="local", check=False)
            update_setting(app.db, "cloud_mode", "completions")
            chat = ChatService(app.db, app.settings.system_prompt)
            turn = chat.begin_turn(None, task, model_name=self.runtime.model_name)
            chat.set_cloud(turn.conversation_id, True)
            pieces, reply = svc.generate(
                chat, turn, self.runtime, app.sampling(max_tokens=max_tokens, seed=0)
            )
            text = "".join(pieces)
            return text, reply.stats.as_dict()
        finally:
            app.close()


class DelayProxy:
    """A forwarding proxy on 127.0.0.1 that holds every request for `delay_s` first: the
    round trip of a real network (the loopback server answers in microseconds)."""

    def __init__(self, target: str, delay_s: float) -> None:
        import http.server
        import threading
        import time

        import httpx

        base = target.rstrip("/")
        root = base[: -len("/v1")] if base.endswith("/v1") else base
        client = httpx.Client(timeout=120)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_a) -> None:
                pass

            def _forward(self, method: str) -> None:
                """Held for the round trip, then streamed through as the server writes it
                (a client that hangs up mid-stream is passed on: the server stops)."""
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay_s)
                with client.stream(method, root + self.path, content=body or None,
                                   headers={"Content-Type": "application/json"}) as r:
                    self.send_response(r.status_code)
                    self.send_header("Content-Type",
                                     r.headers.get("content-type", "application/json"))
                    self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                    try:
                        for chunk in r.iter_raw():
                            self.wfile.write(chunk)
                            self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def do_POST(self) -> None:  # noqa: N802
                self._forward("POST")

            def do_GET(self) -> None:  # noqa: N802
                self._forward("GET")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


PLAIN = "plain CoSteer (1 token/request)"
EXACT_UNSTREAMED = "speculative, exact argmax, not streamed (before)"
EXACT = "speculative, exact argmax, streamed"
DEFAULT = "speculative, margin 0.5, streamed (default)"


def speed(bench: Bench, max_tokens: int) -> list[dict]:
    """Each configuration on the same tasks; the texts are compared with the exact
    (lossless) configuration's, to say how much the margin changes the output."""
    configs = {
        PLAIN: {"lookahead": 1, "max_lookahead": 1, "accept_margin": 0.0, "stream": False},
        EXACT_UNSTREAMED: {"accept_margin": 0.0, "stream": False},
        EXACT: {"accept_margin": 0.0},
        DEFAULT: {},
    }
    rows = []
    texts: dict[str, list[str]] = {}
    for name, kw in configs.items():
        tot = {
            "tokens": 0,
            "remote_requests": 0,
            "seconds": 0.0,
            "remote_seconds": 0.0,
            "local_seconds": 0.0,
            "agreed": 0,
        }
        for task in SPEED_TASKS:
            text, st = bench.run(SPEED_HISTORY, task, max_tokens, **kw)
            texts.setdefault(name, []).append(text)
            tot["tokens"] += st["tokens"]
            tot["remote_requests"] += st["remote_requests"]
            tot["seconds"] += st["seconds"]
            tot["remote_seconds"] += st["remote_seconds"]
            tot["local_seconds"] += st["local_seconds"]
            tot["agreed"] += st["agreed_tokens"]
        rows.append(
            {
                "config": name,
                "tokens": tot["tokens"],
                "remote_requests": tot["remote_requests"],
                "requests_per_token": round(tot["remote_requests"] / max(1, tot["tokens"]), 3),
                "agreement": round(tot["agreed"] / max(1, tot["tokens"]), 3),
                "tokens_per_s": round(tot["tokens"] / max(1e-9, tot["seconds"]), 2),
                "remote_s_per_token": round(tot["remote_seconds"] / max(1, tot["tokens"]), 3),
                "local_s_per_token": round(tot["local_seconds"] / max(1, tot["tokens"]), 3),
                **same_as_exact(texts.get(EXACT_UNSTREAMED, []), texts[name]),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def same_as_exact(exact: list[str], got: list[str]) -> dict:
    """How far `got` follows the exact-argmax texts: the share of replies identical, and
    the mean share of words in the longest matching blocks (difflib)."""
    import difflib

    if not exact or len(exact) != len(got):
        return {}
    ratios = [difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False).ratio()
              for a, b in zip(exact, got, strict=True)]
    return {"identical_to_exact": round(sum(a == b for a, b in zip(exact, got, strict=True))
                                        / len(got), 3),
            "word_overlap_with_exact": round(sum(ratios) / len(ratios), 3)}


def summary(rows: list[dict]) -> dict:
    """The two goal numbers at an 80 ms round trip: the lossless (exact) speculative
    protocol's tokens/s over one-request-a-token, and its requests per token."""
    at = {r["config"]: r for r in rows if r["latency_ms"] == 80}
    if PLAIN not in at or EXACT not in at:
        return {}
    plain = at[PLAIN]["tokens_per_s"] or 1e-9
    return {"speedup_80ms": round(at[EXACT]["tokens_per_s"] / plain, 2),
            "speedup_80ms_default": round(at[DEFAULT]["tokens_per_s"] / plain, 2),
            "speedup_80ms_unstreamed": round(at[EXACT_UNSTREAMED]["tokens_per_s"] / plain, 2),
            "requests_per_token_exact": at[EXACT]["requests_per_token"]}


def quality(remote: str, n_rows: int, max_tokens: int) -> dict:
    """`assistant eval --methods none,costeer` on the first rows of paper_dev.json.

    The eval runs as its own process in a temporary data folder whose cloud
    setting points at `remote`: the same code path a user's `assistant eval` takes.
    `none` is the local model alone (the same model as the remote here).
    """
    with tempfile.TemporaryDirectory() as home:
        base = [sys.executable, "-m", "assistant", "--home", home]
        subprocess.run([*base, "cloud", "set", "--url", remote, "--model", "smollm2",
                        "--template", "local"], check=True, stdout=subprocess.DEVNULL)
        r = subprocess.run(
            [*base, "eval", "--data", str(DATA / "paper_dev.json"), "--methods", "none,costeer",
             "--limit", str(n_rows), "--max-tokens", str(max_tokens), "--json"],
            capture_output=True, text=True,
        )
        if r.returncode != 0:
            raise SystemExit(f"assistant eval failed: {r.stderr.strip().splitlines()[-1:]}")
        print(r.stdout.rsplit("\n", 2)[0], flush=True)  # the readable table
        return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=128, help="per quality row")
    ap.add_argument("--speed-tokens", type=int, default=64)
    ap.add_argument("--remote", help="an existing OpenAI-compatible base URL (default: start one)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="local llama.cpp threads (1: the local model and the server share 2 cores)",
    )
    ap.add_argument("--latency-ms", type=float, nargs="*", default=[0.0],
                    help="round trips to simulate, each a speed run (e.g. 0 50 150)")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args()

    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.llama_server import LlamaServer
    from engine.runtime.llamacpp import LlamaRuntime

    model = embedded_model_path()
    server = None
    remote = args.remote
    if not remote:
        server = LlamaServer(model, n_ctx=2048).start()
        remote = server.url
    try:
        runtime = LlamaRuntime(model, n_ctx=2048, n_threads=args.threads)
        bench = Bench(runtime, remote)
        load = os.getloadavg()[0]
        print(f"remote {remote}; local {runtime.model_name}; load average {load:.1f}")
        out: dict = {"load_average": load, "speed": []}
        for ms in args.latency_ms:
            proxy = DelayProxy(remote, ms / 1000) if ms > 0 else None
            bench.remote = proxy.url if proxy else remote
            print(f"-- round trip {ms:g} ms", flush=True)
            try:
                rows = speed(bench, args.speed_tokens)
            finally:
                if proxy:
                    proxy.close()
            out["speed"] += [{"latency_ms": ms, **r} for r in rows]
        out.update(summary(out["speed"]))
        print(json.dumps({k: v for k, v in out.items() if k != "speed"}), flush=True)
        bench.remote = remote
        if not args.skip_quality:
            out["quality"] = quality(remote, args.rows, args.max_tokens)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1))
        return 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
