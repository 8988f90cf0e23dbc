"""Which exceptions carry a message meant for the user (shown in a box, not as a traceback).

The services promise `UserError`; the store's `StoreError` and the engine's
`EngineError` are written the same way (one clear sentence), so the GUI shows
them as they are. Anything else is unexpected: logged with its traceback, and
the user is told that the details are in the log file.
"""

from __future__ import annotations

from assistant.errors import UserError
from engine.errors import EngineError
from store import StoreError

USER_ERRORS: tuple[type[Exception], ...] = (UserError, StoreError, EngineError)
