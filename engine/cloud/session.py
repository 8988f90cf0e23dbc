"""One steered reply's conversation with the remote: the request shape and its prefix.

A `RemoteSession` knows the public prompt (built by the caller from the task and
the conversation's public turns only) and, for each call, appends the reply
written so far. It is the only thing that decides what goes over the wire, so
`first_request_preview` shows exactly that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.cloud.client import AUTO, CHAT, COMPLETIONS, CloudClient, Completion
from engine.cloud.errors import CloudError, CloudNotFoundError

log = logging.getLogger(__name__)


@dataclass
class RemoteSession:
    """Continue a reply on the remote, by completions or by chat.

    `prompt` is the public conversation rendered with the local chat template (for
    completions); `messages` the same turns as chat messages (for chat). With
    `api="auto"` the first call tries completions and keeps it only when the
    endpoint exists and `accept` agrees (the caller checks the tokenizer is
    shared); otherwise it switches to chat for good.
    """

    client: CloudClient
    prompt: str
    messages: list[dict[str, str]]
    stop: list[str] = field(default_factory=list)
    top_k: int = 20
    api: str = AUTO
    accept: Callable[[Completion], bool] | None = None
    requests: int = 0  # logical round trips, the auto probe included

    def __post_init__(self) -> None:
        if self.api == AUTO:
            self.api = self.client.endpoint.api
        self._decided = self.api != AUTO

    def completions_body(self, reply_so_far: str, n: int) -> dict[str, Any]:
        return self.client.completions_body(
            self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
        )

    def chat_messages(self, reply_so_far: str) -> list[dict[str, str]]:
        msgs = [dict(m) for m in self.messages]
        if reply_so_far:
            msgs.append({"role": "assistant", "content": reply_so_far})
        return msgs

    def chat_body(self, reply_so_far: str, n: int) -> dict[str, Any]:
        return self.client.chat_body(
            self.chat_messages(reply_so_far), max_tokens=n, top_k=self.top_k
        )

    def first_request_preview(self, n: int) -> list[dict[str, Any]]:
        """The request(s) the first call may send: path, headers (key hidden), JSON body."""
        base = self.client.endpoint.base_url
        out = []
        if self.api in (COMPLETIONS, AUTO):
            out.append(
                {
                    "method": "POST",
                    "url": f"{base}/completions",
                    "headers": self.client.redacted_headers(),
                    "body": self.completions_body("", n),
                    "when": "always" if self.api == COMPLETIONS else "first",
                }
            )
        if self.api in (CHAT, AUTO):
            out.append(
                {
                    "method": "POST",
                    "url": f"{base}/chat/completions",
                    "headers": self.client.redacted_headers(),
                    "body": self.chat_body("", n),
                    "when": "always"
                    if self.api == CHAT
                    else "if the endpoint has no completions route or another tokenizer",
                }
            )
        return out

    def continue_from(self, reply_so_far: str, n: int) -> Completion:
        if not self._decided:
            self.requests += 1
            try:
                comp = self.client.completions(
                    self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
                )
            except CloudNotFoundError:
                log.info("no completions route on the endpoint; using chat completions")
                comp = None
            except CloudError:
                raise
            self._decided = True
            if comp is not None and (self.accept is None or self.accept(comp)):
                self.api = COMPLETIONS
                return comp
            if comp is not None:
                log.info("the remote tokenizer differs from the local one; using chat completions")
            self.api = CHAT
        self.requests += 1
        if self.api == COMPLETIONS:
            return self.client.completions(
                self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
            )
        return self.client.chat(self.chat_messages(reply_so_far), max_tokens=n, top_k=self.top_k)


def public_messages(messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The turns that may leave the machine: user and assistant turns, never a system prompt."""
    return [
        {"role": m["role"], "content": m["content"]}
        for m in messages
        if m.get("role") in ("user", "assistant") and m.get("content")
    ]
