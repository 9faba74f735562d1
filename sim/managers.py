"""Managers' beliefs, and how the three named misreads distort them.

A manager never sees aspiration or readiness. Each month they see signals: who spoke up about
their career, how visible someone is, how they perform; at cycles, who applied and who declined
an offer. Beliefs about each report (interest in moving up, preferred direction, readiness for
the next role) are updated from those signals only. The misreads are switchable:

- ``silence_as_disinterest``: a month without a career signal lowers believed interest;
  without the heuristic, silence leaves the manager unsure (belief drifts to the prior).
- ``visibility_as_readiness``: readiness is judged partly on how visible someone is.
- ``decline_as_permanent``: after one declined offer the person is written off for good.

Beliefs belong to the current manager: a new manager starts from the prior.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import jit
from sim.random import normal, rescaled
from sim.scenario import MANAGEMENT
from sim.workforce import performance_of

if TYPE_CHECKING:
    from sim.model import PromotionModel


def fear(model: PromotionModel) -> np.ndarray:
    """How afraid each person is of stepping forward: own risk sensitivity times the climate.

    The climate is the chance that a failed risk is penalised; at the baseline climate (0.5)
    fear equals risk sensitivity, in a fully safe culture it is half of it.
    """
    wf = model.workforce
    return np.clip(wf.risk_sensitivity * (0.5 + model.climate), 0.0, 1.0)


@jit
def fear_of(risk_sensitivity: float, climate: float) -> float:
    """``fear`` for one person, for the compiled loops (the same product, clipped to [0, 1])."""
    return min(max(risk_sensitivity * (0.5 + climate), 0.0), 1.0)


def observed_performance(
    model: PromotionModel, rows: np.ndarray | None, rng: np.random.Generator
) -> np.ndarray:
    """A manager's rating: true performance plus group bias plus rating noise (``rows=None``: every row)."""
    wf = model.workforce
    noise = rng.normal(0.0, model.scenario.managers.rating_noise, wf.capacity)
    rating = wf.performance() + model.group_bias[wf.group] + noise
    return rating if rows is None else rating[rows]


def update_beliefs(model: PromotionModel, rng: np.random.Generator) -> None:
    """Monthly: new managers start over; speaking up, silence and visibility move beliefs.

    Each manager rates each report once a month; a new manager's first rating is where their
    belief about readiness starts.
    """
    wf, mgr, org = model.workforce, model.scenario.managers, model.org
    crossed = _belief_rows(
        wf.active, wf.uid, wf.boss_slot, org.occupant, wf.b_manager, wf.b_interest, wf.b_mgmt, wf.b_ready,
        wf.b_refused, wf.b_later, wf.voiced, wf.wants_mgmt, wf.told_at, wf.ambition, wf.visibility, wf.level,
        wf.mgmt_ready, wf.spec_ready, wf.competence, wf.engagement, wf.load, wf.group, model.group_bias,
        wf.engagement_effect, model.stream_key("beliefs"), mgr.rating_noise, org.judged_on_mgmt, model.month,
        model.keep_beliefs_on_manager_change, mgr.prior_interest, mgr.voice_weight,
        mgr.heuristics.silence_as_disinterest, mgr.silence_decay, model.scenario.metrics.disinterested_belief,
        mgr.heuristics.visibility_as_readiness, mgr.visibility_weight, model.criteria_weight, mgr.readiness_learning,
    )
    model.events.add(
        model.month, wf.uid[crossed], "misread", "manager now believes they are not interested, though they are"
    )


