"""What counts as the user's writing (issue 35): sources, the include flag, the chat rule,
migration 0005 on a real 0004 database, retrieval that skips requests and near-copies of
the request, and the `history` CLI. Real SQLite files, the real model and MiniLM."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.chat.conversations import ChatService
from assistant.writing.history import HistoryService
from assistant.writing.sample_rules import counts_as_writing, default_include, looks_like_request
from engine.methods.rag import is_near_duplicate, pick_texts
from store import Database

REQUEST = "Show a Python hello world in a code block."
ESSAY = ("The fence went up on a grey morning. Nobody asked us. We watched from the "
         "kitchen and said nothing, which is how things go on this street.")


@pytest.mark.parametrize("msg", [
    REQUEST, "Write a short note to my neighbour about the fence.", "Can you fix this?",
    "what is the capital of France", "Tell me a joke", "```python\nprint(1)\n```",
    "I need a summary of this article.", "Please shorten it",
])
def test_requests_are_recognised(msg):
    assert looks_like_request(msg)
    assert not counts_as_writing(msg)
    assert default_include("chat", msg, learn_from_chat=True) is False


def test_writing_in_chat_counts_only_when_long_enough_and_asked_for():
    assert not looks_like_request(ESSAY) and counts_as_writing(ESSAY)
    assert not counts_as_writing("The fence is up. Nobody asked.")  # two sentences
    assert default_include("chat", ESSAY) is False  # the setting is off by default
    assert default_include("chat", ESSAY, learn_from_chat=True) is True
    for source in ("file", "typed", "draft", "edit"):
        assert default_include(source, REQUEST) is True


def _migrate_to(path: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from store.db import MIGRATIONS_DIR

    engine = create_engine(f"sqlite:///{path / 'assistant.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_migration_0005_keeps_every_sample_and_excludes_chat(tmp_path):
    _migrate_to(tmp_path, "0004")
    con = sqlite3.connect(tmp_path / "assistant.db")
    con.execute("INSERT INTO conversations (id, title, created_at, updated_at, cloud_enabled) "
                "VALUES (1, 't', '2026-01-01', '2026-01-01', 0)")
    con.execute("INSERT INTO messages (id, conversation_id, role, content, status, tokens, "
                "created_at, meta) VALUES (1, 1, 'user', ?, 'complete', 0, '2026-01-01', '{}')",
                (REQUEST,))
    rows = [(1, REQUEST, "chat", 1), (2, ESSAY, "file", None), (3, "My own draft.", "draft", None)]
    for sid, body, source, mid in rows:
        con.execute("INSERT INTO writing_samples (id, text, prompt, source, message_id, "
                    "created_at, updated_at) VALUES (?, ?, '', ?, ?, '2026-01-01', "
                    "'2026-01-01')", (sid, body, source, mid))
    con.commit()
    con.close()
    db = Database(tmp_path)  # migrates to head
    try:
        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT id, text, source, include FROM writing_samples "
                                    "ORDER BY id")).all()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"
            assert conn.execute(text("SELECT count(*) FROM edit_pairs")).scalar() == 0
        assert [(r.id, r.text, r.source) for r in got] == [(s, b, src) for s, b, src, _ in rows]
        assert [bool(r.include) for r in got] == [False, True, True]
        assert [s.id for s in HistoryService(db).writing()] == [2, 3]
    finally:
        db.close()


def test_a_chat_message_is_kept_but_not_learned_from_unless_the_user_says_so(app):
    chat = ChatService(app.db)
    chat.begin_turn(None, REQUEST, model_name="m")
    chat.begin_turn(None, ESSAY, model_name="m")
    history = HistoryService(app.db)
    samples = history.list()
    assert [(s.source, s.include) for s in samples] == [("chat", False), ("chat", False)]
    assert history.writing() == [] and history.count(included_only=True) == 0
    from assistant.settings import update_setting

    update_setting(app.db, "learn_from_chat", True)
    chat.begin_turn(None, REQUEST + " Then explain it.", model_name="m")
    chat.begin_turn(None, ESSAY, model_name="m")
    assert [s.include for s in history.list()] == [False, False, False, True]
    history.set_included(samples[0].id, True)  # the user includes a request by hand
    assert [s.text for s in history.writing()] == [REQUEST, ESSAY]


def test_near_duplicates_of_the_request_are_never_retrieved(llama_runtime):
    assert is_near_duplicate(REQUEST, "Show a Python hello world in a code block please.")
    assert is_near_duplicate("Write a short note to my neighbour about the fence and the dog.",
                             "a short note to my neighbour about the fence")
    assert not is_near_duplicate(REQUEST, ESSAY)
    # A long text of the user that merely contains the request's few words is kept.
    assert not is_near_duplicate("the fence", ESSAY)
    texts = ["Show me a Python hello world in a code block.", ESSAY, "Coffee first, always."]
    assert sorted(pick_texts(REQUEST, texts, llama_runtime, 4000).indices) == [1, 2]


def _request(app, text_):
    from assistant import method_registry as methods
    from engine.runtime.generation import CancelToken

    rt = app.runtime()
    return methods.Request(app, rt, [{"role": "user", "content": text_}], text_,
                           app.sampling(max_tokens=8), CancelToken())


def test_retrieval_reads_included_samples_only_and_never_the_request(app):
    from assistant import method_registry as methods

    history = HistoryService(app.db)
    ChatService(app.db).begin_turn(None, REQUEST, model_name="m")  # a planted chat request
    planted = history.list()[0].id
    own = [history.add(ESSAY, source="typed"),
           history.add("Coffee first. Then the inbox. Then, maybe, people.", source="file"),
           history.add("Show a Python hello world in a code block, thanks.", source="typed")]
    texts, ids, _used = methods.retrieve_texts(_request(app, REQUEST))
    assert ids == own[:2]  # not the chat request, not the near-copy of the request
    prepared = methods.METHODS["rag"].prepare(_request(app, REQUEST))
    assert f"#{own[0]}" in prepared.notice and "The fence went up" in prepared.notice
    assert prepared.details["rag_previews"][0].startswith("The fence went up")
    history.set_included(planted, True)
    _texts, ids, _used = methods.retrieve_texts(_request(app, "Tell me about Python"))
    assert planted in ids  # included by the user: retrieved like any other text


def test_history_cli_marks_sources_and_includes(cli, app):
    ChatService(app.db).begin_turn(None, REQUEST, model_name="m")
    r = cli("history", "add", "--text", ESSAY, "--json")
    assert r.rc == 0, r.err
    r = cli("history", "list")
    assert r.rc == 0
    lines = r.out.splitlines()
    assert "chat" in lines[0] and "excluded" in lines[0]
    assert "typed" in lines[1] and "included" in lines[1]
    assert cli("history", "include", "1").rc == 0
    listed = cli("history", "list", "--json").json()
    assert [(x["source"], x["include"]) for x in listed] == [("chat", True), ("typed", True)]
    assert cli("history", "exclude", "2").rc == 0
    assert [x["include"] for x in cli("history", "list", "--json").json()] == [True, False]
    r = cli("history", "exclude", "99")
    assert r.rc == 1 and "No writing sample with id 99" in r.err and "Traceback" not in r.err


def test_a_drafting_result_is_only_the_text():
    from assistant.chat.drafting import ACTIONS, clean_result, draft_messages

    body = "team: meeting moves to thursday."
    for raw in (f"Here's a rewritten version of your text:\n\n{body}",
                f'Sure! Here is the rewritten text:\n"{body}"',
                f"\u201c{body}\u201d\n\nNote: I kept it casual.",
                f"The rewritten version:\n{body}\n\nI hope this helps!", body):
        assert clean_result(raw) == body, raw
    assert clean_result('She said "hi" and "bye".') == 'She said "hi" and "bye".'
    system = draft_messages("voice", "hey all", ["yo, late again. sorry."])[0]["content"]
    assert "no greeting" in system and "Here is" in system and "formal" not in system
    assert "formal" in ACTIONS["formal"].instruction  # a formal register only when asked


def test_words_typical_of_you_are_words():
    """SmolLM2 splits "don't" into "don" + "'t" and punctuation into tokens of its own: the
    profile's words join the first and drop the rest (it listed "don", "," and "?")."""
    import numpy as np

    from engine.methods.steerx import is_word, preference_tokens, words

    pieces = ["I", " don", "'t", " know", ",", " Mar", "low", "e", "?", " ```", "print", "("]
    effects = np.full(len(pieces), 2.0)
    assert [w for w, _ in words(pieces, effects)][:4] == ["I", "don't", "know", ","]
    got = [r["token"] for r in preference_tokens([pieces], [effects], tau=1.0)]
    assert all(is_word(t) for t in got) and {"don't", "Marlowe", "know"} <= set(got)
    assert not {",", "?", "don", "print("} & set(got)


