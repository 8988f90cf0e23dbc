"""Each statistic of the evaluation against a case worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.eval.attribution import attribute, burrows_delta_similarity, style_features
from engine.eval.stats import (
    bootstrap_mean,
    cut_to_words,
    derangement,
    paired_difference,
)


def test_bootstrap_on_a_fixed_seed_matches_a_hand_resampling():
    """The interval is the 2.5th and 97.5th percentile of resampled means, seed fixed."""
    x = [0.1, 0.4, 0.2, 0.9, 0.5]
    iv = bootstrap_mean(x, samples=1000, seed=7)
    rng = np.random.default_rng(7)
    means = np.asarray(x)[rng.integers(0, 5, size=(1000, 5))].mean(axis=1)
    assert iv.mean == pytest.approx(0.42)
    assert iv.low == pytest.approx(np.percentile(means, 2.5))
    assert iv.high == pytest.approx(np.percentile(means, 97.5))
    assert iv.low < 0.42 < iv.high
    assert bootstrap_mean(x, samples=1000, seed=7) == iv  # reproducible to the last digit


def test_a_constant_difference_has_a_zero_width_interval():
    iv = paired_difference([0.5, 0.6, 0.7], [0.4, 0.5, 0.6])
    assert (iv.mean, iv.low, iv.high) == pytest.approx((0.1, 0.1, 0.1))
    assert iv.excludes_zero() and iv.half_width == pytest.approx(0.0)


def test_pairing_removes_row_difficulty():
    """Rows differ a lot, the method's gain per row is small and steady: paired sees it."""
    base = [0.1, 0.5, 0.9, 0.2, 0.7, 0.3]
    better = [b + 0.02 for b in base]
    assert paired_difference(better, base).excludes_zero()
    assert not bootstrap_mean(better).low > bootstrap_mean(base).high  # unpaired overlap


def test_a_noisy_difference_includes_zero():
    iv = paired_difference([0.5, 0.1, 0.6, 0.2], [0.1, 0.5, 0.2, 0.6])
    assert iv.mean == pytest.approx(0.0) and not iv.excludes_zero()


@given(st.integers(min_value=2, max_value=200), st.integers(min_value=0, max_value=10**6))
def test_derangement_is_a_permutation_with_no_fixed_point(n, seed):
    d = derangement(n, seed)
    assert sorted(d) == list(range(n))
    assert all(d[i] != i for i in range(n))
    assert derangement(n, seed) == d


def test_derangement_of_two_swaps_and_one_row_is_refused():
    assert derangement(2) == [1, 0]
    with pytest.raises(ValueError):
        derangement(1)


def test_length_cut():
    assert cut_to_words("one two  three\nfour five", 3) == "one two three"
    assert cut_to_words("short reply", 10) == "short reply"
    assert cut_to_words("", 5) == ""


TOY = {  # three authors whose habits differ: terse and comma-free; long with semicolons; loud
    "terse": ["The cat sat. The dog ran. It was cold. We left.",
              "The sun set. The bus came. It was late. We sat."],
    "semicolon": ["Although the results, which we report here, are preliminary; they suggest "
                  "that the method, in its present form, generalises; further work is needed.",
                  "While the data, collected over two years, are noisy; the trend, however "
                  "measured, holds; we therefore conclude, with caution, that it is real."],
    "loud": ["Wow! Is this real? Yes! Can it be? Absolutely! Why not?",
             "Amazing! Did you see? No way! Really? Yes! How?"],
}


def test_attribution_on_three_toy_authors():
    names = list(TOY)
    refs = [TOY[n][0] for n in names]
    outs = [TOY[n][1] for n in names]  # new texts by the same three authors
    a = attribute(burrows_delta_similarity(outs, refs))
    assert a.ranks == (1, 1, 1) and a.accuracy == 1.0 and a.mrr == 1.0
    assert a.chance_accuracy == pytest.approx(1 / 3)
    assert a.chance_mrr == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    # Shuffled truth: every output ranked against the wrong author does worse.
    wrong = attribute(burrows_delta_similarity(outs, refs), truth=[1, 2, 0])
    assert wrong.accuracy == 0.0


def test_attribution_ranks_by_hand():
    sim = np.array([[0.9, 0.1, 0.2],   # own first: rank 1
                    [0.8, 0.5, 0.1],   # own second: rank 2
                    [0.3, 0.3, 0.3]])  # all tied: ties count against, rank 3
    a = attribute(sim)
    assert a.ranks == (1, 2, 3)
    assert a.accuracy == pytest.approx(1 / 3)
    assert a.mrr == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)


def test_style_features_count_what_they_say():
    f = style_features("The cat, the dog; the end.")
    from engine.eval.attribution import FUNCTION_WORDS, PUNCTUATION

    n_fw = len(FUNCTION_WORDS)
    assert f[FUNCTION_WORDS.index("the")] == pytest.approx(3 / 6)
    assert f[n_fw] == pytest.approx(6.0)  # one sentence of six words
    assert f[n_fw + 2 + PUNCTUATION.index(",")] == pytest.approx(1 / 6)
