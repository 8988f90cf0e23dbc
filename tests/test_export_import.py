"""Export and import: round trips, merge rules, ChatGPT, no secrets, crash safety.

Real parts only: real SQLite files in temp folders, the real CLI in subprocesses,
and a real (in-memory) keyring backend, since the OS keychain is absent here.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import keyring
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from assistant.data import DataService
from assistant.data.records import is_secret_setting
from assistant.errors import UserError
from assistant.secrets import SERVICE_NAME, get_api_key, set_api_key
from assistant.settings import setting_allowed
from assistant.writing.history import MAX_SAMPLE_CHARS
from store import Database
from store.models import Conversation, Message, Profile, Setting, WritingSample

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (no OS keychain here)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError as exc:
            raise PasswordDeleteError(username) from exc


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the user's tables, read with plain sqlite3 (independent of our code)."""
    con = sqlite3.connect(db_path)
    try:
        out = {
            "conversations": con.execute(
                "SELECT id, title, created_at, updated_at, cloud_enabled FROM conversations "
                "ORDER BY id").fetchall(),
            "messages": [
                (*r[:-1], json.loads(r[-1])) for r in con.execute(
                    "SELECT id, conversation_id, role, content, status, model, tokens, "
                    "created_at, meta FROM messages ORDER BY id")
            ],
            "writing_samples": con.execute(
                "SELECT id, text, prompt, source, source_ref, message_id, created_at, "
                "updated_at FROM writing_samples ORDER BY id").fetchall(),
            "settings": [
                # a JSON column has NUMERIC affinity: plain numbers come back as numbers
                (k, json.loads(v) if isinstance(v, str) else v) for k, v in con.execute(
                    "SELECT key, value FROM settings ORDER BY key")
            ],
            "profiles": [
                (*r[:8], json.loads(r[8]), json.loads(r[9]), json.loads(r[10]), *r[11:])
                for r in con.execute(
                    "SELECT id, method, model_name, model_fingerprint, n_layer, n_embd, layer, "
                    "alpha, preference_tokens, item_hashes, meta, description, "
                    "description_edited, n_samples, vectors, active, built_at "
                    "FROM profiles ORDER BY id")
            ],
        }
    finally:
        con.close()
    return out


def plant(db: Database, data: dict[str, Any]) -> None:
    """Store conversations (with messages), samples and settings through the ORM."""
    with db.session() as s:
        msg_rows: list[Message] = []
        for conv in data.get("conversations", []):
            c = Conversation(title=conv["title"], cloud_enabled=conv.get("cloud", False))
            if conv.get("created"):
                c.created_at = c.updated_at = conv["created"]
            s.add(c)
            s.flush()
            for m in conv["messages"]:
                row = Message(conversation_id=c.id, role=m["role"], content=m["content"],
                              status=m.get("status", "complete"), model=m.get("model"),
                              tokens=m.get("tokens", 0), meta=m.get("meta", {}))
                if m.get("created"):
                    row.created_at = m["created"]
                s.add(row)
                s.flush()
                msg_rows.append(row)
        for smp in data.get("samples", []):
            link = smp.get("link")
            mid = msg_rows[link % len(msg_rows)].id if link is not None and msg_rows else None
            row = WritingSample(text=smp["text"], prompt=smp.get("prompt", ""),
                                source=smp.get("source", "draft"), source_ref=smp.get("ref"),
                                message_id=mid)
            if smp.get("created"):
                row.created_at = row.updated_at = smp["created"]
            s.add(row)
        for key, value in data.get("settings", {}).items():
            s.merge(Setting(key=key, value=value))
        for prof in data.get("profiles", []):
            s.add(make_profile(**prof))


def make_profile(method: str = "steerx", description: str = "", n_layer: int = 4,
                 n_embd: int = 8, seed: int = 0, **extra: Any) -> Profile:
    """A built profile as the profile service stores it: float32 (n_layer, n_embd) vectors."""
    vectors = np.random.default_rng(seed).standard_normal((n_layer, n_embd)).astype(np.float32)
    vectors[-1] = 0  # row i steers layer i+1: the last row (layer n_layer) never exists
    fields = dict(method=method, model_name="SmolLM2-135M-Instruct", model_fingerprint="f" * 32,
                  n_layer=n_layer, n_embd=n_embd, layer=min(2, n_layer - 1), alpha=0.8,
                  description=description, preference_tokens=[" indeed", "—"], n_samples=3,
                  item_hashes=["a" * 64], vectors=vectors.tobytes(), active=True,
                  meta={"tau": 1.0})
    fields.update(extra)
    return Profile(**fields)


