"""DPS (Zhang et al., arXiv 2604.22345): find the user's preference heads, decode contrasting them.

Preference Contribution Score of head (l, k): mean over the user's items of
NLL(y | x, H) with the head ablated minus NLL(y | x, H) intact. A head whose
removal makes the user's own texts less likely carries the user's preferences,
or simply language: most heads that matter to the user's text matter to anyone's.
So the score is *contrasted*: minus the same increase on reference texts written
by someone else after the same x and H (`reference_items`; the app has no other
users, so the model's own replies to the user's prompts stand in, the default
voice the user departs from). What is left is what the head does for this
user's text and not for text in general.
Ablation zeroes the head's slice of the o_proj input (`hooks.mask_heads`), the
faithful single-head edit (the authors' code zeroes an o_proj *output* slice,
which mixes every head).

Why the scan is shaped the way it is (the cost is heads x items x tokens):

- only the response tokens are scored and contexts are cut (H and y to ~128
  tokens), so the vocabulary projection runs on few positions;
- all the heads of one layer are ablated in the *same* forward, one head per
  block of batch rows (`rows=`), so a layer costs one batched call over
  items x heads, never one call per head;
- `scan="attribution"` (first-order, one forward and backward for all heads:
  dNLL/dgate of a per-head gate at 1) ranks the heads when a full exact scan is
  too slow for the machine; `refine` heads are then re-scored exactly, so the
  kept heads' scores are always true ablation effects.

Decoding runs the full and the head-masked pass as one batch of two over the
same prompt (`TorchRuntime.generate_combined`, both with the KV cache):
final log-probs = (1 + g) * lp_full - g * lp_masked, with g the entropy of the
full distribution over log(vocabulary size) (the default: contrast more where
the model is unsure) or a fixed value, among the tokens the full model finds
plausible (`contrast`). g = 0 is exactly the plain model.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import EngineError, GenerationCancelled

log = logging.getLogger(__name__)

DEFAULT_FRACTION = 0.04  # keep the top 4% of heads (11 of SmolLM2's 270)
MAX_CONTEXT_TOKENS = 128  # H (the user's other texts) is cut to this many tokens
MAX_TEXT_TOKENS = 128  # y is cut to this many tokens
N_CONTEXT = 2  # other history items shown as H
SYSTEM = "You are a helpful assistant."
PLAUSIBILITY = 0.1  # decoding keeps tokens with p >= 0.1 * p(top token) of the full model

# A whole contrasted scan over its attribution passes alone: 341 s against 131 s on
# SmolLM2-135M, 20 texts (benchmarks/RESULTS.md, DPS, 2026-12-06).
SCAN_OVER_ATTRIBUTION = 2.6

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]
Head = tuple[int, int]


class ScanTooSlow(EngineError):
    """The scan would take longer than it was given; `estimate_s` is the whole scan, from
    the pace of its first `measured` texts."""

    def __init__(self, estimate_s: float, measured: int) -> None:
        super().__init__(f"The scan would take about {estimate_s / 60:.0f} minutes.")
        self.estimate_s = estimate_s
        self.measured = measured


@dataclass
class ScanItem:
    """One of the user's texts as the scan sees it: prompt ids (x and H) and response ids (y)."""

    prompt: list[int]
    text: list[int]


