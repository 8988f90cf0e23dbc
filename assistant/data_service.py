"""Export, import and reset: the user owns their data.

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

Parts of the data that other features own (the profile first) plug in as an
`ArchiveSection`: a folder in the archive plus export, validate, apply and
erase hooks, registered with `register_section`. Until the profile service
registers its own, `ProfileSection` carries the `profiles` table.

Import validates everything (structure, caps, checksums, every record, every
reference) before it opens one write transaction; any failure rolls back, so a
bad archive changes nothing. Reset deletes with secure_delete on, then
checkpoints and truncates the WAL and VACUUMs, so no deleted text stays
readable in any file of the data folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from assistant import __version__ as APP_VERSION
from assistant.errors import UserError
from assistant.history import MAX_SAMPLE_CHARS
from assistant.paths import cache_dir, export_notes_dir, logs_dir
from assistant.secrets import delete_api_key, get_api_key
from assistant.settings import setting_allowed
from engine.errors import EngineError
from store import Database, StoreError
from store.archive import (
    DEFAULT_LIMITS,
    FORMAT_NAME,
    FORMAT_VERSION,
    ArchiveError,
    ArchiveReader,
    ArchiveWriter,
    Limits,
    read_manifest,
    utc_now_iso,
    verify_checksums,
)
from store.db import explain_operational_error
from store.erase import scrub_database, shred_file, shred_tree, truncate_in_place
from store.models import Base, Conversation, Message, Profile, Setting, WritingSample
from store.partials import PartialLedger

log = logging.getLogger(__name__)

APP_NAME = "voice-assistant"
CONVERSATIONS = "conversations.jsonl"
MESSAGES = "messages.jsonl"
SAMPLES = "writing_samples.jsonl"
SETTINGS = "settings.json"
CORE_FILES = (CONVERSATIONS, MESSAGES, SAMPLES, SETTINGS)

ROLES = ("user", "assistant", "system")
STATUSES = ("complete", "partial")
SAMPLE_SOURCES = ("chat", "draft", "file")
MAX_ID = 2**53  # JSON-safe everywhere, and far from SQLite's 2**63 when merging shifts ids
MAX_CHATGPT_JSON_BYTES = 512 << 20
BATCH = 500

# Progress callback for the GUI: (phase, done, total). Phases: "checking",
# "reading", "importing", "exporting", "erasing". `total` may be 0 when unknown.
Progress = Callable[[str, int, int], None]

_SECRET_WORDS = {
    "key", "apikey", "secret", "password", "passwd", "token", "credential", "credentials",
    "auth", "bearer", "cookie",
}  # fmt: skip


# =========================================================================== results


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int]
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "counts": self.counts, "bytes": self.bytes,
                "seconds": round(self.seconds, 3)}


@dataclass
class ImportResult:
    source: str  # archive | chatgpt
    mode: str  # merge | replace
    added: dict[str, int]
    skipped: dict[str, int]  # duplicates already present (merge)
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "mode": self.mode, "added": self.added,
                "skipped": self.skipped, "seconds": round(self.seconds, 3)}


@dataclass
class ResetResult:
    scope: str  # profile | all
    files_removed: int
    api_key_removed: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "files_removed": self.files_removed,
                "api_key_removed": self.api_key_removed, "seconds": round(self.seconds, 3)}


# =========================================================================== sections


@dataclass
class SectionContext:
    """What a section's hooks get.

    `conn` is a SQLAlchemy Connection inside the one transaction of the
    operation (a read snapshot for export, the write transaction for import and
    reset): use Core statements on it, or `Session(bind=conn)` and flush; never
    commit it. File changes must wait until the transaction has committed, so
    queue them on `after_commit` (they run in order, only on success).
    """

    home: Path
    conn: Connection
    mode: str = "replace"  # import: merge | replace
    after_commit: list[Callable[[], None]] = field(default_factory=list)


class ArchiveSection(Protocol):
    """A part of the user's data that export, import and reset must carry.

    name:       its folder in the archive; its files are "<name>/<relative path>"
    erased_by:  the reset scopes that erase it ("profile", "all")
    export:     yields (relative path, bytes) of its files
    validate:   raises ValueError with one sentence if the files cannot be applied
    apply:      brings the files in (files is empty when the archive has none; with
                mode "replace" that means: leave nothing of the old data); returns
                how many items it added
    erase:      removes all of its data (tables in ctx.conn, files via after_commit)
    """

    name: str
    erased_by: frozenset[str]

    def export(self, ctx: SectionContext) -> Iterator[tuple[str, bytes]]: ...

    def validate(self, files: Mapping[str, bytes]) -> None: ...

    def apply(self, ctx: SectionContext, files: Mapping[str, bytes]) -> int: ...

    def erase(self, ctx: SectionContext) -> None: ...


_sections: dict[str, ArchiveSection] = {}


def register_section(section: ArchiveSection) -> None:
    """Add a section, or replace the one of the same name (the profile service replaces
    the default `ProfileSection` with its own)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", section.name) or section.name + ".jsonl" in CORE_FILES:
        raise ValueError(f"bad section name {section.name!r}")
    _sections[section.name] = section


