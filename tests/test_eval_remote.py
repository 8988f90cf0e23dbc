"""The evaluation's remote arms (remote, remote+rag, costeer) on two real rows against a real
llama-cpp-python server on 127.0.0.1: what each arm sends, the other-user control for the
arms that use a history, the comparison with the remote alone, and that remote+rag (which
sends the user's texts) is an evaluation reference no chat method list offers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.runtime.llama_server import LlamaServer, ServerDidNotStart
from tests.conftest import COGENESIS, REPO
from tests.test_cloud_e2e import LoggingProxy

needs_data = pytest.mark.skipif(not COGENESIS.is_dir(), reason="shared evaluation data absent")
# The 1.5B remote (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) where it has been assembled from its
# PyPI part packages; ASSISTANT_REMOTE_GGUF points elsewhere.
QWEN_1_5B = Path(os.environ.get(
    "ASSISTANT_REMOTE_GGUF",
    REPO.parent / "models-cache" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
QWEN_1_5B_BYTES = 1_117_320_768


def _rows():
    from engine.eval.data import load_rows

    return load_rows(COGENESIS / "paper_dev.json")[100:102]  # tuning rows, never reported


def _serve(model: Path, tmp_path_factory, name: str, **kw):
    log = tmp_path_factory.mktemp(name) / "server.log"
    try:
        with LlamaServer(model, log_path=log, **kw) as s:
            yield s.url.removesuffix("/v1")
    except ServerDidNotStart as exc:
        pytest.fail(f"{exc}\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def remote_server(model_path, tmp_path_factory):
    """The embedded 135M model served as the remote (remote+rag's prompt holds five texts)."""
    yield from _serve(model_path, tmp_path_factory, "remote", n_ctx=4096, start_timeout=90)


def _run_arms(runtime, tmp_path, url: str, model: str, template: str, max_tokens: int,
              controls=("other-user",)):
    from assistant.evaluation.methods import make_methods
    from engine.eval.harness import run_eval
    from engine.runtime.generation import SamplingSettings

    sampling = SamplingSettings(max_tokens=max_tokens)
    methods, builds = make_methods(["remote", "costeer", "remote+rag"], runtime, sampling,
                                   tmp_path / "cache", cloud=(url, model, template))
    assert builds is None  # no arm here builds a profile
    return run_eval(_rows(), methods, controls=list(controls))


@needs_data
@pytest.mark.slow  # ~1 min alone, 5 on a loaded 2-core machine (remote+rag reads five texts)
def test_remote_arms_on_two_rows_send_what_they_say(remote_server, llama_runtime, tmp_path):
    proxy = LoggingProxy(remote_server)
    try:
        report = _run_arms(llama_runtime, tmp_path, proxy.url + "/v1", "smollm2", "chatml", 10)
    finally:
        proxy.close()
    rows = _rows()
    res = report.methods
    assert [len(res[m].own.outputs) for m in ("remote", "costeer", "remote+rag")] == [2, 2, 2]
    assert all(o.text for m in res.values() for o in m.own.outputs)
    # The remote alone has no history, so no other-user arm; the two that use one have it.
    assert res["remote"].other is None
    assert len(res["costeer"].other.outputs) == 2 and len(res["remote+rag"].other.outputs) == 2
    # What went over the wire: remote+rag carries the texts (own and the other user's);
    # the remote alone and costeer never carry any.
    bodies = [json.loads(b) for r in proxy.raw if (b := r.split(b"\r\n\r\n", 1)[1])]
    texts = [h.text[:60] for r in rows for h in r.history]

    def sent(body) -> str:
        return body.get("prompt") or " ".join(m["content"] for m in body.get("messages", []))

    with_texts = [b for b in bodies if any(t in sent(b) for t in texts)]
    assert len(with_texts) == 4  # remote+rag: two rows, own and other user
    assert all(b["temperature"] == 0.7 for b in with_texts)  # the evaluation's sampler
    assert {b["seed"] for b in with_texts} == {o.seed for o in res["remote+rag"].own.outputs}
    # The remote alone: the task only, with the same sampler (the probe's requests are greedy).
    plain = [b for b in bodies if b.get("temperature") == 0.7 and b not in with_texts]
    assert len(plain) == 2 and all(len(b["messages"]) == 1 for b in plain)
    assert [b["messages"][0]["content"] for b in plain] == [r.task for r in rows]
    # The summary compares with the remote alone and says what costeer recovers.
    d = report.as_dict()
    cs = next(m for m in d["methods"] if m["method"] == "costeer")
    assert set(cs["vs"]["remote"]["matched"]) == {"rouge1", "rougeL", "meteor"}
    rec = d["remote_recovery"]["rougeL"]
    assert set(rec) == {"costeer_gain", "costeer_gain_ci", "rag_gain", "rag_gain_ci", "share"}
    from engine.eval.report import format_table

    table = format_table(report)
    assert "Against the remote alone" in table and "costeer recovers" in table


def test_remote_rag_is_offered_in_the_evaluation_only(cli):
    from assistant import method_registry as methods
    from assistant.evaluation.methods import parse_methods

    assert parse_methods("remote,remote+rag,costeer") == ["remote", "remote+rag", "costeer"]
    assert "remote+rag" in methods.REGISTRY and not methods.REGISTRY["remote+rag"].chat
    for name in ("remote+rag", "remote"):
        assert name not in methods.NAMES and name not in methods.METHODS
    r = cli("chat", "--method", "remote+rag", "hi")
    assert r.rc == 2 and "invalid choice: 'remote+rag'" in r.err
    assert "remote+rag" not in cli("chat", "--help").out
    assert "remote+rag" in cli("eval", "--help").out
    r = cli("eval", "--data", str(COGENESIS / "paper_dev.json"), "--methods", "remote",
            "--remote-url", "http://127.0.0.1:9/v1")
    assert r.rc == 1 and "--remote-url and --remote-model together" in r.err


@needs_data
@pytest.mark.slow
@pytest.mark.skipif(not QWEN_1_5B.is_file() or QWEN_1_5B.stat().st_size != QWEN_1_5B_BYTES,
                    reason="the 1.5B remote GGUF is not assembled (benchmarks/models.py)")
def test_remote_arms_with_the_1_5b_remote(llama_runtime, tmp_path, tmp_path_factory):
    """Another tokenizer (151k), another template (ChatML), ten times the parameters: the
    probe picks completions with the given template, and the three arms write."""
    for url in _serve(QWEN_1_5B, tmp_path_factory, "qwen", n_ctx=4096, start_timeout=300,
                      extra_args=("--model_alias", "qwen")):
        report = _run_arms(llama_runtime, tmp_path, url + "/v1", "qwen", "chatml", 8,
                           controls=())  # the other-user arms are the 135M test's part
        res = report.methods
        assert all(len(res[m].own.outputs) == 2 for m in ("remote", "costeer", "remote+rag"))
        assert all(o.text for m in res.values() for o in m.own.outputs)
        costeer = next(m for m in report.as_dict()["methods"] if m["method"] == "costeer")
        assert "remote" in costeer["vs"]
