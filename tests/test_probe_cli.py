"""The probe's command-line cases, table-driven, through the real `assistant` command:
an empty data folder is refused (never the user's real one), destructive commands name
their folder, every setting and flag is checked by the same rule, and an id out of range
is said plainly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(argv: list[str], env: dict[str, str], stdin: str | None = None):
    proc = subprocess.run([sys.executable, "-m", "assistant", *argv], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=120, input=stdin)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def real_default(tmp_path) -> tuple[dict[str, str], Path]:
    """An environment whose per-user data folder (platformdirs, XDG) lies in tmp_path,
    with some data in it, and ASSISTANT_HOME unset."""
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_HOME"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    env["HOME"] = str(tmp_path)
    rc, out, err = _run(["history", "add", "--text", "my real data"], env)
    assert rc == 0, err
    rc, out, _ = _run(["settings", "show", "--json"], env)
    default = Path(__import__("json").loads(out.strip().splitlines()[-1])["data_folder"])
    assert str(default).startswith(str(tmp_path / "xdg")), default
    return env, default


def _samples(env: dict[str, str]) -> str:
    return _run(["history", "list"], env)[1]


EMPTY_HOMES = {
    # (extra argv before the command, ASSISTANT_HOME value or None, command)
    "--home '' history add": (["--home", ""], None, ["history", "add", "--text", "X"]),
    "--home '   ' reset --all --yes": (["--home", "   "], None, ["reset", "--all", "--yes"]),
    "ASSISTANT_HOME='' history add": ([], "", ["history", "add", "--text", "X"]),
    "ASSISTANT_HOME='' reset --all --yes": ([], "", ["reset", "--all", "--yes"]),
    "ASSISTANT_HOME=' ' import --replace": ([], " ", ["import", "--replace", "x.zip"]),
    "--home '' doctor": (["--home", ""], None, ["doctor", "--no-probe"]),
    "--home '' repair": (["--home", ""], None, ["repair"]),
}


@pytest.mark.parametrize("case", list(EMPTY_HOMES))
def test_an_empty_home_is_refused_and_the_real_data_untouched(real_default, case):
    env, default = real_default
    before = _samples(env)
    pre, value, argv = EMPTY_HOMES[case]
    run_env = dict(env) if value is None else {**env, "ASSISTANT_HOME": value}
    rc, out, err = _run([*pre, *argv], run_env)
    assert rc == 1, (rc, out, err)
    assert "is empty" in err and len(err.strip().splitlines()) == 1, err
    assert _samples(env) == before and "my real data" in before


def test_destructive_commands_name_their_folder(cli, home, tmp_path):
    assert cli("history", "add", "--text", "x").rc == 0
    assert cli("export", str(tmp_path / "a.zip")).rc == 0
    r = cli("import", "--replace", str(tmp_path / "a.zip"))
    assert r.rc == 0 and f"replacing all data in {home}" in r.err, r.err
    r = cli("reset", "--profile", "--yes")
    assert r.rc == 0 and f"erasing the profile in {home}" in r.err, r.err
    r = cli("reset", "--all", "--yes")
    assert r.rc == 0 and f"erasing all data in {home}" in r.err, r.err
    r = cli("reset", "--all")  # not a terminal: refused, naming the folder
    assert r.rc == 1 and str(home) in r.err


SETTINGS = {
    # (key, value, words in the refusal); each was saved or misreported before
    "max_tokens empty": ("max_tokens", "", "cannot be empty"),
    "max_tokens blank": ("max_tokens", "  ", "cannot be empty"),
    "cloud_template maybe": ("cloud_template", "maybe", "cloud_template must be"),
    "cloud_url with a comma": ("cloud_url", "http://evil.com, *", "cloud_url must be"),
    "cloud_url with a space": ("cloud_url", "http://a b.com", "cloud_url must be"),
    "cloud_url with a star host": ("cloud_url", "http://*", "cloud_url must be"),
    "model_path that does not exist": ("model_path", "/nonexistent/x.gguf", "exists"),
    "model_path that is no GGUF": ("model_path", "{readme}", "exists"),
    "n_ctx -inf": ("n_ctx", "-inf", "n_ctx must be"),
    "n_ctx -1": ("n_ctx", "-1", "n_ctx must be"),
    "temperature nan": ("temperature", "nan", "temperature must be"),
    "temperature -0.5": ("temperature", "-0.5", "temperature must be"),
    "top_p 0": ("top_p", "0", "top_p must be"),
    "serve_port 80": ("serve_port", "80", "serve_port must be"),
    "device gpu": ("device", "gpu", "device must be"),
    # Cases that were refused before and must stay so.
    "n_ctx 10": ("n_ctx", "10", "n_ctx must be"),
    "max_tokens abc": ("max_tokens", "abc", "max_tokens must be"),
    "cloud_url ftp": ("cloud_url", "ftp://x.org", "cloud_url must be"),
}


@pytest.mark.parametrize("case", list(SETTINGS))
def test_a_setting_out_of_its_rule_is_refused_and_nothing_saved(cli, case):
    key, value, words = SETTINGS[case]
    value = value.replace("{readme}", str(REPO / "README.md"))
    before = cli("settings", "show", "--json").json()
    r = cli("settings", "set", key, value)
    lines = r.err.strip().splitlines()
    assert r.rc == 1 and len(lines) == 1 and words in lines[0], (r.rc, r.out, r.err)
    assert "arguments are required" not in r.err
    assert cli("settings", "show", "--json").json() == before


ALLOWED = {
    "cloud_template chatml": ("cloud_template", "chatml"),
    "cloud_url with port": ("cloud_url", "http://127.0.0.1:8080/v1"),
    "cloud_url ipv6": ("cloud_url", "http://[::1]:8080/v1"),
    "max_tokens default": ("max_tokens", "default"),
    "model_path the embedded model": ("model_path", "{model}"),
    "temperature 0": ("temperature", "0"),
}


@pytest.mark.parametrize("case", list(ALLOWED))
def test_a_setting_within_its_rule_is_saved(cli, model_path, case):
    key, value = ALLOWED[case]
    r = cli("settings", "set", key, value.replace("{model}", str(model_path)))
    assert r.rc == 0 and f"{key} saved" in r.out, r.err


BIG = str(2**63)
IDS = {
    "history rm": ["history", "rm", BIG],
    "conversations show": ["conversations", "show", BIG],
    "conversations rm": ["conversations", "rm", BIG],
    "conversations delete-message": ["conversations", "delete-message", BIG],
    "conversations version": ["conversations", "version", BIG, "1"],
    "conversations set": ["conversations", "set", BIG, "--method", "none"],
    "conversations export": ["conversations", "export", BIG, "x.md"],
    "chat --conversation": ["chat", "--conversation", BIG, "hi"],
    "chat --edit": ["chat", "--edit", BIG, "hi"],
    "chat --regenerate": ["chat", "--regenerate", BIG],
    "cloud enable": ["cloud", "enable", BIG],
    "history rm 0": ["history", "rm", "0"],
    "history rm -5": ["history", "rm", "-5"],
}


@pytest.mark.parametrize("case", list(IDS))
def test_an_id_out_of_range_is_said_plainly(cli, case):
    r = cli(*IDS[case])
    assert r.rc == 2, (r.rc, r.err)
    assert "out of range: ids are whole numbers from 1 to 9223372036854775807" in r.err, r.err
    assert "unexpected" not in r.err and "OverflowError" not in r.err


FLAGS = {
    "profile build --alpha -50": (["profile", "build", "--alpha=-50"], "--alpha must be"),
    "profile build --alpha inf": (["profile", "build", "--alpha", "inf"], "--alpha must be"),
    "profile build --tau nan": (["profile", "build", "--tau", "nan"], "--tau must be"),
    "profile build --tau 0": (["profile", "build", "--tau", "0"], "--tau must be"),
    "serve --port 80": (["serve", "--port", "80"], "--port must be"),
    "serve --port 70000": (["serve", "--port", "70000"], "--port must be"),
    "chat --temperature 9": (["chat", "--temperature", "9", "hi"], "temperature must be"),
    "chat --max-tokens 0": (["chat", "--max-tokens", "0", "hi"], "max_tokens must be"),
    "conversations version on a user message": (["conversations", "version", "1", "1"],
                                                "not a reply"),
}


@pytest.mark.parametrize("case", list(FLAGS))
def test_a_flag_out_of_its_rule_is_one_line_and_nothing_runs(cli, case):
    if case == "conversations version on a user message":
        assert cli("chat", "--max-tokens", "2", "hello").rc == 0  # message 1 is the user's
    argv, words = FLAGS[case]
    r = cli(*argv)
    lines = r.err.strip().splitlines()
    assert r.rc == 1 and len(lines) == 1 and words in lines[0], (r.rc, r.err)
    assert "%" not in r.err  # no progress bar before the error