@jit
def _belief_rows(
    active, uid, boss_slot, occupant, b_manager, b_interest, b_mgmt, b_ready, b_refused, b_later,
    voiced, wants_mgmt, told_at, ambition, visibility, level, mgmt_ready, spec_ready, competence,
    engagement, load, group, group_bias, engagement_effect, key, rating_noise,
    judged_on_mgmt, month, keep_beliefs, prior_interest, voice_weight, silence_as_disinterest,
    silence_decay, disinterested, visibility_as_readiness, visibility_weight, criteria_weight,
    readiness_learning,
) -> np.ndarray:
    """``update_beliefs`` for every row; returns the rows now misread as not interested.

    Each row draws two normals (counters 2i and 2i + 1 of ``key``): the rating noise, and the
    noise of judging against published criteria (drawn only when criteria are in use).
    """
    crossed = np.empty(active.size, np.int64)
    n_crossed = 0
    e = engagement_effect
    for i in range(active.size):
        if not active[i]:
            if voiced[i]:
                _heard(i, b_interest, b_mgmt, wants_mgmt, voice_weight)
            continue
        # This month's rating: performance in role, the group's rating bias, noise.
        performance = performance_of(competence[i], engagement[i], load[i], e)
        rating = performance + group_bias[group[i]] + rating_noise * normal(key, 2 * i)
        boss_row = occupant[boss_slot[i]] if boss_slot[i] >= 0 else -1
        boss = uid[boss_row] if boss_row >= 0 else -1
        if boss >= 0 and boss != b_manager[i]:  # a new manager starts from the prior
            b_manager[i] = boss
            if not keep_beliefs:
                b_interest[i] = prior_interest
                b_mgmt[i] = 0.5
                b_ready[i] = rating
                b_refused[i] = False
                b_later[i] = False
        before = b_interest[i]
        if voiced[i]:
            _heard(i, b_interest, b_mgmt, wants_mgmt, voice_weight)
        elif silence_as_disinterest:
            # An explicit answer in a career conversation is remembered for a year; silence
            # after it is not read as a change of heart.
            if month - told_at[i] >= 12:
                b_interest[i] *= 1.0 - silence_decay
        else:
            b_interest[i] += 0.05 * (prior_interest - b_interest[i])
        if before > disinterested and b_interest[i] <= disinterested and ambition[i] >= 0.5:
            crossed[n_crossed] = i
            n_crossed += 1
        evidence = rating
        if visibility_as_readiness:
            evidence = visibility_weight * 10.0 * visibility[i] + (1.0 - visibility_weight) * evidence
        if criteria_weight > 0:
            on_mgmt = judged_on_mgmt[max(level[i], 0) * 2 + (b_mgmt[i] >= 0.5)]
            true_ready = mgmt_ready[i] if on_mgmt else spec_ready[i]
            noisy_ready = true_ready + 0.5 * normal(key, 2 * i + 1)
            evidence = criteria_weight * noisy_ready + (1.0 - criteria_weight) * evidence
        b_ready[i] += readiness_learning * (evidence - b_ready[i])
    return crossed[:n_crossed]


@jit
def _heard(i, b_interest, b_mgmt, wants_mgmt, voice_weight) -> None:
    """Speaking up: the manager now believes in the interest, and learns the direction."""
    b_interest[i] += voice_weight * (1.0 - b_interest[i])
    b_mgmt[i] += 0.5 * ((1.0 if wants_mgmt[i] else 0.0) - b_mgmt[i])


def record_declines(model: PromotionModel, rows: np.ndarray) -> None:
    """A declined offer: the manager's reading of it, per the decline heuristic."""
    wf = model.workforce
    if model.scenario.managers.heuristics.decline_as_permanent:
        wf.b_interest[rows] = 0.0
        wf.b_refused[rows] = True
    else:
        wf.b_interest[rows] *= 0.6
    wf.declined_at[rows] = model.month


def record_applications(model: PromotionModel, rows: np.ndarray) -> None:
    """An application is the loudest signal there is: interest and direction become clear."""
    wf = model.workforce
    wf.b_interest[rows] = np.maximum(wf.b_interest[rows], 0.9)
    wf.b_mgmt[rows] += 0.8 * (wf.wants_mgmt[rows].astype(float) - wf.b_mgmt[rows])
    wf.b_later[rows] = False


def believed_willing(model: PromotionModel) -> np.ndarray:
    """Boolean column: the manager would put this person forward for a move."""
    wf = model.workforce
    return wf.active & (wf.b_interest >= model.scenario.metrics.interested_belief) & ~wf.b_refused


def annual_review(model: PromotionModel, rng: np.random.Generator) -> None:
    """At review time managers hand out stretch work and development to those who seem keen."""
    offer_stretch(model, rng)
    invest_in_development(model, rng)


