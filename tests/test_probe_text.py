# ruff: noqa: F811 - the archive fixtures are imported from test_archive_bad_inputs
"""The probe's text cases, table-driven: one text rule at every boundary.

An archive or export carrying a lone surrogate (a JSON "\\ud83d" escape) anywhere
(settings, a message's meta, a conversation's instructions, a text, a key) is refused
whole, naming the problem, and the data already there is untouched, so export and chat
keep working. The same rule holds for stdin, files, arguments and settings, and stored
control characters (NUL and ESC included) reach a terminal escaped.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.data import DataService
from assistant.errors import UserError
from assistant.text_rules import TextError, check_json_texts, check_text, for_terminal
from store import Database
from store.archive import Limits, json_line
from tests.conftest import REPO
from tests.test_archive_bad_inputs import (  # noqa: F401 - fixtures
    existing,
    good_archive,
    rebuild,
    snapshot,
)

SURROGATE = b"\\ud83d"  # as JSON writes it: a lone high surrogate


def _edit_first(fname: str, change: Callable[[dict], None]) -> Callable[[dict], None]:
    """An archive edit: `change` the first record of `fname`, then write the lone
    surrogate escape where it put "@@"."""
    def edit(files: dict[str, bytes]) -> None:
        lines = files[fname].splitlines()
        rec = json.loads(lines[0])
        change(rec)
        line = json_line(rec).rstrip(b"\n").replace(b"@@", SURROGATE)
        files[fname] = b"\n".join([line, *lines[1:]]) + b"\n"
    return edit


def _edit_settings(files: dict[str, bytes]) -> None:
    settings = json.loads(files["settings.json"] or b"{}")
    settings["system_prompt"] = "Be kind @@"
    files["settings.json"] = json.dumps(settings).encode().replace(b"@@", SURROGATE)


ARCHIVE_CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    # The probe's cases: imported silently, then export and chat failed for good.
    "surrogate in settings.json system_prompt": (_edit_settings, "surrogate"),
    "surrogate in a message's meta": (
        _edit_first("messages.jsonl", lambda r: r.update(meta={"note": "x @@"})), "surrogate"),
    "surrogate in a conversation's instructions": (
        _edit_first("conversations.jsonl", lambda r: r.update(settings={"instructions": "@@"})),
        "surrogate"),
    # Refused before, but as "unexpected UnicodeEncodeError".
    "surrogate in a message's text": (
        _edit_first("messages.jsonl", lambda r: r.update(content="hi @@")), "surrogate"),
    "surrogate in a sample's text": (
        _edit_first("writing_samples.jsonl", lambda r: r.update(text="mine @@")), "surrogate"),
    # The class: anywhere, keys included.
    "surrogate in a key of meta": (
        _edit_first("messages.jsonl", lambda r: r.update(meta={"@@": 1})), "surrogate"),
    "surrogate in a title": (
        _edit_first("conversations.jsonl", lambda r: r.update(title="t @@")), "surrogate"),
    "low surrogate in a sample's prompt": (
        _edit_first("writing_samples.jsonl", lambda r: r.update(prompt="@@")), "surrogate"),
}


@pytest.mark.parametrize("case", list(ARCHIVE_CASES))
def test_an_archive_breaking_the_text_rule_is_refused_whole(
        case, good_archive, existing, home, tmp_path):
    edit, words = ARCHIVE_CASES[case]
    bad = rebuild(good_archive, tmp_path / "bad.zip", edit)
    db = Database(home)
    try:
        with pytest.raises(UserError) as info:
            DataService(db, home).import_file(bad, "replace")
        message = str(info.value)
        assert words in message and "Nothing was imported" in message, message
        assert "\n" not in message and "unexpected" not in message
        assert snapshot(home / "assistant.db") == existing
        DataService(db, home).export(tmp_path / "still.zip")  # export keeps working
    finally:
        db.close()


def test_one_huge_archive_line_is_refused_at_the_line_cap(good_archive, existing, home,
                                                          tmp_path):
    """A JSONL line over the cap is refused while it is read, not after holding it whole."""
    def edit(files: dict[str, bytes]) -> None:
        files["messages.jsonl"] += b'{"pad": "' + b"x" * (3 << 20) + b'"}\n'

    bad = rebuild(good_archive, tmp_path / "long-line.zip", edit)
    db = Database(home)
    try:
        with pytest.raises(UserError, match="longer than 1,048,576 bytes"):
            DataService(db, home, limits=Limits(max_line_bytes=1 << 20)).import_file(
                bad, "replace")
    finally:
        db.close()
    assert snapshot(home / "assistant.db") == existing


def _chatgpt(tmp_path: Path, title: str) -> Path:
    p = tmp_path / "conversations.json"
    p.write_text(json.dumps([{"title": title, "current_node": "b", "create_time": 1.7e9,
                              "mapping": {
        "a": {"id": "a", "parent": None, "children": ["b"], "message": None},
        "b": {"id": "b", "parent": "a", "children": [], "message": {
            "author": {"role": "user"}, "create_time": 1.7e9,
            "content": {"content_type": "text", "parts": ["hello there"]}}},
    }}]))
    return p


def test_a_chatgpt_title_with_esc_and_nul_reaches_the_terminal_escaped(home, tmp_path, cli):
    r = cli("import", str(_chatgpt(tmp_path, "evil\x1b[2J\x00title\x9b31m")))
    assert r.rc == 0, r.err
    r = cli("conversations", "list")
    assert r.rc == 0 and "evil\\x1b[2J\\x00title\\x9b31m" in r.out, r.out
    assert not any(c in r.out for c in "\x1b\x00\x9b")
    r = cli("conversations", "list", "--json")  # kept exactly, for JSON readers
    assert r.json()[0]["title"] == "evil\x1b[2J\x00title\x9b31m"


def test_stored_control_characters_reach_the_terminal_escaped(cli):
    r = cli("history", "add", "--text", "bell\x07 and escape\x1b[31m red")
    assert r.rc == 0, r.err
    r = cli("history", "list")
    assert "bell\\x07 and escape\\x1b[31m red" in r.out and "\x1b" not in r.out, r.out


CLI_CASES = {
    # (argv, stdin bytes, words in the one error line)
    "invalid UTF-8 on stdin to chat -": (["chat", "-"], b"caf\xe9 au lait", "not UTF-8"),
    "lone surrogate bytes (CESU) on stdin": (["chat", "-"], b"a \xed\xa0\xbd b", "not UTF-8"),
    "20 MB on stdin is refused at the cap": (["chat", "-"], b"word " * 4_000_000,
                                             "longer than 1,000,000"),
    "invalid UTF-8 in an argument": (["history", "add", "--text", b"caf\xe9"], None,
                                     "not valid UTF-8"),
}


def _run_bytes(home: Path, argv: list, stdin: bytes | None) -> tuple[int, str]:
    """The real command with raw bytes on stdin and in its arguments."""
    env = dict(os.environ, ASSISTANT_HOME=str(home))
    proc = subprocess.run([sys.executable, "-m", "assistant", *argv], input=stdin,
                          capture_output=True, timeout=120, env=env, cwd=REPO)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_text_from_stdin_and_arguments_breaking_the_rule_is_one_line(case, home):
    argv, stdin, words = CLI_CASES[case]
    t0 = time.monotonic()
    rc, err = _run_bytes(home, argv, stdin)
    took = time.monotonic() - t0
    lines = err.strip().splitlines()
    assert rc == 1, (rc, err[-500:])
    assert len(lines) == 1 and words in lines[0] and "unexpected" not in lines[0], err
    assert took < 20, took  # refused before tokenizing: the probe saw 24 s and 1 GB
    assert not (home / "assistant.db").exists() or _messages(home) == 0


def _messages(home: Path) -> int:
    con = sqlite3.connect(home / "assistant.db")
    try:
        return con.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        con.close()


def test_history_file_with_bad_bytes_is_one_line(cli, tmp_path):
    f = tmp_path / "cesu.txt"
    f.write_bytes(b"my text \xed\xa0\xbd more")
    r = cli("history", "add", str(f))
    assert r.rc == 1 and "not UTF-8 text" in r.err and "unexpected" not in r.err, r.err


def test_settings_refuse_a_lone_surrogate(app):
    from assistant.settings import update_setting

    with pytest.raises(UserError, match="surrogate"):
        update_setting(app.db, "system_prompt", "hi \ud83d")


RULE_CASES = {
    "plain text": ("hello\tworld\n", None),
    "lone high surrogate": ("a\ud83db", "surrogate"),
    "lone low surrogate": ("\udc00", "surrogate"),
    "a valid pair": ("\U0001f600", None),
    "NUL is kept (escaped on output)": ("a\x00", None),
    "ESC is kept (escaped on output)": ("\x1b[31m", None),
    "over the cap": ("x" * 11, "at most 10"),
    "not text": (5, "must be text"),
}


@pytest.mark.parametrize("case", list(RULE_CASES))
def test_the_one_text_rule(case):
    value, words = RULE_CASES[case]
    if words is None:
        assert check_text(value, "It", max_chars=10 if case == "over the cap" else 1000) == value
    else:
        with pytest.raises(TextError, match=words):
            check_text(value, "It", max_chars=10)


def test_json_walk_finds_the_rule_anywhere():
    with pytest.raises(TextError, match="surrogate"):
        check_json_texts({"a": [{"b": ["ok", {"c": "\udfff"}]}]}, "x")
    with pytest.raises(TextError, match="nested deeper"):
        check_json_texts(json.loads("[" * 100 + "]" * 100), "x")
    assert for_terminal("a\x1bb\nc\x00", one_line=True) == "a\\x1bb\\x0ac\\x00"
    assert for_terminal("a\x1bb\nc\td") == "a\\x1bb\nc\td"
