"""The user's writing history: the samples their profile learns from."""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Integer, func, select

from assistant.errors import UserError
from assistant.text_rules import MAX_TEXT_CHARS, check_text, decode_text
from assistant.writing.sample_rules import SOURCES, default_include
from store import Database
from store.models import WritingSample

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5_000_000
# One message or writing sample: about a 400-page book. A profile reads the first
# few hundred tokens of each item, and a single 50 MB paste would only slow every
# build, export and search; the same cap holds for imports (assistant.data).
MAX_SAMPLE_CHARS = MAX_TEXT_CHARS


def check_text_size(text: str, what: str) -> None:
    """Refuse a text the one text rule refuses (over the cap, a lone surrogate, NUL)."""
    check_text(text, what, max_chars=MAX_SAMPLE_CHARS)


IMPORTABLE_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".docx", ".odt", ".pdf", ".eml",
                       ".mbox"}


def accept_imported_text(text: str, what: str) -> str:
    """The one gate every imported text passes, whatever file it came from."""
    if not text.strip():
        raise UserError(f"{what} is empty.")
    check_text_size(text, what)
    return text


def read_file_texts(path: Path, sender: str | None = None) -> list[tuple[str, str]]:
    """(where from, text) of each text in one file: a document or mailbox may hold several."""
    from assistant.writing import documents

    if documents.handles(path):
        return documents.read_document(path, sender)
    if path.suffix.lower() not in IMPORTABLE_SUFFIXES:
        log.info("importing %s with an unusual suffix as text", path.suffix)
    return [(path.name, read_text_file(path))]


@dataclass
class SampleView:
    id: int
    text: str
    prompt: str
    source: str
    source_ref: str | None
    created_at: datetime
    include: bool = True

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "prompt": self.prompt,
            "source": self.source,
            "source_ref": self.source_ref,
            "include": self.include,
            "created_at": self.created_at.isoformat(),
        }


def _view(row: WritingSample) -> SampleView:
    return SampleView(row.id, row.text, row.prompt, row.source, row.source_ref, row.created_at,
                      bool(row.include))


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
        include: bool | None = None,
    ) -> int:
        """Store one sample; `include` defaults by its source (assistant.writing.sample_rules)."""
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
                include=default_include(source, text) if include is None else include,
            )
            s.add(row)
            s.flush()
            log.info("writing sample %d added (source=%s, %d chars)", row.id, source, len(text))
            return row.id

    def add_files(self, paths: list[Path], sender: str | None = None) -> list[int]:
        """Import files all-or-nothing: every file is read and checked before any is stored.

        .txt/.md (and other text) as it is; .docx, .odt, .pdf and e-mail (.eml, mbox: the
        messages From `sender`) through `assistant.writing.documents`. Every text, whatever its
        format, enters here and passes the same checks (`accept_imported_text`).
        """
        texts = [(ref, accept_imported_text(text, ref))
                 for p in paths for ref, text in read_file_texts(p, sender)]
        ids = []
        with self.db.session() as s:
            for ref, text in texts:
                row = WritingSample(text=text, prompt="", source="file", source_ref=ref[:500])
                s.add(row)
                s.flush()
                ids.append(row.id)
        log.info("imported %d texts from %d files into the writing history", len(ids),
                 len(paths))
        return ids

    def list(self, source: str | None = None) -> list[SampleView]:
        """Every sample, included or not (what the Writing history shows)."""
        with self.db.session() as s:
            q = select(WritingSample).order_by(WritingSample.id)
            if source:
                q = q.where(WritingSample.source == source)
            return [_view(r) for r in s.scalars(q)]

    def writing(self) -> builtins.list[SampleView]:  # (`list` here is the method above)
        """The included samples, oldest first: what the profile, its description, its
        words and retrieval read. Excluded ones (chat requests by default) never do."""
        with self.db.session() as s:
            q = select(WritingSample).where(WritingSample.include.is_(True))
            return [_view(r) for r in s.scalars(q.order_by(WritingSample.id))]

    def set_included(self, sample_id: int, include: bool) -> None:
        """Include a sample in the profile and retrieval, or leave it out (kept either way)."""
        with self.db.session() as s:
            row = s.get(WritingSample, sample_id)
            if row is None:
                raise UserError(f"No writing sample with id {sample_id}.")
            row.include = include
        log.info("writing sample %d %s", sample_id, "included" if include else "excluded")

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

    def signature(self) -> tuple:
        """A cheap fingerprint of the samples (how many, the newest id and edit, how many
        included): a view compares it to learn that another process changed them."""
        with self.db.session() as s:
            row = s.execute(select(
                func.count(), func.max(WritingSample.id), func.max(WritingSample.updated_at),
                func.sum(WritingSample.include.cast(Integer)))).one()
            return tuple(row)

    def count(self, *, included_only: bool = False) -> int:
        with self.db.session() as s:
            q = select(func.count()).select_from(WritingSample)
            if included_only:
                q = q.where(WritingSample.include.is_(True))
            return s.scalar(q) or 0
