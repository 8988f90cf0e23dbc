"""Reset: erase the profile or everything, so that no file in the data folder keeps the text.

The markers go in through the real services (a chat turn, the history, the
profile folder), the reset runs through the real CLI, and the check reads the
raw bytes of every file under the data folder: database, WAL, shm, logs, cache.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.data import DataService
from assistant.secrets import SERVICE_NAME, get_api_key, set_api_key
from assistant.writing.history import HistoryService
from store.erase import files_containing
from store.models import GenericResponse, Profile, ProfileItemCache


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


def needles(marker: str) -> list[bytes]:
    return [marker.encode("utf-8"), marker.encode("utf-16-le")]


def holders(home: Path, marker: str) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in files_containing(home, needles(marker)))


def plant_everything(home: Path) -> dict[str, str]:
    """Markers in a chat (user text and reply), the history, a deleted chat, the profile."""
    kinds = ("msg", "reply", "sample", "desc", "generic", "gone")
    m = {k: f"{k.upper()}-{uuid.uuid4().hex}" for k in kinds}
    app = AppContext(home)
    try:
        chat = ChatService(app.db)
        turn = chat.begin_turn(None, f"Please remember {m['msg']} for me", model_name="test")
        # The reply streams through the real generate() path; the pieces stand in for a model.
        for _ in chat.generate(turn, iter(["Noted: ", m["reply"], "."])):
            pass
        HistoryService(app.db).add(f"My draft mentions {m['sample']} twice: {m['sample']}")
        # A chat deleted the ordinary way: its text must not survive the reset either.
        gone = chat.begin_turn(None, f"delete me {m['gone']}", model_name="test",
                               regenerate=True)  # no writing sample: only the chat holds it
        chat.delete(gone.conversation_id)
        # Many rows, so the text spreads over many pages and the WAL grows.
        for i in range(200):
            HistoryService(app.db).add(f"filler {i} " + "lorem ipsum " * 50)
        # The profile as the profile service stores it: the built profile with its
        # description, and the caches derived from the history.
        with app.db.session() as s:
            s.add(Profile(method="steerx", model_name="m", model_fingerprint="f" * 32,
                          n_layer=2, n_embd=4, layer=1, alpha=1.0,
                          description=f"Writes tersely. {m['desc']}",
                          preference_tokens=[m["desc"]], n_samples=1, item_hashes=[],
                          vectors=bytes(32), active=True, meta={}))
            s.add(GenericResponse(prompt_hash="p" * 64, model_fingerprint="f" * 32,
                                  text=f"A generic reply about {m['generic']}"))
            s.add(ProfileItemCache(item_hash="i" * 64, model_fingerprint="f" * 32, config="c",
                                   effects={"tokens": [m["generic"]]}, data=bytes(16)))
    finally:
        app.close()
    # Files a profile may keep beside the database (an exported vector, a cache).
    profile = home / "profile"
    (profile / "vectors").mkdir(parents=True)
    (profile / "vectors" / "steerx.gguf").write_bytes(b"GGUF" + bytes(60) + m["desc"].encode())
    cache = home / "cache"
    cache.mkdir()
    (cache / "generic-responses.jsonl").write_text(
        json.dumps({"prompt": m["sample"], "desc": m["desc"]}) + "\n", encoding="utf-8"
    )
    (cache / "utf16.txt").write_bytes(m["msg"].encode("utf-16-le"))
    return m


def test_reset_profile_then_all(home: Path, cli) -> None:
    m = plant_everything(home)
    assert holders(home, m["desc"])  # the planted text is really there before
    assert holders(home, m["msg"]) and holders(home, m["sample"])
    # The log never carries message text at INFO (the privacy rule of logging_setup).
    log_text = (home / "logs" / "assistant.log").read_bytes()
    assert log_text and not any(n in log_text for mk in m.values() for n in needles(mk))

    r = cli("reset", "--profile")  # without --yes nothing happens
    assert r.rc == 1 and "--yes" in r.err and len(r.err.strip().splitlines()) == 1
    assert holders(home, m["desc"])

    r = cli("reset", "--profile", "--yes")
    assert r.rc == 0, r.err
    assert holders(home, m["desc"]) == [] and holders(home, m["generic"]) == []
    assert not (home / "profile").exists() and not (home / "cache").exists()
    # History and chats stay with a profile reset.
    assert holders(home, m["sample"]) == ["assistant.db"]
    convs = cli("conversations", "list", "--json").json()
    assert len(convs) == 1

    r = cli("reset", "--all", "--yes")
    assert r.rc == 0, r.err
    for key, marker in m.items():
        assert holders(home, marker) == [], key
    wal = home / "assistant.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0

    # A working, empty database afterwards.
    assert cli("conversations", "list", "--json").json() == []
    assert cli("history", "list", "--json").json() == []
    assert cli("history", "add", "--text", "fresh start").rc == 0
    assert len(cli("history", "list", "--json").json()) == 1


def test_reset_all_in_process_removes_api_key(home: Path, memory_keyring: MemoryKeyring) -> None:
    m = plant_everything(home)
    marker_key = "sk-" + os.urandom(12).hex()
    set_api_key(marker_key)
    app = AppContext(home)
    try:
        svc = DataService.for_app(app)
        res = svc.reset("profile")
        assert res.api_key_removed is False and get_api_key() == marker_key
        # The app keeps running on the same database and log handler while it erases.
        res = svc.reset("all")
        assert res.api_key_removed is True
        assert get_api_key() is None and (SERVICE_NAME, "default") not in memory_keyring.store
        for marker in [*m.values(), marker_key]:
            assert holders(home, marker) == [], marker
        assert app.reload_settings().max_tokens == 512  # defaults again
        assert ChatService(app.db).list_conversations() == []
        # Logging still works after the live log was cut to zero.
        app_log = home / "logs" / "assistant.log"
        HistoryService(app.db).add("after reset")
        assert app_log.exists()
    finally:
        app.close()


def test_reset_with_nothing_to_erase(home: Path, cli) -> None:
    assert cli("reset", "--all", "--yes").rc == 0
    assert cli("reset", "--profile", "--yes").rc == 0
    r = cli("reset", "--yes")
    assert r.rc != 0  # a scope is required


def test_the_reset_question_counts_what_it_deletes(app):
    from assistant.chat.conversations import ChatService
    from assistant.data import DataService
    from assistant.errors import UserError
    from assistant.writing.history import HistoryService

    chat = ChatService(app.db)
    turn = chat.begin_turn(None, "hello there", model_name="m")
    list(chat.generate(turn, iter(["hi"])))
    list(chat.generate(chat.begin_turn(turn.conversation_id, "again", model_name="m"),
                       iter(["ok"])))
    history = HistoryService(app.db)
    history.add("one sample of mine")
    n = history.count()  # the user's chat messages are writing samples too
    assert n == 3
    svc = DataService.for_app(app)
    text = svc.reset_summary("all")
    assert f"1 conversation(s) with 4 message(s), {n} writing sample(s)" in text
    assert "conversations and writing history are kept" in svc.reset_summary("profile")
    with pytest.raises(UserError, match="Unknown reset scope"):
        svc.reset_summary("some")
