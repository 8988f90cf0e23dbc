"""CoSteer end to end against a real llama-cpp-python server on 127.0.0.1.

Every request goes through a small logging reverse proxy that records the raw
request (request line, headers, body) and can be told to fail, so the privacy
and failure tests see exactly what left the process.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from engine.runtime.llama_server import LlamaServer, ServerDidNotStart, free_port

HISTORY_MARK = "ZEBRAQUARTZ41"
PROFILE_MARK = "PROFILEMARK77"
SYSTEM_MARK = "SYSMARK55"
KEY_MARK = "sk-KEYMARK99-secret"
TASK = "Write a short note about rainy days and cats."


class FileKeyring(KeyringBackend):
    """A keyring backend for the CLI tests (PYTHON_KEYRING_BACKEND): a JSON file."""

    # keyring registers every backend subclass on import and picks the best viable
    # one for the whole process: only be viable in the CLI subprocess that asks for
    # it, or collecting this module would hijack every other test's keyring.
    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        if "TEST_KEYRING_FILE" not in os.environ:
            raise RuntimeError("FileKeyring is only for the cloud CLI test")
        return 1

    def _path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _load(self) -> dict:
        p = self._path()
        return json.loads(p.read_text()) if p.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        d = self._load()
        d[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(d))

    def delete_password(self, service, username):
        d = self._load()
        if d.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not there")
        self._path().write_text(json.dumps(d))


@pytest.fixture(scope="module")
def llama_server(model_path, tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server with the default model: the remote."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    try:
        with LlamaServer(model_path, n_ctx=1024, log_path=log, start_timeout=60) as server:
            yield server.url.removesuffix("/v1")
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


class LoggingProxy:
    """Records every raw request; forwards to `upstream` or fails as told.

    `fail` is one of None, "503", "429", "401", "garbage", "nologprobs", "sleep",
    "close"; it applies once `fail_after` requests have been forwarded.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.URL(upstream)
        self.raw: list[bytes] = []
        self.fail: str | None = None
        self.fail_after = 0
        self.forwarded = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.handle(self, b"")

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length") or 0)
                outer.handle(self, self.rfile.read(n))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def reply(self, h, status: int, data: bytes) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def handle(self, h, body: bytes) -> None:
        lines = [h.requestline, *(f"{k}: {v}" for k, v in h.headers.items())]
        self.raw.append("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
        if self.fail and self.forwarded >= self.fail_after:
            err = {"error": {"message": "nope"}}
            if self.fail in ("503", "429", "401"):
                return self.reply(h, int(self.fail), json.dumps(err).encode())
            if self.fail == "garbage":
                return self.reply(h, 200, b"<html>garbage")
            if self.fail == "nologprobs":
                data = {"choices": [{"text": " Hello", "finish_reason": "length"}]}
                return self.reply(h, 200, json.dumps(data).encode())
            if self.fail == "sleep":
                time.sleep(2.0)
                return self.reply(h, 503, b"{}")
            if self.fail == "close":
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
                return None
        self.forwarded += 1
        conn = http.client.HTTPConnection(self.upstream.host, self.upstream.port, timeout=120)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(h.command, h.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.reply(h, resp.status, data)
        return None

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(llama_server):
    p = LoggingProxy(llama_server)
    yield p
    p.close()


@pytest.fixture(scope="module")
def shared_runtime(llama_runtime):
    return llama_runtime


def store_active_profile(app, description: str) -> None:
    """A built, active profile row, as `profile build` leaves it (vectors are not read here)."""
    import numpy as np

    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.gguf_info import read_gguf_info
    from store.models import Profile

    info = read_gguf_info(embedded_model_path())
    with app.db.session() as s:
        s.add(Profile(
            method="steerx", model_name=info.name, model_fingerprint=info.fingerprint,
            n_layer=info.n_layer, n_embd=info.n_embd, layer=12, alpha=1.0,
            description=description, preference_tokens=[], n_samples=3, item_hashes=[],
            vectors=np.zeros((info.n_layer, info.n_embd), dtype="<f4").tobytes(),
            active=True, meta={},
        ))


def make_service(app, url: str, **kw):
    """A cloud service on `app`, whose active profile's description carries PROFILE_MARK."""
    from assistant.cloud.service import CloudService
    from assistant.profile.service import ProfileService

    if ProfileService(app).active_method() is None:
        store_active_profile(app, f"Writes warmly about cats. {PROFILE_MARK}")
    kw.setdefault("api_key", KEY_MARK)
    kw.setdefault("retries", 0)
    kw.setdefault("timeout", 30.0)
    svc = CloudService(app, **kw)
    # The remote serves the local model: its template is the local one. The mode is set
    # as the probe would find it for this route (tests/test_cloud_remote.py probes), so
    # that a proxy failing on purpose meets the first reply, not the probe.
    svc.configure(url, "smollm2", template="local", check=False)
    from assistant.settings import update_setting

    update_setting(app.db, "cloud_mode",
                   "chat" if url.rstrip("/").endswith("/chat/completions") else "completions")
    return svc


def seed_history(app) -> None:
    from assistant.writing.history import HistoryService

    h = HistoryService(app.db)
    h.add(f"Rainy days are for cats and tea. {HISTORY_MARK} is my word.", prompt="rainy days cats")
    h.add("My cat naps all afternoon when it rains.", prompt="Tell me about your cat")


def run_turn(app, svc, runtime, *, max_tokens=12, allow=False, text=TASK):
    from assistant.chat.conversations import ChatService

    chat = ChatService(app.db, app.settings.system_prompt)
    turn = chat.begin_turn(None, text, model_name=runtime.model_name)
    chat.set_cloud(turn.conversation_id, True)
    pieces, reply = svc.generate(
        chat,
        turn,
        runtime,
        app.sampling(max_tokens=max_tokens, seed=1),
        allow_local_fallback=allow,
    )
    return chat, turn, pieces, reply


# ---- steered generation ----
def test_steered_generation_end_to_end(app, proxy, shared_runtime):
    seed_history(app)
    svc = make_service(app, proxy.url + "/v1")
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=16)
    text = "".join(pieces)
    st = reply.stats
    assert text.strip() and turn.status == "complete"
    assert st.tokens > 0 and 1 <= st.remote_requests <= st.tokens
    assert st.vocab_match == "shared"
    assert st.agreed_tokens + st.steered_tokens == st.tokens
    assert chat.messages(turn.conversation_id)[-1].content == text


def test_beta_zero_reproduces_the_remote_greedy_reply(app, proxy, shared_runtime, llama_server):
    from engine.methods.costeer import CoSteerConfig

    seed_history(app)
    svc = make_service(app, proxy.url + "/v1", config=CoSteerConfig(beta=0.0), presence_penalty=0.0)
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=20)
    text = "".join(pieces)
    prompt = shared_runtime.format_chat([{"role": "user", "content": TASK}])
    own = httpx.post(
        f"{llama_server}/v1/completions",
        json={
            "prompt": prompt.text,
            "max_tokens": 20,
            "temperature": 0,
            "repeat_penalty": 1.0,
            "stop": prompt.stop,
        },
        timeout=60,
    ).json()["choices"][0]["text"]
    assert text == own
    assert reply.stats.steered_tokens == 0
    assert reply.stats.remote_requests <= 2  # 8 tokens, then 16: not one per token


