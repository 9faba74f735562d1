"""What people do: age, speak up (or not), take risks, learn, change their minds, leave.

Every function updates the whole workforce at once (compiled loops over the rows); each row's
random numbers are counter-based draws tied to the row (sim/random.py), so a person's draw does
not depend on who else is there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import jit
from sim.managers import fear_of
from sim.random import rescaled_one, split_part, uniform

if TYPE_CHECKING:
    from sim.model import PromotionModel


# Why people leave, as exit events say it; ``exits`` passes these codes to ``remove_people``.
EXIT_REASONS = ("left", "retired", "dismissed")
LEFT, RETIRED, DISMISSED = range(len(EXIT_REASONS))


def advance_clock(model: PromotionModel, rng: np.random.Generator) -> None:
    """A month passes: age, tenure, time in role; a wish to move 'later' comes closer."""
    wf = model.workforce
    _advance_clock_rows(wf.active, wf.age, wf.tenure, wf.time_in_role, wf.wait)


@jit
def _advance_clock_rows(active, age, tenure, time_in_role, wait) -> None:
    # Branch-free (an empty row adds 0), so the compiler runs several rows at once.
    for i in range(active.size):
        on = active[i]
        age[i] += (1.0 / 12.0) * on
        tenure[i] += on
        time_in_role[i] += on
        wait[i] -= on & (wait[i] > 0)


def emit_signals(model: PromotionModel, rng: np.random.Generator) -> None:
    """People voice career wishes, or mask them; some take risks and may be penalised.

    An aspirant masks their wish (says "not ready", stays silent) when fear exceeds ambition.
    Otherwise they speak up with a probability that grows with visibility and shrinks with
    their group's suppression of visible ambition. Those who want to move only later say so
    less often, and when they do, the manager learns the timing too.
    """
    wf, beh = model.workforce, model.scenario.behaviour
    failed, fail_draw = _signal_rows(
        wf.active, wf.ambition, wf.risk_sensitivity, wf.visibility, wf.group, wf.wait,
        wf.masking, wf.voiced, wf.last_voice, wf.b_later, model.group_suppression, model.climate, model.month,
        beh.voice_rate, beh.risk_rate, beh.risk_failure, beh.safe_sensitivity_decay, model.stream_key("signals"),
    )
    penalise(model, failed, fail_draw, "a failed risk")


@jit
def _signal_rows(
    active, ambition, risk_sensitivity, visibility, group, wait,
    masking, voiced, last_voice, b_later, group_suppression, climate, month,
    voice_rate, risk_rate, risk_failure, safe_decay, key,
) -> tuple[np.ndarray, np.ndarray]:
    """``emit_signals`` for every row; returns the rows whose risk failed, and the draw left for the penalty.

    Each row draws two uniforms (counters 2i and 2i + 1 of ``key``): whether they speak up, and
    one that decides both whether they take a risk and whether it fails (a failure is the lower
    part of the taking interval); what is left of it, rescaled, decides the penalty.
    """
    # Branch-free (booleans combine with & and select with multiplication), so the compiler can
    # run several rows at once; testing row by row is slow when the tests come out true or false
    # at random (three times slower for the passed-over test in promotions.py). Failures, being
    # few, are collected in a second pass.
    failing = np.empty(active.size, np.bool_)
    for i in range(active.size):
        on = active[i]
        afraid = fear_of(risk_sensitivity[i], climate)
        aspiring = on & (ambition[i] >= 0.5)
        masks = aspiring & (afraid > ambition[i])
        p_voice = voice_rate * (0.25 + 0.75 * visibility[i]) * (1.0 - group_suppression[max(group[i], 0)])
        p_voice *= 1.0 - 0.5 * (wait[i] > 0)
        voices = aspiring & ~masks & (uniform(key, 2 * i) < p_voice)
        masking[i] = masks
        voiced[i] = voices
        last_voice[i] = month if voices else last_voice[i]
        b_later[i] = (wait[i] > 0) if voices else b_later[i]
        p_risk = risk_rate * (1.0 - afraid)
        u = uniform(key, 2 * i + 1)
        takes = on & (u < p_risk)
        fails = takes & (u < p_risk * risk_failure)
        risk_sensitivity[i] *= 1.0 - safe_decay * (takes & ~fails)
        failing[i] = fails
    failed = np.flatnonzero(failing)
    fail_draw = np.empty(failed.size)
    for n, i in enumerate(failed):
        afraid = fear_of(risk_sensitivity[i], climate)
        fail_draw[n] = rescaled_one(uniform(key, 2 * i + 1), risk_rate * (1.0 - afraid) * risk_failure)
    return failed, fail_draw


def penalise(model: PromotionModel, rows: np.ndarray, draw: np.ndarray, what: str) -> None:
    """Failures are penalised with the climate's probability (micro-penalties), else forgiven.

    A penalty raises risk sensitivity and dents engagement, so the person dares less next time;
    a forgiven failure lowers risk sensitivity a little. ``draw`` is one uniform per row (the
    rescaled draw that decided the failure, see ``sim.random.rescaled_one``).
    """
    if rows.size == 0:
        return
    wf, beh = model.workforce, model.scenario.behaviour
    hit = _penalise_rows(
        rows, draw, model.climate, wf.risk_sensitivity, wf.engagement, wf.penalties,
        beh.penalty_sensitivity_gain, beh.penalty_engagement_drop, beh.safe_sensitivity_decay,
    )
    model.flow["micro_penalties"] += hit.size
    model.events.add(model.month, wf.uid[hit], "micro_penalty", f"was quietly blamed for {what}")


@jit
def _penalise_rows(rows, draw, climate, risk_sensitivity, engagement, penalties, gain, drop, decay) -> np.ndarray:
    """``penalise`` for each of ``rows`` (distinct); returns the rows penalised."""
    hit = np.empty(rows.size, np.int64)
    n = 0
    for k in range(rows.size):
        i = rows[k]
        if draw[k] < climate:
            risk_sensitivity[i] += gain * (1.0 - risk_sensitivity[i])
            engagement[i] = max(engagement[i] - drop, 0.0)
            penalties[i] += 1
            hit[n] = i
            n += 1
        else:
            risk_sensitivity[i] *= 1.0 - decay
    return hit[:n]


def learn(model: PromotionModel, rng: np.random.Generator) -> None:
    """Skills grow where effort goes; aspiration drifts; engagement recovers or erodes.

    Effort goes where the person's own preference points (misaligned effort) unless a lever
    has set ``model.learning_toward_mgmt`` for them.
    """
    wf, beh = model.workforce, model.scenario.behaviour
    # Ambition drifts for everyone: a random walk whose monthly steps are uniform with the
    # configured standard deviation (a uniform costs a quarter of a normal; over a year the
    # steps add up to a near-normal drift either way). A life event (one draw, rare) also
    # shocks it and may postpone the wish to move, all read from that same draw.
    lo, hi = model.scenario.employees.timing_delay_months
    _learn_rows(
        wf.active, model.learning_toward_mgmt, wf.wants_mgmt, wf.engagement, wf.base_engagement,
        wf.mgmt_ready, wf.spec_ready, wf.competence, wf.ambition, wf.unwanted_role, wf.wait, wf.level, wf.track,
        model.org.path_ok, model.stream_key("learning"), beh.learning_rate, beh.competence_ceiling,
        beh.competence_growth, np.sqrt(3.0) * beh.ambition_drift_sd, beh.life_event_rate,
        beh.engagement_recovery, beh.misplaced_engagement_drop, lo, hi,
    )


@jit
def _learn_rows(
    active, toward, wants_mgmt, engagement, base_engagement, mgmt_ready, spec_ready, competence,
    ambition, unwanted_role, wait, level, track, path_ok, key,
    learning_rate, ceiling, growth, half_width, life_rate, recovery, misplaced_drop, delay_lo, delay_hi,
) -> None:
    """``learn`` for every row.

    Each row draws two uniforms (counters 2i and 2i + 1 of ``key``): the drift step and the
    life-event draw. The few rows with a life event, and those in an unwanted role, are then
    visited again: the life event's draw, rescaled, is split into whether the wish to move is
    postponed, the shock to ambition, and the delay.
    """
    # Branch-free like ``_signal_rows`` (which says why); an empty row's updates are multiplied by 0.
    life_event = np.empty(active.size, np.bool_)
    misplaced = np.empty(active.size, np.bool_)
    for i in range(active.size):
        on = active[i]
        e = engagement[i]
        gain = learning_rate * e * on
        to_mgmt = (toward[i] == 1) | ((toward[i] < 0) & wants_mgmt[i])
        mgmt_ready[i] = min(mgmt_ready[i] + gain * to_mgmt, 10.0)
        spec_ready[i] = min(spec_ready[i] + gain * (not to_mgmt), 10.0)
        competence[i] += growth * max(ceiling - competence[i], 0.0) * e * on
        a = ambition[i] + (uniform(key, 2 * i) * (2.0 * half_width) - half_width) * on
        life = on & (uniform(key, 2 * i + 1) < life_rate)
        ambition[i] = a if life else min(max(a, 0.0), 1.0)
        e += recovery * (base_engagement[i] - e) * on
        stuck = on & unwanted_role[i]
        engagement[i] = max(e - misplaced_drop, 0.0) if stuck else e
        life_event[i] = life
        misplaced[i] = stuck
    for i in np.flatnonzero(life_event):
        draw = rescaled_one(uniform(key, 2 * i + 1), life_rate)
        ambition[i] = min(max(ambition[i] + (-0.3 + 0.6 * split_part(draw, 1)), 0.0), 1.0)
        if split_part(draw, 0) < 0.5:  # postponed
            wait[i] = max(wait[i], delay_lo + math.floor(split_part(draw, 2) * (delay_hi - delay_lo + 1)))
    # An unwanted role stops being unwanted once the person comes to want that track.
    for i in np.flatnonzero(misplaced):
        if ambition[i] >= 0.5 and path_ok[level[i], np.int64(wants_mgmt[i]), track[i]]:
            unwanted_role[i] = False


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
    return _hazard_rows(
        wf.active, wf.ambition, wf.wait, wf.level, wf.wants_mgmt, wf.time_in_role, wf.passed_over_at,
        wf.unwanted_role, wf.engagement, model.org.step_up_ok.ravel(), model.month,
        model.scenario.metrics.plateau_months, ex.passed_over_months, ex.base_monthly, ex.passed_over_multiplier,
        ex.misplaced_multiplier, ex.plateau_multiplier, ex.disengagement_multiplier,
    )


@jit
def _hazard_rows(
    active, ambition, wait, level, wants_mgmt, time_in_role, passed_over_at, unwanted_role, engagement,
    step_up_ok, month, plateau_months, passed_over_months, base, passed_over_mult, misplaced_mult,
    plateau_mult, disengagement_mult,
) -> np.ndarray:
    """``exit_hazard`` for every row; the plateau test is ``metrics.structural_plateau``'s."""
    hazard = np.empty(active.size)
    # Written without branches (a row's booleans multiply), which lets the loop run about twice
    # as fast; an empty row's level of -1 reads a valid cell and its hazard is multiplied by 0.
    for i in range(active.size):
        wants_now = (ambition[i] >= 0.5) & (wait[i] <= 0)
        next_exists = step_up_ok[level[i] * 2 + wants_mgmt[i]]
        plateaued = wants_now & (~next_exists | (time_in_role[i] >= plateau_months))
        recently_passed = (month - passed_over_at[i]) < passed_over_months
        gap = 1.0 - engagement[i]
        h = (
            base
            * (1.0 + passed_over_mult * recently_passed)
            * (1.0 + misplaced_mult * unwanted_role[i])
            * (1.0 + plateau_mult * plateaued)
            * (1.0 + disengagement_mult * (gap * gap))
        )
        hazard[i] = min(max(h, 0.0), 1.0) * active[i]
    return hazard


