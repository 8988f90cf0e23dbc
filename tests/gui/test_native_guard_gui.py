"""A llama.cpp build that dies on this CPU (issue 19): the window says so and stays up."""

from __future__ import annotations

import sys

import pytest
from gui_helpers import close_window, make_window

from assistant.app import AppContext
from engine.runtime import native_guard

pytestmark = pytest.mark.gui


def test_window_shows_the_crash_and_goes_on(gui_app, qtbot, home, tmp_path, monkeypatch,
                                            wait_box):
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path / "machine-cache"))
    monkeypatch.setattr(
        native_guard, "probe_command",
        lambda _model: [sys.executable, "-c", "import ctypes; ctypes.string_at(0)"],
    )
    ctx = AppContext(home)
    w = make_window(ctx, load_model=True)
    try:
        box = wait_box("errorBox", timeout=60_000)
        assert "llama.cpp crashed (SIGSEGV)" in box.text()
        assert native_guard.REBUILD_COMMAND in box.text()
        box.close()
        assert w.isVisible() and not w.model.busy
        # The rest of the app still works: write and save a draft.
        w.draft.set_text("Still here after the crash report.")
        assert w.draft.save() is not None
    finally:
        close_window(w)
        ctx.close()
