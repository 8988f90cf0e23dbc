"""OpenAI-compatible remote models with per-token log-probabilities (for CoSteer)."""

from engine.cloud.answers import (
    CHAT,
    COMPLETIONS,
    Candidate,
    Completion,
    TokenStep,
    parse_completion,
)
from engine.cloud.client import AUTO, CloudClient, Endpoint, is_loopback
from engine.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudConnectionError,
    CloudError,
    CloudNoLogprobsError,
    CloudNotFoundError,
    CloudProtocolError,
    CloudRateLimitError,
    CloudServerError,
    CloudTimeoutError,
)

__all__ = [
    "AUTO",
    "CHAT",
    "COMPLETIONS",
    "Candidate",
    "CloudAuthError",
    "CloudClient",
    "CloudConfigError",
    "CloudConnectionError",
    "CloudError",
    "CloudNoLogprobsError",
    "CloudNotFoundError",
    "CloudProtocolError",
    "CloudRateLimitError",
    "CloudServerError",
    "CloudTimeoutError",
    "Completion",
    "Endpoint",
    "TokenStep",
    "is_loopback",
    "parse_completion",
]