SAMPLE_DATA = {
    "conversations": [
        {"title": "Trip to Zürich 🚆", "cloud": True, "messages": [
            {"role": "user", "content": "Plan a day in Zürich\nwith\u2028odd breaks"},
            {"role": "assistant", "content": "Sure — start at the lake.", "model": "smol",
             "tokens": 7, "meta": {"seconds": 0.5, "finish_reason": "stop"}},
            {"role": "user", "content": "and then?"},
            {"role": "assistant", "content": "half a rep", "status": "partial"},
        ]},
        {"title": "empty", "messages": []},
    ],
    "samples": [
        {"text": "Plan a day in Zürich", "source": "chat", "link": 0},
        {"text": "My draft: 日本語のテキスト", "source": "draft", "prompt": "write"},
        {"text": "notes", "source": "file", "ref": "notes.md"},
    ],
    "settings": {"temperature": 0.5, "system_prompt": "Be brief.", "max_tokens": 256},
    "profiles": [{"method": "steerx",
                  "description": "Writes short, warm sentences; likes em dashes — often."},
                 {"method": "stylevector", "active": False, "seed": 1}],
}


# --------------------------------------------------------------------------- round trips

dts = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))
json_leaf = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
             | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_value = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c,
                                                                   max_size=3), max_leaves=6)
message_st = st.fixed_dictionaries({
    "role": st.sampled_from(["user", "assistant", "system"]),
    "content": st.text(max_size=300),
    "status": st.sampled_from(["complete", "partial"]),
    "model": st.none() | st.text(max_size=40),
    "tokens": st.integers(0, 10**6),
    "meta": st.dictionaries(st.text(max_size=10), json_value, max_size=3),
    "created": dts,
})
conversation_st = st.fixed_dictionaries({
    "title": st.text(max_size=300),
    "cloud": st.booleans(),
    "created": dts,
    "messages": st.lists(message_st, max_size=5),
})
sample_st = st.fixed_dictionaries({
    "text": st.text(max_size=300),
    "prompt": st.text(max_size=100),
    "source": st.sampled_from(["chat", "draft", "file"]),
    "ref": st.none() | st.text(max_size=50),
    "link": st.none() | st.integers(0, 100),
    "created": dts,
})
setting_key = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=30)
dataset_st = st.fixed_dictionaries({
    "conversations": st.lists(conversation_st, max_size=4),
    "samples": st.lists(sample_st, max_size=5),
    "profiles": st.lists(st.fixed_dictionaries({
        "method": st.text(min_size=1, max_size=12),
        "description": st.text(max_size=300),
        "n_layer": st.integers(1, 6), "n_embd": st.integers(1, 16),
        "seed": st.integers(0, 2**32 - 1), "active": st.booleans(),
        "alpha": st.floats(-4, 4), "built_at": dts,
        "preference_tokens": st.lists(st.text(max_size=8), max_size=4),
    }), max_size=2, unique_by=lambda p: p["method"]).map(
        lambda ps: [dict(p, active=p["active"] and i == 0) for i, p in enumerate(ps)]),
    # Only what the app itself could have stored: no secret, and no known setting with a value
    # its check refuses (import leaves those out on purpose; tested on its own below).
    "settings": st.dictionaries(setting_key, json_value, max_size=4).map(
        lambda d: {k: v for k, v in d.items()
                   if not is_secret_setting(k, v) and setting_allowed(k, v)}),
    # A huge text (up to the 1,000,000-character cap of one text) in a message and a sample.
    "huge": st.none() | st.tuples(st.text(min_size=1, max_size=8), st.integers(10_000, 1_000_000)),
})


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=dataset_st, mode=st.sampled_from(["merge", "replace"]))
def test_round_trip_property(data: dict[str, Any], mode: str) -> None:
    """export -> reset --all -> import gives back exactly the same rows."""
    event("with a huge text" if data["huge"] else "ordinary texts")
    if data["huge"] is not None:
        piece, n = data["huge"]
        big = (piece * n)[:MAX_SAMPLE_CHARS]
        data["conversations"].append({"title": "big", "messages": [
            {"role": "user", "content": big}]})
        data["samples"].append({"text": big[::-1], "source": "file"})
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        db = Database(home)
        try:
            plant(db, data)
            before = snapshot(db.path)
            svc = DataService(db, home)
            out = Path(tmp) / "export.zip"
            svc.export(out)
            svc.reset("all")
            assert snapshot(db.path) == {k: [] for k in before}
            svc.import_file(out, mode)
            assert snapshot(db.path) == before
        finally:
            db.close()


