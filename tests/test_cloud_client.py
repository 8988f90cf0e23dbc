"""The cloud client against real sockets: every failure gives one clear error."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.cloud import (
    CHAT,
    COMPLETIONS,
    CloudAuthError,
    CloudClient,
    CloudConfigError,
    CloudConnectionError,
    CloudNoLogprobsError,
    CloudNotFoundError,
    CloudProtocolError,
    CloudRateLimitError,
    CloudServerError,
    CloudTimeoutError,
    Endpoint,
)

KEY = "sk-test-KEY-0123456789"

LEGACY_OK = {
    "choices": [
        {
            "text": " Paris.",
            "finish_reason": "length",
            "logprobs": {
                "tokens": [" Paris", "."],
                "token_logprobs": [-0.2, -0.4],
                "top_logprobs": [{" Paris": -0.2, " the": -2.8}, {".": -0.4, ",": -1.6}],
            },
        }
    ]
}
CHAT_OK = {
    "choices": [
        {
            "message": {"role": "assistant", "content": "La"},
            "finish_reason": "length",
            "logprobs": {
                "content": [
                    {
                        "token": "La",
                        "logprob": -1.7,
                        "bytes": [76, 97],
                        "top_logprobs": [
                            {"token": "La", "logprob": -1.7, "bytes": [76, 97]},
                            {"token": "L", "logprob": -2.3, "bytes": [76]},
                        ],
                    }
                ]
            },
        }
    ]
}


class FakeServer:
    """A real HTTP server on 127.0.0.1 whose behaviour a test sets per request."""

    def __init__(self) -> None:
        self.behaviour = "ok"
        self.requests: list[dict] = []
        self.fail_first = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                n = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                outer.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                outer.handle(self, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def send(self, h, status: int, payload, headers: dict | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def handle(self, h, body) -> None:
        b = self.behaviour
        ok = CHAT_OK if h.path.endswith("/chat/completions") else LEGACY_OK
        if self.fail_first > 0:
            self.fail_first -= 1
            self.send(
                h,
                429 if b == "429-then-ok" else 503,
                {"error": {"message": "busy"}},
                {"Retry-After": "0"},
            )
            return
        if b == "ok" or b.endswith("-then-ok"):
            self.send(h, 200, ok)
        elif b == "stream":  # a slow llama.cpp server: a keep-alive comment, then events
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.end_headers()
            lp = LEGACY_OK["choices"][0]["logprobs"]
            chunks = [b": ping - 2026-12-07 16:00:00\r\n\r\n"]
            for i, tok in enumerate(lp["tokens"]):
                one = {"tokens": [tok], "token_logprobs": [lp["token_logprobs"][i]],
                       "top_logprobs": [lp["top_logprobs"][i]]}
                last = i == len(lp["tokens"]) - 1
                ev = {"choices": [{"text": tok, "logprobs": one,
                                   "finish_reason": "length" if last else None}]}
                chunks.append(b"data: " + json.dumps(ev).encode() + b"\r\n\r\n")
            chunks.append(b"data: [DONE]\r\n\r\n")
            for c in chunks:
                h.wfile.write(c)
                h.wfile.flush()
            h.close_connection = True
        elif b == "garbage":
            self.send(h, 200, b"<html>surely not json")
        elif b == "sleep":
            time.sleep(2.0)
            self.send(h, 200, ok)
        elif b == "401":
            self.send(h, 401, {"error": {"message": f"Incorrect API key provided: {KEY}"}})
        elif b == "404":
            self.send(h, 404, {"error": {"message": "The model `x` does not exist"}})
        elif b in ("429", "500"):
            self.send(h, int(b), {"error": {"message": "try later"}}, {"Retry-After": "0"})
        elif b == "nologprobs":
            self.send(h, 200, {"choices": [{"text": " Paris", "finish_reason": "length"}]})
        elif b == "badshape":
            self.send(h, 200, {"foo": 1})
        elif b == "reject-extra":
            if "repeat_penalty" in body:
                self.send(h, 400, {"error": {"message": "Unrecognized argument: repeat_penalty"}})
            else:
                self.send(h, 200, ok)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def client_for(url: str, **kw) -> CloudClient:
    kw.setdefault("timeout", 5.0)
    kw.setdefault("backoff", 0.01)
    return CloudClient(url, "m", KEY, **kw)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- endpoint rules ----
def test_tls_required_except_loopback():
    with pytest.raises(CloudConfigError, match="https"):
        Endpoint.parse("http://api.example.com/v1")
    assert Endpoint.parse("https://api.example.com/v1").api == "auto"
    assert Endpoint.parse("http://127.0.0.1:8080/v1/chat/completions") == Endpoint(
        "http://127.0.0.1:8080/v1", CHAT
    )
    assert Endpoint.parse("http://localhost:1/v1/completions").api == COMPLETIONS
    assert Endpoint.parse("http://[::1]:8000/v1").host == "::1"
    with pytest.raises(CloudConfigError, match="key store"):
        Endpoint.parse("https://user:pw@api.example.com/v1")
    with pytest.raises(CloudConfigError):
        Endpoint.parse("ftp://127.0.0.1/v1")
    with pytest.raises(CloudConfigError):
        Endpoint.parse("")


# ---- good answers in both formats ----
def test_parses_both_formats(server):
    with client_for(server.url) as c:
        comp = c.completions("The capital of France is", max_tokens=2, top_k=2)
        assert [s.chosen.text for s in comp.steps] == [" Paris", "."]
        assert comp.steps[0].top[1].text == " the"
        chat = c.chat([{"role": "user", "content": "hi"}], max_tokens=1, top_k=50)
        assert chat.steps[0].chosen.raw == b"La"
    req = server.requests[0]
    assert req["headers"]["Authorization"] == f"Bearer {KEY}"
    assert req["body"]["logprobs"] == 2 and req["body"]["temperature"] == 0
    assert server.requests[1]["body"]["top_logprobs"] == 20  # OpenAI's maximum


# ---- failures ----
def test_closed_port():
    t0 = time.perf_counter()
    with pytest.raises(CloudConnectionError, match="Cannot reach"):
        client_for(f"http://127.0.0.1:{closed_port()}/v1").completions("x", max_tokens=1, top_k=1)
    assert time.perf_counter() - t0 < 5


def test_sleeping_server_times_out(server):
    server.behaviour = "sleep"
    with pytest.raises(CloudTimeoutError, match=r"did not answer within 0\.5 s"):
        client_for(server.url, timeout=0.5).completions("x", max_tokens=1, top_k=1)


def test_garbage_answer(server):
    server.behaviour = "garbage"
    with pytest.raises(CloudProtocolError, match="not JSON"):
        client_for(server.url).completions("x", max_tokens=1, top_k=1)
    server.behaviour = "badshape"
    with pytest.raises(CloudProtocolError, match="choices"):
        client_for(server.url).completions("x", max_tokens=1, top_k=1)


def test_401_is_clear_and_never_echoes_the_key(server):
    server.behaviour = "401"
    with pytest.raises(CloudAuthError) as e:
        client_for(server.url).completions("x", max_tokens=1, top_k=1)
    assert "API key" in str(e.value) and KEY not in str(e.value)
    assert len(server.requests) == 1  # no retry on 401


def test_404(server):
    server.behaviour = "404"
    with pytest.raises(CloudNotFoundError, match="check the URL and the model name"):
        client_for(server.url).chat([{"role": "user", "content": "x"}], max_tokens=1, top_k=1)


def test_429_retried_with_backoff_then_succeeds(server):
    server.behaviour, server.fail_first = "429-then-ok", 2
    comp = client_for(server.url, retries=3).completions("x", max_tokens=2, top_k=2)
    assert len(comp.steps) == 2 and len(server.requests) == 3


def test_429_persisting_gives_up(server):
    server.behaviour = "429"
    with pytest.raises(CloudRateLimitError, match="429"):
        client_for(server.url, retries=2).completions("x", max_tokens=1, top_k=1)
    assert len(server.requests) == 3


def test_5xx_retried_then_clear_error(server):
    server.behaviour, server.fail_first = "503-then-ok", 1
    assert client_for(server.url).completions("x", max_tokens=1, top_k=1).steps
    server.behaviour = "500"
    with pytest.raises(CloudServerError, match="HTTP 500"):
        client_for(server.url, retries=1).completions("x", max_tokens=1, top_k=1)


def test_no_logprobs_support(server):
    server.behaviour = "nologprobs"
    with pytest.raises(CloudNoLogprobsError, match="log-probabilities"):
        client_for(server.url).completions("x", max_tokens=1, top_k=1)


def test_server_rejecting_llama_cpp_extras_gets_them_dropped(server):
    server.behaviour = "reject-extra"
    c = client_for(server.url, extra_body={"repeat_penalty": 1.0})
    assert c.completions("x", max_tokens=2, top_k=2).steps
    assert "repeat_penalty" not in server.requests[-1]["body"]
    assert len(server.requests) == 2


def test_a_streamed_completion_reads_the_same_steps_after_keep_alive_comments(server):
    c = CloudClient(server.url, "m", retries=0)
    whole = c.completions("The capital", max_tokens=2, top_k=2)
    server.behaviour = "stream"
    streamed = c.completions_stream("The capital", max_tokens=2, top_k=2)
    steps = list(streamed)
    assert server.requests[-1]["body"]["stream"] is True
    assert steps == whole.steps and streamed.finish_reason == "length"
    assert streamed.text == " Paris."
    # a server that ignores `stream` answers whole: read as the plain request reads it
    server.behaviour = "ok"
    assert c.completions_stream("The capital", max_tokens=2, top_k=2).steps == whole.steps
    server.behaviour = "garbage"
    with pytest.raises(CloudProtocolError):
        c.completions_stream("The capital", max_tokens=2, top_k=2)
    c.close()
