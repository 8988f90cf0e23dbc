"""The `assistant` command.

Every subcommand lives in its own module with a `register(subparsers)` function;
errors the user can act on are one line on stderr and a non-zero exit, never a
traceback (the traceback of an unexpected error goes to the log file).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant import __version__
from assistant.errors import UserError
from engine.errors import EngineError
from store import StoreError

log = logging.getLogger("assistant.cli")

EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130


def _command_modules():
    from assistant.cli import (
        chat,
        cloud,
        conversations,
        data,
        doctor,
        eval,
        history,
        models,
        profile,
        repair,
        serve,
        settings,
    )

    return [chat, cloud, conversations, data, doctor, eval, history, models, profile, repair,
            serve, settings]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="A private assistant that learns how you write. "
        "With no command it opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"assistant {__version__}")
    parser.add_argument(
        "--home", metavar="DIR", help="data folder (default: per-user data dir; env ASSISTANT_HOME)"
    )
    parser.add_argument(
        "--terminal", action="store_true", help="with no command: chat in the terminal, no window"
    )
    parser.add_argument("--model", metavar="PATH", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def _terminate(signum: int, _frame: object) -> None:
    # Turn SIGTERM into an exception so `finally` blocks run and a reply being
    # written is stored as partial.
    raise KeyboardInterrupt(f"signal {signum}")


def _undecodable(argv: Sequence[str]) -> str | None:
    """One line for an argument that breaks the text rule (`assistant.text_rules`): not
    valid UTF-8 (Python keeps such bytes as surrogates, which nothing downstream can store
    or print), or longer than one text may be."""
    from assistant.text_rules import TextError, check_argument

    for i, arg in enumerate(argv, 1):
        try:
            check_argument(arg, i)
        except TextError as exc:
            return str(exc)
    return None


def _database_problem(exc: BaseException, args: argparse.Namespace) -> str | None:
    """One line for a database error that reached the top (a damaged file read outside a
    session), or None when `exc` is not one."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    if not isinstance(exc, DatabaseError | sqlite3.DatabaseError):
        return None
    from assistant.paths import data_dir
    from store.db import DB_FILENAME, explain_operational_error

    orig = getattr(exc, "orig", None) or exc
    try:
        path = data_dir(getattr(args, "home", None)) / DB_FILENAME
    except UserError:
        path = Path(DB_FILENAME)
    return str(explain_operational_error(orig, path))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def main(argv: Sequence[str] | None = None) -> int:
    # Until the data folder's log is set up, a logged error must not reach stderr as a
    # traceback (Python's last-resort handler): the user gets one line either way.
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    signal.signal(signal.SIGTERM, _terminate)
    # Ctrl+C (SIGINT) always interrupts, even when the process was started with SIGINT
    # ignored (a shell's background job, some launchers): Python then installs no handler
    # of its own, and a reply would run to its end whatever the user asked.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args_in = list(sys.argv[1:] if argv is None else argv)
    problem = _undecodable(args_in)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        parser = build_parser()  # imports every command: a Ctrl+C may come meanwhile
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    args = parser.parse_args(args_in)
    handler = getattr(args, "handler", None)
    if handler is None:
        from assistant.cli.launch import launch_default

        handler = launch_default
    try:
        return int(handler(args) or 0)
    except (UserError, StoreError, EngineError) as exc:
        log.info("command failed: %s", type(exc).__name__)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line for the user, details in the log
        problem = _database_problem(exc, args)
        if problem is not None:
            log.info("command failed: %s", type(exc).__name__)
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_USER_ERROR
        log.exception("unexpected error")
        print(
            f"error: unexpected {type(exc).__name__}: {_first_line(exc)} (details in the log "
            "file)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
