"""Promotion rounds and what follows them: vacancy chains, offers, declines, and sticking.

At each promotion cycle openings are filled from the top level down (``policy.top_down``, the
default), so a promotion opens the promoted person's old position, which is filled in the same
round from the level below: a vacancy chain. Each opening is either filled from outside (with
the level's ``hire_share``) or offered to internal candidates in the policy's order until enough
accept. After a promotion, the person's competence in the new role is a mix of their old
competence and their readiness for the new role (the carry-over parameter spans the "Peter" and
"common sense" hypotheses); within a window the promotion sticks, or does not (poor fit, regret,
exit, stepping back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.behaviour import passed_over
from sim.compiled import jit
from sim.managers import fear_of, record_applications, record_declines
from sim.metrics import PROMOTED
from sim.org import VACANT
from sim.policies import POLICIES
from sim.random import uniform
from sim.records import FAILED, PENDING, SUCCEEDED, _decide_rows
from sim.scenario import MANAGEMENT, TRACKS
from sim.workforce import performance_of

if TYPE_CHECKING:
    from sim.model import PromotionModel

# Why people turn an offer down, as the decline events say it (indexed by decline_reasons).
DECLINE_REASONS = ("does not want to move up", "wants the other track", "wants it, but not now",
                   "wants it, but said no this time")  # the last: the 1 - accept_wanted of the willing


# A manager who believes someone leans this far one way (0.75 or 0.25) holds a view of their direction.
DIRECTION_KNOWN = 0.75


def promotion_round(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill openings at this cycle: applications, then level by level from the top."""
    sc, org = model.scenario, model.org
    apply_for_openings(model, model.stream("applications"))
    order = range(sc.n_levels - 1, 0, -1) if sc.policy.top_down else range(1, sc.n_levels)
    r_ext, r_rank, r_offer = model.stream("external"), model.stream("ranking"), model.stream("offers")
    reserved = model.reserved_external
    for level in order:
        hire_share = sc.organisation.levels[level].hire_share
        for track in (0, 1):
            start, stop = org.bounds[level, track]
            if start == stop:
                continue
            slots = _open_slots(org.occupant, reserved, start, stop)
            if slots.size == 0:
                continue
            internal = _reserve_external(slots, r_ext.random(slots.size), hire_share, reserved)
            if internal.size:
                filled = fill_openings(model, level, track, internal, r_rank, r_offer)
                if hire_share > 0:
                    reserved[internal[filled:]] = True


@jit
def _open_slots(occupant, reserved, start, stop) -> np.ndarray:
    """The vacant positions in ``[start, stop)`` not already reserved for an outside hire, ascending."""
    slots = np.empty(stop - start, np.int64)
    n = 0
    for s in range(start, stop):
        if occupant[s] == VACANT and not reserved[s]:
            slots[n] = s
            n += 1
    return slots[:n]


@jit
def _reserve_external(slots, draw, hire_share, reserved) -> np.ndarray:
    """Reserve ``slots`` for outside hires where ``draw < hire_share``; returns the others (internal)."""
    internal = np.empty(slots.size, np.int64)
    n = 0
    for j in range(slots.size):
        if draw[j] < hire_share:
            reserved[slots[j]] = True
        else:
            internal[n] = slots[j]
            n += 1
    return internal[:n]


def apply_for_openings(model: PromotionModel, rng: np.random.Generator) -> None:
    """People who want to move now, and dare, apply for openings one level up on their path (ODD 2.3, 7.8.1)."""
    wf, org, sc = model.workforce, model.org, model.scenario
    any_open, open_for = _openings_above(org.occupant, org.bounds, org.path_ok)
    applied, could_apply = _apply_rows(
        wf.active, wf.ambition, wf.wait, wf.masking, wf.level, wf.wants_mgmt, wf.risk_sensitivity, wf.applied,
        any_open, open_for, sc.behaviour.apply_rate, model.climate, rng.random(wf.capacity),
    )
    record_applications(model, applied)
    model.flow["applications"] += applied.size
    model.flow["could_apply"] += could_apply
    model.events.add(model.month, wf.uid[applied], "application", "applied for an opening")


