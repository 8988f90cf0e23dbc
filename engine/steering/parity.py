"""Check that torch steering and llama.cpp control vectors do the same thing.

Profiles are built in torch and applied in llama.cpp, so the two must agree on
which layer a vector lands in. This adds one random vector at one layer
through a torch hook and through llama.cpp's control vector (via a
`SteeringVector`, so the file layout and layer mapping are exercised too), and
correlates the two changes of the next-token logits. The same check with
llama.cpp one layer off must score clearly lower, or the check could not tell
an off-by-one from a match. Tests and the benchmark use it; so can a user
picking a new GGUF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.steering.vectors import Steering, SteeringVector


@dataclass
class ParityResult:
    layer: int
    corr: float  # same layer in both runtimes
    wrong_layer_corr: dict[int, float] = field(default_factory=dict)  # llama.cpp layer -> corr
    vector_norm: float = 0.0
    base_corr: float = 0.0  # unsteered logits, torch vs llama.cpp

    @property
    def worst_wrong(self) -> float:
        """The highest score any wrong layer got (what a test compares against)."""
        return max(self.wrong_layer_corr.values()) if self.wrong_layer_corr else float("nan")


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64), b.astype(np.float64))[0, 1])


def steering_parity(
    torch_rt: Any,
    llama_rt: Any,
    prompt: str,
    layer: int,
    *,
    rel_norm: float = 0.75,
    seed: int = 0,
    offsets: tuple[int, ...] = (-1, 1),
) -> ParityResult:
    """Correlate torch's and llama.cpp's logit deltas for one random vector at `layer`.

    The vector's norm is `rel_norm` times the residual norm at that layer, so
    the steering effect dominates the small quantization differences between
    the runtimes (measured on SmolLM2: 0.75 gives ~0.997; a tenth of it, ~0.5).
    llama.cpp's steering is as it was afterwards (each vector in a `steered` block).
    """
    from engine.runtime.hooks import capture, steer_residual

    ids = llama_rt.tokenize(prompt)
    with capture(torch_rt, [layer], positions=-1) as cap:
        base_t = torch_rt.forward(ids, logits_to_keep=1).logits[0, -1].float().cpu().numpy()
    h_norm = float(cap.residual(layer).norm())
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(torch_rt.n_embd).astype(np.float32)
    v *= np.float32(rel_norm * h_norm / np.linalg.norm(v))
    with steer_residual(torch_rt, {layer: v}):
        steered_t = torch_rt.next_token_logits(ids)
    delta_t = steered_t - base_t

    with llama_rt.steered(None):
        base_l = llama_rt.next_token_logits(prompt)
    result = ParityResult(layer=layer, corr=float("nan"), vector_norm=float(np.linalg.norm(v)),
                          base_corr=_corr(base_t, base_l))
    for off in (0, *offsets):
        target = layer + off
        if not 1 <= target < llama_rt.info.n_layer:
            continue
        vec = SteeringVector.for_model(llama_rt.info, {target: v})
        with llama_rt.steered(Steering(vec)):
            c = _corr(delta_t, llama_rt.next_token_logits(prompt) - base_l)
        if off == 0:
            result.corr = c
        else:
            result.wrong_layer_corr[target] = c
    return result
