"""Linear context fitting, on the real embedded model: a 10,000-message chat fits in well
under a second, keeps what the old re-render-per-drop fit kept (give or take a turn), and
a cancelled request stops fitting."""

from __future__ import annotations

import time

import pytest

from engine.runtime.generation import CancelToken
from engine.runtime.llamacpp import FitCancelled


def _chat(n: int, words: int = 12) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": "Be brief."}]
    for i in range(n - 1):
        msgs.append({"role": "user" if i % 2 == 0 else "assistant",
                     "content": f"Message {i}: " + "a short line of chat " * words})
    msgs.append({"role": "user", "content": "And now?"})
    return msgs


def _old_fit_trimmed(rt, messages, reply_tokens: int) -> int:
    """The fit before (rendering the whole chat after each dropped turn), for reference."""
    msgs = list(messages)
    trimmed = 0
    while rt.format_chat(msgs).n_tokens > rt.n_ctx - reply_tokens:
        drop = next(i for i, m in enumerate(msgs[:-1]) if m["role"] != "system")
        del msgs[drop]
        trimmed += 1
    return trimmed


def test_ten_thousand_messages_fit_in_well_under_a_second(llama_runtime):
    msgs = _chat(10_000)
    t0 = time.perf_counter()
    p = llama_runtime.fit_chat(msgs, 200)
    took = time.perf_counter() - t0
    assert took < 1.0, took
    assert p.n_tokens <= llama_runtime.n_ctx - 200
    assert "Be brief." in p.text and "And now?" in p.text and "Message 9998" in p.text
    assert p.trimmed_turns > 9_900


@pytest.mark.parametrize("n, words, reply", [(60, 12, 200), (41, 40, 100), (30, 3, 1500),
                                             (200, 1, 300)])
def test_keeps_what_the_old_fit_kept(llama_runtime, n, words, reply):
    msgs = _chat(n, words)
    new = llama_runtime.fit_chat(msgs, reply)
    old = _old_fit_trimmed(llama_runtime, msgs, reply)
    assert new.n_tokens <= llama_runtime.n_ctx - reply
    assert old <= new.trimmed_turns <= old + 2, (old, new.trimmed_turns)


def test_a_cancelled_request_stops_fitting(llama_runtime):
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(FitCancelled):
        llama_runtime.fit_chat(_chat(5_000), 200, cancel=cancel)
