"""Psychological safety: failed experiments are not penalised.

Managers are trained to reward risk-taking and normalise failure, so the chance that a failed
risk draws a micro-penalty falls. Fear (risk sensitivity times 0.5 + the climate) falls at once, and
over time forgiven failures lower people's risk sensitivity too: risk-averse people start to
speak up, apply and accept stretch work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register
from sim.scenario import MANAGEMENT

if TYPE_CHECKING:
    from sim.model import PromotionModel


class PsychologicalSafetyParams(Params):
    """Parameters of psychological safety."""

    penalty_reduction: Annotated[
        float, Field(ge=0, le=1, description="fraction by which the chance of penalising a failed risk falls")
    ] = 0.8
    hours_per_manager_year: Annotated[
        float, Field(ge=0, le=200, description="training and practice hours per manager per year")
    ] = 16.0


@register
class PsychologicalSafety(Intervention):
    """Stop punishing failed risks."""

    name = "psychological_safety"
    description = "failed experiments are not penalised, so risk-averse people speak up, apply and stretch"
    why = ("Failed risks are penalised far less often, so fear falls at once and, as failures are forgiven, "
           "people's risk sensitivity falls too: fewer mask their ambition, more speak up, apply for openings and "
           "accept stretch work, and misreads fall. Known side effects: more applicants means more people passed "
           "over, so attrition rises slightly; team performance dips slightly, for a reason not yet traced, and so "
           "does the share of development that leads to a wanted promotion, while slightly more people are "
           "plateaued; lever time is the training hours of everyone on the management track.")
    Params = PsychologicalSafetyParams
    phases = ("clock",)

    def setup(self, model: PromotionModel) -> None:
        """Lower the climate's penalty rate."""
        model.climate = model.scenario.managers.micro_penalty_rate * (1.0 - self.params.penalty_reduction)

    def on_clock(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Charge managers' training time."""
        wf = model.workforce
        managers = np.count_nonzero(wf.active & (wf.track == MANAGEMENT))
        self.charge(model, managers * self.params.hours_per_manager_year / 12.0)