def sections() -> list[ArchiveSection]:
    return list(_sections.values())


# Tables of the personal profile: the built profiles and two caches derived from
# the history (generic responses, per-item effects). All are erased with the profile.
PROFILE_TABLES = ("profiles", "generic_responses", "profile_item_cache")
_METHOD = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def _vector_file(row: Any) -> bytes:
    """A stored profile's vector as the llama.cpp control-vector file the archive carries."""
    from engine.steering.vectors import SteeringVector

    sv = SteeringVector.from_rows(row.vectors, row.n_layer, row.n_embd,
                                  architecture=(row.meta or {}).get("architecture", ""),
                                  fingerprint=row.model_fingerprint, model_name=row.model_name)
    return sv.to_gguf_bytes()


def _vector_rows(data: bytes, n_layer: int, n_embd: int) -> bytes:
    """An archive's control-vector file back in the stored layout, checked against the
    profile's shape. Archives of 0.1 wrote every row, the always-zero last one too."""
    from engine.steering.vectors import SteeringVector

    sv = SteeringVector.from_gguf_bytes(data)
    if sv.n_embd != n_embd:
        raise ValueError(f"its width is {sv.n_embd}, the profile's {n_embd}")
    beyond = [L for L in sv.directions if n_layer <= L]
    if any(np.any(sv.directions[L]) for L in beyond):
        raise ValueError(f"it steers a layer beyond the model's {n_layer}")
    for L in beyond:
        del sv.directions[L]
    sv.n_layer = n_layer
    return sv.rows(n_layer)


def _profile_record(row: Any, vectors: str) -> dict[str, Any]:
    return {
        "id": row.id, "method": row.method, "model_name": row.model_name,
        "model_fingerprint": row.model_fingerprint, "n_layer": row.n_layer,
        "n_embd": row.n_embd, "layer": row.layer, "alpha": row.alpha,
        "description": row.description, "description_edited": bool(row.description_edited),
        "preference_tokens": row.preference_tokens, "n_samples": row.n_samples,
        "item_hashes": row.item_hashes, "active": bool(row.active),
        "built_at": _iso(row.built_at), "meta": row.meta or {}, "vectors": vectors,
    }  # fmt: skip


