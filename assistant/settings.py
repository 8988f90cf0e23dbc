"""Typed application settings, persisted in the store's settings table.

No secret is ever a setting: API keys go to the OS keyring (see the cloud service).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from assistant.errors import UserError
from assistant.text_rules import check_text
from store import Database
from store.models import Setting

log = logging.getLogger(__name__)


@dataclass
class AppSettings:
    model_path: str | None = None  # None: the embedded default model
    n_ctx: int = 4096
    n_threads: int | None = None
    device: str = "auto"  # auto | cpu | cuda | mps (torch runtime)
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    system_prompt: str = "You are a helpful assistant."
    cloud_url: str | None = None  # OpenAI-compatible endpoint (CoSteer); key: keyring
    cloud_model: str | None = None
    # What the capability probe found the endpoint can follow (engine.cloud.probe):
    # completions | chat | plain; None until probed. The remote's template (completions)
    # and whether the chat route needs vLLM's continue_final_message.
    cloud_mode: str | None = None
    cloud_template: str | None = None
    cloud_continue_flag: bool = False
    # The personalization method chat and drafting use (assistant.method_registry); None: the
    # active profile's, or none. The window's menu and `settings set` write it.
    chat_method: str | None = None
    # `assistant serve`: the loopback port, whether other apps' requests and replies are
    # kept as conversations, and the browser origins allowed to call it (none: no CORS).
    serve_port: int = 8765
    serve_keep_history: bool = False
    serve_origins: str | None = None
    # "Learn from my chat messages": off, chat messages are conversation, not writing;
    # on, those that read like writing (assistant.writing.sample_rules) join the profile.
    learn_from_chat: bool = False
    # The window: its colours (system follows the desktop) and whether Enter sends a
    # message (Shift+Enter then starts a new line; Ctrl+Enter always sends).
    theme: str = "system"
    enter_sends: bool = False


# ---- one check per setting: the CLI, the window, `settings set` and import all use it ----

MAX_SYSTEM_PROMPT = 20_000  # characters
MAX_REPLY_TOKENS = 32_768
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d{1,2})?)$")
# The shape of a method name; which names exist is the registry's (assistant.method_registry,
# which the settings cannot import without a cycle), checked where the name is used.
_METHOD = re.compile(r"^[a-z][a-z+]{0,39}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
_TRUE, _FALSE = ("on", "true", "yes", "1"), ("off", "false", "no", "0")


@dataclass(frozen=True)
class Spec:
    """What one setting accepts, said in the words of the error a bad value gets."""

    kind: type
    allowed: str
    check: Callable[[Any], bool]
    optional: bool = False
    # Checked when a new value is saved, not when a saved one is read back: a model file
    # that was moved later must not make every other setting unsavable.
    on_save: Callable[[Any], bool] | None = None


def _num(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: math.isfinite(v) and lo <= v <= hi


_LABEL = r"[A-Za-z0-9]([A-Za-z0-9\-]{0,62})?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")


def _url_ok(v: str) -> bool:
    if any(c.isspace() or c in ",*\"<>\\^`{|}" for c in v):
        return False
    try:
        u = urlsplit(v)
        port = u.port  # raises ValueError when out of 0..65535
    except ValueError:
        return False
    host = u.hostname or ""
    host_ok = bool(_HOST.match(host)) or (host.count(":") >= 2 and "[" in u.netloc)
    return u.scheme in ("http", "https") and host_ok and port != 0


def _template_ok(v: str) -> bool:
    from engine.cloud.templates import LOCAL, REMOTE_TEMPLATES, SERVER

    return v in (SERVER, LOCAL, *REMOTE_TEMPLATES)


def _gguf_file_ok(v: str) -> bool:
    """A model path must name a GGUF file that exists (checked when it is saved)."""
    from pathlib import Path

    path = Path(v).expanduser()
    try:
        with open(path, "rb") as fh:
            return path.is_file() and fh.read(4) == b"GGUF"
    except OSError:
        return False


SPECS: dict[str, Spec] = {
    "model_path": Spec(str, "a path to a GGUF file that exists, or none",
                       lambda v: len(v.strip()) > 0 and len(v) <= 4096, True, _gguf_file_ok),
    "n_ctx": Spec(int, "a whole number from 256 to 1048576", _num(256, 1_048_576)),
    "n_threads": Spec(int, "a whole number from 1 to 512, or none (all cores)", _num(1, 512),
                      True),
    "device": Spec(str, "auto, cpu, cuda, cuda:N or mps", lambda v: bool(_DEVICE.match(v))),
    "temperature": Spec(float, "a number from 0 to 5 (0 = greedy)", _num(0, 5)),
    "top_p": Spec(float, "a number above 0 and at most 1", lambda v: _num(0, 1)(v) and v > 0),
    "top_k": Spec(int, "a whole number from 0 (off) to 1000", _num(0, 1000)),
    "repeat_penalty": Spec(float, "a number from 0.5 to 3 (1 = off)", _num(0.5, 3)),
    "max_tokens": Spec(int, f"a whole number from 1 to {MAX_REPLY_TOKENS}",
                       _num(1, MAX_REPLY_TOKENS)),
    "system_prompt": Spec(str, f"text of at most {MAX_SYSTEM_PROMPT} characters",
                          lambda v: len(v) <= MAX_SYSTEM_PROMPT and "\x00" not in v),
    "cloud_url": Spec(str, "an http(s) URL with a host and a port from 1 to 65535, or none",
                      _url_ok, True),
    "cloud_model": Spec(str, "a model name of 1 to 200 characters, or none",
                        lambda v: 0 < len(v.strip()) <= 200, True),
    "cloud_mode": Spec(str, "completions, chat or plain, or none (not probed yet)",
                       lambda v: v in ("completions", "chat", "plain"), True),
    "cloud_template": Spec(str, "server, local, or a template name (see 'assistant cloud set "
                           "--help'), or none", _template_ok, True),
    "cloud_continue_flag": Spec(bool, "on or off", lambda v: True),
    "chat_method": Spec(str, "a personalization method (see 'assistant chat --help'), or none",
                        lambda v: bool(_METHOD.match(v)), True),
    "serve_port": Spec(int, "a whole number from 1024 to 65535", _num(1024, 65535)),
    "serve_keep_history": Spec(bool, "on or off", lambda v: True),
    "serve_origins": Spec(str, "browser origins such as http://localhost:3000, separated by "
                          "commas, or none", lambda v: all(
                              _ORIGIN.match(o.strip()) for o in v.split(",")), True),
    "learn_from_chat": Spec(bool, "on or off", lambda v: True),
    "theme": Spec(str, "system, light or dark", lambda v: v in ("system", "light", "dark")),
    "enter_sends": Spec(bool, "on or off", lambda v: True),
}


# Flags that are not settings but take numbers the same way (`profile build`/`profile set`).
FLAG_SPECS: dict[str, Spec] = {
    "alpha": Spec(float, "a number from -20 to 20", _num(-20, 20)),
    "tau": Spec(float, "a number of nats above 0 and at most 20", lambda v: _num(0, 20)(v)
                and v > 0),
}


def check_flag(key: str, value: Any) -> Any:
    """A flag's value by the same rule as a setting's (None: not given)."""
    if value is None:
        return None
    spec = FLAG_SPECS[key]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not spec.check(float(value)):
        raise UserError(f"--{key} must be {spec.allowed}, not {value!r}.")
    return spec.kind(value)


def check_new_setting(key: str, value: Any) -> Any:
    """`check_setting`, plus what a value must be when it is saved (a path that exists)."""
    value = check_setting(key, value)
    spec = SPECS[key]
    if value is not None and spec.on_save is not None and not spec.on_save(value):
        raise UserError(f"{key} must be {spec.allowed}, not {value!r}.")
    return value


def check_setting(key: str, value: Any) -> Any:
    """`value` as the setting's type if it is allowed; a one-line `UserError` naming the range.

    Text values obey the one text rule (`assistant.text_rules`) first."""
    spec = SPECS.get(key)
    if spec is None:
        raise UserError(f"Unknown setting {key!r}; known: {', '.join(SPECS)}.")
    if value is None:
        if spec.optional:
            return None
        raise UserError(f"{key} cannot be empty; it must be {spec.allowed}.")
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise UserError(f"{key} must be {spec.allowed}, not {value!r}.")
        return value
    ok_type = (
        isinstance(value, str) if spec.kind is str
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if ok_type and spec.kind is int and isinstance(value, float):
        ok_type = value.is_integer()
    if ok_type and spec.kind is str:
        check_text(value, f"The setting {key}", max_chars=MAX_SYSTEM_PROMPT)
    if not ok_type or not spec.check(spec.kind(value)):
        raise UserError(f"{key} must be {spec.allowed}, not {value!r}.")
    return spec.kind(value)


def setting_allowed(key: str, value: Any) -> bool:
    """False for a known setting with a value `check_setting` refuses (unknown keys pass)."""
    if key not in SPECS:
        return True
    try:
        check_setting(key, value)
    except UserError:
        return False
    return True


def parse_setting(key: str, raw: str) -> Any:
    """A value typed on the command line ('none' clears an optional setting), checked."""
    spec = SPECS.get(key)
    if spec is None:
        return check_setting(key, raw)
    if not raw.strip():
        raise UserError(f"{key} cannot be empty; it must be {spec.allowed}"
                        + (" ('none' clears it)." if spec.optional else
                           " ('default' restores the default)."))
    if raw.strip().lower() in ("none", "null", "default"):
        return check_setting(key, None) if spec.optional else getattr(AppSettings(), key)
    if spec.kind is str:
        return check_setting(key, raw)
    if spec.kind is bool:
        word = raw.strip().lower()
        if word in _TRUE + _FALSE:
            return word in _TRUE
        raise UserError(f"{key} must be {spec.allowed}, not {raw!r}.")
    try:
        number: float = int(raw) if spec.kind is int else float(raw)
    except ValueError:
        raise UserError(f"{key} must be {spec.allowed}, not {raw!r}.") from None
    return check_setting(key, number)


def _known() -> dict[str, Any]:
    return {f.name: f for f in fields(AppSettings)}


def load_settings(db: Database) -> AppSettings:
    known = _known()
    values: dict[str, Any] = {}
    with db.session() as s:
        for row in s.scalars(select(Setting)):
            if row.key in known:
                try:
                    values[row.key] = check_setting(row.key, row.value)
                except UserError:  # saved by an older version or edited by hand
                    log.warning("ignoring the saved value of %s (out of range)", row.key)
    return AppSettings(**values)


def save_settings(db: Database, settings: AppSettings) -> None:
    """Save every setting, each checked first (nothing is saved if one is out of range);
    a value that changed also gets what a new value must be (a model file that exists)."""
    with db.session() as s:
        stored = {row.key: row.value for row in s.scalars(select(Setting))}
    for key, value in asdict(settings).items():
        if key in stored and stored[key] == value:
            check_setting(key, value)
        else:
            check_new_setting(key, value)
    with db.session() as s:
        for key, value in asdict(settings).items():
            s.merge(Setting(key=key, value=value))


def update_setting(db: Database, key: str, value: Any) -> AppSettings:
    if key not in _known():
        raise KeyError(key)
    settings = load_settings(db)
    setattr(settings, key, check_new_setting(key, value))  # save_settings checks it again
    save_settings(db, settings)
    return settings
