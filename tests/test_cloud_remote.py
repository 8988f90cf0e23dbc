"""CoSteer against remotes that are not the local model: the capability probe and the mode
it picks, the remote's own template, another tokenizer (a base Gemma 3 served by a real
llama.cpp server while SmolLM2 steers it), a plain endpoint, and drift on a chat route
that does not continue the text."""

from __future__ import annotations

import pytest

from assistant.chat.conversations import ChatService
from assistant.cloud.service import CloudService
from assistant.writing.history import HistoryService
from engine.cloud.drift import continues
from engine.cloud.probe import CHAT_MODE, Capabilities, choose_mode
from engine.cloud.templates import SERVER
from engine.runtime.llama_server import LlamaServer, ServerDidNotStart

HISTORY_MARK = "QUOKKAMARK31"
TASK = "Write a short note about rainy days."


# ---- the rules, without a server -------------------------------------------------------
@pytest.mark.parametrize(("so_far", "answer", "ok"), [
    ("", "Anything", True),
    ("The rain on the windows thr", "ummed all night", True),
    ("The rain on the windows", " thrummed", True),
    ("The rain on the windows thr", "The rain on the windows thrummed", False),  # restart
    ("The rain on the windows thr", "Sure! Here is a note", False),  # a new turn
    ("It rained.", "\nThen", True),
])
def test_what_counts_as_continuing(so_far, answer, ok):
    assert continues(so_far, answer) is ok


def test_the_mode_is_the_most_faithful_the_endpoint_allows():
    both = Capabilities(completions_top_k=20, chat_top_k=20)
    assert choose_mode(both, None).kind == "plain"  # no template known, chat restarts
    assert choose_mode(both, "llama3").template == "llama3"
    server = Capabilities(completions_top_k=5, apply_template=True)
    assert choose_mode(server, None).template == SERVER
    vllm = Capabilities(chat_top_k=20, chat_continues=True,
                        continue_flags={"continue_final_message": True})
    mode = choose_mode(vllm, None)
    assert mode.kind == CHAT_MODE and mode.flags == {"continue_final_message": True}
    assert mode.describe() == "steered through chat continuation"
    assert choose_mode(Capabilities(), "chatml").describe().startswith("cannot be steered")


# ---- real servers ----------------------------------------------------------------------
def _serve(model, tmp_path_factory, name: str):
    log = tmp_path_factory.mktemp(name) / "server.log"
    try:
        with LlamaServer(model, n_ctx=1024, log_path=log, start_timeout=90) as s:
            yield s.url
    except ServerDidNotStart as exc:
        pytest.fail(f"{exc}\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def gemma_server(base_model_path, tmp_path_factory):
    yield from _serve(base_model_path, tmp_path_factory, "gemma-server")


@pytest.fixture(scope="module")
def smol_server(model_path, tmp_path_factory):
    yield from _serve(model_path, tmp_path_factory, "smol-server")


def _turn(app, svc, runtime, *, max_tokens=12, allow=False):
    chat = ChatService(app.db, app.settings.system_prompt)
    turn = chat.begin_turn(None, TASK, model_name=runtime.model_name)
    chat.set_cloud(turn.conversation_id, True)
    pieces, reply = svc.generate(chat, turn, runtime, app.sampling(max_tokens=max_tokens, seed=1),
                                 allow_local_fallback=allow)
    return turn, "".join(pieces), reply


pytestmark = pytest.mark.slow


def test_cloud_set_reports_the_probe_and_the_mode(cli, smol_server):
    r = cli("cloud", "set", "--url", smol_server, "--model", "smollm2")
    assert r.rc == 0, r.err
    assert "completions route: log-probabilities with up to 20 alternatives" in r.out
    assert "chat route starts a new reply instead of continuing one" in r.out
    assert "mode: cannot be steered: plain cloud chat only, your history is not used" in r.out
    r = cli("cloud", "set", "--url", smol_server, "--model", "smollm2", "--template", "chatml")
    assert "mode: steered token by token through completions (the chatml template)" in r.out
    st = cli("cloud", "status").out
    assert "mode:    steered token by token through completions (the chatml template)" in st
    bad = cli("cloud", "set", "--url", smol_server, "--model", "m", "--template", "nope")
    assert bad.rc == 1 and "Unknown remote template 'nope'" in bad.err


def test_another_tokenizer_and_template_is_steered_through_its_own_template(
        app, gemma_server, llama_runtime):
    HistoryService(app.db).add(f"Rain again. Tea, cats, {HISTORY_MARK}.", prompt="rain")
    svc = CloudService(app, retries=0)
    out = svc.configure(gemma_server, "gemma-3-270m", template="gemma")
    assert out["mode"] == "completions", out
    plan = svc.plan([{"role": "user", "content": TASK}], llama_runtime, 12)
    prompt = plan.session.prompt
    assert prompt.startswith("<start_of_turn>user") and "<|im_start|>" not in prompt
    assert HISTORY_MARK not in prompt  # the history stays with the local model
    plan.session.client.close()
    turn, text, reply = _turn(app, svc, llama_runtime)
    assert text.strip() and reply.stats.tokens > 0 and reply.stats.remote_requests >= 1
    assert turn.status == "complete" and not reply.fell_back


def test_multibyte_tokens_of_another_vocabulary_map_to_the_same_bytes(app, gemma_server,
                                                                      llama_runtime):
    """Gemma's 262k vocabulary writes 東京 and café in other pieces than SmolLM2's 49k: each
    remote token is spelled by local tokens with exactly its bytes."""
    from engine.cloud.client import CloudClient
    from engine.methods.costeer import LocalVocab

    vocab = LocalVocab.for_runtime(llama_runtime)
    client = CloudClient(gemma_server, "gemma", retries=0, extra_body={"repeat_penalty": 1.0})
    try:
        comp = client.completions("東京の café は naïve で 日本語", max_tokens=12, top_k=5)
    finally:
        client.close()
    cands = [c for st in comp.steps for c in (st.chosen, *st.top) if c.text]
    assert cands
    for c in cands:
        spelled = b"".join(vocab.pieces[i] for i in vocab.local_ids(c))
        assert spelled == c.text.encode("utf-8"), c
    assert any(len(vocab.local_ids(c)) > 1 for c in cands)  # some split differently


def test_an_endpoint_that_cannot_be_steered_gives_its_plain_reply(app, smol_server,
                                                                  llama_runtime):
    HistoryService(app.db).add(f"Rain again. {HISTORY_MARK}.", prompt="rain")
    svc = CloudService(app, retries=0)
    assert svc.configure(smol_server, "smollm2")["mode"] == "plain"
    turn, text, reply = _turn(app, svc, llama_runtime, max_tokens=10)
    assert text.strip() and turn.status == "complete"
    assert reply.stats.remote_requests == 1 and "history was not used" in reply.notices[0]


def test_a_chat_route_that_starts_over_is_caught_not_spliced(app, smol_server, llama_runtime):
    """Forced to the chat mode on a server that opens a new turn instead of continuing:
    the drift is detected and the local model finishes (allowed here)."""
    from assistant.settings import update_setting

    svc = CloudService(app, retries=0, lookahead=2)
    svc.configure(smol_server, "smollm2", check=False)
    update_setting(app.db, "cloud_mode", "chat")
    turn, text, reply = _turn(app, svc, llama_runtime, max_tokens=24, allow=True)
    assert reply.fell_back, (text, reply)
    assert "began a reply of its own" in (reply.error or "")
    assert text.strip() and turn.status == "complete"
