"""Interventions: the levers teams compare, one plug-in module per lever.

Each lever is a subclass of :class:`Intervention` in its own module in this package, registered
with :func:`register`. It declares its parameters (a pydantic model with defaults and units),
the phases of the step it acts in, and its cost. The model calls ``setup`` once, then, in each
phase the lever names, its ``before_<phase>`` method (if any) before the core work and its
``on_<phase>`` method (if any) after it. Adding a lever
touches its module, its scenario file, its tests and its docs, nothing else.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import pkgutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from sim.errors import InputError
from sim.scenario import error_line

if TYPE_CHECKING:
    from sim.model import PromotionModel
    from sim.scenario import Scenario

PHASES: tuple[str, ...] = (
    "clock",
    "signals",
    "beliefs",
    "reviews",
    "learning",
    "promotions",
    "outcomes",
    "exits",
    "hiring",
    "measure",
)

# The phases that run on a schedule rather than every month (``managers.review_every_months``,
# ``policy.cycle_months``): what a lever can wait for (``Intervention.waits_for``).
SCHEDULED: tuple[str, ...] = ("reviews", "promotions")


class Params(BaseModel):
    """Base for a lever's parameters: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Intervention:
    """A lever. Subclasses set the class attributes and override the hooks they need.

    Attributes:
        name: The key used in scenario files.
        description: One line for ``promosim interventions``: what the lever is.
        why: How it moves the metrics it moves, and its known side effects (lever time included), in a
            sentence or two true to its module and to docs/interventions.md's measurements. Shown by
            ``promosim interventions`` and in report.md under each arm whose levers differ from its
            reference's, where a reader saw what a lever changed but not why.
        Params: The parameter model (defaults, ranges; units in field descriptions).
        phases: The step phases this lever acts in, through its ``before_<phase>`` hook, its
            ``on_<phase>`` hook or both (docs/ODD.md 3.2).
        waits_for: The scheduled phases (``reviews``, ``promotions``) before the first of which the
            lever changes nothing in a run without a warm-up; empty when it may act from month 1.
        retired: Parameters the lever no longer has, each with the message that says what to write instead.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    why: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params
    # A scenario file written for an older version is refused with the way forward, not with
    # "unknown parameter" alone.
    retired: ClassVar[dict[str, str]] = {}
    phases: ClassVar[tuple[str, ...]] = ()
    # The app's side-by-side header says, for an organisation without a warm-up, which levers make
    # no difference until the managers' first review. A lever's hooks alone do not tell: stretch
    # pilots' readiness floor (set in ``setup``) acts at every promotion round, so with rounds every
    # six months (the Sam and Priya story) it acts before the review in month 12.
    waits_for: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Params):
        self.params = params

    @classmethod
    def check(cls, scenario: Scenario, params: Params) -> None:
        """Raise ValueError when the scenario cannot host this lever (e.g. a missing track)."""

    @classmethod
    def describe(cls, params: Params) -> str:
        """The one-line description for a report, with what these parameters choose (``description`` here)."""
        return cls.description

    def adjust_scenario(self, scenario: Scenario) -> Scenario:
        """Change the organisation before it is built (e.g. add a specialist ladder)."""
        return scenario

    def room_for(self, held: Mapping[tuple[int, str], int]) -> str:
        """The setting of this lever, in words, whose positions hold ``held`` people per (level, track); "" if none.

        For a lever whose :meth:`adjust_scenario` converted positions that a headcount file's
        people then did not fit: the error said "convert a smaller share" without saying which
        share fits (an org-design trial). "" for a lever that changes no positions, and where no
        setting of it would leave room.
        """
        return ""

    def setup(self, model: PromotionModel) -> None:
        """Set the model's knobs once, after the organisation is built."""

    def hook(self, phase: str, model: PromotionModel, rng: np.random.Generator) -> None:
        """Run this lever's work for ``phase``."""
        getattr(self, f"on_{phase}")(model, rng)

    def charge(self, model: PromotionModel, hours: float) -> None:
        """Book the lever's cost (people's time, in hours) into intervention_cost."""
        model.flow["intervention_hours"] += hours
        model.flow[f"hours.{self.name}"] += hours


