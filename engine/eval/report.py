"""What a reader sees of an evaluation: the terminal table, a Markdown report, one chart.

Every number comes from `EvalReport.summary`, the same dict the `--json` line
carries, so the table, the report and scripts cannot disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.eval.harness import BASELINES, EvalReport

NONE, RAG = BASELINES  # the two baselines every table compares against

NAMES = {"rouge1": "ROUGE-1", "rougeL": "ROUGE-L", "meteor": "METEOR"}


def _ci(d: dict[str, Any]) -> str:
    lo, hi = d["ci"]
    return f"{d['mean']:+.4f} [{lo:+.4f}, {hi:+.4f}]"


MIN_ROWS_FOR_VERDICT = 10  # below this a percentile bootstrap is too narrow to trust


def _verdict(line: dict[str, Any]) -> str:
    other = line.get("other")
    if other is None:
        return "n/a (no profile)"
    if line["n"] < MIN_ROWS_FOR_VERDICT:
        return f"too few rows to say (<{MIN_ROWS_FOR_VERDICT})"
    gap = other["matched"]["rougeL"]
    lo, hi = gap["ci"]
    if lo > 0:
        return "yes: personal"
    if hi < 0:
        return "no: worse with own profile"
    return "not shown (interval includes 0)"


def _attr(line: dict[str, Any], kind: str, arm: str) -> str:
    a = line.get("attribution", {}).get(kind, {}).get(arm)
    return f"{a['acc1']:.2f}/{a['mrr']:.2f}" if a else "-"


def format_table(report: EvalReport) -> str:
    """The terminal's view: scores, lengths, differences and the person controls."""
    lines_ = [report.summary(n) for n in report.methods]
    d = report.as_dict()
    out = [
        f"{'method':<14}{'R-L':>8}{'R-L ci':>17}{'METEOR':>8}{'R-L=len':>9}{'MET=len':>9}"
        f"{'words':>7}{'median':>7}{'s/row':>7}",
    ]
    for t in lines_:
        lo, hi = t["ci"]["raw"]["rougeL"]
        out.append(
            f"{t['method']:<14}{t['raw']['rougeL']:>8.4f}{f'[{lo:.3f}, {hi:.3f}]':>17}"
            f"{t['raw']['meteor']:>8.4f}{t['matched']['rougeL']:>9.4f}"
            f"{t['matched']['meteor']:>9.4f}{t['words']['mean']:>7.0f}"
            f"{t['words']['median']:>7.0f}{t['seconds_per_row']:>7.1f}"
        )
    out.append(f"{'gold':<14}{'':>8}{'':>17}{'':>8}{'':>9}{'':>9}"
               f"{d['gold_words']['mean']:>7.0f}{d['gold_words']['median']:>7.0f}")
    out.append("")
    out.append("Length-matched ROUGE-L differences (paired 95 % intervals):")
    out.append(f"{'method':<14}{'vs none':>28}{'vs rag':>28}{'own - other user':>30}  personal?")
    for t in lines_:
        vs_none = _ci(t["vs"][NONE]["matched"]["rougeL"]) if NONE in t["vs"] else "-"
        vs_rag = _ci(t["vs"][RAG]["matched"]["rougeL"]) if RAG in t["vs"] else "-"
        gap = _ci(t["other"]["matched"]["rougeL"]) if "other" in t else "-"
        out.append(f"{t['method']:<14}{vs_none:>28}{vs_rag:>28}{gap:>30}  {_verdict(t)}")
    out += remote_lines(lines_, d)
    if report.attribution:
        n = len(report.rows)
        out.append("")
        out.append(f"Attribution among {n} authors, acc@1/MRR (chance {1 / n:.2f}/"
                   f"{sum(1 / k for k in range(1, n + 1)) / n:.2f}):")
        out.append(f"{'method':<14}{'embed own':>11}{'embed other':>13}"
                   f"{'style own':>11}{'style other':>13}")
        for t in lines_:
            out.append(f"{t['method']:<14}{_attr(t, 'embedding', 'own'):>11}"
                       f"{_attr(t, 'embedding', 'other'):>13}{_attr(t, 'stylometric', 'own'):>11}"
                       f"{_attr(t, 'stylometric', 'other'):>13}")
    if report.pooled:
        out.append("")
        out += requests_lines(lines_)
    if steering_sentence(lines_):
        out += ["", steering_sentence(lines_)]
    out.append("")
    res = d["resolution_rougeL_matched"]
    out.append(
        f"{len(report.rows)} rows x {report.seeds} seed(s); sampler {_sampler(report.sampling)}; "
        "METEOR " + ("with WordNet synonyms" if report.wordnet else
                     "WITHOUT synonyms (WordNet missing)")
    )
    if res is not None:
        out.append(f"Smallest length-matched ROUGE-L difference this run resolves: ±{res:.4f} "
                   "(mean interval half-width vs none); smaller differences are noise here.")
    own_rules = [f"{t['method']}: {t['decoding']}" for t in lines_ if t.get("decoding")]
    if own_rules:
        out.append("Decoding by the method's own rule: " + "; ".join(own_rules))
    if report.derangement is not None:
        out.append("Other-user control: row i uses the history of row d[i], d = "
                   + json.dumps(report.derangement))
    return "\n".join(out)


