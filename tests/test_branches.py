"""Edit, regenerate any reply, and step between a reply's versions, through the real CLI
and the real model: the original conversation is never changed by a branch."""

from __future__ import annotations

from assistant.chat.conversations import ChatService
from assistant.writing.edits import list_pairs
from assistant.writing.history import HistoryService


def _say(cli, *args: str) -> dict:
    r = cli("chat", "--json", "--max-tokens", "6", *args)
    assert r.rc == 0, r.err
    return r.json()


def _two_exchanges(cli) -> int:
    cid = _say(cli, "--seed", "1", "Name a fruit.")["conversation_id"]
    _say(cli, "--conversation", str(cid), "--seed", "2", "Name a colour.")
    return cid


def test_regenerating_the_last_reply_keeps_the_earlier_one(app, cli):
    first = _say(cli, "--seed", "1", "--temperature", "1.5", "Name a fruit.")
    cid, reply = first["conversation_id"], first["message_id"]
    again = _say(cli, "--regenerate", str(reply), "--seed", "7", "--temperature", "1.5")
    assert again["conversation_id"] == cid
    chat = ChatService(app.db)
    msgs = chat.messages(cid)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert (msgs[1].version, msgs[1].n_versions) == (1, 2)
    assert msgs[1].content == again["text"]
    assert [v["content"] for v in chat.versions(msgs[1].id)] == [first["text"], again["text"]]
    r = cli("conversations", "version", str(msgs[1].id), "1")
    assert r.rc == 0 and first["text"] in r.out
    assert chat.messages(cid)[1].content == first["text"]  # what the next turn sees
    assert chat.prepare_messages(cid, "And?")[-2]["content"] == first["text"]
    shown = cli("conversations", "show", str(cid))
    assert "[version 1 of 2]" in shown.out
    assert HistoryService(app.db).count() == 1  # the message was not stored as a new sample
    bad = cli("conversations", "version", str(msgs[1].id), "3")
    assert bad.rc == 1 and "has 2 version(s)" in bad.err


def test_editing_a_message_continues_in_a_branch(app, cli):
    cid = _two_exchanges(cli)
    chat = ChatService(app.db)
    before = [(m.role, m.content) for m in chat.messages(cid)]
    first_user = chat.messages(cid)[0].id
    out = _say(cli, "--edit", str(first_user), "Name a vegetable.")
    branch = out["conversation_id"]
    assert branch != cid
    assert [(m.role, m.content) for m in chat.messages(cid)] == before  # untouched
    msgs = chat.messages(branch)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == "Name a vegetable." and msgs[1].content == out["text"]
    titles = {c.id: c.title for c in chat.list_conversations()}
    # The branch's number comes first, where a list that cuts long titles still shows it.
    assert titles[branch] == f"Branch 2 · {titles[cid]}"
    again = _say(cli, "--edit", str(chat.messages(branch)[0].id), "Name a herb.")
    titles = {c.id: c.title for c in chat.list_conversations()}
    assert titles[again["conversation_id"]] == f"Branch 3 · {titles[cid]}"
    assert len(set(titles.values())) == 3
    # The edited text is the user's writing too.
    assert "Name a vegetable." in [s.text for s in HistoryService(app.db).list()]
    reply = chat.messages(cid)[1].id
    bad = cli("chat", "--edit", str(reply), "x")
    assert bad.rc == 1 and "Only your own messages" in bad.err


def test_regenerating_an_earlier_reply_branches_and_keeps_its_versions(app, cli):
    cid = _two_exchanges(cli)
    chat = ChatService(app.db)
    before = [(m.role, m.content) for m in chat.messages(cid)]
    samples = HistoryService(app.db).count()
    old = chat.messages(cid)[1]
    out = _say(cli, "--regenerate", str(old.id), "--seed", "9", "--temperature", "1.5")
    branch = out["conversation_id"]
    assert branch != cid and [(m.role, m.content) for m in chat.messages(cid)] == before
    msgs = chat.messages(branch)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == "Name a fruit." and msgs[1].n_versions == 2
    assert [v["content"] for v in chat.versions(msgs[1].id)] == [old.content, out["text"]]
    assert HistoryService(app.db).count() == samples


def test_a_refused_edit_leaves_no_branch(app, cli):
    cid = _two_exchanges(cli)
    chat = ChatService(app.db)
    n = len(chat.list_conversations())
    first_user = chat.messages(cid)[0].id
    r = cli("chat", "--edit", str(first_user), "--method", "steerx", "Hi")  # no profile
    assert r.rc == 1
    assert len(chat.list_conversations()) == n


def test_an_edited_reply_is_kept_as_a_new_version(app, cli):
    first = _say(cli, "--seed", "1", "Name a fruit.")
    chat = ChatService(app.db)
    reply = first["message_id"]
    edited = chat.edit_reply(reply, "A pear, ripe and cold.")
    assert edited.content == "A pear, ripe and cold." and edited.edited
    assert (edited.version, edited.n_versions) == (1, 2)
    versions = chat.versions(reply)
    assert [v["content"] for v in versions] == [first["text"], "A pear, ripe and cold."]
    assert versions[1]["edited"] and versions[1]["edited_from"] == 0
    # What the next turn sees is the edit; the model's version is one step back.
    assert chat.prepare_messages(first["conversation_id"], "And?")[-2]["content"] == (
        "A pear, ripe and cold.")
    back = chat.show_version(reply, 0)
    assert back.content == first["text"] and not back.edited
    assert chat.versions(reply)[1]["edited"], "stepping back lost the edit's mark"
    # The edit is kept as the user's preference pair: (request, the model's text, theirs),
    # and their wording as a writing sample of source "edit" the profile learns from.
    pairs = list_pairs(app.db)
    assert [(p.request, p.model_text, p.user_text, p.origin) for p in pairs] == [
        ("Name a fruit.", first["text"].strip(), "A pear, ripe and cold.", "chat")]
    edits = [x for x in HistoryService(app.db).list() if x.source == "edit"]
    assert [x.text for x in edits] == ["A pear, ripe and cold."] and edits[0].include
    shown = cli("conversations", "show", str(first["conversation_id"]), "--json")
    assert shown.rc == 0


def test_continue_writes_on_from_a_reply_cut_at_its_length_limit(app, cli):
    first = _say(cli, "--seed", "1", "Write a long story about a lighthouse.")
    assert first["finish_reason"] == "length"
    chat = ChatService(app.db)
    reply = chat.messages(first["conversation_id"])[1]
    assert reply.finish_reason == "length"
    r = cli("chat", "--json", "--max-tokens", "6", "--seed", "2", "--continue", str(reply.id))
    assert r.rc == 0, r.err
    out = r.json()
    assert out["message_id"] == reply.id and out["conversation_id"] == first["conversation_id"]
    after = chat.messages(first["conversation_id"])
    assert [m.role for m in after] == ["user", "assistant"], "Continue added a message"
    assert after[1].content.startswith(first["text"]) and len(after[1].content) > len(
        first["text"])
    assert after[1].content == out["text"]
    assert after[1].tokens == 12
    bad = cli("chat", "--continue", str(reply.id), "more")
    assert bad.rc == 1 and "--continue" in bad.err
