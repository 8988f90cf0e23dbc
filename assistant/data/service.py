"""The data service: export, import and reset for one data folder (the user owns it).

Archive layout (format_version 1), one zip:

    manifest.json            format, format_version, app, app_version, created, counts,
                             sections, files: {name: {sha256, bytes}} for every other entry
    conversations.jsonl      {id, title, created_at, updated_at, cloud_enabled}
    messages.jsonl           {id, conversation_id, role, content, status, model, tokens,
                              created_at, meta}            (ordered by conversation, id)
    writing_samples.jsonl    {id, text, prompt, source, source_ref, message_id,
                              created_at, updated_at}
    settings.json            {key: value}, every setting except anything secret
    profile/profile.json     the profile's settings and description   (when one exists)
    profile/vectors/*.gguf   its steering vectors as llama.cpp control vectors

JSONL is UTF-8, one object per line, keys sorted; times are ISO 8601 in UTC
without an offset (as the database stores them). Readers ignore unknown keys.

Parts of the data that features own (the profile) plug in as an `ArchiveSection`
(`assistant.data.sections`): a folder in the archive plus export, validate,
apply and erase hooks; `ProfileSection` carries the profiles and their vectors.

Import validates everything (structure, caps, checksums, every record, every
reference) before it opens one write transaction; any failure rolls back, so a
bad archive changes nothing. Reset deletes with secure_delete on, then
checkpoints and truncates the WAL and VACUUMs, so no deleted text stays
readable in any file of the data folder.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from assistant.data import edit_pairs as _edit_pairs  # noqa: F401 (registers its section)
from assistant.data.exporting import ExportMixin
from assistant.data.importing import ImportMixin
from assistant.data.reset import ResetMixin
from assistant.data.sections import SectionContext
from assistant.errors import UserError
from assistant.paths import export_notes_dir
from store import Database
from store.archive import (
    DEFAULT_LIMITS,
    Limits,
)
from store.db import explain_operational_error
from store.partials import PartialLedger

log = logging.getLogger(__name__)


class DataService(ExportMixin, ImportMixin, ResetMixin):
    """Export, import and reset for one data folder. Usable from the CLI and the GUI
    (pass `progress`; call it from a worker thread, and reload settings after)."""

    def __init__(self, db: Database, home: Path, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.db = db
        self.home = Path(home)
        self.limits = limits
        self.partials = PartialLedger(export_notes_dir(self.home))

    @classmethod
    def for_app(cls, app: Any) -> DataService:
        return cls(app.db, app.home)

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction: every query sees the same moment, even while a chat writes."""
        with self.db.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()

    @contextlib.contextmanager
    def _write(self) -> Iterator[SectionContext]:
        """One IMMEDIATE write transaction; after_commit hooks run only once it has committed."""
        try:
            with self.db.engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                ctx = SectionContext(self.home, conn)
                try:
                    yield ctx
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
        except DatabaseError as exc:  # OperationalError included; a damaged file too
            problem = explain_operational_error(exc.orig or exc, self.db.path)
            raise UserError(str(problem)) from problem
        for hook in ctx.after_commit:
            hook()
