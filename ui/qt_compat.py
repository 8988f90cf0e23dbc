"""Work around a PySide6 6.12 reference-count bug on Python 3.11.

PySide6-Essentials 6.12.0 (the cp310-abi3 wheel) returns `None` from every
void method without taking a reference to it. On Python 3.12+ that is harmless
(`None` is immortal, PEP 683); on 3.11 each call such as `label.setText()` drops
None's reference count by one, and after a few thousand calls the interpreter
aborts with "Fatal Python error: none_dealloc". 6.11.3 does not have the bug.

`apply()` measures the leak with a few harmless calls and, only if it is there,
gives `None` the practically infinite reference count that Python 3.12 gives it.
`None` is never freed in CPython anyway, so this changes nothing else. Pinning
`PySide6-Essentials!=6.12.0` for Python < 3.12 is the real fix; this guard keeps
the app alive whichever wheel the user got.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

PROBE_CALLS = 64
IMMORTAL_REFCOUNT = 1 << 60
_applied = False


def none_refcount_leaks() -> bool:
    """True if a void PySide6 call drops a reference to None."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= PROBE_CALLS // 2


def apply() -> bool:
    """Make None immortal if (and only if) this PySide6 leaks it; returns True if applied."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if hasattr(sys, "getobjects"):  # a Py_TRACE_REFS build: the refcount is not at offset 0
        return False
    if not none_refcount_leaks():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value = IMMORTAL_REFCOUNT
    _applied = True
    import PySide6

    log.warning(
        "PySide6 %s leaks references to None on Python %d.%d; None made immortal "
        "(pin PySide6-Essentials!=6.12.0 to avoid this)",
        PySide6.__version__, *sys.version_info[:2],
    )
    return True
