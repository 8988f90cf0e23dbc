"""Evaluation: loaders for the shared data, the metrics, and the harness with real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.eval.data import load_rows, parse_paper_user_turn
from engine.eval.metrics import meteor, score, tokenize, wordnet_available
from tests.conftest import COGENESIS

DATA = COGENESIS
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared evaluation data not present")


@needs_data
def test_paper_dev_rows_hold_history_task_and_gold():
    rows = load_rows(DATA / "paper_dev.json")
    assert len(rows) == 161
    for r in rows:
        assert len(r.history) == 5
        assert r.task.startswith("Compose an abstract for the title '")
        assert r.gold.strip()
        for h in r.history:
            assert "Title:" not in h.text and "Content:" not in h.text
            assert h.prompt.startswith("Compose an abstract for the title '") and h.text
    # The history is the author's own earlier work, never the task's gold.
    assert all(r.gold not in (h.text for h in r.history) for r in rows)


@needs_data
def test_context_aware_rows_use_profile_items():
    rows = load_rows(DATA / "context_aware_dev.json")
    assert len(rows) == 150
    assert all(len(r.history) == 4 and r.task and r.gold for r in rows)
    assert rows[0].history[0].prompt.startswith("Compose an Engaging Property Description")


@needs_data
def test_task_only_file_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="no history"):
        load_rows(DATA / "paper_dev_task_only.json")


def test_paper_turn_parser_on_a_small_example():
    user = (
        "Intro.\n\n## History Paper Abstracts\nTitle: A\nContent: first text.\n\n"
        "Title: B\nContent: second\ntext.\n\n## Task\nCompose an abstract for the title 'C' that "
        "matches the author's unique content, style and tone."
    )
    items, task = parse_paper_user_turn(user)
    assert [h.text for h in items] == ["first text.", "second\ntext."]
    assert "'A'" in items[0].prompt and task.startswith("Compose an abstract for the title 'C'")


def test_metrics_bounds_and_tokenizer():
    assert tokenize("It's a test-case, isn't it?") == ["it's", "a", "test-case", ",", "isn't",
                                                       "it", "?"]
    same = score("The cat sat on the mat.", "The cat sat on the mat.")
    assert same.rouge1 == pytest.approx(1.0) and same.rougeL == pytest.approx(1.0)
    assert same.meteor > 0.9
    none = score("alpha beta gamma", "delta epsilon")
    assert none.rouge1 == 0 and none.rougeL == 0 and none.meteor == 0
    assert score("x", "").meteor == 0.0


def test_meteor_uses_wordnet_synonyms_when_available():
    ref, hyp = "we propose a new method", "we suggest a novel technique"
    if not wordnet_available():
        pytest.skip("WordNet not installed: METEOR runs without synonyms (reported as such)")
    from nltk.translate.meteor_score import meteor_score

    from engine.eval.metrics import _NoSynonyms

    without = meteor_score([ref.split()], hyp.split(), wordnet=_NoSynonyms())
    assert meteor(ref, hyp) > without


@pytest.mark.slow
@needs_data
def test_harness_runs_the_other_user_control_with_real_methods(llama_runtime):
    """none and rag on three real rows, two seeds, with the other-user control."""
    from assistant.evaluation.methods import make_methods
    from engine.eval.harness import add_attribution, run_eval
    from engine.eval.report import format_table
    from engine.methods.embeddings import embed
    from engine.runtime.generation import SamplingSettings

    rows = load_rows(DATA / "context_aware_dev.json")[:3]
    methods, builds = make_methods(["none", "rag"], llama_runtime,
                                   SamplingSettings(max_tokens=16), Path("/nonexistent"))
    assert builds is None  # neither method builds a profile
    seen = []
    report = run_eval(rows, methods, seeds=2, controls=["other-user"],
                      progress=lambda d, t, label: seen.append((d, t)))
    # none has no history, so no control: 3 rows x 2 seeds; rag: twice that.
    assert seen[-1] == (18, 18)
    assert report.derangement is not None
    assert all(report.derangement[i] != i for i in range(3))
    rag = report.methods["rag"]
    assert [o.profile_row for o in rag.other.outputs[::2]] == report.derangement
    assert report.methods["none"].other is None
    # The seeds of a row are the same for every method and control.
    assert [o.seed for o in rag.own.outputs] == [o.seed for o in report.methods["none"].own.outputs]
    add_attribution(report, embed)
    line = report.summary("rag")
    assert set(line) >= {"raw", "matched", "ci", "words", "vs", "other", "attribution"}
    assert line["other"]["matched"]["rougeL"]["ci"][0] <= line["other"]["matched"]["rougeL"]["mean"]
    assert line["attribution"]["embedding"]["own"]["chance_acc1"] == pytest.approx(1 / 3, abs=1e-4)
    # Cut to the gold's length, an output never scores on words the gold has no room for.
    for o in rag.own.outputs:
        assert o.matched.rougeL >= 0 and o.words >= 0
    table = format_table(report)
    assert "own - other user" in table and "Smallest length-matched" in table


@pytest.mark.slow
@needs_data
def test_eval_cli_prints_the_table_as_json(cli, tmp_path):
    r = cli("eval", "--data", str(DATA / "context_aware_dev.json"), "--methods", "none,rag",
            "--limit", "2", "--max-tokens", "8", "--controls", "other-user",
            "--report", str(tmp_path / "report"), "--json", timeout=300)
    assert r.rc == 0, r.err
    out = r.json()
    assert out["rows"] == 2 and [m["method"] for m in out["methods"]] == ["none", "rag"]
    rag = out["methods"][1]
    assert set(rag) >= {"raw", "matched", "words", "ci", "other", "attribution"}
    assert set(rag["raw"]) == {"rouge1", "rougeL", "meteor"}
    assert out["derangement"] == [1, 0] and isinstance(out["wordnet"], bool)
    assert out["sampling"]["temperature"] == 0.7
    report = tmp_path / "report"
    assert (report / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = (report / "outputs.jsonl").read_text().splitlines()
    assert len(lines) == 2 + 2 * 2  # none: 2 rows; rag: 2 rows, own and other-user
    assert "personal?" in (report / "report.md").read_text()


def test_eval_cli_refuses_an_unknown_control(cli, tmp_path):
    r = cli("eval", "--data", str(tmp_path / "x.json"), "--controls", "same-genre")
    assert r.rc == 1 and "Unknown control" in r.err


class _CountingMethod:
    """A method whose text names its inputs, so a reused output is told from a new one."""

    name, uses_history = "echo", True

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def prepare(self, history):
        return history[0].text

    def generate(self, state, task, seed):
        self.calls.append((task, seed))
        return f"{state} {task} {seed}"


def _toy_rows(n: int):
    from engine.eval.data import EvalRow, HistoryItem

    return [EvalRow(str(i), f"task{i}", f"gold {i}", [HistoryItem(f"p{i}", f"author{i} text")])
            for i in range(n)]


def test_a_stopped_run_resumes_from_its_outputs(tmp_path):
    from engine.eval.harness import load_reusable, run_eval
    from engine.eval.report import write_outputs

    rows = _toy_rows(4)
    first = _CountingMethod()
    stop_after = iter([False, False, True])  # two rows, then the time limit
    report = run_eval(rows, [first], controls=["other-user"], should_stop=lambda: next(stop_after))
    assert len(report.rows) == 2 and len(first.calls) == 4
    path = tmp_path / "outputs.jsonl"
    write_outputs(report, path)
    # Plant a text: only a reused output can carry it into the second run.
    planted = path.read_text().replace("author0 text task0 0", "planted resumed text", 1)
    path.write_text(planted)
    again = _CountingMethod()
    resumed = run_eval(rows, [again], controls=["other-user"], reuse=load_reusable(path))
    assert len(resumed.rows) == 4
    assert [c[0] for c in again.calls] == ["task2", "task2", "task3", "task3"]
    texts = [o.text for o in resumed.methods["echo"].own.outputs]
    assert texts[0] == "planted resumed text"
    assert resumed.methods["echo"].timed_rows == 2


def test_resume_refuses_a_file_that_is_not_an_outputs_file(tmp_path):
    from engine.eval.harness import load_reusable

    bad = tmp_path / "x.jsonl"
    bad.write_text('{"row": 0, "text": "no method"}\n')
    with pytest.raises(ValueError, match="line 1"):
        load_reusable(bad)


class _SteeringMethod(_CountingMethod):
    """A steering method whose build switches steering off for author1's history."""

    name = "steers"

    def steering_strength(self, state) -> float:
        return 0.0 if state.startswith("author1") else 0.5


def test_the_report_counts_the_users_whose_steering_is_on(tmp_path):
    from engine.eval.harness import load_reusable, load_reusable_steering, run_eval
    from engine.eval.report import format_table, write_outputs

    rows = _toy_rows(3)
    report = run_eval(rows, [_SteeringMethod(), _CountingMethod()], controls=["other-user"])
    line = report.summary("steers")
    assert line["steering_on"] == {"on": 2, "rows": 3}  # own histories only
    assert "steering_on" not in report.summary("echo")
    assert "Steering on (the build chose a strength above 0 for the user's own history): " \
           "steers 2 of 3 rows." in format_table(report)
    path = tmp_path / "outputs.jsonl"
    write_outputs(report, path)
    # a resumed run prepares nothing for the rows it reuses, and keeps their strengths
    again = _SteeringMethod()
    resumed = run_eval(rows, [again], controls=["other-user"], reuse=load_reusable(path),
                       reused_steer=load_reusable_steering(path))
    assert again.calls == []
    assert resumed.summary("steers")["steering_on"] == {"on": 2, "rows": 3}
