"""Promotion rounds and what follows them: vacancy chains, offers, declines, and sticking.

At each promotion cycle openings are filled from the top level down, so a promotion opens the
promoted person's old position, which is filled in the same round from the level below: a
vacancy chain. Each opening is either filled from outside (with the level's ``hire_share``) or
offered to internal candidates in the policy's order until enough accept. After a promotion,
the person's competence in the new role is a mix of their old competence and their readiness
for the new role (the carry-over parameter spans the "Peter" and "common sense" hypotheses);
within a window the promotion sticks, or does not (poor fit, regret, exit, stepping back).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

from sim.behaviour import passed_over
from sim.managers import record_applications, record_declines
from sim.org import VACANT
from sim.policies import POLICIES
from sim.records import FAILED, PENDING, SUCCEEDED
from sim.scenario import MANAGEMENT, TRACKS

if TYPE_CHECKING:
    from sim.model import PromotionModel

# Why people turn an offer down, as the decline events say it (indexed by decline_reasons).
DECLINE_REASONS = ("does not want to move up", "wants the other track", "wants it, but not now")


def promotion_round(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill openings at this cycle: applications, then level by level from the top."""
    sc = model.scenario
    apply_for_openings(model, model.stream("applications"))
    order = range(sc.n_levels - 1, 0, -1) if sc.policy.top_down else range(1, sc.n_levels)
    r_ext, r_rank, r_offer = model.stream("external"), model.stream("ranking"), model.stream("offers")
    for level in order:
        hire_share = sc.organisation.levels[level].hire_share
        for track in (0, 1):
            slots = model.org.vacancies(level, track)
            slots = slots[~model.reserved_external[slots]]
            if slots.size == 0:
                continue
            external = r_ext.random(slots.size) < hire_share
            model.reserved_external[slots[external]] = True
            internal = slots[~external]
            if internal.size:
                filled = fill_openings(model, level, track, internal, r_rank, r_offer)
                if hire_share > 0:
                    model.reserved_external[internal[filled:]] = True


def apply_for_openings(model: PromotionModel, rng: np.random.Generator) -> None:
    """People who want to move now, and dare, apply for openings one level up on their track."""
    wf, org, sc = model.workforce, model.org, model.scenario
    from sim.managers import fear  # noqa: PLC0415

    wf.applied[:] = False
    wants = wf.wants_now() & ~wf.masking
    has_opening = np.zeros(wf.capacity, dtype=bool)
    any_opening = np.zeros(wf.capacity, dtype=bool)
    for level in range(1, sc.n_levels):
        below = wf.active & (wf.level == level - 1)
        for track in (0, 1):
            if org.vacancies(level, track).size:
                any_opening |= below
                has_opening |= below & org.wanted_move(level, wf.wants_mgmt, track)
    p = sc.behaviour.apply_rate * (1.0 - fear(model))
    draw = rng.random(wf.capacity)
    applied = wants & has_opening & (draw < p)
    wf.applied[:] = applied
    record_applications(model, np.flatnonzero(applied))
    model.flow["applications"] += int(applied.sum())
    model.flow["could_apply"] += int(any_opening.sum())
    model.events.add(model.month, wf.uid[applied], "application", "applied for an opening")


def candidates(model: PromotionModel, from_level: int, track: int) -> np.ndarray:
    """Who is considered for an opening on ``track`` one level above ``from_level``.

    Under the application policy only applicants; otherwise whoever the manager believes is
    interested (and has not written off), plus anyone who applied for this track.
    """
    wf, sc = model.workforce, model.scenario
    eligible = (
        wf.active
        & (wf.level == from_level)
        & (wf.time_in_role >= sc.organisation.min_months_in_role)
        & (wf.promoted_at != model.month)
        & (wf.b_ready >= model.readiness_floor)
    )
    applied_here = wf.applied & model.org.wanted_move(from_level + 1, wf.wants_mgmt, track)
    if sc.policy.name == "application":
        return np.flatnonzero(eligible & applied_here)
    if not sc.policy.require_believed_interest:
        return np.flatnonzero(eligible)
    believed = (wf.b_interest >= sc.policy.candidate_interest) & ~wf.b_refused
    if model.consider_direction and model.org.track_exists(from_level + 1, 1 - track):
        believed &= (wf.b_mgmt >= 0.5) == (track == MANAGEMENT)
    return np.flatnonzero(eligible & (believed | applied_here))


