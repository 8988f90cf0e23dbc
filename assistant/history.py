"""The user's writing history: the samples their profile learns from."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from assistant.errors import UserError
from assistant.text_rules import MAX_TEXT_CHARS, check_text, decode_text
from store import Database
from store.models import WritingSample

log = logging.getLogger(__name__)

SOURCES = ("chat", "draft", "file")
MAX_FILE_BYTES = 5_000_000
# One message or writing sample: about a 400-page book. A profile reads the first
# few hundred tokens of each item, and a single 50 MB paste would only slow every
# build, export and search; the same cap holds for imports (assistant.data).
MAX_SAMPLE_CHARS = MAX_TEXT_CHARS


def check_text_size(text: str, what: str) -> None:
    """Refuse a text the one text rule refuses (over the cap, a lone surrogate, NUL)."""
    check_text(text, what, max_chars=MAX_SAMPLE_CHARS)
IMPORTABLE_SUFFIXES = {".txt", ".md", ".markdown", ".text"}


@dataclass
class SampleView:
    id: int
    text: str
    prompt: str
    source: str
    source_ref: str | None
    created_at: datetime

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "prompt": self.prompt,
            "source": self.source,
            "source_ref": self.source_ref,
            "created_at": self.created_at.isoformat(),
        }


def _view(row: WritingSample) -> SampleView:
    return SampleView(row.id, row.text, row.prompt, row.source, row.source_ref, row.created_at)


def read_text_file(path: Path) -> str:
    """Read a history file as UTF-8 text, refusing binaries with a clear message."""
    if not path.exists():
        raise UserError(f"File not found: {path}")
    if not path.is_file():
        raise UserError(f"Not a file: {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
    data = path.read_bytes()
    if b"\x00" in data:
        raise UserError(f"{path.name} is not a text file (it contains binary data).")
    text = decode_text(data, path.name, max_chars=MAX_SAMPLE_CHARS)
    if not text.strip():
        raise UserError(f"{path.name} is empty.")
    return text


class HistoryService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        text: str,
        *,
        source: str = "draft",
        prompt: str = "",
        source_ref: str | None = None,
        message_id: int | None = None,
    ) -> int:
        if source not in SOURCES:
            raise UserError(f"Unknown sample source {source!r}; use one of {', '.join(SOURCES)}.")
        if not text or not text.strip():
            raise UserError("The text is empty; nothing was added.")
        check_text_size(text, "The text")
        check_text_size(prompt, "The prompt")
        with self.db.session() as s:
            row = WritingSample(
                text=text,
                prompt=prompt,
                source=source,
                source_ref=source_ref,
                message_id=message_id,
            )
            s.add(row)
            s.flush()
            log.info("writing sample %d added (source=%s, %d chars)", row.id, source, len(text))
            return row.id

    def add_files(self, paths: list[Path]) -> list[int]:
        """Import files all-or-nothing: every file is read and checked before any is stored."""
        texts = [(p, read_text_file(p)) for p in paths]
        for p in paths:
            if p.suffix.lower() not in IMPORTABLE_SUFFIXES:
                log.info("importing %s with an unusual suffix as text", p.suffix)
        ids = []
        with self.db.session() as s:
            for p, text in texts:
                row = WritingSample(text=text, prompt="", source="file", source_ref=p.name)
                s.add(row)
                s.flush()
                ids.append(row.id)
        log.info("imported %d files into the writing history", len(ids))
        return ids

    def list(self, source: str | None = None) -> list[SampleView]:
        with self.db.session() as s:
            q = select(WritingSample).order_by(WritingSample.id)
            if source:
                q = q.where(WritingSample.source == source)
            return [_view(r) for r in s.scalars(q)]

    def get(self, sample_id: int) -> SampleView:
        with self.db.session() as s:
            row = s.get(WritingSample, sample_id)
            if row is None:
                raise UserError(f"No writing sample with id {sample_id}.")
            return _view(row)

    def update(self, sample_id: int, text: str) -> None:
        if not text.strip():
            raise UserError("The text is empty; delete the sample instead.")
        with self.db.session() as s:
            row = s.get(WritingSample, sample_id)
            if row is None:
                raise UserError(f"No writing sample with id {sample_id}.")
            row.text = text

    def remove(self, sample_id: int) -> None:
        with self.db.session() as s:
            row = s.get(WritingSample, sample_id)
            if row is None:
                raise UserError(f"No writing sample with id {sample_id}.")
            s.delete(row)
        self.db.checkpoint()  # leave no copy of the deleted text in the WAL
        log.info("writing sample %d removed", sample_id)

    def count(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(WritingSample)) or 0
