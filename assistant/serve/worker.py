"""The one model worker behind the server, and the bounded queue in front of it.

llama.cpp holds one context, so requests run one at a time on one thread; the
HTTP side (asyncio) hands each request over as a `Job` and reads its events back
(`Started`, then `Piece`s, then `Done`; or `Failed`) through an asyncio queue fed
with `call_soon_threadsafe`. A full queue refuses at
once (`Busy`, which the server answers with 429 and `Retry-After`), so a flood
costs memory for at most `capacity` waiting requests, and a client that leaves
sets the job's cancel token: a queued job is skipped, a running one stops at the
next token.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.chat.turn import ApiRequest, ApiTurn, TokenLogprob
from assistant.chat.turn_results import ApiStart, ApiSummary
from assistant.errors import UserError
from engine.runtime.generation import CancelToken

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 4  # waiting requests, besides the one running


class Stopping(UserError):
    """The server is stopping (SIGTERM/SIGINT): the request was cancelled, not failed."""


class Busy(RuntimeError):
    """The queue is full; `retry_after` is a guess in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Started:
    """The request was accepted: its method prepared, its prompt fitted."""

    info: ApiStart


@dataclass(frozen=True)
class Piece:
    """A piece of the reply, and the log-probabilities of the tokens it completed."""

    text: str
    logprobs: list[TokenLogprob] = field(default_factory=list)


@dataclass(frozen=True)
class Done:
    """The reply is finished (or cut short); `logprobs` all of them, when asked for."""

    summary: ApiSummary
    logprobs: list[TokenLogprob] | None = None


@dataclass(frozen=True)
class Failed:
    """The request failed: a `UserError` (400, or 503 when `Stopping`) or another (500)."""

    error: BaseException


Event = Started | Piece | Done | Failed


@dataclass
class Job:
    request: ApiRequest
    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    cancel: CancelToken = field(default_factory=CancelToken)

    closed: bool = False  # an ending event was sent (or the server stopped): no more

    def put(self, event: Event) -> None:
        """Hand an event to the request's coroutine; nothing after its last one, and
        nothing once the server's event loop is gone (a stop mid-request)."""
        if self.closed:
            return
        if isinstance(event, Done | Failed):
            self.closed = True
        try:
            self.loop.call_soon_threadsafe(self.events.put_nowait, event)
        except RuntimeError:  # the loop is closed: the server has stopped
            self.closed = True


class ModelWorker:
    """Runs `ApiTurn`s one at a time on its own thread, for the app made by `open_app`."""

    def __init__(self, open_app: Callable[[], Any], capacity: int = DEFAULT_CAPACITY) -> None:
        self._open_app = open_app
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        # One slot for the running request and `capacity` for waiting ones.
        self._slots = threading.BoundedSemaphore(capacity + 1)
        self._thread = threading.Thread(target=self._run, name="model-worker", daemon=True)
        self._ready = threading.Event()
        self._seconds = 2.0  # a running estimate of one request's time, for Retry-After
        self.app: Any = None
        self.served = 0
        self.cancelled = 0
        self.load_error: str | None = None
        self._running: Job | None = None

    def start(self, *, load: bool = True) -> None:
        """Start the thread; with `load`, open the app and load the model before returning."""
        self._thread.start()
        if load:
            self._ready.wait()
            if self.load_error:
                raise UserError(self.load_error)

    def stop(self, timeout: float = 30) -> None:
        """Refuse what waits, let the running request end, and close the model."""
        self._drain()
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def abort_all(self) -> None:
        """The server is stopping: every waiting request and the running one get a clean
        error now, and the running one is cancelled (it stops at its next token, or
        between turns while its chat is fitted). Safe to call from a signal handler."""
        self._drain(Stopping("The server is stopping; the request was cancelled. Try "
                             "again when it runs."))
        job = self._running
        if job is not None:
            job.put(Failed(Stopping("The server is stopping; the request was cancelled.")))
            job.cancel.cancel()

    def submit(self, job: Job) -> None:
        if not self._slots.acquire(blocking=False):
            waiting = self._jobs.qsize() + 1
            raise Busy(max(1, round(waiting * self._seconds)))
        self._jobs.put(job)

    @property
    def waiting(self) -> int:
        return self._jobs.qsize()

    def _drain(self, error: UserError | None = None) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.put(Failed(error or Stopping("The server is stopping.")))
                job.cancel.cancel()
                self._slots.release()

    def _run(self) -> None:
        try:
            self.app = self._open_app()
            self.app.runtime()  # load now: the first request should not wait for it
        except Exception as exc:  # noqa: BLE001 - said to the user once, at start
            self.load_error = str(exc) if isinstance(exc, UserError) else (
                f"Cannot load the model: {type(exc).__name__}: {exc}")
            log.exception("the server's model did not load")
        finally:
            self._ready.set()
        while True:
            job = self._jobs.get()
            if job is None:
                break
            try:
                if job.cancel.cancelled:  # the client left while the job waited
                    self.cancelled += 1
                else:
                    self._running = job
                    self._serve(job)
            finally:
                self._running = None
                self._slots.release()
        if self.app is not None:
            self.app.close()

    def _serve(self, job: Job) -> None:
        t0 = time.monotonic()
        try:
            if self.load_error:
                raise UserError(self.load_error)
            turn = ApiTurn(self.app, job.request, job.cancel)
            job.put(Started(turn.start()))
            sent = 0
            # The method's steering lasts as long as the turn's stream (a `steered` block):
            # the next request starts plain, whatever ended this one.
            for piece in turn.stream():
                new = turn.logprobs[sent:]
                sent = len(turn.logprobs)
                job.put(Piece(piece, new))
            summary = turn.summary()
            if summary.finish_reason == "cancelled":
                self.cancelled += 1
            job.put(Done(summary, turn.logprobs if job.request.logprobs is not None else None))
            self.served += 1
        except UserError as exc:
            job.put(Failed(exc))
        except Exception as exc:  # noqa: BLE001 - one request fails, the server stays up
            log.exception("request failed")
            job.put(Failed(RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            self._seconds = 0.7 * self._seconds + 0.3 * (time.monotonic() - t0)
