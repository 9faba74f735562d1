"""Parallel ladders: a specialist track with levels of the same standing as management.

From the first management level up, a share of each level's management positions becomes
specialist positions of equal standing (so the organisation keeps its size: the manager
pipeline thins, a side effect the model keeps). With a real alternative, fewer people accept a
management role they do not want just to move up: an offer off someone's path at a level where
their own track has roles too is accepted with ``promotion.accept_other_track`` (0.15), not
``accept_wrong_track`` (0.4; ODD 7.8.4). That follows from the positions, so an organisation that
already has both ladders gets it without the lever.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register
from sim.scenario import load_scenario

if TYPE_CHECKING:
    from sim.model import PromotionModel
    from sim.scenario import Scenario


class ParallelLadderParams(Params):
    """Parameters of parallel ladders."""

    specialist_share: Annotated[
        float, Field(gt=0, lt=1, description="share of each management level's positions that become specialist")
    ] = 0.35
    hours_per_employee_year: Annotated[
        float, Field(ge=0, le=100, description="hours per employee per year to run the second ladder")
    ] = 0.5


def first_management_level(scenario: Scenario) -> int | None:
    """The lowest level with management positions, or None."""
    return next(
        (i for i, lv in enumerate(scenario.organisation.levels) if lv.positions.get("management", 0) > 0), None
    )


def converted(management: int, share: float) -> int:
    """How many of a level's ``management`` positions become specialist ones: the share, rounded, leaving one."""
    return min(round(management * share), management - 1)


def largest_share(management: Mapping[int, int], held: Mapping[int, int]) -> float | None:
    """The largest ``specialist_share``, in as few decimals as will do, that leaves each level ``held[level]`` posts.

    Args:
        management: Each converted level's management positions before the conversion, by level index.
        held: The management positions each level must keep (the people already in them), by level index.

    Returns:
        The share in hundredths, or thousandths or ten-thousandths where no hundredth fits
        (a level whose every position is held keeps them all only below ``0.5 / positions``);
        None where no share does, since a level holds more people than it had positions.
    """
    if any(held.get(level, 0) > positions for level, positions in management.items()):
        return None

    def fits(share: float) -> bool:
        return all(positions - converted(positions, share) >= held.get(level, 0)
                   for level, positions in management.items())

    # round() converts at most `positions - held` posts up to a share of (positions - held + 0.5) / positions: the
    # largest that fits is at or just below that. A level that needs one post or none keeps it at any share.
    bound = min(((positions - held.get(level, 0) + 0.5) / positions for level, positions in management.items()
                 if held.get(level, 0) > 1), default=1)
    for decimals in (2, 3, 4):
        # Below 1, which the parameter needs; the bound itself can fit (round() takes halves to even), and a
        # hair over it keeps 0.29 from coming out as 0.28999...: the check below steps down from there.
        steps = min(math.floor(bound * 10**decimals + 1e-6), 10**decimals - 1)
        while steps > 0 and not fits(steps / 10**decimals):
            steps -= 1
        if steps > 0:
            return steps / 10**decimals
    return None


@register
class ParallelLadders(Intervention):
    """Add a specialist ladder beside the management ladder."""

    name = "parallel_ladders"
    description = "specialist levels of equal standing beside management, so ambition is not forced upward"
    why = ("A share of each management level's posts becomes specialist posts of equal standing, so fewer people take "
           "a management role they do not want just to move up (an offer off their track is accepted less often "
           "where their own track has roles) and fewer are plateaued. Known side effects: the management track thins "
           "by construction; the new specialist openings, filled like every other, leave more people passed over, "
           "so high performers leaving rises and specialists staying does not clearly improve (it does where "
           "plateaus drive exits); promotions fit better and team performance rises slightly; in an organisation "
           "that already has both ladders, unwanted promotions can rise instead; lever time is a fixed number of "
           "hours per person a year.")
    Params = ParallelLadderParams
    retired: ClassVar[dict[str, str]] = {
        "accept_wrong_track": "no longer a parameter of the lever: where a level has roles on both tracks, an offer "
                              "off someone's path is accepted with promotion.accept_other_track (0.15), in any "
                              "organisation; set that instead",
    }
    phases = ("clock",)

    @classmethod
    def check(cls, scenario: Scenario, params: Params) -> None:
        """A second ladder needs a management ladder to sit beside."""
        if first_management_level(scenario) is None:
            raise ValueError("needs a management track, but no level has management positions")

    def __init__(self, params: Params):
        super().__init__(params)
        self.management: dict[int, int] = {}  # each converted level's management positions before the conversion

    def adjust_scenario(self, scenario: Scenario) -> Scenario:
        """Turn a share of management positions into specialist ones, from the first management level up."""
        start = first_management_level(scenario)
        data = scenario.model_dump(mode="json")
        for i, level in enumerate(data["organisation"]["levels"][start:], start or 0):
            mgmt = level["positions"].get("management", 0)
            if mgmt == 0:  # a specialist-only level above the first management one has nothing to move
                continue
            self.management[i] = mgmt
            moved = converted(mgmt, self.params.specialist_share)
            level["positions"]["management"] = mgmt - moved
            level["positions"]["specialist"] = level["positions"].get("specialist", 0) + moved
        return load_scenario(data)

    def room_for(self, held: Mapping[tuple[int, str], int]) -> str:
        """The largest ``specialist_share`` whose conversion leaves the management posts ``held`` needs, in words."""
        managers = {level: n for (level, track), n in held.items() if track == "management"}
        share = largest_share(self.management, managers)
        if share is None or share >= self.params.specialist_share:
            return ""
        return (f"interventions.{self.name}.specialist_share of {share:g} or less fits (this one was "
                f"{self.params.specialist_share:g})")

    def on_clock(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Charge the running cost of the second ladder."""
        self.charge(model, np.count_nonzero(model.workforce.active) * self.params.hours_per_employee_year / 12.0)
