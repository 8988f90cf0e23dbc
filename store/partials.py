"""Where unfinished exports are, so a killed one never leaves the user's data behind.

An export writes to a hidden `.NAME.zip.XXXX.partial` file beside its target
and renames it into place at the end. A SIGKILL or a power cut between the two
leaves that file (all of the user's text, mode 0600) in a folder the app does
not own, such as Documents. The export's target folder is known only while it
runs, so each running export leaves a small note in the data folder (one JSON
file per export: the temp path and the writer's process id); the next start of
the app and every reset read the notes and remove what dead writers left.

One note per export (not one shared list) keeps concurrent processes from
overwriting each other's notes without a lock. A note whose writer is still
alive is left alone: another window may be exporting right now.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"
NOTE_SUFFIX = ".json"


def is_partial_name(path: Path) -> bool:
    """Only files named as an export's temp file are ever removed from a foreign folder."""
    return path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


class PartialLedger:
    """Notes, in the data folder, of the temp files that running exports write."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def add(self, tmp: Path) -> Path | None:
        """Record `tmp` before it holds any data; returns the note to drop when done."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            note = self.folder / f"{os.getpid()}-{secrets.token_hex(4)}{NOTE_SUFFIX}"
            note.write_text(json.dumps({"path": str(tmp), "pid": os.getpid()}), "utf-8")
        except OSError as exc:  # the export still cleans up after itself unless killed
            log.warning("cannot note an export in progress: %s", exc.strerror)
            return None
        return note

    @staticmethod
    def drop(note: Path | None) -> None:
        if note is not None:
            with contextlib.suppress(OSError):
                note.unlink()

    def sweep(self) -> int:
        """Remove the temp files of exports whose process is gone; returns how many."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for note in sorted(self.folder.glob(f"*{NOTE_SUFFIX}")):
            try:
                data = json.loads(note.read_text("utf-8"))
                tmp, pid = Path(data["path"]), int(data["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                self.drop(note)  # a note cut short by the same crash: nothing to follow
                continue
            if _alive(pid):
                continue
            if is_partial_name(tmp) and (tmp.is_file() or tmp.is_symlink()):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed += 1
                    log.info("removed an unfinished export left by process %d", pid)
            self.drop(note)
        return removed
