"""The `assistant` command, run as a real subprocess against a temp data folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_version(cli) -> None:
    r = cli("--version")
    assert r.rc == 0 and r.out.startswith("assistant ")


@pytest.mark.slow
def test_chat_json_and_persistence_across_processes(cli, home) -> None:
    r = cli("chat", "--json", "--max-tokens", "40", "--seed", "7", "Say hello to Ada.")
    assert r.rc == 0, r.err
    j = r.json()
    for key in ("text", "tokens", "seconds", "tokens_per_s", "model", "conversation_id"):
        assert key in j
    assert j["text"].strip() and j["tokens"] > 0 and j["status"] == "complete"
    assert j["text"] in r.out  # streamed before the JSON line
    cid = j["conversation_id"]

    r2 = cli("chat", "--json", "--max-tokens", "20", "--conversation", str(cid), "And to Bob?")
    assert r2.rc == 0, r2.err
    assert r2.json()["conversation_id"] == cid

    convs = cli("conversations", "list", "--json").json()
    assert [c["id"] for c in convs] == [cid] and convs[0]["messages"] == 4
    msgs = cli("conversations", "show", str(cid), "--json").json()
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[1]["content"] == j["text"] and msgs[1]["status"] == "complete"
    # The user's own chat messages are kept as samples, but not learned from (requests).
    samples = cli("history", "list", "--json").json()
    assert [s["text"] for s in samples] == ["Say hello to Ada.", "And to Bob?"]
    assert samples[1]["prompt"] == j["text"] and samples[1]["source"] == "chat"
    assert [s["include"] for s in samples] == [False, False]
    # Nothing of the message text is in the log at INFO.
    log = (home / "logs" / "assistant.log").read_text()
    assert "Ada" not in log and "turn started" in log


def test_history_add_list_rm(cli, tmp_path: Path) -> None:
    f1 = tmp_path / "a.md"
    f1.write_text("# Notes\nI write short, punchy sentences.", encoding="utf-8")
    r = cli("history", "add", "--text", "Cheers, Sam", str(f1), "--json")
    assert r.rc == 0, r.err
    ids = r.json()["added"]
    assert len(ids) == 2
    listed = cli("history", "list", "--json").json()
    assert {s["source"] for s in listed} == {"typed", "file"}  # --text: typed as a sample
    assert cli("history", "rm", str(ids[0])).rc == 0
    assert len(cli("history", "list", "--json").json()) == 1
    r = cli("history", "rm", "999")
    assert r.rc == 1 and "No writing sample with id 999" in r.err


@pytest.mark.parametrize(
    "payload, message",
    [(b"caf\xe9 au lait", "not UTF-8 text"), (b"\x89PNG\x00\x00binary", "binary data")],
)
def test_history_file_not_text(cli, tmp_path: Path, payload: bytes, message: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(payload)
    good = tmp_path / "good.txt"
    good.write_text("fine text")
    r = cli("history", "add", str(good), str(f))
    assert r.rc == 1 and message in r.err and "Traceback" not in r.err
    # All-or-nothing: the good file was not imported either.
    assert cli("history", "list", "--json").json() == []


@pytest.mark.slow
def test_models_list_and_use(cli, model_path, tmp_path: Path) -> None:
    r = cli("models", "list", "--json")
    assert r.rc == 0
    rows = r.json()
    assert rows[0]["source"] == "embedded" and rows[0]["active"] and rows[0]["layers"] == 30
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"nope")
    r = cli("models", "use", str(bad))
    assert r.rc == 1 and "not a GGUF" in r.err
    # A saved model choice is used by later commands.
    copy = tmp_path / "copy.gguf"
    os.symlink(model_path, copy)
    assert cli("models", "use", str(copy)).rc == 0
    j = cli("chat", "--json", "--max-tokens", "5", "hi").json()
    assert j["model_path"] == str(copy.resolve())


@pytest.mark.parametrize(
    "kind, message",
    [
        ("missing", "Model file not found"),
        ("text", "not a GGUF model file"),
        ("truncated", "truncated"),
    ],
)
def test_bad_model_flag(cli, tmp_path: Path, model_path, kind: str, message: str) -> None:
    f = tmp_path / f"{kind}.gguf"
    if kind == "text":
        f.write_text("hello")
    elif kind == "truncated":
        f.write_bytes(model_path.read_bytes()[:5_000_000])
    r = cli("chat", "--model", str(f), "hi")
    assert r.rc == 1, r.err
    assert message in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_empty_prompt(cli) -> None:
    r = cli("chat", "   ")
    assert r.rc == 1 and "empty" in r.err
    assert cli("conversations", "list", "--json").json() == []


def test_prompt_longer_than_context(cli) -> None:
    r = cli("chat", "word " * 6000)
    assert r.rc == 1 and "context holds" in r.err and "Traceback" not in r.err
    # Nothing half-done is stored.
    assert cli("conversations", "list", "--json").json() == []


def test_long_conversation_is_trimmed_and_says_so(cli) -> None:
    assert cli("settings", "set", "n_ctx", "512").rc == 0
    first = cli("chat", "--json", "--max-tokens", "10", "tell me " * 150)
    assert first.rc == 0, first.err
    cid = str(first.json()["conversation_id"])
    r = cli("chat", "--json", "--max-tokens", "120", "--conversation", cid, "and " * 150)
    assert r.rc == 0, r.err
    assert "oldest turns were left out" in r.err
    assert r.json()["trimmed_turns"] >= 1


def test_locked_data_folder(cli, home) -> None:
    assert cli("history", "add", "--text", "first").rc == 0
    conn = sqlite3.connect(home / "assistant.db", isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        r = cli("history", "add", "--text", "second", env={"ASSISTANT_BUSY_TIMEOUT_MS": "300"})
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert r.rc == 1, r.err
    assert "locked by another running copy" in r.err and "Traceback" not in r.err


def test_read_only_data_folder() -> None:
    """A data folder the user cannot write to: one clear line (run unprivileged when root)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        ro = Path(tmp) / "ro"
        ro.mkdir()
        os.chmod(ro, 0o555)
        cmd = [sys.executable, "-m", "assistant", "--home", str(ro), "history", "list"]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = dict(os.environ, HOME=tmp, PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "read-only" in proc.stderr and "Traceback" not in proc.stderr


def test_home_flag_overrides_env(cli, tmp_path: Path) -> None:
    other = tmp_path / "other-home"
    assert cli("--home", str(other), "history", "add", "--text", "elsewhere").rc == 0
    assert (other / "assistant.db").exists()
    assert cli("history", "list", "--json").json() == []
    assert len(cli("--home", str(other), "history", "list", "--json").json()) == 1


def test_settings_show_has_no_secret(cli) -> None:
    j = cli("settings", "show", "--json").json()
    assert j["temperature"] == 0.7 and "api_key" not in j
