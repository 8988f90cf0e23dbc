"""CoSteer: steer a remote model token by token with a local personal delta.

Lian et al., "CoSteer" (arXiv 2507.04756; code USTC-StarTeam/CoSteer). For each
token the remote's log-probs `pi_ref` are combined with a local delta

    Delta = log_softmax(local | personal context) - log_softmax(local | no context)

by a few FTRL steps (T=20, alpha=2, beta=1, lambda=2, eta=10; docs/ARCHITECTURE.md, CoSteer). The
personal context (writing history, profile description) only ever enters the
local model: the remote sees the task, the public turns and the chosen tokens.

Three practical points this module handles:

* Real endpoints return only the top-k log-probs, so the update runs on the
  remote's top-k support (`ftrl_update` is exact on any support: log_softmax
  over a subset just renormalizes).
* Remote and local vocabularies are matched by token id/bytes/text when they are
  the same tokenizer, and by the local tokenization of the token's text otherwise
  (`LocalVocab`).
* One HTTP round trip per token is the cost to beat: `CoSteerDecoder` asks the
  remote for several tokens at once, keeps the prefix where the steered choice
  equals the remote's own token, and asks again from the first disagreement
  (speculative acceptance; every request yields at least one token).

The local logits with and without context come from one extra llama.cpp context
on the already loaded model holding two sequences (`PairedContext`), each new
token decoded for one sequence after the other. Measured on 2 CPU cores with
SmolLM2-135M: 22-33 ms per token for both, against 44 ms with two separate
contexts and 125-420 ms when the two sequences go in one batch of two (llama.cpp's
CPU path for a multi-sequence micro-batch is much slower than two single decodes).
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from engine.errors import ContextOverflowError, EngineError
from engine.runtime.generation import CancelToken, GenerationStats

if TYPE_CHECKING:
    from engine.cloud.answers import Candidate, Completion, TokenStep
    from engine.runtime.llamacpp import LlamaRuntime

log = logging.getLogger(__name__)


# ---- the optimizer ------------------------------------------------------------------
@dataclass(frozen=True)
class CoSteerConfig:
    """The paper's defaults (docs/ARCHITECTURE.md, CoSteer)."""

    iterations: int = 20  # T
    alpha: float = 2.0
    beta: float = 1.0
    lam: float = 2.0  # lambda
    eta: float = 10.0

    def __post_init__(self) -> None:
        if self.iterations < 1 or self.lam <= 0 or self.eta <= 0:
            raise ValueError("CoSteer needs iterations >= 1, lambda > 0 and eta > 0")


def log_softmax(x: np.ndarray) -> np.ndarray:
    z = np.asarray(x, dtype=np.float64)
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def ftrl_update(
    remote_logprobs: np.ndarray, delta: np.ndarray, cfg: CoSteerConfig | None = None
) -> np.ndarray:
    """The steered log-policy pi_{T+1} over the given support (docs/ARCHITECTURE.md,
    CoSteer).

    pi_1 = pi_ref, U = 0; for t = 1..T: Q_t = alpha (pi_t - pi_ref) + beta Delta;
    U += Q_t; pi_{t+1} = log_softmax((t lambda pi_ref + U + pi_t / eta) / (t lambda + 1/eta)).
    `remote_logprobs` may be unnormalized (top-k of a larger vocabulary).
    """
    c = cfg or CoSteerConfig()
    ref = log_softmax(remote_logprobs)
    d = np.asarray(delta, dtype=np.float64)
    pi = ref.copy()
    u = np.zeros_like(ref)
    for t in range(1, c.iterations + 1):
        u += c.alpha * (pi - ref) + c.beta * d
        pi = log_softmax((t * c.lam * ref + u + pi / c.eta) / (t * c.lam + 1.0 / c.eta))
    return pi


def closed_form_coefficient(cfg: CoSteerConfig | None = None) -> float:
    """c such that `ftrl_update(ref, d) == log_softmax(ref + c * d)` for any ref and d.

    Each step keeps pi_t = pi_ref + c_t Delta + const, with c_1 = 0 and
    c_{t+1} = (sum_{s<=t} (alpha c_s + beta) + c_t / eta) / (t lambda + 1/eta);
    about 1.78 with the defaults.
    """
    k = cfg or CoSteerConfig()
    c, s = 0.0, 0.0
    for t in range(1, k.iterations + 1):
        s += k.alpha * c + k.beta
        c = (s + c / k.eta) / (t * k.lam + 1.0 / k.eta)
    return c