REQUESTS_NOTE = ("Requests control: each row's texts imported and a pool of assistant "
                 "requests (code, trivia, notes, the other rows' tasks) chatted, through the "
                 "app's own paths; the method learns from what the app keeps as writing. "
                 "Harm: outputs with a code block where the task is prose, an 8-gram of a "
                 "pooled request, or an answer to a pooled request instead of the task.")


def _requests_cells(t: dict[str, Any], control: str) -> tuple[str, str, str]:
    r = t.get("requests", {}).get(control)
    if r is None:
        return "-", "-", "-"
    within = "yes" if r["within_clean"] else "no"
    return f"{r['matched_rougeL']:.4f} {_br(r['ci'])}", within, str(r["harm"])


def requests_lines(lines_: list[dict[str, Any]]) -> list[str]:
    """The requests control per method: the score beside the clean one, and the harm."""
    out = [REQUESTS_NOTE, "Length-matched ROUGE-L; harm = outputs with any harm, of all.",
           f"{'method':<14}{'clean':>22}{'harm':>6}{'with requests':>24}{'in ci':>7}"
           f"{'harm':>6}{'requests, as before':>26}{'harm':>6}"]
    for t in lines_:
        clean = f"{t['matched']['rougeL']:.4f} {_br(t['ci']['matched']['rougeL'])}"
        n = t["n"]
        now = _requests_cells(t, "requests")
        before = _requests_cells(t, "requests-before")
        out.append(f"{t['method']:<14}{clean:>22}{t.get('harm', {}).get('own', '-')!s:>6}"
                   f"{now[0]:>24}{now[1]:>7}{now[2]:>6}{before[0]:>26}{before[2]:>6}"
                   + (f"   (of {n})" if n else ""))
    return out


def remote_lines(lines_: list[dict[str, Any]], d: dict[str, Any],
                 markdown: bool = False) -> list[str]:
    """The comparison with the remote alone and the share of remote+rag's gain that
    costeer recovers, when the run has those arms (else nothing)."""
    out: list[str] = []
    vs_remote = [t for t in lines_ if "remote" in t["vs"]]
    if vs_remote:
        out += ["", "Against the remote alone (length-matched, paired 95 % intervals):"]
        if markdown:
            out += ["", "| method | R-L vs remote | METEOR vs remote |", "|---|---|---|"]
        else:
            out.append(f"{'method':<14}{'R-L vs remote':>28}{'METEOR vs remote':>28}")
        for t in vs_remote:
            vs = t["vs"]["remote"]["matched"]
            out.append(f"| {t['method']} | {_ci(vs['rougeL'])} | {_ci(vs['meteor'])} |"
                       if markdown else
                       f"{t['method']:<14}{_ci(vs['rougeL']):>28}{_ci(vs['meteor']):>28}")
    rec = d.get("remote_recovery")
    if rec:
        parts = [f"{m} " + ("n/a (remote+rag gained nothing)" if r["share"] is None
                            else f"{100 * r['share']:.0f} %") for m, r in rec.items()]
        out += ["", "Share of remote+rag's gain over remote that costeer recovers: "
                + "; ".join(parts)]
    return out


def _sampler(sampling: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sampling.items()) or "(not given)"


def write_outputs(report: EvalReport, path: Path) -> None:
    """Every generated text with its scores and length, one JSON object per line."""
    with path.open("w", encoding="utf-8") as fh:
        for o in report.outputs():
            fh.write(json.dumps(o.as_dict(), ensure_ascii=False) + "\n")