def test_cli_round_trip_with_profile(home: Path, cli, tmp_path: Path) -> None:
    db = Database(home)
    plant(db, SAMPLE_DATA)
    before = snapshot(db.path)
    db.close()
    out = tmp_path / "backup.zip"

    r = cli("export", str(out), "--json")
    assert r.rc == 0, r.err
    assert r.json()["counts"] == {"conversations": 2, "messages": 4, "writing_samples": 3,
                                  "settings": 3, "profile_files": 3}
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        profile = json.loads(z.read("profile/profile.json"))
        gguf_bytes = z.read("profile/vectors/steerx.gguf")
    assert names == {"manifest.json", "conversations.jsonl", "messages.jsonl",
                     "writing_samples.jsonl", "settings.json", "profile/profile.json",
                     "profile/vectors/steerx.gguf", "profile/vectors/stylevector.gguf"}
    assert manifest["format_version"] == 1 and manifest["app_version"]
    assert manifest["sections"] == ["profile"]
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert profile["profiles"][0]["description"].startswith("Writes short")
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # private data: owner only
    # The vectors are a llama.cpp control vector that the gguf package reads back.
    import gguf

    vec_file = tmp_path / "steerx.gguf"
    vec_file.write_bytes(gguf_bytes)
    reader = gguf.GGUFReader(str(vec_file))
    assert reader.fields["general.architecture"].contents() == "controlvector"
    # Layers 1..n_layer-1: llama.cpp steers no other (its buffer's last row is never read).
    assert [t.name for t in reader.tensors] == [f"direction.{i}" for i in range(1, 4)]
    stored = np.frombuffer(before["profiles"][0][14], np.float32).reshape(4, 8)
    assert np.array_equal(np.asarray(reader.tensors[2].data), stored[2])  # slot i = layer i+1

    assert cli("export", str(out)).rc == 1  # no silent overwrite
    assert cli("export", str(home / "inside.zip")).rc == 1  # reset could not erase it
    assert cli("reset", "--all", "--yes").rc == 0
    r = cli("import", str(out), "--json")
    assert r.rc == 0, r.err
    assert snapshot(home / "assistant.db") == before

    # Importing the same archive again adds nothing.
    r = cli("import", str(out), "--json")
    assert r.rc == 0, r.err
    assert r.json()["added"]["conversations"] == 0
    assert r.json()["skipped"]["conversations"] == 2
    assert snapshot(home / "assistant.db") == before


@pytest.mark.parametrize("mode", ["merge", "replace"])
def test_import_leaves_out_a_known_setting_its_check_refuses(tmp_path: Path, mode: str) -> None:
    """An archive edited by hand (here `cloud_template: []`, the case Hypothesis found) keeps
    its good settings; the refused one stays out (merge keeps the local value of it,
    replace erases it like everything else)."""
    src_home, dst_home = tmp_path / "a", tmp_path / "b"
    src, dst = Database(src_home), Database(dst_home)
    plant(src, {"settings": {"cloud_template": [], "temperature": 9.5, "system_prompt": "Hi.",
                             "window_layout": []}})
    plant(dst, {"settings": {"cloud_template": "local"}})
    out = tmp_path / "a.zip"
    DataService(src, src_home).export(out)
    DataService(dst, dst_home).import_file(out, mode)
    after = dict(snapshot(dst.path)["settings"])
    assert "temperature" not in after  # 9.5 is out of its range (0-5)
    assert after["system_prompt"] == "Hi." and after["window_layout"] == []
    assert after.get("cloud_template") == ("local" if mode == "merge" else None)
    src.close()
    dst.close()


