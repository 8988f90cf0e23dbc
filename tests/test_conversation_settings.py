"""A conversation's own instructions and method: set from the CLI, used by the turn,
carried by export and import, and checked like every other input."""

from __future__ import annotations

import zipfile

from assistant.chat.conversations import ChatService
from assistant.data import DataService
from assistant.writing.history import HistoryService


def _conversation(app) -> int:
    chat = ChatService(app.db)
    turn = chat.begin_turn(None, "Hello there.", model_name="m")
    for _ in chat.generate(turn, iter(["Hi!"])):
        pass
    return turn.conversation_id


def test_instructions_and_method_reach_the_turn(app, cli):
    cid = _conversation(app)
    HistoryService(app.db).add("Coffee first. Then the inbox.", prompt="Morning?")
    r = cli("conversations", "set", str(cid), "--instructions", "Answer in one word.",
            "--method", "rag")
    assert r.rc == 0, r.err
    chat = ChatService(app.db, "The app-wide prompt.")
    msgs = chat.prepare_messages(cid, "Next?")
    assert msgs[0] == {"role": "system", "content": "Answer in one word."}
    out = cli("chat", "--conversation", str(cid), "--json", "--max-tokens", "4", "Next?")
    assert out.rc == 0, out.err
    assert out.json()["method"] == "rag"  # the conversation's method, not the app's (none)
    # A new chat is untouched by it.
    assert cli("chat", "--json", "--max-tokens", "4", "Hi").json()["method"] == "none"
    # Back to the app's.
    assert cli("conversations", "set", str(cid), "--instructions", "none", "--method",
               "default").rc == 0
    assert ChatService(app.db).settings_of(cid) == {}


def test_bad_settings_are_refused_in_one_line(app, cli):
    cid = _conversation(app)
    bad = cli("conversations", "set", str(cid), "--method", "telepathy")
    assert bad.rc == 1 and "Unknown method 'telepathy'" in bad.err
    long = cli("conversations", "set", str(cid), "--instructions", "x" * 20_001)
    assert long.rc == 1 and "at most 20000 characters" in long.err
    none = cli("conversations", "set", str(cid))
    assert none.rc == 1 and "Nothing to set" in none.err
    assert ChatService(app.db).settings_of(cid) == {}


def test_export_and_import_carry_them(app, tmp_path):
    cid = _conversation(app)
    ChatService(app.db).set_settings(cid, instructions="Be brief.", method="steerx")
    out = tmp_path / "backup.zip"
    svc = DataService(app.db, app.home)
    svc.export(out)
    with zipfile.ZipFile(out) as z:
        assert '"settings":{"instructions":"Be brief.","method":"steerx"}' in \
            z.read("conversations.jsonl").decode()
    svc.import_file(out, "replace")
    assert ChatService(app.db).settings_of(cid) == {"instructions": "Be brief.",
                                                    "method": "steerx"}


def test_temperature_and_reply_length_reach_the_turn(app, cli):
    """A conversation's reply length caps its replies; a flag for one turn wins over it."""
    cid = _conversation(app)
    r = cli("conversations", "set", str(cid), "--temperature", "0", "--max-tokens", "3")
    assert r.rc == 0, r.err
    assert ChatService(app.db).settings_of(cid) == {"temperature": 0.0, "max_tokens": 3}
    out = cli("chat", "--conversation", str(cid), "--json", "Tell me a long story.").json()
    assert out["tokens"] <= 3 and out["finish_reason"] == "length"
    # Greedy (its temperature 0): the same message answered twice is the same reply.
    again = cli("chat", "--conversation", str(cid), "--json", "Tell me a long story.").json()
    assert again["text"] == out["text"]
    longer = cli("chat", "--conversation", str(cid), "--json", "--max-tokens", "6",
                 "Tell me a long story.").json()
    assert 3 < longer["tokens"] <= 6
    bad = cli("conversations", "set", str(cid), "--temperature", "9")
    assert bad.rc == 1 and "temperature must be a number from 0 to 5" in bad.err
    assert cli("conversations", "set", str(cid), "--temperature", "default",
               "--max-tokens", "default").rc == 0
    assert ChatService(app.db).settings_of(cid) == {}
