"""A method is one object in one registry: a toy method with a profile kind of its own,
written as one module would write it (below) and added with one `register` line, shows
up in the CLI's choices, the window's method list, the profile build and the evaluation,
and leaves them all when it is unregistered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from assistant import method_registry as methods
from assistant.profile.kinds import Kind

# ---- the toy's module: its profile kind with its build step, and the method ----------

BUILT: list[tuple[Any, str, dict]] = []  # (profile service, kind, options) per build


def build_toy(profiles, name: str, **options: Any):
    """The toy kind's build step: a real `profiles` row in the data folder it is given."""
    from sqlalchemy import update

    from assistant.profile.store import BuildOutcome, profile_view
    from store.models import Profile, utcnow

    BUILT.append((profiles, name, options))
    with profiles.db.session() as s:
        s.execute(update(Profile).values(active=False))
        row = Profile(method=name, model_name="toy", model_fingerprint="toy", n_layer=2,
                      n_embd=1, layer=1, alpha=1.0, description="a toy profile",
                      description_edited=False, preference_tokens=[], n_samples=0,
                      item_hashes=[], vectors=b"\0" * 8, active=True, built_at=utcnow(),
                      meta={})
        s.add(row)
        s.flush()
        view = profile_view(row)
    return BuildOutcome(view, 0, 0, 0.0, {}, [], [])


TOY_KIND = Kind("toykind", build_toy, tunable=True)


class ToyPlugin:
    """The evaluation's plug-in (engine.eval.harness.Method): the task, unchanged."""

    name = "toy"
    uses_history = False

    def prepare(self, history):
        return None

    def generate(self, state, task: str, seed: int) -> str:
        return task


@dataclass(frozen=True)
class Toy:
    name: str = "toy"
    label: str = "Toy"
    summary: str = "a toy that personalizes nothing"
    needs: tuple[methods.Need, ...] = (TOY_KIND,)
    chat: bool = True

    def prepare(self, req: methods.Request) -> methods.Prepared:
        return methods.Prepared(self.name, list(req.messages))

    def evaluate(self, parts) -> ToyPlugin:
        return ToyPlugin()


# ---- the tests ----------------------------------------------------------------------


@pytest.fixture
def toy():
    method = methods.register(Toy())  # the one registration line
    yield method
    methods.unregister(method.name)


def _choices(parser, *argv: str) -> list[str]:
    """The `--method` choices of a subcommand, read from the argparse parser itself."""
    sub = parser
    for word in argv:
        action = next(a for a in sub._actions if a.choices and word in a.choices)
        sub = action.choices[word]
    return list(next(a for a in sub._actions if "--method" in a.option_strings).choices)


def test_a_toy_method_is_in_the_cli_choices(toy):
    from assistant.cli import build_parser

    parser = build_parser()
    assert "toy" in _choices(parser, "chat")
    for action in ("build", "show", "on", "set"):
        assert "toykind" in _choices(parser, "profile", action)
    for action in ("describe", "export-cvec"):  # the toy has no description, no one vector
        assert "toykind" not in _choices(parser, "profile", action)
    assert parser.parse_args(["chat", "--method", "toy", "hi"]).method == "toy"
    assert parser.parse_args(["profile", "build", "--method", "toykind"]).method == "toykind"


def test_a_toy_method_is_in_the_windows_list(toy, app, qtbot):
    pytest.importorskip("pytestqt")
    import ui  # noqa: F401  (the PySide6 guard, before any widget exists)
    from ui.widgets.personalization_panel import PersonalizationPanel
    from ui.workers import ProcessTaskHost

    panel = PersonalizationPanel(app, ProcessTaskHost())
    qtbot.addWidget(panel)
    panel.ensure_loaded()
    at = panel.method.findData("toy")  # the Advanced list
    assert at >= 0 and panel.method.itemText(at) == "Toy"
    assert panel.method.itemData(at, 3) == "a toy that personalizes nothing"  # its tooltip


def test_building_the_toy_kind_runs_the_toys_build_step(toy, app):
    from assistant.profile.service import ProfileService

    BUILT.clear()
    assert methods.use(app, "toy") == "there is no toykind profile yet"
    out = methods.build_profile(app, "toykind", layer=3)
    [(profiles, name, options)] = BUILT
    assert isinstance(profiles, ProfileService) and profiles.app is app
    assert name == "toykind" and options["layer"] == 3
    view = ProfileService(app).get("toykind")  # stored in the real data folder
    assert view is not None and view.active and out.profile.method == "toykind"
    assert methods.use(app, "toy") is None  # built: chat may now use it
    assert methods.chosen(app, None)[0] is toy


def test_the_evaluation_runs_the_toy(toy, llama_runtime, tmp_path):
    from assistant.evaluation.methods import make_methods, parse_methods
    from engine.runtime.generation import SamplingSettings

    assert parse_methods("none,toy") == ["none", "toy"]
    plugins, builds = make_methods(["none", "toy"], llama_runtime,
                                   SamplingSettings(max_tokens=4), tmp_path)
    try:
        assert [p.name for p in plugins] == ["none", "toy"]
        assert isinstance(plugins[1], ToyPlugin)
        assert builds is not None  # the toy steers with a profile: per-row builds are made
    finally:
        builds.close()


def test_unregistering_takes_the_toy_off_every_surface():
    from assistant.cli import build_parser
    from assistant.evaluation.methods import parse_methods

    methods.register(Toy())
    methods.unregister("toy")
    assert "toy" not in methods.NAMES and "toy" not in methods.REGISTRY
    assert "toykind" not in [k.name for k in methods.kinds()]
    parser = build_parser()
    assert "toy" not in _choices(parser, "chat")
    assert "toykind" not in _choices(parser, "profile", "build")
    with pytest.raises(methods.UserError, match="Unknown method"):
        parse_methods("toy")
    with pytest.raises(methods.UserError, match="Unknown method 'toykind'"):
        methods.kind("toykind")


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        methods.register(methods.get("rag"))
    other = Kind("steerx", build_toy)  # another kind under a built-in kind's name
    with pytest.raises(ValueError, match="another profile kind"):
        methods.register(Toy(name="toy2", needs=(other,)))
    assert "toy2" not in methods.REGISTRY
