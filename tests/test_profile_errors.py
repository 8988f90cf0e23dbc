"""The profile commands' clear messages, through the real CLI (no model work needed)."""

from __future__ import annotations

import pytest


def test_show_without_profile(cli):
    r = cli("profile", "show", "--json")
    assert r.rc == 1
    assert "No profile yet" in r.err and "assistant profile build" in r.err


def test_build_with_no_history(cli):
    r = cli("profile", "build", "--method", "steerx", "--json")
    assert r.rc == 1
    assert "writing history is empty" in r.err


def test_build_with_too_few_samples_says_how_many(cli):
    for text in ("First note.", "Second note."):
        assert cli("history", "add", "--text", text).rc == 0
    r = cli("profile", "build", "--method", "stylevector")
    assert r.rc == 1
    assert "at least 4 writing samples" in r.err and "Add 2 more" in r.err


@pytest.mark.parametrize("method", ["steerx", "stylevector"])
def test_chat_with_a_method_that_was_never_built(cli, method):
    r = cli("chat", "--method", method, "--max-tokens", "4", "hello")
    assert r.rc == 1
    assert f"No {method} profile yet" in r.err


def test_eval_rejects_unknown_methods(cli, tmp_path):
    from tests.conftest import COGENESIS

    r = cli("eval", "--data", str(COGENESIS / "paper_dev.json"), "--methods", "foo")
    assert r.rc == 1
    assert "rag+steerx" in r.err


def test_chat_module_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, assistant.cli.chat, assistant.profile.service; "
        "from assistant.cli import build_parser; build_parser(); "
        "assert 'torch' not in sys.modules, 'torch imported on the chat path'"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
