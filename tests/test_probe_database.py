"""The probe's damaged-database cases, table-driven, on copies of a real database the app
made: a text file, one cut in half, one with pages zeroed in the middle, and one of an
unknown schema revision. Every command says so in one line (no traceback), `doctor`
says what is wrong, `repair` saves the rows SQLite can still read into a fresh database
and keeps the damaged file aside, and `reset --all --yes` starts again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.settings import update_setting
from assistant.writing.history import HistoryService
from store.repair import damaged_copies, diagnose, repair

N_SAMPLES = 300
TOTAL = N_SAMPLES + 1  # and the chat message's own sample
PAGE = 4096


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A data folder the app filled: samples, a conversation, a setting."""
    home = tmp_path_factory.mktemp("seeded") / "home"
    app = AppContext(home)
    try:
        history = HistoryService(app.db)
        for i in range(N_SAMPLES):
            history.add(f"sample {i:04d} " + "the tide came in over the rocks " * 8)
        chat = ChatService(app.db)
        turn = chat.begin_turn(None, "hello there", model_name="m")
        for _ in chat.generate(turn, iter(["a reply"])):
            pass
        update_setting(app.db, "temperature", 0.3)
        app.db.checkpoint()
    finally:
        app.close()
    return home


def _texts(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT text FROM writing_samples ORDER BY id")]
    finally:
        con.close()


def _zero_pages(db: Path) -> int:
    """Zero three pages in the middle of the samples' table; how many samples they held."""
    data = bytearray(db.read_bytes())
    n = len(data) // PAGE
    first = n // 2
    for page in range(first, first + 3):
        data[page * PAGE:(page + 1) * PAGE] = bytes(PAGE)
    db.write_bytes(bytes(data))
    return 3


def _damage(kind: str, home: Path) -> None:
    db = home / "assistant.db"
    if kind == "text file":
        db.write_text("this is a text file, not a database\n" * 40)
    elif kind == "cut in half":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    elif kind == "pages zeroed":
        _zero_pages(db)
    elif kind == "unknown revision":
        con = sqlite3.connect(db)
        con.execute("UPDATE alembic_version SET version_num = 'zz99_future'")
        con.commit()
        con.close()


DAMAGES = ["text file", "cut in half", "pages zeroed", "unknown revision"]
COMMANDS = {
    "history list": ["history", "list"],
    "conversations list": ["conversations", "list"],
    "settings show": ["settings", "show"],
    "settings set": ["settings", "set", "temperature", "0.5"],
    "export": ["export", "{tmp}/out.zip"],
    "profile show": ["profile", "show"],
    "reset --profile": ["reset", "--profile", "--yes"],
    "history add": ["history", "add", "--text", "new words"],
}


@pytest.fixture
def damaged_home(seeded, home, request) -> Path:
    shutil.copytree(seeded, home)
    _damage(request.param, home)
    return home


@pytest.mark.parametrize("damaged_home", DAMAGES, indirect=True)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_says_it_in_one_line(damaged_home, command, cli, tmp_path, request):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    r = cli(*argv)
    # A destructive command first names its folder ("erasing the profile in ..."), then
    # says what stopped it.
    lines = [ln for ln in r.err.strip().splitlines() if not ln.startswith("erasing ")]
    kind = request.node.callspec.params["damaged_home"]
    assert "Traceback" not in r.err and "unexpected" not in r.err, r.err[-2000:]
    if kind == "pages zeroed" and command not in ("history list", "export"):
        # The zeroed pages hold samples: a command that never reads them works as usual
        # (or says its own usual line, "No profile yet"); one that meets them (a reset's
        # VACUUM) says the database line.
        assert r.rc == 0 or len(lines) == 1, r.err
        assert r.rc == 0 or "The database" not in lines[0] or "assistant repair" in lines[0]
        return
    assert r.rc == 1, (r.rc, r.out[-300:], r.err[-2000:])
    assert len(lines) == 1, r.err
    assert lines[0].startswith("error: The database") and "assistant repair" in lines[0], lines


@pytest.mark.parametrize("damaged_home", DAMAGES, indirect=True)
def test_doctor_says_what_is_wrong_without_changing_it(damaged_home, cli):
    before = (damaged_home / "assistant.db").read_bytes()
    r = cli("doctor", "--json", "--no-probe")
    assert r.rc == 0, r.err
    db = r.json()["database"]
    assert db["exists"] and not db["ok"] and db["problem"], db
    assert "assistant repair" in db["advice"]
    assert (damaged_home / "assistant.db").read_bytes() == before


@pytest.mark.parametrize("damaged_home", DAMAGES, indirect=True)
def test_reset_all_starts_again_on_a_damaged_file(damaged_home, cli):
    r = cli("reset", "--all", "--yes")
    assert r.rc == 0, r.err
    assert str(damaged_home) in r.err  # a destructive command names its folder
    r = cli("history", "list", "--json")
    assert r.rc == 0 and r.json() == [], (r.out, r.err)
    assert diagnose(damaged_home).ok


@pytest.mark.parametrize("use_cli", [False, None], ids=["row-reader", "recover-or-rows"])
def test_repair_saves_the_readable_rows_of_zeroed_pages(seeded, home, use_cli):
    shutil.copytree(seeded, home)
    original = _texts(home / "assistant.db")
    _zero_pages(home / "assistant.db")
    assert not diagnose(home).ok
    res = repair(home, use_cli=use_cli)
    saved = _texts(home / "assistant.db")
    lost = len(original) - len(saved)
    # Three zeroed pages of about a dozen samples each: those are lost, the rest is back,
    # every saved text exactly as it was.
    assert 0 < lost <= 3 * 16, (lost, res.as_dict())
    assert set(saved) <= set(original)
    assert res.saved["writing_samples"] == len(saved)
    assert res.saved.get("messages") == 2 and res.saved.get("settings", 0) >= 1
    assert diagnose(home).ok
    assert damaged_copies(home) and res.damaged_copy.exists()
    app = AppContext(home)  # the app opens the fresh one and finds the settings
    try:
        assert app.settings.temperature == 0.3
        assert HistoryService(app.db).count() == len(saved)
    finally:
        app.close()


REPAIR_CASES = {
    # damage: (samples saved at least, at most)
    "text file": (0, 0),
    "cut in half": (1, TOTAL - 1),
    "unknown revision": (TOTAL, TOTAL),
}


@pytest.mark.parametrize("kind", list(REPAIR_CASES))
def test_repair_command_on_each_damage(seeded, home, cli, tmp_path, kind):
    shutil.copytree(seeded, home)
    _damage(kind, home)
    r = cli("repair", "--json", "--export", str(tmp_path / "saved.zip"))
    assert r.rc == 0, r.err
    out = r.json()
    lo, hi = REPAIR_CASES[kind]
    assert lo <= out["saved"].get("writing_samples", 0) <= hi, out
    assert Path(out["damaged_copy"]).exists() and out["export"]
    r = cli("history", "list", "--json")
    assert r.rc == 0 and lo <= len(r.json()) <= hi
    # The damaged copy holds the user's text: reset --all erases it with the rest.
    r = cli("reset", "--all", "--yes")
    assert r.rc == 0 and not damaged_copies(home), r.err


def test_repair_leaves_a_healthy_database_alone(seeded, home, cli):
    shutil.copytree(seeded, home)
    before = (home / "assistant.db").read_bytes()
    r = cli("repair")
    assert r.rc == 0 and "healthy" in r.out
    assert (home / "assistant.db").read_bytes() == before and not damaged_copies(home)


def test_the_doctor_reads_a_healthy_database(seeded, home, cli):
    shutil.copytree(seeded, home)
    r = cli("doctor", "--json", "--no-probe")
    db = r.json()["database"]
    assert db["ok"] and db["tables"]["writing_samples"] == TOTAL, json.dumps(db)[:500]
