"""The window's one line after a cloud reply, from a turn's CoSteer numbers."""

from __future__ import annotations

from assistant.cloud.summary_line import cloud_line
from engine.methods.costeer import CoSteerStats


def test_the_line_says_who_wrote_how_much_was_steered_and_that_nothing_was_sent():
    st = CoSteerStats(tokens=120, steered_tokens=37, agreed_tokens=83)
    assert cloud_line("gpt-x", st) == ("Written by gpt-x, steered toward your voice on 37 of "
                                       "120 tokens; nothing of your history was sent.")


def test_a_fallback_and_a_plain_endpoint_are_said_as_they_happened():
    st = CoSteerStats(tokens=50, steered_tokens=4)
    fb = cloud_line("m", st, fell_back=True, local_tokens=20)
    assert fb.startswith("Written by m, steered toward your voice on 4 of 30 tokens, then "
                         "finished by the local model (20 tokens);")
    plain = cloud_line("m", CoSteerStats(tokens=9), plain=True)
    assert "without steering" in plain and "steered toward" not in plain
