"""SteerX's token effects on real authors: against another writer's history, a stranger's cancels.

Four paper_dev authors from the tuning rows (100-103). Each text is scored after
two of its author's other texts, after two of the next author's texts shown as
if they were the user's ("a user whose texts are another's"), and after a third
author's texts as the reference. The paired effect against that reference
should be about zero for the impostor history and clearly positive for the real
one, and tau should pass about twice as many of the real history's tokens.
"""

from __future__ import annotations

import pytest

from engine.eval.data import load_paper_dev
from engine.methods import steerx as sx
from engine.methods.generic_replies import ProfileItem
from engine.methods.profile_build import BuildOptions, history_prompt, text_tokens, truncate_text
from tests.conftest import COGENESIS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not COGENESIS.is_dir(), reason="shared evaluation data not present"),
]
AUTHORS = range(100, 104)
# The first 64 tokens of each text, as these bounds were measured on (builds read whole
# texts since; over whole abstracts the own-history mean effect is lower, 0.053 nat
# against 0.1+, while tau's share ratio stays above 2).
TARGET_TOKENS = 64


@pytest.fixture(scope="module")
def effects(llama_runtime, torch_runtime):
    rows = load_paper_dev(COGENESIS / "paper_dev.json")
    users = [[ProfileItem(h.text, h.prompt) for h in rows[r].history] for r in AUTHORS]
    opt = BuildOptions()

    def prompt(instruction, texts):
        shown = [truncate_text(llama_runtime, t, opt.context_tokens) for t in texts]
        return llama_runtime.tokenize(history_prompt(llama_runtime, instruction, shown))

    targets, own, another, reference = [], [], [], []
    for u, items in enumerate(users):
        theirs, third = users[(u + 1) % len(users)], users[(u + 2) % len(users)]
        for i, it in enumerate(items):
            ctx = sx.context_items(len(items), i, opt.n_context)
            targets.append(text_tokens(llama_runtime, it.text)[:TARGET_TOKENS])
            own.append(prompt(it.instruction, [items[j].text for j in ctx]))
            another.append(prompt(it.instruction, [theirs[j].text for j in ctx]))
            reference.append(prompt(it.instruction, [third[j].text for j in ctx]))
    lp = {name: sx.history_logprobs(torch_runtime, p, targets)
          for name, p in (("own", own), ("another", another), ("reference", reference))}
    return (sx.paired_effects(lp["own"], lp["reference"]),
            sx.paired_effects(lp["another"], lp["reference"]))


def test_a_strangers_history_cancels_against_another_writers(effects):
    own, impostor = effects
    s = sx.separation(own, impostor)
    assert abs(s["mean_other"]) < 0.05, s
    assert s["mean_own"] > 0.1, s


def test_tau_passes_more_of_the_real_history_than_of_a_strangers(effects):
    own, impostor = effects
    s = sx.separation(own, impostor)
    assert s["ratio"] > 1.5, s
