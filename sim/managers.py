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


def fear(model: PromotionModel, rows: np.ndarray | None = None) -> np.ndarray:
    """How afraid each person is of stepping forward: own risk sensitivity times (0.5 + climate), clipped to [0, 1].

    The climate is the chance that a failed risk is penalised; at the baseline climate (0.5)
    fear equals risk sensitivity, in a fully safe culture it is half of it. ``rows``: only
    for those rows (levers ask about a few per cent of the workforce), else for every row.
    """
    risk = model.workforce.risk_sensitivity
    return np.clip((risk if rows is None else risk[rows]) * (0.5 + model.climate), 0.0, 1.0)


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
        wf.active, wf.boss_slot, org.lead_uids(wf.uid), wf.b_manager, wf.b_interest, wf.b_mgmt, wf.b_ready,
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
    active, boss_slot, lead_uid, b_manager, b_interest, b_mgmt, b_ready, b_refused, b_later,
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
        if not active[i]:  # an empty row: nobody to rate, and nobody voiced (the signals phase skips it)
            continue
        # This month's rating: performance in role, the group's rating bias, noise.
        performance = performance_of(competence[i], engagement[i], load[i], e)
        rating = performance + group_bias[group[i]] + rating_noise * normal(key, 2 * i)
        boss = lead_uid[boss_slot[i]]  # see Org.lead_uids
        if boss >= 0 and boss != b_manager[i]:  # a new manager starts from the prior
            b_manager[i] = boss
            if not keep_beliefs:
                b_interest[i] = prior_interest
                b_mgmt[i] = 0.5
                b_ready[i] = rating
                b_refused[i] = False
                b_later[i] = b_later[i] and voiced[i]  # timing said to the new manager this month stays
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


@jit
def record_declines(rows, decline_as_permanent, b_interest, b_refused, declined_at, month) -> None:
    """A declined offer: the manager's reading of it, per the decline heuristic.

    Compiled, for ``promotions._offer_rows``, which decides the offers and reads the declines
    in one pass.
    """
    for i in rows:
        if decline_as_permanent:
            b_interest[i] = 0.0
            b_refused[i] = True
        else:
            b_interest[i] *= 0.6
        declined_at[i] = month


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
    share = sc.managers.stretch_offer_share
    if share <= 0 or not wf.active.any():
        return
    noise = rng.random(wf.capacity)
    offered, accepted = _stretch_offers(
        wf.active, wf.b_interest, wf.visibility, wf.b_refused, wf.ambition, wf.risk_sensitivity, model.climate,
        noise, rng.random(wf.capacity), 1.0 - share,
    )
    take_stretch(model, offered[accepted], rng, months=6)
    declined = offered[~accepted]
    model.flow["stretch_offers"] += offered.size
    model.flow["stretch_accepts"] += offered.size - declined.size
    model.events.add(model.month, wf.uid[declined], "stretch_decline", "declined a stretch assignment")


@jit
def _stretch_offers(
    active, b_interest, visibility, b_refused, ambition, risk_sensitivity, climate, noise, accept_draw, q,
) -> tuple[np.ndarray, np.ndarray]:
    """Who is offered stretch work (ascending) and who of them accepts; a decline is read as less interest.

    Offered: looking keen (``b_interest + 0.3 * visibility + 0.2 * noise``) at or above the
    ``q`` quantile of everyone's, and not written off. The numbers are the numpy version's,
    operation for operation, and the cut is ``np.quantile``'s (``quantile``).
    """
    rows = np.flatnonzero(active)
    keen = np.empty(rows.size)
    for j in range(rows.size):
        i = rows[j]
        keen[j] = b_interest[i] + 0.3 * visibility[i] + 0.2 * noise[i]
    offered = np.empty(rows.size, np.int64)
    accepted = np.empty(rows.size, np.bool_)
    n = 0
    for j in at_or_above(keen, q):
        i = rows[j]
        if not b_refused[i]:
            courage = ambition[i] * (1.0 - fear_of(risk_sensitivity[i], climate))
            accepted[n] = accept_draw[i] < min(max(0.15 + 0.85 * courage * 1.4, 0.0), 1.0)
            if not accepted[n]:
                b_interest[i] *= 0.7
            offered[n] = i
            n += 1
    return offered[:n], accepted[:n]


@jit
def at_or_above(score: np.ndarray, q: float) -> np.ndarray:
    """Positions (ascending) whose score is at or above the ``q`` quantile of all (``quantile``'s cut).

    The yearly picks (stretch work, development) choose the top share of a score this way.
    """
    return np.flatnonzero(score >= quantile(score, q))


