"""Which method a user's chat should use, and why, in one sentence.

The evidence is the user's own: the SteerX build writes replies to each of the
user's prompts with their other texts in the prompt, at several strengths, and
scores them against what the user really wrote (engine.methods.generation_calibration).
When some strength beat none, the texts and SteerX together are recommended; when
none did, the texts alone. Nothing here is a constant tuned on other people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.methods.kinds import ProfileKind

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext


@dataclass(frozen=True)
class Recommendation:
    method: str  # a name in assistant.methods.METHODS
    why: str  # one sentence for the window and the CLI

    def as_dict(self) -> dict[str, str]:
        return {"method": self.method, "why": self.why}


def recommend(app: AppContext) -> Recommendation:
    from assistant.history import HistoryService
    from assistant.profile_service import ProfileService

    history = HistoryService(app.db)
    if history.count(included_only=True) == 0:
        if history.count():
            return Recommendation("none", "None of your writing samples is included (chat "
                                          "messages are left out unless you include them), so "
                                          "there is nothing to personalize with yet.")
        return Recommendation("none", "Your writing history is empty, so there is nothing "
                                      "to personalize with yet.")
    view = ProfileService(app).get(ProfileKind.STEERX)
    chosen = (view.meta or {}).get("with_texts") if view is not None else None
    if not chosen or not chosen.get("selection"):
        return Recommendation("rag", "Your most relevant texts go into the prompt; build a "
                                     "profile to find out whether steering adds to them.")
    table = chosen["selection"]
    plain = next((r for r in table if r["fraction"] == 0), None)
    best = next((r for r in table if r["fraction"] == chosen["fraction"]), None)
    n = chosen.get("held_out", len(table))
    if plain is None or best is None or chosen["fraction"] == 0:
        score = plain["score"] if plain else 0.0
        return Recommendation(
            "rag", f"On {n} of your texts, written again with your other texts in the prompt, "
                   f"adding SteerX did not help (score {score:.3f} without it), so your texts "
                   "alone are used.")
    return Recommendation(
        "rag+steerx",
        f"On {n} of your texts, written again with your other texts in the prompt, adding "
        f"SteerX at {chosen['fraction']:.1%} of the model's activation size scored "
        f"{best['score']:.3f} against {plain['score']:.3f} without it.")
