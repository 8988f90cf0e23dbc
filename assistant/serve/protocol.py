"""The OpenAI wire format: a request body into an `ApiRequest`, a finished or streaming
turn into the JSON the official clients read.

Only what the app can honour is accepted; a parameter it cannot honour (`n` above 1,
a frequency penalty, an image) is a 400 naming it, not silently dropped, because a
client that asked for it would otherwise trust a reply that ignored it.

The model name picks the personalization: `voice-assistant` answers with the user's
chosen method (the profile on), `voice-assistant:plain` with none, and
`voice-assistant:<method>` with that method, for clients that can only set a model
name. Clients that can send extra fields may send
`"voice_assistant": {"method": "...", "strength": 1.0}`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant import method_registry as methods
from assistant.chat.turn import ApiRequest, TokenLogprob
from assistant.chat.turn_results import ApiSummary

MODEL = "voice-assistant"
PLAIN = f"{MODEL}:plain"
EXTENSION = "voice_assistant"
MAX_STOPS = 4  # as OpenAI's API
MAX_TOP_LOGPROBS = 20
MAX_STRENGTH = 4.0
# Messages in one chat request. Fitting is linear (engine.runtime.llamacpp.fit_chat), so
# this many fit in a fraction of a second; more is refused with 413, naming the cap.
MAX_MESSAGES = 10_000


class BadRequest(ValueError):
    """A request the API refuses with 400, naming the parameter."""

    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.param, self.status = param, status


def model_ids() -> list[str]:
    """The names `/v1/models` lists: the profile on, off, and each method by name."""
    return [MODEL, PLAIN, *(f"{MODEL}:{name}" for name in methods.NAMES)]


def method_of(model: Any) -> str | None:
    """The method a model name asks for; None for the saved choice."""
    if not isinstance(model, str) or not model.strip():
        raise BadRequest("'model' must be one of the names /v1/models lists.", "model")
    name = model.strip()
    if name == MODEL:
        return None
    if name == PLAIN:
        return methods.Plain().name
    prefix = f"{MODEL}:"
    if name.startswith(prefix) and name[len(prefix):] in methods.METHODS:
        return name[len(prefix):]
    raise BadRequest(f"Unknown model {name!r}; use one of: {', '.join(model_ids())}.", "model")


def _number(body: dict, key: str, lo: float, hi: float, *, integer: bool = False) -> Any:
    value = body.get(key)
    if value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or not lo <= value <= hi:
        kind = "a whole number" if integer else "a number"
        raise BadRequest(f"'{key}' must be {kind} from {lo:g} to {hi:g}.", key)
    return int(value) if integer else float(value)


def _sampling(body: dict, ext: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (
        ("temperature", _number(body, "temperature", 0, 2)),
        ("top_p", _number(body, "top_p", 0.0001, 1)),
        ("seed", _number(body, "seed", -(2**63), 2**63 - 1, integer=True)),
        ("max_tokens", _number(body, "max_completion_tokens", 1, 32768, integer=True)
         or _number(body, "max_tokens", 1, 32768, integer=True)),
        ("top_k", _number(ext, "top_k", 0, 1000, integer=True)
         if "top_k" in ext else _number(body, "top_k", 0, 1000, integer=True)),
        ("min_p", _number(body, "min_p", 0, 1)),
        ("repeat_penalty", _number(body, "repeat_penalty", 0.5, 3)),
    ):
        if value is not None:
            out[key] = value
    if "seed" in out:
        out["seed"] = out["seed"] % 2**32  # llama.cpp takes a 32-bit seed
    for key in ("frequency_penalty", "presence_penalty"):
        if _number(body, key, -2, 2):
            raise BadRequest(f"'{key}' is not supported here; send 'repeat_penalty' "
                             "(1 = off) instead.", key)
    if _number(body, "n", 1, 128, integer=True) not in (None, 1):
        raise BadRequest("Only one choice per request ('n': 1) is supported.", "n")
    return out


def _stops(body: dict) -> list[str]:
    stop = body.get("stop")
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else stop
    if (not isinstance(stops, list) or len(stops) > MAX_STOPS
            or not all(isinstance(s, str) and s for s in stops)):
        raise BadRequest(f"'stop' must be a string or a list of up to {MAX_STOPS} strings.",
                         "stop")
    return list(stops)


def _extension(body: dict) -> tuple[dict, str | None, float]:
    ext = body.get(EXTENSION) or {}
    if not isinstance(ext, dict):
        raise BadRequest(f"'{EXTENSION}' must be an object.", EXTENSION)
    method = ext.get("method")
    if method is not None and method not in methods.METHODS:
        raise BadRequest(f"Unknown method {method!r}; use one of {', '.join(methods.NAMES)}.",
                         f"{EXTENSION}.method")
    strength = _number(ext, "strength", 0, MAX_STRENGTH)
    return ext, method, 1.0 if strength is None else strength


def _content(message: Any, i: int) -> dict[str, str]:
    if not isinstance(message, dict):
        raise BadRequest(f"messages[{i}] must be an object.", "messages")
    role = message.get("role")
    if role == "developer":  # newer clients' name for the system role
        role = "system"
    if role not in ("system", "user", "assistant"):
        raise BadRequest(f"messages[{i}].role must be system, user or assistant.", "messages")
    content = message.get("content")
    if content is None:
        content = ""
    if isinstance(content, list):  # content parts: text only
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise BadRequest(f"messages[{i}]: only text content is supported.", "messages")
            texts.append(str(part.get("text", "")))
        content = "".join(texts)
    if not isinstance(content, str):
        raise BadRequest(f"messages[{i}].content must be text.", "messages")
    return {"role": role, "content": content}


@dataclass
class Parsed:
    """A checked request: what the turn runs, and what the reply must look like."""

    api: ApiRequest
    model: str
    stream: bool
    include_usage: bool = False


def _parse(body: Any, keep: bool, read: Callable[[dict], dict[str, Any]]) -> Parsed:
    """What both routes share around `read`, which checks the route's own fields and
    returns them as `ApiRequest` arguments (messages or prompt, logprobs)."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    ext, ext_method, strength = _extension(body)
    model_method = method_of(body.get("model"))
    own = read(body)
    return Parsed(
        ApiRequest(method=ext_method or model_method, strength=strength,
                   sampling=_sampling(body, ext), stop=_stops(body), keep=keep, **own),
        str(body["model"]), bool(body.get("stream")), _include_usage(body))