@jit
def _openings_above(occupant, bounds, path_ok) -> tuple[np.ndarray, np.ndarray]:
    """Per level of an applicant: is anything open one level up, and on whose path (``open_for``).

    ``open_for[level * 2 + wants_mgmt]``: is an opening one level up on the path of someone at
    ``level`` wanting that direction.
    """
    n_levels = bounds.shape[0]
    any_open = np.zeros(n_levels, np.bool_)
    open_for = np.zeros(n_levels * 2, np.bool_)
    for level in range(1, n_levels):
        for track in range(2):
            vacant = False
            for s in range(bounds[level, track, 0], bounds[level, track, 1]):
                if occupant[s] == VACANT:
                    vacant = True
                    break
            if vacant:
                any_open[level - 1] = True
                for wants in range(2):
                    open_for[(level - 1) * 2 + wants] |= path_ok[level, wants, track]
    return any_open, open_for


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


def candidates(model: PromotionModel, from_level: int, track: int) -> tuple[np.ndarray, np.ndarray]:
    """Who is considered for an opening on ``track`` one level above ``from_level``, and who wants it.

    Under the application policy only applicants are considered; with
    ``policy.require_believed_interest`` off, everyone eligible; otherwise whoever the manager
    believes is interested (and has not written off), plus anyone who applied and for whom this
    opening lies on their path.
    The second array holds those who want exactly this move now and would notice being passed
    over (docs/ODD.md 7.8.6), whether considered or not; ``fill_openings`` settles which of them
    were. Both ascending, from one pass over the rows.
    """
    wf, sc, pol = model.workforce, model.scenario, model.scenario.policy
    # 0: applicants only; 1: everyone eligible; 2: believed interested or applied.
    rule = 0 if pol.name == "application" else 1 if not pol.require_believed_interest else 2
    direction = model.consider_direction and model.org.track_exists(from_level + 1, 1 - track)
    return _candidate_rows(
        wf.active, wf.level, wf.time_in_role, wf.promoted_at, wf.b_ready, wf.applied, wf.wants_mgmt,
        wf.b_interest, wf.b_refused, wf.b_mgmt, wf.told_at, wf.ambition, wf.wait, wf.competence,
        model.org.path_ok[from_level + 1, :, track], from_level, sc.organisation.min_months_in_role, model.month,
        model.readiness_floor, rule, pol.candidate_interest, direction, track == MANAGEMENT,
        sc.metrics.high_performer_competence,
    )


@jit
def _candidate_rows(
    active, level, time_in_role, promoted_at, b_ready, applied, wants_mgmt, b_interest, b_refused, b_mgmt, told_at,
    ambition, wait, competence, on_path, from_level, min_months, month, readiness_floor, rule, candidate_interest,
    direction, to_mgmt, high_competence,
) -> tuple[np.ndarray, np.ndarray]:
    """``candidates`` in one pass; ``on_path[wants_mgmt]`` is ``Org.wanted_move``'s answer.

    The tests are combined with ``&`` into one code per row without short cuts, which compiles
    to vector code; testing and collecting rows one by one ran four times slower, the tests
    being true at random. The few rows with a code are collected in a second pass.
    """
    code = np.empty(active.size, np.int8)
    for i in range(active.size):
        applied_here = applied[i] & on_path[wants_mgmt[i] * 1]
        believed = (b_interest[i] >= candidate_interest) & ~b_refused[i]
        # Direction counts only for those asked in a career conversation in the last year whose
        # manager holds a view of it (0.75 or more either way): the lever's own knowledge. Applied to
        # everyone, it sorted people never asked by the prior's 0.5, and worked at coverage 0.
        known = ((month - told_at[i]) < 12) & (abs(b_mgmt[i] - 0.5) >= DIRECTION_KNOWN - 0.5)
        believed = believed & ((not direction) | ~known | ((b_mgmt[i] >= 0.5) == to_mgmt))
        eligible = (
            active[i] & (level[i] == from_level) & (time_in_role[i] >= min_months) & (promoted_at[i] != month)
        )
        considered = (
            eligible
            & (b_ready[i] >= readiness_floor)
            & (((rule == 0) & applied_here) | (rule == 1) | ((rule == 2) & (believed | applied_here)))
        )
        wanting = (
            eligible
            & (ambition[i] >= 0.5)
            & (wait[i] <= 0)
            & on_path[wants_mgmt[i] * 1]
            & (applied[i] | (competence[i] >= high_competence))
        )
        code[i] = considered * 1 + wanting * 2
    pool = np.empty(active.size, np.int64)
    want = np.empty(active.size, np.int64)
    n_pool = n_want = 0
    for i in range(active.size):
        if code[i] & 1:
            pool[n_pool] = i
            n_pool += 1
        if code[i] & 2:
            want[n_want] = i
            n_want += 1
    return pool[:n_pool], want[:n_want]


