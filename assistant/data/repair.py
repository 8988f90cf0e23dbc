"""A database the app cannot use, for the front ends: is this error one, save what can
be read (`store.repair`), or start again with nothing. The CLI's `repair` and `reset --all`
and the window's dialog at start all come here."""

from __future__ import annotations

import logging
from pathlib import Path

from store.db import DamagedDatabaseError, StoreError
from store.repair import RepairResult, diagnose, repair

log = logging.getLogger(__name__)

__all__ = ["RepairResult", "diagnose", "is_damaged", "repair_database", "summary"]


def is_damaged(exc: BaseException | None) -> bool:
    """Whether a DamagedDatabaseError is behind `exc` (a UserError wraps it)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DamagedDatabaseError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def repair_database(home: Path, *, use_cli: bool | None = None) -> RepairResult:
    """Save the readable rows into a fresh database; the damaged file is kept aside."""
    from assistant.errors import UserError

    try:
        return repair(Path(home), use_cli=use_cli)
    except StoreError as exc:
        raise UserError(str(exc)) from exc


def summary(res: RepairResult) -> str:
    """What a repair saved, in one sentence."""
    saved = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in res.saved.items() if n)
    return (f"Saved {saved or 'nothing'}. The damaged file is kept as {res.damaged_copy.name} "
            "('Erase all data' or 'assistant reset --all' removes it).")