def test_merge_keeps_local_data_and_settings(tmp_path: Path) -> None:
    src_home, dst_home = tmp_path / "a", tmp_path / "b"
    src, dst = Database(src_home), Database(dst_home)
    plant(src, SAMPLE_DATA)
    plant(dst, {"conversations": [{"title": "local", "messages": [
        {"role": "user", "content": "mine"}, {"role": "assistant", "content": "ok"}]}],
        "samples": [{"text": "local sample", "link": 0}],
        "settings": {"temperature": 0.9},
        "profiles": [{"method": "steerx", "description": "the local profile", "seed": 5}]})
    local_before = snapshot(dst.path)
    out = tmp_path / "a.zip"
    DataService(src, src_home).export(out)
    res = DataService(dst, dst_home).import_file(out, "merge")
    assert res.added["conversations"] == 2 and res.added["messages"] == 4
    after = snapshot(dst.path)
    # local rows unchanged and first; the archive's follow with shifted ids
    assert after["conversations"][:1] == local_before["conversations"]
    assert [c[1] for c in after["conversations"]] == ["local", "Trip to Zürich 🚆", "empty"]
    assert dict(after["settings"])["temperature"] == 0.9  # local setting wins
    assert dict(after["settings"])["system_prompt"] == "Be brief."  # missing ones filled in
    # the linked sample points at the imported copy of its message
    linked = [s for s in after["writing_samples"] if s[1] == "Plan a day in Zürich"][0]
    msg = [m for m in after["messages"] if m[0] == linked[5]][0]
    assert msg[3].startswith("Plan a day in Zürich")
    # a local profile stays; a method missing here comes in, inactive beside the local one
    profiles = {p[1]: p for p in after["profiles"]}
    assert profiles["steerx"] == local_before["profiles"][0]
    assert profiles["stylevector"][15] == 0 and profiles["steerx"][15] == 1
    # the conversation order of messages is kept
    conv_id = after["conversations"][1][0]
    assert [m[3] for m in after["messages"] if m[1] == conv_id][-1] == "half a rep"
    src.close()
    dst.close()


# --------------------------------------------------------------------------- secrets