def _profile_row(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _Bad(f"{where} is not a JSON object.")
    alpha = obj.get("alpha")
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not math.isfinite(alpha):
        raise _Bad(f"{where}: alpha must be a number.")
    for key in ("description_edited", "active"):
        if not isinstance(obj.get(key, False), bool):
            raise _Bad(f"{where}: {key} must be true or false.")
    for key in ("preference_tokens", "item_hashes"):
        if not isinstance(obj.get(key, []), list):
            raise _Bad(f"{where}: {key} must be a list.")
    if not isinstance(obj.get("meta", {}), dict):
        raise _Bad(f"{where}: meta must be a JSON object.")
    method = _get_str(obj, "method", where)
    if not method:
        raise _Bad(f"{where}: method is empty.")
    return {
        "id": _get_int(obj, "id", where, lo=1), "method": method,
        "model_name": _get_str(obj, "model_name", where),
        "model_fingerprint": _get_str(obj, "model_fingerprint", where),
        "n_layer": _get_int(obj, "n_layer", where, lo=1),
        "n_embd": _get_int(obj, "n_embd", where, lo=1),
        "layer": _get_int(obj, "layer", where), "alpha": float(alpha),
        "description": _get_str(obj, "description", where),
        "description_edited": obj.get("description_edited", False),
        "preference_tokens": obj.get("preference_tokens", []),
        "n_samples": _get_int(obj, "n_samples", where),
        "item_hashes": obj.get("item_hashes", []), "active": obj.get("active", False),
        "built_at": _parse_dt(obj.get("built_at"), where, "built_at"),
        "meta": obj.get("meta", {}),
        "vectors": _get_str(obj, "vectors", where, max_len=100),
    }  # fmt: skip


class ProfileSection:
    """The built profiles: `profile/profile.json` (settings and description of each
    method's profile) and `profile/vectors/<method>.gguf` (its llama.cpp control vector).

    `engine.steering.vectors.SteeringVector` owns both layouts: the stored rows
    (`Profile.vectors`) and the control-vector file, written and read with the `gguf`
    package; import turns the file back into the same rows byte for byte. The caches (generic responses, per-item effects) are derived
    from the history and the model, so they are rebuilt rather than exported.
    """

    name = "profile"
    erased_by = frozenset({"profile", "all"})

    def export(self, ctx: SectionContext) -> Iterator[tuple[str, bytes]]:
        table = Profile.__table__
        records: list[dict[str, Any]] = []
        vectors: list[tuple[str, bytes]] = []
        for row in ctx.conn.execute(select(table).order_by(table.c.id)):
            fname = f"vectors/{row.method}.gguf" if _METHOD.fullmatch(row.method) else (
                f"vectors/profile-{row.id}.gguf")
            try:
                gguf = _vector_file(row)
            except (ValueError, EngineError) as exc:
                raise UserError(
                    f"The stored {row.method} profile is damaged ({exc}); rebuild it or reset "
                    "the profile, then export again."
                ) from exc
            records.append(_profile_record(row, fname))
            vectors.append((fname, gguf))
        if not records:
            return
        yield "profile.json", json.dumps({"profiles": records}, ensure_ascii=False, indent=2,
                                         sort_keys=True).encode()
        yield from vectors

    def _parse(self, files: Mapping[str, bytes]) -> list[dict[str, Any]]:
        if "profile.json" not in files:
            raise ValueError("The archive's profile folder has no profile.json.")
        try:
            doc = json.loads(files["profile.json"].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ValueError("profile/profile.json is not valid JSON.") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("profiles"), list):
            raise ValueError("profile/profile.json has no list of profiles.")
        rows: list[dict[str, Any]] = []
        for i, obj in enumerate(doc["profiles"]):
            row = _profile_row(obj, f"profile/profile.json profile {i + 1}")
            if row["vectors"] not in files:
                raise ValueError(f"profile/{row['vectors']} is missing.")
            try:
                row["vectors"] = _vector_rows(files[row["vectors"]], row["n_layer"],
                                              row["n_embd"])
            except (ValueError, EngineError) as exc:
                log.info("profile vector refused: %s", exc)
                raise ValueError(f"profile/{row['vectors']} is not a GGUF control vector "
                                 f"for this profile ({exc}).") from exc
            rows.append(row)
        methods = [r["method"] for r in rows]
        if len(set(methods)) != len(methods):
            raise ValueError("profile/profile.json holds the same method twice.")
        if sum(r["active"] for r in rows) > 1:
            raise ValueError("profile/profile.json marks more than one profile active.")
        referenced = {o.get("vectors") for o in doc["profiles"] if isinstance(o, dict)}
        for rel in files:
            if rel != "profile.json" and rel not in referenced:
                raise ValueError(f"profile/{rel} is not part of a profile.")
        return rows

    def validate(self, files: Mapping[str, bytes]) -> None:
        self._parse(files)

    def apply(self, ctx: SectionContext, files: Mapping[str, bytes]) -> int:
        rows = self._parse(files) if files else []
        table = Profile.__table__
        if ctx.mode == "replace":
            self.erase(ctx)
        else:
            local = {r.method: r.active for r in ctx.conn.execute(
                select(table.c.method, table.c.active))}
            rows = [r for r in rows if r["method"] not in local]  # a local profile stays
            if any(local.values()):
                for r in rows:
                    r["active"] = False
            top = ctx.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            shift = max(top - min((r["id"] for r in rows), default=1) + 1, 0)
            for r in rows:
                r["id"] += shift
        if rows:
            ctx.conn.execute(insert(table), rows)
        return len(rows)

    def erase(self, ctx: SectionContext) -> None:
        for name in PROFILE_TABLES:
            table = Base.metadata.tables.get(name)
            if table is not None:
                ctx.conn.execute(delete(table))


register_section(ProfileSection())


# =========================================================================== records


class _Bad(ValueError):
    """A record that does not fit the schema; the message names the file and line."""


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _parse_dt(value: object, where: str, key: str) -> datetime:
    if not isinstance(value, str):
        raise _Bad(f"{where}: {key} must be a date and time.")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Bad(f"{where}: {key} is not a valid date and time.") from exc
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _get_int(obj: dict, key: str, where: str, *, lo: int = 0, nullable: bool = False) -> int | None:
    v = obj.get(key)
    if v is None and nullable:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= MAX_ID:
        raise _Bad(f"{where}: {key} must be a whole number from {lo} to {MAX_ID}.")
    return v


def _get_str(obj: dict, key: str, where: str, *, nullable: bool = False,
             choices: tuple[str, ...] | None = None, max_len: int | None = None) -> str | None:
    v = obj.get(key)
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        raise _Bad(f"{where}: {key} must be text.")
    if choices is not None and v not in choices:
        raise _Bad(f"{where}: {key} must be one of {', '.join(choices)}.")
    if max_len is not None and len(v) > max_len:
        raise _Bad(f"{where}: {key} is longer than {max_len:,} characters.")
    return v


# Text columns are capped at what the app itself lets in (MAX_SAMPLE_CHARS for one
# message or sample), so an archive cannot smuggle in what `history add` refuses.
def _conversation_row(obj: dict, where: str) -> dict[str, Any]:
    cloud = obj.get("cloud_enabled", False)
    if not isinstance(cloud, bool):
        raise _Bad(f"{where}: cloud_enabled must be true or false.")
    return {
        "id": _get_int(obj, "id", where, lo=1),
        "title": _get_str(obj, "title", where),
        "created_at": _parse_dt(obj.get("created_at"), where, "created_at"),
        "updated_at": _parse_dt(obj.get("updated_at"), where, "updated_at"),
        "cloud_enabled": cloud,
    }


def _message_row(obj: dict, where: str) -> dict[str, Any]:
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _Bad(f"{where}: meta must be a JSON object.")
    return {
        "id": _get_int(obj, "id", where, lo=1),
        "conversation_id": _get_int(obj, "conversation_id", where, lo=1),
        "role": _get_str(obj, "role", where, choices=ROLES),
        "content": _get_str(obj, "content", where, max_len=MAX_SAMPLE_CHARS),
        "status": _get_str(obj, "status", where, choices=STATUSES),
        "model": _get_str(obj, "model", where, nullable=True),
        "tokens": _get_int(obj, "tokens", where),
        "created_at": _parse_dt(obj.get("created_at"), where, "created_at"),
        "meta": meta,
    }


def _sample_row(obj: dict, where: str) -> dict[str, Any]:
    return {
        "id": _get_int(obj, "id", where, lo=1),
        "text": _get_str(obj, "text", where, max_len=MAX_SAMPLE_CHARS),
        "prompt": _get_str(obj, "prompt", where, max_len=MAX_SAMPLE_CHARS),
        "source": _get_str(obj, "source", where, choices=SAMPLE_SOURCES),
        "source_ref": _get_str(obj, "source_ref", where, nullable=True),
        "message_id": _get_int(obj, "message_id", where, lo=1, nullable=True),
        "created_at": _parse_dt(obj.get("created_at"), where, "created_at"),
        "updated_at": _parse_dt(obj.get("updated_at"), where, "updated_at"),
    }


def _conversation_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "created_at": _iso(row.created_at),
            "updated_at": _iso(row.updated_at), "cloud_enabled": bool(row.cloud_enabled)}


