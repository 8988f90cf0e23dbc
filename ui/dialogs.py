"""Message boxes that never block: errors and confirmations are window-modal and `open()`ed.

`exec()` would spin a nested event loop inside a slot (re-entrancy: a worker's
`finished` could be handled in the middle of another slot), so every box here is
opened asynchronously and its answer arrives through a callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.errors import USER_ERRORS

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, message: str, title: str = "Something went wrong") -> None:
    """A clear sentence in a message box: what the services report, never a traceback."""
    log.info("error shown to the user: %s", message.splitlines()[0] if message else "")
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("errorBox")
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()


def show_info(parent: QWidget | None, message: str, title: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("infoBox")
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    on_yes: Callable[[], Any],
    *,
    yes_text: str = "OK",
    informative: str = "",
    destructive: bool = False,
) -> QMessageBox:
    """Ask before doing something; `on_yes` runs only if the user agrees. Returns the box."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question, title, text,
        QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("confirmBox")
    box.setAccessibleName(title)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmYes")
    yes.setAccessibleName(yes_text)
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    no.setObjectName("confirmNo")
    no.setAccessibleName(QCoreApplication.translate("Dialogs", "Cancel"))
    box.setDefaultButton(no)  # destructive actions never happen on a stray Enter
    box.setEscapeButton(no)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)

    def done(_result: int) -> None:
        if box.clickedButton() is yes:
            guarded(parent, on_yes)

    box.finished.connect(done)
    box.open()
    return box


def guarded(parent: QWidget | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service call from a slot; a `UserError` becomes a message box."""
    try:
        return fn(*args, **kwargs)
    except USER_ERRORS as exc:
        show_error(parent, str(exc))
    except Exception as exc:  # a slot must not die with a traceback on stderr
        log.exception("unexpected error in the GUI")
        show_error(parent, f"Unexpected {type(exc).__name__}: {exc}. The details are in the log "
                   "file.")
    return None
