"""What people do: age, speak up (or not), take risks, learn, change their minds, leave.

Every function updates the whole workforce with array operations; randomness is drawn over
the full row capacity and indexed so each person's draw does not depend on who else is there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.managers import fear
from sim.metrics import structural_plateau

if TYPE_CHECKING:
    from sim.model import PromotionModel


def advance_clock(model: PromotionModel, rng: np.random.Generator) -> None:
    """A month passes: age, tenure, time in role; a wish to move 'later' comes closer."""
    wf = model.workforce
    on = wf.active
    wf.age[on] += 1.0 / 12.0
    wf.tenure[on] += 1
    wf.time_in_role[on] += 1
    wf.wait[on] = np.maximum(wf.wait[on] - 1, 0)


def emit_signals(model: PromotionModel, rng: np.random.Generator) -> None:
    """People voice career wishes, or mask them; some take risks and may be penalised.

    An aspirant masks their wish (says "not ready", stays silent) when fear exceeds ambition.
    Otherwise they speak up with a probability that grows with visibility and shrinks with
    their group's suppression of visible ambition. Those who want to move only later say so
    less often, and when they do, the manager learns the timing too.
    """
    wf, sc = model.workforce, model.scenario
    afraid = fear(model)
    aspiring = wf.aspiring()
    wf.masking[:] = aspiring & (afraid > wf.ambition)
    suppression = model.group_suppression[np.maximum(wf.group, 0)]
    p_voice = sc.behaviour.voice_rate * (0.25 + 0.75 * wf.visibility) * (1.0 - suppression)
    p_voice = np.where(wf.wait > 0, 0.5 * p_voice, p_voice)
    draw = rng.random(wf.capacity)
    wf.voiced[:] = aspiring & ~wf.masking & (draw < p_voice)
    wf.last_voice[wf.voiced] = model.month
    later = wf.voiced & (wf.wait > 0)
    wf.b_later[later] = True
    wf.b_later[wf.voiced & (wf.wait <= 0)] = False

    beh = sc.behaviour
    takes_risk = wf.active & (rng.random(wf.capacity) < beh.risk_rate * (1.0 - afraid))
    fails = takes_risk & (rng.random(wf.capacity) < beh.risk_failure)
    penalise(model, np.flatnonzero(fails), rng, "a failed risk")
    safe = np.flatnonzero(takes_risk & ~fails)
    wf.risk_sensitivity[safe] *= 1.0 - beh.safe_sensitivity_decay


def penalise(model: PromotionModel, rows: np.ndarray, rng: np.random.Generator, what: str) -> None:
    """Failures are penalised with the climate's probability (micro-penalties), else forgiven.

    A penalty raises risk sensitivity and dents engagement, so the person dares less next time;
    a forgiven failure lowers risk sensitivity a little.
    """
    if rows.size == 0:
        return
    wf, beh = model.workforce, model.scenario.behaviour
    hit = rows[rng.random(wf.capacity)[rows] < model.climate]
    spared = np.setdiff1d(rows, hit, assume_unique=True)
    wf.risk_sensitivity[hit] += beh.penalty_sensitivity_gain * (1.0 - wf.risk_sensitivity[hit])
    wf.engagement[hit] = np.maximum(wf.engagement[hit] - beh.penalty_engagement_drop, 0.0)
    wf.penalties[hit] += 1
    wf.risk_sensitivity[spared] *= 1.0 - beh.safe_sensitivity_decay
    model.flow["micro_penalties"] += hit.size
    model.events.add(model.month, wf.uid[hit], "micro_penalty", f"was quietly blamed for {what}")


def learn(model: PromotionModel, rng: np.random.Generator) -> None:
    """Skills grow where effort goes; aspiration drifts; engagement recovers or erodes.

    Effort goes where the person's own preference points (misaligned effort) unless a lever
    has set ``model.learning_toward_mgmt`` for them.
    """
    wf, beh = model.workforce, model.scenario.behaviour
    on = wf.active
    toward_mgmt = np.where(model.learning_toward_mgmt >= 0, model.learning_toward_mgmt == 1, wf.wants_mgmt)
    gain = beh.learning_rate * wf.engagement * on
    wf.mgmt_ready += np.where(toward_mgmt, gain, 0.0)
    wf.spec_ready += np.where(~toward_mgmt, gain, 0.0)
    np.minimum(wf.mgmt_ready, 10.0, out=wf.mgmt_ready)
    np.minimum(wf.spec_ready, 10.0, out=wf.spec_ready)
    room = (beh.competence_ceiling - wf.competence).clip(0.0)
    wf.competence += beh.competence_growth * room * wf.engagement * on

    drift = rng.normal(0.0, beh.ambition_drift_sd, wf.capacity)
    life = on & (rng.random(wf.capacity) < beh.life_event_rate)
    shock = rng.uniform(-0.3, 0.3, wf.capacity)
    postpone = life & (rng.random(wf.capacity) < 0.5)
    lo, hi = model.scenario.employees.timing_delay_months
    delay = rng.integers(lo, hi + 1, wf.capacity)
    wf.ambition = np.clip(wf.ambition + drift * on + np.where(life, shock, 0.0), 0.0, 1.0)
    wf.wait = np.where(postpone, np.maximum(wf.wait, delay), wf.wait).astype(np.int32)

    wf.engagement += beh.engagement_recovery * (wf.base_engagement - wf.engagement) * on
    misplaced = wf.unwanted_role & on
    wf.engagement[misplaced] = np.maximum(wf.engagement[misplaced] - beh.misplaced_engagement_drop, 0.0)
    # An unwanted role stops being unwanted once the person comes to want that track.
    settled = misplaced & (wf.ambition >= 0.5) & model.org.wanted_move(wf.level, wf.wants_mgmt, wf.track)
    wf.unwanted_role[settled] = False


def passed_over(model: PromotionModel, rows: np.ndarray) -> None:
    """Wanting a move and seeing someone else get it: less ambition, less engagement."""
    if rows.size == 0:
        return
    wf, beh = model.workforce, model.scenario.behaviour
    wf.passed_over_at[rows] = model.month
    wf.ambition[rows] = np.maximum(wf.ambition[rows] - beh.passed_over_ambition_drop, 0.0)
    wf.engagement[rows] = np.maximum(wf.engagement[rows] - beh.passed_over_engagement_drop, 0.0)
    model.events.add(model.month, wf.uid[rows], "passed_over", "wanted the move; someone else got it")


def exit_hazard(model: PromotionModel) -> np.ndarray:
    """Monthly probability of leaving, per row (0 for empty rows)."""
    wf, ex = model.workforce, model.scenario.exits
    recently_passed = (model.month - wf.passed_over_at) < ex.passed_over_months
    plateaued = structural_plateau(model)
    hazard = (
        ex.base_monthly
        * (1.0 + ex.passed_over_multiplier * recently_passed)
        * (1.0 + ex.misplaced_multiplier * wf.unwanted_role)
        * (1.0 + ex.plateau_multiplier * plateaued)
        * (1.0 + ex.disengagement_multiplier * (1.0 - wf.engagement) ** 2)
    )
    return np.where(wf.active, np.clip(hazard, 0.0, 1.0), 0.0)


def exits(model: PromotionModel, rng: np.random.Generator) -> None:
    """People leave: voluntarily by hazard, at retirement age, or dismissed below a competence floor."""
    wf, ex = model.workforce, model.scenario.exits
    voluntary = rng.random(wf.capacity) < exit_hazard(model)
    retiring = wf.active & (wf.age >= ex.retirement_age)
    dismissed = np.zeros(wf.capacity, dtype=bool)
    if ex.dismissal_competence is not None:
        dismissed = wf.active & (wf.competence < ex.dismissal_competence)
    leaving = np.flatnonzero(voluntary | retiring | dismissed)
    if leaving.size == 0:
        return
    reason = np.where(retiring[leaving], "retired", np.where(dismissed[leaving], "dismissed", "left"))
    model.remove_people(leaving, reason, voluntary=voluntary[leaving] & ~retiring[leaving] & ~dismissed[leaving])
