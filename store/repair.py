"""A damaged database: say what is wrong, save what SQLite can still read, start clean.

`diagnose` reads the file without changing it (read-only URI, no WAL replay of our
own) and says whether it is a healthy database of a known schema revision. `repair`

1. reads every row it still can: through the `sqlite3` command's `.recover` when it is
   installed (it walks the pages itself), else table by table with rows read in rowid
   order forwards and backwards up to the damage and then one rowid at a time across
   it, skipping what fails;
2. writes those rows into a fresh database built by the current migrations (rows whose
   parent was lost are skipped, a sample's link to a lost message is cleared);
3. moves the damaged file (and its WAL) aside under a timestamped name, so nothing is
   deleted that a specialist might still read, and puts the fresh one in its place.

It never raises on the damaged file's account: a table it cannot read is reported as
such. The damaged copy holds the user's text; `reset --all` shreds it with the rest.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from store.db import DB_FILENAME, Database, StoreError

log = logging.getLogger(__name__)

DAMAGED_GLOB = "assistant.damaged-*.db*"
_SIDE_FILES = ("-wal", "-shm")
# How far past the last readable rowid a table is probed when its end cannot be read.
_PROBE_PAST = 100_000
_RECOVER_TIMEOUT_S = 600


@dataclass
class Diagnosis:
    """What `diagnose` found; `ok` only for a readable database of a known revision."""

    path: Path
    exists: bool
    ok: bool
    problem: str | None = None
    revision: str | None = None
    tables: dict[str, int | None] = field(default_factory=dict)  # None: unreadable

    def as_dict(self) -> dict:
        return {"path": str(self.path), "exists": self.exists, "ok": self.ok,
                "problem": self.problem, "revision": self.revision, "tables": self.tables}


@dataclass
class RepairResult:
    saved: dict[str, int]
    unreadable: list[str]
    skipped: dict[str, int]
    damaged_copy: Path
    method: str

    def as_dict(self) -> dict:
        return {"saved": self.saved, "unreadable": self.unreadable, "skipped": self.skipped,
                "damaged_copy": str(self.damaged_copy), "method": self.method}


def known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from store.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)


def diagnose(data_dir: Path) -> Diagnosis:
    """Check `data_dir`'s database without changing it (SQLite's quick_check, the schema
    revision, and whether every table can be counted)."""
    path = Path(data_dir) / DB_FILENAME
    if not path.exists():
        return Diagnosis(path, False, True, None)
    try:
        con = _open_ro(path)
    except sqlite3.Error as exc:
        return Diagnosis(path, True, False, f"cannot be opened ({exc})")
    try:
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check(5)")]
        except sqlite3.Error as exc:
            return Diagnosis(path, True, False, f"is not a readable database ({exc})")
        said = " ".join("; ".join(rows).split())
        problem = None if rows == ["ok"] else f"is damaged ({said[:300]})"
        revision = None
        with contextlib.suppress(sqlite3.Error):
            got = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = got[0] if got else None
        if problem is None and revision is not None and revision not in known_revisions():
            problem = (f"has schema revision {revision!r}, which this version of the app "
                       "does not know")
        tables: dict[str, int | None] = {}
        with contextlib.suppress(sqlite3.Error):
            names = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            for name in names:
                try:
                    tables[name] = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                except sqlite3.Error:
                    tables[name] = None
        if problem is None and any(v is None for v in tables.values()):
            problem = "is damaged (some tables cannot be read)"
        return Diagnosis(path, True, problem is None, problem, revision, tables)
    finally:
        con.close()


# ---------------------------------------------------------------------------- reading


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def _scan(con: sqlite3.Connection, sql: str, args: tuple, out: dict[int, tuple]) -> None:
    """Rows of `sql` (rowid first) into `out` until the first error."""
    with contextlib.suppress(sqlite3.Error):
        for row in con.execute(sql, args):
            out[row[0]] = row[1:]


def read_rows(con: sqlite3.Connection, table: str, cols: list[str]) -> dict[int, tuple]:
    """Every row of `table` SQLite can still return, by rowid: forwards and backwards up
    to the damage, then each rowid across the gap between on its own."""
    sel = ", ".join(f'"{c}"' for c in cols)
    rows: dict[int, tuple] = {}
    _scan(con, f'SELECT rowid, {sel} FROM "{table}" ORDER BY rowid', (), rows)
    low = max(rows, default=0)
    _scan(con, f'SELECT rowid, {sel} FROM "{table}" ORDER BY rowid DESC', (), rows)
    after = [r for r in rows if r > low]
    if after:
        end = min(after)
    else:
        top = None
        with contextlib.suppress(sqlite3.Error):
            top = con.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0]
        end = (top + 1) if top is not None else low + _PROBE_PAST
    one = f'SELECT rowid, {sel} FROM "{table}" WHERE rowid = ?'
    for rowid in range(low + 1, end):
        _scan(con, one, (rowid,), rows)
    return rows


def _recover_with_cli(damaged: Path, into: Path) -> bool:
    """`sqlite3 damaged .recover | sqlite3 into`; False when the tool is missing, fails
    (some builds lack the page reader it needs and say "SQL logic error"), or recovers
    none of the app's tables."""
    tool = shutil.which("sqlite3")
    if tool is None:
        return False
    try:
        dump = subprocess.run([tool, str(damaged), ".recover"], capture_output=True,
                              timeout=_RECOVER_TIMEOUT_S, check=False)
        if dump.returncode != 0 or b"sql error" in dump.stderr.lower() or not dump.stdout:
            return False
        subprocess.run([tool, str(into)], input=dump.stdout, capture_output=True,
                       timeout=_RECOVER_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("sqlite3 .recover did not run: %s", type(exc).__name__)
        return False
    try:
        con = sqlite3.connect(into)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return "messages" in tables or "writing_samples" in tables


# ---------------------------------------------------------------------------- writing


def _copy_rows(src: sqlite3.Connection, dst: sqlite3.Connection,
               tables: list[str]) -> tuple[dict[str, int], list[str], dict[str, int]]:
    """Rows of `tables` (parents first) from `src` into `dst`'s columns of the same name."""
    saved: dict[str, int] = {}
    skipped: dict[str, int] = {}
    unreadable: list[str] = []
    have = set()
    with contextlib.suppress(sqlite3.Error):
        have = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in tables:
        if table not in have:
            if not have:
                unreadable.append(table)
            continue
        try:
            src_cols = _columns(src, table)
        except sqlite3.Error:
            unreadable.append(table)
            continue
        types = {r[1]: (r[2] or "").upper() for r in dst.execute(f'PRAGMA table_info("{table}")')}
        cols = [c for c in types if c in src_cols]
        if not cols:
            continue
        rows = read_rows(src, table, cols)
        marks = ", ".join("?" * len(cols))
        names = ", ".join(f'"{c}"' for c in cols)
        n = bad = 0
        for rowid in sorted(rows):
            values = list(rows[rowid])
            if table == "writing_samples" and "message_id" in cols:
                i = cols.index("message_id")
                if values[i] is not None and dst.execute(
                        "SELECT 1 FROM messages WHERE id = ?", (values[i],)).fetchone() is None:
                    values[i] = None  # the chat message it came from was lost
            if not all(_sound(v, types[c]) for c, v in zip(cols, values, strict=True)):
                bad += 1  # read from a cut or zeroed page: not what the app wrote
                continue
            try:
                dst.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
                n += 1
            except sqlite3.Error:
                bad += 1  # a row whose parent was lost, or a damaged value
        saved[table] = n
        if bad:
            skipped[table] = bad
    return saved, unreadable, skipped


def _sound(value: object, declared: str) -> bool:
    """Whether a salvaged value is one the app could have written in a column of this type
    (a page read past a cut comes back as zeros: NUL in text, a date cut short)."""
    if value is None or isinstance(value, bytes):
        return True
    if isinstance(value, str):
        if "\x00" in value:
            return False
        if "DATETIME" in declared:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return False
        if declared == "JSON":
            try:
                json.loads(value)
            except ValueError:
                return False
        return True
    if "INT" in declared or "BOOL" in declared:
        return isinstance(value, int)
    return isinstance(value, int | float)


def _app_tables(dst: sqlite3.Connection) -> list[str]:
    """The fresh database's tables, parents before children (from its foreign keys)."""
    names = [r[0] for r in dst.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name")]
    parents = {n: {r[2] for r in dst.execute(f'PRAGMA foreign_key_list("{n}")')} - {n}
               for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle: take the rest as they are
            ready = [n for n in names if n not in ordered]
        ordered.extend(ready)
    return ordered


def damaged_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"assistant.damaged-{stamp}.db"


def repair(data_dir: Path, *, use_cli: bool | None = None) -> RepairResult:
    """Save what can be read from `data_dir`'s database into a fresh one, moving the
    damaged file aside. `use_cli`: True/False forces `.recover` or the row reader;
    None tries `.recover` first."""
    data_dir = Path(data_dir)
    path = data_dir / DB_FILENAME
    if not path.exists():
        raise StoreError(f"There is no database in {data_dir} to repair.")
    stamp_name = damaged_name()
    aside = data_dir / stamp_name
    n = 1
    while aside.exists():
        aside = data_dir / stamp_name.replace(".db", f"-{n}.db")
        n += 1
    work = Path(tempfile.mkdtemp(prefix=".repair-", dir=data_dir))
    try:
        fresh = Database(work)  # the current schema, by the same migrations
        fresh.close()
        source_path, method = path, "rows"
        recovered = work / "recovered.db"
        if use_cli is not False and _recover_with_cli(path, recovered):
            source_path, method = recovered, "sqlite3 .recover"
        elif use_cli:
            raise StoreError("The sqlite3 command is not installed, so .recover cannot run.")
        src = _open_ro(source_path) if source_path == path else sqlite3.connect(source_path)
        # Read the schema even where it points past a cut file (SQLite calls that a
        # malformed schema and refuses every table otherwise); nothing is written.
        with contextlib.suppress(sqlite3.Error):
            src.execute("PRAGMA writable_schema = ON")
        dst = sqlite3.connect(work / DB_FILENAME)
        try:
            dst.execute("PRAGMA foreign_keys = ON")
            saved, unreadable, skipped = _copy_rows(src, dst, _app_tables(dst))
            dst.commit()
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst.execute("PRAGMA journal_mode = DELETE")  # one file to move into place
        finally:
            src.close()
            dst.close()
        # The damaged file and its WAL go aside under one timestamped name; then the
        # fresh file takes its place.
        path.replace(aside)
        for suffix in _SIDE_FILES:
            side = data_dir / (DB_FILENAME + suffix)
            if side.exists():
                side.replace(data_dir / (aside.name + suffix))
        (work / DB_FILENAME).replace(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("repaired the database (%s): saved %s", method, saved)
    return RepairResult(saved, unreadable, skipped, aside, method)


def damaged_copies(data_dir: Path) -> list[Path]:
    """Files `repair` moved aside (they hold the user's text; reset shreds them)."""
    return sorted(Path(data_dir).glob(DAMAGED_GLOB))