def test_no_secret_in_export(home: Path, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    marker = "sk-MARKER-" + os.urandom(8).hex()
    set_api_key(marker)
    assert memory_keyring.store[(SERVICE_NAME, "default")] == marker
    db = Database(home)
    plant(db, {**SAMPLE_DATA, "settings": {
        "temperature": 0.4,
        "cloud_api_key": marker,  # must never be a setting, but if it were...
        "openai_token": "tok-" + marker,
        "cloud_headers": {"X-Custom": f"Bearer {marker}"},  # name looks harmless, value does not
        "cloud_base_url": "http://127.0.0.1:8080/v1",
    }})
    out = tmp_path / "e.zip"
    DataService(db, home).export(out)
    raw = out.read_bytes()
    needles = [marker.encode(), marker.encode("utf-16-le")]
    assert not any(n in raw for n in needles)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            data = z.read(name)
            assert not any(n in data for n in needles), name
        kept = json.loads(z.read("settings.json"))
    assert kept == {"temperature": 0.4, "cloud_base_url": "http://127.0.0.1:8080/v1"}
    db.close()


def test_secrets_module_with_and_without_keyring(memory_keyring: MemoryKeyring) -> None:
    from keyring.backends import fail

    from assistant.secrets import delete_api_key

    assert get_api_key() is None
    set_api_key("k1")
    assert get_api_key() == "k1" and memory_keyring.store[(SERVICE_NAME, "default")] == "k1"
    set_api_key("k2", account="work")
    assert delete_api_key() is True and get_api_key() is None
    assert get_api_key("work") == "k2"
    assert delete_api_key() is False
    # No OS keyring: the key lives in memory for the session only.
    keyring.set_keyring(fail.Keyring())
    set_api_key("session-only")
    assert get_api_key() == "session-only"
    assert delete_api_key() is True and get_api_key() is None


# --------------------------------------------------------------------------- ChatGPT


def chatgpt_export() -> list[dict[str, Any]]:
    """The shape of ChatGPT's conversations.json: a message tree per conversation."""
    def node(nid, parent, children, role=None, text=None, t=None, **extra):
        msg = None
        if role:
            content = extra.pop("content", {"content_type": "text", "parts": [text]})
            msg = {"id": nid, "author": {"role": role}, "create_time": t, "content": content,
                   "metadata": extra.pop("metadata", {})}
        return nid, {"id": nid, "message": msg, "parent": parent, "children": children}

    conv1 = dict([
        node("root", None, ["sys"]),
        node("sys", "root", ["u1"], "system", "", 1.7e9,
             metadata={"is_visually_hidden_from_conversation": True}),
        node("u1", "sys", ["a1"], "user", "Wie geht's? Write like me: short.", 1.7e9 + 1),
        node("a1", "u1", ["u2a", "u2b"], "assistant", "Gut, danke!", 1.7e9 + 2,
             metadata={"model_slug": "gpt-4o"}),
        node("u2a", "a1", [], "user", "old branch (edited away)", 1.7e9 + 3),
        node("u2b", "a1", ["t1"], "user", None, 1.7e9 + 4, content={
            "content_type": "multimodal_text",
            "parts": [{"asset_pointer": "file-service://x"}, "Look at this photo 📷"]}),
        node("t1", "u2b", ["a2"], "tool", "tool output", 1.7e9 + 5),
        node("a2", "t1", [], "assistant", "Nice photo.", 1.7e9 + 6),
    ])
    conv2 = dict([
        node("r", None, ["x"]),
        node("x", "r", [], "user", "second chat", 1.71e9),
    ])
    return [
        {"title": "Greeting", "create_time": 1.7e9, "update_time": 1.7e9 + 6, "mapping": conv1,
         "current_node": "a2", "id": "c-1"},
        {"title": "Second", "create_time": 1.71e9, "update_time": 1.71e9, "mapping": conv2,
         "current_node": "x", "id": "c-2"},
        {"title": "only system", "create_time": 1.72e9, "mapping": dict([node("s", None, [])]),
         "current_node": "s"},
    ]


def test_chatgpt_import(home: Path, cli, tmp_path: Path) -> None:
    src = tmp_path / "conversations.json"
    src.write_text(json.dumps(chatgpt_export()), encoding="utf-8")
    r = cli("import", str(src), "--json")
    assert r.rc == 0, r.err
    assert r.json()["added"]["conversations"] == 2
    snap = snapshot(home / "assistant.db")
    assert [c[1] for c in snap["conversations"]] == ["Greeting", "Second"]
    first = [(m[2], m[3]) for m in snap["messages"] if m[1] == snap["conversations"][0][0]]
    assert first == [("user", "Wie geht's? Write like me: short."), ("assistant", "Gut, danke!"),
                     ("user", "Look at this photo 📷"), ("assistant", "Nice photo.")]
    samples = [(s[1], s[2], s[3]) for s in snap["writing_samples"]]
    assert samples == [("Wie geht's? Write like me: short.", "", "chat"),
                       ("Look at this photo 📷", "Gut, danke!", "chat"),
                       ("second chat", "", "chat")]
    assert all(s[5] is not None for s in snap["writing_samples"])  # linked to their messages
    assert snap["messages"][1][5] == "gpt-4o"

    # The zip ChatGPT hands out works too, and nothing is imported twice.
    z = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("conversations.json", src.read_text(encoding="utf-8"))
        zf.writestr("chat.html", "<html></html>")
    r = cli("import", str(z), "--json")
    assert r.rc == 0, r.err
    assert r.json()["added"]["conversations"] == 0
    assert snapshot(home / "assistant.db") == snap
    r = cli("import", str(src), "--replace")
    assert r.rc == 1 and "merged" in r.err


# --------------------------------------------------------------------------- crash safety


def _integrity(db_path: Path) -> str:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _kill_at_hook(args: list[str], home: Path, hook: str) -> None:
    """Run the CLI, wait until it reports the test hook, then SIGKILL it."""
    env = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1", **{hook: "30"})
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "test-hook" not in line:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, f"exited early: {proc.poll()}"
            assert time.monotonic() < deadline
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_kill_during_import_keeps_old_state(home: Path, cli, tmp_path: Path) -> None:
    other_home = tmp_path / "other"
    other = Database(other_home)
    plant(other, {**SAMPLE_DATA, "conversations": SAMPLE_DATA["conversations"] * 200})
    archive = tmp_path / "new.zip"
    DataService(other, other_home).export(archive)
    new_state = snapshot(other.path)
    other.close()

    db = Database(home)
    plant(db, {"conversations": [{"title": "old", "messages": [
        {"role": "user", "content": "old state"}]}], "samples": [{"text": "old sample"}]})
    old_state = snapshot(db.path)
    db.close()

    for mode in ("--replace", "--merge"):
        _kill_at_hook(["import", str(archive), mode], home, "ASSISTANT_TEST_SLOW_IMPORT")
        assert _integrity(home / "assistant.db") == "ok"
        assert snapshot(home / "assistant.db") == old_state
    # Without the kill the same import goes through: the new state, whole.
    assert cli("import", str(archive), "--replace").rc == 0
    assert _integrity(home / "assistant.db") == "ok"
    assert snapshot(home / "assistant.db") == new_state


def test_reset_removes_a_killed_exports_copy(home: Path, tmp_path: Path) -> None:
    """A reset promises the text is gone: that includes a killed export's temp file."""
    db = Database(home)
    plant(db, SAMPLE_DATA)
    db.close()
    out_dir = tmp_path / "Documents"
    out_dir.mkdir()
    _kill_at_hook(["export", str(out_dir / "backup.zip")], home, "ASSISTANT_TEST_SLOW_EXPORT")
    assert [p.name for p in out_dir.iterdir() if p.name.endswith(".partial")]
    db = Database(home)
    try:
        result = DataService(db, home).reset("profile")
    finally:
        db.close()
    assert list(out_dir.iterdir()) == []
    assert result.files_removed >= 1


def test_a_live_exports_temp_file_is_left_alone(tmp_path: Path) -> None:
    """Another window exporting right now keeps its temp file when this one starts."""
    from store.partials import PartialLedger

    ledger = PartialLedger(tmp_path / "notes")
    live = tmp_path / ".backup.zip.abcd.partial"
    live.write_bytes(b"in progress")
    note = ledger.add(live)  # this process is alive
    assert ledger.sweep() == 0 and live.exists()
    ledger.drop(note)
    stray = tmp_path / "not-an-export.txt"  # a note never makes us delete other files
    stray.write_text("keep")
    (tmp_path / "notes" / "1-x.json").write_text(
        json.dumps({"path": str(stray), "pid": 2**22 + 1}))
    assert ledger.sweep() == 0 and stray.exists()
    assert list((tmp_path / "notes").iterdir()) == []


def test_kill_during_export_leaves_no_archive(home: Path, cli, tmp_path: Path) -> None:
    db = Database(home)
    plant(db, {**SAMPLE_DATA, "conversations": SAMPLE_DATA["conversations"] * 100})
    state = snapshot(db.path)
    db.close()
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    out = out_dir / "backup.zip"

    _kill_at_hook(["export", str(out)], home, "ASSISTANT_TEST_SLOW_EXPORT")
    assert not out.exists()
    assert _integrity(home / "assistant.db") == "ok"
    assert snapshot(home / "assistant.db") == state
    leftovers = list(out_dir.iterdir())
    assert all(p.name.endswith(".partial") for p in leftovers)

    assert leftovers and list((home / "exports-in-progress").iterdir())

    # The next start of the app (any command) removes the dead export's copy.
    assert cli("history", "list").rc == 0
    assert list(out_dir.iterdir()) == []
    assert list((home / "exports-in-progress").iterdir()) == []

    # An old archive under the same name survives a killed export intact.
    assert cli("export", str(out)).rc == 0
    assert [p.name for p in out_dir.iterdir()] == ["backup.zip"]  # stale partial cleaned up
    good = out.read_bytes()
    _kill_at_hook(["export", str(out), "--force"], home, "ASSISTANT_TEST_SLOW_EXPORT")
    assert out.read_bytes() == good
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None


def test_progress_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "h"
    db = Database(home)
    plant(db, {**SAMPLE_DATA, "conversations": SAMPLE_DATA["conversations"] * 300})
    seen: list[tuple[str, int, int]] = []
    svc = DataService(db, home)
    svc.export(tmp_path / "p.zip", progress=lambda *a: seen.append(a))
    svc.import_file(tmp_path / "p.zip", "replace", progress=lambda *a: seen.append(a))
    svc.reset("profile", progress=lambda *a: seen.append(a))
    phases = {p for p, _, _ in seen}
    assert {"exporting", "checking", "reading", "importing", "erasing"} <= phases
    assert ("exporting", 1803, 1803) in seen
    db.close()


def test_import_rejects_unknown_mode(tmp_path: Path) -> None:
    db = Database(tmp_path / "h")
    with pytest.raises(UserError, match="Unknown import mode"):
        DataService(db, tmp_path / "h").import_file(tmp_path / "x.zip", "overwrite")
    db.close()


def test_archives_of_the_first_version_still_import_their_vectors():
    """0.1 wrote every stored row, the always-zero last one too, as direction.1..n_layer."""
    from assistant.data.sections import _vector_rows
    from engine.steering.vectors import SteeringVector

    rows = np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32)
    rows[-1] = 0
    old = SteeringVector({i + 1: rows[i] for i in range(4)}, "llama", 8)  # n_layer unknown
    assert _vector_rows(old.to_gguf_bytes(), 4, 8) == rows.tobytes()
    rows[-1] = 1  # a real direction beyond the model's layers is refused
    bad = SteeringVector({i + 1: rows[i] for i in range(4)}, "llama", 8)
    with pytest.raises(ValueError, match="beyond the model"):
        _vector_rows(bad.to_gguf_bytes(), 4, 8)
