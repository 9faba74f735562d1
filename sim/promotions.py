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

from typing import TYPE_CHECKING

import numpy as np

from sim.behaviour import passed_over
from sim.compiled import jit
from sim.managers import fear_of, record_applications, record_declines
from sim.org import VACANT
from sim.policies import POLICIES
from sim.records import FAILED, PENDING, SUCCEEDED, _decide_rows
from sim.scenario import MANAGEMENT, TRACKS
from sim.workforce import performance_of

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
    # Per level of the applicant: is anything open one level up, and is it on the path of
    # someone wanting each direction (``open_for[level, wants_mgmt]``).
    any_open = np.zeros(sc.n_levels, dtype=bool)
    open_for = np.zeros((sc.n_levels, 2), dtype=bool)
    for level in range(1, sc.n_levels):
        for track in (0, 1):
            if org.vacancies(level, track).size:
                any_open[level - 1] = True
                open_for[level - 1] |= org.path_ok[level, :, track]
    applied, could_apply = _apply_rows(
        wf.active, wf.ambition, wf.wait, wf.masking, wf.level, wf.wants_mgmt, wf.risk_sensitivity, wf.applied,
        any_open, open_for.ravel(), sc.behaviour.apply_rate, model.climate, rng.random(wf.capacity),
    )
    record_applications(model, applied)
    model.flow["applications"] += applied.size
    model.flow["could_apply"] += could_apply
    model.events.add(model.month, wf.uid[applied], "application", "applied for an opening")


@jit
def _apply_rows(
    active, ambition, wait, masking, level, wants_mgmt, risk_sensitivity, applied, any_open, open_for,
    apply_rate, climate, draw,
) -> tuple[np.ndarray, int]:
    """Sets ``applied`` for every row; returns who applied and how many had an opening to apply for.

    The probability is ``apply_rate * (1 - fear)`` (``managers.fear_of``).
    """
    rows = np.empty(active.size, np.int64)
    n = could = 0
    top = any_open.size - 1
    for i in range(active.size):
        applied[i] = False
        if not active[i] or level[i] < 0 or level[i] >= top:
            continue
        could += any_open[level[i]]
        wants_this = ambition[i] >= 0.5 and wait[i] <= 0 and not masking[i]
        if wants_this and open_for[level[i] * 2 + wants_mgmt[i]] and draw[i] < apply_rate * (
            1.0 - fear_of(risk_sensitivity[i], climate)
        ):
            applied[i] = True
            rows[n] = i
            n += 1
    return rows[:n], could


def candidates(model: PromotionModel, from_level: int, track: int) -> np.ndarray:
    """Who is considered for an opening on ``track`` one level above ``from_level``.

    Under the application policy only applicants; otherwise whoever the manager believes is
    interested (and has not written off), plus anyone who applied for this track.
    """
    wf, sc, pol = model.workforce, model.scenario, model.scenario.policy
    # 0: applicants only; 1: everyone eligible; 2: believed interested or applied.
    rule = 0 if pol.name == "application" else 1 if not pol.require_believed_interest else 2
    direction = model.consider_direction and model.org.track_exists(from_level + 1, 1 - track)
    return np.flatnonzero(_candidate_rows(
        wf.active, wf.level, wf.time_in_role, wf.promoted_at, wf.b_ready, wf.applied, wf.wants_mgmt,
        wf.b_interest, wf.b_refused, wf.b_mgmt, model.org.path_ok[from_level + 1, :, track], from_level,
        sc.organisation.min_months_in_role, model.month, model.readiness_floor, rule, pol.candidate_interest,
        direction, track == MANAGEMENT,
    ))


@jit
def _candidate_rows(
    active, level, time_in_role, promoted_at, b_ready, applied, wants_mgmt, b_interest, b_refused, b_mgmt,
    on_path, from_level, min_months, month, readiness_floor, rule, candidate_interest, direction, to_mgmt,
) -> np.ndarray:
    """``candidates`` as a mask, in one pass; ``on_path[wants_mgmt]`` is ``Org.wanted_move``'s answer."""
    chosen = np.empty(active.size, np.bool_)
    # A mask of tests combined with ``&``, as in ``_overlooked_rows`` (which says why).
    for i in range(active.size):
        applied_here = applied[i] & on_path[wants_mgmt[i] * 1]
        believed = (b_interest[i] >= candidate_interest) & ~b_refused[i]
        believed = believed & ((not direction) | ((b_mgmt[i] >= 0.5) == to_mgmt))
        chosen[i] = (
            active[i]
            & (level[i] == from_level)
            & (time_in_role[i] >= min_months)
            & (promoted_at[i] != month)
            & (b_ready[i] >= readiness_floor)
            & (((rule == 0) & applied_here) | (rule == 1) | ((rule == 2) & (believed | applied_here)))
        )
    return chosen


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
    # Performance before the moves; promoting changes only the chosen people's, and they are
    # not among the passed over, so everyone else's is read after it.
    perf_of_chosen = wf.performance(chosen)
    promote(model, chosen, slots[: chosen.size], track, perf_of_chosen)
    # Passed over: wanted the move, asked for it or is a high performer, and saw someone who
    # performs worse chosen instead (the unfairness is what stings).
    bar = perf_of_chosen.min() if chosen.size else np.inf
    overlooked = _overlooked_rows(
        wf.active, wf.ambition, wf.wait, wf.level, wf.wants_mgmt, wf.time_in_role, wf.promoted_at, wf.applied,
        wf.competence, wf.engagement, wf.load, model.org.path_ok[level, :, track], level - 1,
        sc.organisation.min_months_in_role, model.month, sc.metrics.high_performer_competence,
        wf.engagement_effect, bar,
    )
    passed_over(model, np.flatnonzero(overlooked))
    return int(chosen.size)