def _chat_fields(body: dict) -> dict[str, Any]:
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise BadRequest("'messages' must be a non-empty list.", "messages")
    if len(raw) > MAX_MESSAGES:
        raise BadRequest(f"'messages' holds {len(raw):,} messages; one request may send at "
                         f"most {MAX_MESSAGES:,}. Send the newest ones.", "messages", 413)
    msgs = [_content(m, i) for i, m in enumerate(raw)]
    if not any(m["role"] == "user" for m in msgs):
        raise BadRequest("'messages' must hold at least one user message.", "messages")
    top = None
    if body.get("logprobs"):
        top = _number(body, "top_logprobs", 0, MAX_TOP_LOGPROBS, integer=True) or 0
    elif body.get("top_logprobs") is not None:
        raise BadRequest("'top_logprobs' needs 'logprobs': true.", "top_logprobs")
    return {"messages": msgs, "logprobs": top}


def _completion_fields(body: dict) -> dict[str, Any]:
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str) or not prompt:
        raise BadRequest("'prompt' must be one non-empty string.", "prompt")
    if body.get("echo") or body.get("suffix"):
        raise BadRequest("'echo' and 'suffix' are not supported.", "echo")
    return {"prompt": prompt,
            "logprobs": _number(body, "logprobs", 0, MAX_TOP_LOGPROBS, integer=True)}


def parse_chat(body: Any, keep: bool) -> Parsed:
    """A `/v1/chat/completions` body, checked."""
    return _parse(body, keep, _chat_fields)


def parse_completion(body: Any, keep: bool) -> Parsed:
    """A `/v1/completions` body, checked (one prompt, continued verbatim)."""
    return _parse(body, keep, _completion_fields)


