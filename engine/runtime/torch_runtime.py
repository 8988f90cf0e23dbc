"""torch runtime: the same model as llama.cpp, opened up for steering and inspection.

llama.cpp is the fast path for chat, but the personalization methods need to
read and edit activations (residual stream, attention and MLP outputs, single
heads) and to score texts token by token. This runtime loads the same GGUF into
transformers (dequantized) or a Hugging Face model folder, and offers:

- `forward`, `next_token_logits`: plain model calls (under whatever hooks from
  `engine.runtime.hooks` are active);
- `loglik`: per-token log-probabilities of texts given prompts, batched;
- `generate` / `generate_combined`: KV-cached decoding with hooks active, the
  second one running several prompts as one batch and merging their logits
  into one shared token per step (DPS, contrastive decoding).

torch is imported only inside functions: importing this module is cheap, and
the chat path never imports it at all. One thread at a time may use a runtime:
hooks are registered on the shared model. The device and dtype are chosen in
`engine.runtime.torch_device`; the weights are read (and cached on disk) in
`engine.runtime.torch_weights`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import ModelFileError
from engine.runtime.generation import (
    CancelToken,
    SamplingSettings,
    apply_repeat_penalty,
    sample_token,
)
from engine.runtime.hooks import ModelParts, find_parts
from engine.runtime.torch_device import pick_device, pick_dtype
from engine.runtime.torch_weights import ModelIdentity, read_model

if TYPE_CHECKING:  # pragma: no cover
    import torch

log = logging.getLogger(__name__)

TokensLike = str | Sequence[int]


@dataclass
class TokenLogProbs:
    """Log-probabilities of each token of a text, given its prompt (teacher forcing)."""

    tokens: list[int]
    logprobs: np.ndarray  # float64, one per token of the text

    @property
    def total(self) -> float:
        return float(self.logprobs.sum())

    @property
    def mean(self) -> float:
        return float(self.logprobs.mean()) if self.logprobs.size else 0.0

    @property
    def nll(self) -> float:
        """Mean negative log-likelihood per token (what DPS and SteerX compare)."""
        return -self.mean


@dataclass
class TorchGeneration:
    tokens: list[int]
    text: str
    finish_reason: str  # stop | length | cancelled
    seconds: float
    prompt_tokens: int

    @property
    def tokens_per_s(self) -> float:
        return len(self.tokens) / self.seconds if self.seconds > 0 else 0.0


# ---- loading -----------------------------------------------------------------------

_LOAD_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str, str, str], TorchRuntime] = {}


def _load(path: Path, device: str, dtype: torch.dtype,
          weights_cache: Path | None = None) -> TorchRuntime:
    import transformers  # noqa: F401 (imported before the clock starts: load_seconds is the load)

    t0 = time.perf_counter()
    model, tokenizer, identity, source = read_model(path, dtype, weights_cache)
    model.to(device)
    model.eval()
    rt = TorchRuntime(model, tokenizer, identity, device=device, dtype=dtype)
    rt.load_seconds = time.perf_counter() - t0
    log.info("torch runtime: %s on %s/%s in %.1f s (from the %s)", path.name, device, dtype,
             rt.load_seconds, source)
    return rt


def load_torch_runtime(
    path: str | Path, *, device: str = "auto", dtype: str = "auto", cache: bool = True,
    weights_cache: Path | None = None,
) -> TorchRuntime:
    """Load a GGUF file or a Hugging Face folder; reuse the loaded one in this process.

    Loading dequantizes every tensor (seconds), so profile building, scoring
    and generation share one instance per (file, device, dtype) unless
    `cache=False`. With `weights_cache` (a folder), a GGUF's dequantized weights
    and tokenizer are also kept there, keyed by the file's fingerprint and the
    dtype, so the next process loads them in a fraction of the time.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(f"Model not found: {p}")
    dev = pick_device(device)
    dt = pick_dtype(dev, dtype)
    key = (str(p.resolve()), str(p.stat().st_mtime_ns), dev, str(dt))
    with _LOAD_LOCK:
        if cache and key in _CACHE:
            return _CACHE[key]
        rt = _load(p, dev, dt, weights_cache)
        if cache:
            _CACHE[key] = rt
        return rt


# ---- the runtime ---------------------------------------------------------------------