@jit
def _overlooked_rows(
    active, ambition, wait, level, wants_mgmt, time_in_role, promoted_at, applied, competence, engagement,
    load, on_path, from_level, min_months, month, high_competence, engagement_effect, bar,
) -> np.ndarray:
    """Who was passed over in ``fill_openings`` (a mask); performance as ``Workforce.performance``."""
    overlooked = np.empty(active.size, np.bool_)
    e = engagement_effect
    # A mask without short cuts (the tests combine with ``&``) compiles to vector code; testing
    # and collecting rows one by one ran four times slower, the tests being true at random.
    for i in range(active.size):
        performance = performance_of(competence[i], engagement[i], load[i], e)
        overlooked[i] = (
            active[i]
            & (ambition[i] >= 0.5)
            & (wait[i] <= 0)
            & (level[i] == from_level)
            & on_path[wants_mgmt[i] * 1]
            & (time_in_role[i] >= min_months)
            & (promoted_at[i] != month)
            & (applied[i] | (competence[i] >= high_competence))
            & (performance > bar)
        )
    return overlooked


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
    backing, due_rows = _settle_rows(
        wf.active, wf.promo_record, ledger.cols["outcome"], wf.promoted_at, wf.competence, wf.unwanted_role,
        rng.random(wf.capacity), month, pr.stick_window_months, pr.fit_threshold, pr.step_back_rate,
        pr.regret_step_back_rate,
    )
    if backing.size:
        step_back(model, backing)
    # Nobody due can have stepped back (the window is open or closed), so their competence is as read.
    n_stuck = _close_windows(
        due_rows, wf.promo_record, wf.competence, pr.fit_threshold, ledger.cols["outcome"], ledger.cols["decided"],
        ledger.n, month,
    )
    flow = model.flow
    flow["promotions_settled"] += due_rows.size
    flow["promotions_stuck"] += n_stuck

    dev = model.development
    dev.decide(dev.due(month, m.roi_window_months), FAILED, month)
    dec = model.decliners
    due_dec = dec.due(month, m.decliner_window_months)
    if due_dec.size:
        _settle_decliners(
            due_dec, dec.cols["row"], dec.cols["uid"], wf.active, wf.uid, dec.cols["outcome"], dec.cols["decided"],
            dec.n, month,
        )


@jit
def _close_windows(due_rows, promo_record, competence, fit, outcome, decided, n, month) -> int:
    """Settle the promotions of ``due_rows`` as stuck (competence at least ``fit``) or not; returns how many stuck.

    ``Ledger.decide`` of their records with the outcome of each, as the numpy version did it.
    """
    rec = np.empty(due_rows.size, np.int64)
    out = np.empty(due_rows.size, np.int8)
    n_stuck = 0
    for j in range(due_rows.size):
        i = due_rows[j]
        rec[j] = promo_record[i]
        stuck = competence[i] >= fit
        out[j] = SUCCEEDED if stuck else FAILED
        n_stuck += stuck
    if due_rows.size:
        _decide_rows(rec, out, outcome, decided, n, month)
    return n_stuck


@jit
def _settle_decliners(due, row, uid, active, wf_uid, outcome, decided, n, month) -> None:
    """Settle the due decliner records: succeeded if the person is still in the row they declined from."""
    out = np.empty(due.size, np.int8)
    for j in range(due.size):
        r = row[due[j]]
        out[j] = np.int8(active[r] and wf_uid[r] == uid[due[j]])
    _decide_rows(due, out, outcome, decided, n, month)