def _message_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "conversation_id": row.conversation_id, "role": row.role,
            "content": row.content, "status": row.status, "model": row.model,
            "tokens": row.tokens, "created_at": _iso(row.created_at), "meta": row.meta or {}}


def _sample_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "text": row.text, "prompt": row.prompt, "source": row.source,
            "source_ref": row.source_ref, "message_id": row.message_id,
            "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at)}


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).digest()


def _message_digest(row: Mapping[str, Any]) -> bytes:
    return _digest(row["role"], row["content"], _iso(row["created_at"]))


def _conversation_fingerprint(
    title: str, created: datetime, msgs: list[tuple[int, bytes]]
) -> bytes:
    """Identity of a conversation by content, used to skip duplicates when merging."""
    h = hashlib.sha256(_digest(title, _iso(created)))
    for _id, d in sorted(msgs):
        h.update(d)
    return h.digest()


def _sample_key(row: Mapping[str, Any]) -> bytes:
    return _digest(row["text"], row["prompt"], row["source"], _iso(row["created_at"]))


def is_secret_setting(key: str, value: Any, api_key: str | None = None) -> bool:
    """Settings never should hold a secret; this is the second line of defence for exports."""
    words = set(re.split(r"[^a-z0-9]+", key.lower()))
    if words & _SECRET_WORDS:
        return True
    return bool(api_key) and api_key in json.dumps(value, ensure_ascii=False)


