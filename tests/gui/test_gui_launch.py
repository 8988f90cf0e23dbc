"""`assistant` with no command opens the window; SIGTERM closes it cleanly; no torch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]


def test_assistant_opens_the_window_without_torch_and_quits_on_sigterm(home, tmp_path):
    env = dict(
        os.environ,
        ASSISTANT_HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # QSettings of this run stay in tmp
        PYTHONUNBUFFERED="1",
    )
    # -X importtime writes ~100 KB to stderr: into a file, since a pipe nobody reads
    # until the end fills up and blocks the app mid-import.
    err_path = tmp_path / "stderr.txt"
    err_file = err_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "assistant"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err_file, text=True,
    )
    log = home / "logs" / "assistant.log"
    try:
        deadline = time.monotonic() + 120
        # The model worker logs this once the window is up and the model is loading.
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and "loading model" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, err_path.read_text(encoding="utf-8")[-2000:]
        assert "loading model" in log.read_text(encoding="utf-8"), "the model never loaded"
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err_file.close()
    err = err_path.read_text(encoding="utf-8")
    assert proc.returncode == 0, err[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines()
                if line.startswith("import time:")}
    assert "ui.main_window" in imported, "the window was not opened"
    assert not {m for m in imported if m == "torch" or m.startswith("torch.")}, (
        "starting the app imported torch"
    )
