"""Local SQLite store: SQLAlchemy 2 models, sessions, migrations.

The store never imports the engine; the assistant layer wires the two.
"""

from store.db import Database, StoreError

__all__ = ["Database", "StoreError"]