@jit
def quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (the default linear method) as numpy computes it, to the last bit.

    The two order statistics around ``q * (n - 1)`` come from a partial sort (any method gives
    the same values); the interpolation is numpy's ``_lerp``, which for a weight of one half
    or more interpolates back from the upper value. Any NaN gives NaN, as in numpy.
    """
    n = values.size
    for v in values:
        if np.isnan(v):
            return np.nan
    virtual = (n - 1) * q
    if virtual >= n - 1:
        lower, gamma = n - 1, virtual + 1.0  # numpy indexes the last value as -1 here
    elif virtual < 0:
        lower, gamma = 0, virtual
    else:
        lower = int(np.floor(virtual))
        gamma = virtual - lower
    upper = min(lower + 1, n - 1) if 0 <= virtual < n - 1 else lower
    part = np.partition(values, lower)
    a = part[lower]
    b = a
    if upper != lower:
        b = part[upper]
        for v in part[upper:]:
            b = min(b, v)
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1 - gamma)
    return a + diff * gamma


def take_stretch(model: PromotionModel, rows: np.ndarray, rng: np.random.Generator, months: int) -> None:
    """People start a stretch assignment: readiness grows; failure may be penalised."""
    wf, beh = model.workforce, model.scenario.behaviour
    if rows.size == 0:
        return
    failing, u, fail_p = _stretch_rows(
        rows, rng.random(wf.capacity), wf.b_mgmt, wf.mgmt_ready, wf.spec_ready, wf.stretch_until, wf.b_interest,
        beh.stretch_readiness_gain, model.month + months, model.scenario.managers.voice_weight, beh.stretch_failure,
    )
    from sim.behaviour import penalise  # noqa: PLC0415 (behaviour imports managers)

    penalise(model, failing, rescaled(u, fail_p), "a failed stretch assignment")
    model.events.add(model.month, wf.uid[rows], "stretch_accept", "took on a stretch assignment")


@jit
def _stretch_rows(
    rows, draw, b_mgmt, mgmt_ready, spec_ready, stretch_until, b_interest, gain, until, voice_weight, failure,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``take_stretch``'s updates; returns who fails (by ``draw``), with their draws and failure probabilities.

    Readiness grows in the believed direction, the manager hears interest, and the chance of
    failing falls with readiness after the gain: ``failure * (1 - ready / 10) * 2``.
    """
    failing = np.empty(rows.size, np.int64)
    u = np.empty(rows.size)
    fail_p = np.empty(rows.size)
    n = 0
    for i in rows:
        mgmt = b_mgmt[i] >= 0.5
        if mgmt:
            mgmt_ready[i] = min(mgmt_ready[i] + gain, 10.0)
        else:
            spec_ready[i] = min(spec_ready[i] + gain, 10.0)
        stretch_until[i] = until
        b_interest[i] += voice_weight * (1.0 - b_interest[i])
        p = failure * (1.0 - (mgmt_ready[i] if mgmt else spec_ready[i]) / 10.0) * 2.0
        if draw[i] < p:
            failing[n] = i
            u[n] = draw[i]
            fail_p[n] = p
            n += 1
    return failing[:n], u[:n], fail_p[:n]


def invest_in_development(model: PromotionModel, rng: np.random.Generator) -> None:
    """Development budget goes to whom managers see as high-potential, in the believed direction."""
    wf, sc = model.workforce, model.scenario
    share = sc.managers.development_share
    if share <= 0 or not wf.active.any():
        return
    chosen, mgmt = _development_picks(
        wf.active, wf.b_ready, wf.b_interest, wf.level, wf.b_mgmt, rng.random(wf.capacity), 1.0 - share,
        sc.n_levels - 1,
    )
    develop(model, chosen, mgmt)


@jit
def _development_picks(active, b_ready, b_interest, level, b_mgmt, draw, q, top) -> tuple[np.ndarray, np.ndarray]:
    """Who gets development (ascending) and whether toward management (the believed direction).

    Potential is ``b_ready * clip(b_interest, 0, 1) + 0.1 * draw``; those at or above its ``q``
    quantile (``quantile``, as ``np.quantile``) below the top level are chosen.
    """
    rows = np.flatnonzero(active)
    potential = np.empty(rows.size)
    for j in range(rows.size):
        i = rows[j]
        potential[j] = b_ready[i] * min(max(b_interest[i], 0.0), 1.0) + 0.1 * draw[i]
    chosen = np.empty(rows.size, np.int64)
    mgmt = np.empty(rows.size, np.bool_)
    n = 0
    for j in at_or_above(potential, q):
        i = rows[j]
        if level[i] < top:
            chosen[n] = i
            mgmt[n] = b_mgmt[i] >= 0.5
            n += 1
    return chosen[:n], mgmt[:n]


def develop(model: PromotionModel, rows: np.ndarray, toward_mgmt: np.ndarray) -> None:
    """Spend development on ``rows`` toward management (True) or specialist (False) readiness."""
    wf = model.workforce
    gain = 2.0 * model.scenario.behaviour.stretch_readiness_gain
    wf.mgmt_ready[rows] = np.where(toward_mgmt, np.minimum(wf.mgmt_ready[rows] + gain, 10.0), wf.mgmt_ready[rows])
    wf.spec_ready[rows] = np.where(~toward_mgmt, np.minimum(wf.spec_ready[rows] + gain, 10.0), wf.spec_ready[rows])
    model.development.append(step=model.month, uid=wf.uid[rows], row=rows, group=wf.group[rows],
                             toward_mgmt=toward_mgmt)
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
    candid = ~aspiring | (rng.random(wf.capacity)[rows] >= fear(model, rows))
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
