"""What the profile does, shown on one prompt: the reply with it off and on, side by side,
and how much more likely the profile made each word of the "on" reply.

Both replies come from the same sampler and seed (the token-by-token loop), so they
differ only by the method. The "on" reply's tokens are then scored under the plain
model (no steering, no retrieved texts) by teacher forcing: a token's gain is its
log-probability with the profile minus without it, in nats, and the window marks
the tokens the profile made clearly more likely. A method that decodes by itself
(DPS) shows both replies without marks.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from assistant import method_registry as methods
from assistant.chat.turn import ApiRequest, ApiTurn, TokenLogprob
from assistant.errors import UserError
from engine.runtime.generation import CancelToken

PREVIEW_TOKENS = 60
PREVIEW_SEED = 7
MARK_GAIN = 1.0  # nats: the profile made this token at least e (2.7) times as likely
DEFAULT_PROMPT = "Write a short note to a friend about your weekend."


@dataclass
class Piece:
    text: str
    gain: float  # log-probability with the profile minus without it, nats


@dataclass
class Preview:
    prompt: str
    method: str
    strength: float | None
    off: str
    on: list[Piece] = field(default_factory=list)
    marked: bool = True  # False: the method decodes by itself, no per-token gains
    notice: str = ""

    @property
    def on_text(self) -> str:
        return "".join(p.text for p in self.on)

    def as_dict(self) -> dict:
        return {"prompt": self.prompt, "method": self.method, "strength": self.strength,
                "off": self.off, "on": [(p.text, round(p.gain, 3)) for p in self.on],
                "marked": self.marked, "notice": self.notice}


def _multiplier(app, method: methods.Method, strength: float | None) -> float:
    """The turn's strength multiplier that makes the profile's strength `strength`."""
    if strength is None:
        return 1.0
    from assistant.profile.service import ProfileService

    kinds = methods.profile_kinds(method)
    view = ProfileService(app).get(kinds[0]) if kinds else None
    if view is None or not view.alpha:
        return 1.0
    return strength / view.alpha


def preview(app, prompt: str, *, strength: float | None = None,
            max_tokens: int = PREVIEW_TOKENS, seed: int = PREVIEW_SEED,
            cancel: CancelToken | None = None) -> Preview:
    """The same prompt answered without and with the chosen method (at `strength`, the
    profile's own when None), nothing stored."""
    if not prompt.strip():
        raise UserError("Type a prompt to preview.")
    method, _named = methods.chosen(app, None)
    if not method.needs:
        raise UserError("Personalization is off; choose a method to see what it changes.")
    why = methods.missing_need(app, method)
    if why:
        raise UserError(f"{method.label} cannot run yet: {why}.")
    asked = [{"role": "user", "content": prompt}]
    sampling = {"max_tokens": max_tokens, "seed": seed}
    cancel = cancel or CancelToken()

    def run(name: str, mult: float, logprobs: int | None) -> ApiTurn:
        turn = ApiTurn(app, ApiRequest(messages=asked, method=name, strength=mult,
                                       sampling=sampling, logprobs=logprobs), cancel)
        turn.start()
        for _ in turn.stream():
            pass
        return turn

    off = run(methods.Plain().name, 1.0, 0)  # the token loop: the same sampler as "on"
    mult = _multiplier(app, method, strength)
    try:
        on = run(method.name, mult, 0)
    except UserError:  # decodes by itself (DPS): no per-token scores
        on = run(method.name, mult, None)
        text = "".join(on.parts)
        return Preview(prompt, method.name, strength, "".join(off.parts), [Piece(text, 0.0)],
                       marked=False, notice=on.summary().notice)
    items: list[TokenLogprob] = on.logprobs
    rt = app.runtime()
    with rt.steered(None):  # scored by the plain model
        plain = rt.score_tokens(rt.format_chat(asked).text, [t.token_id for t in items])
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span
    pieces = [Piece(text.decode(t.bytes), t.logprob - p)            # two tokens
              for t, p in zip(items, plain, strict=True)]
    return Preview(prompt, method.name, strength, "".join(off.parts), pieces,
                   notice=on.summary().notice)
