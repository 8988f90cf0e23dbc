"""`assistant serve` driven by the official `openai` client: a real uvicorn server on
127.0.0.1 with the real default model, the token, the Host check, the queue's 429, a
client that leaves mid-stream, and a personalized reply that moves toward the user."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from assistant.serve.server import ServeOptions, Server
from assistant.serve.worker import ModelWorker

pytestmark = pytest.mark.slow

# The user's history: a voice no assistant has by default (lighthouses, gulls, tides).
HISTORY = [
    ("What did you do today?", "Walked out to the lighthouse at low tide; the gulls were loud "
     "and the keeper waved from the lamp room."),
    ("Weekend plans?", "The lighthouse again. Tide tables, a thermos, gulls over the rocks."),
    ("How was the trip?", "Windy. The lighthouse beam swept the harbour while the tide came in."),
    ("What do you love?", "Lighthouses, tides, gulls, salt on the windows, the keeper's logbook."),
]
VOICE_WORDS = {"lighthouse", "lighthouses", "tide", "tides", "gulls", "gull", "keeper",
               "harbour", "beam", "lamp", "rocks", "salt"}
ASK = "Write two sentences about how you spend a free afternoon."
PLACE = "Tell me about your favourite place."


def _seed(home: Path) -> None:
    from assistant.app import AppContext
    from assistant.writing.history import HistoryService

    app = AppContext(home)
    try:
        for prompt, text in HISTORY:
            HistoryService(app.db).add(text, prompt=prompt)
    finally:
        app.close()


class Running:
    def __init__(self, home: Path, capacity: int = 4, keep: bool = False,
                 origins: tuple[str, ...] = ()) -> None:
        from assistant.app import AppContext

        self.home = home
        self.token = "va-test-" + os.urandom(8).hex()
        self.worker = ModelWorker(lambda: AppContext(home), capacity=capacity)
        self.server = Server(self.worker, lambda: self.token, 0, ServeOptions(keep_history=keep,
                                                                          origins=origins))
        self.worker.start()
        self.server.start()

    def client(self, **kw) -> openai.OpenAI:
        kw.setdefault("max_retries", 0)
        return openai.OpenAI(base_url=self.server.url, api_key=self.token, **kw)

    def close(self) -> None:
        self.server.stop()
        self.worker.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve") / "home"
    _seed(home)
    run = Running(home)
    yield run
    run.close()


def _chat(client, model="voice-assistant:plain", ask=ASK, **kw):
    kw.setdefault("max_tokens", 24)
    kw.setdefault("temperature", 0)
    return client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": ask}], **kw)


def test_models_lists_the_profile_on_and_off_and_every_method(served):
    from assistant import method_registry as methods

    ids = [m.id for m in served.client().models.list()]
    assert ids[:2] == ["voice-assistant", "voice-assistant:plain"]
    assert {f"voice-assistant:{n}" for n in methods.NAMES} <= set(ids)


def test_chat_streaming_and_not_give_the_same_greedy_reply(served):
    client = served.client()
    whole = _chat(client)
    text = whole.choices[0].message.content
    assert text.strip() and whole.choices[0].finish_reason in ("stop", "length")
    assert whole.usage.completion_tokens > 0 and whole.usage.prompt_tokens > 10
    assert whole.model_extra["voice_assistant"]["method"] == "none"
    chunks = list(_chat(client, stream=True, stream_options={"include_usage": True}))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == text
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] in ("stop", "length")
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_completions_with_logprobs_name_the_chosen_tokens(served):
    client = served.client()
    # Greedy with the repetition penalty off (an extension parameter), so the chosen
    # token is the model's most likely one.
    r = client.completions.create(model="voice-assistant:plain", prompt="The capital of France is",
                                  max_tokens=8, temperature=0, logprobs=3,
                                  extra_body={"repeat_penalty": 1.0})
    choice = r.choices[0]
    lp = choice.logprobs
    assert choice.text and "".join(lp.tokens) == choice.text
    assert len(lp.token_logprobs) == len(lp.tokens) == len(lp.top_logprobs)
    for chosen, top in zip(lp.token_logprobs, lp.top_logprobs, strict=True):
        assert len(top) == 3 and chosen <= 0
        assert chosen == pytest.approx(max(top.values()), abs=1e-4)
    assert lp.text_offset[0] == 0
    streamed = list(client.completions.create(
        model="voice-assistant:plain", prompt="The capital of France is", max_tokens=8,
        temperature=0, stream=True, extra_body={"repeat_penalty": 1.0}))
    assert "".join(c.choices[0].text for c in streamed if c.choices) == choice.text


def test_chat_logprobs_follow_the_reply(served):
    r = _chat(served.client(), logprobs=True, top_logprobs=2, max_tokens=10)
    content = r.choices[0].logprobs.content
    assert "".join(t.token for t in content) == r.choices[0].message.content
    assert all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in content)


def test_a_request_without_the_token_gets_401(served):
    bad = openai.OpenAI(base_url=served.server.url, api_key="va-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    r = httpx.post(served.server.url + "/chat/completions", json={})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "invalid_api_key"


def test_another_host_name_is_refused_against_dns_rebinding(served):
    r = httpx.get(served.server.url + "/models",
                  headers={"Authorization": f"Bearer {served.token}", "Host": "evil.example"})
    assert r.status_code == 400
    ok = httpx.get(served.server.url.replace("127.0.0.1", "localhost") + "/models",
                   headers={"Authorization": f"Bearer {served.token}"})
    assert ok.status_code == 200
    assert "access-control-allow-origin" not in ok.headers  # no CORS unless the user adds one


def test_bad_requests_are_400s_that_name_the_parameter(served):
    client = served.client()
    with pytest.raises(openai.BadRequestError, match="Unknown model"):
        _chat(client, model="gpt-4o")
    with pytest.raises(openai.BadRequestError, match="one choice"):
        _chat(client, n=2)
    with pytest.raises(openai.BadRequestError, match="frequency_penalty"):
        _chat(client, frequency_penalty=0.5)
    with pytest.raises(openai.BadRequestError, match="Unknown method 'nope'"):
        _chat(client, extra_body={"voice_assistant": {"method": "nope"}})
    headers = {"Authorization": f"Bearer {served.token}"}
    big = httpx.post(served.server.url + "/chat/completions", headers=headers,
                     content=b"{" + b" " * (1 << 21) + b"}")
    assert big.status_code == 413
    junk = httpx.post(served.server.url + "/chat/completions", headers=headers, content=b"{nope")
    assert junk.status_code == 400 and "JSON" in junk.json()["error"]["message"]


def _voice_share(text: str) -> float:
    words = re.findall(r"[a-z']+", text.lower())
    return sum(w in VOICE_WORDS for w in words) / max(1, len(words))


def test_the_personalized_reply_moves_toward_the_user(served):
    """The profile on (rag: the user's texts in the prompt) against off, greedy, same prompt."""
    client = served.client()
    plain = _chat(client, ask=PLACE, max_tokens=48).choices[0].message.content
    mine = _chat(client, model="voice-assistant:rag", ask=PLACE, max_tokens=48)
    text = mine.choices[0].message.content
    assert mine.model_extra["voice_assistant"]["method"] == "rag"
    assert "of your texts" in mine.model_extra["voice_assistant"]["notice"]
    assert text != plain
    assert _voice_share(text) > _voice_share(plain), (plain, text)
    # The extension field picks the method too; the history never comes back in the reply body.
    ext = _chat(client, model="voice-assistant", ask=PLACE, max_tokens=48,
                extra_body={"voice_assistant": {"method": "rag"}})
    assert ext.choices[0].message.content == text
    assert "keeper waved from the lamp room" not in json.dumps(ext.model_extra)


def test_nothing_is_kept_and_the_token_is_written_nowhere(served):
    from assistant.app import AppContext
    from assistant.chat.conversations import ChatService

    _chat(served.client(), max_tokens=4)
    app = AppContext(served.home)
    try:
        assert ChatService(app.db).list_conversations() == []
    finally:
        app.close()
    for f in served.home.rglob("*"):
        if f.is_file():
            assert served.token.encode() not in f.read_bytes(), f


def test_a_client_that_leaves_mid_stream_stops_the_generation(served):
    before = served.worker.cancelled
    body = {"model": "voice-assistant:plain", "stream": True, "max_tokens": 400,
            "temperature": 0.7, "messages": [{"role": "user", "content": "Tell a long story."}]}
    headers = {"Authorization": f"Bearer {served.token}"}
    with httpx.stream("POST", served.server.url + "/chat/completions", json=body,
                      headers=headers, timeout=60) as r:
        assert r.status_code == 200
        lines = 0
        for line in r.iter_lines():
            lines += line.startswith("data:")
            if lines >= 4:
                break
    deadline = time.monotonic() + 20
    while served.worker.cancelled == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert served.worker.cancelled == before + 1
    t0 = time.monotonic()
    assert _chat(served.client(), max_tokens=4).choices[0].message.content is not None
    assert time.monotonic() - t0 < 20  # the worker is free, not finishing 400 tokens


def test_a_flood_is_answered_or_refused_with_429_none_lost(tmp_path):
    home = tmp_path / "home"
    run = Running(home, capacity=1)
    try:
        results: list[tuple[int, str | None]] = []
        lock = threading.Lock()

        def one() -> None:
            r = httpx.post(run.server.url + "/chat/completions", timeout=120,
                           headers={"Authorization": f"Bearer {run.token}"},
                           json={"model": "voice-assistant:plain", "max_tokens": 48,
                                 "messages": [{"role": "user", "content": ASK}]})
            with lock:
                results.append((r.status_code, r.headers.get("retry-after")))

        threads = [threading.Thread(target=one) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = [c for c, _ in results]
        assert len(results) == 6 and set(codes) <= {200, 429}
        assert 1 <= codes.count(200) <= 5 and codes.count(429) >= 1
        assert all(int(ra) >= 1 for c, ra in results if c == 429)
        with pytest.raises(openai.RateLimitError):  # the client sees the same
            busy = [threading.Thread(target=one) for _ in range(2)]
            for t in busy:
                t.start()
            time.sleep(0.5)
            try:
                _chat(run.client(), max_tokens=4)
            finally:
                for t in busy:
                    t.join()
    finally:
        run.close()


def test_kept_when_the_user_chose_it(tmp_path):
    from assistant.app import AppContext
    from assistant.chat.conversations import ChatService

    home = tmp_path / "home"
    run = Running(home, keep=True)
    try:
        reply = _chat(run.client(), max_tokens=6).choices[0].message.content
    finally:
        run.close()
    app = AppContext(home)
    try:
        chat = ChatService(app.db)
        (conv,) = chat.list_conversations()
        msgs = chat.messages(conv.id)
        assert [m.role for m in msgs] == ["user", "assistant"]
        assert msgs[0].content == ASK and msgs[1].content == reply
    finally:
        app.close()


def test_the_command_serves_and_prints_its_token_without_a_keyring(home):
    env = {**os.environ, "ASSISTANT_HOME": str(home),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        ready = json.loads(proc.stdout.readline())
        token = None
        while token is None:
            line = proc.stderr.readline()
            assert line, "the server ended before printing its token"
            m = re.search(r"token is (\S+)", line)
            token = m.group(1) if m else None
        client = openai.OpenAI(base_url=ready["url"], api_key=token, max_retries=0)
        assert "voice-assistant" in [m.id for m in client.models.list()]
        assert ready["url"].startswith("http://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_strength_field_scales_the_profile(served):
    """A SteerX profile (a fixed direction, as `profile build` stores one): strength 0 is the
    plain reply, the profile's own strength is another."""
    import numpy as np

    from assistant.app import AppContext
    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.gguf_info import read_gguf_info
    from store.models import Profile

    info = read_gguf_info(embedded_model_path())
    vectors = np.zeros((info.n_layer, info.n_embd), dtype="<f4")
    vectors[11] = np.random.default_rng(7).standard_normal(info.n_embd) * 4  # row 11 is layer 12
    app = AppContext(served.home)
    try:
        with app.db.session() as s:
            s.add(Profile(method="steerx", model_name=info.name,
                          model_fingerprint=info.fingerprint, n_layer=info.n_layer,
                          n_embd=info.n_embd, layer=12, alpha=1.0, description="",
                          preference_tokens=[], n_samples=4, item_hashes=[],
                          vectors=vectors.tobytes(), active=False, meta={}))
    finally:
        app.close()
    client = served.client()
    plain = _chat(client, max_tokens=16).choices[0].message.content

    def steered(strength: float) -> str:
        r = _chat(client, model="voice-assistant:steerx", max_tokens=16,
                  extra_body={"voice_assistant": {"strength": strength}})
        assert r.model_extra["voice_assistant"]["method"] == "steerx"
        return r.choices[0].message.content

    assert steered(0.0) == plain
    assert steered(1.0) != plain
    with pytest.raises(openai.BadRequestError, match="strength"):
        steered(9.0)


def test_cors_only_for_the_origins_the_user_listed(tmp_path):
    run = Running(tmp_path / "home", origins=("http://localhost:3000",))
    try:
        def preflight(origin: str) -> httpx.Response:
            return httpx.options(run.server.url + "/chat/completions", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})

        ok = preflight("http://localhost:3000")
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = preflight("https://evil.example")
        assert "access-control-allow-origin" not in other.headers
        # A listed origin still needs the token.
        r = httpx.get(run.server.url + "/models", headers={"Origin": "http://localhost:3000"})
        assert r.status_code == 401
    finally:
        run.close()