def acceptance_probability(model: PromotionModel, rows: np.ndarray, track: int) -> np.ndarray:
    """How likely each person is to say yes, given what they truly want."""
    wf, pr = model.workforce, model.scenario.promotion
    aspiring = wf.ambition[rows] >= 0.5
    right_way = model.org.wanted_move(wf.level[rows] + 1, wf.wants_mgmt[rows], track)
    now = wf.wait[rows] <= 0
    return np.where(
        ~aspiring,
        pr.accept_unwanted,
        np.where(~right_way, pr.accept_wrong_track, np.where(now, pr.accept_wanted, pr.accept_later)),
    )


def fill_openings(
    model: PromotionModel,
    level: int,
    track: int,
    slots: np.ndarray,
    r_rank: np.random.Generator,
    r_offer: np.random.Generator,
) -> int:
    """Offer ``slots`` to candidates in policy order until enough accept; returns how many filled."""
    wf, sc = model.workforce, model.scenario
    pool = candidates(model, level - 1, track)
    if pool.size == 0:
        return 0
    policy = "readiness" if model.rank_by_readiness and sc.policy.name != "application" else sc.policy.name
    score = POLICIES[policy](model, pool, track, r_rank)
    order = pool[np.argsort(-score, kind="stable")]
    n = slots.size
    if sc.policy.offers_can_be_declined:
        accepts = r_offer.random(wf.capacity)[order] < acceptance_probability(model, order, track)
        count = np.cumsum(accepts)
        last = int(np.searchsorted(count, n)) if count[-1] >= n else order.size - 1
        offered, accepts = order[: last + 1], accepts[: last + 1]
    else:
        offered = order[:n]
        accepts = np.ones(offered.size, dtype=bool)
    chosen, declined = offered[accepts], offered[~accepts]
    name = f"{sc.organisation.levels[level].name} ({TRACKS[track]})"
    model.flow["offers"] += offered.size
    model.events.add(model.month, wf.uid[offered], "offer", f"offered {name}")
    decline_reasons(model, declined, track, name)
    record_declines(model, declined)
    # Performance before the moves; promoting changes only the chosen people's.
    performance = wf.performance()
    perf_of_chosen = performance[chosen]
    promote(model, chosen, slots[: chosen.size], track, perf_of_chosen)
    want_this = (
        wf.wants_now()
        & (wf.level == level - 1)
        & model.org.wanted_move(level, wf.wants_mgmt, track)
        & (wf.time_in_role >= sc.organisation.min_months_in_role)
    )
    # Passed over: wanted the move, asked for it or is a high performer, and saw someone who
    # performs worse chosen instead (the unfairness is what stings).
    bar = perf_of_chosen.min() if chosen.size else np.inf
    high = wf.competence >= sc.metrics.high_performer_competence
    not_chosen = wf.promoted_at != model.month
    overlooked = want_this & not_chosen & (wf.applied | high) & (performance > bar)
    passed_over(model, np.flatnonzero(overlooked))
    return int(chosen.size)


def decline_reasons(model: PromotionModel, rows: np.ndarray, track: int, name: str) -> None:
    """Log declines with the reason the person knows and the manager does not."""
    if rows.size == 0:
        return
    wf = model.workforce
    aspiring = wf.ambition[rows] >= 0.5
    right_way = model.org.wanted_move(wf.level[rows] + 1, wf.wants_mgmt[rows], track)
    reason = np.where(~aspiring, 0, np.where(~right_way, 1, 2))
    model.events.add_described(
        model.month, wf.uid[rows], "decline", lambda r: f"declined {name}: {DECLINE_REASONS[r]}", reason
    )
    model.flow["declines"] += rows.size
    model.decliners.append(step=np.full(rows.size, model.month), uid=wf.uid[rows], row=rows)


