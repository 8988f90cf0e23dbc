"""Reset: erase the profile or everything so that no file keeps the text."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DatabaseError

from assistant.data.records import Progress
from assistant.data.results import ResetResult
from assistant.data.sections import PROFILE_TABLES, sections
from assistant.errors import UserError
from assistant.paths import cache_dir, logs_dir
from assistant.secrets import delete_api_key
from store import StoreError
from store.db import DB_FILENAME, explain_operational_error
from store.erase import scrub_database, shred_file, shred_tree, truncate_in_place
from store.models import Base, Conversation, Message, WritingSample
from store.repair import damaged_copies

log = logging.getLogger(__name__)


class ResetMixin:
    """`DataService.reset`, and what it would delete."""

    def reset_summary(self, scope: str) -> str:
        """What `reset(scope)` deletes, in words, counted now (the question asked first)."""
        if scope == "profile":
            return ("This deletes your personal profile (the learned description and steering "
                    "vectors). Your conversations and writing history are kept.")
        if scope != "all":
            raise UserError(f"Unknown reset scope {scope!r}; use profile or all.")
        with self.db.session() as s:
            convs, msgs, samples = (s.scalar(select(func.count()).select_from(t)) or 0
                                    for t in (Conversation, Message, WritingSample))
        return (f"This deletes {convs} conversation(s) with {msgs} message(s), {samples} "
                "writing sample(s), your profile, your settings, the logs and the cloud API "
                "key. Model files are kept. This cannot be undone.")

    def reset(self, scope: str, progress: Progress | None = None) -> ResetResult:
        """Erase the profile ("profile") or everything ("all") so that no file keeps the text.

        Afterwards the database is empty but working (schema and migrations stay).
        The GUI must reload settings (AppContext.reload_settings) after "all".
        """
        if scope not in ("profile", "all"):
            raise UserError(f"Unknown reset scope {scope!r}; use profile or all.")
        t0 = time.monotonic()
        steps = 4

        def step(n: int) -> None:
            if progress is not None:
                progress("erasing", n, steps)

        step(0)
        with self._write() as ctx:
            for section in sections():
                if scope in section.erased_by:
                    section.erase(ctx)
            # "all": every table the app knows, children first, so tables added later
            # by other features are erased too. "profile": its tables, even if a
            # replacement section forgot one.
            for table in reversed(Base.metadata.sorted_tables):
                if scope == "all" or table.name in PROFILE_TABLES:
                    ctx.conn.execute(delete(table))
        step(1)
        removed = shred_tree(self.home / "profile") + shred_tree(cache_dir(self.home))
        removed += self.partials.sweep()  # a killed export's copy of the data, wherever it is
        if scope == "all":
            removed += self._scrub_logs()
            for copy in damaged_copies(self.home):  # what `repair` moved aside
                shred_file(copy)
                removed += 1
        step(2)
        try:
            scrub_database(self.db.engine)
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        except DatabaseError as exc:  # OperationalError included; a damaged file too
            problem = explain_operational_error(exc.orig or exc, self.db.path)
            raise UserError(str(problem)) from problem
        step(3)
        key_removed = False
        if scope == "all":
            try:
                key_removed = delete_api_key()
            except Exception as exc:  # the data is gone; say what is left
                raise UserError(
                    "Your data was erased, but the API key could not be removed from the "
                    f"system keyring ({type(exc).__name__}); remove it there by hand."
                ) from exc
        step(4)
        log.info("reset %s: %d files removed", scope, removed)
        return ResetResult(scope, removed, key_removed, time.monotonic() - t0)

    def _scrub_logs(self) -> int:
        """Rotated logs are shredded; the live log (held open for append) is zeroed and cut."""
        folder = logs_dir(self.home)
        if not folder.is_dir():
            return 0
        n = 0
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.name == "assistant.log":
                truncate_in_place(p)
            elif p.is_file() or p.is_symlink():
                shred_file(p)
                n += 1
            elif p.is_dir():
                n += shred_tree(p)
        return n


def erase_damaged_database(home: Path) -> int:
    """Shred a database file the app cannot open (and its WAL), so `reset --all` can start
    again on a damaged file; the rest of the reset then runs on the fresh database."""
    removed = 0
    for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm"):
        path = home / name
        if path.exists() or path.is_symlink():
            shred_file(path)
            removed += 1
    log.info("reset: shredded a damaged database (%d files)", removed)
    return removed
