"""The typed seams pass the static type check: mypy on the files `[tool.mypy]` in
pyproject.toml lists (a turn's results, the method registry, serve's events, the window's
jobs), so a renamed field fails CI at the line that uses it, not a user at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_passes_on_the_typed_seams():
    r = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    assert "Success" in r.stdout


def test_the_type_check_covers_the_seams():
    import tomllib

    files = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    for seam in ("assistant/chat/turn.py", "assistant/serve", "ui/workers.py",
                 "assistant/method_registry.py"):
        assert seam in files