def promote(
    model: PromotionModel, rows: np.ndarray, slots: np.ndarray, track: int, pre_performance: np.ndarray
) -> None:
    """Move ``rows`` into ``slots``: competence carries over partly, readiness resets.

    ``pre_performance`` is their performance in the role they leave (for the ledger).
    """
    if rows.size == 0:
        return
    wf, org, sc = model.workforce, model.org, model.scenario
    pr, emp = sc.promotion, sc.employees
    to_level = int(org.level[slots[0]])
    rng = model.stream(f"promotion_outcome.{to_level}.{track}")
    old_track = wf.track[rows].copy()
    from_level = wf.level[rows].copy()
    pre_competence = wf.competence[rows].copy()
    model.move(rows, slots)
    wf.promoted_at[rows] = model.month

    carry = np.where(old_track == track, pr.carry_over_same_track, pr.carry_over_cross_track)
    ready = wf.readiness_for(track, rows)
    if pr.carry_over_noise_kind == "uniform":
        noise = rng.uniform(-pr.carry_over_noise, pr.carry_over_noise, rows.size)
    else:
        noise = rng.normal(0.0, pr.carry_over_noise, rows.size)
    wf.competence[rows] = np.clip(carry * pre_competence + (1.0 - carry) * ready + noise, 0.0, 10.0)

    rho, step = sc.behaviour.readiness_persistence, sc.behaviour.readiness_step
    fresh_m = rng.normal(emp.management_readiness.mean, emp.management_readiness.sd, rows.size)
    fresh_s = rng.normal(emp.specialist_readiness.mean, emp.specialist_readiness.sd, rows.size)
    wf.mgmt_ready[rows] = np.clip(rho * wf.mgmt_ready[rows] + (1 - rho) * fresh_m - step, 0.0, 10.0)
    wf.spec_ready[rows] = np.clip(rho * wf.spec_ready[rows] + (1 - rho) * fresh_s - step, 0.0, 10.0)

    aspiring = wf.ambition[rows] >= 0.5
    right_way = org.wanted_move(to_level, wf.wants_mgmt[rows], track)
    now = wf.wait[rows] <= 0
    wanted = aspiring & right_way & now
    unwanted = ~aspiring | ~right_way
    timing = aspiring & right_way & ~now
    wrong_fit = wf.competence[rows] < pr.fit_threshold
    wf.unwanted_role[rows] = unwanted
    wf.ambition[rows] = np.where(
        wanted, np.minimum(wf.ambition[rows] + sc.behaviour.success_ambition_gain, 1.0), wf.ambition[rows]
    )
    wf.b_later[rows] = False
    earlier = wf.promo_record[rows]
    model.promotions.decide(earlier[earlier >= 0], SUCCEEDED, model.month)
    idx = model.promotions.append(
        step=np.full(rows.size, model.month),
        uid=wf.uid[rows],
        row=rows,
        from_level=from_level,
        to_level=wf.level[rows],
        track=np.full(rows.size, track),
        unwanted=unwanted,
        timing=timing,
        wrong_fit=wrong_fit,
        pre_performance=pre_performance,
        pre_competence=pre_competence,
        post_competence=wf.competence[rows],
    )
    wf.promo_record[rows] = idx
    # Development paid off if it was aimed the way the person wants to go and they made a wanted move.
    dev = model.development
    movers = rows[wanted]
    mine = dev.pending_of(wf.uid[movers])
    aimed = dev["toward_mgmt"][mine] == wf.wants_mgmt[dev["row"][mine]]
    dev.decide(mine[aimed], SUCCEEDED, model.month)

    model.flow["promotions"] += rows.size
    model.flow["unwanted_promotions"] += int(unwanted.sum())
    model.flow["timing_promotions"] += int(timing.sum())
    model.flow["wrong_fit_promotions"] += int(wrong_fit.sum())
    names = [lv.name for lv in sc.organisation.levels]

    def words(f: int, t: int, u: bool, tm: bool) -> str:
        return (
            f"promoted {names[f]} -> {names[t]} ({TRACKS[track]})"
            + (", a role they did not want" if u else "")
            + (", sooner than they wanted" if tm else "")
        )

    model.events.add_described(
        model.month, wf.uid[rows], "promotion", words, from_level, wf.level[rows], unwanted, timing
    )


