"""A succession dashboard that keeps willingness and readiness apart.

Once a year, everyone one level below a key role records two separate things: whether they
want a move (and which way and when), asked as candidly as safety allows, and an assessment of
readiness for the next role. The record belongs to the organisation, so it survives a change
of manager, and a past decline shows as "not now", not as a permanent refusal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register
from sim.managers import career_conversation

if TYPE_CHECKING:
    from sim.model import PromotionModel


class SuccessionDashboardParams(Params):
    """Parameters of the succession dashboard."""

    assessment_noise: Annotated[
        float, Field(ge=0, le=5, description="sd of the readiness assessment, points on the 0-10 scale")
    ] = 0.7
    hours_per_person: Annotated[
        float, Field(ge=0, le=40, description="hours per assessed person per year (check-in and assessment)")
    ] = 3.0


@register
class SuccessionDashboard(Intervention):
    """Record willingness and readiness separately for the succession pools."""

    name = "succession_dashboard"
    description = "records willingness and readiness separately for succession pools; survives manager changes"
    why = ("Once a year everyone in the levels that feed the key roles records, apart, whether they want a move (as "
           "candidly as the climate allows) and an assessed readiness, and the record survives a change of "
           "manager, so more key roles have a successor who is really ready and willing, and misreads fall. Known "
           "side effects: development that paid off falls a little, as the check-in reveals people whom that "
           "month's promotion round weighs without development; lever time is the hours of each assessed person, "
           "in the feeder levels only.")
    Params = SuccessionDashboardParams
    phases = ("reviews",)
    # The dashboard is filled at reviews; beliefs are kept when a promotion round changes managers.
    waits_for = ("reviews", "promotions")

    def setup(self, model: PromotionModel) -> None:
        """Beliefs are organisational records, kept across manager changes."""
        model.keep_beliefs_on_manager_change = True

    def before_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Update the dashboard for the levels that feed key roles, before the year's development is handed out.

        A talent review's assessment is what development decisions are made on. Held after the
        allocation (until session 12), its conversations revealed people who then competed in
        that month's round without development, as career conversations did (docs/interventions.md).
        """
        wf, sc = model.workforce, model.scenario
        feeder = sc.n_levels - sc.metrics.key_levels - 1
        rows = np.flatnonzero(wf.active & (wf.level >= max(feeder, 0)) & (wf.level < sc.n_levels - 1))
        career_conversation(model, rows, rng)
        wf.b_refused[rows] = False
        track = model.org.next_rung_is_management(wf.level[rows], wf.b_mgmt[rows] >= 0.5).astype(np.int8)
        wf.b_ready[rows] = wf.readiness_for(track, rows) + rng.normal(0.0, self.params.assessment_noise, rows.size)
        self.charge(model, rows.size * self.params.hours_per_person)
