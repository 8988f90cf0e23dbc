"""The probe's serve cases, table-driven, against a real `assistant serve` process on
127.0.0.1 with the real default model: a client's mistake is a 4xx (never a 500), a
request over the message cap is refused naming the cap, a 10,000-message request is
served, and SIGTERM/SIGINT mid-request gives the client a clean error and the process
exits within 2 s, with no traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.serve.protocol import MAX_MESSAGES
from tests.conftest import REPO

pytestmark = pytest.mark.slow


class ServeProcess:
    """`assistant serve --port 0 --json` without a keyring (it prints its run's token)."""

    def __init__(self, home: Path) -> None:
        env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONUNBUFFERED": "1",
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", "0", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        self.ready = json.loads(self.proc.stdout.readline())
        self.stderr_lines: list[str] = []
        self.token = None
        while self.token is None:
            line = self.proc.stderr.readline()
            assert line, "the server ended before printing its token"
            self.stderr_lines.append(line)
            m = re.search(r"token is (\S+)", line)
            self.token = m.group(1) if m else None
        self.url = self.ready["url"]

    def post(self, route: str, body: bytes | dict, timeout: float = 120) -> httpx.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(f"{self.url}{route}", content=data, timeout=timeout,
                          headers={"Authorization": f"Bearer {self.token}",
                                   "Content-Type": "application/json"})

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
        _out, err = self.proc.communicate(timeout=30)
        return "".join(self.stderr_lines) + err


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    run = ServeProcess(tmp_path_factory.mktemp("probe-serve") / "home")
    yield run
    run.stop()


def _chat(content: str = "hi", **extra) -> dict:
    return {"model": "voice-assistant:plain", "max_tokens": 2,
            "messages": [{"role": "user", "content": content}], **extra}


def _raw_chat(content_json: str) -> bytes:
    """A body whose message content is written as raw JSON (escapes kept as sent)."""
    return ('{"model": "voice-assistant:plain", "max_tokens": 2, "messages": '
            '[{"role": "user", "content": ' + content_json + '}]}').encode()


DEEP = 100_000
BAD_REQUESTS = {
    # The probe's two 500s.
    "lone surrogate in a message": (_raw_chat('"hello \\ud83d there"'), 400, "surrogate"),
    "100,000-deep JSON under 1 MiB": (b"[" * DEEP + b"]" * DEEP, 400, "nested"),
    # Their class: a lone surrogate anywhere, nesting deep inside a valid request.
    "lone surrogate in the model name": (
        b'{"model": "voice-assistant\\udc00", "messages": [{"role": "user", "content": "x"}]}',
        400, "surrogate"),
    "lone surrogate in a stop string": (
        json.dumps(_chat(stop=["@@"])).replace("@@", "\\udfff").encode(), 400, "surrogate"),
    "lone surrogate in a key": (
        json.dumps(_chat(voice_assistant={"@@": 1})).replace("@@", "\\ud800").encode(), 400,
        "surrogate"),
    "lone low surrogate in a content part": (
        b'{"model": "voice-assistant:plain", "messages": [{"role": "user", "content": '
        b'[{"type": "text", "text": "\\udc80"}]}]}', 400, "surrogate"),
    "200-deep object in an extension field": (
        json.dumps(_chat(voice_assistant={})).replace(
            "{}", '{"a": ' * 200 + "1" + "}" * 200).encode(), 400, "nested"),
    "completions prompt with a lone surrogate": (
        b'{"model": "voice-assistant:plain", "prompt": "x\\ud83d", "max_tokens": 1}', 400,
        "surrogate"),
    # The cap on messages per request, named in the refusal.
    "one message over the cap": (
        json.dumps({"model": "voice-assistant:plain", "max_tokens": 1,
                    "messages": [{"role": "user", "content": "a"}] * (MAX_MESSAGES + 1)}
                   ).encode(), 413, f"{MAX_MESSAGES:,}"),
    # Cases that passed before and must stay 4xx.
    "not JSON": (b"{nope", 400, "not valid JSON"),
    "invalid UTF-8 bytes": (b'{"model": "\xff\xfe"}', 400, "not valid JSON"),
    "a list body": (b"[]", 400, "JSON object"),
    "unknown model": (json.dumps(_chat() | {"model": "gpt-9"}).encode(), 400, "Unknown model"),
    "n above 1": (json.dumps(_chat(n=3)).encode(), 400, "one choice"),
    "no messages": (json.dumps({"model": "voice-assistant:plain", "messages": []}).encode(),
                    400, "non-empty"),
    "a body over 1 MiB": (b'{"pad": "' + b"x" * (1 << 20) + b'"}', 413, "larger than"),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_a_clients_mistake_is_a_4xx_naming_it(server, name):
    body, status, words = BAD_REQUESTS[name]
    route = "/completions" if b'"prompt"' in body[:200] else "/chat/completions"
    r = server.post(route, body)
    assert r.status_code == status, (name, r.status_code, r.text[:300])
    assert words in r.json()["error"]["message"], r.text[:300]


def test_ten_thousand_messages_are_served_and_the_server_stays_free(server):
    msgs = []
    for i in range(MAX_MESSAGES - 1):
        msgs.append({"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}"})
    msgs.append({"role": "user", "content": "Say yes."})
    t0 = time.monotonic()
    r = server.post("/chat/completions", {"model": "voice-assistant:plain", "max_tokens": 1,
                                          "temperature": 0, "messages": msgs})
    took = time.monotonic() - t0
    assert r.status_code == 200, r.text[:300]
    # Fitting is linear now; the rest is one prompt of the context's size on a small model.
    assert took < 60, took
    assert server.post("/chat/completions", _chat()).status_code == 200  # free again


LONG = {"model": "voice-assistant:plain", "max_tokens": 3000, "temperature": 0.7,
        "messages": [{"role": "user", "content": "Write a very long story about a dragon, "
                      "at least 2000 words."}]}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_a_signal_mid_request_ends_it_cleanly_and_fast(home, sig, stream):
    run = ServeProcess(home)
    got: dict = {}

    def ask() -> None:
        try:
            if stream:
                with httpx.stream("POST", f"{run.url}/chat/completions", timeout=60,
                                  json={**LONG, "stream": True},
                                  headers={"Authorization": f"Bearer {run.token}"}) as r:
                    got["status"] = r.status_code
                    got["lines"] = []
                    for line in r.iter_lines():
                        got["lines"].append(line)
            else:
                r = run.post("/chat/completions", LONG, timeout=60)
                got["status"], got["body"] = r.status_code, r.json()
        except httpx.HTTPError as exc:  # the connection dropped: not a clean error
            got["error"] = repr(exc)

    client = threading.Thread(target=ask)
    client.start()
    time.sleep(2.5)  # the reply is being written
    assert run.proc.poll() is None
    t0 = time.monotonic()
    run.proc.send_signal(sig)
    run.proc.wait(timeout=30)
    exited_in = time.monotonic() - t0
    client.join(timeout=30)
    err = run.stop()
    assert exited_in < 2.0, exited_in
    assert "Traceback" not in err and "Event loop is closed" not in err, err[-2000:]
    assert "error" not in got, got
    if stream:
        assert got["status"] == 200
        data = [ln for ln in got["lines"] if ln.startswith("data:")]
        assert any("server is stopping" in ln for ln in data), data[-3:]
    else:
        assert got["status"] == 503, got
        assert "server is stopping" in got["body"]["error"]["message"]
