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

    def adjust_scenario(self, scenario: Scenario) -> Scenario:
        """Turn a share of management positions into specialist ones, from the first management level up."""
        start = first_management_level(scenario)
        data = scenario.model_dump(mode="json")
        for level in data["organisation"]["levels"][start:]:
            mgmt = level["positions"].get("management", 0)
            if mgmt == 0:  # a specialist-only level above the first management one has nothing to move
                continue
            moved = round(mgmt * self.params.specialist_share)
            if mgmt - moved < 1:
                moved = mgmt - 1
            level["positions"]["management"] = mgmt - moved
            level["positions"]["specialist"] = level["positions"].get("specialist", 0) + moved
        return load_scenario(data)

    def on_clock(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Charge the running cost of the second ladder."""
        self.charge(model, np.count_nonzero(model.workforce.active) * self.params.hours_per_employee_year / 12.0)
