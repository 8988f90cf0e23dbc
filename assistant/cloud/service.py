"""Cloud collaboration (CoSteer): settings, the key, the send preview, and steered replies.

What may leave the machine, by construction: the conversation's public turns
(user and assistant messages, the task being the last one) rendered as a prompt,
and the tokens chosen so far. The personal context (writing samples retrieved
for the task, the profile description) and the system prompt only ever reach the
local model, which computes the delta that steers the remote. The API key lives
in the OS keyring (assistant.secrets) and only ever travels in the Authorization
header; it is never a setting, a log line or part of an export.

Opt-in is per conversation (`Conversation.cloud_enabled`, off by default): the
service refuses to send anything for a conversation that has not opted in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.app import AppContext
from assistant.chat.conversations import ChatService, Turn
from assistant.cloud.keys import KEY_ACCOUNT, KEY_ENV, keyring_backend, session_only, stored_api_key
from assistant.cloud.plan import (
    DEFAULT_ACCEPT_MARGIN,
    DEFAULT_LOOKAHEAD,
    DEFAULT_NO_REPEAT_NGRAM,
    DEFAULT_PRESENCE_PENALTY,
    DEFAULT_TOP_K,
    LLAMA_CPP_EXTRAS,
    STREAM_LOOKAHEAD,
    CloudPlan,
    build_plan,
    default_profile_description,
    findings,
    steer,
)
from assistant.errors import UserError
from assistant.settings import load_settings, save_settings
from engine.cloud import CloudClient, CloudError, Endpoint
from engine.cloud.probe import (
    CHAT_MODE,
    COMPLETIONS_MODE,
    CONTINUE_FLAGS,
    PLAIN_MODE,
    Mode,
    choose_mode,
    probe,
)
from engine.cloud.session import public_messages
from engine.cloud.templates import check_template
from engine.methods.costeer import (
    CoSteerConfig,
    CoSteerDecoder,
    CoSteerStats,
    LocalVocab,
)
from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime
from store.models import Conversation

log = logging.getLogger(__name__)


FallbackPolicy = bool | Callable[[CloudError], bool]



@dataclass
class CloudReply:
    """What a steered reply cost; `stats` is the turn's stats (tokens, seconds...)."""

    stats: CoSteerStats
    fell_back: bool = False
    error: str | None = None
    local_tokens: int = 0
    notices: list[str] = field(default_factory=list)
    plain: bool = False  # an endpoint that cannot be steered wrote it on its own


