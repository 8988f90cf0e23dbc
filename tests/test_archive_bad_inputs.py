"""Bad archives are refused with one clear line, and the data already there is untouched.

Each bad file is built from a real export (or from scratch for the hostile
ones) and imported with the real CLI, in --replace mode: the mode that would
do the most damage if a check were missing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.data import DataService
from assistant.errors import UserError
from store import Database
from store.archive import ArchiveError, ArchiveReader, Limits, json_line
from store.models import Conversation, Message, Profile, WritingSample

MARKER = "EXISTING-DATA-7f3a"


def snapshot(db_path: Path) -> list[tuple]:
    con = sqlite3.connect(db_path)
    try:
        rows: list[tuple] = []
        for table in ("conversations", "messages", "writing_samples", "settings", "profiles"):
            rows += [(table, *r) for r in con.execute(f"SELECT * FROM {table} ORDER BY 1")]
        return rows
    finally:
        con.close()


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid export with a conversation, a sample and a profile."""
    base = tmp_path_factory.mktemp("good")
    home = base / "home"
    db = Database(home)
    with db.session() as s:
        c = Conversation(title="imported")
        s.add(c)
        s.flush()
        s.add(Message(conversation_id=c.id, role="user", content="from the archive"))
        s.add(WritingSample(text="archive sample", source="draft"))
        s.add(Profile(method="steerx", model_name="m", model_fingerprint="f" * 32, n_layer=2,
                      n_embd=4, layer=1, alpha=1.0, description="archive profile",
                      preference_tokens=[], n_samples=1, item_hashes=[], vectors=bytes(32),
                      active=True, meta={}))
    out = base / "good.zip"
    DataService(db, home).export(out)
    db.close()
    return out


@pytest.fixture
def existing(home: Path) -> list[tuple]:
    """The user's current data, which no bad archive may change."""
    db = Database(home)
    with db.session() as s:
        c = Conversation(title=f"mine {MARKER}")
        s.add(c)
        s.flush()
        s.add(Message(conversation_id=c.id, role="user", content=f"hello {MARKER}"))
        s.add(WritingSample(text=f"sample {MARKER}", source="draft"))
        s.add(Profile(method="steerx", model_name="m", model_fingerprint="f" * 32, n_layer=2,
                      n_embd=4, layer=1, alpha=0.5, description=f"my own profile {MARKER}",
                      preference_tokens=[], n_samples=1, item_hashes=[], vectors=bytes(32),
                      active=True, meta={}))
    db.close()
    return snapshot(home / "assistant.db")


def rebuild(src: Path, dst: Path, edit: Callable[[dict[str, bytes]], None],
            *, fix_manifest: bool = True) -> Path:
    """Copy an archive with `edit` applied to its files (and, by default, honest checksums)."""
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    edit(files)
    if fix_manifest:
        manifest["files"] = {
            n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)}
            for n, d in files.items() if n != "manifest.json"
        }
    files.setdefault("manifest.json", json.dumps(manifest).encode())
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(n, d)
    return dst


def with_manifest(src: Path, dst: Path, **changes: object) -> Path:
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(files["manifest.json"])
    manifest.update(changes)
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(n, d)
    return dst


def patch_declared_size(path: Path, name: str, size: int) -> None:
    """Make the zip's directory claim `size` uncompressed bytes for `name` (a bomb's header)."""
    data = bytearray(path.read_bytes())
    needle = name.encode()
    # (signature, offset of the uncompressed size, of the name length, of the name)
    headers = ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30))
    for sig, size_at, len_at, name_at in headers:
        start = 0
        while (i := data.find(sig, start)) != -1:
            n_len = struct.unpack_from("<H", data, i + len_at)[0]
            if data[i + name_at:i + name_at + n_len] == needle:
                struct.pack_into("<I", data, i + size_at, size)
            start = i + 4
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- the cases


def case_not_a_zip(good: Path, d: Path) -> Path:
    p = d / "notes.zip"
    p.write_text("just some text, not an archive")
    return p


