"""Erasing for real: the database file, its WAL, and loose files in the data folder.

Deleting a row is not enough to make its text unreadable. With WAL, the old
page images stay in `assistant.db-wal` until a checkpoint, and freed pages keep
their bytes in the main file. So an erase is: delete with `secure_delete` on
(set on every connection by store.db), checkpoint and truncate the WAL, VACUUM
(rewrites the file from live pages only and shrinks it), checkpoint again.

Files are overwritten with zeros before they are unlinked. On copy-on-write
filesystems and SSDs that is best effort for the physical blocks; what it does
guarantee is that no file in the data folder still holds the text.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy.engine import Engine

from store.db import StoreError

_CHUNK = 1 << 20


def checkpoint_truncate(engine: Engine) -> None:
    """Fold the WAL into the main file and cut it to zero bytes; fail if another reader blocks."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        raise StoreError(
            "Another running copy of the app is using the data folder, so the erase could not "
            "finish; close it and run the reset again."
        )


def vacuum(engine: Engine) -> None:
    """Rebuild the database file from its live pages (outside any transaction, as SQLite needs)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")


def scrub_database(engine: Engine) -> None:
    """Leave no deleted text in the main file or the WAL: checkpoint, VACUUM, checkpoint."""
    engine.dispose()  # idle pooled connections must not pin an old WAL snapshot
    checkpoint_truncate(engine)
    vacuum(engine)
    checkpoint_truncate(engine)


def overwrite(path: Path) -> None:
    """Fill a file with zeros in place (same length) and fsync it."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        left = size
        zeros = bytes(min(_CHUNK, max(size, 1)))
        while left > 0:
            n = min(left, len(zeros))
            fh.write(zeros[:n])
            left -= n
        fh.flush()
        os.fsync(fh.fileno())


def shred_file(path: Path) -> None:
    """Overwrite, then unlink. Links are unlinked without touching what they point at."""
    if path.is_symlink():
        path.unlink()
        return
    with contextlib.suppress(FileNotFoundError):
        overwrite(path)
        path.unlink()


def truncate_in_place(path: Path) -> None:
    """Zero and truncate a file that may be held open (the current log, opened for append)."""
    if path.is_symlink() or not path.is_file():
        return
    overwrite(path)
    with open(path, "r+b") as fh:
        fh.truncate(0)
        fh.flush()
        os.fsync(fh.fileno())


def shred_tree(folder: Path) -> int:
    """Shred every file under `folder` and remove the folder; returns the number of files."""
    if folder.is_symlink():
        folder.unlink()
        return 0
    if not folder.exists():
        return 0
    n = 0
    for path in _files_under(folder):
        shred_file(path)
        n += 1
    shutil.rmtree(folder, ignore_errors=True)
    return n


def _files_under(folder: Path) -> Iterator[Path]:
    for root, _dirs, files in os.walk(folder, followlinks=False):
        for name in files:
            yield Path(root) / name


def files_containing(folder: Path, needles: Iterable[bytes]) -> list[Path]:
    """Every file under `folder` whose bytes contain any needle (reads files in chunks).

    Used to check an erase: search for a marker in UTF-8 and UTF-16-LE.
    """
    needles = [n for n in needles if n]
    overlap = max((len(n) for n in needles), default=1) - 1
    hits: list[Path] = []
    for path in _files_under(folder):
        if path.is_symlink():
            continue
        try:
            with open(path, "rb") as fh:
                tail = b""
                while chunk := fh.read(_CHUNK):
                    window = tail + chunk
                    if any(n in window for n in needles):
                        hits.append(path)
                        break
                    tail = window[-overlap:] if overlap else b""
        except OSError:
            continue
    return hits