class CloudService:
    """Settings and key management, the send preview, and steered generation."""

    def __init__(
        self,
        app: AppContext,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        top_k: int = DEFAULT_TOP_K,
        lookahead: int = DEFAULT_LOOKAHEAD,
        max_lookahead: int = 32,
        config: CoSteerConfig | None = None,
        presence_penalty: float = DEFAULT_PRESENCE_PENALTY,
        no_repeat_ngram: int = DEFAULT_NO_REPEAT_NGRAM,
        accept_margin: float = DEFAULT_ACCEPT_MARGIN,
        stream: bool = True,
    ) -> None:
        self.app = app
        self.stream = stream
        self._profile = lambda: default_profile_description(app)
        self._key_override = api_key
        self.timeout = timeout
        self.retries = retries
        self.top_k = top_k
        self.lookahead = lookahead
        self.max_lookahead = max(lookahead, max_lookahead)
        self.config = config or CoSteerConfig()
        self.presence_penalty = presence_penalty
        self.no_repeat_ngram = no_repeat_ngram
        self.accept_margin = accept_margin

    # ---- settings ----
    def configure(self, url: str, model: str, key: str | None = None, *,
                  template: str | None = None, check: bool = True) -> dict[str, Any]:
        """Save the endpoint, model and the remote's template (validated), store the key if
        one is given, and (`check`) probe the endpoint for the mode it can be steered in."""
        try:
            Endpoint.parse(url)
            if template is not None:
                check_template(template)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
        if not model or not model.strip():
            raise UserError("Give the remote model's name with --model.")
        s = load_settings(self.app.db)
        changed = (s.cloud_url, s.cloud_model) != (url.strip(), model.strip())
        s.cloud_url, s.cloud_model = url.strip(), model.strip()
        s.cloud_template = template
        if changed or template is not None:
            s.cloud_mode = None  # what the old endpoint could do says nothing of this one
        save_settings(self.app.db, s)
        self.app.reload_settings()
        if key is not None:
            key = key.strip()
            if not key:
                raise UserError("The API key read from stdin is empty; nothing was stored.")
            from assistant import secrets

            secrets.set_api_key(key, KEY_ACCOUNT)
        log.info("cloud endpoint configured (key %s)", "given" if key else "unchanged")
        out = self.status()
        if check:
            try:
                out["probe"] = self.test_connection()
            except UserError as exc:  # saved anyway; checked again at the first cloud reply
                out["probe_error"] = str(exc)
            out.update({k: v for k, v in self.status().items() if k.startswith("mode")})
        return out

    def test_connection(self, url: str | None = None, model: str | None = None,
                        key: str | None = None, template: str | None = None,
                        ) -> dict[str, Any]:
        """Probe the endpoint, save the mode it can be steered in, and say what was found
        (the CLI's `cloud set` and the Cloud panel's "Test connection").

        `url` and `model` test what the user typed before saving it (the key typed, else
        the stored one): the mode is then saved only if they are the saved endpoint and
        model, and `saved` in the answer says which.
        """
        from engine.methods.costeer import LocalVocab

        s = self.app.reload_settings()
        typed = url is not None or model is not None
        if typed:
            url, model = (url or "").strip(), (model or "").strip()
            if not url or not model:
                raise UserError("Enter the endpoint and the model's name to test them.")
            try:
                Endpoint.parse(url)
                if template is not None:
                    check_template(template)
                client = CloudClient(url, model, (key or "").strip() or self.api_key(),
                                     timeout=self.timeout, retries=self.retries,
                                     extra_body=LLAMA_CPP_EXTRAS)
            except CloudError as exc:
                raise UserError(str(exc)) from exc
            keep = (url, model) == (s.cloud_url, s.cloud_model) and template == s.cloud_template
        else:
            client, keep, template = self.client(), True, s.cloud_template
        try:
            vocab = None
            with contextlib.suppress(UserError):  # no local model: the tokenizer is unknown
                vocab = LocalVocab.for_runtime(self.app.runtime())
            cap = probe(client, vocab.shared_fraction if vocab is not None else None)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
        finally:
            client.close()
        mode = choose_mode(cap, template, client.endpoint.api)
        if keep:
            s = load_settings(self.app.db)
            s.cloud_mode = mode.kind
            s.cloud_continue_flag = bool(mode.flags)
            save_settings(self.app.db, s)
            self.app.reload_settings()
        log.info("cloud endpoint probed: %s (%s)", mode.kind, "saved" if keep else "not saved")
        return {"capabilities": cap.as_dict(), "mode": mode.as_dict(),
                "mode_description": mode.describe(), "saved": keep,
                "findings": findings(cap, client.model or "")}

    def mode(self, *, check: bool = True) -> Mode | None:
        """The saved mode; an endpoint never probed is probed now (`check`), else None."""
        s = self.app.reload_settings()
        if s.cloud_mode is None:
            if not check:
                return None
            self.test_connection()
            s = self.app.reload_settings()
        if s.cloud_mode == COMPLETIONS_MODE and s.cloud_template:
            return Mode(COMPLETIONS_MODE, template=s.cloud_template)
        if s.cloud_mode == CHAT_MODE:
            return Mode(CHAT_MODE, flags=dict(CONTINUE_FLAGS) if s.cloud_continue_flag else {})
        return Mode(PLAIN_MODE)

    def api_key(self) -> str | None:
        """The key for requests: explicit, else the keyring/session store, else the env var."""
        return self._key_override or stored_api_key()

    def key_source(self) -> str:
        if self._key_override:
            return "given"
        from assistant import secrets

        if secrets.get_api_key(KEY_ACCOUNT):
            return "session" if session_only() else "keyring"
        if os.environ.get(KEY_ENV):
            return "environment"
        return "none"

    def status(self) -> dict[str, Any]:
        """The settings and where the key lives; never the key itself."""
        s = self.app.reload_settings()
        api = None
        if s.cloud_url:
            try:
                api = Endpoint.parse(s.cloud_url).api
            except CloudError:
                api = "invalid"
        backend = keyring_backend()
        mode = None
        if s.cloud_mode is not None:
            mode = Mode(s.cloud_mode, template=s.cloud_template,
                        flags=dict(CONTINUE_FLAGS) if s.cloud_continue_flag else {}).describe()
        return {
            "url": s.cloud_url,
            "model": s.cloud_model,
            "api": api,
            "mode": s.cloud_mode,
            "mode_description": mode,
            "template": s.cloud_template,
            "configured": bool(s.cloud_url and s.cloud_model),
            "key_set": self.key_source() != "none",
            "key_source": self.key_source(),
            "keyring_backend": backend,
            "session_only": session_only(),
            "key_env_var": KEY_ENV,
        }

    def forget_key(self) -> bool:
        from assistant import secrets

        return bool(secrets.delete_api_key(KEY_ACCOUNT))

    # ---- opt-in ----
    def is_enabled(self, conversation_id: int) -> bool:
        with self.app.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            return bool(conv.cloud_enabled)

    # ---- planning and preview ----
    def client(self) -> CloudClient:
        s = self.app.reload_settings()
        if not s.cloud_url or not s.cloud_model:
            raise UserError(
                "Cloud collaboration is not set up; run 'assistant cloud set --url URL "
                "--model NAME' first."
            )
        try:
            return CloudClient(
                s.cloud_url,
                s.cloud_model,
                self.api_key(),
                timeout=self.timeout,
                retries=self.retries,
                extra_body=LLAMA_CPP_EXTRAS,
            )
        except CloudError as exc:
            raise UserError(str(exc)) from exc

    def personal_context(self, task: str, runtime: LlamaRuntime,
                         max_tokens: int) -> tuple[list[str], str | None]:
        """The user's texts for the task (chat's, by the one rule) and the description."""
        from assistant.writing import retrieval

        got, _samples = retrieval.pick(self.app.db, task, runtime, max_tokens)
        return got.texts, self._profile()

    def plan(
        self,
        messages: Sequence[dict[str, str]],
        runtime: LlamaRuntime,
        max_tokens: int,
        *,
        client: CloudClient | None = None,
        mode: Mode | None = None,
    ) -> CloudPlan:
        """Split `messages` (as ChatService prepares them) into what is sent and what is not."""
        public = public_messages(messages)
        task = public[-1]["content"] if public else ""
        texts, description = self.personal_context(task, runtime, max_tokens)
        return build_plan(
            runtime,
            messages,
            texts,
            description,
            system=self.app.settings.system_prompt,
            client=client or self.client(),
            mode=mode or self.mode(),
            top_k=self.top_k,
            max_tokens=max_tokens,
            stream=self.stream,
        )

    def preview(
        self,
        conversation_id: int | None,
        text: str,
        runtime: LlamaRuntime,
        max_tokens: int,
    ) -> dict[str, Any]:
        """Exactly what the first request will carry (the key shown as a placeholder)."""
        msgs = ChatService(self.app.db, self.app.settings.system_prompt).prepare_messages(
            conversation_id, text
        )
        mode = self.mode(check=False)  # a preview sends nothing, not even the check
        note = ""
        if mode is None:
            mode, note = Mode(CHAT_MODE), ("The endpoint has not been checked yet; shown as "
                                           "the chat route would carry it.")
        elif mode.kind == PLAIN_MODE:
            mode, note = Mode(CHAT_MODE), ("This endpoint cannot be steered: one plain chat "
                                           "request, without the tokens, is sent.")
        plan = self.plan(msgs, runtime, max_tokens, mode=mode)
        try:
            out = plan.preview(max_tokens, self.lookahead)
        finally:
            plan.session.client.close()
        if note:
            out["note"] = note
        return out

    # ---- generation ----
    def generate(
        self,
        chat: ChatService,
        turn: Turn,
        runtime: LlamaRuntime,
        sampling: SamplingSettings,
        *,
        allow_local_fallback: FallbackPolicy = False,
        cancel: CancelToken | None = None,
        client: CloudClient | None = None,
        temperature: float = 0.0,
        on_notice: Callable[[str], None] | None = None,
    ) -> tuple[Iterator[str], CloudReply]:
        """Stream a steered reply through `chat.generate` (the partial-reply rule holds).

        Returns the piece iterator and a `CloudReply` filled in as it runs. On a
        cloud failure the reply continues with the local model (with the personal
        context) when `allow_local_fallback` says so; otherwise the failure is
        raised as a UserError and the text so far stays stored, marked partial.
        """
        if not self.is_enabled(turn.conversation_id):
            raise UserError(
                f"Cloud collaboration is off for conversation {turn.conversation_id}; "
                "turn it on for this conversation first."
            )
        stats = CoSteerStats(trimmed_turns=0)
        turn.stats = stats
        reply = CloudReply(stats)
        if self.mode().kind == PLAIN_MODE:
            pieces = self._plain(turn, runtime, sampling, reply, client, on_notice)
            return chat.generate(turn, pieces, cancel=cancel), reply
        try:
            plan = self.plan(turn.messages, runtime, sampling.max_tokens, client=client)
        except UserError:
            turn.status = "partial"
            chat._flush(turn, final=True)
            raise
        stats.trimmed_turns = plan.trimmed_turns
        pieces = self._pieces(
            plan, runtime, sampling, reply, allow_local_fallback, cancel, temperature, on_notice
        )
        return chat.generate(turn, pieces, cancel=cancel), reply

    def _plain(self, turn: Turn, runtime: LlamaRuntime, sampling: SamplingSettings,
               reply: CloudReply, client: CloudClient | None,
               on_notice: Callable[[str], None] | None) -> Iterator[str]:
        """An endpoint that cannot be steered: its own chat reply to the public turns,
        unsteered; the history is not used (and, as always, not sent)."""
        notice = ("This cloud endpoint cannot be steered, so this is its plain reply: your "
                  "writing history was not used.")
        reply.notices.append(notice)
        reply.plain = True
        if on_notice:
            on_notice(notice)
        client = client or self.client()
        t0 = time.perf_counter()
        try:
            text, finish = client.chat_text(public_messages(turn.messages),
                                            max_tokens=sampling.max_tokens)
        except CloudError as exc:
            reply.error = str(exc)
            raise
        finally:
            client.close()
        st = reply.stats
        st.remote_requests, st.seconds = 1, time.perf_counter() - t0
        st.tokens = len(runtime.tokenize(text, special=False)) - 1 if text else 0
        st.finish_reason = "length" if finish == "length" else "stop"
        if text:
            yield text

    def _pieces(
        self,
        plan: CloudPlan,
        runtime: LlamaRuntime,
        sampling: SamplingSettings,
        reply: CloudReply,
        allow: FallbackPolicy,
        cancel: CancelToken | None,
        temperature: float,
        on_notice: Callable[[str], None] | None,
    ) -> Iterator[str]:
        stats = reply.stats
        streamed = plan.session.stream
        decoder = CoSteerDecoder(
            LocalVocab.for_runtime(runtime),
            config=self.config,
            lookahead=max(self.lookahead, STREAM_LOOKAHEAD) if streamed else self.lookahead,
            min_lookahead=(max(self.lookahead, STREAM_LOOKAHEAD) if streamed
                           else min(4, self.lookahead)),
            max_lookahead=(max(self.max_lookahead, STREAM_LOOKAHEAD) if streamed
                           else self.max_lookahead),
            temperature=temperature,
            presence_penalty=self.presence_penalty,
            no_repeat_ngram=self.no_repeat_ngram,
            accept_margin=self.accept_margin,
            seed=sampling.seed,
            min_p=sampling.min_p,
            top_p=sampling.top_p,
        )
        written: list[str] = []
        failure: CloudError | None = None
        try:
            for piece in steer(
                plan, runtime, decoder, max_tokens=sampling.max_tokens, stats=stats, cancel=cancel
            ):
                written.append(piece)
                yield piece
        except CloudError as exc:
            failure = exc
        if failure is None:
            return
        reply.error = str(failure)
        log.info(
            "cloud generation failed after %d tokens: %s", stats.tokens, type(failure).__name__
        )
        if not (allow(failure) if callable(allow) else allow):
            raise failure
        # The user allows the local model (with the personal context) to finish the reply.
        notice = f"{reply.error} The reply continues with the local model."
        reply.notices.append(notice)
        reply.fell_back = True
        if on_notice:
            on_notice(notice)
        remaining = sampling.max_tokens - stats.tokens
        if remaining <= 0:
            return
        local_stats = GenerationStats()
        local_sampling = SamplingSettings(**{**sampling.__dict__, "max_tokens": remaining})
        prompt = plan.with_context + "".join(written)
        try:
            for piece in runtime.stream(prompt, local_sampling, cancel=cancel, stats=local_stats):
                yield piece
        finally:
            reply.local_tokens = local_stats.tokens
            stats.tokens += local_stats.tokens
            stats.seconds += local_stats.seconds
            stats.finish_reason = local_stats.finish_reason