def _include_usage(body: dict) -> bool:
    opts = body.get("stream_options") or {}
    return bool(isinstance(opts, dict) and opts.get("include_usage"))


# ---- replies ---------------------------------------------------------------------------


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:24]}"


def finish_reason(reason: str) -> str:
    """OpenAI's names: a cut-short (cancelled) reply is a 'stop' the client asked for."""
    return "length" if reason == "length" else "stop"


def usage(summary: ApiSummary) -> dict[str, int]:
    p, c = summary.prompt_tokens, summary.completion_tokens
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def extension(summary: ApiSummary) -> dict[str, Any]:
    """What the app adds to a reply: the method used and a notice (never the history)."""
    out: dict[str, Any] = {"method": summary.method}
    if summary.notice:
        out["notice"] = summary.notice
    return out


def chat_logprobs(items: list[TokenLogprob]) -> dict[str, Any]:
    return {"content": [
        {"token": t.token, "logprob": t.logprob, "bytes": list(t.bytes),
         "top_logprobs": [{"token": b.decode("utf-8", errors="replace"), "logprob": lp,
                           "bytes": list(b)} for b, lp in t.top]}
        for t in items], "refusal": None}


def completion_logprobs(items: list[TokenLogprob], start: int = 0) -> dict[str, Any]:
    offsets, pos = [], start
    for t in items:
        offsets.append(pos)
        pos += len(t.token)
    return {"tokens": [t.token for t in items], "token_logprobs": [t.logprob for t in items],
            "top_logprobs": [{b.decode("utf-8", errors="replace"): lp for b, lp in t.top}
                             for t in items],
            "text_offset": offsets}


def chat_reply(rid: str, model: str, summary: ApiSummary,
               items: list[TokenLogprob] | None) -> dict:
    choice: dict[str, Any] = {
        "index": 0, "message": {"role": "assistant", "content": summary.text},
        "finish_reason": finish_reason(summary.finish_reason),
        "logprobs": chat_logprobs(items) if items is not None else None}
    return {"id": rid, "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [choice], "usage": usage(summary),
            EXTENSION: extension(summary)}


def completion_reply(rid: str, model: str, summary: ApiSummary,
                     items: list[TokenLogprob] | None) -> dict:
    choice = {"index": 0, "text": summary.text,
              "finish_reason": finish_reason(summary.finish_reason),
              "logprobs": completion_logprobs(items) if items is not None else None}
    return {"id": rid, "object": "text_completion", "created": int(time.time()),
            "model": model, "choices": [choice], "usage": usage(summary),
            EXTENSION: extension(summary)}


def chat_chunk(rid: str, model: str, created: int, *, delta: dict | None = None,
               finish: str | None = None, items: list[TokenLogprob] | None = None,
               summary: ApiSummary | None = None, usage_only: bool = False) -> dict:
    chunk: dict[str, Any] = {"id": rid, "object": "chat.completion.chunk", "created": created,
                             "model": model}
    if usage_only:
        assert summary is not None
        chunk["choices"] = []
        chunk["usage"] = usage(summary)
        return chunk
    chunk["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish,
                         "logprobs": chat_logprobs(items) if items else None}]
    if summary is not None:
        chunk[EXTENSION] = extension(summary)
    return chunk


def completion_chunk(rid: str, model: str, created: int, *, text: str = "",
                     finish: str | None = None, items: list[TokenLogprob] | None = None,
                     offset: int = 0, summary: ApiSummary | None = None,
                     usage_only: bool = False) -> dict:
    chunk: dict[str, Any] = {"id": rid, "object": "text_completion", "created": created,
                             "model": model}
    if usage_only:
        assert summary is not None
        chunk["choices"] = []
        chunk["usage"] = usage(summary)
        return chunk
    chunk["choices"] = [{"index": 0, "text": text, "finish_reason": finish,
                         "logprobs": completion_logprobs(items, offset) if items else None}]
    if summary is not None:
        chunk[EXTENSION] = extension(summary)
    return chunk


def error_body(message: str, kind: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
