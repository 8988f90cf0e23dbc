"""What an OpenAI-compatible endpoint answers, parsed: per-token steps with their top-k.

Both request shapes `engine.cloud.client` sends come back here: the chat format
(`logprobs.content`, a list of `{token, logprob, bytes, top_logprobs}`) and the
completions format (parallel lists `tokens`, `token_logprobs`, `top_logprobs`), whole
(`parse_completion`) or as server-sent events (`StreamedCompletion`). Anything else is a
`CloudProtocolError`; text without the log-probs CoSteer needs is a `CloudNoLogprobsError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from engine.cloud.errors import CloudConnectionError, CloudNoLogprobsError, CloudProtocolError

COMPLETIONS = "completions"  # the two request shapes (routes) an endpoint is asked with
CHAT = "chat"


# ---- parsed answers ------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """One token the remote considered, with its log-prob (natural log)."""

    text: str
    logprob: float
    raw: bytes | None = None  # exact bytes when the endpoint says (OpenAI `bytes`)
    token_id: int | None = None  # when the endpoint says (llama-server `id`)


@dataclass
class TokenStep:
    """One generated position: the token the remote chose and its top-k alternatives."""

    chosen: Candidate
    top: list[Candidate]


@dataclass
class Completion:
    steps: list[TokenStep]
    finish_reason: str | None
    text: str


def _f(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise CloudProtocolError(
            f"The cloud endpoint sent a log-prob that is not a number ({where})."
        )
    return float(x)


def _candidate(d: Any, where: str) -> Candidate:
    if not isinstance(d, Mapping) or not isinstance(d.get("token"), str):
        raise CloudProtocolError(f"The cloud endpoint sent a malformed log-prob entry ({where}).")
    raw = d.get("bytes")
    raw_b = bytes(raw) if isinstance(raw, list) and all(isinstance(b, int) for b in raw) else None
    tid = d.get("id")
    return Candidate(
        text=d["token"],
        logprob=_f(d.get("logprob"), where),
        raw=raw_b,
        token_id=tid if isinstance(tid, int) and not isinstance(tid, bool) else None,
    )


def _parse_content_logprobs(content: Any) -> list[TokenStep]:
    """The chat format: `[{token, logprob, bytes, top_logprobs: [...]}, ...]`."""
    if not isinstance(content, list):
        raise CloudProtocolError("The cloud endpoint sent log-probs in an unknown shape.")
    steps = []
    for i, entry in enumerate(content):
        chosen = _candidate(entry, f"token {i}")
        tops = entry.get("top_logprobs") or []
        if not isinstance(tops, list):
            raise CloudProtocolError(f"The cloud endpoint sent malformed top_logprobs (token {i}).")
        steps.append(TokenStep(chosen, [_candidate(t, f"token {i}") for t in tops]))
    return steps


def _parse_legacy_logprobs(lp: Mapping[str, Any]) -> list[TokenStep]:
    """The completions format: parallel lists `tokens`, `token_logprobs`, `top_logprobs`."""
    tokens, lps, tops = lp.get("tokens"), lp.get("token_logprobs"), lp.get("top_logprobs")
    if not isinstance(tokens, list) or not isinstance(lps, list) or len(tokens) != len(lps):
        raise CloudProtocolError("The cloud endpoint sent log-probs in an unknown shape.")
    if tops is None:
        tops = [None] * len(tokens)
    if not isinstance(tops, list) or len(tops) != len(tokens):
        raise CloudProtocolError("The cloud endpoint sent malformed top_logprobs.")
    steps = []
    for i, (tok, lpv, top) in enumerate(zip(tokens, lps, tops, strict=True)):
        if not isinstance(tok, str):
            raise CloudProtocolError(f"The cloud endpoint sent a token that is not text ({i}).")
        chosen = Candidate(tok, _f(lpv, f"token {i}"))
        cands: list[Candidate] = []
        if isinstance(top, Mapping):
            cands = [Candidate(str(k), _f(v, f"token {i}")) for k, v in top.items()]
        elif isinstance(top, list):  # some servers send [{token, logprob}, ...] here
            cands = [_candidate(t, f"token {i}") for t in top]
        elif top is not None:
            raise CloudProtocolError(f"The cloud endpoint sent malformed top_logprobs ({i}).")
        steps.append(TokenStep(chosen, cands))
    return steps


def parse_completion(data: Any, api: str) -> Completion:
    """Turn a completions or chat-completions JSON answer into per-token steps."""
    if not isinstance(data, Mapping):
        raise CloudProtocolError("The cloud endpoint answered JSON that is not an object.")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise CloudProtocolError("The cloud endpoint answered without any 'choices'.")
    ch = choices[0]
    if api == CHAT:
        msg = ch.get("message") or {}
        text = msg.get("content") if isinstance(msg, Mapping) else None
    else:
        text = ch.get("text")
    text = text if isinstance(text, str) else ""
    finish = ch.get("finish_reason")
    lp = ch.get("logprobs")
    if lp is None:
        if text:
            raise CloudNoLogprobsError(
                "The cloud endpoint returned text without per-token log-probabilities; "
                "CoSteer needs an endpoint that supports logprobs."
            )
        steps: list[TokenStep] = []
    elif isinstance(lp, Mapping) and "content" in lp:
        steps = _parse_content_logprobs(lp.get("content") or [])
    elif isinstance(lp, Mapping):
        steps = _parse_legacy_logprobs(lp)
    else:
        raise CloudProtocolError("The cloud endpoint sent log-probs in an unknown shape.")
    if text and not steps:
        raise CloudNoLogprobsError(
            "The cloud endpoint returned no per-token log-probabilities; "
            "CoSteer needs an endpoint that supports logprobs."
        )
    if any(not s.top for s in steps):
        raise CloudNoLogprobsError(
            "The cloud endpoint returned no top log-probabilities (top_logprobs); "
            "CoSteer needs the remote's candidate tokens."
        )
    return Completion(
        steps=steps,
        finish_reason=finish if isinstance(finish, str) else None,
        text=text,
    )


_SSE_OTHER = (b"event:", b"id:", b"retry:")


class StreamedCompletion:
    """A completion read token by token as the endpoint writes it (server-sent events).

    Iterating yields `TokenStep`s as they arrive; `finish_reason` is set once the
    stream ends. `close()` drops the connection, so a server that checks for a gone
    client (llama.cpp's, vLLM) stops writing tokens nobody will read: what makes a
    long speculative request cheap when the steered choice disagrees early.
    """

    def __init__(self, response: httpx.Response, first: bytes, lines: Any) -> None:
        self._resp = response
        self._first = first
        self._lines = lines
        self.finish_reason: str | None = None
        self.text = ""
        self.closed = False

    def __iter__(self):
        try:
            pending = [self._first]
            while True:
                line = pending.pop() if pending else next(self._lines, None)
                if line is None:
                    break
                line = line.strip()
                if not line or line.startswith(b":") or line.startswith(_SSE_OTHER):
                    continue  # keep-alive comments (": ping"), event names, ids
                if not line.startswith(b"data:"):
                    raise CloudProtocolError("The cloud endpoint's stream has a line that is "
                                             "not an event.")
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    break
                try:
                    data = json.loads(payload)
                except ValueError as exc:
                    raise CloudProtocolError(
                        "The cloud endpoint's stream carried something that is not JSON."
                    ) from exc
                comp = parse_completion(data, COMPLETIONS)
                self.text += comp.text
                if comp.finish_reason:
                    self.finish_reason = comp.finish_reason
                yield from comp.steps
        except httpx.HTTPError as exc:
            raise CloudConnectionError(
                f"The cloud endpoint's stream broke off ({type(exc).__name__})."
            ) from exc
        finally:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._resp.close()