# ---- vocabularies -------------------------------------------------------------------
_VOCABS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class LocalVocab:
    """Maps a remote candidate token to local token ids.

    Exact matches (same tokenizer): by the endpoint's token bytes, else by the
    token's text equal to one local token's piece. Otherwise the text is tokenized
    locally and the delta of its first local token stands for it (by text).
    """

    def __init__(self, runtime: LlamaRuntime) -> None:
        self.runtime = runtime
        llm = runtime.llm
        self.by_bytes: dict[bytes, int] = {}
        self.by_text: dict[str, int] = {}
        self.pieces: list[bytes] = []
        for i in range(runtime.n_vocab):
            b = llm.detokenize([i])
            self.pieces.append(b)
            if not b:
                continue  # control tokens: never chosen through a remote candidate
            self.by_bytes.setdefault(b, i)
            with contextlib.suppress(UnicodeDecodeError):
                self.by_text.setdefault(b.decode("utf-8"), i)

    @classmethod
    def for_runtime(cls, runtime: LlamaRuntime) -> LocalVocab:
        """Built once per loaded model (about 0.1 s for 49k tokens)."""
        v = _VOCABS.get(runtime)
        if v is None:
            v = cls(runtime)
            _VOCABS[runtime] = v
        return v

    def exact_id(self, cand: Candidate) -> int | None:
        if cand.raw is not None:
            return self.by_bytes.get(cand.raw)
        if cand.text:
            return self.by_text.get(cand.text)
        return None

    def local_ids(self, cand: Candidate) -> list[int]:
        """Local tokens that spell the candidate; [] when it cannot be represented."""
        tid = self.exact_id(cand)
        if tid is not None:
            return [tid]
        text = cand.raw.decode("utf-8", "ignore") if cand.raw is not None else cand.text
        if not text:
            return []
        return self.runtime.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def shared_fraction(self, steps: Sequence[TokenStep]) -> float:
        """Share of the remote's non-empty candidates that are exactly one local token."""
        total = hits = 0
        for st in steps:
            for c in [st.chosen, *st.top]:
                if c.text or c.raw:
                    total += 1
                    hits += self.exact_id(c) is not None
        return hits / total if total else 1.0