@dataclass
class HeadScores:
    """The scan's result: PCS per (layer, head).

    `exact` marks true ablation effects; in attribution mode the other heads
    keep their first-order estimate (NaN where nothing was computed).
    """

    scores: np.ndarray  # (n_layer, n_head), float64
    exact: np.ndarray  # (n_layer, n_head), bool: score is a true ablation effect
    base_nll: float
    seconds: float
    mode: str
    meta: dict[str, Any] = field(default_factory=dict)

    def top(self, fraction: float = DEFAULT_FRACTION, k: int | None = None) -> list[dict]:
        """The preference heads, highest score first, as JSON-ready dicts."""
        n_layer, n_head = self.scores.shape
        k = k if k is not None else max(1, int(round(fraction * n_layer * n_head)))
        flat = np.where(np.isnan(self.scores), -np.inf, self.scores).ravel()
        order = np.argsort(-flat, kind="stable")[:k]
        return [{"layer": int(i // n_head), "head": int(i % n_head),
                 "score": round(float(self.scores.flat[i]), 5)} for i in order]


def _chat_prompt(trt, user: str) -> str:
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    try:
        return trt.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    except (ValueError, AttributeError, TypeError):  # no chat template: plain text
        return f"{SYSTEM}\n\nUser: {user}\nAssistant: "


def user_prompt(task: str, examples: Sequence[str]) -> str:
    """x with H shown before it: the conditioning the PCS measures."""
    if not examples:
        return task
    shown = "\n\n".join(f"Example {i + 1}:\n{e}" for i, e in enumerate(examples))
    return f"Some texts I wrote:\n{shown}\n\nIn my own style: {task}"


def cut(trt, text: str, n: int) -> str:
    """`text` cut to its first n tokens (how the scan shows H)."""
    ids = trt.tokenize(text, special=False)
    return text if len(ids) <= n else trt.detokenize(ids[:n])


def prepare_items(
    trt,
    items: Sequence[tuple[str, str]],
    *,
    n_context: int = N_CONTEXT,
    max_context: int = MAX_CONTEXT_TOKENS,
    max_text: int = MAX_TEXT_TOKENS,
) -> list[ScanItem]:
    """(prompt, text) pairs -> scan items; H = the n_context items before each (wrapping)."""
    out = []
    n = len(items)
    for i, (prompt, text) in enumerate(items):
        others = [items[(i - j) % n][1] for j in range(1, min(n_context, n - 1) + 1)]
        per = max(8, max_context // max(1, len(others)))
        examples = [cut(trt, o, per) for o in others]
        p = trt.tokenize(_chat_prompt(trt, user_prompt(prompt or "Write a text.", examples)))
        y = trt.tokenize(text, special=False)[:max_text]
        if y:
            out.append(ScanItem(p, y))
    return out


def reference_items(trt, items: Sequence[tuple[str, str]], others: Sequence[str],
                    **kw: Any) -> list[ScanItem]:
    """Scan items for the contrast: each of `others` (another writer's text for the same
    prompt) after the prompt and H that the user's item i was scored with."""
    pairs = [(prompt, text) for prompt, text in items]
    user = prepare_items(trt, pairs, **kw)
    max_text = kw.get("max_text", MAX_TEXT_TOKENS)
    out = []
    for it, other in zip(user, others, strict=False):
        y = trt.tokenize(other, special=False)[:max_text]
        if y:
            out.append(ScanItem(it.prompt, y))
    return out


def _rows_nll(trt, items: Sequence[ScanItem], *, entering: Any = None,
              record: dict[int, Any] | None = None) -> np.ndarray:
    """Mean NLL of each item's response, under the active hooks, as one batch in this order.

    Not `TorchRuntime.loglik`: that sorts rows by length, and the `rows=` masks
    of the scan must address rows by their position in the batch given here.
    `entering` = (layer, residual entering that block, one row per item): start there
    (`hooks.from_layer`) instead of at the tokens. `record` {layer: None}: filled with
    the residual entering each of those blocks, for later calls to start from.
    The vocabulary is projected one row at a time where that gives the model's own
    numbers (`_row_projection_ok`), so a 64-row call never holds 64 rows of logits.
    """
    return _forward_nll(trt, items, entering=entering, record=record,
                        by_row=_row_projection_ok(trt, items[0]))


def _forward_nll(trt, items: Sequence[ScanItem], *, entering: Any = None,
                 record: dict[int, Any] | None = None, by_row: bool) -> np.ndarray:
    import torch

    from engine.runtime import hooks

    rows = [it.prompt + it.text for it in items]
    ids, _ = trt.pad_batch(rows, side="right")
    first = min(len(it.prompt) for it in items) - 1
    last = max(len(it.prompt) + len(it.text) for it in items) - 1
    keep = torch.arange(first, max(last, first + 1), device=ids.device)
    with contextlib.ExitStack() as stack:
        if record:
            handles = []
            stack.callback(lambda: [h.remove() for h in handles])
            for L in record:
                def grab(_m, args, kwargs, L=L):
                    x = args[0] if args else kwargs["hidden_states"]
                    record[L] = x.detach().clone()
                handles.append(trt.parts.layers[L].register_forward_pre_hook(
                    grab, with_kwargs=True))
        proj = stack.enter_context(hooks.deferred_projection(trt.model)) if by_row else None
        if entering is not None:
            stack.enter_context(hooks.from_layer(trt.model, entering[0]))
            logits = trt.forward(ids, logits_to_keep=keep, inputs_embeds=entering[1]).logits
        else:
            logits = trt.forward(ids, logits_to_keep=keep).logits
    out = np.zeros(len(items))
    with torch.no_grad():
        for b, it in enumerate(items):
            s = len(it.prompt) - 1 - first
            z = (proj.logits(proj.states[-1][b, s : s + len(it.text)]) if proj is not None
                 else logits[b, s : s + len(it.text)]).float()
            lp = torch.log_softmax(z, dim=-1)
            tgt = torch.as_tensor(it.text, device=lp.device)[:, None]
            out[b] = -float(lp.gather(1, tgt).double().mean())
    return out


_ROW_PROJECTION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _row_projection_ok(trt, item: ScanItem) -> bool:
    """Whether projecting the kept hidden states row by row gives the NLL the model's own
    logits give (checked once per runtime, on one item)."""
    if trt not in _ROW_PROJECTION:
        try:
            ok = bool(np.allclose(_forward_nll(trt, [item], by_row=True),
                                  _forward_nll(trt, [item], by_row=False),
                                  atol=1e-4, rtol=1e-5))
        except Exception as exc:  # a model without separable output embeddings
            log.info("DPS: the vocabulary cannot be projected row by row (%s)", exc)
            ok = False
        if not ok:
            log.info("DPS: projecting row by row differs from the model's logits; the scan "
                     "projects whole batches (more memory)")
        _ROW_PROJECTION[trt] = ok
    return _ROW_PROJECTION[trt]


def _check(should_stop: StopFn | None) -> None:
    if should_stop is not None and should_stop():
        raise GenerationCancelled("Stopped.")


def exact_scores(
    trt,
    items: Sequence[ScanItem],
    heads: Sequence[Head] | None = None,
    *,
    rows_per_call: int = 64,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    from_block: bool = True,
) -> tuple[dict[Head, float], float]:
    """PCS of each head by real ablation: {head: mean NLL ablated - mean NLL intact}, base NLL.

    Heads are grouped by layer; a call carries as many (head, item) rows as fit
    in `rows_per_call`, each head masked only in its own rows. Ablating a head of
    block L changes nothing before it, so each call starts from the residual
    entering block L, recorded in the intact pass, and runs only the blocks from L
    on (half the work on average): exact all the same, which a first call without any
    ablation checks against the intact pass before it is relied on (`from_block=False`:
    every call runs all blocks, as a benchmark's baseline).
    """
    from engine.runtime import hooks

    heads = list(heads) if heads is not None else [
        (L, h) for L in range(trt.n_layer) for h in range(trt.n_head)]
    entering: dict[int, Any] = ({L: None for L in sorted({L for L, _h in heads}) if L > 0}
                                if from_block else {})
    base = _rows_nll(trt, items, record=entering)
    if entering and not _tail_matches(trt, items, entering, base):
        entering = {}
    n = len(items)
    per_call = max(1, rows_per_call // max(1, n))  # heads per forward
    by_layer: dict[int, list[int]] = {}
    for L, h in heads:
        by_layer.setdefault(L, []).append(h)
    groups = [(L, hs[s : s + per_call]) for L, hs in sorted(by_layer.items())
              for s in range(0, len(hs), per_call)]
    out: dict[Head, float] = {}
    for g, (L, hs) in enumerate(groups):
        _check(should_stop)
        batch = [it for _ in hs for it in items]
        start = ((L, entering[L].repeat(len(hs), 1, 1))
                 if entering.get(L) is not None else None)
        with contextlib.ExitStack() as stack:
            for j, h in enumerate(hs):
                rows = list(range(j * n, (j + 1) * n))
                stack.enter_context(hooks.mask_heads(trt, [(L, h)], rows=rows))
            nll = _rows_nll(trt, batch, entering=start)
        for j, h in enumerate(hs):
            out[(L, h)] = float(np.mean(nll[j * n : (j + 1) * n] - base))
        if progress is not None:
            progress((g + 1) / len(groups), "scoring heads")
    return out, float(base.mean())


def _tail_matches(trt, items: Sequence[ScanItem], entering: dict[int, Any],
                  base: np.ndarray) -> bool:
    """Whether starting at a recorded block gives the intact pass's NLLs (it does where the
    model uses `inputs_embeds` as given; not on GPT-2, which adds positions to it)."""
    L = max(entering)
    try:
        again = _rows_nll(trt, items, entering=(L, entering[L]))
    except Exception:  # an architecture whose forward cannot start there
        log.info("DPS scan: cannot start at block %d; every ablation runs all blocks", L)
        return False
    ok = bool(np.allclose(again, base, atol=1e-3, rtol=1e-4))
    if not ok:
        log.info("DPS scan: starting at block %d changed the NLL by %.2g; running all blocks",
                 L, float(np.abs(again - base).max()))
    return ok


def attribution_scores(trt, items: Sequence[ScanItem], *, batch: int = 8,
                       should_stop: StopFn | None = None,
                       after_batch: Callable[[int, float], None] | None = None) -> np.ndarray:
    """First-order PCS of every head at once: -d mean NLL / d gate, gates at 1.

    Removing a head moves its gate from 1 to 0, so the first-order change of the
    NLL is minus the gradient. One forward and backward replaces 270 forwards;
    it ranks heads, and the top ones are then scored exactly.
    """
    import torch
    from torch.utils.checkpoint import checkpoint

    from engine.runtime import hooks

    t0 = time.perf_counter()
    by_row = _row_projection_ok(trt, items[0])
    parts = trt.parts
    ref = next(parts.o_proj[0].parameters())
    gate = torch.ones(trt.n_layer, trt.n_head, dtype=ref.dtype, device=ref.device,
                      requires_grad=True)
    hd = trt.head_dim

    def make(L: int):
        def pre(_m, args):
            x = args[0]
            g = gate[L].repeat_interleave(hd)
            return (x * g, *args[1:])
        return pre

    handles = [parts.o_proj[L].register_forward_pre_hook(make(L)) for L in range(trt.n_layer)]
    try:
        for s in range(0, len(items), batch):
            _check(should_stop)
            chunk = items[s : s + batch]
            rows = [it.prompt + it.text for it in chunk]
            ids, _ = trt.pad_batch(rows, side="right")
            # The vocabulary projection (and its backward) only where a text token is
            # predicted: the prompts are most of each row.
            first = min(len(it.prompt) for it in chunk) - 1
            last = max(len(it.prompt) + len(it.text) for it in chunk) - 1
            keep = torch.arange(first, max(last, first + 1), device=ids.device)
            with torch.enable_grad():
                with (hooks.deferred_projection(trt.model) if by_row
                      else contextlib.nullcontext()) as proj:
                    logits = trt.model(input_ids=ids, logits_to_keep=keep).logits
                loss = 0.0
                for b, it in enumerate(chunk):
                    n_p, n_t = len(it.prompt) - first, len(it.text)
                    tgt = torch.as_tensor(it.text, device=ids.device)
                    if proj is None:
                        z = logits[b, n_p - 1 : n_p - 1 + n_t].float()
                        loss = loss + torch.nn.functional.cross_entropy(z, tgt) / len(items)
                        continue
                    # One row's logits at a time, forward and backward: the projection
                    # is recomputed in the backward pass instead of kept for every row.
                    h = proj.states[-1][b, n_p - 1 : n_p - 1 + n_t]
                    loss = loss + checkpoint(
                        lambda x, t=tgt: torch.nn.functional.cross_entropy(
                            proj.logits(x).float(), t), h, use_reentrant=False) / len(items)
                loss.backward()
            if after_batch is not None:  # items done, seconds so far
                after_batch(s + len(chunk), time.perf_counter() - t0)
    finally:
        for h in handles:
            h.remove()
    return (-gate.grad).double().cpu().numpy()


def scan_heads(
    trt,
    items: Sequence[ScanItem],
    *,
    mode: str = "attribution",
    refine: int | None = None,
    rows_per_call: int = 64,
    seed: int = 0,
    reference: Sequence[ScanItem] | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    max_seconds: float | None = None,
) -> HeadScores:
    """Score the heads: `exact` ablates every head; `attribution` ranks by gradient, then
    re-scores the top `refine` heads exactly (default: as many as are kept), so
    the others keep their first-order estimate (exact=False). With `reference`, every
    score is the user's increase minus the reference texts' (the contrasted PCS).

    With `max_seconds`, the attribution scan times its first batch and raises
    `ScanTooSlow` with the estimate when the whole scan would take longer: the user
    hears it in a minute, not after an hour.

    The scan is deterministic (no sampling, fixed order); `seed` seeds torch only
    so any kernel that draws random numbers repeats.
    """

    import torch

    torch.manual_seed(seed)
    if not items:
        raise ValueError("DPS needs at least one item with text to score.")
    t0 = time.perf_counter()
    shape = (trt.n_layer, trt.n_head)
    scores = np.full(shape, np.nan)
    exact = np.zeros(shape, dtype=bool)
    meta: dict[str, Any] = {"n_items": len(items),
                            "tokens": int(sum(len(i.prompt) + len(i.text) for i in items))}
    if refine is None:  # at least the heads that will be kept get exact scores
        refine = max(1, int(round(DEFAULT_FRACTION * shape[0] * shape[1])))
    if reference:
        meta["reference_items"] = len(reference)
    if mode == "attribution":
        n_texts = len(items) + len(reference or [])

        def check_pace(done: int, seconds: float) -> None:
            estimate = seconds / done * n_texts * SCAN_OVER_ATTRIBUTION
            if max_seconds is not None and done < n_texts and estimate > max_seconds:
                raise ScanTooSlow(estimate, done)

        approx = attribution_scores(trt, items, should_stop=should_stop,
                                    after_batch=check_pace)
        if reference:
            approx = approx - attribution_scores(trt, reference, should_stop=should_stop)
        scores[:] = approx
        order = np.argsort(-approx.ravel(), kind="stable")[:refine]
        heads = [(int(i // trt.n_head), int(i % trt.n_head)) for i in order]
    elif mode == "exact":
        heads = None
    else:
        raise ValueError(f"Unknown scan mode {mode!r}; use exact or attribution.")
    got, base = exact_scores(trt, items, heads, rows_per_call=rows_per_call,
                             progress=progress, should_stop=should_stop)
    if reference:
        ref, ref_base = exact_scores(trt, reference, heads, rows_per_call=rows_per_call,
                                     should_stop=should_stop)
        got = {k: v - ref[k] for k, v in got.items()}
        meta["reference_base_nll"] = ref_base
    for (L, h), v in got.items():
        scores[L, h] = v
        exact[L, h] = True
    return HeadScores(scores, exact, base, time.perf_counter() - t0, mode, meta)


# ---- decoding ---------------------------------------------------------------------------


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z.astype(np.float64)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def contrast(gamma: float | None = None,
             plausibility: float = PLAUSIBILITY) -> Callable[[np.ndarray], np.ndarray]:
    """The per-step merge of (full, masked) logits: (1+g) lp_full - g lp_masked.

    g is the entropy of the full distribution divided by log(vocabulary size)
    when `gamma` is None, so it lies in [0, 1]: contrast more where the model is
    unsure. Raw entropy in nats reaches 5-10 on a 49k vocabulary, and a g that
    large turned every reply of the default model into word salad ("Synthesis
    Blank Page Blank ..."); DeCoRe's entropy-scaled contrast normalizes the
    same way. Only tokens the full model finds plausible (probability at least
    `plausibility` times its top token's, the adaptive plausibility constraint
    of contrastive decoding) can be chosen: the contrast re-ranks what the
    model would say, it never promotes a token the model rejects.
    With g = 0 the full logits are returned untouched: exactly the plain model.
    """
    log_floor = math.log(plausibility) if plausibility > 0 else -math.inf

    def combine(z: np.ndarray) -> np.ndarray:
        if gamma is not None and gamma == 0:
            return z[0]
        lp = _log_softmax(z[:2])
        if gamma is None:
            g = float(-(np.exp(lp[0]) * lp[0]).sum()) / math.log(lp.shape[-1])
        else:
            g = float(gamma)
        if not math.isfinite(g) or g == 0:
            return z[0]
        out = (1 + g) * lp[0] - g * lp[1]
        out[lp[0] < lp[0].max() + log_floor] = -np.inf
        return out.astype(np.float32)

    return combine


def generate(
    trt,
    prompt,
    heads: Sequence[Head],
    sampling=None,
    *,
    gamma: float | None = None,
    max_new_tokens: int | None = None,
    cancel=None,
    on_text: Callable[[str], None] | None = None,
):
    """DPS decoding: row 0 full, row 1 with the preference heads masked, one token per step."""
    from engine.runtime import hooks

    hs = [(int(L), int(h)) for L, h in heads]
    with hooks.mask_heads(trt, hs, rows=[1]):
        return trt.generate_combined([prompt, prompt], contrast(gamma), sampling,
                                     max_new_tokens=max_new_tokens, cancel=cancel,
                                     on_text=on_text)


def chat_prompt(trt, messages: Sequence[dict], system: str | None = None) -> str:
    """The chat-formatted prompt for DPS chat (the torch tokenizer's template)."""
    msgs = list(messages)
    if system and not any(m.get("role") == "system" for m in msgs):
        msgs = [{"role": "system", "content": system}, *msgs]
    return trt.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
