"""Zip archives of the user's data: written atomically, read defensively.

An export must never leave a half-written file under the name the user asked
for, so it is written to a hidden temp file next to the target and renamed into
place only when complete (a kill leaves either the old file or none).

An import reads a file that came from anywhere, so nothing in it is trusted
before it has been checked: that it is a zip at all, that no entry name climbs
out of the archive (`../`, absolute paths, drive letters), that the declared
sizes and entry count are capped (zip bombs), that no entry is encrypted, a
link, or stored twice, that the manifest's format and app version are ones this
build understands, and that every file matches its sha256. This module knows
nothing about conversations or profiles; the assistant layer gives the files
their meaning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from store.db import StoreError
from store.partials import PARTIAL_SUFFIX, PartialLedger

FORMAT_NAME = "voice-assistant-export"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20

Progress = Callable[[str, int, int], None]


class ArchiveError(StoreError):
    """An archive that cannot be used; the message says why in one sentence."""


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile archive from filling the disk or memory.

    They are far above what a real user's data needs (a heavy user has a few
    hundred MB of text; a control vector is a few MB) and far below what a
    desktop can afford to inflate.
    """

    max_entries: int = 10_000
    max_entry_bytes: int = 1 << 30  # 1 GiB uncompressed per file
    max_total_bytes: int = 2 << 30  # 2 GiB uncompressed in all
    max_manifest_bytes: int = 1 << 20
    max_name_chars: int = 255
    # One JSONL record: a sample's text and prompt at the app's 1,000,000-character cap,
    # every character escaped as a surrogate pair (12 bytes), still fits.
    max_line_bytes: int = 32 << 20


DEFAULT_LIMITS = Limits()


def parse_version(text: object) -> tuple[int, ...]:
    """'1.2.3' -> (1, 2, 3); a suffix like '1.2.3.dev0' keeps its numeric prefix."""
    if not isinstance(text, str):
        raise ValueError(text)
    m = re.match(r"^(\d+(?:\.\d+)*)", text.strip())
    if not m:
        raise ValueError(text)
    return tuple(int(p) for p in m.group(1).split("."))


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- writing


class _EntryWriter:
    """A file-like sink for one entry that counts bytes and hashes them as they pass."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._raw.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


class ArchiveWriter:
    """Writes a zip to a temp file beside `dest`; `commit(manifest)` renames it into place.

    Used as a context manager: leaving the block without `commit` (an error, a
    cancel) removes the temp file, so a failed export leaves nothing behind. A
    kill leaves it, so `ledger` notes it in the data folder for the next start
    (`store.partials`).
    The temp file is created with mode 0600 (it holds private text).
    """

    def __init__(self, dest: Path, *, compresslevel: int = 6,
                 ledger: PartialLedger | None = None) -> None:
        self.dest = Path(dest)
        self.compresslevel = compresslevel
        self.ledger = ledger
        self._note: Path | None = None
        self.files: dict[str, dict[str, Any]] = {}
        self._tmp: Path | None = None
        self._fh: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        self.committed = False

    def __enter__(self) -> ArchiveWriter:
        folder = self.dest.parent
        if not folder.is_dir():
            raise ArchiveError(f"The folder {folder} does not exist.")
        remove_stale_partials(self.dest)
        try:
            fd, tmp = tempfile.mkstemp(
                dir=folder, prefix=f".{self.dest.name}.", suffix=PARTIAL_SUFFIX
            )
        except OSError as exc:
            raise ArchiveError(f"Cannot write in {folder}: {exc.strerror}.") from exc
        self._tmp = Path(tmp)
        if self.ledger is not None:
            self._note = self.ledger.add(self._tmp)
        self._fh = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(
            self._fh,
            "w",
            compression=zipfile.ZIP_DEFLATED,
            compresslevel=self.compresslevel,
            allowZip64=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self._abort()

    def _abort(self) -> None:
        with contextlib.suppress(Exception):
            if self._zip is not None:
                self._zip.close()
        with contextlib.suppress(Exception):
            if self._fh is not None:
                self._fh.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
        PartialLedger.drop(self._note)

    @contextlib.contextmanager
    def entry(self, name: str) -> Iterator[_EntryWriter]:
        """Stream one file into the archive; its sha256 and size go into the manifest."""
        check_name(name, DEFAULT_LIMITS)
        if name in self.files or name == MANIFEST_NAME:
            raise ArchiveError(f"The archive already holds {name}.")
        assert self._zip is not None, "use ArchiveWriter as a context manager"
        info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o600) << 16
        with self._zip.open(info, "w", force_zip64=True) as raw:
            sink = _EntryWriter(raw)
            yield sink
        self.files[name] = {"sha256": sink.sha256.hexdigest(), "bytes": sink.size}

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.entry(name) as sink:
            sink.write(data)

    def write_jsonl(
        self,
        name: str,
        records: Iterable[dict[str, Any]],
        on_record: Callable[[], None] | None = None,
    ) -> int:
        """One JSON object per line, UTF-8, keys sorted: a stable, diffable layout."""
        n = 0
        with self.entry(name) as sink:
            buf: list[bytes] = []
            size = 0
            for rec in records:
                line = json_line(rec)
                buf.append(line)
                size += len(line)
                n += 1
                if size >= _CHUNK:
                    sink.write(b"".join(buf))
                    buf, size = [], 0
                if on_record is not None:
                    on_record()
            if buf:
                sink.write(b"".join(buf))
        return n

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest (with every file's checksum), fsync, and rename into place."""
        assert self._zip is not None and self._fh is not None and self._tmp is not None
        manifest = dict(manifest, files=self.files)
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        info = zipfile.ZipInfo(MANIFEST_NAME, date_time=datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o600) << 16
        try:
            self._zip.writestr(info, data)
            self._zip.close()
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.dest)
        except OSError as exc:
            self._abort()
            raise ArchiveError(f"Cannot write {self.dest}: {exc.strerror or exc}.") from exc
        self.committed = True
        PartialLedger.drop(self._note)
        _fsync_dir(self.dest.parent)
        return self.dest


