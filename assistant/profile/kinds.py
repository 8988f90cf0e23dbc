"""The kinds of stored profile the methods (`assistant.method_registry`) need, and how
each is built.

A kind is what one build makes and the `profiles` table keeps (its `method` column);
a method names the kinds it needs in its `needs`, and registering the method
registers them (`assistant.method_registry.register`). Everything that lists or builds
profiles reads the registered kinds: the CLI's `profile --method` choices, the
window's build button, and `assistant.method_registry.build_profile`.

A build step is called as `step(profiles, name, layer=, alpha=, tau=, model_flag=,
progress=, cancel=)` with the `ProfileService` of the data folder and the kind's
name, and returns the `BuildOutcome`; a step ignores the options its kind has no use
for. The steps of the built-in kinds call the service they are passed (or the Fints
module), so this module imports no service and every service may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.methods.kinds import ProfileKind

if TYPE_CHECKING:  # pragma: no cover
    from assistant.profile.store import BuildOutcome

BuildStep = Callable[..., "BuildOutcome"]


class Kind(str):
    """One kind of stored profile: its name (the database's) with its build step and what
    the user may do with it. A `Kind` is a `str` equal to its name, as `ProfileKind`'s
    members are, so it goes wherever a profile's name goes (the store, messages, JSON)."""

    build: BuildStep
    describable: bool  # a description the user reads and edits (`profile describe`)
    tunable: bool  # a layer and strength the user may set (`profile set`)
    exportable: bool  # one llama.cpp control vector (`profile export-cvec`)

    def __new__(cls, name: str, build: BuildStep, *, describable: bool = False,
                tunable: bool = False, exportable: bool = False) -> Kind:
        kind = super().__new__(cls, str(name))
        kind.build = build
        kind.describable, kind.tunable, kind.exportable = describable, tunable, exportable
        return kind

    @property
    def name(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"


def _vector_step(profiles, name: str, **options: Any) -> BuildOutcome:
    """StyleVector and SteerX: one control vector (engine.methods.profile_build)."""
    return profiles.build_vector(name, **options)


def _dps_step(profiles, name: str, *, model_flag=None, progress=None, cancel=None,
              **_unused: Any) -> BuildOutcome:
    """DPS: the preference heads of the user's recent texts (no layer, strength or tau)."""
    return profiles.build_dps(name, model_flag=model_flag, progress=progress, cancel=cancel)


def _fints_step(profiles, _name: str, *, layer=None, alpha=None, model_flag=None,
                progress=None, cancel=None, **_unused: Any) -> BuildOutcome:
    """Fints: the bank of per-item vectors (assistant.profile.fints; no tau)."""
    from assistant.profile import fints as fints_service

    return fints_service.build(profiles, layer=layer, alpha=alpha, model_flag=model_flag,
                               progress=progress, cancel=cancel)


STYLEVECTOR = Kind(ProfileKind.STYLEVECTOR.value, _vector_step, describable=True, tunable=True,
                   exportable=True)
STEERX = Kind(ProfileKind.STEERX.value, _vector_step, describable=True, tunable=True,
              exportable=True)
DPS = Kind(ProfileKind.DPS.value, _dps_step)
FINTS = Kind(ProfileKind.FINTS.value, _fints_step, tunable=True)
# In the order the CLI has always listed them (`profile build --method`).
BUILT_IN = (STYLEVECTOR, STEERX, DPS, FINTS)
DEFAULT_KIND = STEERX  # what a plain `profile build` and the window's first build make
