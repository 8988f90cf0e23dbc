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
hooks are registered on the shared model.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import EngineError, ModelFileError
from engine.runtime.generation import (
    CancelToken,
    SamplingSettings,
    apply_repeat_penalty,
    sample_token,
)
from engine.runtime.gguf_info import GGUFInfo, fingerprint, read_gguf_info
from engine.runtime.hooks import ModelParts, find_parts

if TYPE_CHECKING:  # pragma: no cover
    import torch

log = logging.getLogger(__name__)

TokensLike = str | Sequence[int]


@dataclass(frozen=True)
class ModelIdentity:
    """What a steering vector must match: the same fields as `GGUFInfo`."""

    path: Path
    architecture: str
    name: str
    n_layer: int
    n_embd: int
    n_head: int
    fingerprint: str

    @classmethod
    def from_gguf(cls, info: GGUFInfo) -> ModelIdentity:
        return cls(
            info.path, info.architecture, info.name, info.n_layer, info.n_embd, info.n_head,
            info.fingerprint,
        )


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


# ---- device and dtype ------------------------------------------------------------


def import_torch() -> Any:
    """Import torch, asking OpenMP to sleep rather than spin while its threads wait.

    Measured on a busy 2-core machine: a decode step of SmolLM2 took ~480 ms
    with OpenMP's default spinning and ~45 ms with OMP_WAIT_POLICY=PASSIVE,
    because spinning threads fight llama.cpp, the GUI and each other for the
    cores. libgomp reads the variable when torch first loads it, so it only
    helps if this runs before anything else imports torch; a value the user
    set is kept.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    return torch


def pick_device(setting: str = "auto") -> str:
    """'auto' takes CUDA, then Apple's MPS, then the CPU; anything else is forced.

    A forced device that torch cannot see is an error, not a silent fallback:
    the user asked for it, so they should learn it is not there.
    """
    torch = import_torch()

    s = (setting or "auto").strip().lower()
    if s == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if s.startswith("cuda") and not torch.cuda.is_available():
        raise EngineError("The device is set to CUDA, but torch sees no CUDA GPU here.")
    if s == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise EngineError("The device is set to MPS, but this machine has no Apple GPU.")
    if s != "cpu" and not s.startswith(("cuda", "mps")):
        raise EngineError(f"Unknown device '{setting}'; use auto, cpu, cuda or mps.")
    return s


def pick_dtype(device: str, setting: str = "auto") -> torch.dtype:
    """fp32 on the CPU (half precision there is slow and lossy); bf16, else fp16, on GPUs."""
    torch = import_torch()

    names = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
             "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}
    if setting and setting != "auto":
        if setting not in names:
            raise EngineError(f"Unknown dtype '{setting}'; use auto, float32, bfloat16 or float16.")
        return names[setting]
    if device.startswith("cuda"):
        try:  # native bf16 only (Ampere and later); emulated bf16 is slower than fp16
            native = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # older torch
            native = torch.cuda.is_bf16_supported()
        return torch.bfloat16 if native else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


# ---- loading -----------------------------------------------------------------------

_LOAD_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str, str, str], TorchRuntime] = {}


@contextlib.contextmanager
def _shared_gguf_reader() -> Iterator[None]:
    """Parse the GGUF once per load instead of four times.

    transformers opens the file separately for the config, the weights and the
    tokenizer, and rebuilds gguf's tensor-name map once per module (~400
    times); for SmolLM2 that is most of a 15-25 s load on 2 cores. Inside this
    block `gguf.GGUFReader` returns one reader per path (read-only, memory
    mapped) and the name map is memoised. Both are restored on exit.
    """
    import gguf

    orig_reader = gguf.GGUFReader
    orig_map = getattr(gguf, "get_tensor_name_map", None)
    readers: dict[tuple[str, str], Any] = {}

    def reader(path, mode: str = "r", *args, **kwargs):
        if mode != "r" or args or kwargs:
            return orig_reader(path, mode, *args, **kwargs)
        key = (str(Path(path).resolve()), mode)
        if key not in readers:
            readers[key] = orig_reader(path, mode)
        return readers[key]

    gguf.GGUFReader = reader
    if orig_map is not None:
        gguf.get_tensor_name_map = functools.lru_cache(maxsize=None)(orig_map)
    try:
        yield
    finally:
        gguf.GGUFReader = orig_reader
        if orig_map is not None:
            gguf.get_tensor_name_map = orig_map
        readers.clear()


def _folder_identity(folder: Path, config: Any) -> ModelIdentity:
    """A Hugging Face folder's identity: its config plus each weight file's cheap fingerprint."""
    h = hashlib.sha256()
    cfg = folder / "config.json"
    if cfg.exists():
        h.update(cfg.read_bytes())
    weights = sorted(p for p in folder.iterdir() if p.suffix in {".safetensors", ".bin", ".pt"})
    for p in weights:
        h.update(p.name.encode())
        h.update(fingerprint(p).encode())
    n_embd = int(getattr(config, "hidden_size", 0) or getattr(config, "n_embd", 0))
    return ModelIdentity(
        path=folder,
        architecture=str(getattr(config, "model_type", "unknown")),
        name=folder.name,
        n_layer=int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layer", 0)),
        n_embd=n_embd,
        n_head=int(getattr(config, "num_attention_heads", 0) or getattr(config, "n_head", 0)),
        fingerprint=h.hexdigest()[:16],
    )


# A GGUF's dequantized weights are kept on disk (the weights cache) only up to this size:
# 540 MB for the default model in float32; a 7B model's 28 GB would not be welcome.
MAX_CACHED_WEIGHTS_BYTES = 2 << 30
KEEP_CACHED_MODELS = 2  # the weights of this many models are kept; older ones are removed


def _cached_folder(weights_cache: Path, info: GGUFInfo, dtype: torch.dtype) -> Path:
    return weights_cache / f"{info.fingerprint}-{str(dtype).removeprefix('torch.')}"


def _load_cached(folder: Path, dtype: torch.dtype) -> tuple[Any, Any] | None:
    """The model and tokenizer saved in `folder` by `_save_cached`, or None (absent, or
    unreadable: then removed, and the GGUF is read again)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (folder / "config.json").exists():
        return None
    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except Exception as exc:  # any damage (safetensors has its own error type): the GGUF
        log.warning("cached torch weights in %s are unreadable (%s); reading the GGUF again",
                    folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    os.utime(folder)  # most recently used: kept when older models' weights are removed
    return model, tokenizer


def _save_cached(folder: Path, model: Any, tokenizer: Any) -> None:
    """Keep the dequantized weights for the next load (0.4 s instead of 10-15 s for the
    default model on 2 cores): written to a temporary folder and renamed, so a crash
    leaves no half-written cache. A failure costs only the speed-up."""
    from safetensors.torch import save_model

    size = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    if size > MAX_CACHED_WEIGHTS_BYTES:
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(folder.parent).free < 4 * size:
        log.info("not caching torch weights: little free disk space in %s", folder.parent)
        return
    # The weights as plain tensors and the config without the GGUF origin (transformers'
    # save_pretrained refuses a model loaded from GGUF), as a Hugging Face folder.
    cfg = model.config.to_dict()
    cfg.pop("quantization_config", None)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder.parent))
    try:
        save_model(model, str(tmp / "model.safetensors"))
        (tmp / "config.json").write_text(json.dumps(cfg, default=str), encoding="utf-8")
        tokenizer.save_pretrained(str(tmp))
        tmp.rename(folder)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("could not cache torch weights in %s: %s", folder, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    _prune_cache(folder.parent)


def _prune_cache(weights_cache: Path) -> None:
    """Keep the most recently used models' weights; drop the rest, and what a crashed
    save left behind (a `.partial-` folder over an hour old)."""
    now = time.time()
    models = []
    for d in weights_cache.iterdir():
        if not d.is_dir():
            continue
        if d.name.startswith(".partial-"):
            if now - d.stat().st_mtime > 3600:
                shutil.rmtree(d, ignore_errors=True)
        else:
            models.append(d)
    models.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for old in models[KEEP_CACHED_MODELS:]:
        shutil.rmtree(old, ignore_errors=True)


def _load(path: Path, device: str, dtype: torch.dtype,
          weights_cache: Path | None = None) -> TorchRuntime:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.perf_counter()
    source = "file"
    try:
        if path.is_dir():
            if not (path / "config.json").exists():
                raise ModelFileError(f"{path} is a folder without config.json; not a model.")
            model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
            tokenizer = AutoTokenizer.from_pretrained(str(path))
            identity = _folder_identity(path, model.config)
        else:
            info = read_gguf_info(path)  # validates the file before transformers sees it
            identity = ModelIdentity.from_gguf(info)
            folder = _cached_folder(weights_cache, info, dtype) if weights_cache else None
            cached = _load_cached(folder, dtype) if folder is not None else None
            if cached is not None:
                model, tokenizer = cached
                source = "weights cache"
            else:
                with _shared_gguf_reader():
                    kw = {"gguf_file": path.name}
                    model = AutoModelForCausalLM.from_pretrained(str(path.parent), dtype=dtype,
                                                                 **kw)
                    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), **kw)
                if folder is not None:
                    _save_cached(folder, model, tokenizer)
    except ModelFileError:
        raise
    except (ValueError, KeyError, OSError, RuntimeError, NotImplementedError) as exc:
        raise ModelFileError(f"torch could not load {path.name}: {exc}") from exc
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


def describe_devices() -> str:
    """One line on what accelerators torch sees (benchmarks print it)."""
    import torch

    if torch.cuda.is_available():
        return f"CUDA: {torch.cuda.get_device_name(0)}"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "Apple MPS"
    return "no CUDA GPU or MPS device available; torch runs on the CPU"

