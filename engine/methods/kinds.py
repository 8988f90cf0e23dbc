"""The kinds of stored profile, one name each.

A profile kind is what a build makes and the store keeps (`profiles.method`); a chat
method (`assistant.method_registry`) names the kinds it needs. The values are the strings in
the database and in archives, so a `StrEnum` member compares equal to what was
stored by older versions.
"""

from __future__ import annotations

from enum import StrEnum


class ProfileKind(StrEnum):
    STYLEVECTOR = "stylevector"  # one control vector: mean of the user's minus generic
    STEERX = "steerx"  # one control vector from the preference-driven tokens
    FINTS = "fints"  # a bank of per-item vectors, one chosen per request
    DPS = "dps"  # preference heads, decoded contrastively

    @classmethod
    def vector_kinds(cls) -> tuple[ProfileKind, ...]:
        """The kinds that are one control vector (built by `profile_build`)."""
        return (cls.STYLEVECTOR, cls.STEERX)
