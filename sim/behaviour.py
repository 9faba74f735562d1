"""What people do: age, speak up (or not), take risks, learn, change their minds, leave.

Every function updates the whole workforce with array operations; randomness is drawn over
the full row capacity and indexed so each person's draw does not depend on who else is there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.managers import fear
from sim.metrics import structural_plateau
from sim.random import rescaled, split

if TYPE_CHECKING:
    from sim.model import PromotionModel


# Why people leave, as exit events say it; ``exits`` passes these codes to ``remove_people``.
EXIT_REASONS = ("left", "retired", "dismissed")
LEFT, RETIRED, DISMISSED = range(len(EXIT_REASONS))


def advance_clock(model: PromotionModel, rng: np.random.Generator) -> None:
    """A month passes: age, tenure, time in role; a wish to move 'later' comes closer."""
    wf = model.workforce
    on = wf.active
    # Masked in-place arithmetic (``where=``) is only fast when the mask is nearly all True,
    # as ``on`` is; mixed masks below are applied by multiplying instead.
    np.add(wf.age, 1.0 / 12.0, out=wf.age, where=on)
    wf.tenure += on
    wf.time_in_role += on
    wf.wait -= on & (wf.wait > 0)


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
    # One draw decides both whether someone takes a risk and whether it fails (a failure is
    # the lower part of the taking interval), and what is left of it decides the penalty.
    u = rng.random(wf.capacity)
    p_risk = beh.risk_rate * (1.0 - afraid)
    p_fail = p_risk * beh.risk_failure
    takes_risk = wf.active & (u < p_risk)
    fails = takes_risk & (u < p_fail)
    failed = np.flatnonzero(fails)
    penalise(model, failed, rescaled(u[failed], p_fail[failed]), "a failed risk")
    safe = takes_risk & ~fails
    wf.risk_sensitivity[np.flatnonzero(safe)] *= 1.0 - beh.safe_sensitivity_decay


def penalise(model: PromotionModel, rows: np.ndarray, draw: np.ndarray, what: str) -> None:
    """Failures are penalised with the climate's probability (micro-penalties), else forgiven.

    A penalty raises risk sensitivity and dents engagement, so the person dares less next time;
    a forgiven failure lowers risk sensitivity a little. ``draw`` is one uniform per row (the
    rescaled draw that decided the failure, see ``sim.random.rescaled``).
    """
    if rows.size == 0:
        return
    wf, beh = model.workforce, model.scenario.behaviour
    penalised = draw < model.climate
    hit, spared = rows[penalised], rows[~penalised]
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
    gain = beh.learning_rate * wf.engagement
    wf.mgmt_ready += gain * (on & toward_mgmt)
    wf.spec_ready += gain * (on & ~toward_mgmt)
    np.minimum(wf.mgmt_ready, 10.0, out=wf.mgmt_ready)
    np.minimum(wf.spec_ready, 10.0, out=wf.spec_ready)
    room = (beh.competence_ceiling - wf.competence).clip(0.0)
    np.add(wf.competence, beh.competence_growth * room * wf.engagement, out=wf.competence, where=on)

    # Ambition drifts for everyone: a random walk whose monthly steps are uniform with the
    # configured standard deviation (a uniform costs a quarter of a normal; over a year the
    # steps add up to a near-normal drift either way). A life event (one draw, rare) also
    # shocks it and may postpone the wish to move, all read from that same draw.
    half_width = np.sqrt(3.0) * beh.ambition_drift_sd
    drift = rng.random(wf.capacity)
    drift *= 2.0 * half_width
    drift -= half_width
    np.add(wf.ambition, drift, out=wf.ambition, where=on)
    u = rng.random(wf.capacity)
    life = np.flatnonzero(on & (u < beh.life_event_rate))
    if life.size:
        postpone, shock, delay = split(rescaled(u[life], beh.life_event_rate), 3)
        wf.ambition[life] += -0.3 + 0.6 * shock
        lo, hi = model.scenario.employees.timing_delay_months
        later = postpone < 0.5
        wait = (lo + np.floor(delay * (hi - lo + 1))).astype(np.int32)
        wf.wait[life[later]] = np.maximum(wf.wait[life[later]], wait[later])
    np.clip(wf.ambition, 0.0, 1.0, out=wf.ambition)

    recovery = beh.engagement_recovery * (wf.base_engagement - wf.engagement)
    np.add(wf.engagement, recovery, out=wf.engagement, where=on)
    misplaced = np.flatnonzero(wf.unwanted_role & on)
    wf.engagement[misplaced] = np.maximum(wf.engagement[misplaced] - beh.misplaced_engagement_drop, 0.0)
    # An unwanted role stops being unwanted once the person comes to want that track.
    settled = (wf.ambition[misplaced] >= 0.5) & model.org.wanted_move(
        wf.level[misplaced], wf.wants_mgmt[misplaced], wf.track[misplaced]
    )
    wf.unwanted_role[misplaced[settled]] = False


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
    reason = np.where(retiring[leaving], RETIRED, np.where(dismissed[leaving], DISMISSED, LEFT))
    model.remove_people(leaving, reason, voluntary=voluntary[leaving] & ~retiring[leaving] & ~dismissed[leaving])