def settle_promotions(model: PromotionModel, rng: np.random.Generator) -> None:
    """Monthly: struggling or regretful recent promotees may step back; windows close."""
    wf, sc = model.workforce, model.scenario
    pr, m = sc.promotion, sc.metrics
    month = model.month
    ledger = model.promotions
    rec = wf.promo_record
    pending = wf.active & (rec >= 0)
    pending[pending] = ledger.cols["outcome"][rec[pending]] == PENDING
    in_window = pending & (month - wf.promoted_at < pr.stick_window_months)
    failing = in_window & (wf.competence < pr.fit_threshold)
    regret = in_window & wf.unwanted_role
    p_back = 1.0 - (1.0 - pr.step_back_rate * failing) * (1.0 - pr.regret_step_back_rate * regret)
    step_back(model, np.flatnonzero(rng.random(wf.capacity) < p_back))
    due = pending & (month - wf.promoted_at >= pr.stick_window_months)
    due_rows = np.flatnonzero(due)
    stuck = wf.competence[due_rows] >= pr.fit_threshold
    ledger.decide(rec[due_rows], np.where(stuck, SUCCEEDED, FAILED), month)
    model.flow["promotions_settled"] += due_rows.size
    model.flow["promotions_stuck"] += int(stuck.sum())

    dev = model.development
    dev.decide(dev.due(month, m.roi_window_months), FAILED, month)
    dec = model.decliners
    due_dec = dec.due(month, m.decliner_window_months)
    if due_dec.size:
        rows = dec.cols["row"][due_dec]
        stayed = wf.active[rows] & (wf.uid[rows] == dec.cols["uid"][due_dec])
        dec.decide(due_dec, stayed.astype(np.int8), month)


def step_back(model: PromotionModel, rows: np.ndarray) -> None:
    """Promotions that did not work out: back one level, for those with a position open there.

    ``rows`` (ascending) are served in order, as if one at a time: each takes the first open,
    non-reserved position of the track they want at the level below, else of the other track,
    else stays. Those served before free their positions for those served after.
    """
    if rows.size == 0:
        return
    wf = model.workforce
    movers, slots = step_back_slots(model, rows)
    if movers.size == 0:
        return
    for batch in _fillable_batches(model, movers, slots):
        model.move(movers[batch], slots[batch])
    rec = wf.promo_record[movers]
    wf.competence[movers] = model.promotions.cols["pre_competence"][rec]
    wf.unwanted_role[movers] = False
    model.promotions.decide(rec, FAILED, model.month)
    model.flow["promotions_settled"] += movers.size
    model.flow["step_backs"] += movers.size
    model.events.add(model.month, wf.uid[movers], "step_back", "stepped back from a promotion that did not work out")


def step_back_slots(model: PromotionModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who of ``rows`` (ascending) can step back, and into which position, served one by one.

    The open positions of each (level, track) are found once and kept in a heap (lowest slot
    first, as ``Org.vacancies`` orders them); a row that moves adds its old position to its
    group's heap, so a later row stepping back from the level above can take it.
    """
    wf, org = model.workforce, model.org
    open_slots: dict[tuple[int, int], list[int]] = {}

    def group(level: int, track: int) -> list[int]:
        if (level, track) not in open_slots:
            free = org.vacancies(level, track)
            open_slots[(level, track)] = free[~model.reserved_external[free]].tolist()
        return open_slots[(level, track)]

    movers, slots = [], []
    for row, level, prefer, old_slot in zip(
        rows.tolist(), (wf.level[rows] - 1).tolist(), wf.wants_mgmt[rows].astype(int).tolist(),
        wf.slot[rows].tolist(), strict=True,
    ):
        for track in (prefer, 1 - prefer):
            free = group(level, track)
            if free:
                movers.append(row)
                slots.append(heapq.heappop(free))
                if not model.reserved_external[old_slot]:
                    heapq.heappush(group(level + 1, int(org.track[old_slot])), old_slot)
                break
    return np.asarray(movers, dtype=np.int64), np.asarray(slots, dtype=np.int64)


def _fillable_batches(model: PromotionModel, rows: np.ndarray, slots: np.ndarray) -> list[slice]:
    """Split moves, kept in order, into runs whose target positions are open before the run.

    ``model.move`` needs every target open when it is called, so a move into a position that
    an earlier move of the same run vacates starts a new run.
    """
    wf = model.workforce
    batches, start, vacated = [], 0, set()
    for i, (slot, old) in enumerate(zip(slots.tolist(), wf.slot[rows].tolist(), strict=True)):
        if slot in vacated:
            batches.append(slice(start, i))
            start, vacated = i, set()
        vacated.add(old)
    batches.append(slice(start, rows.size))
    return batches


def vacate(model: PromotionModel, rows: np.ndarray) -> None:
    """Free the positions of ``rows`` (who are leaving); open promotions count as not stuck."""
    wf, org = model.workforce, model.org
    org.occupant[wf.slot[rows]] = VACANT
    rec = wf.promo_record[rows]
    model.promotions.decide(rec[rec >= 0], FAILED, model.month)
    model.development.decide(model.development.pending_of(wf.uid[rows]), FAILED, model.month)
