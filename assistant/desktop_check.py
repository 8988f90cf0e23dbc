"""Can Qt open a window here? Say what is missing in one line before Qt aborts.

Qt's xcb platform plugin (X11, and XWayland) links against system libraries
that a minimal Debian or Ubuntu lacks (libxcb-cursor0, libxcb-icccm4,
libxcb-keysyms1, ...). Without them Qt prints "Could not load the Qt platform
plugin" and aborts the process. The plugin's own dependency list, read with
`ldd`, names exactly the missing files, so no list of ours can go stale. No Qt
import here: this runs before Qt loads anything.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def xcb_plugin_files() -> list[Path]:
    """The xcb plugin and its helper library shipped with PySide6 (empty if not found)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    files = [qt / "plugins" / "platforms" / "libqxcb.so"]
    files += sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]
    return [f for f in files if f.exists()]


def missing_libraries(files: list[Path] | None = None) -> list[str]:
    """Shared libraries (sonames) that `files` need and the system cannot find."""
    ldd = shutil.which("ldd")
    targets = xcb_plugin_files() if files is None else files
    if ldd is None or not targets:
        return []
    missing: list[str] = []
    for f in targets:
        try:
            out = subprocess.run(
                [ldd, str(f)], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        for soname in _NOT_FOUND.findall(out):
            if soname not in missing:
                missing.append(soname)
    return missing


def debian_package(soname: str) -> str:
    """Debian's package for a library: libxcb-icccm.so.4 -> libxcb-icccm4 (policy 8.1)."""
    m = re.match(r"^(lib[\w+.-]*?)\.so\.(\d+)", soname)
    if not m:
        return soname
    base, version = m.groups()
    return f"{base}-{version}" if base[-1].isdigit() else f"{base}{version}"


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """Whether Qt would try its xcb plugin (Linux, X11, no other platform asked for)."""
    e = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return False
    platform = e.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    return bool(e.get("DISPLAY")) and not e.get("WAYLAND_DISPLAY")


def window_problem(env: dict[str, str] | None = None) -> str | None:
    """One line on why the window cannot start here, or None when it can."""
    if not uses_xcb(env):
        return None
    missing = missing_libraries()
    if not missing:
        return None
    packages = " ".join(debian_package(m) for m in missing)
    return (
        f"The window needs system libraries this machine lacks ({', '.join(missing)}). "
        f"On Debian/Ubuntu: sudo apt-get install {packages}; see the README for other systems, "
        "or run 'assistant --terminal' to chat without a window."
    )
