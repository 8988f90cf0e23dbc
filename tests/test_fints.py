"""Fints on the real model: retrieval by situation, llama.cpp vs exact torch, likelihood.

Two clusters of one user's writing (work mail, recipes) are built into a Fints
bank through the real service (llama.cpp generic replies and activations,
MiniLM embeddings, SQLite in a temp folder). The invented user "Marlowe" from
the SteerX tests (tests/data/steerx_users.json) checks that the vectors raise
the likelihood of the user's held-out texts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import method_registry as methods

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
USERS = json.loads((REPO / "tests" / "data" / "steerx_users.json").read_text())

WORK = [
    ("Tell the team the budget review moved.",
     "Hi all, the Q3 budget review moves to Thursday 10:00 in room 4B. Please bring your "
     "updated forecasts. Thanks, Dana"),
    ("Ask a colleague for the sales figures.",
     "Hi Tom, could you send me the October sales figures by Friday? I need them for the "
     "board deck. Thanks, Dana"),
    ("Reply to a client about a delayed invoice.",
     "Dear Ms Patel, apologies for the delay: the corrected invoice is attached and payment "
     "terms stay at 30 days. Best regards, Dana"),
    ("Remind your manager about the project deadline.",
     "Hi Sam, a quick reminder that the migration project is due on the 15th; we are on "
     "track, two tickets left. Thanks, Dana"),
    ("Decline a meeting invitation politely.",
     "Hi Lee, I can't make Tuesday's vendor meeting because of the audit; could you share "
     "the notes afterwards? Thanks, Dana"),
    ("Welcome a new hire to the team.",
     "Hi Priya, welcome aboard! Your laptop is ready at the front desk and our standup is "
     "at 9:30 daily. Thanks, Dana"),
]
RECIPES = [
    ("How do you make pancakes?",
     "Whisk two eggs, a cup of flour and a cup of milk, rest the batter ten minutes, then "
     "fry ladlefuls in hot butter until golden. Yum!"),
    ("Share your tomato soup recipe.",
     "Roast a kilo of tomatoes with garlic and onion, blend with stock, season with salt, "
     "pepper and a pinch of sugar. Yum!"),
    ("How do I bake banana bread?",
     "Mash three ripe bananas, stir in melted butter, sugar, an egg and flour with baking "
     "soda, bake an hour at 175 C. Yum!"),
    ("What is a quick weeknight pasta?",
     "Fry garlic in olive oil, add chilli and a tin of tomatoes, simmer ten minutes and "
     "toss with spaghetti and basil. Yum!"),
    ("Give me a simple salad dressing.",
     "Shake three spoons of olive oil with one of lemon juice, a little mustard, honey, "
     "salt and pepper in a jar. Yum!"),
    ("How do you cook rice properly?",
     "Rinse the rice, use one and a half cups of water per cup, simmer covered twelve "
     "minutes, then rest five off the heat. Yum!"),
]
WORK_REQUEST = "Write an email to my team moving the quarterly planning meeting to Monday."
RECIPE_REQUEST = "How do I make a chocolate cake for dessert?"


def _cli(home: Path, *args: str, timeout: float = 180):
    env = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A data folder with the two clusters and a Fints profile built by the service."""
    from assistant.app import AppContext
    from assistant.writing.history import HistoryService

    home = tmp_path_factory.mktemp("fints") / "home"
    app = AppContext(home)
    for prompt, text in WORK + RECIPES:
        HistoryService(app.db).add(text, prompt=prompt)
    stages: list[str] = []
    out = methods.build_profile(app, "fints", progress=lambda f, s: stages.append(s))
    yield app, out, stages, home
    app.close()


def _work_weight(choice) -> float:
    return float(sum(w for i, w in zip(choice.indices, choice.weights, strict=True)
                     if i < len(WORK)))


def test_request_weights_the_items_of_its_own_situation(built):
    from assistant.profile import fints as fints_service
    from assistant.profile.service import ProfileService

    app, out, stages, _ = built
    assert out.n_new == len(WORK) + len(RECIPES) and out.profile.method == "fints"
    assert {"generic replies", "activations", "done"} <= set(stages)
    svc = ProfileService(app)
    work, _ = fints_service.choose_for(svc, app.runtime(), WORK_REQUEST)
    recipe, _ = fints_service.choose_for(svc, app.runtime(), RECIPE_REQUEST)
    assert len(work.indices) == 5 and abs(float(work.weights.sum()) - 1) < 1e-5
    assert _work_weight(work) > 0.9, work.explain()
    assert _work_weight(recipe) < 0.1, recipe.explain()


