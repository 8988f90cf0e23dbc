"""Qt workers: the long work of the app, kept off the GUI thread (and out of its process).

`ModelWorker` lives in one QThread for the life of the window and is the only
code that ever calls into the loaded llama.cpp model (llama.cpp is not
thread-safe). Jobs (`ui.jobs`, one class per kind) arrive as queued signals, so they
run one after another in submission order; tokens, results and errors go back as
queued signals. The GUI
stops a generation through a `CancelToken` it sets directly: the worker thread
is busy in the generation loop and would not see a queued "cancel" event until
the reply was finished.

`TaskHost`/`TaskWorker` run one cancellable function with progress in a thread of
its own (export, import, reset, cloud checks): it must not wait behind a chat
reply, and a chat reply must not wait behind it.

`ProcessTaskHost` runs the profile build in a child process (`ui.build_process`)
with the same signals: the build's torch work holds the GIL for hundreds of
milliseconds at a time, which no thread of the GUI process may do.
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from PySide6.QtCore import QObject, QProcess, QThread, QTimer, Signal, Slot

from assistant.app import AppContext
from assistant.chat.turn import ChatRequest, ChatTurn, DraftTurn
from assistant.errors import Stopped, UserError
from engine.runtime.generation import CancelToken
from engine.runtime.llamacpp import LlamaRuntime
from ui import qt_compat
from ui.errors import USER_ERRORS
from ui.jobs import (
    ChatJob,
    CloudPreviewJob,
    CloudTestJob,
    DraftJob,
    Job,
    LoadJob,
    ProfilePreviewJob,
    Submitted,
)

log = logging.getLogger(__name__)
qt_compat.apply()  # before any Qt call; see ui.qt_compat

_job_ids = itertools.count(1)


def _unexpected(exc: BaseException) -> str:
    log.exception("unexpected error in a worker")
    return f"Unexpected {type(exc).__name__}: {exc}. The details are in the log file."


class ModelWorker(QObject):
    """Owns the loaded model; every method but `cancel` runs in the worker thread.

    Protocol: each job ends with exactly one `finished(dict)` (with the job's `kind`
    and `job_id`); when it went wrong, `failed(str)` (a sentence for a message box)
    comes just before it. A chat or draft job emits `started(dict)` (its turn's
    `TurnStart` or `DraftStart` as a dict, with `kind` and `job_id`) once it begins to
    write (a chat turn: once the user's message is stored), then `token(str)` per piece.
    """

    token = Signal(str)
    started = Signal(dict)
    finished = Signal(dict)
    failed = Signal(str)
    notice = Signal(str)  # worth a line in the status bar, not a message box
    modelLoaded = Signal(dict)

    def __init__(self, app: AppContext) -> None:
        super().__init__()
        self._app = app
        self._loaded: LlamaRuntime | None = None

    # ---- jobs ----------------------------------------------------------------
    @Slot(object)
    def run_job(self, sub: Submitted) -> None:
        job, cancel = sub.job, sub.cancel
        result: dict[str, Any]
        try:
            result = self._run(sub.job_id, job, cancel)
        except Stopped:  # stopped before the reply began: nothing stored, nothing to say
            result = {"status": "cancelled"}
        except USER_ERRORS as exc:
            if not job.quiet:
                self.failed.emit(str(exc))
            result = {"status": "error", "error": str(exc)}
        except Exception as exc:  # a message box, never a dead worker thread
            msg = _unexpected(exc)
            if not job.quiet:
                self.failed.emit(msg)
            result = {"status": "error", "error": msg}
        result.update(kind=job.kind, job_id=sub.job_id)
        self.finished.emit(result)

    def _run(self, job_id: int, job: Job, cancel: CancelToken) -> dict[str, Any]:
        match job:
            case LoadJob():
                self._runtime()
                return {"status": "complete"}
            case ChatJob():
                return self._chat(job_id, job, cancel)
            case DraftJob():
                return self._draft(job_id, job, cancel)
            case CloudPreviewJob():
                return self._cloud_preview(job)
            case CloudTestJob():
                self._runtime()  # the probe reads tokens in the local vocabulary
                from assistant.cloud.service import CloudService

                return {"status": "complete",
                        **CloudService(self._app).test_connection(**job.fields)}
            case ProfilePreviewJob():
                return self._profile_preview(job, cancel)
        raise UserError(f"Unknown job {type(job).__name__}.")

    def _runtime(self) -> LlamaRuntime:
        """Load (or reuse) the model in this thread and announce a newly loaded one."""
        self._app.reload_settings()  # the settings dialog may have changed the model
        rt = self._app.runtime()
        if rt is not self._loaded:
            self._loaded = rt
            choice = self._app.model_choice()
            self.modelLoaded.emit(
                {
                    "name": rt.model_name,
                    "path": str(rt.info.path),
                    "source": choice.source,
                    "gpu_offload": rt.gpu_offload,
                    "n_ctx": rt.n_ctx,
                    "fingerprint": rt.info.fingerprint,
                    "architecture": rt.info.architecture,
                    "n_layer": rt.info.n_layer,
                    "context_length": rt.info.context_length,
                    "size_bytes": rt.info.size_bytes,
                    "chat_format": rt.chat_format.source,
                }
            )
            note = rt.chat_format.note(rt.info.path.name)
            if note:
                self.notice.emit(note)
        return rt

    def _chat(self, job_id: int, job: ChatJob, cancel: CancelToken) -> dict[str, Any]:
        if cancel.cancelled:  # stopped while it waited (behind the model's load, say)
            raise Stopped()
        self._runtime()
        turn = ChatTurn(self._app, ChatRequest(
            job.text, job.conversation_id, regenerate=job.regenerate, sampling=job.sampling,
            edit_of=job.edit_of, reply_of=job.reply_of, continue_of=job.continue_of,
            cloud=job.cloud, on_notice=self.notice.emit), cancel)
        info = turn.start()
        if info.notice:
            self.notice.emit(info.notice)
        self.started.emit({"kind": job.kind, "job_id": job_id, **asdict(info)})
        for piece in turn.stream():
            self.token.emit(piece)
        out = turn.summary()
        return {
            "status": out.status,
            "conversation_id": out.conversation_id,
            "reply_message_id": out.reply_message_id,
            "text": out.text,
            "tokens": out.tokens,
            "seconds": round(out.seconds, 3),
            "tokens_per_s": out.tokens_per_s,
            "finish_reason": out.finish_reason,
            "trimmed_turns": out.trimmed_turns,
            "cloud": job.cloud,
            "cloud_line": out.cloud_line,
            "personalization": out.method,
            "fints_items": out.fints_items,
        }

    def _cloud_preview(self, job: CloudPreviewJob) -> dict[str, Any]:
        """What sending `text` in the conversation would send (built with the runtime)."""
        rt = self._runtime()
        sampling = self._app.sampling(**job.sampling)
        from assistant.cloud.service import CloudService

        preview = CloudService(self._app).preview(
            job.conversation_id, job.text, rt, sampling.max_tokens)
        return {"status": "complete", "preview": preview,
                "conversation_id": job.conversation_id}

    def _profile_preview(self, job: ProfilePreviewJob, cancel: CancelToken) -> dict[str, Any]:
        from assistant.profile.preview import preview

        self._runtime()
        p = preview(self._app, job.prompt, strength=job.strength, cancel=cancel)
        return {"status": "complete", "preview": p.as_dict()}

    def _draft(self, job_id: int, job: DraftJob, cancel: CancelToken) -> dict[str, Any]:
        if cancel.cancelled:
            raise Stopped()
        self._runtime()
        if cancel.cancelled:
            raise Stopped()
        turn = DraftTurn(self._app, job.action, job.text, job.sampling, cancel)
        info = turn.start()
        if info.notice:
            self.notice.emit(info.notice)
        self.started.emit({"kind": job.kind, "job_id": job_id, **asdict(info)})
        for piece in turn.stream():
            self.token.emit(piece)
        out = turn.summary()
        return {"status": out.status, "action": out.action,
                "personalization": out.method, "appends": out.appends,
                "text": out.text, "tokens": out.tokens, "seconds": out.seconds,
                "tokens_per_s": out.tokens_per_s, "fints_items": out.fints_items}

    @Slot()
    def shutdown(self) -> None:
        """Free the model in the thread that owns it, then end the thread's event loop."""
        try:
            self._app.close_runtime()
        except Exception:  # closing must not keep the app from quitting
            log.exception("closing the model failed")
        self._loaded = None
        thread = self.thread()
        if thread is not None:
            thread.quit()


class ModelHost(QObject):
    """The GUI side of the model worker: submit jobs, cancel them, know when it is busy.

    The worker's signals are relayed from here, in the GUI thread, so that a consumer
    of `finished` has updated itself before `busyChanged(False)` goes out: both happen
    in one slot, and nothing can observe "idle" with a result still unhandled.
    """

    token = Signal(str)
    started = Signal(dict)
    finished = Signal(dict)
    failed = Signal(str)
    notice = Signal(str)
    modelLoaded = Signal(dict)
    busyChanged = Signal(bool)
    _submit = Signal(object)
    _shutdown = Signal()

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("model-worker")
        self.worker = ModelWorker(app)
        self.worker.moveToThread(self._thread)
        self._submit.connect(self.worker.run_job)
        self._shutdown.connect(self.worker.shutdown)
        self.worker.token.connect(self.token)
        self.worker.started.connect(self._on_started)
        self.worker.failed.connect(self.failed)
        self.worker.notice.connect(self.notice)
        self.worker.modelLoaded.connect(self.modelLoaded)
        self.worker.finished.connect(self._on_finished)
        self._pending: dict[int, tuple[Job, CancelToken]] = {}
        self._begun: set[int] = set()  # jobs that stored their turn and write now
        self._stopped = False
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a reply or a draft is being written (or waits to be). A job stopped
        before it began writing counts no more: it ends without a word as soon as the
        worker reaches it (the model may still be loading), and the window need not wait."""
        return any(job.generates and (job_id in self._begun or not token.cancelled)
                   for job_id, (job, token) in self._pending.items())

    @Slot(dict)
    def _on_started(self, info: dict) -> None:
        was_busy = self.busy
        self._begun.add(info.get("job_id", -1))
        self.started.emit(info)
        if self.busy != was_busy:  # a stop that came just as the turn was stored
            self.busyChanged.emit(self.busy)

    def submit(self, job: Job) -> int:
        if self._stopped:
            raise UserError("The app is closing.")
        was_busy = self.busy
        job_id = next(_job_ids)
        cancel = CancelToken()
        self._pending[job_id] = (job, cancel)
        self._submit.emit(Submitted(job_id, job, cancel))
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)
        return job_id

    def cancel(self) -> None:
        """Stop the reply being written (the text so far is kept) and any queued one."""
        was_busy = self.busy
        for _, token in self._pending.values():
            token.cancel()
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)

    @Slot(dict)
    def _on_finished(self, result: dict) -> None:
        was_busy = self.busy
        self._pending.pop(result.get("job_id", -1), None)
        self._begun.discard(result.get("job_id", -1))
        self.finished.emit(result)
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)

    def stop(self, timeout_ms: int = 15000) -> bool:
        """Cancel, free the model in its thread and wait for the thread to end."""
        if self._stopped:
            return True
        self._stopped = True
        self.cancel()
        self._shutdown.emit()
        ok = self._thread.wait(timeout_ms)
        if not ok:
            log.error("the model worker did not stop within %d ms", timeout_ms)
        return ok


ProgressFn = Callable[[int, int, str], None]
TaskFn = Callable[[ProgressFn, CancelToken], dict]


class TaskWorker(QObject):
    """Runs one task function at a time; progress is throttled so it never floods the GUI."""

    progress = Signal(int, int, str)
    finished = Signal(dict)
    failed = Signal(str)

    MIN_PROGRESS_INTERVAL_S = 0.05

    @Slot(object)
    def run(self, job: tuple[TaskFn, CancelToken]) -> None:
        fn, cancel = job
        last = 0.0

        def report(done: int, total: int, message: str = "") -> None:
            nonlocal last
            now = time.monotonic()
            if done >= total or now - last >= self.MIN_PROGRESS_INTERVAL_S:
                last = now
                self.progress.emit(int(done), int(total), message)

        try:
            result = dict(fn(report, cancel) or {})
            result.setdefault("status", "cancelled" if cancel.cancelled else "complete")
        except USER_ERRORS as exc:
            self.failed.emit(str(exc))
            result = {"status": "error", "error": str(exc)}
        except Exception as exc:
            msg = _unexpected(exc)
            self.failed.emit(msg)
            result = {"status": "error", "error": msg}
        self.finished.emit(result)


class TaskHost(QObject):
    """A thread of its own for long cancellable work with progress (profile builds, archives)."""

    progress = Signal(int, int, str)
    finished = Signal(dict)
    failed = Signal(str)
    runningChanged = Signal(bool)
    _start = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self.worker = TaskWorker()
        self.worker.moveToThread(self._thread)
        self._start.connect(self.worker.run)
        self.worker.progress.connect(self.progress)
        self.worker.failed.connect(self.failed)
        self.worker.finished.connect(self._on_finished)
        self._cancel: CancelToken | None = None
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, fn: TaskFn) -> None:
        if self.running:
            raise UserError("That work is already running; wait for it or cancel it.")
        self._cancel = CancelToken()
        self._start.emit((fn, self._cancel))
        self.runningChanged.emit(True)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    @Slot(dict)
    def _on_finished(self, result: dict) -> None:
        self._cancel = None
        self.finished.emit(result)
        self.runningChanged.emit(False)

    def stop(self, timeout_ms: int = 15000) -> bool:
        self.cancel()
        self._thread.quit()
        return self._thread.wait(timeout_ms)


def json_lines(held: bytes, chunk: bytes) -> tuple[list[dict], bytes]:
    """A child process's stdout read so far: the complete JSON-object lines in it, and the
    unfinished line to keep for the next read (other lines are skipped)."""
    *lines, rest = (held + chunk).split(b"\n")
    out = []
    for raw in lines:
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if isinstance(msg, dict):
            out.append(msg)
    return out, rest


class ProcessTaskHost(QObject):
    """Runs `python -m <module> ARGS` as a child process speaking the `ui.build_process`
    protocol, with the signals of `TaskHost`. QProcess is asynchronous: the GUI thread
    only ever parses a few short lines of JSON."""

    progress = Signal(int, int, str)
    finished = Signal(dict)
    failed = Signal(str)
    runningChanged = Signal(bool)

    KILL_AFTER_CANCEL_MS = 20_000
    STDERR_TAIL = 4000

    def __init__(self, module: str = "ui.build_process", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._module = module
        self._proc: QProcess | None = None
        self._stdout = b""
        self._stderr = b""
        self._result: dict | None = None
        self._killer = QTimer(self)
        self._killer.setSingleShot(True)
        self._killer.timeout.connect(self._kill)

    @property
    def running(self) -> bool:
        return self._proc is not None

    def start(self, args: list[str]) -> None:
        if self.running:
            raise UserError("A profile build is already running; wait for it or cancel it.")
        proc = QProcess(self)
        proc.setProgram(sys.executable)
        proc.setArguments(["-m", self._module, *args])
        proc.readyReadStandardOutput.connect(self._on_stdout)
        proc.readyReadStandardError.connect(self._on_stderr)
        proc.finished.connect(self._on_exit)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._stdout, self._stderr, self._result = proc, b"", b"", None
        proc.start()
        self.runningChanged.emit(True)

    def cancel(self) -> None:
        """Ask the child to stop (it keeps the previous profile); kill it if it does not."""
        if self._proc is not None and not self._killer.isActive():
            self._proc.write(b"cancel\n")
            self._killer.start(self.KILL_AFTER_CANCEL_MS)

    @Slot()
    def _kill(self) -> None:
        if self._proc is not None:
            log.warning("the build process ignored cancel; killing it")
            self._result = {"status": "cancelled"}
            self._proc.kill()

    @Slot()
    def _on_stdout(self) -> None:
        if self._proc is None:
            return
        messages, self._stdout = json_lines(self._stdout,
                                            bytes(self._proc.readAllStandardOutput().data()))
        for msg in messages:
            event = msg.get("event")
            if event == "progress":
                self.progress.emit(int(msg["done"]), int(msg["total"]), str(msg["message"]))
            elif event == "done":
                self._result = {"status": "complete", **dict(msg.get("result") or {})}
            elif event == "cancelled":
                self._result = {"status": "cancelled"}
            elif event == "error":
                self._result = {"status": "error", "error": str(msg.get("message", ""))}

    @Slot()
    def _on_stderr(self) -> None:
        if self._proc is not None:
            tail = self._stderr + bytes(self._proc.readAllStandardError().data())
            self._stderr = tail[-self.STDERR_TAIL:]

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._proc is not None:
            why = self._proc.errorString()
            msg = f"The profile build could not start ({why})."
            self._result = {"status": "error", "error": msg}
            self._done()

    @Slot(int, QProcess.ExitStatus)
    def _on_exit(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._on_stdout()
        self._on_stderr()
        if self._result is None:
            log.error("build process exited with %d: %s", code,
                      self._stderr.decode("utf-8", "replace")[-1000:])
            self._result = {"status": "error", "error": (
                f"The profile build stopped unexpectedly (exit code {code}); the previous "
                "profile is unchanged. The details are in the log file.")}
        self._done()

    def _done(self) -> None:
        result, self._result = self._result or {"status": "error"}, None
        proc, self._proc = self._proc, None
        self._killer.stop()
        if proc is not None:
            proc.deleteLater()
        if result.get("status") == "error":
            self.failed.emit(str(result.get("error", "")))
        self.finished.emit(result)
        self.runningChanged.emit(False)

    def stop(self, timeout_ms: int = 15000) -> bool:
        """At exit: cancel, wait a little, then kill; never leave a build running."""
        proc = self._proc
        if proc is None:
            return True
        proc.write(b"cancel\n")
        proc.closeWriteChannel()
        if not proc.waitForFinished(timeout_ms):
            proc.kill()
            proc.waitForFinished(3000)
        return True
