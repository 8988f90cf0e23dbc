"""One chat turn, the same for the command line, the terminal chat and the window.

    turn = ChatTurn(app, ChatRequest(text, conversation_id, method="rag"))
    info = turn.start()        # method applied, prompt fitted, user message stored
    for piece in turn.stream(): ...
    turn.summary()             # what --json prints and the window's status bar shows

`start` does everything that can fail before anything is stored (the method, the
prompt's fit in the context), then stores the user's message and an empty partial
reply; `stream` runs the method's decoder (llama.cpp's own stream, or DPS's)
through `ChatService.generate`, so the partial-reply rule holds for every method.
The cloud path (CoSteer) has its own service and is not a turn of this kind yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import methods
from assistant.chat import ChatService, Turn
from assistant.errors import UserError
from engine.errors import EngineError
from engine.runtime.generation import CancelToken

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext
    from engine.runtime.llamacpp import ChatPrompt


@dataclass
class ChatRequest:
    text: str
    conversation_id: int | None = None
    method: str | None = None  # None: the saved choice (assistant.methods.chosen)
    regenerate: bool = False  # take back the last exchange and answer its message again
    sampling: dict[str, Any] = field(default_factory=dict)  # checked overrides (app.sampling)
    model_flag: str | None = None


class ChatTurn:
    def __init__(self, app: AppContext, request: ChatRequest,
                 cancel: CancelToken | None = None) -> None:
        self.app = app
        self.request = request
        self.cancel = cancel or CancelToken()
        self.chat = ChatService(app.db, app.settings.system_prompt)
        self.sampling = app.sampling(**request.sampling)  # a bad value fails before the load
        self.runtime = app.runtime(request.model_flag)
        self.prepared: methods.Prepared | None = None
        self.prompt: ChatPrompt | None = None
        self.turn: Turn | None = None
        self.text = request.text

    def start(self) -> dict[str, Any]:
        """Apply the method, fit the prompt and store the user's message; what the UI shows."""
        req, rt = self.request, self.runtime
        if req.regenerate:
            if req.conversation_id is None:
                raise UserError("Pick a conversation to regenerate its last reply.")
            self.text = self.chat.take_back_last_exchange(req.conversation_id)
        if not self.text.strip():
            raise UserError("The message is empty; type something to send.")
        own = self.chat.settings_of(req.conversation_id).get("method")
        method, named = methods.chosen(self.app, req.method, own)
        messages = self.chat.prepare_messages(req.conversation_id, self.text)
        self.prepared = methods.prepare(method, methods.Request(
            self.app, rt, messages, self.text, self.sampling, self.cancel,
            model_flag=req.model_flag, explicit=named))
        try:
            self.prompt = rt.fit_chat(self.prepared.messages, self.sampling.max_tokens)
        except EngineError as exc:
            rt.clear_control_vector()
            raise UserError(str(exc)) from exc
        self.turn = self.chat.begin_turn(req.conversation_id, self.text,
                                         model_name=rt.model_name, regenerate=req.regenerate)
        self.turn.stats.trimmed_turns = self.prompt.trimmed_turns
        return {
            "conversation_id": self.turn.conversation_id,
            "user_message_id": self.turn.user_message_id,
            "reply_message_id": self.turn.reply_message_id,
            "text": self.text,
            "trimmed_turns": self.prompt.trimmed_turns,
            "prompt_tokens": self.prompt.n_tokens,
            "n_ctx": rt.n_ctx,
            "reply_tokens": self.sampling.max_tokens,
            "method": self.prepared.method,
            "notice": self.prepared.notice,
            "format_note": rt.chat_format.note(rt.info.path.name) or "",
        }

    def stream(self) -> Iterator[str]:
        """The reply's pieces, stored as they come (kept, marked partial, if cut short)."""
        if self.turn is None or self.prepared is None or self.prompt is None:
            raise RuntimeError("start() the turn first")
        decode = self.prepared.decode
        pieces = (decode(self.prompt, self.turn.stats) if decode is not None else
                  self.runtime.stream(self.prompt, self.sampling, cancel=self.cancel,
                                      stats=self.turn.stats))
        yield from self.chat.generate(self.turn, pieces, cancel=self.cancel)

    def summary(self) -> dict[str, Any]:
        assert self.turn is not None and self.prepared is not None and self.prompt is not None
        st, rt = self.turn.stats, self.runtime
        return {
            "text": self.turn.text,
            "status": self.turn.status,
            "tokens": st.tokens,
            "seconds": round(st.seconds, 4),
            "tokens_per_s": round(st.tokens_per_s, 2),
            "first_token_s": round(st.first_token_s or 0.0, 4),
            "finish_reason": st.finish_reason,
            "model": rt.model_name,
            "model_path": str(rt.info.path),
            "conversation_id": self.turn.conversation_id,
            "message_id": self.turn.reply_message_id,
            "trimmed_turns": self.prompt.trimmed_turns,
            "chat_format": rt.chat_format.source,
            "method": self.prepared.method,
            **self.prepared.details,
        }