def case_truncated(good: Path, d: Path) -> Path:
    p = d / "truncated.zip"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return p


def case_climbing_path(good: Path, d: Path) -> Path:
    return rebuild(good, d / "climb.zip", lambda f: f.update({"../../evil.txt": b"x"}))


def case_absolute_path(good: Path, d: Path) -> Path:
    return rebuild(good, d / "abs.zip", lambda f: f.update({"/etc/evil": b"x"}))


def case_climbing_in_section(good: Path, d: Path) -> Path:
    return rebuild(good, d / "climb2.zip",
                   lambda f: f.update({"profile/vectors/../../../x.gguf": b"GGUF0000"}))


def case_too_many_entries(good: Path, d: Path) -> Path:
    p = d / "many.zip"
    with zipfile.ZipFile(p, "w") as z:
        for i in range(10_001):
            z.writestr(f"e{i}", b"")
    return p


def case_declared_huge_entry(good: Path, d: Path) -> Path:
    p = d / "bomb1.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("messages.jsonl", bytes(4096))
    patch_declared_size(p, "messages.jsonl", 3 << 30)  # "3 GiB" from 4 KiB
    return p


def case_declared_huge_total(good: Path, d: Path) -> Path:
    p = d / "bomb2.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"part{i}", bytes(4096))
    for i in range(3):
        patch_declared_size(p, f"part{i}", 900 << 20)  # each under the entry cap, 2.6 GiB in all
    return p