def write_chart(report: EvalReport, path: Path) -> None:
    """Length-matched ROUGE-L and METEOR per method with intervals; own vs other user."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed, and never a window from a CLI run
    import matplotlib.pyplot as plt

    lines_ = [report.summary(n) for n in report.methods]
    names = [t["method"] for t in lines_]
    fig, axes = plt.subplots(1, 2, figsize=(max(7, 1.3 * len(names) + 3), 4), sharex=True)
    for ax, metric in zip(axes, ("rougeL", "meteor"), strict=True):
        xs = range(len(names))
        own = [t["matched"][metric] for t in lines_]
        lo = [t["matched"][metric] - t["ci"]["matched"][metric][0] for t in lines_]
        hi = [t["ci"]["matched"][metric][1] - t["matched"][metric] for t in lines_]
        ax.errorbar([x - 0.12 for x in xs], own, yerr=[lo, hi], fmt="o", capsize=3,
                    label="own profile")
        oth = [(x + 0.12, t) for x, t in zip(xs, lines_, strict=True) if "other" in t]
        if oth:
            vals = [t["matched"][metric] - t["other"]["matched"][metric]["mean"] for _, t in oth]
            ax.plot([x for x, _ in oth], vals, "s", mfc="none", label="other user's profile")
        ax.set_xticks(list(xs), names, rotation=30, ha="right")
        ax.set_title(f"{NAMES[metric]}, length-matched")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{len(report.rows)} rows, {report.seeds} seed(s), 95 % paired bootstrap")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_markdown(report: EvalReport, path: Path, *, title: str, chart: str | None) -> None:
    lines_ = [report.summary(n) for n in report.methods]
    d = report.as_dict()
    md = [f"# {title}", "",
          f"{len(report.rows)} rows, {report.seeds} seed(s) per row; sampler "
          f"{_sampler(report.sampling)}; gold {d['gold_words']['mean']:.0f} words on average "
          f"(median {d['gold_words']['median']:.0f}).", ""]
    if chart:
        md += [f"![scores]({chart})", ""]
    md += ["| method | R-L | R-L len-matched | METEOR | METEOR len-matched | words (median) |",
           "|---|---|---|---|---|---|"]
    for t in lines_:
        ci = t["ci"]
        md.append(
            f"| {t['method']} | {t['raw']['rougeL']:.4f} {_br(ci['raw']['rougeL'])} "
            f"| {t['matched']['rougeL']:.4f} {_br(ci['matched']['rougeL'])} "
            f"| {t['raw']['meteor']:.4f} {_br(ci['raw']['meteor'])} "
            f"| {t['matched']['meteor']:.4f} {_br(ci['matched']['meteor'])} "
            f"| {t['words']['mean']:.0f} ({t['words']['median']:.0f}) |")
    md += ["", "Differences, length-matched, paired 95 % intervals:", "",
           "| method | R-L vs none | R-L vs rag | R-L own − other user | METEOR own − other user "
           "| personal? |", "|---|---|---|---|---|---|"]
    for t in lines_:
        vs = t["vs"]
        md.append(
            f"| {t['method']} | {_ci(vs[NONE]['matched']['rougeL']) if NONE in vs else '-'} "
            f"| {_ci(vs[RAG]['matched']['rougeL']) if RAG in vs else '-'} "
            f"| {_ci(t['other']['matched']['rougeL']) if 'other' in t else '-'} "
            f"| {_ci(t['other']['matched']['meteor']) if 'other' in t else '-'} "
            f"| {_verdict(t)} |")
    md += remote_lines(lines_, d, markdown=True)
    if report.attribution:
        n = len(report.rows)
        md += ["", f"Attribution among {n} authors (acc@1 / MRR; chance {1 / n:.2f} / "
               f"{sum(1 / k for k in range(1, n + 1)) / n:.2f}):", "",
               "| method | embedding, own | embedding, other user | stylometric, own "
               "| stylometric, other user |", "|---|---|---|---|---|"]
        for t in lines_:
            md.append(f"| {t['method']} | {_attr(t, 'embedding', 'own')} "
                      f"| {_attr(t, 'embedding', 'other')} | {_attr(t, 'stylometric', 'own')} "
                      f"| {_attr(t, 'stylometric', 'other')} |")
    if report.pooled:
        md += ["", REQUESTS_NOTE, "",
               "| method | clean R-L len-matched | harm | with requests | within the clean "
               "interval | harm | requests, as before issue 35 | harm |",
               "|---|---|---|---|---|---|---|---|"]
        for t in lines_:
            now, before = _requests_cells(t, "requests"), _requests_cells(t, "requests-before")
            md.append(f"| {t['method']} | {t['matched']['rougeL']:.4f} "
                      f"{_br(t['ci']['matched']['rougeL'])} | {t.get('harm', {}).get('own', '-')} "
                      f"| {now[0]} | {now[1]} | {now[2]} | {before[0]} | {before[2]} |")
    if steering_sentence(lines_):
        md += ["", steering_sentence(lines_)]
    res = d["resolution_rougeL_matched"]
    if res is not None:
        md += ["", f"Smallest length-matched ROUGE-L difference this run resolves: ±{res:.4f}."]
    if report.derangement is not None:
        md += ["", f"Other-user control: row i uses row d[i]'s history, d = {report.derangement}."]
    path.write_text("\n".join(md) + "\n", encoding="utf-8")


def steering_sentence(lines_: list[dict[str, Any]]) -> str:
    """How many users' builds kept steering on, per steering method ("" when none steers):
    a method whose build switches steering off for most users is mostly its baseline."""
    parts = [f"{t['method']} {t['steering_on']['on']} of {t['steering_on']['rows']}"
             for t in lines_ if t.get("steering_on")]
    return ("Steering on (the build chose a strength above 0 for the user's own history): "
            + "; ".join(parts) + " rows.") if parts else ""


def _br(ci: list[float]) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def write_report(report: EvalReport, folder: Path, *, title: str) -> dict[str, Path]:
    """outputs.jsonl, scores.png and report.md in `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"outputs": folder / "outputs.jsonl", "chart": folder / "scores.png",
             "report": folder / "report.md"}
    write_outputs(report, paths["outputs"])
    write_chart(report, paths["chart"])
    write_markdown(report, paths["report"], title=title, chart=paths["chart"].name)
    return paths
