"""What export, import and reset report back (the CLI prints them, the window shows them)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


# =========================================================================== results


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int]
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "counts": self.counts, "bytes": self.bytes,
                "seconds": round(self.seconds, 3)}


@dataclass
class ImportResult:
    source: str  # archive | chatgpt
    mode: str  # merge | replace
    added: dict[str, int]
    skipped: dict[str, int]  # duplicates already present (merge)
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "mode": self.mode, "added": self.added,
                "skipped": self.skipped, "seconds": round(self.seconds, 3)}


@dataclass
class ResetResult:
    scope: str  # profile | all
    files_removed: int
    api_key_removed: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "files_removed": self.files_removed,
                "api_key_removed": self.api_key_removed, "seconds": round(self.seconds, 3)}
