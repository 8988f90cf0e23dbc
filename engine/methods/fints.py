"""Fints (Du et al., arXiv 2510.27206): instance-level interventions chosen per request.

Why per item and per request: one global style vector averages away what a user
does differently in different situations (terse work mail vs chatty recipes).
Fints keeps one small intervention per history item and mixes, for each
request, those of the items most like it.

Build (per history item i, cached per item and model, so a rebuild only
computes new items):

    v_i^attn[l] = mean_t attn_l(x_i + y_i)[t] - mean_t attn_l(x_i + y_hat_i)[t]
    v_i^mlp[l]  = the same for the MLP output

with y_i the user's text, y_hat_i the cached generic reply (engine.methods.generic_replies),
attn the attention output after o_proj and t the positions that predict the
response's tokens (as StyleVector does). Each item also keeps its MiniLM
embedding (of its prompt and text). The activations are read from llama.cpp on the
quantized weights (engine.runtime.activations: `ffn_out` for the MLP, `ffn_inp`
minus the block's input for attention), so a build holds no float32 torch copy of
the model; torch's hooks read the same numbers (tests/test_fints.py checks it).

Per request: embed it, take the top-k items by cosine similarity, weight them by
softmax(score / temperature) and add alpha * sum_i w_i v_i to the attention
output (the MLP then sees it) and to the MLP output. The paper fixes alpha; here
the build chooses it per user by what it makes the model write
(`engine.methods.fints_strength`), as a fraction of the residual stream's norm.

Two runtimes:
- torch: exact, `steer_torch` (hooks on o_proj and the MLP);
- llama.cpp: a control vector only adds to the residual after a block, so the
  attention and MLP deltas are summed into the residual at that layer
  (`control_buffer`). What this misses is the MLP's reaction to the attention
  edit inside the same block; tests/test_fints.py measures how close it comes.

Everything heavy (torch, sentence-transformers) is imported inside functions.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from engine.steering.vectors import Steering, SteeringVector

DEFAULT_K = 5
DEFAULT_TEMPERATURE = 0.1
DEFAULT_ALPHA = 1.0
MAX_TEXT_TOKENS = 64
EMBEDDER = "all-MiniLM-L6-v2"

StopFn = Callable[[], bool]
ProgressFn = Callable[[str, float], None]


def default_layers(n_layer: int) -> list[int]:
    """One layer two thirds up: on SmolLM2-135M layer 20 of 30 raised a user's held-out
    text by 0.08 nat/token at alpha 1, against 0.05 at layer 15 and 0.004 at layer 8
    (layers later than that carry little left to shape; llama.cpp cannot steer layer 0)."""
    return [max(1, (2 * n_layer) // 3)]


def config_tag(layers: Sequence[int], system: str, max_text_tokens: int = MAX_TEXT_TOKENS) -> str:
    """What a cached item depends on; change any of it and items are recomputed."""
    from engine.methods.generic_replies import GENERIC_MAX_TOKENS, sha

    key = f"fints-v3|{','.join(map(str, layers))}|{max_text_tokens}|{GENERIC_MAX_TOKENS}|{system}"
    return sha(key)[:32]


@dataclass
class FintsItem:
    """One history item's intervention: attention and MLP deltas at the chosen layers."""

    attn: np.ndarray  # (n_layers_chosen, n_embd)
    mlp: np.ndarray  # (n_layers_chosen, n_embd)
    emb: np.ndarray  # (384,) unit length
    label: str = ""  # a short excerpt, for --explain
    # (n_layers_chosen,) norm of the mean residual stream over the user's text at each
    # chosen layer: what a strength chosen as a fraction of the residual norm is taken of.
    norm: np.ndarray | None = None

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        extra = {} if self.norm is None else {"norm": np.asarray(self.norm, np.float32)}
        np.savez(buf, attn=self.attn.astype(np.float32), mlp=self.mlp.astype(np.float32),
                 emb=self.emb.astype(np.float32), label=np.array([self.label]), **extra)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FintsItem:
        z = np.load(io.BytesIO(data))
        # Items cached before norms were kept (an older profile's config) have none.
        norm = z["norm"] if "norm" in z.files else None
        return cls(z["attn"], z["mlp"], z["emb"], str(z["label"][0]), norm)