def test_streamed_requests_write_the_reply_the_whole_ones_write(app, proxy, shared_runtime):
    """Streamed: tokens checked as they arrive, each request closed at its first
    disagreement. Lossless: the same reply and choices as whole answers, in fewer
    requests (one long request per disagreement, not a lookahead that must grow)."""
    seed_history(app)
    got = {}
    for stream in (False, True):
        proxy.raw.clear()
        svc = make_service(app, proxy.url + "/v1", accept_margin=0.0, stream=stream)
        _chat, _turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=40)
        bodies = [json.loads(r.split(b"\r\n\r\n", 1)[1]) for r in proxy.raw]
        assert all(b["stream"] is stream for b in bodies)
        got[stream] = ("".join(pieces), reply.stats.steered_tokens, reply.stats.tokens)
        requests = {**got.get("requests", {}), stream: reply.stats.remote_requests}
        got["requests"] = requests
    assert got[True] == got[False]
    assert got[True][1] >= 1  # it did disagree, so a stream was closed early
    assert got["requests"][True] <= got["requests"][False]


def test_chat_completions_route(app, proxy, shared_runtime, llama_server):
    from engine.methods.costeer import CoSteerConfig

    svc = make_service(
        app,
        proxy.url + "/v1/chat/completions",
        config=CoSteerConfig(beta=0.0),
        presence_penalty=0.0,
    )
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=8)
    text = "".join(pieces)
    own = httpx.post(
        f"{llama_server}/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": TASK}],
            "max_tokens": 8,
            "temperature": 0,
            "repeat_penalty": 1.0,
        },
        timeout=60,
    ).json()["choices"][0]["message"]["content"]
    assert text == own and reply.stats.remote_requests == 1
    assert all(b"/v1/chat/completions" in r.split(b"\r\n", 1)[0] for r in proxy.raw)


