"""A cheap fingerprint of what the lists show, to notice changes made by another process.

The window polls `change_marker` every couple of seconds: when `assistant chat` or
`assistant history add` ran in a terminal meanwhile, the marker differs and the lists
reload. A handful of aggregate queries on indexed columns: well under a millisecond
on a real history, so the poll costs the event loop nothing it would feel.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from store import Database
from store.models import Conversation, Message, WritingSample


def change_marker(db: Database) -> tuple[Any, ...]:
    """Changes whenever a conversation, a message or a writing sample is added, removed,
    renamed or edited, and as a reply is written (the window ignores it while it writes one
    itself)."""
    with db.session() as s:
        conv = s.execute(select(func.count(Conversation.id), func.max(Conversation.id),
                                func.max(Conversation.updated_at))).one()
        msgs = s.execute(select(func.count(Message.id), func.max(Message.id),
                                func.sum(Message.tokens))).one()
        samples = s.execute(select(func.count(WritingSample.id),
                                   func.max(WritingSample.id))).one()
        titles = s.scalar(select(func.sum(func.length(Conversation.title))))
    return (*conv, *msgs, *samples, titles)