# ---- the local pair of contexts ----------------------------------------------------
class PairedContext:
    """The local model with and without personal context, advanced token by token.

    One extra llama.cpp context on the runtime's loaded model (no second copy of
    the weights), holding sequence 0 = with context and 1 = without; each new
    token is decoded for one, then the other (see the module note on speed).
    `batched=True` puts both in one batch instead (kept for the benchmark).
    """

    def __init__(
        self,
        runtime: LlamaRuntime,
        with_context: Sequence[int],
        without_context: Sequence[int],
        *,
        max_new_tokens: int,
        batched: bool = False,
    ) -> None:
        import llama_cpp
        from llama_cpp._internals import LlamaBatch, LlamaContext

        self._lc = llama_cpp
        self.n_vocab = runtime.n_vocab
        self.batched = batched
        self.vocab = runtime.llm._model.vocab
        need = len(with_context) + len(without_context) + 2 * (max_new_tokens + 2)
        n_ctx = ((need + 255) // 256) * 256
        p = llama_cpp.llama_context_default_params()
        p.n_ctx = n_ctx
        p.n_batch = p.n_ubatch = 512
        p.n_seq_max = 2
        p.kv_unified = True  # one KV pool sized for both sequences
        p.n_threads = runtime.llm.n_threads
        p.n_threads_batch = runtime.llm.n_threads_batch
        try:
            self._ctx = LlamaContext(model=runtime.llm._model, params=p, verbose=False)
        except ValueError as exc:
            raise EngineError(f"llama.cpp could not open a second context ({exc}).") from exc
        self._batch = LlamaBatch(n_tokens=512, embd=0, n_seq_max=2, verbose=False)
        self.pos = [0, 0]
        self._last: list[np.ndarray] = [np.zeros(0), np.zeros(0)]
        self._prefill(0, list(with_context))
        self._prefill(1, list(without_context))

    def _put(self, i: int, tok: int, pos: int, seq: int, logits: bool) -> None:
        b = self._batch.batch
        b.token[i] = tok
        b.pos[i] = pos
        b.seq_id[i][0] = seq
        b.n_seq_id[i] = 1
        b.logits[i] = logits

    def _decode(self) -> None:
        rc = self._lc.llama_decode(self._ctx.ctx, self._batch.batch)
        if rc != 0:
            raise ContextOverflowError(
                f"llama.cpp could not evaluate the local tokens (code {rc})."
            )

    def _logits(self, i: int) -> np.ndarray:
        ptr = self._lc.llama_get_logits_ith(self._ctx.ctx, i)
        return np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float32, copy=True)

    def _prefill(self, seq: int, tokens: list[int]) -> None:
        if not tokens:
            raise EngineError("The local prompt is empty.")
        for start in range(0, len(tokens), 512):
            chunk = tokens[start : start + 512]
            self._batch.reset()
            for j, t in enumerate(chunk):
                last = start + j == len(tokens) - 1
                self._put(j, t, self.pos[seq] + j, seq, last)
            self._batch.batch.n_tokens = len(chunk)
            self._decode()
            self.pos[seq] += len(chunk)
        self._last[seq] = self._logits(len(chunk) - 1)

    def logits(self) -> tuple[np.ndarray, np.ndarray]:
        """Next-token logits (with context, without context)."""
        return self._last[0], self._last[1]

    def append(self, tokens: Sequence[int]) -> None:
        """Feed the chosen token(s) to both sequences."""
        for t in tokens:
            if self.batched:
                self._batch.reset()
                self._put(0, t, self.pos[0], 0, True)
                self._put(1, t, self.pos[1], 1, True)
                self._batch.batch.n_tokens = 2
                self._decode()
                self._last = [self._logits(0), self._logits(1)]
            else:
                for seq in (0, 1):
                    self._batch.reset()
                    self._put(0, t, self.pos[seq], seq, True)
                    self._batch.batch.n_tokens = 1
                    self._decode()
                    self._last[seq] = self._logits(0)
            self.pos[0] += 1
            self.pos[1] += 1

    def is_eog(self, tok: int) -> bool:
        return bool(self._lc.llama_vocab_is_eog(self.vocab, tok))

    def close(self) -> None:
        self._batch.close()
        self._ctx.close()


# ---- the remote side ------------------------------------------------------------------
class Remote(Protocol):
    """Asks the remote to continue the reply written so far by up to `n` tokens."""

    def continue_from(self, reply_so_far: str, n: int) -> Completion: ...


@dataclass
class CoSteerStats(GenerationStats):
    """GenerationStats plus what the cloud round trips cost."""

    remote_requests: int = 0
    agreed_tokens: int = 0  # steered choice == remote's own token
    steered_tokens: int = 0  # steered choice differed: a new request follows
    local_only_tokens: int = 0  # no remote candidate was representable locally
    remote_seconds: float = 0.0
    local_seconds: float = 0.0
    one_token_steps: int = 0  # remote tokens that are exactly one local token
    remote_steps: int = 0  # remote tokens looked at

    @property
    def vocab_match(self) -> str:
        """shared: the remote's tokens are the local ones (nine in ten or more, measured);
        text: matched through their text; "" before any."""
        if not self.remote_steps:
            return ""
        return "shared" if self.one_token_steps >= 0.9 * self.remote_steps else "text"

    @property
    def requests_per_token(self) -> float:
        return self.remote_requests / self.tokens if self.tokens else 0.0

    def as_dict(self) -> dict:
        return {
            "tokens": self.tokens,
            "remote_requests": self.remote_requests,
            "remote_requests_per_token": round(self.requests_per_token, 4),
            "agreed_tokens": self.agreed_tokens,
            "steered_tokens": self.steered_tokens,
            "local_only_tokens": self.local_only_tokens,
            "seconds": round(self.seconds, 4),
            "remote_seconds": round(self.remote_seconds, 4),
            "local_seconds": round(self.local_seconds, 4),
            "tokens_per_s": round(self.tokens_per_s, 2),
            "finish_reason": self.finish_reason,
            "vocab_match": self.vocab_match,
        }


