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
def test_harness_scores_none_and_rag_on_the_same_row(llama_runtime):
    from assistant.eval_service import make_methods
    from engine.eval.harness import format_table, run_eval
    from engine.runtime.generation import SamplingSettings

    rows = load_rows(DATA / "context_aware_dev.json")[:1]
    methods, builds = make_methods(["none", "rag"], llama_runtime,
                                   SamplingSettings(max_tokens=24), Path("/nonexistent"))
    assert builds is None  # neither method builds a profile
    seen = []
    report = run_eval(rows, methods, progress=lambda d, t, label: seen.append((d, t)))
    assert seen[-1] == (2, 2)
    table = {t["method"]: t for t in report.table()}
    assert set(table) == {"none", "rag"} and table["rag"]["n"] == 1
    assert "rougeL_vs_none_pct" in table["rag"]
    assert all(res.texts[0] for res in report.methods.values())
    assert "METEOR" in format_table(report)


@pytest.mark.slow
@needs_data
def test_eval_cli_prints_the_table_as_json(cli):
    r = cli("eval", "--data", str(DATA / "context_aware_dev.json"), "--methods", "none",
            "--limit", "1", "--max-tokens", "8", "--json", timeout=300)
    assert r.rc == 0, r.err
    out = r.json()
    assert out["rows"] == 1 and out["table"][0]["method"] == "none"
    assert set(out["table"][0]) >= {"rouge1", "rougeL", "meteor"}
    assert isinstance(out["wordnet"], bool)