def fill_openings(
    model: PromotionModel,
    level: int,
    track: int,
    slots: np.ndarray,
    r_rank: np.random.Generator,
    r_offer: np.random.Generator,
) -> int:
    """Offer ``slots`` to candidates in policy order until enough accept; returns how many filled.

    The offers, their answers and the managers' reading of the declines are one compiled pass
    (``_offer_rows``); what stays in Python is what cannot be compiled (the policy's scoring,
    the draws, the event log and ledgers) and ``promote``, which tests replace.
    """
    wf, sc = model.workforce, model.scenario
    pool, wanting = candidates(model, level - 1, track)
    if pool.size == 0:
        return 0
    policy = "readiness" if model.rank_by_readiness and sc.policy.name != "application" else sc.policy.name
    score = POLICIES[policy](model, pool, track, r_rank)
    declinable = sc.policy.offers_can_be_declined
    pr, mgr = sc.promotion, sc.managers
    offered, chosen, declined, reasons, perf_of_chosen, overlooked = _offer_rows(
        pool, np.asarray(score, dtype=np.float64), r_offer.random(wf.capacity) if declinable else _NO_DRAWS,
        slots.size, declinable, wf.ambition, wf.wait, wf.wants_mgmt, model.org.path_ok[level, :, track],
        model.org.alternative_at[level],
        np.array([pr.accept_unwanted, pr.accept_wrong_track, pr.accept_later, pr.accept_wanted, pr.accept_other_track]),
        wf.competence, wf.engagement, wf.load, wf.engagement_effect,
        mgr.heuristics.decline_as_permanent, wf.b_interest, wf.b_refused, wf.declined_at, model.month, wanting,
    )
    name = f"{sc.organisation.levels[level].name} ({TRACKS[track]})"
    model.flow["offers"] += offered.size
    model.events.add(model.month, wf.uid[offered], "offer", f"offered {name}")
    decline_reasons(model, declined, reasons, name)
    promote(model, chosen, slots[: chosen.size], track, perf_of_chosen)
    # Passed over: wanted the move, asked for it or is a high performer, and saw someone who
    # performs worse chosen instead (the unfairness is what stings).
    passed_over(model, overlooked)
    return int(chosen.size)


_NO_DRAWS = np.zeros(0)

# What an offer means to the person, by what they truly want (``_offer_kind``): the index into
# the acceptance probabilities ``_offer_rows`` is given; the decline reason is ``_REASON[kind]``.
_UNWANTED, _WRONG_TRACK, _LATER, _WANTED, _OTHER_TRACK = 0, 1, 2, 3, 4
_REASON = np.array([0, 1, 2, 3, 1], dtype=np.int8)  # DECLINE_REASONS: either wrong track "wants the other track"


