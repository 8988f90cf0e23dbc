"""One chat turn, the same for the command line, the terminal chat and the window,
and one drafting turn (`DraftTurn`) that personalizes the same way without storing.

    turn = ChatTurn(app, ChatRequest(text, conversation_id, method="rag"))
    info = turn.start()        # a TurnStart: method prepared, prompt fitted, message stored
    for piece in turn.stream(): ...
    turn.summary()             # a ChatSummary: what --json prints, the window's status bar

`start` does everything that can fail before anything is stored (the method, the
prompt's fit in the context), then stores the user's message and an empty partial
reply; `stream` runs the method's decoder (llama.cpp's own stream, or DPS's)
through `ChatService.generate`, so the partial-reply rule holds for every method.
The method's steering (`Prepared.steering`) is applied around the generation only
(`with runtime.steered(...)`), so no turn leaves the shared runtime steered, whatever
stops it.

`ApiTurn` is the turn `assistant serve` runs for another app on this computer:
the client sends the whole chat (or a raw prompt), so nothing is read from the
store and nothing is kept unless the user chose to keep such requests.

A cloud turn (`ChatRequest(cloud=True)`, CoSteer) is the same turn with another
decoder: the remote writes, steered token by token by the local model, which is
personalized by the same method as a local turn. What the method adds to the local
prompt (RAG's texts) stays local; the remote gets the public turns only
(`assistant.cloud.service`). Asking for the cloud is the conversation's opt-in.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant import method_registry as methods
from assistant.chat.conversations import ChatService, Turn
from assistant.chat.turn_results import (
    ApiStart,
    ApiSummary,
    ChatSummary,
    DraftStart,
    DraftSummary,
    TurnStart,
)
from assistant.errors import Stopped, UserError
from assistant.text_rules import check_text
from engine.errors import EngineError
from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
from engine.runtime.llamacpp import ChatPrompt

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext
    from assistant.cloud.service import CloudReply, CloudService
    from engine.cloud.client import CloudClient
    from engine.runtime.llamacpp import LlamaRuntime


def personalize(app: AppContext, rt: LlamaRuntime, method: methods.Method, named: bool,
                messages: list[dict[str, str]], text: str, sampling: SamplingSettings,
                cancel: CancelToken, model_flag: str | None = None, strength: float = 1.0,
                ) -> tuple[methods.Prepared, ChatPrompt]:
    """Prepare `method` for one request and fit its prompt in the context (the runtime
    is not steered yet: `decode` steers it while it writes)."""
    prepared = methods.prepare(method, methods.Request(
        app, rt, messages, text, sampling, cancel, model_flag=model_flag, explicit=named,
        strength=strength))
    try:
        prompt = rt.fit_chat(prepared.messages, sampling.max_tokens, cancel=cancel)
    except EngineError as exc:
        raise UserError(str(exc)) from exc
    return prepared, prompt


def decode(prepared: methods.Prepared, prompt: ChatPrompt, rt: LlamaRuntime,
           sampling: SamplingSettings, cancel: CancelToken,
           stats: GenerationStats) -> Iterator[str]:
    """The method's own decoder (DPS) or llama.cpp's stream (the caller steers it)."""
    if prepared.decode is not None:
        return prepared.decode(prompt, stats)
    return rt.stream(prompt, sampling, cancel=cancel, stats=stats)


@dataclass
class ChatRequest:
    text: str
    conversation_id: int | None = None
    method: str | None = None  # None: the saved choice (assistant.method_registry.chosen)
    regenerate: bool = False  # take back the last exchange and answer its message again
    # Edit: this user message's text becomes `text`, in a branch (the original conversation
    # stays); regenerate this reply, in place if it is the last one, else in a branch.
    edit_of: int | None = None
    reply_of: int | None = None
    # Continue: write on from the end of this reply (the conversation's last; one cut at
    # its length limit), appending to it in place.
    continue_of: int | None = None
    sampling: dict[str, Any] = field(default_factory=dict)  # checked overrides (app.sampling)
    model_flag: str | None = None
    cloud: bool = False  # CoSteer: the remote model writes, steered by the local one
    allow_local_fallback: bool = False  # cloud: the local model finishes if the remote fails
    on_notice: Callable[[str], None] | None = None  # cloud: a fallback or a retry, as it happens


class ChatTurn:
    def __init__(self, app: AppContext, request: ChatRequest,
                 cancel: CancelToken | None = None) -> None:
        self.app = app
        self.request = request
        self.cancel = cancel or CancelToken()
        self.chat = ChatService(app.db, app.settings.system_prompt)
        # The conversation's own temperature and reply length, under this turn's flags;
        # a bad value fails before the load.
        from assistant.chat.conversation_settings import sampling_of

        own = sampling_of(self.chat.settings_of(request.conversation_id))
        asked = {k: v for k, v in request.sampling.items() if v is not None}
        self.sampling = app.sampling(**{**own, **asked})
        # CoSteer decodes greedily unless a temperature is asked for (here or in the chat).
        self.cloud_temperature = float({**own, **asked}.get("temperature") or 0.0)
        self.runtime = app.runtime(request.model_flag)
        self.prepared: methods.Prepared | None = None
        self.prompt: ChatPrompt | None = None
        self.turn: Turn | None = None
        self.text = request.text
        self.cloud: CloudService | None = None
        self.cloud_client: CloudClient | None = None
        self.cloud_reply: CloudReply | None = None

    def start(self) -> TurnStart:
        """Prepare the method, fit the prompt and store the user's message."""
        req = self.request
        if req.cloud:  # not set up: this fails here, before anything is stored or taken back
            from assistant.cloud.service import CloudService

            self.cloud = CloudService(self.app)
            self.cloud_client = self.cloud.client()
        if req.continue_of is not None:
            return self._start_continue()
        answers_again = req.regenerate or req.reply_of is not None  # its message is stored
        if not answers_again and not self.text.strip():
            raise UserError("The message is empty; type something to send.")
        if not answers_again:  # the one text rule, before a token is counted or a row stored
            check_text(self.text, "The message")
        cid, regenerate = req.conversation_id, req.regenerate
        versions: list[dict[str, Any]] = []
        forked = False
        if req.edit_of is not None or req.reply_of is not None:
            cid, regenerate, versions, forked = self._branch()
        try:
            return self._start(cid, regenerate, versions, forked)
        except BaseException:
            # A branch that never got its message is no conversation.
            if forked and cid is not None:
                self.chat.delete(cid)
            raise

    def _start_continue(self) -> TurnStart:
        """The prompt is the conversation up to the reply, then the reply's text: the model
        writes on from its last word, and the new text is appended to the same reply."""
        rt, reply_id = self.runtime, self.request.continue_of
        assert reply_id is not None
        if self.cancel.cancelled:
            raise Stopped()
        cid, _user_id, user_text, last = self.chat.reply_context(reply_id)
        if not last:
            raise UserError("Only the last reply of a conversation can be continued.")
        so_far = self.chat.message(reply_id).content
        if not so_far:
            raise UserError("That reply is empty; regenerate it instead.")
        self.text = user_text
        own = self.chat.settings_of(cid).get("method")
        method, named = methods.chosen(self.app, self.request.method, own)
        messages = self.chat.prepare_messages(cid, "")[:-2]  # without the reply and ""
        self.prepared, prompt = personalize(
            self.app, rt, method, named, messages, user_text, self.sampling, self.cancel,
            self.request.model_flag)
        text = prompt.text + so_far
        self.prompt = ChatPrompt(text=text, n_tokens=len(rt.tokenize(text)), stop=prompt.stop,
                                 trimmed_turns=prompt.trimmed_turns)
        if self.prompt.n_tokens + self.sampling.max_tokens > rt.n_ctx:
            raise UserError("The reply already fills the model's context; start a new chat "
                            "or raise the context size in Settings.")
        if self.cancel.cancelled:
            raise Stopped()
        self.turn = self.chat.resume_turn(reply_id)
        return TurnStart(
            conversation_id=cid, user_message_id=_user_id, reply_message_id=reply_id,
            text=user_text, trimmed_turns=self.prompt.trimmed_turns,
            prompt_tokens=self.prompt.n_tokens, n_ctx=rt.n_ctx,
            reply_tokens=self.sampling.max_tokens, method=self.prepared.method,
            notice=self.prepared.notice,
            format_note=rt.chat_format.note(rt.info.path.name) or "", cloud_note="",
            forked=False, continued=True)

    def _branch(self) -> tuple[int, bool, list[dict[str, Any]], bool]:
        """Where an edit or an earlier reply's regenerate goes on: (conversation,
        regenerate in place, the reply's versions so far, whether it is a new branch)."""
        req = self.request
        if req.edit_of is not None:
            msg = self.chat.message(req.edit_of)
            if msg.role != "user":
                raise UserError("Only your own messages can be edited; regenerate a reply "
                                "instead.")
            cid = self.chat.conversation_of(req.edit_of)
            return self.chat.fork(cid, req.edit_of), False, [], True
        assert req.reply_of is not None
        conv, user_id, user_text, last = self.chat.reply_context(req.reply_of)
        if last:
            return conv, True, [], False
        versions = self.chat.versions(req.reply_of)
        self.text = user_text
        return self.chat.fork(conv, user_id), False, versions, True

    def _start(self, cid: int | None, regenerate: bool, versions: list[dict[str, Any]],
               forked: bool) -> TurnStart:
        req, rt = self.request, self.runtime
        if self.cancel.cancelled:  # stopped while the model loaded: nothing is taken back
            raise Stopped()
        if regenerate:
            if cid is None:
                raise UserError("Pick a conversation to regenerate its last reply.")
            taken = self.chat.take_back_last_exchange(cid)
            self.text, versions = taken.text, taken.versions
        own = self.chat.settings_of(cid).get("method")
        method, named = methods.chosen(self.app, req.method, own)
        messages = self.chat.prepare_messages(cid, self.text)
        cloud_note = ""
        if self.cloud_client is not None:
            earlier = sum(1 for m in messages if m["role"] in ("user", "assistant")) - 1
            cloud_note = (
                f"sending to {self.cloud_client.endpoint.base_url} (model "
                f"{self.cloud_client.model}): the message and this conversation's {earlier} "
                "earlier turns, then the chosen tokens; your writing history, profile and "
                "system prompt stay here ('assistant cloud preview' shows the exact request).")
        self.prepared, self.prompt = personalize(
            self.app, rt, method, named, messages, self.text, self.sampling, self.cancel,
            req.model_flag)
        # Stopped while the method prepared (a regenerate goes on: its reply comes back as
        # it was).
        if self.cancel.cancelled and not regenerate:
            raise Stopped()
        # An earlier reply regenerated in a branch answers a message already in the
        # history: no second writing sample, as for a regenerate in place.
        self.turn = self.chat.begin_turn(cid, self.text, model_name=rt.model_name,
                                         regenerate=regenerate or bool(versions),
                                         versions=versions)
        self.turn.stats.trimmed_turns = self.prompt.trimmed_turns
        if req.cloud:
            self.chat.set_cloud(self.turn.conversation_id, True)
        return TurnStart(
            conversation_id=self.turn.conversation_id,
            user_message_id=self.turn.user_message_id,
            reply_message_id=self.turn.reply_message_id,
            text=self.text,
            trimmed_turns=self.prompt.trimmed_turns,
            prompt_tokens=self.prompt.n_tokens,
            n_ctx=rt.n_ctx,
            reply_tokens=self.sampling.max_tokens,
            method=self.prepared.method,
            notice=self.prepared.notice,
            format_note=rt.chat_format.note(rt.info.path.name) or "",
            cloud_note=cloud_note,
            forked=forked,
        )

    def stream(self) -> Iterator[str]:
        """The reply's pieces, stored as they come (kept, marked partial, if cut short),
        written under the method's steering (the local model's, for a cloud turn)."""
        if self.turn is None or self.prepared is None or self.prompt is None:
            raise RuntimeError("start() the turn first")
        with self.runtime.steered(self.prepared.steering):
            if self.cloud is not None:
                pieces, self.cloud_reply = self.cloud.generate(
                    self.chat, self.turn, self.runtime, self.sampling,
                    allow_local_fallback=self.request.allow_local_fallback,
                    cancel=self.cancel, client=self.cloud_client,
                    on_notice=self.request.on_notice, temperature=self.cloud_temperature)
                yield from pieces  # already through ChatService.generate
                return
            pieces = decode(self.prepared, self.prompt, self.runtime, self.sampling,
                            self.cancel, self.turn.stats)
            yield from self.chat.generate(self.turn, pieces, cancel=self.cancel)

    def summary(self) -> ChatSummary:
        assert self.turn is not None and self.prepared is not None and self.prompt is not None
        st, rt = self.turn.stats, self.runtime
        from assistant.cloud.summary_line import cloud_line

        cloud: dict[str, Any] = {"cloud": self.cloud is not None}
        if self.cloud_reply is not None and self.cloud_client is not None:
            cs = self.cloud_reply.stats
            cloud.update(
                remote_requests=cs.remote_requests,
                remote_requests_per_token=round(cs.requests_per_token, 4),
                agreed_tokens=cs.agreed_tokens, steered_tokens=cs.steered_tokens,
                fell_back=self.cloud_reply.fell_back, local_tokens=self.cloud_reply.local_tokens,
                error=self.cloud_reply.error, endpoint=self.cloud_client.endpoint.base_url,
                remote_model=self.cloud_client.model,
                cloud_line=cloud_line(self.cloud_client.model, cs,
                                      fell_back=self.cloud_reply.fell_back,
                                      local_tokens=self.cloud_reply.local_tokens,
                                      plain=self.cloud_reply.plain))
        return ChatSummary(
            text=self.turn.text,
            status=self.turn.status,
            tokens=st.tokens,
            seconds=round(st.seconds, 4),
            tokens_per_s=round(st.tokens_per_s, 2),
            first_token_s=round(st.first_token_s or 0.0, 4),
            finish_reason=st.finish_reason,
            model=rt.model_name,
            model_path=str(rt.info.path),
            conversation_id=self.turn.conversation_id,
            reply_message_id=self.turn.reply_message_id,
            trimmed_turns=self.prompt.trimmed_turns,
            chat_format=rt.chat_format.source,
            method=self.prepared.method,
            details=dict(self.prepared.details),
            cloud=cloud,
        )


