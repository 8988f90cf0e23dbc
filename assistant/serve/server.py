"""The OpenAI-compatible endpoint on 127.0.0.1: Starlette routes, uvicorn, server-sent events.

    GET  /v1/models              the names that pick the personalization
    POST /v1/chat/completions    the chat, through the user's method (streaming or not)
    POST /v1/completions         a raw prompt continued under the method's steering

Every request needs the bearer token (`assistant.serve.access`), a loopback Host
header, and a body under `MAX_BODY` bytes. CORS is off unless the user lists
origins (`serve_origins`). Requests queue in front of the one model worker
(`assistant.serve.worker`); a full queue answers 429 with `Retry-After`. A client
that disconnects cancels its generation. The sockets bind 127.0.0.1 only: there
is no option to listen on another address.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.errors import UserError
from assistant.serve import access, protocol
from assistant.serve.worker import (
    Busy,
    Done,
    Event,
    Failed,
    Job,
    ModelWorker,
    Piece,
    Stopping,
)
from assistant.text_rules import TextError, check_json_texts

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY = 1 << 20  # 1 MiB: a long chat fits, a flood of junk does not
POLL_S = 0.25  # how often a non-streaming request checks that its client is still there
# On SIGTERM/SIGINT every request in flight is answered at once (503) and cancelled, so
# the connections close within this; the process exits within about two seconds.
GRACE_S = 1


def _error(status: int, message: str, kind: str = "invalid_request_error",
           param: str | None = None, code: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(protocol.error_body(message, kind, param, code), status, headers=headers)


class RequireToken:
    """ASGI middleware: 401 for any HTTP request without the bearer token (preflights pass,
    so that CORS, when the user turned it on, can answer them)."""

    def __init__(self, app: ASGIApp, expected: Callable[[], str]) -> None:
        self.app, self.expected = app, expected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] != "OPTIONS":
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not access.bearer_ok(header, self.expected()):
                response = _error(401, "A valid access token is needed: send "
                                  "'Authorization: Bearer <token>' ('assistant serve token' "
                                  "prints it).", code="invalid_api_key",
                                  headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _json_body(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise protocol.BadRequest(f"The request is larger than {MAX_BODY} bytes.", "body", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise protocol.BadRequest(f"The request is larger than {MAX_BODY} bytes.", "body",
                                      413)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except (ValueError, UnicodeDecodeError):
        raise protocol.BadRequest("The request body is not valid JSON.") from None
    except RecursionError:
        raise protocol.BadRequest("The request body is nested too deeply to be a request.",
                                  "body") from None
    try:  # the one text rule: a lone surrogate ("\ud83d") or NUL is the client's mistake
        return check_json_texts(body, "The request")
    except TextError as exc:
        raise protocol.BadRequest(str(exc), "body") from None


@dataclass
class ServeOptions:
    keep_history: bool = False
    origins: tuple[str, ...] = ()


class Api:
    """The routes, over one worker."""

    def __init__(self, worker: ModelWorker, options: ServeOptions) -> None:
        self.worker, self.options = worker, options

    async def models(self, _request: Request) -> Response:
        now = int(time.time())
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": now, "owned_by": "voice-assistant"}
            for name in protocol.model_ids()]})

    async def chat(self, request: Request) -> Response:
        return await self._complete(request, protocol.parse_chat, chat=True)

    async def completions(self, request: Request) -> Response:
        return await self._complete(request, protocol.parse_completion, chat=False)

    async def _complete(self, request: Request, parse: Callable[..., protocol.Parsed],
                        *, chat: bool) -> Response:
        try:
            parsed = parse(await _json_body(request), self.options.keep_history)
        except protocol.BadRequest as exc:
            return _error(exc.status, str(exc), param=exc.param)
        job = Job(parsed.api, asyncio.get_running_loop())
        try:
            self.worker.submit(job)
        except Busy as busy:
            return _error(429, "The model is busy with other requests; try again shortly.",
                          "rate_limit_error", code="rate_limit_exceeded",
                          headers={"Retry-After": str(busy.retry_after)})
        first = await self._next(job, request)
        if first is None:
            return Response(status_code=499)  # the client left while it waited
        if isinstance(first, Failed):
            return self._failed(first.error)
        if parsed.stream:
            return EventSourceResponse(self._events(job, parsed, chat), ping=600,
                                       sep="\n", headers={"Cache-Control": "no-store"})
        while True:
            event = await self._next(job, request)
            if event is None:
                return Response(status_code=499)
            if isinstance(event, Failed):
                return self._failed(event.error)
            if isinstance(event, Done):
                rid = protocol.new_id("chatcmpl" if chat else "cmpl")
                build = protocol.chat_reply if chat else protocol.completion_reply
                return JSONResponse(build(rid, parsed.model, event.summary, event.logprobs))

    async def _next(self, job: Job, request: Request) -> Event | None:
        """The job's next event; None (and the job cancelled) once the client has gone."""
        while True:
            try:
                return await asyncio.wait_for(job.events.get(), POLL_S)
            except TimeoutError:
                if await request.is_disconnected():
                    job.cancel.cancel()
                    return None

    @staticmethod
    def _failed(exc: BaseException) -> Response:
        if isinstance(exc, Stopping):
            return _error(503, str(exc), "server_error", code="server_stopping")
        if isinstance(exc, UserError):
            return _error(400, str(exc))
        return _error(500, f"The request failed: {exc}", "server_error")

    async def _events(self, job: Job, parsed: protocol.Parsed,
                      chat: bool) -> AsyncIterator[dict[str, str]]:
        """The reply as server-sent events; leaving early (a disconnect) cancels the job."""
        rid = protocol.new_id("chatcmpl" if chat else "cmpl")
        created, model = int(time.time()), parsed.model
        offset = 0

        def data(chunk: dict) -> dict[str, str]:
            return {"data": json.dumps(chunk, ensure_ascii=False)}

        try:
            if chat:
                yield data(protocol.chat_chunk(rid, model, created,
                                               delta={"role": "assistant", "content": ""}))
            while True:
                event = await job.events.get()
                if isinstance(event, Piece):
                    text, items = event.text, event.logprobs
                    if chat:
                        yield data(protocol.chat_chunk(rid, model, created,
                                                       delta={"content": text}, items=items))
                    else:
                        yield data(protocol.completion_chunk(rid, model, created, text=text,
                                                             items=items, offset=offset))
                    offset += len(text)
                elif isinstance(event, Done):
                    summary = event.summary
                    finish = protocol.finish_reason(summary.finish_reason)
                    chunk = protocol.chat_chunk if chat else protocol.completion_chunk
                    yield data(chunk(rid, model, created, finish=finish, summary=summary))
                    if parsed.include_usage:
                        yield data(chunk(rid, model, created, summary=summary,
                                         usage_only=True))
                    break
                elif isinstance(event, Failed):  # after the stream began: said in it, then ended
                    yield data(protocol.error_body(str(event.error), "server_error"))
                    break
            yield {"data": "[DONE]"}
        finally:
            job.cancel.cancel()  # nothing if it finished; stops it if the client went away


