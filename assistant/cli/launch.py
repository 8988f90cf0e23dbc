"""What `assistant` with no command does: open the desktop app, or chat in the terminal.

The terminal chat is the fallback where no GUI can start (no display, or
`--terminal`): it keeps one conversation and stores every turn like the app.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from assistant.chat.turn import ChatRequest, ChatTurn
from assistant.cli.common import open_app
from assistant.errors import UserError
from engine.runtime.generation import CancelToken


def _gui_available() -> bool:
    if importlib.util.find_spec("ui.app") is None:
        return False
    if sys.platform.startswith("linux"):
        return bool(
            os.environ.get("DISPLAY")
            or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")
        )
    return True


def launch_default(args) -> int:
    if not getattr(args, "terminal", False) and _gui_available():
        from assistant.desktop_check import window_problem

        problem = window_problem()
        if problem:
            raise UserError(problem)
        from ui.app import run_gui

        return run_gui(home=getattr(args, "home", None))
    return terminal_chat(args)


def terminal_chat(args) -> int:
    app = open_app(args)
    try:
        runtime = app.runtime(getattr(args, "model", None))
        print(f"Chatting with {runtime.model_name}. Ctrl+C stops a reply; Ctrl+D quits.")
        conversation_id: int | None = None
        while True:
            try:
                text = input("\nyou> ")
            except EOFError:
                print()
                return 0
            if not text.strip():
                continue
            cancel = CancelToken()
            try:
                turn = ChatTurn(app, ChatRequest(text, conversation_id,
                                                 model_flag=getattr(args, "model", None)), cancel)
                info = turn.start()
            except UserError as exc:
                print(f"error: {exc}", file=sys.stderr)
                continue
            conversation_id = info.conversation_id
            if info.notice:
                print(f"note: {info.notice}", file=sys.stderr)
            print("assistant> ", end="", flush=True)
            try:
                for piece in turn.stream():
                    print(piece, end="", flush=True)
            except KeyboardInterrupt:
                cancel.cancel()
                print(" [stopped; kept as partial]", end="")
            except UserError as exc:
                print(f"\nerror: {exc}", file=sys.stderr)
            print()
    finally:
        app.close()
