"""Edits as pairs: the model's text, the user's version of it, and the request.

When the user changes a model's text before keeping it (the draft pane's suggestion,
edited before or after "Use suggestion"; an assistant reply edited in the chat), the
two versions are exactly the contrast StyleVector, SteerX and Fints otherwise build
from a generated generic reply, written by the user. `record_edit_pair` is the one
entry point every surface calls; a profile build then takes the model's text of a
pair as the generic reply of its sample instead of generating one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from assistant.errors import UserError
from assistant.writing.history import check_text_size
from store import Database
from store.models import EditPair, WritingSample

log = logging.getLogger(__name__)

ORIGINS = ("draft", "chat")


@dataclass(frozen=True)
class PairView:
    id: int
    request: str
    model_text: str
    user_text: str
    origin: str
    sample_id: int | None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def record_edit_pair(db: Database, *, request: str, model_text: str, user_text: str,
                     origin: str = "draft", sample_id: int | None = None) -> int | None:
    """Store the pair, and the user's version as a writing sample (source "edit") unless
    `sample_id` names the sample that already holds it (a saved draft).

    Returns the pair's id, or None when there was no edit (the user kept the model's
    text, up to whitespace) or nothing of either text. `request` is what the model was
    asked (the draft's action on the user's text, the chat message a reply answered).
    The chat's "edit an assistant reply" calls this with origin="chat".
    """
    if origin not in ORIGINS:
        raise UserError(f"Unknown edit origin {origin!r}; use one of {', '.join(ORIGINS)}.")
    if not user_text.strip() or not model_text.strip() or _same(model_text, user_text):
        return None
    for text, what in ((request, "The request"), (model_text, "The model's text"),
                       (user_text, "Your version")):
        check_text_size(text, what)
    with db.session() as s:
        if sample_id is not None:
            sample = s.get(WritingSample, sample_id)
            if sample is None:
                raise UserError(f"No writing sample with id {sample_id}.")
        else:
            sample = WritingSample(text=user_text.strip(), prompt=request.strip(),
                                   source="edit", source_ref=origin, include=True)
            s.add(sample)
            s.flush()
        pair = EditPair(request=request.strip(), model_text=model_text.strip(),
                        user_text=user_text.strip(), origin=origin, sample_id=sample.id)
        s.add(pair)
        s.flush()
        log.info("edit pair %d stored (%s; sample %d; %d -> %d chars)", pair.id, origin,
                 sample.id, len(model_text), len(user_text))
        return pair.id


def model_texts_by_sample(db: Database) -> dict[int, str]:
    """The model's text of each sample that has a pair: its generic reply in a build."""
    with db.session() as s:
        rows = s.execute(select(EditPair.sample_id, EditPair.model_text)
                         .where(EditPair.sample_id.is_not(None)).order_by(EditPair.id))
        return {sid: text for sid, text in rows}


def profile_items(db: Database, samples) -> list:
    """The samples (`SampleView`s) as a build sees them: an edited one carries the model's
    text it was edited from, which stands in for a generated generic reply."""
    from engine.methods.generic_replies import ProfileItem

    pairs = model_texts_by_sample(db)
    return [ProfileItem(text=x.text, prompt=x.prompt, generic=pairs.get(x.id)) for x in samples]


def list_pairs(db: Database) -> list[PairView]:
    with db.session() as s:
        return [PairView(p.id, p.request, p.model_text, p.user_text, p.origin, p.sample_id)
                for p in s.scalars(select(EditPair).order_by(EditPair.id))]