def case_malformed_jsonl(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["messages.jsonl"] = f["messages.jsonl"] + b'{"id": 2, "content": "unterminated\n'
    return rebuild(good, d / "badjson.zip", edit)


def case_malformed_manifest(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["manifest.json"] = b'{"format": "voice-assistant-export", '
    return rebuild(good, d / "badmanifest.zip", edit)


def case_unknown_format_version(good: Path, d: Path) -> Path:
    return with_manifest(good, d / "fv0.zip", format_version="one")


def case_newer_format_version(good: Path, d: Path) -> Path:
    return with_manifest(good, d / "fv2.zip", format_version=2)


def case_newer_app(good: Path, d: Path) -> Path:
    return with_manifest(good, d / "newapp.zip", app_version="99.0.0")


def case_not_our_format(good: Path, d: Path) -> Path:
    return with_manifest(good, d / "other.zip", format="someone-else")


def case_checksum_mismatch(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["writing_samples.jsonl"] = f["writing_samples.jsonl"].replace(b"archive", b"ARCHIVE")
    return rebuild(good, d / "tampered.zip", edit, fix_manifest=False)


def case_missing_file(good: Path, d: Path) -> Path:
    return rebuild(good, d / "missing.zip", lambda f: f.pop("messages.jsonl"))


def case_unexpected_file(good: Path, d: Path) -> Path:
    return rebuild(good, d / "extra.zip", lambda f: f.update({"payload.sh": b"rm -rf ~"}))


def case_bad_role(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["messages.jsonl"] = f["messages.jsonl"].replace(b'"role":"user"', b'"role":"root"')
    return rebuild(good, d / "role.zip", edit)


def case_huge_message(good: Path, d: Path) -> Path:
    """One 1.2-million-character message: over the cap for one text (README)."""
    def edit(f: dict[str, bytes]) -> None:
        lines = f["messages.jsonl"].splitlines()
        rec = json.loads(lines[0])
        rec["content"] = "x" * 1_200_000
        f["messages.jsonl"] = b"\n".join([json_line(rec).rstrip(b"\n"), *lines[1:]]) + b"\n"
    return rebuild(good, d / "huge.zip", edit)


def case_chatgpt_huge_message(good: Path, d: Path) -> Path:
    p = d / "conversations.json"
    p.write_text(json.dumps([{"title": "long one", "current_node": "b", "mapping": {
        "a": {"id": "a", "parent": None, "children": ["b"], "message": None},
        "b": {"id": "b", "parent": "a", "children": [], "message": {
            "author": {"role": "user"},
            "content": {"content_type": "text", "parts": ["y" * 1_200_000]}}},
    }}]))
    return p


def case_bad_conversation_settings(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        lines = f["conversations.jsonl"].splitlines()
        rec = json.loads(lines[0])
        rec["settings"] = {"method": 5, "shell": "rm -rf"}
        f["conversations.jsonl"] = b"\n".join([json_line(rec).rstrip(b"\n"), *lines[1:]]) + b"\n"
    return rebuild(good, d / "convsettings.zip", edit)


def case_dangling_reference(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["messages.jsonl"] = f["messages.jsonl"].replace(b'"conversation_id":1',
                                                          b'"conversation_id":77')
    return rebuild(good, d / "dangling.zip", edit)


def case_wrong_counts(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["writing_samples.jsonl"] = b""
    return rebuild(good, d / "counts.zip", edit)


def case_bad_vector(good: Path, d: Path) -> Path:
    return rebuild(good, d / "vector.zip",
                   lambda f: f.update({"profile/vectors/steerx.gguf": b"MZ not a gguf"}))


def case_duplicate_entry(good: Path, d: Path) -> Path:
    p = d / "dup.zip"
    with zipfile.ZipFile(good) as z:
        files = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(p, "w") as z, pytest.warns(UserWarning):
        for n, data in files.items():
            z.writestr(n, data)
        z.writestr("messages.jsonl", b"")
    return p


def case_symlink_entry(good: Path, d: Path) -> Path:
    p = d / "link.zip"
    with zipfile.ZipFile(good) as z:
        files = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(p, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
        info = zipfile.ZipInfo("profile/vectors/link.gguf")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    return p


def case_chatgpt_bad_json(good: Path, d: Path) -> Path:
    p = d / "conversations.json"
    p.write_text('[{"title": "x", "mapping": {')
    return p


def case_chatgpt_wrong_shape(good: Path, d: Path) -> Path:
    p = d / "conversations.json"
    p.write_text('{"conversations": "no"}')
    return p


def case_deep_manifest(good: Path, d: Path) -> Path:
    def edit(f: dict[str, bytes]) -> None:
        f["manifest.json"] = b"[" * 100_000 + b"]" * 100_000
    return rebuild(good, d / "deepmanifest.zip", edit)


def case_chatgpt_deep(good: Path, d: Path) -> Path:
    p = d / "conversations.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


def case_chatgpt_wrong_types(good: Path, d: Path) -> Path:
    p = d / "conversations.json"
    p.write_text(json.dumps([{"title": "t", "current_node": "b", "mapping": {
        "a": {"id": "a", "parent": None, "children": "abc", "message": None},
        "b": {"id": "b", "parent": "a", "children": [], "message": {
            "author": {"role": 5}, "content": {"content_type": "text", "parts": [1, None, {}]}}},
    }}]))
    return p


def case_empty_file(good: Path, d: Path) -> Path:
    p = d / "empty.zip"
    p.write_bytes(b"")
    return p


CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "not a zip": (case_not_a_zip, "not a zip archive"),
    "empty file": (case_empty_file, "not a zip archive"),
    "truncated": (case_truncated, "damaged or truncated"),
    "../ path": (case_climbing_path, "unsafe path"),
    "absolute path": (case_absolute_path, "unsafe path"),
    "../ inside section": (case_climbing_in_section, "unsafe path"),
    "too many entries": (case_too_many_entries, "more than the 10000"),
    "bomb: huge entry": (case_declared_huge_entry, "over the"),
    "bomb: huge total": (case_declared_huge_total, "would unpack to more than"),
    "malformed JSONL": (case_malformed_jsonl, "messages.jsonl line 2 is not valid JSON"),
    "malformed manifest": (case_malformed_manifest, "manifest of"),
    "unknown format version": (case_unknown_format_version, "unknown format version"),
    "newer format version": (case_newer_format_version, "format version 2"),
    "newer app": (case_newer_app, "newer than"),
    "foreign format": (case_not_our_format, "not an export of this app"),
    "checksum mismatch": (case_checksum_mismatch, "checksum"),
    "missing file": (case_missing_file, "missing messages.jsonl"),
    "unexpected file": (case_unexpected_file, "payload.sh"),
    "bad role": (case_bad_role, "role must be one of"),
    "message over the cap": (case_huge_message, "longer than 1,000,000 characters"),
    "ChatGPT message over the cap": (case_chatgpt_huge_message, "at most 1,000,000"),
    "bad conversation settings": (case_bad_conversation_settings, "Unknown conversation setting"),
    "dangling reference": (case_dangling_reference, "conversation 77 is not in the file"),
    "wrong counts": (case_wrong_counts, "manifest counts"),
    "bad control vector": (case_bad_vector, "not a GGUF"),
    "duplicate entry": (case_duplicate_entry, "twice"),
    "symlink entry": (case_symlink_entry, "holds a link"),
    "ChatGPT: bad JSON": (case_chatgpt_bad_json, "not valid JSON"),
    "ChatGPT: wrong shape": (case_chatgpt_wrong_shape, "not a ChatGPT"),
    "manifest nested 100,000 deep": (case_deep_manifest, "nested far too deep"),
    "ChatGPT nested 100,000 deep": (case_chatgpt_deep, "nested far deeper"),
    "ChatGPT wrong types": (case_chatgpt_wrong_types, "fields of the wrong type"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_archive_is_rejected_and_changes_nothing(
    case: str, good_archive: Path, existing: list[tuple], home: Path, tmp_path: Path
) -> None:
    build, expected = CASES[case]
    bad = build(good_archive, tmp_path)
    db = Database(home)
    try:
        with pytest.raises(UserError) as info:
            DataService(db, home).import_file(bad, "replace")
    finally:
        db.close()
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and message.endswith((".", "it."))
    assert snapshot(home / "assistant.db") == existing
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.parametrize("case", ["not a zip", "../ path", "newer app", "malformed JSONL"])
def test_cli_prints_one_line_and_fails(
    case: str, good_archive: Path, existing: list[tuple], home: Path, cli, tmp_path: Path
) -> None:
    build, expected = CASES[case]
    r = cli("import", str(build(good_archive, tmp_path)))
    assert r.rc == 1, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], r.err
    assert snapshot(home / "assistant.db") == existing


def test_good_archive_still_imports(good_archive: Path, existing: list[tuple], home: Path,
                                   cli) -> None:
    """The control: the archive the bad ones were made from is accepted."""
    r = cli("import", str(good_archive), "--replace")
    assert r.rc == 0, r.err
    after = snapshot(home / "assistant.db")
    assert after != existing and not any(MARKER in str(row) for row in after)
    assert [r for r in after if r[0] == "profiles" and "archive profile" in r]


def test_real_zip_bomb_is_capped(tmp_path: Path, good_archive: Path) -> None:
    """An honest bomb (a few KB that inflate to MBs) against a small cap, in process."""
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("messages.jsonl", bytes(8 << 20))
    assert bomb.stat().st_size < 64 << 10
    with pytest.raises(ArchiveError, match="over the"):
        ArchiveReader(bomb, Limits(max_entry_bytes=1 << 20))
    home = tmp_path / "h"
    db = Database(home)
    before = snapshot(db.path)
    svc = DataService(db, home, limits=Limits(max_total_bytes=4 << 20))
    with pytest.raises(UserError, match="would unpack to more than"):
        svc.import_file(bomb, "replace")
    # a header that claims less than the data holds is caught while inflating
    liar = tmp_path / "liar.zip"
    rebuild(good_archive, liar, lambda f: None)
    patch_declared_size(liar, "messages.jsonl", 3)
    with pytest.raises(UserError, match="size its manifest says|damaged"):
        svc.import_file(liar, "replace")
    assert snapshot(db.path) == before
    db.close()
