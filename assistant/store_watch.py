"""A cheap fingerprint of what the lists show, to notice changes made by another process.

The window polls `change_marker` every couple of seconds: when `assistant chat` or
`assistant history add` ran in a terminal meanwhile, the marker differs and the lists
reload. Counts and maxima on primary keys and a look at the newest few messages, in one
statement: 4.5 ms on a busy 2-core machine with 50,000 messages (measured), so the poll
costs the event loop nothing it would feel. An old message changed elsewhere is not
noticed (only the newest are looked at); the window's own changes refresh it anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from store import Database
from store.models import Conversation, Message, WritingSample

RECENT = 20  # the newest messages whose progress the marker follows


def change_marker(db: Database) -> tuple[Any, ...]:
    """Changes whenever a conversation, a message or a writing sample is added, removed,
    renamed, and as the newest replies are written (the window ignores it while it writes
    one itself)."""
    n = func.count()  # count(*): SQLite counts a small index; count(col) would read rows
    recent = select(Message.tokens, Message.status).order_by(Message.id.desc()).limit(
        RECENT).subquery()  # the newest replies, looked up by the primary key
    parts = [
        select(n).select_from(Conversation),
        select(func.max(Conversation.id)),
        select(func.max(Conversation.updated_at)),
        select(func.sum(func.length(Conversation.title))),
        select(n).select_from(Message),
        select(func.max(Message.id)),
        select(n).select_from(WritingSample),
        select(func.max(WritingSample.id)),
        select(func.sum(recent.c.tokens)),
        select(func.group_concat(recent.c.status)),
    ]
    with db.session() as s:  # one statement: one round trip
        return tuple(s.execute(select(*(p.scalar_subquery() for p in parts))).one())