def test_llamacpp_residual_injection_tracks_exact_torch(built, torch_runtime, artifacts_dir):
    """Logit deltas at the next token: llama.cpp's control vector (attn+mlp on the residual)
    against the exact torch intervention (attention output, then MLP output)."""
    from assistant.profile import fints as fints_service
    from assistant.profile.service import ProfileService
    from engine.methods.generic_replies import chat_prefix
    from engine.runtime.hooks import steer_residual

    app, *_ = built
    llama = app.runtime()
    svc = ProfileService(app)
    report = []
    for request in (WORK_REQUEST, RECIPE_REQUEST, "Any tips for a relaxed Sunday brunch?"):
        ch, st = fints_service.choose_for(svc, llama, request)
        prompt = chat_prefix(llama, request)
        ids = llama.tokenize(prompt)
        base_t = torch_runtime.next_token_logits(ids)
        with ch.steer_torch(torch_runtime, st["alpha"]):
            exact = torch_runtime.next_token_logits(ids) - base_t
        resid = {L: st["alpha"] * (ch.attn[j] + ch.mlp[j]) for j, L in enumerate(ch.layers)}
        with steer_residual(torch_runtime, resid):
            approx_t = torch_runtime.next_token_logits(ids) - base_t
        base_l = llama.eval_prompt(ids).copy()
        with llama.steered(ch.steering(llama.info.n_layer, st["alpha"])):
            approx_l = llama.eval_prompt(ids).copy() - base_l
        report.append({
            "request": request,
            "corr_llamacpp_vs_torch_exact": float(np.corrcoef(approx_l, exact)[0, 1]),
            "corr_torch_residual_vs_exact": float(np.corrcoef(approx_t, exact)[0, 1]),
            "exact_delta_std": float(exact.std()),
        })
    (artifacts_dir / "fints_llamacpp_vs_torch.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    corr = np.mean([r["corr_llamacpp_vs_torch_exact"] for r in report])
    assert corr > 0.8, report
    assert all(r["corr_torch_residual_vs_exact"] > 0.8 for r in report), report


def test_vectors_raise_the_likelihood_of_held_out_text(torch_runtime, llama_runtime):
    """Marlowe's held-out texts become likelier under per-request Fints; another user's
    texts gain less (the vectors are this user's, not a general fluency boost)."""
    from engine.methods import fints as F
    from engine.methods.generic_replies import MemoryGenericCache, ProfileItem, chat_prefix

    train = [ProfileItem(x["text"], x["prompt"]) for x in USERS["marlowe"][:10]]
    bank, n_new, _ = F.build_bank(train, llama_runtime, MemoryGenericCache(),
                                  F.MemoryFintsStore())
    assert n_new == 10

    def gain(rows) -> float:
        qs = F.embed_texts([x["prompt"] for x in rows])
        out = []
        for x, q in zip(rows, qs, strict=True):
            ch = bank.choose(q)
            p = chat_prefix(llama_runtime, x["prompt"])
            base = torch_runtime.loglik([p], [x["text"]])[0].logprobs.mean()
            with ch.steer_torch(torch_runtime):
                out.append(torch_runtime.loglik([p], [x["text"]])[0].logprobs.mean() - base)
        return float(np.mean(out))

    held, other = gain(USERS["marlowe"][10:]), gain(USERS["formal"][:5])
    print(f"held-out gain {held:+.4f} nat/token, other user {other:+.4f}")
    assert held > 0.02
    assert held > other


def test_the_build_chooses_the_strength_by_generation_and_chat_applies_it(built):
    """The service's build hides the user's last texts, writes replies under each candidate
    strength and keeps the best fluent one; `profile show` says so; chat steers the request
    with that fraction of the residual norm, on the reply's positions only."""
    from assistant.profile import fints as fints_service
    from assistant.profile.service import ProfileService
    from engine.methods.generation_calibration import STAGE

    app, out, stages, home = built
    st = out.profile.meta["fints"]["strength"]
    assert STAGE in stages and stages.index(STAGE) > stages.index("activations")
    assert st["held_out"] == 8 and st["residual_norm"] > 0
    best = max((r for r in st["selection"] if r["fluent"]), key=lambda r: r["score"])
    assert st["fraction"] == best["fraction"]
    show = _cli(home, "profile", "show", "--method", "fints")
    assert show.returncode == 0 and "of the residual norm" in show.stdout, show.stderr
    rt = app.runtime()
    steering, items = fints_service.request_steering(ProfileService(app), rt, WORK_REQUEST)
    buf = steering.control_buffer(rt.info.n_layer)
    assert steering.generated_only and items
    ch, _ = fints_service.choose_for(ProfileService(app), rt, WORK_REQUEST)
    L = ch.layers[0]
    assert np.linalg.norm(buf[L - 1]) == pytest.approx(
        st["fraction"] * st["residual_norm"], rel=1e-4)


def test_rag_fints_puts_the_texts_in_the_prompt_and_steers_at_the_strength_chosen_so(built):
    """The build also chooses a strength with each held-out text's prompt holding the
    user's other texts; rag+fints applies that one (not the alone one), on the reply's
    positions only, and puts the retrieved texts in the prompt."""
    from assistant import method_registry as methods
    from assistant.profile import fints as fints_service
    from assistant.profile.service import ProfileService
    from engine.runtime.generation import CancelToken, SamplingSettings

    app, out, _stages, _home = built
    st = out.profile.meta["fints"]["strength"]
    wt = st["with_texts"]
    assert wt["held_out"] == st["held_out"]
    assert [r["fraction"] for r in wt["selection"]] == [r["fraction"] for r in st["selection"]]
    best = max((r for r in wt["selection"] if r["fluent"]), key=lambda r: r["score"])
    assert wt["fraction"] == best["fraction"]
    # Replies written after the texts are not those written alone: two settings, two tables.
    assert [r["score"] for r in wt["selection"]] != [r["score"] for r in st["selection"]]
    rt = app.runtime()
    req = methods.Request(app, rt, [{"role": "user", "content": WORK_REQUEST}], WORK_REQUEST,
                          SamplingSettings(max_tokens=4), CancelToken())
    prepared = methods.get("rag+fints").prepare(req)
    assert prepared.method == "rag+fints" and prepared.details["rag_samples"]
    assert "Here are texts I wrote before" in prepared.messages[-1]["content"]
    assert prepared.details["fints_items"]
    assert rt.steering is None and prepared.steering is not None
    buf = prepared.steering.control_buffer(rt.info.n_layer)
    ch, _ = fints_service.choose_for(ProfileService(app), rt, WORK_REQUEST)
    assert prepared.steering.generated_only
    assert np.linalg.norm(buf[ch.layers[0] - 1]) == pytest.approx(
        wt["fraction"] * st["residual_norm"], rel=1e-4)


def test_cli_show_explain_and_incremental_rebuild(built):
    from assistant.errors import UserError
    from assistant.profile.service import ProfileService
    from assistant.writing.history import HistoryService

    app, _out, _, home = built
    show = _cli(home, "profile", "show", "--method", "fints", "--json")
    assert show.returncode == 0, show.stderr
    d = json.loads(show.stdout.strip().splitlines()[-1])
    assert d["fints"]["k"] == 5 and d["fints"]["temperature"] == 0.1 and d["fints"]["layers"]
    chat = _cli(home, "chat", "--method", "fints", "--explain", "--json", "--max-tokens", "6",
                "--seed", "1", WORK_REQUEST)
    assert chat.returncode == 0, chat.stderr
    assert "history items used" in chat.stderr
    j = json.loads(chat.stdout.strip().splitlines()[-1])
    assert j["method"] == "fints" and j["fints_items"][0]["item"] < len(WORK)
    from assistant import method_registry as methods
    from engine.runtime.generation import CancelToken

    request = methods.Request(app, app.runtime(), [{"role": "user", "content": "Hi"}], "Hi",
                              app.sampling(), CancelToken())
    with pytest.raises(UserError, match="steerx"):  # stacking needs a SteerX profile too
        methods.get("steerx+fints").prepare(request)
    # Not named for this turn (the saved choice): chat goes on without, and says why.
    request.explicit = False
    fallback = methods.prepare(methods.get("steerx+fints"), request)
    assert fallback.method == "none" and "without personalization" in fallback.notice
    before = ProfileService(app).require("fints").n_samples
    HistoryService(app.db).add("Hi all, Friday's demo is at 14:00; slides due Thursday. "
                               "Thanks, Dana", prompt="Announce the demo time.")
    # Chat keeps the user's messages, but as conversation: the profile reads what is included.
    now = len(HistoryService(app.db).writing())
    again = methods.build_profile(app, "fints")
    assert again.n_new == now - before and again.profile.n_samples == now
    assert again.n_new < len(WORK)  # only what is new was computed
    # One new sample (a tenth or less of the history): the strength chosen before is kept.
    HistoryService(app.db).add("Hi all, the offsite is booked for the 3rd. Thanks, Dana",
                               prompt="Tell the team about the offsite.")
    third = methods.build_profile(app, "fints")
    assert third.n_new == 1
    assert third.profile.meta["fints"]["strength"] == again.profile.meta["fints"]["strength"]
    # A strength the user set by hand is kept by a rebuild, beside the chosen one it scales.
    ProfileService(app).set_strength("fints", alpha=0.5)
    fourth = methods.build_profile(app, "fints")
    assert fourth.profile.alpha == 0.5 and fourth.profile.meta["auto_selected"] is False
    assert fourth.profile.meta["fints"]["strength"] == third.profile.meta["fints"]["strength"]