@jit
def _offer_kind(ambition: float, wait: float, on_path: bool, own_track_here: bool) -> int:
    """What the offer is to the person: the five rows of ODD 7.8.4's table.

    Not an aspirant; an aspirant off their path, with or without a role on their own track at
    this level to wait for; on it but wanting to wait; wanting it now.
    """
    if ambition < 0.5:
        return _UNWANTED
    if not on_path:
        return _OTHER_TRACK if own_track_here else _WRONG_TRACK
    return _WANTED if wait <= 0 else _LATER


@jit
def _offer_rows(
    pool, score, draw, n, declinable, ambition, wait, wants_mgmt, on_path, tracks_here, accept, competence,
    engagement, load, engagement_effect, decline_as_permanent, b_interest, b_refused, declined_at, month, wanting,
):
    """Rank ``pool`` by ``score`` and offer until ``n`` accept.

    Returns (offered, chosen, declined, the decliners' reasons, the chosen's performance, the
    passed over). The ranking is the stable sort of negated scores (ties in row order). Person
    ``i`` accepts when ``draw[i]`` is below ``accept[_offer_kind(...)]``; without declines the
    first ``n`` are chosen. Declines are read by the manager as ``managers.record_declines`` says.

    Passed over: those of ``wanting`` (ascending) not offered the move who perform better than
    the worst performer chosen (nobody, when nobody is). Someone who declined was offered it and
    said no: they did not see someone else get it. Performance is read before anyone moves,
    which is what it is after the moves for everyone but the chosen. A decline changes nothing
    that this reads.
    """
    order = pool[np.argsort(-score, kind="mergesort")]
    accepted = np.ones(order.size, np.bool_)
    reason = np.zeros(order.size, np.int8)
    if declinable:
        n_offered = order.size
        n_yes = 0
        for j in range(order.size):
            i = order[j]
            wants = wants_mgmt[i] * 1
            kind = _offer_kind(ambition[i], wait[i], on_path[wants], tracks_here[wants])
            accepted[j] = draw[i] < accept[kind]
            reason[j] = _REASON[kind]
            n_yes += accepted[j]
            if n_yes >= n:
                n_offered = j + 1
                break
    else:
        n_offered = min(n, order.size)
    offered = order[:n_offered]
    chosen = offered[accepted[:n_offered]]
    no = ~accepted[:n_offered]
    declined = offered[no]
    record_declines(declined, decline_as_permanent, b_interest, b_refused, declined_at, month)
    perf = np.empty(chosen.size)
    bar = np.inf
    for j in range(chosen.size):
        i = chosen[j]
        perf[j] = performance_of(competence[i], engagement[i], load[i], engagement_effect)
        bar = min(bar, perf[j])
    asked = np.sort(offered)
    overlooked = np.empty(wanting.size, np.int64)
    n_over = 0
    for i in wanting:
        k = np.searchsorted(asked, i)
        if k < asked.size and asked[k] == i:
            continue
        if performance_of(competence[i], engagement[i], load[i], engagement_effect) > bar:
            overlooked[n_over] = i
            n_over += 1
    return offered, chosen, declined, reason[:n_offered][no], perf, overlooked[:n_over]


def decline_reasons(model: PromotionModel, rows: np.ndarray, reasons: np.ndarray, name: str) -> None:
    """Log declines with the reason the person knows and the manager does not (``reasons``, from ``_offer_rows``)."""
    if rows.size == 0:
        return
    wf = model.workforce
    model.events.add_described(
        model.month, wf.uid[rows], "decline", lambda r: f"declined {name}: {DECLINE_REASONS[r]}", reasons
    )
    model.flow["declines"] += rows.size
    model.decliners.append(step=model.month, uid=wf.uid[rows], row=rows, group=wf.group[rows])


