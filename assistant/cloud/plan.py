"""A steered cloud reply planned before it runs: the personal context that stays on this
machine (the user's texts and profile description, for the local model only), what the
remote may do (its capabilities), and the CoSteer settings for the turn."""


from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.app import AppContext
from assistant.errors import UserError
from engine.cloud import CHAT, COMPLETIONS, CloudClient, CloudError
from engine.cloud.probe import (
    COMPLETIONS_MODE,
    PLAIN_MODE,
    Capabilities,
    Mode,
)
from engine.cloud.session import RemoteSession, public_messages
from engine.cloud.templates import Rendered, render
from engine.errors import EngineError
from engine.methods.costeer import (
    CoSteerDecoder,
    CoSteerStats,
    PairedContext,
)
from engine.runtime.generation import CancelToken
from engine.runtime.llamacpp import LlamaRuntime

log = logging.getLogger(__name__)

# llama.cpp servers default to a repeat penalty that makes their greedy choice differ
# from their own log-probs; other servers ignore it or reject it (then it is dropped).
LLAMA_CPP_EXTRAS = {"repeat_penalty": 1.0}
DEFAULT_TOP_K = 20
DEFAULT_LOOKAHEAD = 8
# Streamed (completions route): the tokens are read as the remote writes them and the
# request is closed at the first disagreement, so a long request wastes little remote
# work; ask for this many from the start.
STREAM_LOOKAHEAD = 32
DEFAULT_PRESENCE_PENALTY = 0.0
DEFAULT_NO_REPEAT_NGRAM = 4  # small greedy models loop; this breaks loops only
# Keep the remote's token when the steered policy rates it within 0.5 nats of its best:
# measured to cut the disagreements (each costs a round trip) by about a third.
DEFAULT_ACCEPT_MARGIN = 0.5
CONTEXT_HEADER = "Examples of the user's own writing:"




# ---- the personal context ----------------------------------------------------------
def context_block(texts: Sequence[str], description: str | None) -> str:
    """The personal context as the local model's system text (never sent anywhere).

    The user's texts are chat's for the same request (engine.methods.rag.pick_texts:
    the same pick, cuts and budget). Only the user's own texts and the description:
    an instruction ("write in the user's voice") or the tasks the samples answered
    would enter the delta too, and measured on paper_dev with SmolLM2 they made the
    steered reply talk about style or echo the task wording instead of writing like
    the user.
    """
    parts = [CONTEXT_HEADER]
    if description and description.strip():
        parts.append("About the user's writing: " + description.strip())
    parts.extend(text.strip() for text in texts)
    return "\n\n".join(parts)


def default_profile_description(app: AppContext) -> str | None:
    """The active profile's description (what the user sees and may edit), or None.

    Only the local model reads it (CoSteer's personal context); it never goes to
    the remote. Personalization switched off means no description either.
    """
    from assistant.profile.service import ProfileService

    svc = ProfileService(app)
    method = svc.active_method()
    view = svc.get(method) if method is not None else None
    text = view.description.strip() if view is not None else ""
    return text or None


def findings(cap: Capabilities, model: str) -> list[str]:
    """The probe's results in plain words, one line each."""
    out = []
    if cap.models is None:
        out.append("the model list (/models) did not answer")
    else:
        listed = "listed" if model in cap.models else "not listed (it may still work)"
        out.append(f"{len(cap.models)} model(s) offered; {model!r} is {listed}")
    out.append(f"completions route: log-probabilities with up to {cap.completions_top_k} "
               "alternatives" if cap.completions_top_k else
               "completions route: no log-probabilities (or no such route)")
    out.append(f"chat route: log-probabilities with up to {cap.chat_top_k} alternatives"
               if cap.chat_top_k else "chat route: no log-probabilities")
    out.append(("chat route continues a final assistant message" +
                (" (with continue_final_message)" if cap.continue_flags else ""))
               if cap.chat_continues else
               "chat route starts a new reply instead of continuing one")
    out.append("the server renders its own chat template (/apply-template)"
               if cap.apply_template else "the server's chat template is not known")
    if cap.shared_tokenizer is not None:
        out.append("its tokens match the local model's one to one" if cap.shared_tokenizer
                   else "its tokens differ from the local model's (matched by their text)")
    return out


