"""The `requests` control of the evaluation (issue 35): each row's history ingested through
the app's own paths with a pool of chatted requests, scored beside the clean history,
with a harm count. Real SQLite, real llama.cpp, real paper_dev rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.requests import FIXED_POOL, RequestsControl
from engine.eval.harm import harms

DATA = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "data" / "cogenesis",
                         Path("/work/shared/data/cogenesis")) if p.is_dir()), None)
needs_data = pytest.mark.skipif(DATA is None, reason="the shared evaluation data is absent")

POOL = ["Show a Python hello world in a code block.",
        "Write a short note to my neighbour about the fence falling over in the storm."]
TASK = "Compose an abstract for the title 'Fast joins on graphs' that matches the author."


def test_harm_rules():
    assert harms("We present a fast join for graphs.", TASK, POOL) == []
    assert harms("```python\nprint('hello world')\n```", TASK, POOL)[0] == "code"
    assert "code" not in harms("```sql\nSELECT 1\n```", "Write SQL code that counts rows", POOL)
    repeat = "Dear Bob, a short note to my neighbour about the fence falling over in the storm."
    assert "repeat" in harms(repeat, TASK, POOL)
    assert "answers" in harms("Sorry the fence fell, neighbour: the storm did it.", TASK, POOL)
    # A reply on the task's own subject that shares the task's template is no harm.
    assert harms("Fast joins on graphs are studied here.", TASK, [TASK.replace("Fast", "Slow")]) \
        == []


def _rows(n: int = 3):
    from engine.eval.data import EvalRow, HistoryItem

    return [EvalRow(str(i), f"Compose an abstract for the title 'Topic {i}'.", f"gold {i}",
                    [HistoryItem(f"p{i}{k}", f"Author {i} wrote text {k}.") for k in range(3)])
            for i in range(n)]


def test_requests_go_in_as_chat_and_are_not_learned_from(tmp_path):
    rows = _rows()
    control = RequestsControl(rows, tmp_path)
    pool = control.pool(0)
    assert pool[:len(FIXED_POOL)] == list(FIXED_POOL) and rows[0].task not in pool
    assert rows[1].task in pool and rows[2].task in pool
    now = control.history(0)
    assert [(h.prompt, h.text) for h in now] == [(h.prompt, h.text) for h in rows[0].history]
    before = control.history(0, before=True)
    assert len(before) == 3 + len(pool) and {h.text for h in before[3:]} == set(pool)
    assert list(tmp_path.iterdir()) == []  # the throwaway data folders are gone


def test_the_harness_scores_the_requests_arms_beside_the_clean_one(tmp_path):
    from engine.eval.harness import run_eval
    from engine.eval.report import format_table

    class Echo:
        """Writes the last text of the history it learned from (what leaked shows)."""

        name, uses_history = "echo", True
        calls = 0

        def prepare(self, history):
            return history[-1].text

        def generate(self, state, task, seed):
            Echo.calls += 1
            return state

    rows = _rows()
    control = RequestsControl(rows, tmp_path)
    with pytest.raises(ValueError, match="with_requests"):
        run_eval(rows, [Echo()], controls=["requests"])
    report = run_eval(rows, [Echo()], controls=["requests", "requests-before"],
                      with_requests=control.history, request_pool=control.pool)
    res = report.methods["echo"]
    assert set(res.requests) == {"requests", "requests-before"}
    # The app kept the clean history under "requests": its texts are the clean ones, reused.
    assert Echo.calls == 2 * len(rows)
    assert [o.text for o in res.requests["requests"].outputs] == [o.text for o in
                                                                   res.own.outputs]
    assert res.own.harm_count() == 0 and res.requests["requests"].harm_count() == 0
    # As before issue 35 the last chatted request was "learned" and comes back verbatim.
    assert res.requests["requests-before"].harm_count() == len(rows)
    line = report.summary("echo")
    assert line["requests"]["requests"]["harm"] == 0
    assert line["requests"]["requests"]["minus_clean"]["mean"] == 0.0
    assert line["requests"]["requests-before"]["harm_kinds"]["repeat"] == len(rows)
    table = format_table(report)
    assert "Requests control" in table and "requests, as before" in table


@pytest.mark.slow
@needs_data
def test_eval_cli_requests_control_end_to_end(cli, tmp_path):
    r = cli("eval", "--data", str(DATA / "paper_dev.json"), "--methods", "none,rag",
            "--limit", "2", "--max-tokens", "8", "--controls", "requests,requests-before",
            "--report", str(tmp_path / "report"), "--json", timeout=600)
    assert r.rc == 0, r.err
    out = r.json()
    rag = out["methods"][1]
    assert rag["requests"]["requests"]["harm"] >= 0 and "harm" in out["methods"][0]
    assert "Requests control" in r.out
    assert "requests, as before" in (tmp_path / "report" / "report.md").read_text()
