"""Every setting checked once (issue 16): nonsense is refused in one line, nothing saved,
and any accepted value gives a reply that ends within its cap."""

from __future__ import annotations

import hashlib
import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import UserError
from assistant.settings import SPECS, AppSettings, check_setting, load_settings, parse_setting

# (command line, what the one-line error names)
REFUSED = [
    (["settings", "set", "temperature", "-5"], "temperature must be"),
    (["settings", "set", "temperature", "inf"], "temperature must be"),
    (["settings", "set", "top_p", "7"], "top_p must be"),
    (["settings", "set", "repeat_penalty", "nan"], "repeat_penalty must be"),
    (["settings", "set", "n_ctx", "1"], "n_ctx must be"),
    (["settings", "set", "n_ctx", "99999999"], "n_ctx must be"),
    (["settings", "set", "device", "tpu"], "device must be"),
    (["settings", "set", "max_tokens", "-1"], "max_tokens must be"),
    (["settings", "set", "max_tokens", "0"], "max_tokens must be"),
    (["settings", "set", "top_k", "ten"], "top_k must be"),
    (["chat", "--temperature", "-5", "hi"], "temperature must be"),
    (["chat", "--max-tokens", "0", "hi"], "max_tokens must be"),
    (["chat", "--max-tokens", "-1", "hi"], "max_tokens must be"),
    (["cloud", "set", "--url", "http://127.0.0.1:99999/v1", "--model", "m"], "cloud_url must be"),
    (["cloud", "set", "--url", "https://127.0.0.1:0/v1", "--model", "m"], "cloud_url must be"),
    (["cloud", "set", "--url", "ftp://example.org/v1", "--model", "m"], "cloud endpoint URL"),
    (["history", "add", "--text", "bad\udcff utf8"], "not valid UTF-8"),
    (["history", "add", "{big}"], "at most 1,000,000"),
    (["history", "add", "{latin1}"], "not UTF-8 text"),
    (["history", "add", "--text", "   "], "empty"),
    (["chat", ""], "empty"),
    (["models", "use", "{bad_gguf}"], "truncated or damaged: its header"),
    (["models", "use", "{not_gguf}"], "not a GGUF"),
    (["export", "{home}/inside.zip"], "outside the data folder"),
    (["export", "{missing}/x.zip"], "does not exist"),
    (["import", "{missing}/x.zip"], "not found"),
    (["import", "/dev/zero"], "Not a file"),
    (["history", "add", "/dev/zero"], "Not a file"),
    (["history", "add", "{folder}"], "Not a file"),
    (["import", "{folder_link}"], "Not a file"),
    (["export", "{fifo}", "--force"], "not a regular file"),
    (["chat", "word " * 25_000], "context holds"),
]


def db_digest(home) -> str:
    h = hashlib.sha256()
    for name in ("assistant.db", "assistant.db-wal"):
        path = home / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def settled_home(cli, home):
    """A data folder that exists, with one saved setting, before the bad input arrives."""
    assert cli("settings", "set", "temperature", "0.6").rc == 0
    return home


@pytest.fixture
def bad_files(tmp_path, settled_home) -> dict[str, str]:
    """The files the table's `{name}` placeholders stand for."""
    big = tmp_path / "big.txt"
    big.write_text("z" * 1_200_000)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    bad_gguf = tmp_path / "bad.gguf"  # a valid magic and version, then nothing that adds up
    bad_gguf.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    not_gguf = tmp_path / "not.gguf"
    not_gguf.write_bytes(b"MZ\x90\x00 not a model")
    fifo = tmp_path / "a-pipe.zip"  # a device or pipe the archive must not be renamed over
    os.mkfifo(fifo)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (tmp_path / "folder-link").symlink_to(folder)
    return {"fifo": str(fifo), "folder": str(folder), "folder_link": str(tmp_path / "folder-link"),
            "big": str(big), "latin1": str(latin1), "bad_gguf": str(bad_gguf),
            "not_gguf": str(not_gguf), "home": str(settled_home),
            "missing": str(tmp_path / "no-such-folder")}


@pytest.mark.parametrize(("argv", "names"), REFUSED, ids=[" ".join(a)[:60] for a, _ in REFUSED])
def test_bad_input_is_one_line_and_changes_nothing(cli, settled_home, bad_files, argv, names):
    before = db_digest(settled_home)
    r = cli(*(a.format(**bad_files) for a in argv))
    assert r.rc == 1, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and names in lines[0], r.err
    assert "Traceback" not in r.err
    assert db_digest(settled_home) == before


def test_a_bad_saved_value_is_ignored_not_used(app):
    """A value saved by an older version (or by hand) never reaches a sampler."""
    from store.models import Setting

    with app.db.session() as s:
        s.merge(Setting(key="temperature", value=float("inf")))
        s.merge(Setting(key="n_ctx", value=99999999))
    loaded = load_settings(app.db)
    assert loaded.temperature == AppSettings().temperature
    assert loaded.n_ctx == AppSettings().n_ctx


def test_an_archive_cannot_smuggle_in_a_bad_setting():
    from assistant.settings import setting_allowed

    assert not setting_allowed("repeat_penalty", float("nan"))
    assert not setting_allowed("max_tokens", 0)
    assert setting_allowed("max_tokens", 256) and setting_allowed("some_future_key", 1)


def test_parse_setting_clears_optional_ones_and_keeps_types():
    assert parse_setting("n_threads", "none") is None
    assert parse_setting("temperature", "0") == 0.0
    assert parse_setting("max_tokens", "64") == 64
    with pytest.raises(UserError, match="max_tokens must be a whole number"):
        parse_setting("max_tokens", "6.5")


ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
)


@settings(max_examples=400, deadline=None)
@given(key=st.sampled_from(sorted(SPECS)), value=ANY_VALUE)
def test_every_setting_refuses_or_gives_a_sane_value(key, value):
    try:
        out = check_setting(key, value)
    except UserError as exc:
        assert "\n" not in str(exc) and key in str(exc)
        return
    if isinstance(out, float):
        assert math.isfinite(out)
    if key == "max_tokens":
        assert 1 <= out <= 32768


# Values anywhere in the allowed ranges, edges included (the refusals are tested above).
SAMPLING = st.fixed_dictionaries({
    "temperature": st.floats(0, 5),
    "top_p": st.floats(0, 1, exclude_min=True),
    "top_k": st.integers(0, 1000),
    "repeat_penalty": st.floats(0.5, 3),
    "max_tokens": st.integers(1, 12),  # the cap itself goes to 32768; 12 keeps this fast
})


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=SAMPLING)
def test_an_accepted_sampling_setting_gives_a_reply_that_ends_within_its_cap(
    llama_runtime, values
):
    from engine.runtime.generation import GenerationStats, SamplingSettings

    checked = {k: check_setting(k, v) for k, v in values.items()}  # all accepted
    stats = GenerationStats()
    text = "".join(llama_runtime.stream("Once upon a time", SamplingSettings(**checked),
                                        stats=stats))
    assert stats.tokens <= checked["max_tokens"]
    assert isinstance(text, str)
