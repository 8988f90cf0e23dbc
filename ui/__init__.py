"""The PySide6 desktop app: widgets and Qt workers on top of the assistant services.

Nothing here touches SQL or llama.cpp directly; `ui.app.run_gui` is the entry point.
Importing the package first guards against the PySide6 6.12 None-refcount bug
(see `ui.qt_compat`), before any widget is made.
"""

from ui import qt_compat

qt_compat.apply()