class DraftTurn:
    """One drafting action (continue, rewrite in my voice...) on the user's text.

    Personalized by the saved method, like a chat turn; nothing is stored, since the
    draft pane owns its text. Without a method that retrieves the user's texts, the
    three most recent samples stand for their voice in the actions that use it.
    """

    def __init__(self, app: AppContext, action: str, text: str,
                 sampling: dict[str, Any] | None = None, cancel: CancelToken | None = None,
                 model_flag: str | None = None) -> None:
        from assistant.chat.drafting import ACTIONS

        spec = ACTIONS.get(action)
        if spec is None:
            raise UserError(f"Unknown drafting action {action!r}; use one of "
                            f"{', '.join(ACTIONS)}.")
        self.app, self.spec, self.text = app, spec, text
        self.cancel = cancel or CancelToken()
        self.sampling = app.sampling(**(sampling or {}))
        self.runtime = app.runtime(model_flag)
        self.model_flag = model_flag
        self.stats = GenerationStats()
        self.prepared: methods.Prepared | None = None
        self.prompt: ChatPrompt | None = None
        self.parts: list[str] = []

    def start(self) -> DraftStart:
        from assistant.chat.drafting import draft_messages
        from assistant.writing.history import HistoryService

        method, named = methods.chosen(self.app, None)
        examples: list[str] = []
        if self.spec.uses_voice and not methods.uses_history(method):
            examples = [s.text for s in HistoryService(self.app.db).writing()[-3:]][::-1]
        msgs = draft_messages(self.spec.key, self.text, examples)
        self.prepared, self.prompt = personalize(
            self.app, self.runtime, method, named, msgs, self.text, self.sampling, self.cancel,
            self.model_flag)
        return DraftStart(action=self.spec.key, prompt_tokens=self.prompt.n_tokens,
                          n_ctx=self.runtime.n_ctx, reply_tokens=self.sampling.max_tokens,
                          trimmed_turns=self.prompt.trimmed_turns,
                          method=self.prepared.method, notice=self.prepared.notice)

    def stream(self) -> Iterator[str]:
        if self.prepared is None or self.prompt is None:
            raise RuntimeError("start() the turn first")
        try:
            with self.runtime.steered(self.prepared.steering):
                for piece in decode(self.prepared, self.prompt, self.runtime, self.sampling,
                                    self.cancel, self.stats):
                    self.parts.append(piece)
                    yield piece
        except EngineError as exc:
            raise UserError(str(exc)) from exc

    def summary(self) -> DraftSummary:
        """The action's outcome; `text` is only the text it wrote (no "Here's ..." around it)."""
        from assistant.chat.drafting import clean_result

        assert self.prepared is not None
        cancelled = self.stats.finish_reason == "cancelled" or self.cancel.cancelled
        return DraftSummary(status="partial" if cancelled else "complete",
                            action=self.spec.key, method=self.prepared.method,
                            appends=self.spec.appends, text=clean_result("".join(self.parts)),
                            tokens=self.stats.tokens, seconds=round(self.stats.seconds, 3),
                            tokens_per_s=round(self.stats.tokens_per_s, 2),
                            details=dict(self.prepared.details))


