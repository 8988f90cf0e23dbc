"""One steered reply's conversation with the remote: the request shape and its prefix.

A `RemoteSession` knows the public prompt (built by the caller from the task and
the conversation's public turns only, rendered with the *remote's* template) and,
for each call, appends the reply written so far. It is the only thing that decides
what goes over the wire, so `first_request_preview` shows exactly that.

On the chat route it checks that the remote continued the reply (`engine.cloud.drift`)
and raises `CloudDriftError` when it did not, so two replies are never spliced.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.cloud.answers import CHAT, COMPLETIONS, Completion
from engine.cloud.client import CloudClient
from engine.cloud.drift import continues
from engine.cloud.errors import CloudDriftError

log = logging.getLogger(__name__)


@dataclass
class RemoteSession:
    """Continue a reply on the remote, by completions or by chat (`api`, the mode the
    capability probe chose: `engine.cloud.probe`).

    `prompt` is the public conversation rendered with the remote's chat template (for
    completions); `messages` the same turns as chat messages (for chat, sent with
    `flags`, what makes the endpoint continue a final assistant message).
    """

    client: CloudClient
    prompt: str
    messages: list[dict[str, str]]
    api: str
    stop: list[str] = field(default_factory=list)
    top_k: int = 20
    flags: dict[str, Any] = field(default_factory=dict)
    requests: int = 0  # round trips so far
    # Completions route: read the tokens as they come and hang up at the first
    # disagreement (the remote stops writing), so asking for many tokens costs little.
    stream: bool = False

    def __post_init__(self) -> None:
        if self.api not in (COMPLETIONS, CHAT):
            raise ValueError(f"api must be {COMPLETIONS} or {CHAT}, not {self.api!r}")

    def completions_body(self, reply_so_far: str, n: int) -> dict[str, Any]:
        body = self.client.completions_body(
            self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
        )
        if self.stream:
            body["stream"] = True
        return body

    def chat_messages(self, reply_so_far: str) -> list[dict[str, str]]:
        msgs = [dict(m) for m in self.messages]
        if reply_so_far:
            msgs.append({"role": "assistant", "content": reply_so_far})
        return msgs

    def chat_body(self, reply_so_far: str, n: int) -> dict[str, Any]:
        return self.client.chat_body(
            self.chat_messages(reply_so_far), max_tokens=n, top_k=self.top_k, flags=self.flags
        )

    def first_request_preview(self, n: int) -> list[dict[str, Any]]:
        """The request the first call sends: path, headers (key hidden), JSON body."""
        base = self.client.endpoint.base_url
        path, body = (("/completions", self.completions_body("", n)) if self.api == COMPLETIONS
                      else ("/chat/completions", self.chat_body("", n)))
        return [{"method": "POST", "url": f"{base}{path}",
                 "headers": self.client.redacted_headers(), "body": body, "when": "always"}]

    def continue_from(self, reply_so_far: str, n: int) -> Completion:
        self.requests += 1
        if self.api == COMPLETIONS and self.stream:
            return self.client.completions_stream(  # type: ignore[return-value]
                self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
            )
        if self.api == COMPLETIONS:
            return self.client.completions(
                self.prompt + reply_so_far, max_tokens=n, top_k=self.top_k, stop=self.stop
            )
        comp = self.client.chat(self.chat_messages(reply_so_far), max_tokens=n,
                                top_k=self.top_k, flags=self.flags)
        answer = comp.text or "".join(st.chosen.text for st in comp.steps)
        if not continues(reply_so_far, answer):
            raise CloudDriftError(
                "The cloud model began a reply of its own instead of continuing the text "
                "it was sent (its chat route does not continue a final assistant message); "
                "run 'assistant cloud set' again to check the endpoint.")
        return comp


def public_messages(messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The turns that may leave the machine: user and assistant turns, never a system prompt."""
    return [
        {"role": m["role"], "content": m["content"]}
        for m in messages
        if m.get("role") in ("user", "assistant") and m.get("content")
    ]
