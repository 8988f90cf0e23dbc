"""An OpenAI-compatible client that asks for per-token log-probabilities.

CoSteer needs, for every token the remote writes, the remote's top-k candidates
with their log-probs. Two request shapes give that:

* `/v1/completions` (the legacy format: `logprobs: k` returns `tokens`,
  `token_logprobs` and `top_logprobs` as dicts). It takes a raw prompt, so the
  prompt can be built with the local model's chat template and the reply written
  so far appended verbatim: the right choice when the remote is the same family
  (llama.cpp server, vLLM serving the same tokenizer).
* `/v1/chat/completions` with `logprobs: true, top_logprobs: k` (OpenAI: k <= 20).
  The reply written so far goes in as a final assistant message; the endpoint
  must continue it (vLLM, llama-server's prefill) for steering past the first
  disagreement to be faithful.

Transport rules: TLS for every host but loopback; timeouts; retries with
exponential backoff (and `Retry-After`) on 429 and 5xx; one clear error per
failure. The API key goes only into the `Authorization` header and is scrubbed
from every message this module produces. The answers are parsed in
`engine.cloud.answers`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from engine.cloud.answers import (
    CHAT,
    COMPLETIONS,
    Completion,
    StreamedCompletion,
    parse_completion,
)
from engine.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudConnectionError,
    CloudError,
    CloudNotFoundError,
    CloudProtocolError,
    CloudRateLimitError,
    CloudServerError,
    CloudTimeoutError,
)

log = logging.getLogger(__name__)

AUTO = "auto"
OPENAI_MAX_TOP_LOGPROBS = 20
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


# ---- endpoint ------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: the only hosts allowed without TLS."""
    h = host.strip("[]").lower()
    if h in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Endpoint:
    """A user-given URL split into the API base and which request shape to use."""

    base_url: str  # e.g. https://api.example.com/v1 (no trailing slash)
    api: str  # completions | chat | auto

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """Accept a base (`.../v1`) or a full route (`.../v1/chat/completions`)."""
        raw = (url or "").strip()
        if not raw:
            raise CloudConfigError("No cloud endpoint URL is set.")
        try:
            u = httpx.URL(raw)
        except Exception as exc:  # httpx.InvalidURL and friends
            raise CloudConfigError(f"The cloud endpoint URL {raw!r} is not a valid URL.") from exc
        if u.scheme not in ("http", "https") or not u.host:
            raise CloudConfigError(
                f"The cloud endpoint URL {raw!r} must start with https:// and name a host."
            )
        if u.scheme == "http" and not is_loopback(u.host):
            raise CloudConfigError(
                f"The cloud endpoint {u.host} must use https://; plain http is only "
                "allowed for this computer (127.0.0.1, localhost)."
            )
        if u.username or u.password:
            raise CloudConfigError(
                "Put the API key in the key store, not in the URL (user:password@host)."
            )
        path = u.path.rstrip("/")
        api = AUTO
        if path.endswith("/chat/completions"):
            api, path = CHAT, path[: -len("/chat/completions")]
        elif path.endswith("/completions"):
            api, path = COMPLETIONS, path[: -len("/completions")]
        base = str(u.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")
        return cls(base_url=base, api=api)

    @property
    def host(self) -> str:
        return httpx.URL(self.base_url).host


# ---- the client ------------------------------------------------------------------
class CloudClient:
    """One endpoint, one model, one key. Not thread-safe; one per generation is fine."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        extra_body: Mapping[str, Any] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = Endpoint.parse(url)
        if not model or not model.strip():
            raise CloudConfigError("No cloud model name is set.")
        self.model = model.strip()
        self._key = api_key or None
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.extra_body: dict[str, Any] = dict(extra_body or {})
        self.requests_sent = 0
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        self._http = httpx.Client(
            base_url=self.endpoint.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,  # a redirect could carry the key to another host
            trust_env=False,  # no proxy from the environment sees the traffic
        )

    # ---- bodies (also what the preview shows) ----
    def completions_body(
        self, prompt: str, *, max_tokens: int, top_k: int, stop: Sequence[str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0,
            "logprobs": top_k,
            "stream": False,
        }
        if stop:
            body["stop"] = list(stop)
        body.update(self.extra_body)
        return body

    def chat_body(
        self, messages: Sequence[Mapping[str, str]], *, max_tokens: int, top_k: int,
        flags: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`flags`: what makes the endpoint continue a final assistant message (vLLM's
        `continue_final_message`), found by the capability probe."""
        body = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": False,
        }
        if top_k > 0:
            body.update(logprobs=True, top_logprobs=min(top_k, OPENAI_MAX_TOP_LOGPROBS))
        body.update(flags or {})
        return body

    def redacted_headers(self) -> dict[str, str]:
        """The headers as they will be sent, with the key shown as a placeholder."""
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            h["Authorization"] = "Bearer <your API key from the key store>"
        return h

    # ---- requests ----
    def completions(
        self, prompt: str, *, max_tokens: int, top_k: int, stop: Sequence[str] | None = None
    ) -> Completion:
        body = self.completions_body(prompt, max_tokens=max_tokens, top_k=top_k, stop=stop)
        data = self._post("/completions", body, droppable=tuple(self.extra_body))
        return parse_completion(data, COMPLETIONS)

    def _send(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """One HTTP exchange, its transport failures said in the app's words (the
        endpoint's address scrubbed of any credentials)."""
        try:
            return send()
        except httpx.TimeoutException as exc:
            raise CloudTimeoutError(
                f"The cloud endpoint {self.endpoint.host} did not answer within "
                f"{self.timeout:g} s."
            ) from exc
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise CloudConnectionError(
                f"Cannot reach the cloud endpoint at {self.endpoint.base_url} "
                f"({self._scrub(str(exc)) or type(exc).__name__})."
            ) from exc
        except httpx.HTTPError as exc:
            raise CloudConnectionError(
                f"The request to the cloud endpoint failed ({type(exc).__name__})."
            ) from exc

    def completions_stream(
        self, prompt: str, *, max_tokens: int, top_k: int, stop: Sequence[str] | None = None
    ) -> StreamedCompletion | Completion:
        """The completion as a stream of tokens (`StreamedCompletion`).

        Anything but a 200 answer, or a 200 that is not a stream (a server that ignores
        `stream`), is handled as the plain request handles it: the same retries, the
        same dropping of rejected extras, the same errors (one more request, only then).
        """
        body = self.completions_body(prompt, max_tokens=max_tokens, top_k=top_k, stop=stop)
        body["stream"] = True
        where = f"{self.endpoint.base_url}/completions"
        self.requests_sent += 1
        req = self._http.build_request("POST", "/completions",
                                       content=json.dumps(body).encode("utf-8"))
        resp = self._send(lambda: self._http.send(req, stream=True))
        if resp.status_code == 200:
            try:
                lines = resp.iter_lines()
                # A slow server's stream may open with keep-alive comments (": ping ...",
                # sent every 15 s by sse-starlette while the prompt is read).
                first = next((ln for ln in lines
                              if ln.strip() and not ln.lstrip().startswith(":")), "")
            except httpx.HTTPError as exc:
                resp.close()
                raise CloudConnectionError(
                    f"The cloud endpoint's stream broke off ({type(exc).__name__})."
                ) from exc
            if first.lstrip().startswith(("data:", "event:", "id:", "retry:")):
                return StreamedCompletion(resp, first.encode("utf-8"),
                                          (ln.encode("utf-8") for ln in lines))
            rest = first + "".join(lines)
            resp.close()
            try:
                return parse_completion(json.loads(rest), COMPLETIONS)
            except ValueError as exc:
                raise CloudProtocolError(
                    f"The cloud endpoint at {where} answered with something that is not JSON."
                ) from exc
        resp.close()
        body["stream"] = False
        return parse_completion(
            self._post("/completions", body, droppable=tuple(self.extra_body)), COMPLETIONS)

    def chat(
        self, messages: Sequence[Mapping[str, str]], *, max_tokens: int, top_k: int,
        flags: Mapping[str, Any] | None = None,
    ) -> Completion:
        body = self.chat_body(messages, max_tokens=max_tokens, top_k=top_k, flags=flags)
        return parse_completion(self._post("/chat/completions", body), CHAT)

    def chat_text(self, messages: Sequence[Mapping[str, str]], *, max_tokens: int,
                  flags: Mapping[str, Any] | None = None,
                  sampler: Mapping[str, Any] | None = None,
                  droppable: tuple[str, ...] = ()) -> tuple[str, str]:
        """A plain chat reply (no log-probs): (its text, its finish reason).

        `sampler` replaces the greedy default (temperature, top_p, seed...); fields in
        `droppable` are removed once if the server rejects them."""
        body = self.chat_body(messages, max_tokens=max_tokens, top_k=0, flags=flags)
        body.update(sampler or {})
        data = self._post("/chat/completions", body, droppable)
        try:
            choice = data["choices"][0]
            return str(choice["message"].get("content") or ""), str(
                choice.get("finish_reason") or "stop")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise CloudProtocolError("The cloud endpoint's chat reply has no message.") from exc

    @property
    def root_url(self) -> str:
        """The server's root (the base without its /v1): llama.cpp's /tokenize and
        /apply-template live there."""
        base = self.endpoint.base_url
        return base[: -len("/v1")] if base.endswith("/v1") else base

    def get_json(self, path: str) -> Any:
        """GET under the API base, no retries (the capability probe)."""
        self.requests_sent += 1
        try:
            resp = self._http.get(path)
        except httpx.HTTPError as exc:
            raise CloudConnectionError(
                f"Cannot reach the cloud endpoint at {self.endpoint.base_url} "
                f"({self._scrub(str(exc)) or type(exc).__name__}).") from exc
        if resp.status_code != 200:
            raise self._status_error(resp.status_code, f"{self.endpoint.base_url}{path}",
                                     self._server_message(resp))
        try:
            return resp.json()
        except ValueError as exc:
            raise CloudProtocolError(f"{path} did not answer JSON.") from exc

    def post_root(self, path: str, body: dict[str, Any]) -> Any:
        """POST at the server's root (outside /v1), once: llama.cpp's helper routes."""
        url = self.root_url + path
        self.requests_sent += 1
        try:
            resp = self._http.post(url, content=json.dumps(body).encode("utf-8"))
        except httpx.HTTPError as exc:
            raise CloudConnectionError(f"Cannot reach {url} ({type(exc).__name__}).") from exc
        if resp.status_code != 200:
            raise self._status_error(resp.status_code, url, self._server_message(resp))
        try:
            return resp.json()
        except ValueError as exc:
            raise CloudProtocolError(f"{url} did not answer JSON.") from exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CloudClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing ----
    def _scrub(self, text: str) -> str:
        if self._key and self._key in text:
            text = text.replace(self._key, "***")
        return text

    def _server_message(self, resp: httpx.Response) -> str:
        """The endpoint's own error message, short and without the key."""
        try:
            data = resp.json()
            err = data.get("error", data.get("detail", data)) if isinstance(data, dict) else data
            if isinstance(err, dict):
                err = err.get("message", err)
            msg = err if isinstance(err, str) else json.dumps(err)[:300]
        except ValueError:
            msg = resp.text
        msg = " ".join(self._scrub(msg).split())
        return msg[:300]

    def _sleep_for(self, attempt: int, resp: httpx.Response | None) -> float:
        if resp is not None:
            ra = resp.headers.get("retry-after")
            try:
                if ra is not None:
                    return min(max(0.0, float(ra)), self.max_backoff)
            except ValueError:
                pass
        base = self.backoff * (2**attempt)
        return min(self.max_backoff, base + random.uniform(0, self.backoff / 2))

    def _post(self, path: str, body: dict[str, Any], droppable: tuple[str, ...] = ()) -> Any:
        where = f"{self.endpoint.base_url}{path}"
        attempt = 0
        while True:
            self.requests_sent += 1
            resp = self._send(
                lambda: self._http.post(path, content=json.dumps(body).encode("utf-8")))
            status = resp.status_code
            if status == 200:
                try:
                    return resp.json()
                except ValueError as exc:
                    raise CloudProtocolError(
                        f"The cloud endpoint at {where} answered with something that is not JSON."
                    ) from exc
            if status in (429, 500, 502, 503, 504) and attempt < self.retries:
                delay = self._sleep_for(attempt, resp)
                log.info(
                    "cloud endpoint answered %d; retry %d in %.2fs", status, attempt + 1, delay
                )
                time.sleep(delay)
                attempt += 1
                continue
            msg = self._server_message(resp)
            if status in (400, 422) and droppable and any(k in msg for k in droppable):
                # A server that rejects our llama.cpp-specific extras: drop them once.
                log.info("cloud endpoint rejected %s; retrying without", ", ".join(droppable))
                for k in droppable:
                    body.pop(k, None)
                    self.extra_body.pop(k, None)
                droppable = ()
                continue
            raise self._status_error(status, where, msg)

    def _status_error(self, status: int, where: str, msg: str) -> CloudError:
        detail = f": {msg}" if msg else ""
        if status in (401, 403):
            return CloudAuthError(
                f"The cloud endpoint refused the API key (HTTP {status}); check the key{detail}"
            )
        if status == 404:
            return CloudNotFoundError(
                f"The cloud endpoint answered 404 Not Found for {where}; check the URL and "
                f"the model name {self.model!r}."
            )
        if status == 429:
            return CloudRateLimitError(
                f"The cloud endpoint is still rate-limiting requests (HTTP 429) after "
                f"{self.retries} retries; try again later."
            )
        if status >= 500:
            return CloudServerError(
                f"The cloud endpoint failed with HTTP {status} after {self.retries} retries{detail}"
            )
        return CloudServerError(f"The cloud endpoint rejected the request (HTTP {status}){detail}")