def offer_stretch(model: PromotionModel, rng: np.random.Generator) -> None:
    """Stretch work goes to the people who look keen; accepting it takes courage.

    Accepting builds readiness in the stretch's direction; failing it in a blaming culture is
    penalised, which raises the person's risk sensitivity.
    """
    wf, sc = model.workforce, model.scenario
    rows = wf.rows
    share = sc.managers.stretch_offer_share
    if rows.size == 0 or share <= 0:
        return
    noise = rng.random(wf.capacity)
    looks_keen = wf.b_interest + 0.3 * wf.visibility + 0.2 * noise
    cut = np.quantile(looks_keen[rows], 1.0 - share)
    offered = rows[(looks_keen[rows] >= cut) & ~wf.b_refused[rows]]
    accept_draw = rng.random(wf.capacity)[offered]
    courage = wf.ambition[offered] * (1.0 - fear(model)[offered])
    accepted_mask = accept_draw < np.clip(0.15 + 0.85 * courage * 1.4, 0.0, 1.0)
    take_stretch(model, offered[accepted_mask], rng, months=6)
    declined = offered[~accepted_mask]
    wf.b_interest[declined] *= 0.7
    model.flow["stretch_offers"] += offered.size
    model.flow["stretch_accepts"] += int(accepted_mask.sum())
    model.events.add(model.month, wf.uid[declined], "stretch_decline", "declined a stretch assignment")


def take_stretch(model: PromotionModel, rows: np.ndarray, rng: np.random.Generator, months: int) -> None:
    """People start a stretch assignment: readiness grows; failure may be penalised."""
    wf, beh = model.workforce, model.scenario.behaviour
    if rows.size == 0:
        return
    mgmt = wf.b_mgmt[rows] >= 0.5
    gain = beh.stretch_readiness_gain
    wf.mgmt_ready[rows] = np.where(mgmt, np.minimum(wf.mgmt_ready[rows] + gain, 10.0), wf.mgmt_ready[rows])
    wf.spec_ready[rows] = np.where(~mgmt, np.minimum(wf.spec_ready[rows] + gain, 10.0), wf.spec_ready[rows])
    wf.stretch_until[rows] = model.month + months
    wf.b_interest[rows] += model.scenario.managers.voice_weight * (1.0 - wf.b_interest[rows])
    ready = wf.readiness_for(mgmt.astype(np.int8), rows)
    fail_p = beh.stretch_failure * (1.0 - ready / 10.0) * 2.0
    u = rng.random(wf.capacity)[rows]
    failing = u < fail_p
    from sim.behaviour import penalise  # noqa: PLC0415 (behaviour imports managers)

    penalise(model, rows[failing], rescaled(u[failing], fail_p[failing]), "a failed stretch assignment")
    model.events.add(model.month, wf.uid[rows], "stretch_accept", "took on a stretch assignment")


def invest_in_development(model: PromotionModel, rng: np.random.Generator) -> None:
    """Development budget goes to whom managers see as high-potential, in the believed direction."""
    wf, sc = model.workforce, model.scenario
    rows = wf.rows
    share = sc.managers.development_share
    if rows.size == 0 or share <= 0:
        return
    potential = wf.b_ready * np.clip(wf.b_interest, 0.0, 1.0) + 0.1 * rng.random(wf.capacity)
    cut = np.quantile(potential[rows], 1.0 - share)
    chosen = rows[(potential[rows] >= cut) & (wf.level[rows] < sc.n_levels - 1)]
    mgmt = wf.b_mgmt[chosen] >= 0.5
    develop(model, chosen, mgmt)


def develop(model: PromotionModel, rows: np.ndarray, toward_mgmt: np.ndarray) -> None:
    """Spend development on ``rows`` toward management (True) or specialist (False) readiness."""
    wf = model.workforce
    gain = 2.0 * model.scenario.behaviour.stretch_readiness_gain
    wf.mgmt_ready[rows] = np.where(toward_mgmt, np.minimum(wf.mgmt_ready[rows] + gain, 10.0), wf.mgmt_ready[rows])
    wf.spec_ready[rows] = np.where(~toward_mgmt, np.minimum(wf.spec_ready[rows] + gain, 10.0), wf.spec_ready[rows])
    model.development.append(step=np.full(rows.size, model.month), uid=wf.uid[rows], row=rows, toward_mgmt=toward_mgmt)
    model.flow["development_spend"] += rows.size


