"""Errors the engine raises with a message meant for the user."""


class EngineError(RuntimeError):
    """Base class: the message is one clear sentence, safe to show."""


class ModelFileError(EngineError):
    """The model file is missing, not a GGUF, truncated or unsupported."""


class ContextOverflowError(EngineError):
    """The prompt does not fit the model's context window."""


class GenerationCancelled(EngineError):
    """Raised inside generation loops when the user pressed Stop."""
