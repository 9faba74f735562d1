"""Mentoring aimed at an under-represented group, to surface latent aspiration.

A share of the target group's members below the top levels get a mentor. Mentors help
mentees voice what they want (the group's suppression of visible ambition is lifted for them),
raise their visibility a little, build readiness, and speak up for aspiring mentees to their
managers (sponsorship).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register

if TYPE_CHECKING:
    from sim.model import PromotionModel
    from sim.scenario import Scenario


class MentoringParams(Params):
    """Parameters of targeted mentoring."""

    group: Annotated[str, Field(min_length=1, description="name of the group the programme targets")] = "women"
    coverage: Annotated[float, Field(ge=0, le=1, description="share of the group below the top levels mentored")] = 0.3
    sponsorship_rate: Annotated[
        float, Field(ge=0, le=1, description="monthly chance a mentor speaks up for an aspiring mentee")
    ] = 0.1
    visibility_gain: Annotated[float, Field(ge=0, le=0.5, description="visibility added to a mentee")] = 0.1
    readiness_gain_per_year: Annotated[float, Field(ge=0, le=5, description="readiness points per year")] = 0.3
    hours_per_mentee_month: Annotated[float, Field(ge=0, le=40, description="mentor + mentee hours per month")] = 3.0


@register
class Mentoring(Intervention):
    """Mentors for an under-represented group."""

    name = "mentoring"
    description = "mentors for an under-represented group surface latent aspiration and sponsor it"
    Params = MentoringParams
    phases = ("reviews", "signals", "learning")

    @classmethod
    def check(cls, scenario: Scenario, params: Params) -> None:
        """The target group must exist."""
        if params.group not in scenario.group_names:
            raise ValueError(
                f"group '{params.group}' does not exist; groups: {', '.join(scenario.group_names)}"
            )

    def setup(self, model: PromotionModel) -> None:
        """No mentees until the first review."""
        self.code = model.scenario.group_names.index(self.params.group)
        self.mentee_uid = np.full(model.workforce.capacity, -1, dtype=np.int64)

    def mentees(self, model: PromotionModel) -> np.ndarray:
        """Rows currently in the programme."""
        wf = model.workforce
        return np.flatnonzero(wf.active & (self.mentee_uid == wf.uid))

    def on_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Enrol new mentees up to the coverage (new hires and those not yet in)."""
        wf, sc = model.workforce, model.scenario
        eligible = wf.active & (wf.group == self.code) & (wf.level < sc.n_levels - sc.metrics.key_levels)
        enrolled = eligible & (self.mentee_uid == wf.uid)
        wanted = round(float(eligible.sum()) * self.params.coverage) - int(enrolled.sum())
        pool = np.flatnonzero(eligible & ~enrolled)
        if wanted > 0 and pool.size:
            new = rng.choice(pool, size=min(wanted, pool.size), replace=False)
            self.mentee_uid[new] = wf.uid[new]
            wf.visibility[new] = np.minimum(wf.visibility[new] + self.params.visibility_gain, 1.0)
            model.events.add(model.month, wf.uid[new], "mentoring", "was matched with a mentor")

    def on_signals(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Mentees voice without the group's suppression; mentors sponsor aspiring mentees."""
        wf, sc = model.workforce, model.scenario
        rows = self.mentees(model)
        if rows.size == 0:
            return
        self.charge(model, rows.size * self.params.hours_per_mentee_month)
        willing = (wf.ambition[rows] >= 0.5) & ~wf.masking[rows] & ~wf.voiced[rows]
        supp = model.group_suppression[self.code]
        p_base = sc.behaviour.voice_rate * (0.25 + 0.75 * wf.visibility[rows])
        extra = p_base * supp + self.params.sponsorship_rate
        spoke = rows[willing & (rng.random(rows.size) < extra)]
        wf.voiced[spoke] = True
        wf.last_voice[spoke] = model.month

    def on_learning(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Mentees build readiness toward the direction they want."""
        wf = model.workforce
        rows = self.mentees(model)
        gain = self.params.readiness_gain_per_year / 12.0
        mgmt = wf.wants_mgmt[rows]
        wf.mgmt_ready[rows] = np.where(mgmt, np.minimum(wf.mgmt_ready[rows] + gain, 10.0), wf.mgmt_ready[rows])
        wf.spec_ready[rows] = np.where(~mgmt, np.minimum(wf.spec_ready[rows] + gain, 10.0), wf.spec_ready[rows])
