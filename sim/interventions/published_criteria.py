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

from sim.compiled import jit
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
    why = ("Readiness is judged mostly on evidence against the published requirements rather than on visibility, "
           "openings are filled on that assessed readiness, and learning aimed at the criteria grows readiness "
           "faster, so fewer promotions are wrong-fit, more stick and team performance rises. Known side effects: "
           "visible people can game part of the evidence (gaming; small at the default); the misread rate rises "
           "slightly, for a reason not yet traced; lever time is a fixed number of hours per person a year, to "
           "write, explain and assess the criteria.")
    Params = PublishedCriteriaParams
    phases = ("clock", "beliefs", "learning")

    def setup(self, model: PromotionModel) -> None:
        """Readiness is judged on the criteria, and openings are filled on it."""
        model.criteria_weight = self.params.evidence_weight
        model.rank_by_readiness = True

    def on_clock(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Charge the month's share of the yearly cost."""
        self.charge(model, np.count_nonzero(model.workforce.active) * self.params.hours_per_employee_year / 12.0)

    def on_beliefs(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Gaming: visible people inflate the evidence a little."""
        wf = model.workforce
        gaming = self.params.gaming * model.scenario.managers.readiness_learning
        _gamed_rows(wf.active, wf.visibility, wf.b_ready, gaming)

    def on_learning(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Learning aimed at published requirements goes further."""
        wf = model.workforce
        rate = self.params.learning_bonus * model.scenario.behaviour.learning_rate
        _aimed_rows(wf.active, wf.wants_mgmt, wf.engagement, wf.mgmt_ready, wf.spec_ready, rate)


# Both monthly updates run over every row, so each is one compiled pass that reads each column
# once, branch-free like ``sim.behaviour._learn_rows``: an empty row's change is multiplied by 0.
@jit
def _gamed_rows(active, visibility, b_ready, gaming) -> None:
    """``on_beliefs`` for every row: the evidence drifts toward visibility (0-1 scaled to 0-10)."""
    for i in range(active.size):
        b_ready[i] += gaming * (10.0 * visibility[i] - b_ready[i]) * active[i]


@jit
def _aimed_rows(active, wants_mgmt, engagement, mgmt_ready, spec_ready, rate) -> None:
    """``on_learning`` for every row: extra readiness on the wanted track, up to 10."""
    for i in range(active.size):
        bonus = rate * engagement[i]
        mgmt_ready[i] = min(mgmt_ready[i] + bonus * (active[i] & wants_mgmt[i]), 10.0)
        spec_ready[i] = min(spec_ready[i] + bonus * (active[i] & (not wants_mgmt[i])), 10.0)
