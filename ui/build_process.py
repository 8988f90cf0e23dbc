"""The profile build, run as a child process of the app (`python -m ui.build_process`).

Why a process and not a thread: the build imports torch and converts the model,
C code that holds the GIL for a quarter to half a second at a time (measured:
`import torch` 280 ms, loading the torch model 490 ms). In a thread of the GUI
process those would freeze the window; in a process of its own they cannot.
It also keeps the build's memory (a dequantized float32 copy of the model) out
of the app once it is done, and a crash in native code cannot take the window
with it.

Protocol with `ui.workers.ProcessTaskHost`, one JSON object per line on stdout:
`{"event": "progress", "done", "total", "message"}`, then exactly one of
`{"event": "done", "result": {...}}`, `{"event": "cancelled"}` or
`{"event": "error", "message"}`. A line "cancel" on stdin, or stdin closing (the
app went away), cancels the build; the previous profile is then left untouched.
Anything else the build prints goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from engine.runtime.generation import CancelToken

log = logging.getLogger("ui.build_process")

MIN_PROGRESS_INTERVAL_S = 0.05


class _Emitter:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._last = 0.0

    def __call__(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, default=str)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= MIN_PROGRESS_INTERVAL_S:
            self._last = now
            self("progress", done=done, total=total, message=message)


def _watch_stdin(cancel: CancelToken) -> None:
    for line in sys.stdin:
        if line.strip() == "cancel":
            break
    cancel.cancel()  # "cancel", or EOF: the app is gone, nobody wants the result


def build_here(home: str, method: str, progress: Callable[[int, int, str], None],
               cancel: CancelToken) -> dict | None:
    """Build the profile in this (the child) process; None if it was cancelled."""
    from assistant import method_registry as methods
    from assistant.app import AppContext
    from assistant.profile.store import BuildCancelled
    from engine.runtime.native import load_models_lean

    load_models_lean()  # this process only builds: no repacked copy of the weights
    ctx = AppContext(home)
    try:
        out = methods.build_profile(
            ctx, method, cancel=cancel,
            progress=lambda frac, stage: progress(int(frac * 1000), 1000,
                                                  str(stage).capitalize()))
    except BuildCancelled:
        return None
    finally:
        ctx.close()
    return dict(out.as_dict()) if hasattr(out, "as_dict") else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.build_process")
    parser.add_argument("--home", required=True)
    parser.add_argument("--method", required=True)
    args = parser.parse_args(argv)

    # Background work yields to the window: the build keeps every core busy for minutes.
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)
    emit = _Emitter(sys.stdout)
    sys.stdout = sys.stderr  # the protocol owns stdout; stray prints go to stderr
    cancel = CancelToken()
    threading.Thread(target=_watch_stdin, args=(cancel,), daemon=True).start()

    from ui.errors import USER_ERRORS

    try:
        result = build_here(args.home, args.method, emit.progress, cancel)
    except USER_ERRORS as exc:
        emit("error", message=str(exc))
        return 1
    except Exception as exc:  # one sentence for the app; the traceback goes to the log
        log.exception("profile build failed")
        emit("error", message=f"Unexpected {type(exc).__name__}: {exc}. The details are in "
                              "the log file.")
        return 1
    if result is None:
        emit("cancelled")
    else:
        emit("done", result=result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
