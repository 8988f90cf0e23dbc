"""Where an import reads its records from: one of our archives, or records in memory
(a ChatGPT export turned into ours)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, Protocol

from assistant.data.records import CONVERSATIONS, CORE_FILES, MESSAGES, SAMPLES, SETTINGS, BadRecord
from assistant.data.sections import section_named
from assistant.errors import UserError
from assistant.text_rules import TextError, check_json_texts
from store.archive import (
    ArchiveReader,
)

log = logging.getLogger(__name__)


# =========================================================================== sources


class Source(Protocol):
    kind: str
    name: str
    expected: dict[str, int] | None

    def conversations(self) -> Iterator[tuple[str, Any]]: ...
    def messages(self) -> Iterator[tuple[str, Any]]: ...
    def samples(self) -> Iterator[tuple[str, Any]]: ...
    def settings(self) -> Any: ...
    def section_files(self) -> dict[str, dict[str, bytes]]: ...


class ArchiveSource:
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
            if "/" not in fname or section_named(top) is None:
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
                raise BadRecord(f"{where} is not valid JSON.") from exc
            if not isinstance(obj, dict):
                raise BadRecord(f"{where} is not a JSON object.")
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
            raise BadRecord(f"{SETTINGS} is not valid JSON.") from exc

    def section_files(self) -> dict[str, dict[str, bytes]]:
        out: dict[str, dict[str, bytes]] = {}
        for fname in self.reader.names:
            top, _, rel = fname.partition("/")
            if rel and section_named(top) is not None:
                out.setdefault(top, {})[rel] = self.reader.read_bytes(fname)
        return out


class CheckedSource:
    """Any source, with every string of every record, setting and JSON section file passed
    through the one text rule (`assistant.text_rules`) as it is read.

    The import wraps whatever it reads in this, once, so a lone surrogate or a NUL is
    refused wherever it hides (a message's `meta`, a conversation's instructions, the
    system prompt in settings.json), whole, before anything is written: a new reader
    cannot forget the check.
    """

    def __init__(self, inner: Source) -> None:
        self.inner = inner
        self.kind, self.name, self.expected = inner.kind, inner.name, inner.expected

    @staticmethod
    def _check(obj: Any, where: str) -> Any:
        try:
            return check_json_texts(obj, where)
        except TextError as exc:
            raise BadRecord(str(exc)) from None

    def _each(self, rows: Iterator[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
        for where, obj in rows:
            yield where, self._check(obj, where)

    def conversations(self) -> Iterator[tuple[str, Any]]:
        return self._each(self.inner.conversations())

    def messages(self) -> Iterator[tuple[str, Any]]:
        return self._each(self.inner.messages())

    def samples(self) -> Iterator[tuple[str, Any]]:
        return self._each(self.inner.samples())

    def settings(self) -> Any:
        return self._check(self.inner.settings(), SETTINGS)

    def section_files(self) -> dict[str, dict[str, bytes]]:
        files = self.inner.section_files()
        for section, named in files.items():
            for rel, data in named.items():
                if rel.endswith(".json"):
                    try:
                        parsed = json.loads(data.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                        continue  # the section's own validate says what is wrong
                    self._check(parsed, f"{section}/{rel}")
        return files


class MemorySource:
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
