"""Parts of the archive that features own (the profile first), as `ArchiveSection`s:
a folder, and export, validate, apply and erase hooks."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from assistant.data.records import CORE_FILES, BadRecord, get_int, get_str, iso, parse_dt
from assistant.errors import UserError
from engine.errors import EngineError
from store.models import Base, Profile

log = logging.getLogger(__name__)


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
    """Add a section, or replace the one of the same name."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", section.name) or section.name + ".jsonl" in CORE_FILES:
        raise ValueError(f"bad section name {section.name!r}")
    _sections[section.name] = section


def sections() -> list[ArchiveSection]:
    return list(_sections.values())


def section_named(name: str) -> ArchiveSection | None:
    return _sections.get(name)


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
        "built_at": iso(row.built_at), "meta": row.meta or {}, "vectors": vectors,
    }  # fmt: skip


def _profile_row(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise BadRecord(f"{where} is not a JSON object.")
    alpha = obj.get("alpha")
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not math.isfinite(alpha):
        raise BadRecord(f"{where}: alpha must be a number.")
    for key in ("description_edited", "active"):
        if not isinstance(obj.get(key, False), bool):
            raise BadRecord(f"{where}: {key} must be true or false.")
    for key in ("preference_tokens", "item_hashes"):
        if not isinstance(obj.get(key, []), list):
            raise BadRecord(f"{where}: {key} must be a list.")
    if not isinstance(obj.get("meta", {}), dict):
        raise BadRecord(f"{where}: meta must be a JSON object.")
    method = get_str(obj, "method", where)
    if not method:
        raise BadRecord(f"{where}: method is empty.")
    return {
        "id": get_int(obj, "id", where, lo=1), "method": method,
        "model_name": get_str(obj, "model_name", where),
        "model_fingerprint": get_str(obj, "model_fingerprint", where),
        "n_layer": get_int(obj, "n_layer", where, lo=1),
        "n_embd": get_int(obj, "n_embd", where, lo=1),
        "layer": get_int(obj, "layer", where), "alpha": float(alpha),
        "description": get_str(obj, "description", where),
        "description_edited": obj.get("description_edited", False),
        "preference_tokens": obj.get("preference_tokens", []),
        "n_samples": get_int(obj, "n_samples", where),
        "item_hashes": obj.get("item_hashes", []), "active": obj.get("active", False),
        "built_at": parse_dt(obj.get("built_at"), where, "built_at"),
        "meta": obj.get("meta", {}),
        "vectors": get_str(obj, "vectors", where, max_len=100),
    }  # fmt: skip


class ProfileSection:
    """The built profiles: `profile/profile.json` (settings and description of each
    method's profile) and `profile/vectors/<method>.gguf` (its llama.cpp control vector).

    `engine.steering.vectors.SteeringVector` owns both layouts: the stored rows
    (`Profile.vectors`) and the control-vector file, written and read with the `gguf`
    package; import turns the file back into the same rows byte for byte. The caches
    (generic responses, per-item effects) are derived from the history and the model,
    so they are rebuilt rather than exported.
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
