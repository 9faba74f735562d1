"""Development plans with two plausible next steps for each high-potential employee.

At each review, the people managers see as high-potential sit down to map two next steps. The
conversation reveals (as candidly as safety allows) whether and which way they want to move,
and the year's development money then follows what they said rather than the manager's guess.
Learning effort is aimed at the chosen step, so effort and the organisation's view agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, highest, register
from sim.managers import career_conversation

if TYPE_CHECKING:
    from sim.model import PromotionModel


class DevelopmentPlanParams(Params):
    """Parameters of development plans."""

    high_potential_share: Annotated[
        float, Field(ge=0, le=1, description="share of employees seen as high-potential who get a plan")
    ] = 0.25
    hours_per_plan: Annotated[float, Field(ge=0, le=40, description="hours to draw up and review a plan")] = 3.0


@register
class DevelopmentPlans(Intervention):
    """Two plausible next steps, agreed with each high-potential employee."""

    name = "development_plans"
    description = "two plausible next steps per high-potential employee; development follows their answer"
    why = ("At each review the people seen as highest-potential map two next steps with their manager, so "
           "development follows what they said (as candidly as the climate allows) and their learning aims at the "
           "chosen step; development that paid off rises clearly only where aspiration is rarely voiced, since "
           "otherwise development already goes to those who spoke up. Known side effects: like career "
           "conversations, plans surface specialists' ambition, so where no specialist ladder leads up unwanted "
           "promotions rise and team performance dips; lever time is the hours of each plan.")
    Params = DevelopmentPlanParams
    phases = ("reviews",)
    waits_for = ("reviews",)

    def before_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Hold the planning conversations before the year's development money is allocated."""
        wf, sc = model.workforce, model.scenario
        rows = wf.rows
        rows = rows[wf.level[rows] < sc.n_levels - 1]
        if rows.size == 0:
            return
        potential = wf.b_ready[rows] + 0.1 * rng.random(rows.size)
        k = round(rows.size * self.params.high_potential_share)
        planned = rows[highest(potential, k)]
        candid = career_conversation(model, planned, rng)
        told = planned[candid]
        model.learning_toward_mgmt[told] = wf.wants_mgmt[told].astype(np.int8)
        self.charge(model, planned.size * self.params.hours_per_plan)
