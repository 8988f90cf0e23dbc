"""One widget module per panel of the main window."""

from ui import qt_compat

qt_compat.apply()  # also here: an old editable install can import `ui` as a namespace package
