"""The one error type the user interfaces catch and show as a sentence.

Services convert engine and store failures into `UserError` so that the CLI can
print one line and the GUI one message box, never a traceback.
"""


class UserError(RuntimeError):
    """Something the user can understand and act on."""


class Stopped(UserError):
    """The user stopped a turn before its reply began: nothing was stored."""

    def __init__(self, message: str = "Stopped before the reply began; nothing was stored.",
                 ) -> None:
        super().__init__(message)


class ProfileMissing(UserError):
    """What a personalization method needs is not there: its profile (or one built for
    another model), or any of the user's texts to put in the prompt."""