def json_line(rec: dict[str, Any]) -> bytes:
    # ensure_ascii=False keeps the file readable; json escapes \n and other
    # control characters, so each record is exactly one b"\n"-terminated line.
    return json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    ) + b"\n"


def remove_stale_partials(dest: Path) -> None:
    """Remove temp files that a killed export to the same target left behind.

    They hold private text; the next export to the same place is the first
    moment we can clean up after a SIGKILL.
    """
    pattern = f".{dest.name}.*{PARTIAL_SUFFIX}"
    for p in dest.parent.glob(pattern):
        with contextlib.suppress(OSError):
            p.unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- reading

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_name(name: str, limits: Limits) -> None:
    """Refuse any entry name that could point outside the archive's own folder tree."""
    bad = (
        not name
        or len(name) > limits.max_name_chars
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or _DRIVE.match(name) is not None
        or any(part in ("", ".", "..") for part in name.rstrip("/").split("/"))
        or any(ord(c) < 32 for c in name)
    )
    if bad:
        raise ArchiveError(
            f"The archive holds an entry with an unsafe path ({name[:80]!r}); nothing was imported."
        )


def _damaged(path: Path, exc: BaseException | None = None) -> ArchiveError:
    why = f" ({exc})" if exc else ""
    return ArchiveError(f"{path.name} is damaged or truncated{why}; nothing was imported.")


