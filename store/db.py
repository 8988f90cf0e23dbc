"""Opening the database: pragmas, migrations, sessions.

The pragmas are part of the privacy promise: `secure_delete` zeroes deleted
content in the main file, WAL keeps a crash from corrupting the store, and
foreign keys keep orphans (and their text) from lingering.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

DB_FILENAME = "assistant.db"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class StoreError(RuntimeError):
    """A problem with the data folder that the user can act on."""


class DamagedDatabaseError(StoreError):
    """The database file is not one this app can use: damaged, not a database, or written
    by an unknown schema revision. The message says so in one line and names the way out."""


REPAIR_HINT = ("'assistant repair' saves what can still be read and starts a fresh database; "
               "'assistant reset --all --yes' starts again with nothing.")


class DatabaseLockedError(StoreError):
    """Another process holds the write lock past the busy timeout; retrying may succeed."""


def damaged(path: Path, what: str) -> DamagedDatabaseError:
    """The one sentence every command says about a database it cannot use."""
    return DamagedDatabaseError(f"The database {path} {what}. {REPAIR_HINT}")


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's words for a file that is not a (healthy) database."""
    msg = str(exc).lower()
    return any(w in msg for w in ("not a database", "malformed", "corrupt", "file is encrypted",
                                  "disk image"))


def _busy_timeout_ms() -> int:
    return int(os.environ.get("ASSISTANT_BUSY_TIMEOUT_MS", "5000"))


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA secure_delete = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def explain_operational_error(exc: BaseException, path: Path) -> StoreError:
    """Turn sqlite's terse errors into a sentence the user can act on."""
    msg = str(exc).lower()
    if "locked" in msg or "busy" in msg:
        return DatabaseLockedError(
            f"The data folder {path.parent} is locked by another running copy of the app; "
            "close it and try again."
        )
    if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
        return StoreError(f"The data folder {path.parent} is read-only or cannot be opened.")
    if "disk" in msg and "full" in msg:
        return StoreError(f"The disk holding {path.parent} is full.")
    if is_damage(exc):
        return damaged(path, f"is damaged ({str(exc).splitlines()[0]})")
    return StoreError(f"Cannot use the database {path}: {exc}")


def _unknown_revision(exc: BaseException) -> str | None:
    """The revision id of Alembic's "Can't locate revision identified by 'x'", else None."""
    import re

    from alembic.util.exc import CommandError

    if isinstance(exc, CommandError):
        m = re.search(r"revision identified by '([^']*)'", str(exc))
        if m:
            return m.group(1)
    return None


class Database:
    """One SQLite file in the data folder, migrated to the newest schema on open."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILENAME
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the data folder {self.data_dir}: {exc.strerror}"
            ) from exc
        if not os.access(self.data_dir, os.W_OK):
            raise StoreError(f"The data folder {self.data_dir} is read-only.")
        self.engine: Engine = create_engine(f"sqlite:///{self.path}", future=True)
        event.listen(self.engine, "connect", _set_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            self._migrate()
        except DatabaseError as exc:  # OperationalError included
            self.engine.dispose()
            raise explain_operational_error(exc.orig or exc, self.path) from None
        except sqlite3.DatabaseError as exc:
            self.engine.dispose()
            raise explain_operational_error(exc, self.path) from None
        except Exception as exc:
            self.engine.dispose()
            revision = _unknown_revision(exc)
            if revision is None:
                raise
            raise damaged(self.path, f"has schema revision {revision!r}, which this version "
                          "of the app does not know (written by a newer version, or not by "
                          "this app)") from None

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self, busy_timeout_ms: int | None = None) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception.

        `busy_timeout_ms` waits less than the default for another process's lock (a
        reply's periodic save, which keeps its text in memory and tries again later).
        """
        s = self._sessions()
        if busy_timeout_ms is not None:
            s.connection().exec_driver_sql(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        try:
            yield s
            s.commit()
        except DatabaseError as exc:  # OperationalError included
            with contextlib.suppress(DatabaseError):  # a damaged file may refuse this too
                s.rollback()
            raise explain_operational_error(exc.orig or exc, self.path) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            if busy_timeout_ms is not None:
                with contextlib.suppress(DatabaseError):
                    s.connection().exec_driver_sql(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
            s.close()

    def checkpoint(self) -> bool:
        """Fold the WAL into the main file and truncate it; True when it fully succeeded.

        Called after every user-initiated delete: `secure_delete` zeroes the freed
        pages in the main file, but older copies of those pages live on in the WAL
        until it is checkpointed and truncated. A reader in another process can
        block the truncation; then the next delete (or reset) finishes the job.
        """
        try:
            with self.engine.connect() as conn:
                busy = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()
        except OperationalError:
            log.info("WAL checkpoint deferred: the database is busy")
            return False
        return bool(busy is not None and busy[0] == 0)

    def close(self) -> None:
        self.engine.dispose()
