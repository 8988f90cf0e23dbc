"""The archive section of edit pairs (`edit_pairs/pairs.jsonl`).

A pair's sample travels with the writing samples (source "edit"); the pair is linked
back to it by content on import (ids shift when merging), and kept unlinked when the
archive lacks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import delete, insert, select

from assistant.data.records import BadRecord, get_str, iso, parse_dt
from assistant.data.sections import SectionContext, register_section
from assistant.writing.edits import ORIGINS
from assistant.writing.history import MAX_SAMPLE_CHARS
from store.models import EditPair, WritingSample

FILE = "pairs.jsonl"


def _row(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise BadRecord(f"{where} is not a JSON object.")
    return {
        "request": get_str(obj, "request", where, max_len=MAX_SAMPLE_CHARS),
        "model_text": get_str(obj, "model_text", where, max_len=MAX_SAMPLE_CHARS),
        "user_text": get_str(obj, "user_text", where, max_len=MAX_SAMPLE_CHARS),
        "origin": get_str(obj, "origin", where, choices=ORIGINS),
        "created_at": parse_dt(obj.get("created_at"), where, "created_at"),
    }


class EditPairsSection:
    name = "edit_pairs"
    erased_by = frozenset({"all"})

    def export(self, ctx: SectionContext) -> Iterator[tuple[str, bytes]]:
        t = EditPair.__table__
        lines = [json.dumps({"request": r.request, "model_text": r.model_text,
                             "user_text": r.user_text, "origin": r.origin,
                             "created_at": iso(r.created_at)}, ensure_ascii=False)
                 for r in ctx.conn.execute(select(t).order_by(t.c.id))]
        if lines:
            yield FILE, ("\n".join(lines) + "\n").encode()

    def _parse(self, files: Mapping[str, bytes]) -> list[dict[str, Any]]:
        extra = set(files) - {FILE}
        if extra:
            raise ValueError(f"edit_pairs/{sorted(extra)[0]} is not part of the edit pairs.")
        if FILE not in files:
            return []
        try:
            text = files[FILE].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"edit_pairs/{FILE} is not UTF-8 text.") from exc
        rows = []
        for i, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            where = f"edit_pairs/{FILE} line {i + 1}"
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise ValueError(f"{where} is not valid JSON.") from exc
            try:
                rows.append(_row(obj, where))
            except BadRecord as exc:
                raise ValueError(str(exc)) from exc
        return rows

    def validate(self, files: Mapping[str, bytes]) -> None:
        self._parse(files)

    def apply(self, ctx: SectionContext, files: Mapping[str, bytes]) -> int:
        rows = self._parse(files)
        t, smp = EditPair.__table__, WritingSample.__table__
        if ctx.mode == "replace":
            self.erase(ctx)
        else:
            have = {(r.request, r.model_text, r.user_text) for r in ctx.conn.execute(
                select(t.c.request, t.c.model_text, t.c.user_text))}
            rows = [r for r in rows if (r["request"], r["model_text"], r["user_text"]) not in have]
        if not rows:
            return 0
        samples = {(r.text, r.prompt): r.id for r in ctx.conn.execute(
            select(smp.c.id, smp.c.text, smp.c.prompt).where(smp.c.source == "edit"))}
        for r in rows:
            r["sample_id"] = samples.get((r["user_text"], r["request"]))
        ctx.conn.execute(insert(t), rows)
        return len(rows)

    def erase(self, ctx: SectionContext) -> None:
        ctx.conn.execute(delete(EditPair.__table__))


register_section(EditPairsSection())
