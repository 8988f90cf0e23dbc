"""The window's system libraries (issue 19): a missing one is named in one line."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from assistant import desktop_check


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ],
)
def test_debian_package_names(soname, package):
    assert desktop_check.debian_package(soname) == package


def test_only_x11_sessions_need_xcb(monkeypatch):
    monkeypatch.setattr(desktop_check.sys, "platform", "linux")
    assert desktop_check.uses_xcb({"DISPLAY": ":0"})
    assert not desktop_check.uses_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})
    assert not desktop_check.uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert desktop_check.uses_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not desktop_check.uses_xcb({})


@pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("ldd")), reason="needs gcc, ldd")
def test_a_missing_library_is_found_by_ldd(tmp_path):
    """A real ELF that links a library which is then gone, as on a minimal system."""
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int dep(void); int use(void) { return dep(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "libvadep.so",
                    "-Wl,-soname,libvadep-test.so.7", tmp_path / "dep.c"], check=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "plugin.so", tmp_path / "plugin.c",
                    f"-L{tmp_path}", "-lvadep"], check=True)
    (tmp_path / "libvadep.so").unlink()
    assert desktop_check.missing_libraries([tmp_path / "plugin.so"]) == ["libvadep-test.so.7"]


def test_the_launcher_says_what_is_missing(cli, monkeypatch):
    """With an X display but Qt's libraries missing: one line, not Qt's abort."""
    missing = desktop_check.missing_libraries()
    if not missing:
        pytest.skip("this machine has every library Qt's xcb plugin needs")
    r = cli(env={"DISPLAY": ":99", "QT_QPA_PLATFORM": "", "WAYLAND_DISPLAY": ""})
    assert r.rc == 1
    assert r.err.startswith("error: The window needs system libraries") and missing[0] in r.err