def named_successors(model: PromotionModel) -> tuple[int, int]:
    """Succession plan: for each key role, the believed-best willing person one level below.

    The pool for a key (level, track) is everyone willing one level below whom the manager
    believes wants that track; as many as the role has positions are named, best believed
    readiness first, ties in row order.

    Returns:
        (key roles whose named successor is truly ready and willing, all key roles).
    """
    wf, org = model.workforce, model.org
    quota = org.succession_quota
    total = int(quota.sum())
    if total == 0:
        return 0, 0
    pool = np.flatnonzero(believed_willing(model))
    pool_key = wf.level[pool].astype(np.intp) * 2 + (wf.b_mgmt[pool] >= 0.5)
    covered = _named_ready(
        pool, pool_key, quota, wf.b_ready, wf.ambition, wf.wants_mgmt, wf.wait, wf.mgmt_ready, wf.spec_ready,
        org.path_ok, model.scenario.metrics.ready_threshold,
    )
    return covered, total


@jit
def _named_ready(
    pool, pool_key, quota, b_ready, ambition, wants_mgmt, wait, mgmt_ready, spec_ready, path_ok, ready_threshold,
) -> int:
    """``named_successors``' count, given the willing rows (ascending) and their pool keys.

    Shared with the measurement pass (``metrics._tally_rows``), which flags the pools while it
    reads the rows anyway, so that the rule for naming successors is written once. Pools are bucketed by
    key keeping row order, and only a pool larger than its quota is sorted: a stable sort of
    negated readiness, so that ties stay in row order as in one lexsort of every pool.
    """
    n_keys = quota.size
    # Counting sort of the pool by key (stable, so each bucket stays in row order).
    start = np.zeros(n_keys + 1, np.int64)
    for j in range(pool.size):
        start[pool_key[j] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    bucket = np.empty(pool.size, np.int64)
    for j in range(pool.size):
        k = pool_key[j]
        bucket[fill[k]] = pool[j]
        fill[k] += 1
    covered = 0
    for k in range(n_keys):
        q = quota[k]
        if q <= 0 or start[k + 1] == start[k]:
            continue
        rows = bucket[start[k]:start[k + 1]]
        if rows.size > q:
            rows = rows[np.argsort(-b_ready[rows], kind="mergesort")[:q]]
        level, track = k // 2 + 1, k % 2
        for r in rows:
            willing = ambition[r] >= 0.5 and path_ok[level, 1 if wants_mgmt[r] else 0, track] and wait[r] <= 12
            ready = (mgmt_ready[r] if track == MANAGEMENT else spec_ready[r]) >= ready_threshold
            if willing and ready:
                covered += 1
    return covered


def career_conversation(model: PromotionModel, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An explicit conversation about timing, role type and direction; returns who was candid.

    People answer as honestly as the culture's safety allows: an aspirant is candid with
    probability 1 - fear, otherwise gives the polite "I'm not ready" answer, which the manager
    takes at face value. Saying "no" is safe, so non-aspirants are always candid. A candid
    answer replaces the manager's beliefs with the truth, and reopens a past "no".
    """
    wf = model.workforce
    if rows.size == 0:
        return np.zeros(0, dtype=bool)
    aspiring = wf.ambition[rows] >= 0.5
    candid = ~aspiring | (rng.random(wf.capacity)[rows] >= fear(model)[rows])
    told = rows[candid]
    wf.told_at[told] = model.month
    asp_told = wf.ambition[told] >= 0.5
    wf.b_interest[told] = np.where(asp_told, 0.9, 0.1)
    wf.b_mgmt[told] = wf.wants_mgmt[told].astype(float)
    wf.b_later[told] = asp_told & (wf.wait[told] > 0)
    wf.b_refused[told] = ~asp_told & wf.b_refused[told]
    polite = rows[~candid]
    wf.b_interest[polite] = np.minimum(wf.b_interest[polite], 0.3)
    model.events.add(model.month, wf.uid[polite], "polite_answer", "said 'not ready yet' though they want to move")
    return candid
