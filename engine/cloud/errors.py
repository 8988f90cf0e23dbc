"""Errors of the cloud client, each with one sentence the user can act on.

They derive from `EngineError` so that `ChatService.generate` already turns them
into a `UserError` and keeps the partial reply; the subclasses let the cloud
service decide what a fallback to the local model may fix.
"""

from __future__ import annotations

from engine.errors import EngineError


class CloudError(EngineError):
    """Any failure talking to the remote endpoint."""


class CloudConfigError(CloudError):
    """The endpoint settings are unusable (no URL, plain HTTP to a remote host, ...)."""


class CloudConnectionError(CloudError):
    """Nothing answered: the host is down, the port closed, or DNS failed."""


class CloudTimeoutError(CloudError):
    """The endpoint accepted the request but did not answer in time."""


class CloudAuthError(CloudError):
    """401/403: the API key is missing, wrong or lacks access to the model."""


class CloudNotFoundError(CloudError):
    """404: wrong URL or unknown model."""


class CloudRateLimitError(CloudError):
    """429 that persisted through the retries."""


class CloudServerError(CloudError):
    """5xx that persisted through the retries, or another unexpected status."""


class CloudProtocolError(CloudError):
    """The answer was not the JSON an OpenAI-compatible endpoint returns."""


class CloudNoLogprobsError(CloudProtocolError):
    """The endpoint answered but without per-token log-probabilities."""


class CloudDriftError(CloudError):
    """The remote stopped continuing the text it was sent (it began a reply of its own)."""