# =========================================================================== sources


class _Source(Protocol):
    kind: str
    name: str
    expected: dict[str, int] | None

    def conversations(self) -> Iterator[tuple[str, Any]]: ...
    def messages(self) -> Iterator[tuple[str, Any]]: ...
    def samples(self) -> Iterator[tuple[str, Any]]: ...
    def settings(self) -> Any: ...
    def section_files(self) -> dict[str, dict[str, bytes]]: ...


class _ArchiveSource:
    """Our own archive, read record by record straight from the zip (twice: check, apply)."""

    kind = "archive"

    def __init__(self, reader: ArchiveReader, manifest: dict[str, Any]) -> None:
        self.reader = reader
        self.manifest = manifest
        self.name = reader.path.name
        counts = manifest.get("counts")
        self.expected = counts if isinstance(counts, dict) else None
        known = set(CORE_FILES)
        for fname in reader.names:
            if fname == "manifest.json" or fname in known:
                continue
            top = fname.split("/", 1)[0]
            if "/" not in fname or top not in _sections:
                raise UserError(
                    f"{self.name} holds an unexpected file ({fname}); nothing was imported."
                )
        for fname in CORE_FILES:
            if fname not in reader.infos:
                raise UserError(f"{self.name} is missing {fname}; nothing was imported.")

    def _lines(self, fname: str) -> Iterator[tuple[str, Any]]:
        for n, line in self.reader.iter_lines(fname):
            where = f"{fname} line {n}"
            try:
                obj = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise _Bad(f"{where} is not valid JSON.") from exc
            if not isinstance(obj, dict):
                raise _Bad(f"{where} is not a JSON object.")
            yield where, obj

    def conversations(self) -> Iterator[tuple[str, Any]]:
        return self._lines(CONVERSATIONS)

    def messages(self) -> Iterator[tuple[str, Any]]:
        return self._lines(MESSAGES)

    def samples(self) -> Iterator[tuple[str, Any]]:
        return self._lines(SAMPLES)

    def settings(self) -> Any:
        try:
            return json.loads(self.reader.read_bytes(SETTINGS).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise _Bad(f"{SETTINGS} is not valid JSON.") from exc

    def section_files(self) -> dict[str, dict[str, bytes]]:
        out: dict[str, dict[str, bytes]] = {}
        for fname in self.reader.names:
            top, _, rel = fname.partition("/")
            if rel and top in _sections:
                out.setdefault(top, {})[rel] = self.reader.read_bytes(fname)
        return out


class _MemorySource:
    """Records already in memory (a parsed ChatGPT export), in our archive's schema."""

    kind = "chatgpt"
    expected = None

    def __init__(self, name: str, convs: list, msgs: list, samples: list) -> None:
        self.name = name
        self._c, self._m, self._s = convs, msgs, samples

    def conversations(self) -> Iterator[tuple[str, Any]]:
        return ((f"{self.name} conversation {i + 1}", r) for i, r in enumerate(self._c))

    def messages(self) -> Iterator[tuple[str, Any]]:
        return ((f"{self.name} message {i + 1}", r) for i, r in enumerate(self._m))

    def samples(self) -> Iterator[tuple[str, Any]]:
        return ((f"{self.name} sample {i + 1}", r) for i, r in enumerate(self._s))

    def settings(self) -> Any:
        return {}

    def section_files(self) -> dict[str, dict[str, bytes]]:
        return {}


# ---- ChatGPT


def _epoch(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e11:
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
    return None


def _chatgpt_text(content: object) -> str:
    if not isinstance(content, dict):
        return ""
    ctype = content.get("content_type", "text")
    if ctype not in ("text", "multimodal_text", "code"):
        return ""  # tool output, browsing quotes, custom instructions: not the user's chat
    parts = content.get("parts")
    if isinstance(parts, list):
        return "\n".join(p for p in parts if isinstance(p, str))
    text = content.get("text")
    return text if isinstance(text, str) else ""


def _chatgpt_branch(mapping: dict, current: object) -> list[dict]:
    """The messages of the branch the user last saw: from current_node up to the root."""
    chain: list[dict] = []
    seen: set[str] = set()
    node_id = current if isinstance(current, str) and current in mapping else None
    if node_id is None:  # no current node: follow the last child from the root
        roots = [k for k, v in mapping.items() if isinstance(v, dict) and not v.get("parent")]
        node_id = roots[0] if roots else None
        while node_id is not None and node_id not in seen:
            seen.add(node_id)
            node = mapping.get(node_id)
            if not isinstance(node, dict):
                break
            chain.append(node)
            children = node.get("children")
            kids = [k for k in children if isinstance(k, str) and k in mapping] if isinstance(
                children, list) else []
            node_id = kids[-1] if kids else None
        return chain
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        chain.append(node)
        node_id = node.get("parent")
    chain.reverse()
    return chain


def _chatgpt_malformed(node: dict) -> bool:
    """A node whose fields have types ChatGPT never writes (a role of 5, parts [1, null])."""
    children = node.get("children")
    if children is not None and not isinstance(children, list):
        return True
    m = node.get("message")
    if m is None:
        return False
    if not isinstance(m, dict):
        return True
    author = m.get("author")
    if not isinstance(author, dict) or not isinstance(author.get("role"), str):
        return True
    content = m.get("content")
    if content is None:
        return False
    if not isinstance(content, dict):
        return True
    parts = content.get("parts")
    return parts is not None and (
        not isinstance(parts, list) or not all(isinstance(p, str | dict) for p in parts)
    )


def parse_chatgpt(data: Any, name: str) -> _MemorySource:
    """Turn a ChatGPT `conversations.json` into our records.

    Only the visible user and assistant turns of the current branch come in;
    the user's own messages also become writing samples (answering the
    previous assistant turn, as in our own chats).
    """
    bad = UserError(f"{name} is not a ChatGPT conversations.json export; nothing was imported.")
    if not isinstance(data, list) or not all(
        isinstance(c, dict) and isinstance(c.get("mapping"), dict) for c in data
    ):
        raise bad
    convs: list[dict] = []
    msgs: list[dict] = []
    samples: list[dict] = []
    now = datetime.now(UTC).replace(tzinfo=None)
    malformed = sum(
        1 for conv in data for node in conv["mapping"].values()
        if not isinstance(node, dict) or _chatgpt_malformed(node)
    )
    for conv in data:
        created = _epoch(conv.get("create_time")) or now
        updated = _epoch(conv.get("update_time")) or created
        title = conv.get("title")
        title = " ".join(title.split())[:200] if isinstance(title, str) else ""
        cid = len(convs) + 1
        turns: list[dict] = []
        for node in _chatgpt_branch(conv["mapping"], conv.get("current_node")):
            m = node.get("message")
            if not isinstance(m, dict):
                continue
            author = m.get("author") if isinstance(m.get("author"), dict) else {}
            role = author.get("role")
            meta = m.get("metadata") if isinstance(m.get("metadata"), dict) else {}
            hidden = meta.get("is_visually_hidden_from_conversation")
            if role not in ("user", "assistant") or hidden:
                continue
            text = _chatgpt_text(m.get("content"))
            if not text.strip():
                continue
            if len(text) > MAX_SAMPLE_CHARS:
                raise UserError(
                    f"{name}: a message in \"{title[:60]}\" has {len(text):,} characters; one "
                    f"message holds at most {MAX_SAMPLE_CHARS:,}, so nothing was imported."
                )
            model = meta.get("model_slug") if isinstance(meta.get("model_slug"), str) else None
            turns.append({
                "role": role, "content": text, "status": "complete",
                "model": model[:500] if model and role == "assistant" else None,
                "tokens": 0, "created_at": _iso(_epoch(m.get("create_time")) or created),
                "meta": {"source": "chatgpt"},
            })  # fmt: skip
        if not turns:
            continue
        convs.append({"id": cid, "title": title or "Imported chat", "created_at": _iso(created),
                      "updated_at": _iso(updated), "cloud_enabled": False})
        ref = conv.get("id") or conv.get("conversation_id")
        prev_reply = ""
        for t in turns:
            t.update(id=len(msgs) + 1, conversation_id=cid)
            msgs.append(t)
            if t["role"] == "assistant":
                prev_reply = t["content"]
                continue
            samples.append({
                "id": len(samples) + 1, "text": t["content"], "prompt": prev_reply,
                "source": "chat", "source_ref": f"chatgpt:{ref}"[:500] if ref else "chatgpt",
                "message_id": t["id"], "created_at": t["created_at"],
                "updated_at": t["created_at"],
            })  # fmt: skip
    if not convs and malformed:
        raise UserError(
            f"{name} looks like a ChatGPT export, but {malformed} of its messages have fields "
            "of the wrong type (a role, a text part or a list of children that ChatGPT never "
            "writes), so it is damaged; nothing was imported."
        )
    return _MemorySource(name, convs, msgs, samples)


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


def _test_pause(what: str) -> None:
    """Test hook: ASSISTANT_TEST_SLOW_<WHAT>=seconds sleeps mid-operation, so the
    crash-safety tests can SIGKILL the process at a known point. Never set by users."""
    delay = os.environ.get(f"ASSISTANT_TEST_SLOW_{what}")
    if delay:
        print(f"test-hook: {what.lower()} paused", file=sys.stderr, flush=True)
        time.sleep(float(delay))


class DataService:
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
        except OperationalError as exc:
            raise UserError(str(explain_operational_error(exc.orig or exc, self.db.path))) from exc
        for hook in ctx.after_commit:
            hook()

    # ------------------------------------------------------------------ export
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
                    _conversation_record(r)
                    for r in conn.execute(select(conv_t).order_by(conv_t.c.id))), tick)
                counts["messages"] = w.write_jsonl(MESSAGES, (
                    _message_record(r) for r in conn.execute(
                        select(msg_t).order_by(msg_t.c.conversation_id, msg_t.c.id))), tick)
                _test_pause("EXPORT")
                counts["writing_samples"] = w.write_jsonl(SAMPLES, (
                    _sample_record(r)
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

    # ------------------------------------------------------------------ import
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
                        source: _Source = _ArchiveSource(reader, manifest)
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
        except _Bad as exc:
            raise UserError(f"{exc} Nothing was imported.") from exc

    def _chatgpt(self, raw: bytes, name: str) -> _MemorySource:
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
        self, source: _Source, mode: str, progress: Progress | None, t0: float
    ) -> ImportResult:
        if source.kind == "chatgpt" and mode == "replace":
            raise UserError(
                "A ChatGPT export can only be merged into your data; drop --replace."
            )
        plan = self._check(source, progress)
        try:
            with self._write() as ctx:
                ctx.mode = mode
                added, skipped = self._apply(ctx, source, plan, progress)
        except _Bad:
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

    def _check(self, source: _Source, progress: Progress | None) -> _Plan:
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
            row = _conversation_row(obj, where)
            if row["id"] in heads:
                raise _Bad(f"{where}: conversation id {row['id']} appears twice.")
            heads[row["id"]] = (row["title"], row["created_at"])
            tick()
        parts: dict[int, list[tuple[int, bytes]]] = {cid: [] for cid in heads}
        msg_ids: set[int] = set()
        for where, obj in source.messages():
            row = _message_row(obj, where)
            if row["id"] in msg_ids:
                raise _Bad(f"{where}: message id {row['id']} appears twice.")
            if row["conversation_id"] not in heads:
                raise _Bad(f"{where}: conversation {row['conversation_id']} is not in the file.")
            msg_ids.add(row["id"])
            parts[row["conversation_id"]].append((row["id"], _message_digest(row)))
            tick()
        for where, obj in source.samples():
            row = _sample_row(obj, where)
            if row["id"] in plan.sample_keys:
                raise _Bad(f"{where}: sample id {row['id']} appears twice.")
            if row["message_id"] is not None and row["message_id"] not in msg_ids:
                raise _Bad(f"{where}: message {row['message_id']} is not in the file.")
            plan.sample_keys[row["id"]] = _sample_key(row)
            tick()
        plan.conv_fp = {
            cid: _conversation_fingerprint(t, c, parts[cid]) for cid, (t, c) in heads.items()
        }
        plan.counts = {"conversations": len(heads), "messages": len(msg_ids),
                       "writing_samples": len(plan.sample_keys)}
        plan.min_id = {"conversations": min(heads, default=1), "messages": min(msg_ids, default=1),
                       "writing_samples": min(plan.sample_keys, default=1)}
        settings = source.settings()
        if not isinstance(settings, dict) or not all(
            isinstance(k, str) and 0 < len(k) <= 100 for k in settings
        ):
            raise _Bad(f"{SETTINGS} must map setting names to values.")
        # A setting out of its range (an archive edited by hand, or a lying one) stays out,
        # as it would be refused by `settings set`; the local value remains.
        plan.settings = {k: v for k, v in settings.items()
                         if not is_secret_setting(k, v) and setting_allowed(k, v)}
        for key in ("conversations", "messages", "writing_samples"):
            want = expected.get(key)
            if isinstance(want, int) and want != plan.counts[key]:
                raise _Bad(f"The manifest counts {want} {key} but the archive holds "
                           f"{plan.counts[key]}.")
        plan.section_files = source.section_files()
        for name, files in plan.section_files.items():
            try:
                _sections[name].validate(files)
            except ValueError as exc:
                raise _Bad(str(exc)) from exc
        return plan

    def _apply(
        self, ctx: SectionContext, source: _Source, plan: _Plan, progress: Progress | None
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
                _sample_key(r._mapping)
                for r in conn.execute(select(smp_t.c.text, smp_t.c.prompt, smp_t.c.source,
                                             smp_t.c.created_at))
            }
            skip_samples = {sid for sid, k in plan.sample_keys.items() if k in have_samples}
            skipped["conversations"] = len(skip_convs)
            skipped["writing_samples"] = len(skip_samples)

        def conv_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.conversations():
                row = _conversation_row(obj, where)
                if row["id"] in skip_convs:
                    continue
                row["id"] += offsets["conversations"]
                yield row

        kept_msgs: set[int] = set()

        def msg_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.messages():
                row = _message_row(obj, where)
                if row["conversation_id"] in skip_convs:
                    continue
                kept_msgs.add(row["id"])
                row["id"] += offsets["messages"]
                row["conversation_id"] += offsets["conversations"]
                yield row

        def sample_rows() -> Iterator[dict[str, Any]]:
            for where, obj in source.samples():
                row = _sample_row(obj, where)
                if row["id"] in skip_samples:
                    continue
                row["id"] += offsets["writing_samples"]
                mid = row["message_id"]
                row["message_id"] = mid + offsets["messages"] if mid in kept_msgs else None
                yield row

        insert_batches(conv_t, conv_rows(), "conversations")
        insert_batches(msg_t, msg_rows(), "messages")
        _test_pause("IMPORT")
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
                parts[r.conversation_id].append((r.id, _message_digest(r._mapping)))
        return {_conversation_fingerprint(t, c, parts[cid]) for cid, (t, c) in heads.items()}

    # ------------------------------------------------------------------ reset
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
        step(2)
        try:
            scrub_database(self.db.engine)
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        except OperationalError as exc:
            raise UserError(str(explain_operational_error(exc.orig or exc, self.db.path))) from exc
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
