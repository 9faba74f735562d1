"""Published promotion criteria.

Requirements are public, so readiness is judged on observable competence against them rather
than on visibility: managers' readiness evidence becomes mostly true readiness plus assessment
noise, and openings are ranked by assessed readiness. People can aim their learning at the
criteria (faster readiness growth). Side effect: criteria can be gamed, and the most visible
people game them best, so part of the evidence is still visibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register

if TYPE_CHECKING:
    from sim.model import PromotionModel


class PublishedCriteriaParams(Params):
    """Parameters of published criteria."""

    evidence_weight: Annotated[
        float, Field(ge=0, le=1, description="weight of criteria-based evidence in readiness judgements")
    ] = 0.7
    gaming: Annotated[
        float, Field(ge=0, le=1, description="share of the evidence that visible people can game")
    ] = 0.1
    learning_bonus: Annotated[
        float, Field(ge=0, le=2, description="extra readiness growth from aiming learning at the criteria (fraction)")
    ] = 0.25
    hours_per_employee_year: Annotated[
        float, Field(ge=0, le=100, description="hours per employee per year to write, explain and assess")
    ] = 2.0


@register
class PublishedCriteria(Intervention):
    """Publish the competencies each level requires, with examples."""

    name = "published_criteria"
    description = "public promotion competencies: readiness judged on evidence, learning aimed at it"
    Params = PublishedCriteriaParams
    phases = ("clock", "beliefs", "learning")

    def setup(self, model: PromotionModel) -> None:
        """Readiness is judged on the criteria, and openings are filled on it."""
        model.criteria_weight = self.params.evidence_weight
        model.rank_by_readiness = True

    def on_clock(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Charge the month's share of the yearly cost."""
        self.charge(model, model.workforce.active.sum() * self.params.hours_per_employee_year / 12.0)

    def on_beliefs(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Gaming: visible people inflate the evidence a little."""
        wf = model.workforce
        g = self.params.gaming * model.scenario.managers.readiness_learning
        wf.b_ready += g * (10.0 * wf.visibility - wf.b_ready) * wf.active

    def on_learning(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Learning aimed at published requirements goes further."""
        wf = model.workforce
        bonus = self.params.learning_bonus * model.scenario.behaviour.learning_rate * wf.engagement
        wf.mgmt_ready += bonus * (wf.active & wf.wants_mgmt)
        wf.spec_ready += bonus * (wf.active & ~wf.wants_mgmt)
        np.minimum(wf.mgmt_ready, 10.0, out=wf.mgmt_ready)
        np.minimum(wf.spec_ready, 10.0, out=wf.spec_ready)
