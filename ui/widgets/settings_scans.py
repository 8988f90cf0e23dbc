"""The Settings dialog's look-ups, run on the thread pool so the GUI thread never waits:
the picked model file checked (`read_gguf_info` parses the whole GGUF header, seconds for a
large model), the devices torch sees (importing torch takes seconds) and the models already
on this computer. Each answers with one queued signal; one that finds the dialog gone is
dropped. Their texts are translated in the dialog's context ("SettingsDialog").
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Signal

from engine.errors import ModelFileError
from engine.runtime.gguf_info import GGUFInfo, read_gguf_info

log = logging.getLogger(__name__)


def describe_model(info: GGUFInfo | dict) -> str:
    d = info if isinstance(info, dict) else {
        "name": info.name, "architecture": info.architecture, "n_layer": info.n_layer,
        "context_length": info.context_length, "size_bytes": info.size_bytes,
    }
    return QCoreApplication.translate(
        "SettingsDialog", "{0} — {1}, {2} layers, context {3}, {4:.0f} MB"
    ).format(d["name"], d["architecture"], d["n_layer"], d["context_length"],
             d["size_bytes"] / 1e6)


class _CheckSignals(QObject):
    done = Signal(str, str, str)  # path, description ("" if unusable), error


class ModelCheck(QRunnable):
    """`read_gguf_info` on the thread pool: the GUI thread never parses a model file."""

    def __init__(self, path: str, accept: bool) -> None:
        super().__init__()
        self.path = path
        self.accept = accept  # True: the user picked it; it becomes the choice if usable
        self.signals = _CheckSignals()

    def run(self) -> None:
        try:
            desc, error = describe_model(read_gguf_info(self.path)), ""
        except ModelFileError as exc:
            desc, error = "", str(exc)
        except Exception as exc:  # a damaged file must not kill the pool thread
            desc, error = "", QCoreApplication.translate(
                "SettingsDialog", "{0} cannot be read ({1}).").format(Path(self.path).name, exc)
        # RuntimeError: the dialog closed meanwhile, and nobody waits for the answer
        with contextlib.suppress(RuntimeError):
            self.signals.done.emit(self.path, desc, error)


class _DeviceSignals(QObject):
    done = Signal(list)


class DeviceScan(QRunnable):
    """assistant.local_models.devices on the thread pool (importing torch takes seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.signals = _DeviceSignals()

    def run(self) -> None:
        from assistant.local_models.devices import available_devices

        try:
            keys = available_devices()
        except Exception:
            log.exception("device scan failed")
            keys = ["auto", "cpu"]
        with contextlib.suppress(RuntimeError):
            self.signals.done.emit(keys)


class _LibrarySignals(QObject):
    done = Signal(list)


class LibraryScan(QRunnable):
    """The models on this computer (assistant.local_models.library), found off the GUI thread."""

    def __init__(self, home: Path, saved: str | None) -> None:
        super().__init__()
        self.home, self.saved = home, saved
        self.signals = _LibrarySignals()

    def run(self) -> None:
        from assistant.local_models.library import library
        from assistant.paths import machine_cache_dir

        try:
            rows = [r for r in library(self.home, self.saved, machine_cache_dir()) if r["ok"]]
        except Exception:  # a scan that fails only leaves the list empty
            log.exception("model library scan failed")
            rows = []
        with contextlib.suppress(RuntimeError):
            self.signals.done.emit(rows)


def library_label(r: dict) -> str:
    template = "" if r["chat_template"] else QCoreApplication.translate(
        "SettingsDialog", ", base (no chat template)")
    quant = f", {r['quantization']}" if r.get("quantization") else ""
    return QCoreApplication.translate(
        "SettingsDialog", "{0} — {1}{2}, {3:.0f} MB, context {4}{5} [{6}]"
    ).format(r["name"], r["architecture"], quant, r["size_mb"], r["context"], template,
             r["source"])
