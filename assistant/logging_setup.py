"""File logging in the data folder.

Privacy rule: INFO and above never carry message text, only sizes, ids and
timings. Text may appear at DEBUG, which is off unless the user turns it on.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from assistant.paths import logs_dir

_configured: set[Path] = set()


def setup_logging(home: Path, level: int = logging.INFO) -> Path:
    folder = logs_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "assistant.log"
    if path in _configured:
        return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured.add(path)
    return path