@dataclass
class TokenLogprob:
    """One generated token's log-probability and its strongest alternatives (OpenAI's shape)."""

    token: str
    logprob: float
    bytes: bytes
    top: list[tuple[builtins.bytes, float]]  # (`bytes` here is the field above)
    token_id: int = -1


@dataclass
class ApiRequest:
    """One request from another app: the chat it sends, or a raw prompt (completions)."""

    messages: list[dict[str, str]] | None = None  # the chat route: the client's whole chat
    prompt: str | None = None  # the completions route: continued verbatim, no template
    method: str | None = None  # None: the saved choice (the profile on)
    strength: float = 1.0  # a multiplier on the profile's own strength
    sampling: dict[str, Any] = field(default_factory=dict)  # checked like app.sampling
    stop: list[str] = field(default_factory=list)
    logprobs: int | None = None  # None: none; N: each token's and its N best alternatives'
    keep: bool = False  # store the request and the reply as a conversation


class ApiTurn:
    """A turn for `assistant serve`: the same methods and decoders as a chat turn, on the
    client's messages; personal only through the method (the client sees the reply)."""

    def __init__(self, app: AppContext, request: ApiRequest,
                 cancel: CancelToken | None = None) -> None:
        self.app, self.request = app, request
        self.cancel = cancel or CancelToken()
        self.sampling = app.sampling(**request.sampling)
        self.runtime = app.runtime()
        self.stats = GenerationStats()
        self.prepared: methods.Prepared | None = None
        self.prompt: ChatPrompt | None = None
        self.logprobs: list[TokenLogprob] = []
        self.parts: list[str] = []
        self.chat: ChatService | None = None
        self.turn: Turn | None = None

    def _text(self) -> str:
        req = self.request
        if req.prompt is not None:
            return req.prompt
        users = [m["content"] for m in req.messages or [] if m["role"] == "user"]
        return users[-1] if users else ""

    def start(self) -> ApiStart:
        req, rt = self.request, self.runtime
        text = self._text()
        if not text.strip():
            raise UserError("The request has no user text to answer.")
        method, named = methods.chosen(self.app, req.method)
        if req.prompt is None:
            self.prepared, self.prompt = personalize(
                self.app, rt, method, named, list(req.messages or []), text, self.sampling,
                self.cancel, strength=req.strength)
        else:
            self.prepared, self.prompt = self._prepare_completion(method, named, text)
        self.prompt.stop = [*self.prompt.stop, *req.stop]
        if req.logprobs is not None and self.prepared.decode is not None:
            raise UserError(f"Log-probabilities are not available with the method "
                            f"{self.prepared.method!r}, which decodes by itself.")
        if req.keep:
            self.chat = ChatService(self.app.db, "")
            self.turn = self.chat.begin_turn(None, text, model_name=rt.model_name)
        return ApiStart(self.prepared.method, self.prompt.n_tokens, self.prepared.notice)

    def _prepare_completion(self, method: methods.Method, named: bool,
                            text: str) -> tuple[methods.Prepared, ChatPrompt]:
        """The method's steering on a raw prompt, sent as it is (no template, no texts added)."""
        rt = self.runtime
        asked = [{"role": "user", "content": text}]
        prepared = methods.prepare(method, methods.Request(
            self.app, rt, asked, text, self.sampling, self.cancel, explicit=named,
            strength=self.request.strength))
        if prepared.decode is not None:
            raise UserError(f"The method {prepared.method!r} decodes a chat by itself; use "
                            "/v1/chat/completions for it.")
        if prepared.messages != asked:
            prepared.notice = ("The completions route continues your prompt as it is; your "
                               "texts were not added to it (the chat route adds them).")
        n = len(rt.tokenize(text))
        if n + self.sampling.max_tokens > rt.n_ctx:
            raise UserError(f"The prompt is {n} tokens and the reply may take "
                            f"{self.sampling.max_tokens}; the context holds {rt.n_ctx}.")
        return prepared, ChatPrompt(text=text, n_tokens=n)

    def stream(self) -> Iterator[str]:
        if self.prepared is None or self.prompt is None:
            raise RuntimeError("start() the turn first")
        rt, s = self.runtime, self.sampling
        stats = self.turn.stats if self.turn is not None else self.stats
        pieces: Iterator[str]
        try:
            with rt.steered(self.prepared.steering):
                if self.request.logprobs is not None:
                    pieces = rt.stream_with_logits(self.prompt, s, on_token=self._note_logprob,
                                                   cancel=self.cancel, stats=stats)
                else:
                    pieces = decode(self.prepared, self.prompt, rt, s, self.cancel, stats)
                if self.chat is not None and self.turn is not None:
                    pieces = self.chat.generate(self.turn, pieces, cancel=self.cancel)
                for piece in pieces:
                    self.parts.append(piece)
                    yield piece
        except EngineError as exc:
            raise UserError(str(exc)) from exc
        finally:
            self.stats = stats

    def _note_logprob(self, token: int, logits: np.ndarray) -> None:
        top = int(self.request.logprobs or 0)
        z = logits.astype(np.float64)
        z = z - z.max()
        logp = z - math.log(float(np.exp(z).sum()))
        raw = self.runtime.token_bytes
        best = np.argpartition(-logp, top)[:top] if top else np.array([], dtype=int)
        best = best[np.argsort(-logp[best])]
        self.logprobs.append(TokenLogprob(
            raw(token).decode("utf-8", errors="replace"), float(logp[token]), raw(token),
            [(raw(int(t)), float(logp[t])) for t in best], token))

    def summary(self) -> ApiSummary:
        assert self.prepared is not None and self.prompt is not None
        st = self.stats
        cancelled = st.finish_reason == "cancelled" or self.cancel.cancelled
        return ApiSummary(text="".join(self.parts), method=self.prepared.method,
                          finish_reason="cancelled" if cancelled else st.finish_reason,
                          prompt_tokens=self.prompt.n_tokens, completion_tokens=st.tokens,
                          seconds=round(st.seconds, 4), tokens_per_s=round(st.tokens_per_s, 2),
                          notice=self.prepared.notice)
