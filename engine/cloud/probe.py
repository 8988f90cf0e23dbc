"""What a remote endpoint can do for CoSteer, found with a few tiny requests, and the mode
that follows from it.

Checked once, at `cloud set` (and by the Cloud panel's "Test connection"):
- `/models`: whether it answers, and whether the model is listed;
- the completions route with log-probabilities, and the largest top-k it returns;
- the chat route with log-probabilities, and whether it *continues* a final assistant
  message (plainly, or with vLLM's `continue_final_message`); a remote asked to go
  on from "one two thr" must answer "ee...";
- llama.cpp's `/apply-template` (the server renders its own chat template) and
  whether its tokens are the local model's (the completions answer's tokens, read
  in the local vocabulary).

The mode: completions when its log-probs work and the remote's template is known (the
server's, or one the user picked); else chat continuation when the chat route
continues; else plain cloud chat, with the user's history not used. An endpoint is
never steered in a way it cannot follow.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.cloud.answers import CHAT, COMPLETIONS
from engine.cloud.client import AUTO, CloudClient
from engine.cloud.errors import CloudAuthError, CloudConnectionError, CloudError
from engine.cloud.templates import LOCAL, SERVER

log = logging.getLogger(__name__)

COMPLETIONS_MODE = "completions"
CHAT_MODE = "chat"
PLAIN_MODE = "plain"
CONTINUE_FLAGS = {"continue_final_message": True, "add_generation_prompt": False}
_TOP_KS = (20, 5, 1)
_COUNT = [{"role": "user", "content": "Repeat exactly: one two three four five six"},
          {"role": "assistant", "content": "one two thr"}]


@dataclass
class Capabilities:
    models: list[str] | None = None  # None: /models did not answer
    completions_top_k: int = 0  # 0: no completions route with log-probs
    chat_top_k: int = 0
    chat_continues: bool = False
    continue_flags: dict[str, Any] = field(default_factory=dict)
    apply_template: bool = False
    shared_tokenizer: bool | None = None  # None: unknown (no completions answer)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mode:
    kind: str  # completions | chat | plain
    template: str | None = None  # completions: the remote's template (SERVER or a name)
    flags: dict[str, Any] = field(default_factory=dict)  # chat: what makes it continue

    def describe(self) -> str:
        if self.kind == COMPLETIONS_MODE:
            whose = {SERVER: "the server's own template",
                     LOCAL: "the local model's template"}.get(
                         self.template or "", f"the {self.template} template")
            return f"steered token by token through completions ({whose})"
        if self.kind == CHAT_MODE:
            return "steered through chat continuation"
        return "cannot be steered: plain cloud chat only, your history is not used"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "template": self.template, "flags": self.flags,
                "description": self.describe()}


def _continued(answer: str) -> bool:
    return answer.lstrip(" ").lower().startswith("ee")


def _largest_top_k(cap: Capabilities, route: str, ask) -> list | None:
    """The steps of the first answer with alternatives, asking for top-20, then 5, then 1
    (some endpoints refuse more than they serve); None when none has them."""
    for k in _TOP_KS:
        try:
            comp = ask(k)
        except (CloudAuthError, CloudConnectionError):
            raise
        except CloudError as exc:
            cap.notes.append(f"{route} with top-{k}: {exc}")
            continue
        if comp.steps and comp.steps[0].top:
            return comp.steps
    return None


def probe(client: CloudClient, shared_fraction=None) -> Capabilities:
    """The endpoint's capabilities; `shared_fraction(steps)` reads tokens in the local
    vocabulary (LocalVocab.shared_fraction). Auth and connection errors raise: nothing
    else can be learned then."""
    cap = Capabilities()
    try:
        data = client.get_json("/models")
        cap.models = [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]
    except (CloudAuthError, CloudConnectionError):
        raise
    except CloudError as exc:
        cap.notes.append(f"/models: {exc}")
    steps = _largest_top_k(cap, "completions", lambda k: client.completions(
        "The capital of France is", max_tokens=2, top_k=k))
    if steps is not None:
        cap.completions_top_k = min(_TOP_KS[0], len(steps[0].top))
        if shared_fraction is not None:
            cap.shared_tokenizer = shared_fraction(steps) >= 0.9
    steps = _largest_top_k(cap, "chat", lambda k: client.chat(_COUNT[:1], max_tokens=1,
                                                              top_k=k))
    if steps is not None:
        cap.chat_top_k = min(_TOP_KS[0], len(steps[0].top))
    for flags in ({}, CONTINUE_FLAGS):
        try:
            text, _ = client.chat_text(_COUNT, max_tokens=4, flags=flags)
        except CloudError as exc:
            cap.notes.append(f"chat continuation {flags or '(plain)'}: {exc}")
            continue
        if _continued(text):
            cap.chat_continues, cap.continue_flags = True, dict(flags)
            break
    try:
        data = client.post_root("/apply-template", {"messages": _COUNT[:1]})
        cap.apply_template = isinstance(data, dict) and isinstance(data.get("prompt"), str)
    except CloudError:
        cap.apply_template = False
    return cap


def choose_mode(cap: Capabilities, template: str | None, route: str = AUTO) -> Mode:
    """The most faithful way to steer this endpoint; `template`: the user's pick; `route`:
    the one the user's URL names (…/chat/completions or …/completions), if any."""
    known = template or (SERVER if cap.apply_template else None)
    if cap.completions_top_k and known and route != CHAT:
        return Mode(COMPLETIONS_MODE, template=known)
    if cap.chat_top_k and cap.chat_continues and route != COMPLETIONS:
        return Mode(CHAT_MODE, flags=dict(cap.continue_flags))
    return Mode(PLAIN_MODE)
