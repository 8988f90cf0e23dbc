"""The translators' template holds every string the window shows, and nothing it no longer
shows: `make translations` regenerates it, and a string added to the window without
running it would reach no translator."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "ui" / "translations" / "voice_assistant.ts"


def _messages(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(ctx.findtext("name") or "", msg.findtext("source") or "")
            for ctx in root.iter("context") for msg in ctx.iter("message")
            if (msg.find("translation") is None
                or msg.find("translation").get("type") not in ("obsolete", "vanished"))}


def test_the_template_is_current(tmp_path):
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    if not lupdate.exists():
        lupdate = Path(shutil.which("pyside6-lupdate") or "")
    if not lupdate.is_file():
        pytest.fail("pyside6-lupdate is missing: PySide6-Essentials installs it")
    fresh = tmp_path / "voice_assistant.ts"
    shutil.copy(TEMPLATE, fresh)
    sources = sorted(str(p) for p in [*REPO.glob("ui/*.py"), *REPO.glob("ui/widgets/*.py")])
    subprocess.run([str(lupdate), "-no-obsolete", *sources, "-ts", str(fresh)], check=True,
                   capture_output=True, timeout=120)
    now, committed = _messages(fresh), _messages(TEMPLATE)
    assert not now - committed, f"strings not in the template (run `make translations`): " \
                                f"{sorted(now - committed)[:5]}"
    assert not committed - now, f"strings the window no longer shows: " \
                                f"{sorted(committed - now)[:5]}"
    assert len(now) > 400  # the window's strings were found at all
    # lupdate reads `tr(a, b)` as (source a, comment b): a `tr = QCoreApplication.translate`
    # alias puts the context where the text belongs, out of every translator's reach
    assert not [src for ctx, src in now if not ctx], "a translate() call lupdate misread"
