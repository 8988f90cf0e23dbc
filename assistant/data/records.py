"""Record codecs of the archive: the JSON lines of conversations, messages and samples,
their checks on the way in, and the fingerprints that make a merge skip what it has."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from assistant.errors import UserError
from assistant.writing.history import MAX_SAMPLE_CHARS
from assistant.writing.sample_rules import SOURCES as SAMPLE_SOURCES
from assistant.writing.sample_rules import default_include

log = logging.getLogger(__name__)


APP_NAME = "voice-assistant"
CONVERSATIONS = "conversations.jsonl"
MESSAGES = "messages.jsonl"
SAMPLES = "writing_samples.jsonl"
SETTINGS = "settings.json"
CORE_FILES = (CONVERSATIONS, MESSAGES, SAMPLES, SETTINGS)

ROLES = ("user", "assistant", "system")
STATUSES = ("complete", "partial")
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


# =========================================================================== records


class BadRecord(ValueError):
    """A record that does not fit the schema; the message names the file and line."""


def iso(dt: datetime) -> str:
    return dt.isoformat()


def parse_dt(value: object, where: str, key: str) -> datetime:
    if not isinstance(value, str):
        raise BadRecord(f"{where}: {key} must be a date and time.")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRecord(f"{where}: {key} is not a valid date and time.") from exc
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def get_int(obj: dict, key: str, where: str, *, lo: int = 0, nullable: bool = False) -> int | None:
    v = obj.get(key)
    if v is None and nullable:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= MAX_ID:
        raise BadRecord(f"{where}: {key} must be a whole number from {lo} to {MAX_ID}.")
    return v


def get_str(obj: dict, key: str, where: str, *, nullable: bool = False,
             choices: tuple[str, ...] | None = None, max_len: int | None = None) -> str | None:
    v = obj.get(key)
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        raise BadRecord(f"{where}: {key} must be text.")
    if choices is not None and v not in choices:
        raise BadRecord(f"{where}: {key} must be one of {', '.join(choices)}.")
    if max_len is not None and len(v) > max_len:
        raise BadRecord(f"{where}: {key} is longer than {max_len:,} characters.")
    return v


# Text columns are capped at what the app itself lets in (MAX_SAMPLE_CHARS for one
# message or sample), so an archive cannot smuggle in what `history add` refuses.
def conversation_row(obj: dict, where: str) -> dict[str, Any]:
    cloud = obj.get("cloud_enabled", False)
    if not isinstance(cloud, bool):
        raise BadRecord(f"{where}: cloud_enabled must be true or false.")
    return {
        "id": get_int(obj, "id", where, lo=1),
        "title": get_str(obj, "title", where),
        "created_at": parse_dt(obj.get("created_at"), where, "created_at"),
        "updated_at": parse_dt(obj.get("updated_at"), where, "updated_at"),
        "cloud_enabled": cloud,
        "settings": _conversation_settings(obj.get("settings", {}), where),
    }


def _conversation_settings(value: object, where: str) -> dict[str, Any]:
    from assistant.chat.conversation_settings import check_conversation_settings

    try:
        return check_conversation_settings(value if value is not None else {})
    except UserError as exc:
        raise BadRecord(f"{where}: {exc}") from exc


def message_row(obj: dict, where: str) -> dict[str, Any]:
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BadRecord(f"{where}: meta must be a JSON object.")
    return {
        "id": get_int(obj, "id", where, lo=1),
        "conversation_id": get_int(obj, "conversation_id", where, lo=1),
        "role": get_str(obj, "role", where, choices=ROLES),
        "content": get_str(obj, "content", where, max_len=MAX_SAMPLE_CHARS),
        "status": get_str(obj, "status", where, choices=STATUSES),
        "model": get_str(obj, "model", where, nullable=True),
        "tokens": get_int(obj, "tokens", where),
        "created_at": parse_dt(obj.get("created_at"), where, "created_at"),
        "meta": meta,
    }


def sample_row(obj: dict, where: str) -> dict[str, Any]:
    source = get_str(obj, "source", where, choices=SAMPLE_SOURCES)
    include = obj.get("include")
    if include is None:  # an archive from before the flag, or ChatGPT's: the migration's rule
        include = default_include(source)
    if not isinstance(include, bool):
        raise BadRecord(f"{where}: include must be true or false.")
    return {
        "id": get_int(obj, "id", where, lo=1),
        "text": get_str(obj, "text", where, max_len=MAX_SAMPLE_CHARS),
        "prompt": get_str(obj, "prompt", where, max_len=MAX_SAMPLE_CHARS),
        "source": source,
        "include": include,
        "source_ref": get_str(obj, "source_ref", where, nullable=True),
        "message_id": get_int(obj, "message_id", where, lo=1, nullable=True),
        "created_at": parse_dt(obj.get("created_at"), where, "created_at"),
        "updated_at": parse_dt(obj.get("updated_at"), where, "updated_at"),
    }


def conversation_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at), "cloud_enabled": bool(row.cloud_enabled),
            "settings": dict(row.settings or {})}


def message_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "conversation_id": row.conversation_id, "role": row.role,
            "content": row.content, "status": row.status, "model": row.model,
            "tokens": row.tokens, "created_at": iso(row.created_at), "meta": row.meta or {}}


def sample_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "text": row.text, "prompt": row.prompt, "source": row.source,
            "include": bool(row.include), "source_ref": row.source_ref,
            "message_id": row.message_id,
            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).digest()


def message_digest(row: Mapping[str, Any]) -> bytes:
    return _digest(row["role"], row["content"], iso(row["created_at"]))


def conversation_fingerprint(
    title: str, created: datetime, msgs: list[tuple[int, bytes]]
) -> bytes:
    """Identity of a conversation by content, used to skip duplicates when merging."""
    h = hashlib.sha256(_digest(title, iso(created)))
    for _id, d in sorted(msgs):
        h.update(d)
    return h.digest()


def sample_key(row: Mapping[str, Any]) -> bytes:
    return _digest(row["text"], row["prompt"], row["source"], iso(row["created_at"]))


def is_secret_setting(key: str, value: Any, api_key: str | None = None) -> bool:
    """Settings never should hold a secret; this is the second line of defence for exports."""
    words = set(re.split(r"[^a-z0-9]+", key.lower()))
    if words & _SECRET_WORDS:
        return True
    return bool(api_key) and api_key in json.dumps(value, ensure_ascii=False)


def test_pause(what: str) -> None:
    """Test hook: ASSISTANT_TEST_SLOW_<WHAT>=seconds sleeps mid-operation, so the
    crash-safety tests can SIGKILL the process at a known point. Never set by users."""
    delay = os.environ.get(f"ASSISTANT_TEST_SLOW_{what}")
    if delay:
        print(f"test-hook: {what.lower()} paused", file=sys.stderr, flush=True)
        time.sleep(float(delay))
