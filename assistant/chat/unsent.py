"""Text typed into a box but not yet sent or saved, kept across crashes and restarts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from store import Database
from store.models import UnsentText

DRAFT = "draft"
CHAT_INPUT = "chat_input"
BOXES = (DRAFT, CHAT_INPUT)


@dataclass(frozen=True)
class Unsent:
    text: str
    sample_id: int | None = None


class UnsentService:
    """One row per box; an empty box has none (so nothing lingers once text is sent)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, box: str, text: str, sample_id: int | None = None) -> None:
        if box not in BOXES:
            raise ValueError(f"unknown box {box!r}")
        with self._db.session() as s:
            if text.strip():
                s.merge(UnsentText(box=box, text=text, sample_id=sample_id))
            else:
                s.execute(delete(UnsentText).where(UnsentText.box == box))

    def load(self, box: str) -> Unsent | None:
        with self._db.session() as s:
            row = s.get(UnsentText, box)
            return None if row is None else Unsent(row.text, row.sample_id)
