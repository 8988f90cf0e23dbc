"""Helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys
from typing import Any

from assistant.app import AppContext


def open_app(args) -> AppContext:
    return AppContext(getattr(args, "home", None))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
