"""The evaluation loop: every method on the same rows, in one run, scored the same way.

A method is anything with `name`, `prepare(history) -> state` and
`generate(state, task, seed) -> text`; the harness knows nothing about how a
method personalizes. All methods see the same rows and the same sampling seed per
row, so their scores are paired and the differences are not sampling luck.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.eval.data import EvalRow, HistoryItem
from engine.eval.metrics import Scores, score, wordnet_available

ProgressFn = Callable[[int, int, str], None]


class Method(Protocol):
    name: str

    def prepare(self, history: Sequence[HistoryItem]) -> Any:
        """Build whatever the method needs from the user's history (a profile, a prompt)."""

    def generate(self, state: Any, task: str, seed: int) -> str:
        """Write the reply to `task` for the user whose prepared state is `state`."""


@dataclass
class MethodResult:
    name: str
    scores: list[Scores] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def mean(self, metric: str) -> float:
        vals = [getattr(s, metric) for s in self.scores]
        return sum(vals) / len(vals) if vals else 0.0


@dataclass
class EvalReport:
    rows: list[str]
    methods: dict[str, MethodResult]
    wordnet: bool
    seconds: float = 0.0

    def table(self, baseline: str = "none") -> list[dict[str, Any]]:
        """One line per method: mean scores and the relative change over `baseline`."""
        base = self.methods.get(baseline)
        out = []
        for name, res in self.methods.items():
            line: dict[str, Any] = {"method": name, "n": len(res.scores)}
            for m in ("rouge1", "rougeL", "meteor"):
                line[m] = round(res.mean(m), 4)
                if base is not None and name != baseline and base.mean(m) > 0:
                    line[f"{m}_vs_{baseline}_pct"] = round(
                        100.0 * (res.mean(m) / base.mean(m) - 1.0), 1
                    )
            line["seconds_per_row"] = round(res.seconds / max(1, len(res.scores)), 2)
            out.append(line)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": len(self.rows),
            "tids": self.rows,
            "wordnet": self.wordnet,
            "seconds": round(self.seconds, 1),
            "table": self.table(),
        }


def format_table(report: EvalReport) -> str:
    lines = [
        f"{'method':<14}{'ROUGE-1':>9}{'ROUGE-L':>9}{'METEOR':>9}"
        f"{'ΔR-L %':>9}{'ΔMET %':>9}{'s/row':>8}"
    ]
    for t in report.table():
        lines.append(
            f"{t['method']:<14}{t['rouge1']:>9.4f}{t['rougeL']:>9.4f}{t['meteor']:>9.4f}"
            f"{t.get('rougeL_vs_none_pct', 0.0):>9.1f}{t.get('meteor_vs_none_pct', 0.0):>9.1f}"
            f"{t['seconds_per_row']:>8.1f}"
        )
    lines.append(
        f"{len(report.rows)} rows; METEOR "
        + ("with WordNet synonyms" if report.wordnet else "WITHOUT synonyms (WordNet missing)")
    )
    return "\n".join(lines)


def run_eval(
    rows: Sequence[EvalRow],
    methods: Sequence[Method],
    *,
    seed: int = 0,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> EvalReport:
    """Run every method on every row (row-major, so a stopped run is still paired)."""
    results = {m.name: MethodResult(m.name) for m in methods}
    done_rows: list[str] = []
    total = len(rows) * len(methods)
    step = 0
    t0 = time.perf_counter()
    for i, row in enumerate(rows):
        if should_stop and should_stop():
            break
        for m in methods:
            t = time.perf_counter()
            state = m.prepare(row.history)
            text = m.generate(state, row.task, seed + i)
            res = results[m.name]
            res.seconds += time.perf_counter() - t
            res.texts.append(text)
            res.scores.append(score(row.gold, text))
            step += 1
            if progress:
                progress(step, total, f"row {row.tid} {m.name}")
        done_rows.append(row.tid)
    return EvalReport(done_rows, results, wordnet_available(), time.perf_counter() - t0)
