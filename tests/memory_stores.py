"""An item store in memory, for tests that run a profile build without a database (the app
and the evaluation use `assistant.profile.store.SqlItemStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.methods.profile_build import CachedItem


class MemoryItemStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    def get_many(self, keys: Sequence[str], config: str) -> dict[str, CachedItem]:
        return {k: self.data[(k, config)] for k in keys if (k, config) in self.data}

    def put(self, key: str, config: str, item: CachedItem) -> None:
        self.data[(key, config)] = item

    def get_array(self, key: str, config: str) -> np.ndarray | None:
        return self.data.get((key, config))

    def put_array(self, key: str, config: str, arr: np.ndarray) -> None:
        self.data[(key, config)] = arr