# ---- a planned steered reply -------------------------------------------------------
@dataclass
class CloudPlan:
    """Everything one steered reply needs; `session` decides what goes over the wire."""

    session: RemoteSession
    with_context: str  # local prompt with the personal context
    without_context: str  # the same without it
    samples_used: int
    description_used: bool
    trimmed_turns: int = 0

    def preview(self, max_tokens: int, lookahead: int) -> dict[str, Any]:
        return {
            "endpoint": self.session.client.endpoint.base_url,
            "model": self.session.client.model,
            "requests": self.session.first_request_preview(min(lookahead, max_tokens)),
            "then": (
                "each further request is the same, with the reply written so far appended "
                "(to the prompt, or as a final assistant message for chat)"
            ),
            "stays_on_this_computer": {
                "writing_samples_used_locally": self.samples_used,
                "profile_description_used_locally": self.description_used,
                "system_prompt": True,
                "api_key": "sent only in the Authorization header",
            },
            "trimmed_turns": self.trimmed_turns,
        }


def build_plan(
    runtime: LlamaRuntime,
    messages: Sequence[dict[str, str]],
    texts: Sequence[str],
    description: str | None,
    *,
    system: str,
    client: CloudClient,
    mode: Mode,
    top_k: int = DEFAULT_TOP_K,
    max_tokens: int,
    stream: bool = True,
) -> CloudPlan:
    """The remote session (public turns only, in the remote's template or as chat messages,
    as `mode` says) and the two local prompts (with and without the personal context)."""
    public = public_messages(messages)
    if not public or public[-1]["role"] != "user":
        raise UserError("There is no message to send.")
    if mode.kind == PLAIN_MODE:
        raise UserError("This endpoint cannot be steered; its replies are plain cloud chat.")
    try:
        fitted = runtime.fit_chat(public, max_tokens)  # the local tokenizer sizes the turns
    except EngineError as exc:
        raise UserError(str(exc)) from exc
    kept = public[fitted.trimmed_turns :]  # fit_chat drops the oldest first

    def local_template(msgs: list[dict[str, str]]) -> Rendered:
        p = runtime.format_chat(msgs)
        return Rendered(p.text, list(p.stop))

    remote = Rendered("", [])
    if mode.kind == COMPLETIONS_MODE:
        try:
            remote = render(mode.template or "", kept, client, local_template)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
    system = system.strip() or "You are a helpful assistant."
    local_with = runtime.format_chat(
        [{"role": "system", "content": system + "\n\n" + context_block(texts, description)}]
        + kept
    )
    local_without = runtime.format_chat([{"role": "system", "content": system}] + kept)
    session = RemoteSession(
        client=client,
        prompt=remote.prompt,
        messages=kept,
        stop=remote.stops,
        top_k=top_k,
        api=COMPLETIONS if mode.kind == COMPLETIONS_MODE else CHAT,
        flags=dict(mode.flags),
        stream=stream and mode.kind == COMPLETIONS_MODE,
    )
    return CloudPlan(
        session=session,
        with_context=local_with.text,
        without_context=local_without.text,
        samples_used=len(texts),
        description_used=bool(description),
        trimmed_turns=fitted.trimmed_turns,
    )


def steer(
    plan: CloudPlan,
    runtime: LlamaRuntime,
    decoder: CoSteerDecoder,
    *,
    max_tokens: int,
    stats: CoSteerStats,
    cancel: CancelToken | None = None,
) -> Iterator[str]:
    """Run `decoder` over the plan's remote session and a fresh pair of local contexts."""
    local: PairedContext | None = None
    try:
        local = PairedContext(
            runtime,
            runtime.tokenize(plan.with_context),
            runtime.tokenize(plan.without_context),
            max_new_tokens=max_tokens,
        )
        yield from decoder.generate(
            plan.session, local, max_tokens=max_tokens, cancel=cancel, stats=stats
        )
    finally:
        if local is not None:
            local.close()
        plan.session.client.close()