class TorchRuntime:
    """A causal LM in torch, with the handles hooks and methods need."""

    def __init__(
        self, model: Any, tokenizer: Any, info: ModelIdentity, *, device: str, dtype: torch.dtype
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.info = info
        self.device = device
        self.dtype = dtype
        # Nothing here trains the model. A gradient asked for (DPS's per-head gates) then
        # flows to those inputs only, not to every weight as well: 40 % of the attribution
        # scan's time on the CPU, measured.
        model.requires_grad_(False)
        self.parts: ModelParts = find_parts(model)
        self.load_seconds = 0.0
        self._packed: dict[Any, Any] | None = None  # oneDNN weights for batched decode
        cfg = model.config
        self.n_kv_head = int(getattr(cfg, "num_key_value_heads", 0) or self.parts.n_head)
        self.eos_ids = self._eos_ids()

    # ---- facts -------------------------------------------------------------
    @property
    def n_layer(self) -> int:
        return self.parts.n_layer

    @property
    def n_embd(self) -> int:
        return self.parts.n_embd

    @property
    def n_head(self) -> int:
        return self.parts.n_head

    @property
    def head_dim(self) -> int:
        return self.parts.head_dim

    @property
    def n_vocab(self) -> int:
        return int(self.model.get_output_embeddings().weight.shape[0])

    def _eos_ids(self) -> set[int]:
        ids: set[int] = set()
        eos = getattr(self.tokenizer, "eos_token_id", None)
        if eos is not None:
            ids.add(int(eos))
        gen = getattr(self.model, "generation_config", None)
        g = getattr(gen, "eos_token_id", None) if gen is not None else None
        if isinstance(g, int):
            ids.add(g)
        elif isinstance(g, list | tuple):
            ids.update(int(x) for x in g)
        return ids

    # ---- tokens ------------------------------------------------------------
    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        """Token ids as llama.cpp's `tokenize` gives them (same vocabulary, same BOS rule)."""
        return list(self.tokenizer(text, add_special_tokens=special)["input_ids"])

    def detokenize(self, tokens: Sequence[int]) -> str:
        return self.tokenizer.decode(list(tokens), skip_special_tokens=False)

    def _ids(self, x: TokensLike, *, special: bool) -> list[int]:
        return self.tokenize(x, special=special) if isinstance(x, str) else [int(t) for t in x]

    def pad_batch(
        self, rows: Sequence[Sequence[int]], *, side: str = "right", pad_id: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(input_ids, attention_mask) for rows of different lengths.

        Right padding keeps every real token at its unpadded position (scoring,
        capture); left padding lines up the last tokens (generation).
        """
        import torch

        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            if not r:
                continue
            t = torch.as_tensor(list(r), dtype=torch.long)
            if side == "right":
                ids[i, : len(r)], mask[i, : len(r)] = t, 1
            else:
                ids[i, width - len(r) :], mask[i, width - len(r) :] = t, 1
        return ids.to(self.device), mask.to(self.device)

    # ---- forward -----------------------------------------------------------
    def forward(
        self,
        input_ids: torch.Tensor | Sequence[int] | Sequence[Sequence[int]],
        *,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        cache: Any = None,
        use_cache: bool = False,
        logits_to_keep: int | torch.Tensor = 0,
        inputs_embeds: torch.Tensor | None = None,
    ) -> Any:
        """One model call under the active hooks; returns the transformers output.

        With `inputs_embeds` (batch, seq, n_embd) the model starts from those vectors and
        `input_ids` is ignored (`hooks.from_layer` makes them a later block's input).

        `cache` is the KV cache of an earlier call (`kv_cache(out)`); transformers
        5.x names that argument `cache`, 4.x `past_key_values`.

        `logits_to_keep` (an int: the last n positions; a 1-D tensor: those
        positions) saves the vocabulary projection where logits are not needed;
        with a 49k-152k vocabulary that projection dominates memory.
        """
        import torch

        ids = input_ids
        if not isinstance(ids, torch.Tensor):
            ids = torch.as_tensor(ids, dtype=torch.long)
        if ids.dim() == 1:
            ids = ids[None, :]
        kwargs: dict[str, Any] = {}
        if not (isinstance(logits_to_keep, int) and logits_to_keep == 0):
            kwargs["logits_to_keep"] = logits_to_keep
        if cache is not None:
            kwargs[self._cache_arg] = cache
        if inputs_embeds is not None:
            kwargs["inputs_embeds"] = inputs_embeds.to(self.device)
        else:
            kwargs["input_ids"] = ids.to(self.device)
        with torch.inference_mode():
            return self.model(
                attention_mask=attention_mask,
                position_ids=position_ids,
                use_cache=use_cache,
                **kwargs,
            )

    @functools.cached_property
    def _cache_arg(self) -> str:
        params = inspect.signature(self.model.forward).parameters
        return "cache" if "cache" in params else "past_key_values"

    @staticmethod
    def kv_cache(out: Any) -> Any:
        """The KV cache a forward returned, under either transformers' name for it."""
        cache = getattr(out, "cache", None)
        return cache if cache is not None else out.past_key_values

    def next_token_logits(self, prompt: TokensLike) -> np.ndarray:
        """Float32 logits for the token after `prompt` (a text or token ids)."""
        ids = self._ids(prompt, special=True)
        out = self.forward(ids, logits_to_keep=1)
        return out.logits[0, -1].float().cpu().numpy()

    # ---- scoring -----------------------------------------------------------
    def loglik(
        self,
        prompts: Sequence[TokensLike],
        texts: Sequence[TokensLike],
        *,
        batch_size: int = 8,
    ) -> list[TokenLogProbs]:
        """log p(text_t | prompt, text_<t) for every token of every text, under active hooks.

        Texts are tokenized on their own (no BOS), as the model would produce
        them after the prompt. Rows are sorted by length and right-padded so a
        batch wastes little work; right padding cannot change real tokens'
        results because attention is causal, so no attention mask is needed.
        """
        import torch

        if len(prompts) != len(texts):
            raise ValueError(f"{len(prompts)} prompts but {len(texts)} texts.")
        pairs = []
        for p, t in zip(prompts, texts, strict=True):
            p_ids, t_ids = self._ids(p, special=True), self._ids(t, special=False)
            if not p_ids:
                bos = getattr(self.tokenizer, "bos_token_id", None)
                if bos is None:
                    raise ValueError("An empty prompt needs a BOS token to score the first token.")
                p_ids = [int(bos)]
            pairs.append((p_ids, t_ids))
        results: list[TokenLogProbs | None] = [None] * len(pairs)
        order = sorted(range(len(pairs)), key=lambda i: -(len(pairs[i][0]) + len(pairs[i][1])))
        for start in range(0, len(order), max(1, batch_size)):
            chunk = order[start : start + batch_size]
            rows = [pairs[i][0] + pairs[i][1] for i in chunk]
            ids, _mask = self.pad_batch(rows, side="right")
            # logits only for the positions that predict text tokens, in any row
            first = min(len(pairs[i][0]) - 1 for i in chunk)
            last = max(len(pairs[i][0]) - 1 + len(pairs[i][1]) for i in chunk)
            last = max(last, first + 1)
            keep = torch.arange(first, last, device=ids.device)
            logits = self.forward(ids, logits_to_keep=keep).logits
            for b, i in enumerate(chunk):
                n_p, t_ids = len(pairs[i][0]), pairs[i][1]
                if not t_ids:
                    results[i] = TokenLogProbs([], np.zeros(0))
                    continue
                start = n_p - 1 - first
                z = logits[b, start : start + len(t_ids)].float()
                lp = torch.log_softmax(z, dim=-1)
                tgt = torch.as_tensor(t_ids, device=lp.device)[:, None]
                picked = lp.gather(1, tgt)[:, 0].double().cpu().numpy()
                results[i] = TokenLogProbs(list(t_ids), picked)
        return [r for r in results if r is not None]

    # ---- generation --------------------------------------------------------
    def generate(
        self,
        prompt: TokensLike,
        sampling: SamplingSettings | None = None,
        *,
        max_new_tokens: int | None = None,
        stop_ids: Sequence[int] | None = None,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> TorchGeneration:
        """Decode one continuation with the KV cache, under the active hooks.

        Same sampler as llama.cpp's token-by-token path (`sample_token`), so a
        temperature of 0 is greedy and other settings behave alike.
        """
        return self.generate_combined([prompt], None, sampling, max_new_tokens=max_new_tokens,
                                      stop_ids=stop_ids, cancel=cancel, on_text=on_text)

    def generate_combined(
        self,
        prompts: Sequence[TokensLike],
        combine: Callable[[np.ndarray], np.ndarray] | None,
        sampling: SamplingSettings | None = None,
        *,
        max_new_tokens: int | None = None,
        stop_ids: Sequence[int] | None = None,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> TorchGeneration:
        """Run the prompts as one left-padded batch and pick one shared token per step.

        `combine` maps the step's logits, shape (rows, vocab), to one row of
        logits; every row then continues with the sampled token. With hooks
        limited by `rows=` this runs e.g. DPS's full and head-masked passes as
        one batch of two, or a prompt with and without personal context. With
        `combine=None` the first row's logits are used.
        """
        s = sampling or SamplingSettings()
        limit = max_new_tokens if max_new_tokens is not None else s.max_tokens
        rng = np.random.default_rng(s.seed)
        rows = [self._ids(p, special=True) for p in prompts]
        if not rows or any(not r for r in rows):
            raise ValueError("Every prompt needs at least one token.")
        stops = set(self.eos_ids) | {int(t) for t in (stop_ids or [])}
        ids, mask = self.pad_batch(rows, side="left")
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        t0 = time.perf_counter()
        linears = self._packed_linears() if len(rows) > 1 else contextlib.nullcontext()
        with linears:
            generated, finish, shown = self._decode_loop(
                ids, mask, pos, limit, combine, s, rng, stops, cancel, on_text
            )
        text = self.detokenize(generated)
        if on_text is not None and len(text) > len(shown):
            on_text(text[len(shown) :])
        return TorchGeneration(
            tokens=generated, text=text, finish_reason=finish,
            seconds=time.perf_counter() - t0, prompt_tokens=max(len(r) for r in rows),
        )

    def _decode_loop(self, step_ids, mask, step_pos, limit, combine, s, rng, stops, cancel,
                     on_text) -> tuple[list[int], str, str]:
        """Prefill, then one shared token per step through the KV cache: (tokens, finish, shown)."""
        import torch

        n_rows = step_ids.shape[0]
        generated: list[int] = []
        shown = ""
        finish = "length"
        past = None
        for _ in range(limit):
            if cancel is not None and cancel.cancelled:
                finish = "cancelled"
                break
            out = self.forward(
                step_ids, attention_mask=mask, position_ids=step_pos,
                cache=past, use_cache=True, logits_to_keep=1,
            )
            past = self.kv_cache(out)
            step_logits = out.logits[:, -1].float().cpu().numpy()
            # The penalty acts on each row's logits, before any contrast (generation.py).
            step_logits = apply_repeat_penalty(step_logits, generated, s.repeat_penalty)
            z = combine(step_logits) if combine is not None else step_logits[0]
            tok = sample_token(np.asarray(z), generated, s, rng, penalize=False)
            if tok in stops:
                finish = "stop"
                break
            generated.append(tok)
            if on_text is not None:
                text = self.detokenize(generated)
                if not text.endswith("\ufffd") and len(text) > len(shown):
                    on_text(text[len(shown) :])
                    shown = text
            step_ids = torch.full((n_rows, 1), tok, dtype=torch.long, device=self.device)
            mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
            step_pos = step_pos[:, -1:] + 1
        return generated, finish, shown

    @contextlib.contextmanager
    def _packed_linears(self) -> Iterator[None]:
        """Decode a batch of a few rows with oneDNN-packed weights on the CPU.

        A decode step multiplies a (rows x n_embd) input by every weight. With
        one row torch calls a memory-bound GEMV; with two rows MKL's GEMM repacks
        each weight on every call, and a two-row step was measured at 1.7-2x a
        one-row step (DPS decoding). Weights packed once for oneDNN are read
        once for both rows (a two-row step about 1.3-1.4x one row). Results
        equal the plain path to float rounding (max logit difference ~6e-5).
        The packed copies are made on first use and kept with the runtime
        (as much memory again as the linear weights). A no-op off the CPU, for
        non-fp32 weights, or where torch lacks oneDNN; module hooks still run.
        Inference only (the packed op has no backward), and the patch is seen by
        every thread using this model while it lasts.
        """
        import torch

        mkldnn = getattr(torch.backends, "mkldnn", None)
        if (self.device != "cpu" or self.dtype != torch.float32 or mkldnn is None
                or not mkldnn.is_available()):
            yield
            return
        if self._packed is None:
            try:
                with torch.inference_mode():
                    self._packed = {
                        # 2: the batch size the packing is laid out for (DPS's two rows)
                        m: torch.ops.mkldnn._reorder_linear_weight(m.weight.detach(), 2)
                        for m in self.model.modules() if isinstance(m, torch.nn.Linear)
                    }
            except (RuntimeError, AttributeError) as exc:  # an op this build lacks
                log.info("packed linears unavailable (%s); plain matmuls", exc)
                self._packed = {}
        patched = []
        try:
            for m, wp in self._packed.items():
                m.forward = functools.partial(_packed_linear, wp, m.bias)
                patched.append(m)
            yield
        finally:
            for m in patched:
                del m.forward

    def describe(self) -> dict[str, Any]:
        """Facts for logs and benchmark output."""
        return {
            "model": self.info.name, "architecture": self.info.architecture,
            "n_layer": self.n_layer, "n_embd": self.n_embd, "n_head": self.n_head,
            "n_kv_head": self.n_kv_head, "head_dim": self.head_dim,
            "device": self.device, "dtype": str(self.dtype).replace("torch.", ""),
            "load_seconds": round(self.load_seconds, 2),
        }


def _packed_linear(weight: Any, bias: Any, x: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
