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

from assistant.profile.kinds import STEERX

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext


@dataclass(frozen=True)
class Recommendation:
    method: str  # a name in assistant.method_registry.METHODS
    why: str  # one sentence for the window and the CLI

    def as_dict(self) -> dict[str, str]:
        return {"method": self.method, "why": self.why}


def recommend(app: AppContext) -> Recommendation:
    from assistant.profile.service import ProfileService
    from assistant.writing.history import HistoryService

    history = HistoryService(app.db)
    if history.count(included_only=True) == 0:
        if history.count():
            return Recommendation("none", "None of your writing samples is included (chat "
                                          "messages are left out unless you include them), so "
                                          "there is nothing to personalize with yet.")
        return Recommendation("none", "Your writing history is empty, so there is nothing "
                                      "to personalize with yet.")
    view = ProfileService(app).get(STEERX)
    chosen = (view.meta or {}).get("with_texts") if view is not None else None
    if not chosen or not chosen.get("selection"):
        return Recommendation("rag", "Your most relevant texts go into the prompt; build a "
                                     "profile to find out whether steering adds to them.")
    effect = effect_of(chosen)
    if effect is None or effect[1] <= 0:
        return Recommendation(
            "rag", "Your most relevant texts go into the prompt. "
                   + (effect_sentence(chosen) or "") + " Steering on top of them did not help, "
                   "so it is left out.")
    return Recommendation(
        "rag+steerx",
        "Your most relevant texts go into the prompt, and your profile steers the reply. "
        + (effect_sentence(chosen) or ""))


def effect_of(chosen: dict | None) -> tuple[int, float] | None:
    """(how many of the user's texts the build wrote again, how much closer to them in %
    the chosen strength wrote than no steering) from a build's own test, or None."""
    if not chosen or not chosen.get("selection"):
        return None
    table = chosen["selection"]
    plain = next((r for r in table if r.get("fraction") == 0), None)
    best = next((r for r in table if r.get("fraction") == chosen.get("fraction")), None)
    if plain is None or best is None or not plain.get("score"):
        return None
    n = int(chosen.get("held_out", len(table)))
    return n, 100.0 * (best["score"] - plain["score"]) / plain["score"]


def effect_sentence(chosen: dict | None) -> str | None:
    """One sentence of what the profile did, from the build's own numbers: "On 4 of your
    texts it wrote 9 % closer to you than without it." None when the build has no test."""
    effect = effect_of(chosen)
    if effect is None:
        return None
    n, pct = effect
    if pct <= 0.5:
        return (f"On {n} of your texts it did not write closer to you than without it, "
                "so steering is off.")
    return f"On {n} of your texts it wrote {pct:.0f} % closer to you than without it."