@jit
def _settle_rows(
    active, promo_record, outcome, promoted_at, competence, unwanted_role, draw, month, window, fit,
    step_back_rate, regret_rate,
) -> tuple[np.ndarray, np.ndarray]:
    """Who of the pending promotees steps back (by ``draw``) and whose window has closed, ascending.

    Only the few rows with a pending promotion are looked at beyond their record; the step-back
    probability is the numpy expression's, operation for operation, so the same draws decide.
    """
    backing = np.empty(active.size, np.int64)
    due = np.empty(active.size, np.int64)
    n_back = n_due = 0
    for i in range(active.size):
        rec = promo_record[i]
        if not active[i] or rec < 0 or outcome[rec] != PENDING:
            continue
        if month - promoted_at[i] < window:
            failing = 1.0 if competence[i] < fit else 0.0
            regret = 1.0 if unwanted_role[i] else 0.0
            p_back = 1.0 - (1.0 - step_back_rate * failing) * (1.0 - regret_rate * regret)
            if draw[i] < p_back:
                backing[n_back] = i
                n_back += 1
        else:
            due[n_due] = i
            n_due += 1
    return backing[:n_back], due[:n_due]


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

    Each (level, track) group offers its open, non-reserved positions lowest slot first (as
    ``Org.vacancies`` orders them); a row that moves frees its old position for its group, so
    a later row stepping back from the level above can take it.
    """
    wf, org = model.workforce, model.org
    return _step_back_slots(
        rows, wf.level, wf.wants_mgmt, wf.slot, org.occupant, org.track, model.reserved_external, org.bounds
    )


@jit
def _step_back_slots(rows, level, wants_mgmt, slot, occupant, slot_track, reserved, bounds):
    """``step_back_slots`` as one pass over ``rows``; nobody moves until it is over.

    A group's free positions are those open at the start, taken in order from a cursor (the
    lowest is always the next one: nothing is vacated or filled while this runs), and those
    freed on the way, kept in a small min-heap per group. The next position is the lower of
    the two, which is what one heap of both would give.
    """
    n_groups = bounds.shape[0] * 2
    cursor = np.empty(n_groups, np.int64)
    for g in range(n_groups):
        cursor[g] = bounds[g // 2, g % 2, 0]
    heap = np.empty((n_groups, max(rows.size, 1)), np.int64)
    heap_n = np.zeros(n_groups, np.int64)
    movers = np.empty(rows.size, np.int64)
    slots = np.empty(rows.size, np.int64)
    n = 0
    for row in rows:
        below = level[row] - 1
        if below < 0:
            continue
        prefer = 1 if wants_mgmt[row] else 0
        for track in (prefer, 1 - prefer):
            g = below * 2 + track
            stop = bounds[below, track, 1]
            while cursor[g] < stop and (occupant[cursor[g]] != VACANT or reserved[cursor[g]]):
                cursor[g] += 1
            has_open = cursor[g] < stop
            if not has_open and heap_n[g] == 0:
                continue
            if heap_n[g] > 0 and (not has_open or heap[g, 0] < cursor[g]):
                taken = _heap_pop(heap[g], heap_n[g])
                heap_n[g] -= 1
            else:
                taken = cursor[g]
                cursor[g] += 1
            movers[n] = row
            slots[n] = taken
            n += 1
            old = slot[row]
            if not reserved[old]:
                up = level[row] * 2 + slot_track[old]
                _heap_push(heap[up], heap_n[up], old)
                heap_n[up] += 1
            break
    return movers[:n], slots[:n]


@jit
def _heap_push(heap, n, value) -> None:
    """Add ``value`` to the min-heap in ``heap[:n]`` (the caller counts it)."""
    i = n
    heap[i] = value
    while i > 0:
        parent = (i - 1) // 2
        if heap[parent] <= heap[i]:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent


@jit
def _heap_pop(heap, n):
    """Remove and return the least of the min-heap in ``heap[:n]`` (the caller counts it)."""
    top = heap[0]
    n -= 1
    heap[0] = heap[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and heap[child + 1] < heap[child]:
            child += 1
        if heap[i] <= heap[child]:
            break
        heap[i], heap[child] = heap[child], heap[i]
        i = child
    return top


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
    wf = model.workforce
    rec = _vacate_rows(rows, wf.slot, model.org.occupant, wf.promo_record)
    model.promotions.decide(rec, FAILED, model.month)
    model.development.decide_pending_of(wf.uid[rows], FAILED, model.month)


@jit
def _vacate_rows(rows, slot, occupant, promo_record):
    """Mark the slots of ``rows`` vacant; returns their promotion records (those they have)."""
    rec = np.empty(rows.size, np.int64)
    k = 0
    for r in rows:
        occupant[slot[r]] = VACANT
        if promo_record[r] >= 0:
            rec[k] = promo_record[r]
            k += 1
    return rec[:k]