# ---- privacy ----
def test_nothing_personal_leaves_and_the_key_only_in_authorization(app, proxy, shared_runtime):
    seed_history(app)
    from assistant.settings import update_setting

    update_setting(app.db, "system_prompt", f"You are my assistant. {SYSTEM_MARK}")
    app.reload_settings()
    svc = make_service(app, proxy.url + "/v1")
    from assistant.chat.conversations import ChatService

    plan = svc.plan(
        ChatService(app.db, app.settings.system_prompt).prepare_messages(None, TASK),
        shared_runtime,
        12,
    )
    # the markers do reach the local model (so the test is not vacuous) ...
    assert HISTORY_MARK in plan.with_context and PROFILE_MARK in plan.with_context
    plan.session.client.close()
    preview = json.dumps(svc.preview(None, TASK, shared_runtime, 12))
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=12)
    "".join(pieces)
    assert proxy.raw, "nothing was captured"
    # ... and never leave it, nor show up in the preview of what is sent
    for raw in [*proxy.raw, preview.encode()]:
        for mark in (HISTORY_MARK, PROFILE_MARK, SYSTEM_MARK):
            assert mark.encode() not in raw
    for raw in proxy.raw:
        head, _, body = raw.partition(b"\r\n\r\n")
        assert TASK.encode() in body
        lines = [ln for ln in head.split(b"\r\n") if KEY_MARK.encode() in ln]
        assert lines == [f"Authorization: Bearer {KEY_MARK}".encode()]
        assert KEY_MARK.encode() not in body
    assert KEY_MARK not in preview
    # never in the database or the log either
    for f in [*app.home.rglob("*.db*"), *app.home.rglob("*.log*")]:
        assert KEY_MARK.encode() not in f.read_bytes(), f


# ---- failures ----
FAILURES = {
    "503": "HTTP 503",
    "429": "429",
    "401": "API key",
    "garbage": "not JSON",
    "nologprobs": "log-probabilities",
    "sleep": "did not answer",
    "close": "Cannot reach",
}


@pytest.mark.parametrize("mode", sorted(FAILURES))
def test_failure_before_the_first_token_falls_back_locally(app, proxy, shared_runtime, mode):
    proxy.fail = mode
    svc = make_service(app, proxy.url + "/v1", timeout=0.5)
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=6, allow=True)
    text = "".join(pieces)
    assert reply.fell_back and FAILURES[mode] in reply.error
    assert text.strip() and turn.status == "complete"
    assert chat.messages(turn.conversation_id)[-1].content == text


def test_endpoint_down_without_fallback_is_a_clear_error(app, shared_runtime):
    from assistant.errors import UserError

    svc = make_service(app, f"http://127.0.0.1:{free_port()}/v1")
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=6)
    with pytest.raises(UserError, match="Cannot reach the cloud endpoint"):
        "".join(pieces)
    last = chat.messages(turn.conversation_id)[-1]
    assert last.role == "assistant" and last.status == "partial"


def test_failure_mid_reply_keeps_what_was_written(app, proxy, shared_runtime):
    from assistant.errors import UserError

    proxy.fail, proxy.fail_after = "503", 1  # the first request works, then the cloud is gone
    svc = make_service(app, proxy.url + "/v1", lookahead=4)
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=40)
    got = []
    with pytest.raises(UserError, match="HTTP 503"):
        for p in pieces:
            got.append(p)
    written = "".join(got)
    assert written and reply.stats.tokens >= 1
    last = chat.messages(turn.conversation_id)[-1]
    assert (last.content, last.status) == (written, "partial")
    # the same with the user's permission: the local model finishes the reply (as long a
    # reply as above: a streamed first request may hold a short one whole)
    proxy.forwarded = 0
    chat, turn, pieces, reply = run_turn(app, svc, shared_runtime, max_tokens=40, allow=True)
    text = "".join(pieces)
    assert reply.fell_back and reply.local_tokens > 0 and reply.stats.remote_requests >= 1
    assert turn.status == "complete" and chat.messages(turn.conversation_id)[-1].content == text