def promote(
    model: PromotionModel, rows: np.ndarray, slots: np.ndarray, track: int, pre_performance: np.ndarray
) -> None:
    """Move ``rows`` into ``slots``: competence carries over partly, readiness resets.

    ``pre_performance`` is their performance in the role they leave (for the ledger). The moves
    and the arithmetic are one compiled pass (``_promoted_rows``), fed with this (level,
    track)'s draws in the order the numpy version made them.
    """
    if rows.size == 0:
        return
    wf, org, sc = model.workforce, model.org, model.scenario
    pr, emp, beh = sc.promotion, sc.employees, sc.behaviour
    to_level = int(org.level[slots[0]])
    rng = model.stream(f"promotion_outcome.{to_level}.{track}")
    if pr.carry_over_noise_kind == "uniform":
        noise = rng.uniform(-pr.carry_over_noise, pr.carry_over_noise, rows.size)
    else:
        noise = rng.normal(0.0, pr.carry_over_noise, rows.size)
    fresh_m = rng.normal(emp.management_readiness.mean, emp.management_readiness.sd, rows.size)
    fresh_s = rng.normal(emp.specialist_readiness.mean, emp.specialist_readiness.sd, rows.size)
    ledger = model.promotions
    from_level, pre_competence, unwanted, timing, wrong_fit, movers = _promoted_rows(
        rows, slots, noise, fresh_m, fresh_s, track, org.path_ok[to_level, :, track], pr.carry_over_same_track,
        pr.carry_over_cross_track, beh.readiness_persistence, beh.readiness_step, pr.fit_threshold,
        beh.success_ambition_gain, model.month, wf.competence, wf.mgmt_ready, wf.spec_ready, wf.ambition, wf.wait,
        wf.wants_mgmt, wf.unwanted_role, wf.b_later, wf.promoted_at, wf.promo_record, ledger.cols["outcome"],
        ledger.cols["decided"], ledger.n, org.occupant, org.parent, org.level, org.track, wf.slot, wf.boss_slot,
        wf.level, wf.track, wf.time_in_role, model.moves[PROMOTED], wf.group, to_level,
    )
    wf.promo_record[rows] = ledger.append(
        step=model.month, uid=wf.uid[rows], row=rows, group=wf.group[rows], from_level=from_level, to_level=to_level,
        track=track, unwanted=unwanted, timing=timing, wrong_fit=wrong_fit, pre_performance=pre_performance,
        pre_competence=pre_competence, post_competence=wf.competence[rows],
    )
    # Development paid off if it was aimed the way the person wants to go and they made a wanted move.
    model.development.decide_pending_of(
        wf.uid[movers], SUCCEEDED, model.month, where=("toward_mgmt", wf.wants_mgmt[movers])
    )
    flow = model.flow
    flow["promotions"] += rows.size
    # count_nonzero: the same counts as sum() of a boolean array, without numpy's reduction set-up
    flow["unwanted_promotions"] += int(np.count_nonzero(unwanted))
    flow["timing_promotions"] += int(np.count_nonzero(timing))
    flow["wrong_fit_promotions"] += int(np.count_nonzero(wrong_fit))
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