@dataclass
class Choice:
    text: str
    local_ids: list[int]
    agreed: bool
    local_only: bool = False


@dataclass
class CoSteerDecoder:
    """Speculative CoSteer decoding over a `Remote` and a `PairedContext`.

    `temperature` 0 picks the argmax of the steered policy (the default: it
    agrees with a greedy remote most often); above 0 it samples from it.
    `presence_penalty` (OpenAI's meaning, in nats) is subtracted from candidates
    already generated in the last 64 tokens: small greedy models loop otherwise.
    `accept_margin` (nats, greedy only) keeps the remote's own token when the
    steered policy rates it within that margin of its best: a tie-break toward
    the remote that saves the round trip a disagreement costs (0 = exact argmax).
    `no_repeat_ngram` N > 0 rules out a candidate that would repeat an N-gram of
    local tokens already in the reply. Both act on the steered policy only: the
    penalty costs agreement wherever a seen token is the remote's choice, the
    n-gram rule only inside an actual loop, so it is the default of the service.
    """

    vocab: LocalVocab
    config: CoSteerConfig = field(default_factory=CoSteerConfig)
    lookahead: int = 8
    min_lookahead: int = 4
    max_lookahead: int = 32
    temperature: float = 0.0
    presence_penalty: float = 0.0
    no_repeat_ngram: int = 0
    accept_margin: float = 0.0
    seed: int | None = None
    on_request: Callable[[int], None] | None = None
    # Sampling (temperature > 0) truncated as llama.cpp's sampler truncates the other
    # methods' replies: min-p relative to the best candidate, then the top-p nucleus.
    min_p: float = 0.0
    top_p: float = 1.0

    def choose(
        self,
        step: TokenStep,
        with_ctx: np.ndarray,
        without_ctx: np.ndarray,
        history: list[int],
        rng: np.random.Generator,
    ) -> Choice:
        """The steered token at one position, from the remote's candidates."""
        seen: dict[str, int] = {}
        cands: list[Candidate] = []
        ids: list[list[int]] = []
        for c in [*step.top, step.chosen]:
            key = self._key(c)
            if key in seen:
                continue
            loc = self.vocab.local_ids(c)
            if not loc:
                continue
            seen[key] = len(cands)
            cands.append(c)
            ids.append(loc)
        if not cands:  # nothing representable (e.g. partial UTF-8 bytes): the local model picks
            tok = int(np.argmax(with_ctx))
            return Choice("", [tok], agreed=False, local_only=True)
        first = np.array([i[0] for i in ids])
        ref = np.array([c.logprob for c in cands])
        delta = log_softmax(with_ctx)[first] - log_softmax(without_ctx)[first]
        pi = ftrl_update(ref, delta, self.config)
        if self.presence_penalty and history:
            recent = set(history[-64:])
            mask = np.array([f in recent for f in first])
            pi = pi - self.presence_penalty * mask
        n = self.no_repeat_ngram
        if n > 0 and len(history) >= n:
            prefix = tuple(history[len(history) - n + 1 :])
            followers = {
                history[i + n - 1]
                for i in range(len(history) - n + 1)
                if tuple(history[i : i + n - 1]) == prefix
            }
            banned = np.array([f in followers for f in first])
            if banned.any() and not banned.all():
                pi = np.where(banned, -np.inf, pi)
        if self.temperature > 0:
            p = np.exp((pi - pi.max()) / self.temperature)
            k = int(rng.choice(len(p), p=self.truncate(p / p.sum())))
        else:
            k = int(np.argmax(pi))
            r = seen.get(self._key(step.chosen))
            if r is not None and r != k and pi[r] >= pi[k] - self.accept_margin:
                k = r
        c = cands[k]
        same = c.text == step.chosen.text and (
            c.raw is None or step.chosen.raw is None or c.raw == step.chosen.raw
        )
        return Choice(c.text, ids[k], agreed=same)

    def truncate(self, p: np.ndarray) -> np.ndarray:
        """`p` with min-p and top-p applied (the best candidate always stays), renormalized."""
        q = p.copy()
        if self.min_p > 0:
            q[q < self.min_p * q.max()] = 0.0
        if self.top_p < 1.0:
            order = np.argsort(-q, kind="stable")
            before = np.cumsum(q[order]) - q[order]  # mass of the better candidates
            q[order[before >= self.top_p * q.sum()]] = 0.0
        return q / q.sum()

    @staticmethod
    def _key(c: Candidate) -> str:
        return c.text if c.raw is None else c.raw.hex()

    def generate(
        self,
        remote: Remote,
        local: PairedContext,
        *,
        max_tokens: int,
        cancel: CancelToken | None = None,
        stats: CoSteerStats | None = None,
    ) -> Iterator[str]:
        """Yield text pieces; `stats` is filled in as it goes (also when stopped early)."""
        st = stats if stats is not None else CoSteerStats()
        rng = np.random.default_rng(self.seed)
        out = codecs.getincrementaldecoder("utf-8")(errors="replace")
        reply = bytearray()
        history: list[int] = []
        n = max(1, self.lookahead)
        t0 = time.perf_counter()
        st.finish_reason = "length"
        try:
            while st.tokens < max_tokens:
                if cancel and cancel.cancelled:
                    st.finish_reason = "cancelled"
                    break
                want = min(n, max_tokens - st.tokens)
                r0 = time.perf_counter()
                comp = remote.continue_from(reply.decode("utf-8", "ignore"), want)
                st.remote_seconds += time.perf_counter() - r0
                # A session that counts its own round trips (an auto-detect probe is one).
                st.remote_requests = getattr(remote, "requests", st.remote_requests + 1)
                if self.on_request:
                    self.on_request(st.remote_requests)
                # A list of steps, or a stream read as the remote writes it (then the
                # remote's writing overlaps the local checking, and closing it at a
                # disagreement stops the remote from writing what will not be used).
                steps = iter(getattr(comp, "steps", comp))
                got = accepted = 0
                disagreed = False
                try:
                    while True:
                        r0 = time.perf_counter()
                        step = next(steps, None)
                        st.remote_seconds += time.perf_counter() - r0
                        if step is None:
                            break
                        got += 1
                        st.remote_steps += 1
                        st.one_token_steps += self.vocab.exact_id(step.chosen) is not None
                        l0 = time.perf_counter()
                        w, wo = local.logits()
                        ch = self.choose(step, w, wo, history, rng)
                        if ch.local_only and local.is_eog(ch.local_ids[0]):
                            st.finish_reason = "stop"
                            st.local_seconds += time.perf_counter() - l0
                            return
                        local.append(ch.local_ids)
                        st.local_seconds += time.perf_counter() - l0
                        history.extend(ch.local_ids)
                        piece_b = b"".join(self.vocab.pieces[i] for i in ch.local_ids)
                        reply.extend(piece_b)
                        st.tokens += 1
                        piece = out.decode(piece_b)
                        if piece:
                            if st.first_token_s is None:
                                st.first_token_s = time.perf_counter() - t0
                            yield piece
                        st.seconds = time.perf_counter() - t0
                        if ch.local_only:
                            st.local_only_tokens += 1
                        if not ch.agreed:
                            st.steered_tokens += 1
                            disagreed = True
                            break
                        st.agreed_tokens += 1
                        accepted += 1
                        if st.tokens >= max_tokens or (cancel and cancel.cancelled):
                            break
                finally:
                    close = getattr(comp, "close", None)
                    if close is not None:
                        close()
                if not got:
                    st.finish_reason = "stop"
                    break
                if not disagreed and accepted == got:
                    short = got < want
                    if comp.finish_reason == "stop" or (short and st.tokens < max_tokens):
                        st.finish_reason = "stop"
                        break
                    n = min(self.max_lookahead, max(n, 2 * accepted))
                else:
                    n = min(self.max_lookahead, max(self.min_lookahead, 2 * (accepted + 1)))
            if cancel and cancel.cancelled:
                st.finish_reason = "cancelled"
        finally:
            tail = out.decode(b"", final=True)
            st.seconds = time.perf_counter() - t0
        if tail:
            yield tail
