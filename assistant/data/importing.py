"""Import: check every record and reference first, then one write transaction."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from assistant import __version__ as APP_VERSION
from assistant.data.chatgpt import parse_chatgpt
from assistant.data.records import (
    BATCH,
    MAX_CHATGPT_JSON_BYTES,
    SETTINGS,
    BadRecord,
    Progress,
    conversation_fingerprint,
    conversation_row,
    is_secret_setting,
    message_digest,
    message_row,
    sample_key,
    sample_row,
    test_pause,
)
from assistant.data.results import ImportResult
from assistant.data.sections import SectionContext, section_named, sections
from assistant.data.sources import ArchiveSource, CheckedSource, MemorySource, Source
from assistant.errors import UserError
from assistant.settings import setting_allowed
from store import StoreError
from store.archive import (
    ArchiveError,
    ArchiveReader,
    read_manifest,
    verify_checksums,
)
from store.models import Conversation, Message, Setting, WritingSample

log = logging.getLogger(__name__)


# =========================================================================== plan


@dataclass
class _Plan:
    """What the check pass learned; the apply pass relies on it."""

    counts: dict[str, int] = field(default_factory=dict)
    conv_fp: dict[int, bytes] = field(default_factory=dict)
    sample_keys: dict[int, bytes] = field(default_factory=dict)
    min_id: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    section_files: dict[str, dict[str, bytes]] = field(default_factory=dict)


class ImportMixin:
    """`DataService.import_file`: our archives (replace or merge) and ChatGPT exports."""

    def import_file(
        self, src: str | Path, mode: str = "merge", progress: Progress | None = None
    ) -> ImportResult:
        """Import an archive of this app or a ChatGPT export; all or nothing.

        merge: adds what is not already here (conversations and samples are
        matched by content, so importing twice adds nothing the second time);
        local settings win, and a local profile stays. replace: the archive
        becomes the data, everything else is erased.
        """
        if mode not in ("merge", "replace"):
            raise UserError(f"Unknown import mode {mode!r}; use merge or replace.")
        t0 = time.monotonic()
        src = Path(src).expanduser()
        if not src.exists():
            raise UserError(f"File not found: {src}")
        if not src.is_file():
            raise UserError(f"Not a file: {src}")
        try:
            with open(src, "rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            raise UserError(f"Cannot read {src}: {exc.strerror}.") from exc
        try:
            if head[:2] == b"PK":
                with ArchiveReader(src, self.limits) as reader:
                    if "manifest.json" in reader.infos:
                        manifest = read_manifest(reader, APP_VERSION)
                        verify_checksums(reader, manifest, progress)
                        source: Source = ArchiveSource(reader, manifest)
                    elif "conversations.json" in reader.infos:
                        source = self._chatgpt(
                            reader.read_bytes("conversations.json", MAX_CHATGPT_JSON_BYTES),
                            src.name,
                        )
                    else:
                        raise UserError(
                            f"{src.name} is neither an export of this app nor a ChatGPT "
                            "export; nothing was imported."
                        )
                    return self._import(source, mode, progress, t0)
            if src.suffix.lower() == ".zip":
                raise UserError(f"{src.name} is not a zip archive; nothing was imported.")
            if src.stat().st_size > MAX_CHATGPT_JSON_BYTES:
                raise UserError(f"{src.name} is too large to import; nothing was imported.")
            return self._import(self._chatgpt(src.read_bytes(), src.name), mode, progress, t0)
        except ArchiveError as exc:
            raise UserError(str(exc)) from exc
        except BadRecord as exc:
            raise UserError(f"{exc} Nothing was imported.") from exc

    def _chatgpt(self, raw: bytes, name: str) -> MemorySource:
        stripped = raw.lstrip()[:1]
        if stripped not in (b"[", b"{"):
            raise UserError(
                f"{name} is neither a zip archive nor a ChatGPT conversations.json export; "
                "nothing was imported."
            )
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except RecursionError as exc:
            raise UserError(
                f"{name} is nested far deeper than a ChatGPT export ever is, so it is damaged "
                "or not an export; nothing was imported."
            ) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{name} is not valid JSON; nothing was imported.") from exc
        return parse_chatgpt(data, name)

    def _import(
        self, source: Source, mode: str, progress: Progress | None, t0: float
    ) -> ImportResult:
        if source.kind == "chatgpt" and mode == "replace":
            raise UserError(
                "A ChatGPT export can only be merged into your data; drop --replace."
            )
        source = CheckedSource(source)  # the one text rule, for every reader's records
        plan = self._check(source, progress)
        try:
            with self._write() as ctx:
                ctx.mode = mode
                added, skipped = self._apply(ctx, source, plan, progress)
        except BadRecord:
            raise
        except SQLAlchemyError as exc:
            log.warning("import rolled back: %s", type(exc).__name__)
            raise UserError(
                f"{source.name} could not be imported ({type(exc).__name__}); nothing was changed."
            ) from exc
        if mode == "replace":
            # The replaced text must not linger in the WAL (secure_delete already
            # zeroes it in the main file).
            with contextlib.suppress(StoreError):
                from store.erase import checkpoint_truncate

                checkpoint_truncate(self.db.engine)
        log.info("imported %s (%s, %s): added %s, skipped %s",
                 source.kind, mode, source.name if source.kind == "archive" else "-",
                 added, skipped)
        return ImportResult(source.kind, mode, added, skipped, time.monotonic() - t0)

    def _check(self, source: Source, progress: Progress | None) -> _Plan:
        """Parse and check every record and reference before anything is written."""
        plan = _Plan()
        expected = source.expected or {}
        total = sum(v for k, v in expected.items()
                    if k in ("conversations", "messages", "writing_samples") and isinstance(v, int))
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None and done % 1000 == 0:
                progress("reading", done, total)

        heads: dict[int, tuple[str, datetime]] = {}
        for where, obj in source.conversations():
            row = conversation_row(obj, where)
            if row["id"] in heads:
                raise BadRecord(f"{where}: conversation id {row['id']} appears twice.")
            heads[row["id"]] = (row["title"], row["created_at"])
            tick()
        parts: dict[int, list[tuple[int, bytes]]] = {cid: [] for cid in heads}
        msg_ids: set[int] = set()
        for where, obj in source.messages():
            row = message_row(obj, where)
            if row["id"] in msg_ids:
                raise BadRecord(f"{where}: message id {row['id']} appears twice.")
            if row["conversation_id"] not in heads:
                raise BadRecord(
                    f"{where}: conversation {row['conversation_id']} is not in the file.")
            msg_ids.add(row["id"])
            parts[row["conversation_id"]].append((row["id"], message_digest(row)))
            tick()
        for where, obj in source.samples():
            row = sample_row(obj, where)
            if row["id"] in plan.sample_keys:
                raise BadRecord(f"{where}: sample id {row['id']} appears twice.")
            if row["message_id"] is not None and row["message_id"] not in msg_ids:
                raise BadRecord(f"{where}: message {row['message_id']} is not in the file.")
            plan.sample_keys[row["id"]] = sample_key(row)
            tick()
        plan.conv_fp = {
            cid: conversation_fingerprint(t, c, parts[cid]) for cid, (t, c) in heads.items()
        }
        plan.counts = {"conversations": len(heads), "messages": len(msg_ids),
                       "writing_samples": len(plan.sample_keys)}
        plan.min_id = {"conversations": min(heads, default=1), "messages": min(msg_ids, default=1),
                       "writing_samples": min(plan.sample_keys, default=1)}
        settings = source.settings()
        if not isinstance(settings, dict) or not all(
            isinstance(k, str) and 0 < len(k) <= 100 for k in settings
        ):
            raise BadRecord(f"{SETTINGS} must map setting names to values.")
        # A setting out of its range (an archive edited by hand, or a lying one) stays out,
        # as it would be refused by `settings set`; the local value remains.
        plan.settings = {k: v for k, v in settings.items()
                         if not is_secret_setting(k, v) and setting_allowed(k, v)}
        for key in ("conversations", "messages", "writing_samples"):
            want = expected.get(key)
            if isinstance(want, int) and want != plan.counts[key]:
                raise BadRecord(f"The manifest counts {want} {key} but the archive holds "
                           f"{plan.counts[key]}.")
        plan.section_files = source.section_files()
        for name, files in plan.section_files.items():
            try:
                section_named(name).validate(files)
            except ValueError as exc:
                raise BadRecord(str(exc)) from exc
        return plan

    def _apply(
        self, ctx: SectionContext, source: Source, plan: _Plan, progress: Progress | None
    ) -> tuple[dict[str, int], dict[str, int]]:
        conn = ctx.conn
        conv_t, msg_t, smp_t, set_t = (Conversation.__table__, Message.__table__,
                                       WritingSample.__table__, Setting.__table__)
        added = {"conversations": 0, "messages": 0, "writing_samples": 0, "settings": 0}
        skipped = {"conversations": 0, "writing_samples": 0, "settings": 0}
        total = sum(plan.counts.values())
        done = 0

        def insert_batches(table: Any, rows: Iterator[dict[str, Any]], key: str) -> None:
            nonlocal done
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(insert(table), batch)
                    added[key] += len(batch)
                    done += len(batch)
                    batch = []
                    if progress is not None:
                        progress("importing", done, total)
            if batch:
                conn.execute(insert(table), batch)
                added[key] += len(batch)
                done += len(batch)
                if progress is not None:
                    progress("importing", done, total)

        if ctx.mode == "replace":
            for table in (smp_t, msg_t, conv_t, set_t):
                conn.execute(delete(table))
            offsets = {"conversations": 0, "messages": 0, "writing_samples": 0}
            skip_convs: set[int] = set()
            skip_samples: set[int] = set()
        else:
            offsets = {
                key: (conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()
                      - plan.min_id[key] + 1)
                for key, t in (("conversations", conv_t), ("messages", msg_t),
                               ("writing_samples", smp_t))
            }
            offsets = {k: max(v, 0) for k, v in offsets.items()}
            have_fp = self._existing_fingerprints(conn)
            skip_convs = {cid for cid, fp in plan.conv_fp.items() if fp in have_fp}
            have_samples = {
                sample_key(r._mapping)
                for r in conn.execute(select(smp_t.c.text, smp_t.c.prompt, smp_t.c.source,
                                             smp_t.c.created_at))
            }
            skip_samples = {sid for sid, k in plan.sample_keys.items() if k in have_samples}
            skipped["conversations"] = len(skip_convs)
            skipped["writing_samples"] = len(skip_samples)

        def conv_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.conversations():
                row = conversation_row(obj, where)
                if row["id"] in skip_convs:
                    continue
                row["id"] += offsets["conversations"]
                yield row

        kept_msgs: set[int] = set()

        def msg_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.messages():
                row = message_row(obj, where)
                if row["conversation_id"] in skip_convs:
                    continue
                kept_msgs.add(row["id"])
                row["id"] += offsets["messages"]
                row["conversation_id"] += offsets["conversations"]
                yield row

        def sample_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.samples():
                row = sample_row(obj, where)
                if row["id"] in skip_samples:
                    continue
                row["id"] += offsets["writing_samples"]
                mid = row["message_id"]
                row["message_id"] = mid + offsets["messages"] if mid in kept_msgs else None
                yield row

        insert_batches(conv_t, conv_rows(), "conversations")
        insert_batches(msg_t, msg_rows(), "messages")
        test_pause("IMPORT")
        insert_batches(smp_t, sample_rows(), "writing_samples")

        local = set(conn.execute(select(set_t.c.key)).scalars())
        new_settings = [{"key": k, "value": v} for k, v in plan.settings.items() if k not in local]
        skipped["settings"] = len(plan.settings) - len(new_settings)
        if new_settings:
            conn.execute(insert(set_t), new_settings)
        added["settings"] = len(new_settings)

        for section in sections():
            files = plan.section_files.get(section.name, {})
            n = section.apply(ctx, files)
            if n:
                added[section.name] = n
        return added, skipped

    def _existing_fingerprints(self, conn: Connection) -> set[bytes]:
        conv_t, msg_t = Conversation.__table__, Message.__table__
        heads = {r.id: (r.title, r.created_at)
                 for r in conn.execute(select(conv_t.c.id, conv_t.c.title, conv_t.c.created_at))}
        parts: dict[int, list[tuple[int, bytes]]] = {cid: [] for cid in heads}
        q = select(msg_t.c.id, msg_t.c.conversation_id, msg_t.c.role, msg_t.c.content,
                   msg_t.c.created_at)
        for r in conn.execute(q):
            if r.conversation_id in parts:
                parts[r.conversation_id].append((r.id, message_digest(r._mapping)))
        return {conversation_fingerprint(t, c, parts[cid]) for cid, (t, c) in heads.items()}