@jit
def _promoted_rows(
    rows, slots, noise, fresh_m, fresh_s, track, on_path, carry_same, carry_cross, rho, step, fit, ambition_gain,
    month, competence, mgmt_ready, spec_ready, ambition, wait, wants_mgmt, unwanted_role, b_later, promoted_at,
    promo_record, outcome, decided, n_records, occupant, parent, slot_level, slot_track, slot, boss_slot, level,
    track_of, time_in_role, promoted, group, to_level,
):
    """``promote``'s moves (``move_rows``) and arithmetic, in one pass.

    Returns (from level, competence before, unwanted, timing, wrong fit, the movers who wanted
    it). Operation for operation the numpy expressions it replaced (so the same numbers come out):
    ``clip(carry * pre + (1 - carry) * ready + noise, 0, 10)`` and so on. A pending earlier
    promotion of a row is settled as stuck (``Ledger.decide``), before the new record is added.
    Each promotion adds 1 to its (group, ``to_level``, track) cell of ``promoted``
    (``model.moves[PROMOTED]``), as ``np.add.at`` did: whole numbers, the same sums in any order.
    """
    k = rows.size
    old_track = track_of[rows]
    from_level = level[rows]
    pre_competence = competence[rows]
    if not move_rows(
        rows, slots, occupant, parent, slot_level, slot_track, slot, boss_slot, level, track_of, time_in_role,
    ):
        raise RuntimeError("a position would be over-filled")
    unwanted = np.empty(k, np.bool_)
    timing = np.empty(k, np.bool_)
    wrong_fit = np.empty(k, np.bool_)
    movers = np.empty(k, np.int64)
    earlier = np.empty(k, np.int64)
    n_movers = n_earlier = 0
    for j in range(k):
        i = rows[j]
        promoted[group[i], to_level, track] += 1.0
        promoted_at[i] = month
        carry = carry_same if old_track[j] == track else carry_cross
        ready = mgmt_ready[i] if track == MANAGEMENT else spec_ready[i]
        competence[i] = min(max(carry * pre_competence[j] + (1.0 - carry) * ready + noise[j], 0.0), 10.0)
        mgmt_ready[i] = min(max(rho * mgmt_ready[i] + (1 - rho) * fresh_m[j] - step, 0.0), 10.0)
        spec_ready[i] = min(max(rho * spec_ready[i] + (1 - rho) * fresh_s[j] - step, 0.0), 10.0)
        aspiring = ambition[i] >= 0.5
        right_way = on_path[wants_mgmt[i] * 1]
        now = wait[i] <= 0
        unwanted[j] = not aspiring or not right_way
        timing[j] = aspiring and right_way and not now
        wrong_fit[j] = competence[i] < fit
        unwanted_role[i] = unwanted[j]
        if aspiring and right_way and now:
            ambition[i] = min(ambition[i] + ambition_gain, 1.0)
            movers[n_movers] = i
            n_movers += 1
        b_later[i] = False
        if promo_record[i] >= 0:
            earlier[n_earlier] = promo_record[i]
            n_earlier += 1
    _decide_rows(earlier[:n_earlier], np.full(1, SUCCEEDED, np.int8), outcome, decided, n_records, month)
    return from_level, pre_competence, unwanted, timing, wrong_fit, movers[:n_movers]