class ArchiveReader:
    """A zip whose directory passed the structural checks; entries are read with caps.

    The checks happen in the constructor, before any entry is inflated, and
    use the sizes the zip declares; `zipfile` itself refuses to inflate past a
    declared size (and fails the CRC), so a lying header cannot get around them.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        if not self.path.exists():
            raise ArchiveError(f"File not found: {self.path}")
        if not self.path.is_file():
            raise ArchiveError(f"Not a file: {self.path}")
        with open(self.path, "rb") as fh:
            head = fh.read(4)
        if head[:2] != b"PK":
            raise ArchiveError(f"{self.path.name} is not a zip archive; nothing was imported.")
        try:
            self._zip = zipfile.ZipFile(self.path, "r")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise _damaged(self.path) from exc
        try:
            self._check_directory()
        except BaseException:
            self._zip.close()
            raise
        self.infos: dict[str, zipfile.ZipInfo] = {
            i.filename: i for i in self._zip.infolist() if not i.is_dir()
        }

    def _check_directory(self) -> None:
        infos = self._zip.infolist()
        lim = self.limits
        if len(infos) > lim.max_entries:
            raise ArchiveError(
                f"{self.path.name} holds {len(infos)} entries, more than the {lim.max_entries} "
                "allowed; nothing was imported."
            )
        seen: set[str] = set()
        total = 0
        for info in infos:
            for name in {info.filename, getattr(info, "orig_filename", info.filename)}:
                check_name(name, lim)
            if info.filename in seen:
                raise ArchiveError(
                    f"{self.path.name} holds {info.filename!r} twice; nothing was imported."
                )
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                raise ArchiveError(
                    f"{self.path.name} is encrypted, which is not supported; nothing was imported."
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ArchiveError(
                    f"{self.path.name} uses an unsupported compression method; "
                    "nothing was imported."
                )
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                raise ArchiveError(
                    f"{self.path.name} holds a link ({info.filename}), which is not allowed; "
                    "nothing was imported."
                )
            if info.file_size > lim.max_entry_bytes:
                raise ArchiveError(
                    f"{info.filename} in {self.path.name} would unpack to {info.file_size:,} "
                    f"bytes, over the {lim.max_entry_bytes:,}-byte limit; nothing was imported."
                )
            total += info.file_size
            if total > lim.max_total_bytes:
                raise ArchiveError(
                    f"{self.path.name} would unpack to more than {lim.max_total_bytes:,} bytes; "
                    "nothing was imported."
                )

    # ---- access
    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def size(self, name: str) -> int:
        return self.infos[name].file_size

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """Open one entry; damage found while inflating becomes an ArchiveError."""
        if name not in self.infos:
            raise ArchiveError(f"{self.path.name} has no {name}; nothing was imported.")
        try:
            with self._zip.open(self.infos[name], "r") as fh:
                yield fh
        except ArchiveError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            raise _damaged(self.path, exc) from exc

    def read_bytes(self, name: str, max_bytes: int | None = None) -> bytes:
        cap = self.limits.max_entry_bytes if max_bytes is None else max_bytes
        if self.size(name) > cap:
            raise ArchiveError(
                f"{name} in {self.path.name} is larger than {cap:,} bytes; nothing was imported."
            )
        with self.open(name) as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise ArchiveError(f"{name} in {self.path.name} is larger than allowed.")
        return data

    def iter_lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) of a JSONL entry, split on b'\\n' only.

        Splitting bytes (not str.splitlines) matters: U+2028 and friends are
        line breaks to Python's str methods but ordinary characters in JSON.
        """
        cap = self.limits.max_line_bytes
        with self.open(name) as fh:
            n = 0
            while True:
                # readline with a limit: a 600 MB line is refused after 32 MiB, not held whole.
                line = fh.readline(cap + 1)
                if not line:
                    return
                n += 1
                if len(line) > cap and not line.endswith(b"\n"):
                    raise ArchiveError(
                        f"{name} line {n} in {self.path.name} is longer than {cap:,} bytes, "
                        "more than any record the app writes; nothing was imported.")
                if line.strip():
                    yield n, line

    def sha256(self, name: str, on_bytes: Callable[[int], None] | None = None) -> str:
        h = hashlib.sha256()
        with self.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
        return h.hexdigest()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_manifest(reader: ArchiveReader, app_version: str) -> dict[str, Any]:
    """Parse and check the manifest: format, versions, and that it lists exactly the entries."""
    name = reader.path.name
    if MANIFEST_NAME not in reader.infos:
        raise ArchiveError(
            f"{name} has no {MANIFEST_NAME}, so it is not an export of this app; "
            "nothing was imported."
        )
    raw = reader.read_bytes(MANIFEST_NAME, reader.limits.max_manifest_bytes)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise ArchiveError(
            f"The manifest of {name} is nested far too deep, so the archive is damaged; "
            "nothing was imported."
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(
            f"The manifest of {name} is not valid JSON; nothing was imported."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveError(f"{name} is not an export of this app; nothing was imported.")
    fv = manifest.get("format_version")
    if not isinstance(fv, int) or isinstance(fv, bool) or fv < 1:
        raise ArchiveError(
            f"{name} has an unknown format version ({fv!r}); nothing was imported."
        )
    if fv > FORMAT_VERSION:
        raise ArchiveError(
            f"{name} uses format version {fv}, newer than this app reads ({FORMAT_VERSION}); "
            "update the app to import it."
        )
    try:
        theirs = parse_version(manifest.get("app_version"))
    except ValueError as exc:
        raise ArchiveError(
            f"{name} names an unknown app version ({manifest.get('app_version')!r}); "
            "nothing was imported."
        ) from exc
    if theirs > parse_version(app_version):
        raise ArchiveError(
            f"{name} was made by version {manifest['app_version']} of the app, newer than this "
            f"one ({app_version}); update the app to import it."
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise ArchiveError(f"The manifest of {name} has no file list; nothing was imported.")
    listed = set(files)
    present = set(reader.infos) - {MANIFEST_NAME}
    if listed - present:
        missing = sorted(listed - present)[0]
        raise ArchiveError(f"{name} is missing {missing}; nothing was imported.")
    if present - listed:
        extra = sorted(present - listed)[0]
        raise ArchiveError(
            f"{name} holds {extra}, which its manifest does not list; nothing was imported."
        )
    for fname, meta in files.items():
        ok = (
            isinstance(meta, dict)
            and isinstance(meta.get("sha256"), str)
            and re.fullmatch(r"[0-9a-f]{64}", meta["sha256"]) is not None
            and isinstance(meta.get("bytes"), int)
        )
        if not ok:
            raise ArchiveError(
                f"The manifest of {name} has a bad entry for {fname}; nothing was imported."
            )
        if meta["bytes"] != reader.size(fname):
            raise ArchiveError(
                f"{fname} in {name} does not have the size its manifest says; "
                "nothing was imported."
            )
    return manifest


def verify_checksums(
    reader: ArchiveReader, manifest: dict[str, Any], progress: Progress | None = None
) -> None:
    """Inflate every listed file once and compare its sha256 with the manifest's."""
    files: dict[str, dict[str, Any]] = manifest["files"]
    total = sum(m["bytes"] for m in files.values())
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("checking", done, total)

    for fname, meta in sorted(files.items()):
        if reader.sha256(fname, tick) != meta["sha256"]:
            raise ArchiveError(
                f"{fname} in {reader.path.name} does not match its checksum "
                "(the archive was altered or damaged); nothing was imported."
            )


# --------------------------------------------------------------------------- control vectors
#