class FintsStore(Protocol):
    def get_many(self, keys: Sequence[str], config: str) -> dict[str, FintsItem]: ...

    def put(self, key: str, config: str, item: FintsItem) -> None: ...


class MemoryFintsStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], FintsItem] = {}

    def get_many(self, keys: Sequence[str], config: str) -> dict[str, FintsItem]:
        return {k: self.data[(k, config)] for k in keys if (k, config) in self.data}

    def put(self, key: str, config: str, item: FintsItem) -> None:
        self.data[(key, config)] = item


# ---- building ----------------------------------------------------------------------


def item_deltas(
    reader,
    prefixes: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    generics: Sequence[Sequence[int]],
    layers: Sequence[int],
    *,
    should_stop: StopFn | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(attn delta, mlp delta), each (len(layers), n_embd), and the norm of the mean
    residual over the user's text (len(layers),), for every item.

    `reader` is an activation reader (engine.runtime.activations): llama.cpp on the
    quantized weights in the app, torch's hooks as the parity test's reference. Each
    item is x+y and x+y_hat, averaged over the positions that predict y (y_hat).
    """
    from engine.runtime.activations import Part, Row

    n = len(prefixes)
    parts = ([Part("attn", L) for L in layers] + [Part("mlp", L) for L in layers]
             + [Part("residual", L) for L in layers])
    k = len(layers)
    rows = [Row.text(prefixes[i], users[i]) for i in range(n)]
    rows += [Row.text(prefixes[i], generics[i]) for i in range(n)]
    means: list[np.ndarray | None] = [None] * (2 * n)

    def keep(r: int, h: np.ndarray, _lp: np.ndarray) -> None:
        means[r] = h.mean(axis=1)  # (len(parts), n_embd)

    reader.run(rows, keep, parts=parts, should_stop=should_stop,
               progress=(lambda d, m: progress(d // 2, n)) if progress else None)
    out = []
    for i in range(n):
        u, g = means[i], means[n + i]
        assert u is not None and g is not None
        d = (u - g).astype(np.float32)
        r = np.linalg.norm(u[2 * k:], axis=1).astype(np.float32)
        out.append((d[:k], d[k : 2 * k], r))
    return out


def item_text_for_embedding(prompt: str, text: str) -> str:
    """What an item is retrieved by: its prompt (the situation) and the text itself."""
    return f"{prompt.strip()}\n{text.strip()}".strip()


@dataclass
class FintsBank:
    """All items' interventions, stacked for fast retrieval and mixing."""

    layers: list[int]
    keys: list[str]
    emb: np.ndarray  # (N, 384)
    attn: np.ndarray  # (N, n_layers_chosen, n_embd)
    mlp: np.ndarray
    labels: list[str] = field(default_factory=list)
    norms: np.ndarray | None = None  # (N, n_layers_chosen), FintsItem.norm

    @classmethod
    def from_items(cls, layers: Sequence[int], keys: Sequence[str],
                   items: Sequence[FintsItem]) -> FintsBank:
        norms = (None if any(it.norm is None for it in items)
                 else np.stack([it.norm for it in items]).astype(np.float32))
        return cls(list(layers), list(keys), np.stack([it.emb for it in items]).astype(np.float32),
                   np.stack([it.attn for it in items]).astype(np.float32),
                   np.stack([it.mlp for it in items]).astype(np.float32),
                   [it.label for it in items], norms)

    def __len__(self) -> int:
        return len(self.keys)

    def without(self, i: int) -> FintsBank:
        """The bank less item i (a held-out text must not steer its own reply)."""
        keep = [j for j in range(len(self)) if j != i]
        return FintsBank(self.layers, [self.keys[j] for j in keep], self.emb[keep],
                         self.attn[keep], self.mlp[keep],
                         [self.labels[j] for j in keep] if self.labels else [],
                         None if self.norms is None else self.norms[keep])

    def residual_norm(self) -> float:
        """Mean residual norm over the items at the first chosen layer (the scale a strength
        fraction is taken of)."""
        if self.norms is None or not len(self.norms):
            raise ValueError("This bank was built without residual norms; rebuild it.")
        return float(self.norms[:, 0].mean())

    def choose(self, query_emb: np.ndarray, k: int = DEFAULT_K,
               temperature: float = DEFAULT_TEMPERATURE) -> FintsChoice:
        """Top-k items by cosine similarity (embeddings are unit length), softmax weights."""
        scores = self.emb @ np.asarray(query_emb, dtype=np.float32).reshape(-1)
        k = max(1, min(k, len(scores)))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        z = scores[top] / max(temperature, 1e-6)
        w = np.exp(z - z.max())
        w /= w.sum()
        attn = np.einsum("k,kld->ld", w.astype(np.float32), self.attn[top])
        mlp = np.einsum("k,kld->ld", w.astype(np.float32), self.mlp[top])
        return FintsChoice(self.layers, [int(i) for i in top], w.astype(np.float32),
                           scores[top].astype(np.float32), attn, mlp,
                           [self.labels[i] if self.labels else "" for i in top])

    def mean_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        return self.attn.mean(axis=0), self.mlp.mean(axis=0)

    def mean_layer_array(self, n_layer: int) -> np.ndarray:
        """The items' mean intervention as a residual addition per layer (what an export
        of the profile holds)."""
        return _steering_vector(self.layers, *self.mean_vectors(), n_layer).layer_array()


@dataclass
class FintsChoice:
    """The items chosen for one request, their weights, and the instance vectors."""

    layers: list[int]
    indices: list[int]
    weights: np.ndarray
    scores: np.ndarray
    attn: np.ndarray  # (n_layers_chosen, n_embd)
    mlp: np.ndarray
    labels: list[str]

    def explain(self) -> list[dict[str, Any]]:
        return [{"item": i, "weight": round(float(w), 4), "score": round(float(s), 4),
                 "text": lab}
                for i, w, s, lab in zip(self.indices, self.weights, self.scores, self.labels,
                                        strict=True)]

    def layer_array(self, n_layer: int) -> np.ndarray:
        """(n_layer, n_embd), row L the residual addition at layer L (attn + mlp delta)."""
        return _steering_vector(self.layers, self.attn, self.mlp, n_layer).layer_array()

    def alpha_for(self, fraction: float, norm: float) -> float:
        """The multiplier whose push at the first chosen layer is `fraction` of `norm`."""
        v = float(np.linalg.norm(self.attn[0] + self.mlp[0]))
        return 0.0 if v == 0 else fraction * norm / v

    def steering(self, n_layer: int, alpha: float = DEFAULT_ALPHA, *,
                 generated_only: bool = False) -> Steering:
        """This choice as llama.cpp steers it: attn + mlp delta summed into the residual
        after each chosen layer, times `alpha`."""
        from engine.steering.vectors import Steering

        for L in self.layers:
            if not 1 <= L < n_layer:
                raise ValueError(f"layer {L} cannot be steered in llama.cpp (use 1..{n_layer - 1})")
        return Steering(_steering_vector(self.layers, self.attn, self.mlp, n_layer), alpha,
                        generated_only=generated_only)

    def steer_torch(self, trt, alpha: float = DEFAULT_ALPHA):
        """The exact intervention in torch (a context manager): attention output, then MLP."""
        from engine.runtime.hooks import steer_components

        return steer_components(
            trt,
            attn={L: self.attn[j] for j, L in enumerate(self.layers)},
            mlp={L: self.mlp[j] for j, L in enumerate(self.layers)},
            scale=alpha,
        )


def _steering_vector(layers: Sequence[int], attn: np.ndarray, mlp: np.ndarray,
                     n_layer: int) -> SteeringVector:
    """Attention and MLP deltas, (n_layers_chosen, n_embd) each, as one residual addition
    per layer: how llama.cpp's control vector carries them."""
    from engine.steering.vectors import SteeringVector

    return SteeringVector({L: attn[j] + mlp[j] for j, L in enumerate(layers)}, "",
                          attn.shape[-1], n_layer)


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """MiniLM embeddings; in a child process where this one has not loaded torch (a build:
    engine.methods.embeddings.embed_apart)."""
    from engine.methods.embeddings import embed_apart

    return embed_apart(texts)


def build_bank(
    items: Sequence[Any],
    llama,
    generic_cache,
    store: FintsStore,
    *,
    layers: Sequence[int] | None = None,
    system: str | None = None,
    batched=None,
    reader=None,
    max_text_tokens: int = MAX_TEXT_TOKENS,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> tuple[FintsBank, int, int]:
    """The bank for `items` (engine.methods.generic_replies.ProfileItem), computing only new ones.

    The activations are read by `reader` (default: llama.cpp on `llama`'s quantized
    weights, opened after the build's own generic-reply batch context is closed; no
    torch copy of the model).
    Returns (bank, items computed now, generic replies generated now).
    """
    from engine.methods.generic_replies import PROFILE_SYSTEM, chat_prefix, generic_responses
    from engine.methods.profile_build import text_tokens
    from engine.runtime.batched import BatchedLlama

    system = system or PROFILE_SYSTEM
    layers = list(layers) if layers else default_layers(llama.info.n_layer)
    config = config_tag(layers, system, max_text_tokens)
    keys = [it.key for it in items]
    cached = store.get_many(sorted(set(keys)), config)
    new = [it for it in items if it.key not in cached]
    new = list({it.key: it for it in new}.values())
    n_generated = 0
    if new:
        own = batched is None
        bl = batched or BatchedLlama(llama)
        try:
            def on_generic(d: int, t: int) -> None:
                if progress:
                    progress("generic replies", d / max(1, t))

            # An edit pair's model text is that item's generic reply: nothing to generate.
            todo = [it for it in new if not it.generic]
            made, n_generated = generic_responses(
                llama, bl, [it.instruction for it in todo], generic_cache, system=system,
                progress=on_generic, should_stop=should_stop) if todo else ([], 0)
            made_by_key = {it.key: g for it, g in zip(todo, made, strict=True)}
            generics = [it.generic or made_by_key[it.key] for it in new]
        finally:
            if own:
                bl.close()
        prefixes = [llama.tokenize(chat_prefix(llama, it.instruction, system)) for it in new]
        users = [text_tokens(llama, it.text)[:max_text_tokens] for it in new]
        gens = [text_tokens(llama, g)[:max_text_tokens] for g in generics]

        def on_acts(d: int, t: int) -> None:
            if progress:
                progress("activations", d / max(1, t))

        own_reader = reader is None
        if own_reader:
            from engine.runtime.activations import LlamaActivations

            reader = LlamaActivations(llama)
        try:
            deltas = item_deltas(reader, prefixes, users, gens, layers,
                                 should_stop=should_stop, progress=on_acts)
        finally:
            if own_reader:
                reader.close()
        embs = embed_texts([item_text_for_embedding(it.prompt, it.text) for it in new])
        for it, (a, f, r), e in zip(new, deltas, embs, strict=True):
            fi = FintsItem(a, f, e, " ".join(it.text.split())[:60], r)
            store.put(it.key, config, fi)
            cached[it.key] = fi
    if progress:
        progress("done", 1.0)
    bank = FintsBank.from_items(layers, keys, [cached[k] for k in keys])
    return bank, len(new), n_generated