def build_app(worker: ModelWorker, token: Callable[[], str],
              options: ServeOptions | None = None) -> Starlette:
    """The ASGI app: host check outermost, then CORS (only with origins), then the token."""
    options = options or ServeOptions()
    api = Api(worker, options)
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=access.ALLOWED_HOSTS)]
    if options.origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(options.origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["authorization", "content-type"]))
    middleware.append(Middleware(RequireToken, expected=token))
    return Starlette(routes=[
        Route("/v1/models", api.models, methods=["GET"]),
        Route("/v1/chat/completions", api.chat, methods=["POST"]),
        Route("/v1/completions", api.completions, methods=["POST"]),
    ], middleware=middleware)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free one); a port in use is a UserError."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"Cannot listen on {HOST}:{port} ({exc.strerror}); another program "
                        "may use it. Pick another port with --port.") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class Server:
    """uvicorn serving `build_app` on one bound socket; `run()` blocks, `start()` threads."""

    def __init__(self, worker: ModelWorker, token: Callable[[], str], port: int = 0,
                 options: ServeOptions | None = None) -> None:
        import uvicorn

        self.worker = worker
        self.sock = bind(port)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(build_app(worker, token, options), log_level="warning",
                                timeout_graceful_shutdown=GRACE_S, lifespan="off")

        class _Uvicorn(uvicorn.Server):
            """uvicorn, whose SIGTERM/SIGINT also ends the requests in flight at once."""

            def handle_exit(self, sig: int, frame: Any) -> None:
                super().handle_exit(sig, frame)
                worker.abort_all()

        self.uvicorn = _Uvicorn(config)
        self._thread: threading.Thread | None = None

    @property
    def native_id(self) -> int | None:
        """The serving thread's OS id once `start()` has run (for per-thread CPU readings)."""
        return self._thread.native_id if self._thread is not None else None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def run(self) -> None:
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.sock.close()

    def start(self) -> None:
        """Serve on a thread (the tests, the benchmark) and return once it accepts."""
        self._thread = threading.Thread(target=self.run, name="serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.uvicorn.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise UserError("The server did not start.")
            time.sleep(0.02)

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
