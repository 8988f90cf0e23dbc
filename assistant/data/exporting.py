"""Export: everything but secrets, to one zip, atomically."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from assistant import __version__ as APP_VERSION
from assistant.data.records import (
    APP_NAME,
    CONVERSATIONS,
    MESSAGES,
    SAMPLES,
    SETTINGS,
    Progress,
    conversation_record,
    is_secret_setting,
    message_record,
    sample_record,
    test_pause,
)
from assistant.data.results import ExportResult
from assistant.data.sections import SectionContext, sections
from assistant.errors import UserError
from assistant.secrets import get_api_key
from store import StoreError
from store.archive import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ArchiveWriter,
    utc_now_iso,
)
from store.db import explain_operational_error
from store.models import Conversation, Message, Setting, WritingSample

log = logging.getLogger(__name__)


class ExportMixin:
    """`DataService.export` (the service holds the database and the transactions)."""

    def export(self, dest: str | Path, progress: Progress | None = None) -> ExportResult:
        """Write everything (except secrets) to one zip, atomically."""
        t0 = time.monotonic()
        dest = Path(dest).expanduser().absolute()
        if dest.is_dir():
            raise UserError(f"{dest} is a folder; give a file name such as backup.zip.")
        if dest.exists() and not dest.is_file():
            # A device, pipe or socket: renaming the archive over it would replace it.
            raise UserError(f"{dest} is not a regular file; give a file name such as backup.zip.")
        if dest.resolve().is_relative_to(self.home.resolve()):
            # A reset must be able to promise that no file in the data folder keeps text.
            raise UserError("Save the export outside the data folder, for example in Documents.")
        try:
            api_key = get_api_key()
        except Exception:  # a keyring failure must not block an export; the filter still runs
            api_key = None
        counts: dict[str, int] = {}
        try:
            with self._snapshot() as conn, ArchiveWriter(dest, ledger=self.partials) as w:
                n_c, n_m, n_s = (
                    conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (Conversation.__table__, Message.__table__, WritingSample.__table__)
                )
                total, done = n_c + n_m + n_s, 0

                def tick() -> None:
                    nonlocal done
                    done += 1
                    if progress is not None and (done % 1000 == 0 or done == total):
                        progress("exporting", done, total)

                conv_t, msg_t, smp_t = (Conversation.__table__, Message.__table__,
                                        WritingSample.__table__)
                counts["conversations"] = w.write_jsonl(CONVERSATIONS, (
                    conversation_record(r)
                    for r in conn.execute(select(conv_t).order_by(conv_t.c.id))), tick)
                counts["messages"] = w.write_jsonl(MESSAGES, (
                    message_record(r) for r in conn.execute(
                        select(msg_t).order_by(msg_t.c.conversation_id, msg_t.c.id))), tick)
                test_pause("EXPORT")
                counts["writing_samples"] = w.write_jsonl(SAMPLES, (
                    sample_record(r)
                    for r in conn.execute(select(smp_t).order_by(smp_t.c.id))), tick)
                settings = {
                    row.key: row.value
                    for row in conn.execute(select(Setting.__table__).order_by(Setting.key))
                    if not is_secret_setting(row.key, row.value, api_key)
                }
                w.write_bytes(SETTINGS, json.dumps(settings, ensure_ascii=False, indent=2,
                                                   sort_keys=True).encode())
                counts["settings"] = len(settings)
                present: list[str] = []
                ctx = SectionContext(self.home, conn)
                for section in sections():
                    n = 0
                    for rel, data in section.export(ctx):
                        w.write_bytes(f"{section.name}/{rel}", data)
                        n += 1
                    if n:
                        present.append(section.name)
                        counts[f"{section.name}_files"] = n
                w.commit({
                    "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "app": APP_NAME,
                    "app_version": APP_VERSION, "created": utc_now_iso(), "counts": counts,
                    "sections": present,
                })  # fmt: skip
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        except OperationalError as exc:
            raise UserError(str(explain_operational_error(exc.orig or exc, self.db.path))) from exc
        except OSError as exc:
            raise UserError(f"Cannot write {dest}: {exc.strerror or exc}.") from exc
        size = dest.stat().st_size
        log.info("exported %s (%d bytes, %s)", dest.name, size, counts)
        return ExportResult(dest, counts, size, time.monotonic() - t0)