def test_export_import_carry_the_flag_and_old_archives_default_it(app, tmp_path):
    from assistant.app import AppContext
    from assistant.data import DataService
    from assistant.data.records import sample_row

    history = HistoryService(app.db)
    kept_out = history.add(ESSAY, source="typed")
    history.set_included(kept_out, False)
    history.add(REQUEST, source="chat", include=True)  # included by the user
    out = tmp_path / "backup.zip"
    DataService(app.db, app.home).export(out)
    other = AppContext(tmp_path / "other")
    try:
        DataService(other.db, other.home).import_file(out)
        assert [(s.source, s.include) for s in HistoryService(other.db).list()] == [
            ("typed", False), ("chat", True)]
    finally:
        other.close()
    # A record from before the flag (an older archive, a ChatGPT export) gets the
    # migration's rule: chat excluded, everything else included.
    old = {"id": 1, "text": "x", "prompt": "", "source": "chat", "source_ref": None,
           "message_id": None, "created_at": "2026-01-01T00:00:00",
           "updated_at": "2026-01-01T00:00:00"}
    assert sample_row(old, "old")["include"] is False
    assert sample_row({**old, "source": "file"}, "old")["include"] is True


def test_a_chatgpt_import_keeps_its_messages_out_of_the_profile(app, tmp_path):
    import json

    from assistant.data import DataService

    conv = {"title": "t", "create_time": 1.7e9, "mapping": {
        "a": {"id": "a", "parent": None, "children": ["b"], "message": {
            "author": {"role": "user"}, "create_time": 1.7e9,
            "content": {"content_type": "text", "parts": [REQUEST]}}},
        "b": {"id": "b", "parent": "a", "children": [], "message": {
            "author": {"role": "assistant"}, "create_time": 1.7e9 + 1,
            "content": {"content_type": "text", "parts": ["print('hello world')"]}}}}}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([conv]))
    DataService(app.db, app.home).import_file(path)
    samples = HistoryService(app.db).list()
    assert [(s.source, s.include) for s in samples] == [("chat", False)]


def test_a_history_of_requests_only_is_not_called_empty(app):
    from assistant import method_registry as methods

    ChatService(app.db).begin_turn(None, REQUEST, model_name="m")
    assert methods.use(app, "rag") == "none of your writing samples is included"
    with pytest.raises(methods.ProfileMissing, match="None of your writing samples is included"):
        methods.retrieve_texts(_request(app, "Tell me about Python"))