def exits(model: PromotionModel, rng: np.random.Generator) -> None:
    """People leave: voluntarily by hazard, at retirement age, or dismissed below a competence floor."""
    wf, ex = model.workforce, model.scenario.exits
    floor = -np.inf if ex.dismissal_competence is None else ex.dismissal_competence
    leaving, reason = _leaving_rows(
        wf.active, wf.age, wf.competence, exit_hazard(model), model.stream_key("exits"), ex.retirement_age, floor
    )
    if leaving.size:
        model.remove_people(leaving, reason, voluntary=reason == LEFT)


@jit
def _leaving_rows(active, age, competence, hazard, key, retirement_age, competence_floor):
    """Who leaves and why (an ``EXIT_REASONS`` code): retirement first, then dismissal, then by choice.

    Leaving by choice compares counter ``i`` of ``key`` with the row's hazard.
    """
    leaving = np.empty(active.size, np.bool_)
    for i in range(active.size):
        leaving[i] = active[i] & (
            (age[i] >= retirement_age) | (competence[i] < competence_floor) | (uniform(key, i) < hazard[i])
        )
    rows = np.flatnonzero(leaving)
    reason = np.empty(rows.size, np.int64)
    for n, i in enumerate(rows):
        reason[n] = RETIRED if age[i] >= retirement_age else DISMISSED if competence[i] < competence_floor else LEFT
    return rows, reason
