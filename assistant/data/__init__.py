"""The user owns their data: export, import (ours and ChatGPT's) and reset.

`service.DataService` is the one entry point; the modules beside it hold one concern
each (records, sections, sources, the ChatGPT importer, export, import, reset).
"""

from assistant.data.service import DataService

__all__ = ["DataService"]
