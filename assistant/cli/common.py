"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from assistant.app import AppContext

MAX_ID = 2**63 - 1  # SQLite's largest rowid


def open_app(args) -> AppContext:
    return AppContext(getattr(args, "home", None))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def record_id(raw: str) -> int:
    """An argparse type for the id of a stored row: a whole number from 1 to 2**63 - 1,
    said plainly when it is not (instead of SQLite's OverflowError)."""
    try:
        value = int(raw.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an id (a whole number)") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(
            f"{raw} is out of range: ids are whole numbers from 1 to {MAX_ID}") from None
    return value
