"""DPS through the app: build (service, reduced scan), `profile show --json`, `chat --method dps`,
cancel, and the GUI adapter's heat-map data. Real model, real SQLite, real CLI subprocess."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # a reduced head scan and torch decoding, ~45 s
USERS = json.loads((REPO / "tests" / "data" / "steerx_users.json").read_text())


@pytest.fixture
def with_history(app):
    from assistant.writing.history import HistoryService

    for x in USERS["marlowe"][:3]:
        HistoryService(app.db).add(x["text"], prompt=x["prompt"])
    return app


def test_build_show_chat(with_history, cli):
    from assistant.profile.service import ProfileService

    svc = ProfileService(with_history)
    stages: list[str] = []
    out = svc.build_dps("dps", model_flag=None, progress=lambda f, s: stages.append(s),
                        cancel=None, refine=4)
    heads = out.profile.as_dict()["heads"]
    assert len(heads) == 11 and stages[-1] == "done"  # 4% of 270
    # Scored against the model's own replies to the same prompts (the contrast).
    assert "generic replies" in stages and out.profile.meta["contrast"]
    assert all(set(h) == {"layer", "head", "score"} for h in heads)
    assert [h["score"] for h in heads[:4]] == sorted([h["score"] for h in heads[:4]], reverse=True)
    assert svc.active_method() == "dps"
    shown = cli("profile", "show", "--json", "--method", "dps")
    assert shown.rc == 0, shown.err
    assert shown.json()["heads"] == heads
    chat = cli("chat", "--method", "dps", "--max-tokens", "8", "--temperature", "0", "--json",
               "Say hi")
    assert chat.rc == 0, chat.err
    res = chat.json()
    assert res["method"] == "dps" and res["text"].strip()
    # Decoded with the user's texts in front, as the heads were scored.
    assert res["dps_texts"] == 2, res

    from assistant.profile.service import ProfileService
    from ui.widgets.personalization_panel import profile_state

    st = profile_state(with_history, ProfileService(with_history), "dps")
    assert st.heads == heads and (st.n_layer, st.n_head) == (30, 9)


def test_cancel_keeps_previous_profile(with_history):
    from assistant.profile.service import ProfileService
    from assistant.profile.store import BuildCancelled

    stop = threading.Event()
    stop.set()
    with pytest.raises(BuildCancelled):
        ProfileService(with_history).build_dps("dps", model_flag=None, progress=None,
                                               cancel=stop)
    assert ProfileService(with_history).get("dps") is None


def test_a_model_too_large_for_free_memory_is_refused_before_torch_loads(with_history,
                                                                        monkeypatch):
    """The check runs on the real header and the real free memory; the load's peak factor
    is raised until the embedded model needs petabytes."""
    from assistant.errors import UserError
    from assistant.profile.service import ProfileService
    from engine.runtime import torch_budget, torch_runtime

    monkeypatch.setattr(torch_budget, "LOAD_PEAK_OVER_WEIGHTS", 1e7)
    loaded = dict(torch_runtime._CACHE)
    with pytest.raises(UserError, match=r"GB free, so it did not start"):
        ProfileService(with_history).build_dps("dps", model_flag=None, progress=None,
                                               cancel=None)
    assert loaded == torch_runtime._CACHE  # nothing was loaded into torch
    assert ProfileService(with_history).get("dps") is None


def test_a_scan_estimated_over_its_time_stops_after_its_first_texts(with_history,
                                                                     monkeypatch):
    """The scan times its first batch and stops with the estimate (here against a budget of
    a hundredth of a second); the previous profile, none, stays."""
    from assistant.errors import UserError
    from assistant.profile import service

    monkeypatch.setattr(service, "DPS_MAX_SECONDS", 0.01)
    with pytest.raises(UserError) as e:
        service.ProfileService(with_history).build_dps("dps", model_flag=None, progress=None,
                                                       cancel=None)
    assert str(e.value).startswith("DPS would take about ")
    assert "for your 3 most recent texts (timed on the first 3)" in str(e.value)
    assert "previous profile is unchanged" in str(e.value)
    assert service.ProfileService(with_history).get("dps") is None