def highest(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, highest first, ties in position order.

    The same positions as ``np.argsort(-scores, kind="stable")[:k]``, which levers use to pick
    who gets a scarce place, without sorting everyone: the ``k``-th value is found by a linear
    partition and only the scores at or above it are sorted (a pilot round picks about 4 % of
    the workforce, so the full stable sort was most of its time). That sort is numpy's default
    one, several times faster than the stable one; without equal scores (they carry a random
    term) there is only one order, so the stable sort is needed only when two are equal.

    Args:
        scores: One score per candidate.
        k: How many to pick (all of them if ``k`` is at least ``scores.size``).
    """
    neg = -scores
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k < neg.size:
        kth = np.partition(neg, k - 1)[k - 1]
        if not np.isnan(kth):  # NaNs sort last; with fewer than k numbers the full sort below decides
            near = np.flatnonzero(neg <= kth)
            values = neg[near]
            order = np.argsort(values)
            ranked = values[order]
            if np.any(ranked[1:] == ranked[:-1]):
                order = np.argsort(values, kind="stable")
            return near[order[:k]]
    return np.argsort(neg, kind="stable")[:k]


REGISTRY: dict[str, type[Intervention]] = {}


def register(cls: type[Intervention]) -> type[Intervention]:
    """Class decorator: make a lever available to scenario files by its ``name``."""
    unknown = [p for p in cls.phases if p not in PHASES] + [p for p in cls.waits_for if p not in SCHEDULED]
    if unknown or not cls.name:
        raise TypeError(f"{cls.__name__}: bad name or phases {unknown}")
    REGISTRY[cls.name] = cls
    return cls


def load_all() -> dict[str, type[Intervention]]:
    """Import every lever module in this package so that each registers itself."""
    _import_levers()
    return REGISTRY


@functools.cache
def _import_levers() -> None:
    """``load_all``'s imports, once a process.

    Listing the package's folder each time cost about a fifth of building a 1,000-person model
    (validating a scenario and building its levers each ask for the levers, and an experiment's
    run validates its scenario twice). An import that fails is not cached, so it is tried again.
    """
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def _params_for(name: str, raw: dict[str, Any] | None, source: str) -> Params:
    cls = REGISTRY[name]
    for key in raw or {}:
        if key in cls.retired:
            raise InputError(cls.retired[key], source=source, path=f"interventions.{name}.{key}")
    try:
        return cls.Params.model_validate(raw or {})
    except ValidationError as exc:
        raise error_line(exc.errors(include_url=False)[0], source, lambda _loc: cls.Params,
                         prefix=f"interventions.{name}", noun="parameter") from None


def unknown_lever(name: str) -> str:
    """The message for a lever name no lever has: the likely intended one, then every lever.

    Also used by the scenario's own validation, which meets an unknown name first when its
    value is not a block of settings (a lever's parameter indented too little).
    """
    load_all()
    close = difflib.get_close_matches(name, list(REGISTRY), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown intervention '{name}'{hint}; known: {', '.join(sorted(REGISTRY)) or 'none'}"


def validate_interventions(scenario: Scenario, source: str) -> None:
    """Check lever names, parameters and requirements; one-line errors like the rest.

    Each lever's block is then spelled out with its defaults, as the rest of a resolved
    scenario is: a results folder's ``scenarios/*.yaml`` showed ``mentoring: {}``, so nobody
    could see what coverage had run, and ``{}`` and ``{coverage: 0.3}`` (the default) ran as two
    arms with identical numbers (an org-design trial).
    """
    load_all()
    for name, raw in list(scenario.interventions.items()):
        if name not in REGISTRY:
            raise InputError(unknown_lever(name), source=source, path=f"interventions.{name}")
        if raw is not None and not isinstance(raw, dict):
            raise InputError(
                "parameters must be a mapping (or empty)", source=source, path=f"interventions.{name}"
            )
        params = _params_for(name, raw, source)
        try:
            REGISTRY[name].check(scenario, params)
        except ValueError as exc:
            raise InputError(str(exc), source=source, path=f"interventions.{name}") from None
        scenario.interventions[name] = params.model_dump(mode="json")


def build(scenario: Scenario) -> list[Intervention]:
    """Instantiate the scenario's levers, in registry order so runs are reproducible."""
    load_all()
    out = []
    for name, cls in REGISTRY.items():
        if name in scenario.interventions:
            out.append(cls(_params_for(name, scenario.interventions[name], scenario.name)))
    return out