def test_conversation_must_opt_in(app, proxy, shared_runtime):
    from assistant.chat.conversations import ChatService
    from assistant.errors import UserError

    svc = make_service(app, proxy.url + "/v1")
    chat = ChatService(app.db)
    turn = chat.begin_turn(None, TASK, model_name="m")
    with pytest.raises(UserError, match="off for conversation"):
        svc.generate(chat, turn, shared_runtime, app.sampling(max_tokens=4))
    assert proxy.raw == []


# ---- the command line ----
@pytest.mark.slow
def test_cli_cloud_commands_and_chat(cli, proxy, tmp_path):
    env = {
        "PYTHON_KEYRING_BACKEND": "test_cloud_e2e.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "PYTHONPATH": str(Path(__file__).parent),
    }
    r = cli("cloud", "status", "--json", env=env)
    assert r.rc == 0 and r.json()["configured"] is False and r.json()["key_set"] is False
    r = cli("cloud", "set", "--url", "http://example.com/v1", "--model", "m", env=env)
    assert r.rc == 1 and "https" in r.err
    r = cli(
        "cloud",
        "set",
        "--url",
        proxy.url + "/v1",
        "--model",
        "smollm2",
        "--template",
        "local",
        "--key-from-stdin",
        input=KEY_MARK + "\n",
        env=env,
    )
    assert r.rc == 0, r.err
    assert "mode: steered token by token through completions (the local model's template)" in r.out
    st = cli("cloud", "status", "--json", env=env).json()
    assert st["key_source"] == "keyring" and st["session_only"] is False and st["configured"]
    assert KEY_MARK not in json.dumps(st)
    r = cli("chat", "--cloud", "--json", "--max-tokens", "10", "Write", "about", "rain.", env=env)
    assert r.rc == 0, r.err
    out = r.json()
    assert {"text", "tokens", "remote_requests", "seconds"} <= set(out)
    assert out["tokens"] > 0 and 1 <= out["remote_requests"] <= out["tokens"]
    assert out["text"].strip() and out["status"] == "complete"
    assert any(f"Bearer {KEY_MARK}".encode() in raw for raw in proxy.raw)
    r = cli("cloud", "forget-key", env=env)
    assert r.rc == 0 and "deleted" in r.out
    assert cli("cloud", "status", "--json", env=env).json()["key_set"] is False
    # without a keyring backend: refused, said so, nothing saved ...
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    set_key = ["cloud", "set", "--url", proxy.url + "/v1", "--model", "other-model",
               "--key-from-stdin"]
    r = cli(*set_key, input=KEY_MARK + "\n", env=no_keyring)
    assert r.rc == 1 and "could not be kept" in r.err and "Traceback" not in r.err
    assert cli("cloud", "status", "--json", env=env).json()["model"] == "smollm2"
    # ... unless the user accepts a key for this command only
    r = cli(*set_key, "--session-only", input=KEY_MARK + "\n", env=no_keyring)
    assert r.rc == 0 and "session only" in r.err
    for f in [*Path(os.environ["ASSISTANT_HOME"]).rglob("*")]:
        if f.is_file():
            assert KEY_MARK.encode() not in f.read_bytes(), f


def test_eval_plugin_steers_and_keeps_the_history_local(proxy, shared_runtime):
    from assistant.evaluation.costeer import CoSteerEvalMethod
    from engine.eval.data import HistoryItem
    from engine.runtime.generation import SamplingSettings

    m = CoSteerEvalMethod(
        shared_runtime,
        SamplingSettings(max_tokens=8),
        proxy.url + "/v1",
        "smollm2",
        api_key=KEY_MARK,
        template="local",  # the remote serves the local model
    )
    state = m.prepare([HistoryItem("rainy days", f"Rain, tea and cats. {HISTORY_MARK}")])
    text = m.generate(state, TASK, 0)
    assert text and m.last_stats[0].tokens > 0 and m.last_stats[0].remote_requests >= 1
    assert proxy.raw and not any(HISTORY_MARK.encode() in r for r in proxy.raw)


def test_the_profile_description_reaches_the_local_context_only_while_on(app):
    """The hook once imported a module that did not exist and always gave None."""
    from assistant.cloud.plan import default_profile_description
    from assistant.profile.service import ProfileService

    assert default_profile_description(app) is None
    store_active_profile(app, f"Dry humour, short lines. {PROFILE_MARK}")
    assert default_profile_description(app) == f"Dry humour, short lines. {PROFILE_MARK}"
    ProfileService(app).set_active(False)
    assert default_profile_description(app) is None