def settle_promotions(model: PromotionModel, rng: np.random.Generator) -> None:
    """Monthly: struggling or regretful recent promotees may step back; windows close."""
    wf, sc = model.workforce, model.scenario
    pr, m = sc.promotion, sc.metrics
    month = model.month
    ledger = model.promotions
    ledger.first_pending, backing, due_rows = _settle_rows(
        ledger.first_pending, ledger.n, ledger.cols["row"], ledger.cols["outcome"], wf.active, wf.promo_record,
        wf.promoted_at, wf.competence, wf.unwanted_role, model.stream_key("outcomes"), month,
        pr.stick_window_months, pr.fit_threshold, pr.step_back_rate, pr.regret_step_back_rate,
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
    dev.decide_due(month, m.roi_window_months, FAILED)
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
    first, n_records, record_row, outcome, active, promo_record, promoted_at, competence, unwanted_role, key, month,
    window, fit, step_back_rate, regret_rate,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Who of the pending promotees steps back and whose window has closed, ascending rows.

    Walks the ledger's open tail (records from ``first``, the oldest pending one, on), not
    every row: a row is looked at when its current promotion record is pending, as before.
    Row ``i`` steps back when counter ``i`` of ``key`` falls below its step-back probability.
    Returns the new oldest pending record too.
    """
    backing = np.empty(n_records - first, np.int64)
    due = np.empty(n_records - first, np.int64)
    n_back = n_due = 0
    new_first = n_records
    for rec in range(first, n_records):
        if outcome[rec] != PENDING:
            continue
        new_first = min(new_first, rec)
        i = record_row[rec]
        if not active[i] or promo_record[i] != rec:
            continue
        if month - promoted_at[i] < window:
            failing = 1.0 if competence[i] < fit else 0.0
            regret = 1.0 if unwanted_role[i] else 0.0
            p_back = 1.0 - (1.0 - step_back_rate * failing) * (1.0 - regret_rate * regret)
            if uniform(key, i) < p_back:
                backing[n_back] = i
                n_back += 1
        else:
            due[n_due] = i
            n_due += 1
    return new_first, np.sort(backing[:n_back]), np.sort(due[:n_due])


def step_back(model: PromotionModel, rows: np.ndarray) -> None:
    """Promotions that did not work out: back one level, for those with a position open there.

    ``rows`` (ascending) are served in order, as if one at a time: each takes the first open,
    non-reserved position of the track they want at the level below, else of the other track,
    else stays. Those served before free their positions for those served after.
    """
    if rows.size == 0:
        return
    wf, org, ledger = model.workforce, model.org, model.promotions
    movers = _step_back_rows(
        rows, wf.level, wf.wants_mgmt, wf.slot, wf.boss_slot, wf.track, wf.time_in_role, wf.competence,
        wf.unwanted_role, wf.promo_record, org.occupant, org.parent, org.level, org.track, model.reserved_external,
        org.bounds, ledger.cols["pre_competence"], ledger.cols["outcome"], ledger.cols["decided"], ledger.n,
        model.month,
    )
    if movers.size == 0:
        return
    model.flow["promotions_settled"] += movers.size
    model.flow["step_backs"] += movers.size
    model.events.add(model.month, wf.uid[movers], "step_back", "stepped back from a promotion that did not work out")


@jit
def _step_back_rows(
    rows, level, wants_mgmt, slot, boss_slot, track, time_in_role, competence, unwanted_role, promo_record,
    occupant, parent, slot_level, slot_track, reserved, bounds, pre_competence, outcome, decided, n, month,
) -> np.ndarray:
    """``step_back``'s work: who moves where (``_step_back_slots``), the moves, and their records.

    Each mover gets back the competence they had before the promotion, is no longer in an
    unwanted role, and the promotion is settled as failed. Returns the movers, in order.
    """
    movers, slots = _step_back_slots(rows, level, wants_mgmt, slot, occupant, slot_track, reserved, bounds)
    # One at a time, so that a position freed by an earlier mover is open for a later one.
    for j in range(movers.size):
        if not move_rows(
            movers[j:j + 1], slots[j:j + 1], occupant, parent, slot_level, slot_track, slot, boss_slot, level,
            track, time_in_role,
        ):
            raise RuntimeError("a position would be over-filled")
    rec = np.empty(movers.size, np.int64)
    for j in range(movers.size):
        i = movers[j]
        rec[j] = promo_record[i]
        competence[i] = pre_competence[rec[j]]
        unwanted_role[i] = False
    _decide_rows(rec, np.full(1, FAILED, np.int8), outcome, decided, n, month)
    return movers


@jit
def move_rows(
    rows, slots, occupant, parent, slot_level, slot_track, slot, boss_slot, level, track, time_in_role,
) -> bool:
    """Move ``rows`` into the vacant ``slots`` (``PromotionModel.move``); False, moving nobody, if one is taken.

    Every target must be open before any moves, so a position one of ``rows`` leaves cannot be
    another's target in the same call.
    """
    for s in slots:
        if occupant[s] != VACANT:
            return False
    for j in range(rows.size):
        r, s = rows[j], slots[j]
        occupant[slot[r]] = VACANT
        occupant[s] = r
        slot[r] = s
        boss_slot[r] = parent[s]
        level[r] = slot_level[s]
        track[r] = slot_track[s]
        time_in_role[r] = 0
    return True


@jit
def _step_back_slots(rows, level, wants_mgmt, slot, occupant, slot_track, reserved, bounds):
    """Who of ``rows`` (ascending) can step back, and into which position, served one by one.

    Each (level, track) group offers its open, non-reserved positions lowest slot first (as
    ``Org.vacancies`` orders them); a row that moves frees its old position for its group, so
    a later row stepping back from the level above can take it. One pass over ``rows``; nobody
    moves until it is over.

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
