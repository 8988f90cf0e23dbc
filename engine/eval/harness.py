"""The evaluation loop: every method on the same rows, in one run, scored the same way,
with the controls that tell personalization from genre, length and luck.

A method is anything with `name`, `uses_history`, `prepare(history) -> state` and
`generate(state, task, seed) -> text`; the harness knows nothing about how a method
personalizes. All methods see the same rows and the same seeds per row, so their
scores are paired.

The controls (engine.eval.stats, engine.eval.attribution):
- **other-user**: every method that uses a history also writes each row with the
  history of another row's user (a fixed derangement). Real minus other, with a paired
  interval, is the part of a gain that belongs to the person rather than the genre.
- **length-matched**: each output is also scored cut to its gold's length in words,
  so a longer reply does not win by recall alone.
- **seeds**: several samples per row, averaged per row before any interval.
- **requests**: every method that uses a history also writes each row with the history
  the app would learn from after the user had also chatted: the row's texts ingested
  through the app's own paths together with a pool of assistant requests sent as chat
  messages (`with_requests`, from the assistant layer). Its score sits beside the clean
  one, with a harm count (engine.eval.harm). **requests-before** ingests the same way
  but with every chat message learned from, as the app did before issue 35.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.eval.data import EvalRow, HistoryItem
from engine.eval.harm import harms
from engine.eval.metrics import METRICS, Scores, score, wordnet_available
from engine.eval.stats import Interval, bootstrap_mean, cut_to_words, derangement, paired_difference

ProgressFn = Callable[[int, int, str], None]
ReuseKey = tuple[str, str, str, int, int]  # tid, method, control, profile row, seed
_UNPREPARED = object()
OTHER_USER = "other-user"
REQUESTS = "requests"
REQUESTS_BEFORE = "requests-before"
REQUEST_CONTROLS = (REQUESTS, REQUESTS_BEFORE)
CONTROLS = (OTHER_USER, *REQUEST_CONTROLS)
# (row index, learn from chat as before issue 35) -> the history the app learns from
WithRequests = Callable[[int, bool], Sequence[HistoryItem]]
BASELINES = ("none", "rag")
# The remote arms: CoSteer is compared with the remote alone, and with the remote that
# reads the user's texts (the reference whose gain CoSteer should recover unsent).
REMOTE, REMOTE_RAG, COSTEER = "remote", "remote+rag", "costeer"


class Method(Protocol):
    name: str
    uses_history: bool

    def prepare(self, history: Sequence[HistoryItem]) -> Any:
        """Build whatever the method needs from the user's history (a profile, a prompt)."""

    def generate(self, state: Any, task: str, seed: int) -> str:
        """Write the reply to `task` for the user whose prepared state is `state`.

        A method that steers may also define `steering_strength(state) -> float`: the
        strength its build chose for this user (0: the build switched steering off), which
        the report counts as the share of users whose steering is on."""


@dataclass
class Output:
    """One generated text with its scores: a line of the outputs file."""

    row: int
    tid: str
    method: str
    control: str  # "own" or "other-user"
    profile_row: int  # whose history the method used
    seed: int
    text: str
    raw: Scores
    matched: Scores
    harms: list[str] = field(default_factory=list)  # with a request pool (engine.eval.harm)
    steer: float | None = None  # the strength the method steered with (steering methods)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def as_dict(self) -> dict[str, Any]:
        out = {"row": self.row, "tid": self.tid, "method": self.method,
               "control": self.control, "profile_row": self.profile_row, "seed": self.seed,
               "text": self.text, "words": self.words, "raw": self.raw.as_dict(),
               "matched": self.matched.as_dict()}
        if self.harms:
            out["harms"] = list(self.harms)
        if self.steer is not None:
            out["steer"] = self.steer
        return out


