"""The desktop entry, the AppStream component, the icon and the window agree on one id."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "packaging"


def test_one_id_for_the_desktop_entry_appstream_icon_and_window():
    from ui.app import DESKTOP_ID

    meta = ET.parse(PKG / f"{DESKTOP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == DESKTOP_ID
    assert meta.find("launchable").text == f"{DESKTOP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(PKG / f"{DESKTOP_ID}.desktop")
    assert entry["Desktop Entry"]["Icon"] == DESKTOP_ID
    assert (PKG / f"{DESKTOP_ID}.svg").is_file()


def _tool(name: str) -> str:
    """The validator's path; CI (ASSISTANT_REQUIRE_TOOLS=1, set by .ci/run) must have it."""
    import os
    import shutil

    import pytest

    path = shutil.which(name)
    if path is None:
        if os.environ.get("ASSISTANT_REQUIRE_TOOLS"):
            pytest.fail(f"{name} is missing; .ci/run installs it from Debian's packages")
        pytest.skip(f"{name} is not installed")
    return path


def test_the_appstream_metadata_validates():
    """Flathub and the software centres read the metainfo; appstreamcli says what they
    would refuse (offline: no screenshot or URL is fetched)."""
    import subprocess

    from ui.app import DESKTOP_ID

    r = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", "--explain",
                        str(PKG / f"{DESKTOP_ID}.metainfo.xml")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_desktop_entry_validates():
    import subprocess

    from ui.app import DESKTOP_ID

    r = subprocess.run([_tool("desktop-file-validate"), str(PKG / f"{DESKTOP_ID}.desktop")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def _constraint_pins() -> dict[str, list[tuple[str, str]]]:
    """constraints.txt as {normalized name: [(version, marker)]} (a name may appear once per
    marker)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, list[tuple[str, str]]] = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier  # one exact pin per line
        assert spec.operator == "==", line
        pins.setdefault(canonicalize_name(req.name), []).append(
            (spec.version, str(req.marker or "")))
    return pins


def test_constraints_pin_every_requirement_of_the_app_and_the_dev_extra():
    """`make constraints` writes constraints.txt from pyproject.toml; a requirement added
    to pyproject without running it would install unpinned (and a dependency update once
    flipped a test with no code change)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _constraint_pins()
    missing, outside = [], []
    for line in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name not in pins:
            missing.append(line)
            continue
        outside += [f"{line} vs {v}" for v, _ in pins[name]
                    if not req.specifier.contains(v, prereleases=True)]
    assert not missing, f"not pinned in constraints.txt (run `make constraints`): {missing}"
    assert not outside, f"constraints.txt pins outside pyproject's range: {outside}"


def test_constraints_keep_torch_at_the_makefiles_cpu_wheel_version():
    import re

    version = re.search(r"^TORCH_VERSION\s*:=\s*(\S+)", (REPO / "Makefile").read_text(),
                        re.M).group(1)
    assert _constraint_pins()["torch"] == [(version, "")]
