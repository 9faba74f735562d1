"""Pilot stretch roles: time-bounded assignments that test interest and capability first.

At each review, a limited number of people who look like candidates for the next level get a
pilot of the next role for a few months. The pilot is low-stakes, so acceptance needs less
courage than a promotion. While it runs it takes time from the day job (lower performance now)
and builds readiness; when it ends, the manager has seen the person in the role: readiness is
judged on what was seen, and whether they enjoyed it tells their real interest. Nobody whose
observed readiness falls short of 90% of the fit threshold is put forward for a permanent move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, highest, register
from sim.managers import fear
from sim.workforce import NEVER

if TYPE_CHECKING:
    from sim.model import PromotionModel


class StretchPilotParams(Params):
    """Parameters of pilot stretch roles."""

    pilots_per_100: Annotated[
        float, Field(ge=0, le=50, description="pilot places per 100 employees per year")
    ] = 4.0
    months: Annotated[int, Field(ge=1, le=24, description="length of a pilot, months")] = 6
    time_share: Annotated[
        float, Field(ge=0, le=1, description="share of the pilot's time taken from the day job")
    ] = 0.3
    readiness_gain: Annotated[
        float, Field(ge=0, le=5, description="readiness points gained by completing a pilot")
    ] = 0.7
    hours_per_month: Annotated[
        float, Field(ge=0, le=200, description="hours of supervision and backfill per pilot-month")
    ] = 12.0


@register
class StretchPilots(Intervention):
    """Try the next role for a few months before deciding."""

    name = "stretch_pilots"
    description = "time-bounded pilots of the next role that reveal interest and capability before a move"
    why = ("A few people who look like next-level candidates try the next role for some months; the manager then "
           "judges their readiness and interest on what was seen, and nobody assessed below 90% of the fit threshold "
           "is put forward, so fewer promotions are wrong-fit, slightly more stick and misreads fall. Known side "
           "effects: a running pilot takes time from the day job (better fits offset it in team performance); "
           "pilots count among the stretch assignments offered and accepted; unwanted promotions and attrition rise "
           "a little, for reasons not yet traced; lever time is the supervision and backfill hours of each running "
           "pilot-month.")
    Params = StretchPilotParams
    phases = ("reviews", "outcomes")
    waits_for = ("reviews", "promotions")  # pilots start at reviews; the readiness floor acts at rounds

    def setup(self, model: PromotionModel) -> None:
        """Openings go only to people whose observed readiness (``b_ready``) is at least 90% of the fit threshold."""
        model.readiness_floor = model.scenario.promotion.fit_threshold * 0.9
        self.until = np.full(model.workforce.capacity, NEVER, dtype=np.int64)
        self.holder = np.full(model.workforce.capacity, -1, dtype=np.int64)
        # The rows whose ``until`` is set (ascending): pilots running, or done by people still in
        # their row. The monthly check can find nothing elsewhere, so it reads only these.
        self.pilot_rows = np.empty(0, dtype=np.int64)

    def on_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Offer the year's pilot places to the people who look most like next-level candidates."""
        wf, sc = model.workforce, model.scenario
        rows = wf.rows
        places = round(float(rows.size) * self.params.pilots_per_100 / 100.0)
        # A row whose pilot belongs to someone who has left (``holder`` is their uid) is free: the
        # monthly check forgets it only at the outcomes phase, after this month's review.
        free = (self.until[rows] < model.month) | (self.holder[rows] != wf.uid[rows])
        rows = rows[(wf.level[rows] < sc.n_levels - 1) & free]
        if places <= 0 or rows.size == 0:
            return
        keen = wf.b_interest[rows] + 0.2 * wf.visibility[rows] + 0.1 * rng.random(rows.size)
        offered = rows[highest(keen, places)]
        courage = wf.ambition[offered] * (1.0 - 0.5 * fear(model, offered))
        took = rng.random(offered.size) < np.clip(0.3 + courage, 0.0, 1.0)
        accepted = offered[took]
        wf.b_interest[offered[~took]] *= 0.8
        self.until[accepted] = model.month + self.params.months
        self.holder[accepted] = wf.uid[accepted]
        self.pilot_rows = np.union1d(self.pilot_rows, accepted)
        wf.load[accepted] = self.params.time_share
        model.flow["stretch_offers"] += offered.size
        model.flow["stretch_accepts"] += accepted.size
        model.events.add(model.month, wf.uid[accepted], "pilot_start", "started a pilot of the next role")

    def on_outcomes(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Pilots that end reveal readiness and interest; each running pilot costs hours."""
        wf = model.workforce
        held = self.pilot_rows
        mine = self.holder[held] == wf.uid[held]
        self.until[held[~mine]] = NEVER  # the row now holds someone else (or nobody): their pilot is gone
        held = self.pilot_rows = held[mine]
        live = held[wf.active[held]]
        until = self.until[live]
        # A pilot started this month (reviews run first) and ending at month + months runs that many
        # months: charged in its first month, not again in the month it ends.
        self.charge(model, np.count_nonzero(until > model.month) * self.params.hours_per_month)
        done = live[until == model.month]
        if done.size == 0:
            return
        wf.load[done] = 0.0
        toward_mgmt = model.org.next_rung_is_management(wf.level[done], wf.b_mgmt[done] >= 0.5)
        gain = self.params.readiness_gain
        wf.mgmt_ready[done] = np.where(toward_mgmt, np.minimum(wf.mgmt_ready[done] + gain, 10.0), wf.mgmt_ready[done])
        wf.spec_ready[done] = np.where(~toward_mgmt, np.minimum(wf.spec_ready[done] + gain, 10.0), wf.spec_ready[done])
        seen = np.where(toward_mgmt, wf.mgmt_ready[done], wf.spec_ready[done])
        wf.b_ready[done] = seen + rng.normal(0.0, 0.5, done.size)
        top = model.scenario.n_levels - 1
        next_level = np.minimum(wf.level[done] + 1, top)
        on_path = model.org.wanted_move(next_level, wf.wants_mgmt[done], toward_mgmt.astype(np.int8))
        liked = (wf.ambition[done] >= 0.5) & on_path
        wf.b_interest[done] = np.where(liked, 0.9, 0.15)
        wf.b_refused[done] = False
        model.events.add(model.month, wf.uid[done], "pilot_end", "finished a pilot; the manager saw them in the role")