@dataclass
class Arm:
    """One method under one control: its outputs, and per-row scores averaged over seeds."""

    outputs: list[Output] = field(default_factory=list)

    def per_row(self, metric: str, matched: bool = False) -> list[float]:
        by_row: dict[int, list[float]] = {}
        for o in self.outputs:
            s = o.matched if matched else o.raw
            by_row.setdefault(o.row, []).append(getattr(s, metric))
        return [sum(v) / len(v) for _, v in sorted(by_row.items())]

    def words_per_row(self) -> list[float]:
        by_row: dict[int, list[int]] = {}
        for o in self.outputs:
            by_row.setdefault(o.row, []).append(o.words)
        return [sum(v) / len(v) for _, v in sorted(by_row.items())]

    def harm_count(self) -> int:
        return sum(bool(o.harms) for o in self.outputs)

    def harm_kinds(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for o in self.outputs:
            for h in o.harms:
                kinds[h] = kinds.get(h, 0) + 1
        return kinds

    def steering_on(self) -> dict[str, int] | None:
        """Rows whose build kept steering on, of the rows where it is known (outputs taken
        from an earlier run's file carry their strength only if that run wrote it)."""
        by_row: dict[int, float] = {}
        for o in self.outputs:
            if o.steer is not None:
                by_row.setdefault(o.row, o.steer)
        if not by_row:
            return None
        return {"on": sum(v > 0 for v in by_row.values()), "rows": len(by_row)}

    def first_texts(self) -> list[str]:
        """The first seed's text of each row, in row order (what attribution reads)."""
        first: dict[int, str] = {}
        for o in self.outputs:
            first.setdefault(o.row, o.text)
        return [t for _, t in sorted(first.items())]


@dataclass
class MethodResult:
    name: str
    uses_history: bool
    own: Arm = field(default_factory=Arm)
    other: Arm | None = None
    requests: dict[str, Arm] = field(default_factory=dict)  # requests, requests-before
    seconds: float = 0.0  # spent generating (outputs reused from an earlier run cost none)
    timed_rows: int = 0  # rows whose outputs this run generated
    decoding: str = ""  # set when the method decodes by its own rule


@dataclass
class EvalReport:
    rows: list[EvalRow]
    methods: dict[str, MethodResult]
    wordnet: bool
    seeds: int
    derangement: list[int] | None
    sampling: dict[str, Any]
    seconds: float = 0.0
    attribution: dict[str, dict[str, Any]] = field(default_factory=dict)
    pooled: bool = False  # outputs were checked for harm against a request pool

    @property
    def tids(self) -> list[str]:
        return [r.tid for r in self.rows]

    def gold_words(self) -> list[int]:
        return [len(r.gold.split()) for r in self.rows]

    def outputs(self) -> list[Output]:
        out: list[Output] = []
        for res in self.methods.values():
            out += res.own.outputs + (res.other.outputs if res.other else [])
            for arm in res.requests.values():
                out += arm.outputs
        return sorted(out, key=lambda o: (o.row, o.method, o.control, o.seed))

    # ------------------------------------------------------------------ numbers
    def summary(self, name: str) -> dict[str, Any]:
        """Everything the table shows for one method, as the `--json` line carries it."""
        res = self.methods[name]
        line: dict[str, Any] = {"method": name, "n": len(res.own.per_row("rougeL"))}
        for kind, matched in (("raw", False), ("matched", True)):
            line[kind], ci = {}, {}
            for m in METRICS:
                iv = bootstrap_mean(res.own.per_row(m, matched))
                line[kind][m], ci[m] = round(iv.mean, 4), iv.as_list()
            line.setdefault("ci", {})[kind] = ci
        w = res.own.words_per_row()
        line["words"] = {"mean": round(statistics.fmean(w), 1) if w else 0.0,
                         "median": round(statistics.median(w), 1) if w else 0.0}
        line["vs"] = {}
        for base in (*BASELINES, REMOTE):
            if base in self.methods and base != name:
                line["vs"][base] = self._diff(res.own, self.methods[base].own)
        if res.other is not None:
            gap = self._diff(res.own, res.other)
            gap["personal"] = _interval_of(gap["matched"]["rougeL"]).low > 0
            line["other"] = gap
        if self.pooled:
            line["harm"] = {"own": res.own.harm_count(), "own_kinds": res.own.harm_kinds()}
        for control, arm in res.requests.items():
            iv = bootstrap_mean(arm.per_row("rougeL", True))
            clean = line["ci"]["matched"]["rougeL"]
            line.setdefault("requests", {})[control] = {
                "matched_rougeL": round(iv.mean, 4), "ci": iv.as_list(),
                "minus_clean": self._diff(arm, res.own)["matched"]["rougeL"],
                "within_clean": clean[0] <= iv.mean <= clean[1],
                "harm": arm.harm_count(), "harm_kinds": arm.harm_kinds(),
            }
        if name in self.attribution:
            line["attribution"] = self.attribution[name]
        line["seconds_per_row"] = round(res.seconds / max(1, res.timed_rows), 2)
        if res.decoding:
            line["decoding"] = res.decoding
        steering = res.own.steering_on()
        if steering is not None:
            line["steering_on"] = steering
        return line

    @staticmethod
    def _diff(a: Arm, b: Arm) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind, matched in (("raw", False), ("matched", True)):
            out[kind] = {}
            for m in METRICS:
                xa, xb = a.per_row(m, matched), b.per_row(m, matched)
                n = min(len(xa), len(xb))
                iv = paired_difference(xa[:n], xb[:n])
                out[kind][m] = {"mean": round(iv.mean, 4), "ci": iv.as_list()}
        return out

    def remote_recovery(self) -> dict[str, Any] | None:
        """How much of remote+rag's gain over the remote alone CoSteer recovers.

        Per length-matched metric: the paired differences costeer - remote and
        remote+rag - remote, and their ratio (None when remote+rag gained nothing,
        where a share means nothing). Only when all three arms ran.
        """
        if not all(m in self.methods for m in (REMOTE, REMOTE_RAG, COSTEER)):
            return None
        remote = self.methods[REMOTE].own
        out: dict[str, Any] = {}
        for m in METRICS:
            base = remote.per_row(m, True)
            gains = {}
            for name in (COSTEER, REMOTE_RAG):
                xa = self.methods[name].own.per_row(m, True)
                n = min(len(xa), len(base))
                gains[name] = paired_difference(xa[:n], base[:n])
            rag_gain = gains[REMOTE_RAG].mean
            out[m] = {
                "costeer_gain": round(gains[COSTEER].mean, 4),
                "costeer_gain_ci": gains[COSTEER].as_list(),
                "rag_gain": round(rag_gain, 4),
                "rag_gain_ci": gains[REMOTE_RAG].as_list(),
                "share": round(gains[COSTEER].mean / rag_gain, 3) if rag_gain > 0 else None,
            }
        return out

    def resolution(self) -> float | None:
        """The smallest length-matched ROUGE-L difference this run can resolve.

        The mean half-width of the paired intervals against `none`: a difference
        smaller than this is inside the noise of this many rows and seeds.
        """
        none = BASELINES[0]
        if none not in self.methods:
            return None
        base = self.methods[none].own
        widths = []
        for name, res in self.methods.items():
            if name == none:
                continue
            xa, xb = res.own.per_row("rougeL", True), base.per_row("rougeL", True)
            n = min(len(xa), len(xb))
            widths.append(paired_difference(xa[:n], xb[:n]).half_width)
        return round(statistics.fmean(widths), 4) if widths else None

    def as_dict(self) -> dict[str, Any]:
        gold = self.gold_words()
        return {
            "rows": len(self.rows),
            "tids": self.tids,
            "seeds": self.seeds,
            "wordnet": self.wordnet,
            "sampling": self.sampling,
            "derangement": self.derangement,
            "gold_words": {"mean": round(statistics.fmean(gold), 1) if gold else 0.0,
                           "median": round(statistics.median(gold), 1) if gold else 0.0},
            "resolution_rougeL_matched": self.resolution(),
            "remote_recovery": self.remote_recovery(),
            "seconds": round(self.seconds, 1),
            "methods": [self.summary(n) for n in self.methods],
        }


def _interval_of(d: dict[str, Any]) -> Interval:
    return Interval(d["mean"], d["ci"][0], d["ci"][1])


def run_eval(
    rows: Sequence[EvalRow],
    methods: Sequence[Method],
    *,
    seed: int = 0,
    seeds: int = 1,
    controls: Sequence[str] = (),
    sampling: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    reuse: Mapping[ReuseKey, str] | None = None,
    reused_steer: Mapping[ReuseKey, float] | None = None,
    with_requests: WithRequests | None = None,
    request_pool: Callable[[int], Sequence[str]] | None = None,
) -> EvalReport:
    """Run every method on every row (row-major, so a stopped run is still paired).

    Row i's s-th sample uses seed `seed + i + 100_003 * s` for every method and
    control, so the only thing that differs between two outputs of a row is the
    method or the profile.

    `reuse` holds texts an earlier run of the same settings generated (read with
    `load_reusable`): an output whose row, method, control, profile row and seed
    all match is taken from it and scored again instead of generated, so a run
    stopped at its time limit continues where it stopped; `reused_steer` (from
    `load_reusable_steering`) keeps those outputs' steering strengths.
    """
    bad = [c for c in controls if c not in CONTROLS]
    if bad:
        raise ValueError(f"unknown control(s) {', '.join(bad)}; choose from {', '.join(CONTROLS)}")
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    other_user = OTHER_USER in controls
    perm = derangement(len(rows)) if other_user else None
    request_arms = [c for c in REQUEST_CONTROLS if c in controls]
    if request_arms and (with_requests is None or request_pool is None):
        raise ValueError("the requests controls need with_requests and request_pool")
    results = {
        m.name: MethodResult(m.name, bool(getattr(m, "uses_history", True)),
                             decoding=str(getattr(m, "decoding", "")))
        for m in methods
    }
    for m in methods:
        if other_user and results[m.name].uses_history:
            results[m.name].other = Arm()
        if results[m.name].uses_history:
            results[m.name].requests = {c: Arm() for c in request_arms}
    total = sum(len(rows) * seeds * (1 + (results[m.name].other is not None)
                                     + len(results[m.name].requests)) for m in methods)
    step = 0
    done: list[EvalRow] = []
    t0 = time.perf_counter()
    ingested: dict[tuple[int, str], Sequence[HistoryItem]] = {}

    def history_of(control: str, source: int) -> Sequence[HistoryItem]:
        """The history a method prepares from: the row's own, another user's, or what the
        app learns from after the requests were chatted (ingested once per row)."""
        if control not in REQUEST_CONTROLS:
            return rows[source].history
        if (source, control) not in ingested:
            assert with_requests is not None
            ingested[(source, control)] = with_requests(source, control == REQUESTS_BEFORE)
        return ingested[(source, control)]

    for i, row in enumerate(rows):
        if should_stop and should_stop():
            break
        gold_n = len(row.gold.split())
        pool = list(request_pool(i)) if request_arms and request_pool is not None else None
        for m in methods:
            res = results[m.name]
            t = time.perf_counter()
            arms = [("own", i, res.own)]
            if res.other is not None and perm is not None:
                arms.append((OTHER_USER, perm[i], res.other))
            arms += [(control, i, arm) for control, arm in res.requests.items()]
            generated = False
            for control, source, arm in arms:
                state: Any = _UNPREPARED
                # The app kept exactly the clean history (the requests were left out): the
                # same history and seed write the same text, so the clean one is reused.
                same = control in REQUEST_CONTROLS and list(history_of(control, source)) \
                    == list(rows[source].history)
                clean = {o.seed: o for o in res.own.outputs if o.row == i} if same else {}
                for s in range(seeds):
                    sd = seed + i + 100_003 * s
                    key = (row.tid, m.name, control, source, sd)
                    c = clean.get(sd)
                    text = (reuse or {}).get(key) or (c.text if c else None)
                    steer = (reused_steer or {}).get(key, c.steer if c else None)
                    if text is None:
                        if state is _UNPREPARED:
                            state = m.prepare(history_of(control, source))
                        text = m.generate(state, row.task, sd)
                        generated = True
                    if state is not _UNPREPARED and hasattr(m, "steering_strength"):
                        steer = float(m.steering_strength(state))
                    arm.outputs.append(Output(
                        i, row.tid, m.name, control, source, sd, text,
                        score(row.gold, text), score(row.gold, cut_to_words(text, gold_n)),
                        harms(text, row.task, pool) if pool is not None else [], steer))
                    step += 1
                    if progress:
                        progress(step, total, f"row {row.tid} {m.name} {control}")
            if generated:
                res.seconds += time.perf_counter() - t
                res.timed_rows += 1
        done.append(row)
    return EvalReport(done, results, wordnet_available(), seeds, perm, dict(sampling or {}),
                      time.perf_counter() - t0, pooled=bool(request_arms))


def load_reusable_steering(path: Path) -> dict[ReuseKey, float]:
    """The steering strength of each output of an earlier run's file that recorded one."""
    out: dict[ReuseKey, float] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                if isinstance(d.get("steer"), int | float):
                    out[(str(d["tid"]), str(d["method"]), str(d["control"]),
                         int(d["profile_row"]), int(d["seed"]))] = float(d["steer"])
    return out


def load_reusable(path: Path) -> dict[ReuseKey, str]:
    """The texts of an earlier run's outputs file (`--outputs` or the report's
    outputs.jsonl), keyed for `run_eval(reuse=...)`.

    A line that does not parse is an error rather than a silent regeneration, since
    a half-read file would quietly mix two runs.
    """
    out: dict[ReuseKey, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                key = (str(d["tid"]), str(d["method"]), str(d["control"]),
                       int(d["profile_row"]), int(d["seed"]))
                text = d["text"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"line {n} is not an output of this harness ({exc})") from exc
            if not isinstance(text, str):
                raise ValueError(f"line {n}: the text is not a string")
            out[key] = text
    return out


def add_attribution(report: EvalReport,
                    embed: Callable[[Sequence[str]], Any] | None = None) -> None:
    """Attribution of every method's outputs among the run's authors (own and other-user).

    The candidates are the golds of the finished rows. An other-user output of row i
    was written with row d[i]'s history, so it is scored twice: against row i (the
    task's author; a drop from the own arm is the profile's share) and against d[i]
    (whose profile it used; above chance means the profile carries the person).
    """
    from engine.eval.attribution import attribute, burrows_delta_similarity, embedding_similarity

    refs = [r.gold for r in report.rows]
    if len(refs) < 2:
        return
    n = len(refs)
    for name, res in report.methods.items():
        entry: dict[str, Any] = {}
        arms = [("own", res.own)] + ([("other", res.other)] if res.other else [])
        for label, arm in arms:
            texts = arm.first_texts()[:n]
            sims = {"stylometric": burrows_delta_similarity(texts, refs)}
            if embed is not None:
                sims["embedding"] = embedding_similarity(texts, refs, embed)
            for kind, sim in sims.items():
                entry.setdefault(kind, {})[label] = attribute(sim).as_dict()
                if label == "other" and report.derangement is not None \
                        and len(report.derangement) == n:
                    entry[kind]["other_to_profile_owner"] = attribute(
                        sim, report.derangement[:n]).as_dict()
        report.attribution[name] = entry
