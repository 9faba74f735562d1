"""A per-agent reference of promosim's baseline mechanisms, written the way a typical Mesa model is.

Each ``Employee`` is a ``mesa.Agent`` with plain attributes and its own methods, and the model's
``step`` runs them one agent at a time, phase after phase, in the order of docs/ODD.md
(section 3). The equations are those of docs/ODD.md section 7; where the document and the engine
differ, this follows the engine (sim/*.py), which is what runs. Parameters come from the same
``Scenario`` object as the engine (``sim.load_scenario``), but no engine code or random stream
is shared: everything is drawn from Mesa's ``model.random`` (Python's ``random.Random``), so the
two agree in distribution, not draw by draw.

It serves twice:

- as a correctness oracle: tests/test_reference.py compares the distributions over seeds of the
  headline summary metrics of the engine and of this model;
- as the speed baseline: benchmarks/bench_compare.py times both in one process.

Covered (baseline mechanisms): signals, voice and masking; risks and micro-penalties; managers'
beliefs with the three misread heuristics; annual reviews (stretch offers, development);
learning, aspiration drift, life events and engagement; annual promotion rounds (top-down or
bottom-up) with applications, candidates, the ``visibility`` policy, offers and declines,
vacancy chains and carry-over; sticking and step-backs; exits (hazard with passed over,
mis-placed, plateau and disengagement; retirement); hiring; and the summary metrics. Not
covered (``NotImplementedError``): interventions, named people, organisation data files,
policies other than ``visibility``, dismissal.

    import sys; sys.path.insert(0, "benchmarks")
    from reference_model import ReferenceModel
    model = ReferenceModel(scenario="baseline", rng=1, headcount=300, overrides={"years": 5})
    summary = model.run()
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa

from sim import Scenario, load_scenario

SPECIALIST, MANAGEMENT = 0, 1
TRACK_NAMES = ("specialist", "management")
NEVER = -(10**9)
NAN = float("nan")


def clip(x: float, lo: float, hi: float) -> float:
    """``x`` limited to [lo, hi]."""
    return lo if x < lo else hi if x > hi else x


def ratio(num: float, den: float) -> float:
    """Num / den, or NaN when there is nothing to divide by (docs/ODD.md 7.12.1)."""
    return num / den if den > 0 else NAN


def capped(rate: float) -> float:
    """A rate capped at 1; NaN stays NaN."""
    return rate if math.isnan(rate) else min(1.0, rate)


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo])


class Record:
    """A decision judged later: a promotion (did it stick?), development (did it pay?), a decline."""

    def __init__(self, month: int, person: Employee, *, toward_mgmt: bool = False, pre_competence: float = 0.0):
        self.month = month
        self.person = person
        self.toward_mgmt = toward_mgmt
        self.pre_competence = pre_competence
        self.outcome: bool | None = None  # None while pending
        self.decided: int | None = None

    @property
    def pending(self) -> bool:
        """Not settled yet."""
        return self.outcome is None

    def settle(self, success: bool, month: int) -> None:
        """Record the outcome (a record is settled once; later calls are ignored)."""
        if self.outcome is None:
            self.outcome, self.decided = bool(success), month


class Position:
    """A seat in the hierarchy: level, track, the management seat it reports to, who holds it."""

    def __init__(self, index: int, level: int, track: int):
        self.index = index
        self.level = level
        self.track = track
        self.parent: Position | None = None
        self.occupant: Employee | None = None
        self.reserved_external = False
        self.is_key = False

    @property
    def vacant(self) -> bool:
        """Nobody holds the seat."""
        return self.occupant is None


class Organisation:
    """The fixed pyramid of positions (docs/ODD.md 2.3), built from the scenario's levels."""

    def __init__(self, scenario: Scenario):
        levels = scenario.organisation.levels
        self.n_levels = len(levels)
        self.min_share = scenario.promotion.other_track_min_share
        self.positions: list[Position] = []
        self.seats: dict[tuple[int, int], list[Position]] = {}
        for li, level in enumerate(levels):
            for track, name in enumerate(TRACK_NAMES):
                seats = [Position(len(self.positions) + k, li, track) for k in range(level.positions.get(name, 0))]
                self.seats[(li, track)] = seats
                self.positions.extend(seats)
        # Teams: every seat reports round-robin to the management seats of the nearest level above
        # that has any.
        for li in range(self.n_levels):
            above = next((m for m in range(li + 1, self.n_levels) if self.exists(m, MANAGEMENT)), None)
            if above is None:
                continue
            bosses = self.seats[(above, MANAGEMENT)]
            for k, seat in enumerate(self.seats[(li, SPECIALIST)] + self.seats[(li, MANAGEMENT)]):
                seat.parent = bosses[k % len(bosses)]
        key_from = max(0, self.n_levels - scenario.metrics.key_levels)
        for seat in self.positions:
            seat.is_key = seat.level >= key_from
        # Which roles lie on whose path; precomputed because it is asked for every person often.
        self._on_path = {
            (level, wants, track): self._path_rule(level, wants, track)
            for level in range(self.n_levels) for wants in (False, True) for track in (SPECIALIST, MANAGEMENT)
        }
        self._next_on_path = {
            (level, wants): any(self.on_path(level + 1, wants, t) for t in (SPECIALIST, MANAGEMENT))
            for level in range(self.n_levels - 1) for wants in (False, True)
        }

    def exists(self, level: int, track: int) -> bool:
        """Whether a level has any position on a track."""
        return bool(self.seats.get((level, track)))

    def alternative(self, level: int, track: int) -> bool:
        """7.8.4: whether the track is a real alternative at the level (``promotion.other_track_min_share``)."""
        here = len(self.seats.get((level, track), ()))
        total = here + len(self.seats.get((level, 1 - track), ()))
        return here > 0 and here >= self.min_share * total

    def _path_rule(self, level: int, wants_mgmt: bool, track: int) -> bool:
        """Their own track where it exists at that level; where it exists only higher up, any rung."""
        wanted = int(wants_mgmt)
        if self.exists(level, wanted):
            return track == wanted
        if any(self.exists(m, wanted) for m in range(level + 1, self.n_levels)):
            return self.exists(level, track)
        return False

    def on_path(self, level: int, wants_mgmt: bool, track: int) -> bool:
        """Whether a role at (level, track) lies on the path of someone wanting that direction."""
        return self._on_path.get((level, wants_mgmt, track), False)

    def next_on_path(self, level: int, wants_mgmt: bool) -> bool:
        """Whether some role one level up lies on the person's path."""
        return self._next_on_path.get((level, wants_mgmt), False)

    def open_seats(self, level: int, track: int) -> list[Position]:
        """Vacant seats at a level on a track that are not reserved for an outside hire."""
        return [s for s in self.seats.get((level, track), []) if s.occupant is None and not s.reserved_external]


class Employee(mesa.Agent):
    """One person, with hidden traits and what their current manager believes about them."""

    model: ReferenceModel

    def __init__(self, model: ReferenceModel, *, hiring: bool):
        super().__init__(model)
        sc, r = model.scenario, model.random
        emp = sc.employees
        self.position: Position | None = None
        # Group and the calibrated aspiration categories (docs/ODD.md section 5, step 3).
        shares = [g.hiring_share if hiring else g.workforce_share for g in sc.groups]
        self.group = r.choices(range(len(shares)), weights=shares)[0]
        grp = sc.groups[self.group]
        lead, spec = grp.leadership_aspiration, grp.specialist_aspiration
        u = r.random()
        wants_lead, wants_spec = u < lead, lead <= u < lead + spec
        strength = 0.5 * r.betavariate(2.0, 2.0)
        self.ambition = 0.5 + strength if (wants_lead or wants_spec) else strength
        if wants_lead or wants_spec:
            self.wants_mgmt = wants_lead
        else:
            self.wants_mgmt = r.random() < (lead / (lead + spec) if lead + spec > 0 else 0.5)
        lo, hi = emp.timing_delay_months
        later = (wants_lead or wants_spec) and r.random() < emp.timing_later_share
        self.wait = r.randint(lo, hi) if later else 0
        age = emp.hire_age if hiring else emp.age
        self.age = clip(r.gauss(age.mean, age.sd), 18.0, sc.exits.retirement_age - 0.5)
        self.tenure = 0 if hiring else int(r.random() * min(max((self.age - 21.0) * 12.0, 0.0), 240))
        self.time_in_role = 0 if hiring else int(r.random() * min(self.tenure, 60))
        self.visibility = clip(r.betavariate(emp.visibility.a, emp.visibility.b) + grp.visibility_shift, 0.0, 1.0)
        self.risk_sensitivity = r.betavariate(emp.risk_sensitivity.a, emp.risk_sensitivity.b)
        self.engagement = self.base_engagement = r.betavariate(emp.engagement.a, emp.engagement.b)
        self.competence = clip(r.gauss(emp.competence.mean, emp.competence.sd), 0.0, 10.0)
        self.mgmt_ready = clip(r.gauss(emp.management_readiness.mean, emp.management_readiness.sd), 0.0, 10.0)
        self.spec_ready = clip(r.gauss(emp.specialist_readiness.mean, emp.specialist_readiness.sd), 0.0, 10.0)
        # What the manager believes (docs/ODD.md 2.2: it belongs to whoever holds the parent seat).
        self.believed_interest = sc.managers.prior_interest
        self.believed_mgmt = 0.5
        self.believed_ready = self.competence
        self.written_off = False  # b_refused
        self.known_later = False  # b_later
        self.believer = -1  # uid of the manager whose beliefs these are
        # Signals and history.
        self.voiced = self.masking = self.applied = self.unwanted_role = False
        self.last_voice = self.passed_over_at = self.declined_at = self.promoted_at = NEVER
        self.stretch_until = NEVER
        self.penalties = 0
        self.promo_record: Record | None = None
        self.dev_records: list[Record] = []  # development spent on this person

    # -- derived quantities ------------------------------------------------------------------
    @property
    def level(self) -> int:
        """Level of the seat held."""
        return self.position.level

    @property
    def track(self) -> int:
        """Track of the seat held (0 specialist, 1 management)."""
        return self.position.track

    @property
    def aspiring(self) -> bool:
        """Wants to advance (now or later)."""
        return self.ambition >= 0.5

    @property
    def wants_now(self) -> bool:
        """Wants to advance, and now."""
        return self.ambition >= 0.5 and self.wait <= 0

    @property
    def fear(self) -> float:
        """Own risk sensitivity scaled by the climate (docs/ODD.md 7.2)."""
        return clip(self.risk_sensitivity * (0.5 + self.model.climate), 0.0, 1.0)

    @property
    def performance(self) -> float:
        """Competence dented by disengagement (docs/ODD.md 2.1)."""
        e = self.model.scenario.behaviour.engagement_effect
        return self.competence * (1.0 - e + e * self.engagement)

    def readiness(self, toward_mgmt: bool | int) -> float:
        """Readiness for the next level on a track."""
        return self.mgmt_ready if toward_mgmt else self.spec_ready

    def manager(self) -> Employee | None:
        """Whoever holds the seat this person's seat reports to."""
        parent = self.position.parent
        return parent.occupant if parent is not None else None

    @property
    def plateaued(self) -> bool:
        """Wants to move now but no role on the path is one level up, or waited too long (7.10)."""
        sc = self.model.scenario
        return self.wants_now and (
            not self.model.org.next_on_path(self.level, self.wants_mgmt)
            or self.time_in_role >= sc.metrics.plateau_months
        )

    def rating(self) -> float:
        """The manager's rating: performance, the group's bias and fresh noise (7.5.4)."""
        sc = self.model.scenario
        return self.performance + sc.groups[self.group].rating_bias + self.model.random.gauss(
            0.0, sc.managers.rating_noise
        )

    # -- monthly phases, one person at a time -----------------------------------------------
    def advance_clock(self) -> None:
        """7.1: a month passes."""
        self.age += 1.0 / 12.0
        self.tenure += 1
        self.time_in_role += 1
        self.wait = max(self.wait - 1, 0)

    def emit_signals(self) -> None:
        """7.3-7.4: mask or voice a career wish; take a risk, which may fail and be penalised."""
        model, r = self.model, self.model.random
        beh = model.scenario.behaviour
        fear = self.fear
        self.masking = self.aspiring and fear > self.ambition
        p_voice = beh.voice_rate * (0.25 + 0.75 * self.visibility)
        p_voice *= 1.0 - model.scenario.groups[self.group].ambition_suppression
        if self.wait > 0:
            p_voice *= 0.5
        self.voiced = self.aspiring and not self.masking and r.random() < p_voice
        if self.voiced:
            self.last_voice = model.month
            self.known_later = self.wait > 0
        if r.random() < beh.risk_rate * (1.0 - fear):
            if r.random() < beh.risk_failure:
                self.penalise()
            else:
                self.risk_sensitivity *= 1.0 - beh.safe_sensitivity_decay

    def penalise(self) -> None:
        """A failure is penalised with the climate's probability (a micro-penalty), else forgiven."""
        model = self.model
        beh = model.scenario.behaviour
        if model.random.random() < model.climate:
            self.risk_sensitivity += beh.penalty_sensitivity_gain * (1.0 - self.risk_sensitivity)
            self.engagement = max(self.engagement - beh.penalty_engagement_drop, 0.0)
            self.penalties += 1
            model.flow["micro_penalties"] += 1
        else:
            self.risk_sensitivity *= 1.0 - beh.safe_sensitivity_decay

    def update_beliefs(self) -> None:
        """7.5: a new manager starts over; voice, silence and ratings move the manager's beliefs."""
        mgr = self.model.scenario.managers
        boss = self.manager()
        rating = self.rating()  # one rating a month; a new manager's first is where belief starts
        if boss is not None and boss.unique_id != self.believer:
            self.believed_interest = mgr.prior_interest
            self.believed_mgmt = 0.5
            self.believed_ready = rating
            self.written_off = False
            self.known_later = self.known_later and self.voiced  # said to the new manager this month (7.5.1)
            self.believer = boss.unique_id
        if self.voiced:
            self.believed_interest += mgr.voice_weight * (1.0 - self.believed_interest)
            self.believed_mgmt += 0.5 * (float(self.wants_mgmt) - self.believed_mgmt)
        elif mgr.heuristics.silence_as_disinterest:
            self.believed_interest *= 1.0 - mgr.silence_decay  # silence read as disinterest
        else:
            self.believed_interest += 0.05 * (mgr.prior_interest - self.believed_interest)  # just unsure
        evidence = rating
        if mgr.heuristics.visibility_as_readiness:
            evidence = mgr.visibility_weight * 10.0 * self.visibility + (1.0 - mgr.visibility_weight) * evidence
        self.believed_ready += mgr.readiness_learning * (evidence - self.believed_ready)

    def learn(self) -> None:
        """7.7: readiness where effort goes, competence toward the ceiling, drift, engagement."""
        model, r = self.model, self.model.random
        beh = model.scenario.behaviour
        gain = beh.learning_rate * self.engagement
        if self.wants_mgmt:
            self.mgmt_ready = min(self.mgmt_ready + gain, 10.0)
        else:
            self.spec_ready = min(self.spec_ready + gain, 10.0)
        self.competence += beh.competence_growth * max(beh.competence_ceiling - self.competence, 0.0) * self.engagement
        half_width = math.sqrt(3.0) * beh.ambition_drift_sd  # uniform steps with the drift's SD
        shift = r.uniform(-half_width, half_width)
        if r.random() < beh.life_event_rate:
            shift += r.uniform(-0.3, 0.3)
            if r.random() < 0.5:
                lo, hi = model.scenario.employees.timing_delay_months
                self.wait = max(self.wait, r.randint(lo, hi))
        self.ambition = clip(self.ambition + shift, 0.0, 1.0)
        self.engagement += beh.engagement_recovery * (self.base_engagement - self.engagement)
        if self.unwanted_role:
            self.engagement = max(self.engagement - beh.misplaced_engagement_drop, 0.0)
            if self.aspiring and model.org.on_path(self.level, self.wants_mgmt, self.track):
                self.unwanted_role = False  # has come to want the role after all

    # -- reviews -------------------------------------------------------------------------------
    def consider_stretch(self) -> bool:
        """7.6.1: accepting stretch work takes courage; it builds readiness and may fail."""
        model, r = self.model, self.model.random
        beh = model.scenario.behaviour
        courage = self.ambition * (1.0 - self.fear)
        if r.random() >= clip(0.15 + 0.85 * courage * 1.4, 0.0, 1.0):
            self.believed_interest *= 0.7
            return False
        toward_mgmt = self.believed_mgmt >= 0.5  # the direction the manager believes in
        if toward_mgmt:
            self.mgmt_ready = min(self.mgmt_ready + beh.stretch_readiness_gain, 10.0)
        else:
            self.spec_ready = min(self.spec_ready + beh.stretch_readiness_gain, 10.0)
        self.stretch_until = model.month + 6
        self.believed_interest += model.scenario.managers.voice_weight * (1.0 - self.believed_interest)
        if r.random() < 2.0 * beh.stretch_failure * (1.0 - self.readiness(toward_mgmt) / 10.0):
            self.penalise()
        return True

    # -- promotion round -------------------------------------------------------------------------
    def consider_applying(self, open_tracks: set[tuple[int, int]]) -> None:
        """7.8.1: apply when wanting to move now, not masking, with an opening on the path, and daring."""
        model = self.model
        self.applied = False
        up = self.level + 1
        if not any((up, t) in open_tracks for t in (SPECIALIST, MANAGEMENT)):
            return
        model.flow["could_apply"] += 1
        if not self.wants_now or self.masking:
            return
        if not any((up, t) in open_tracks and model.org.on_path(up, self.wants_mgmt, t) for t in (0, 1)):
            return
        if model.random.random() < model.scenario.behaviour.apply_rate * (1.0 - self.fear):
            self.applied = True
            model.flow["applications"] += 1
            self.believed_interest = max(self.believed_interest, 0.9)  # 7.5.6
            self.believed_mgmt += 0.8 * (float(self.wants_mgmt) - self.believed_mgmt)
            self.known_later = False

    def is_candidate(self, from_level: int, track: int) -> bool:
        """7.8.2: eligible, and believed interested (not written off) or applied for this track."""
        model = self.model
        sc = model.scenario
        if (
            self.level != from_level
            or self.time_in_role < sc.organisation.min_months_in_role
            or self.promoted_at == model.month
        ):
            return False
        if not sc.policy.require_believed_interest:
            return True
        applied_here = self.applied and model.org.on_path(from_level + 1, self.wants_mgmt, track)
        believed = self.believed_interest >= sc.policy.candidate_interest and not self.written_off
        return believed or applied_here

    def acceptance_probability(self, track: int) -> float:
        """7.8.4: how likely this person is to say yes, given what they truly want."""
        pr = self.model.scenario.promotion
        if not self.aspiring:
            return pr.accept_unwanted
        if not self.model.org.on_path(self.level + 1, self.wants_mgmt, track):
            own_track_here = self.model.org.alternative(self.level + 1, int(self.wants_mgmt))
            return pr.accept_other_track if own_track_here else pr.accept_wrong_track
        return pr.accept_wanted if self.wait <= 0 else pr.accept_later

    def decline_offer(self) -> None:
        """7.5.5: a declined offer, and the manager's reading of it."""
        model = self.model
        model.flow["declines"] += 1
        rec = Record(model.month, self)
        model.decliner_records.append(rec)
        model.open_decliners.append(rec)
        if model.scenario.managers.heuristics.decline_as_permanent:
            self.believed_interest = 0.0
            self.written_off = True
        else:
            self.believed_interest *= 0.6
        self.declined_at = model.month

    def get_passed_over(self) -> None:
        """7.8.6: wanted the move, saw someone who performs worse get it."""
        beh = self.model.scenario.behaviour
        self.passed_over_at = self.model.month
        self.ambition = max(self.ambition - beh.passed_over_ambition_drop, 0.0)
        self.engagement = max(self.engagement - beh.passed_over_engagement_drop, 0.0)

    # -- after promotion -------------------------------------------------------------------------
    def settle_promotion(self) -> None:
        """7.9: in the window a struggling or regretful promotee may step back; then it sticks or not."""
        model = self.model
        pr = model.scenario.promotion
        rec = self.promo_record
        if rec is None or not rec.pending:
            return
        if model.month - self.promoted_at < pr.stick_window_months:
            failing = self.competence < pr.fit_threshold
            p_back = 1.0 - (1.0 - pr.step_back_rate * failing) * (1.0 - pr.regret_step_back_rate * self.unwanted_role)
            if p_back > 0 and model.random.random() < p_back:
                model.step_back(self)
        else:
            stuck = self.competence >= pr.fit_threshold
            rec.settle(stuck, model.month)
            model.flow["promotions_settled"] += 1
            model.flow["promotions_stuck"] += stuck

    def exit_hazard(self) -> float:
        """7.10: the monthly probability of leaving voluntarily."""
        model = self.model
        ex = model.scenario.exits
        recently_passed = model.month - self.passed_over_at < ex.passed_over_months
        hazard = (
            ex.base_monthly
            * (1.0 + ex.passed_over_multiplier * recently_passed)
            * (1.0 + ex.misplaced_multiplier * self.unwanted_role)
            * (1.0 + ex.plateau_multiplier * self.plateaued)
            * (1.0 + ex.disengagement_multiplier * (1.0 - self.engagement) ** 2)
        )
        return clip(hazard, 0.0, 1.0)


class ReferenceModel(mesa.Model):
    """The baseline mechanisms of promosim, one agent at a time.

    Args:
        scenario: A Scenario, a scenario file, a shipped scenario's name, or a mapping.
        rng: The run seed (seeds Mesa's ``model.random``, from which every draw is made).
        headcount: Resize the organisation to about this many people, keeping its shape.
        overrides: Dotted key paths to values, applied to the scenario before validation.
    """

    def __init__(
        self,
        *,
        scenario: Scenario | str | Path | Mapping[str, Any] = "baseline",
        rng: int = 0,
        headcount: int | None = None,
        overrides: Mapping[str, Any] | None = None,
    ):
        super().__init__(rng=int(rng))
        if isinstance(scenario, Scenario) and not (headcount or overrides):
            spec = scenario
        else:
            spec = load_scenario(scenario, headcount=headcount, overrides=overrides)
        _check_supported(spec)
        self.scenario = spec
        self.org = Organisation(spec)
        self.month = -spec.warmup_months
        self.climate = spec.managers.micro_penalty_rate
        self.flow: defaultdict[str, float] = defaultdict(float)
        self.promotion_records: list[Record] = []
        self.development_records: list[Record] = []
        self.decliner_records: list[Record] = []
        self.open_development: list[Record] = []  # the pending ones, checked monthly
        self.open_decliners: list[Record] = []
        self.flows: list[dict[str, float]] = []
        self.counts: list[dict[str, float]] = []
        self.stocks: list[dict[str, float]] = []
        self._populate()
        while self.month < 0:  # warm-up, unrecorded (docs/ODD.md 3.1)
            self._advance()

    # -- the schedule ------------------------------------------------------------------------
    def step(self) -> None:
        """One recorded month."""
        self._advance()

    def run(self, months: int | None = None) -> dict[str, float]:
        """Step through the scenario's years (or ``months``) and return the summary."""
        for _ in range(round(12 * self.scenario.years) if months is None else months):
            self.step()
        return self.summary()

    def _advance(self) -> None:
        """One month, phases in the order of docs/ODD.md section 3."""
        sc = self.scenario
        self.month += 1
        self.flow = defaultdict(float)
        self.agents.do("advance_clock")
        self.agents.do("emit_signals")
        self.agents.do("update_beliefs")
        if self.month % sc.managers.review_every_months == 0:
            self.annual_review()
        self.agents.do("learn")
        if self.month % sc.policy.cycle_months == 0:
            self.promotion_round()
        self.settle_records()
        self.exits()
        if self.month % sc.hiring.every_months == 0:
            self.hire()
        if self.month >= 1:
            self.measure()

    # -- people arriving, moving and leaving ------------------------------------------------------
    def _populate(self) -> None:
        """Fill a share of each level's seats, chosen at random, with drawn people (section 5)."""
        sc = self.scenario
        chosen: list[Position] = []
        for li, level in enumerate(sc.organisation.levels):
            fill = sc.organisation.initial_fill if level.start_filled is None else level.start_filled
            for track in (SPECIALIST, MANAGEMENT):
                seats = self.org.seats[(li, track)]
                n = max(0, min(len(seats), round(len(seats) * fill)))
                chosen.extend(sorted(self.random.sample(seats, n), key=lambda s: s.index))
        self._arrive(chosen, hiring=False)

    def _arrive(self, seats: list[Position], *, hiring: bool) -> None:
        """New people take the seats; their beliefs belong to the manager there now."""
        people = []
        for seat in seats:
            person = Employee(self, hiring=hiring)
            seat.occupant, person.position = person, seat
            people.append(person)
        for person in people:
            boss = person.manager()
            person.believer = boss.unique_id if boss is not None else -1

    def move(self, person: Employee, seat: Position) -> None:
        """An employee moves to a vacant seat (promotion or step back)."""
        person.position.occupant = None
        seat.occupant, person.position = person, seat
        person.time_in_role = 0

    def hire(self) -> None:
        """7.11: bottom-level openings and those reserved for outside hires are filled from outside."""
        seats = [s for s in self.org.positions if s.vacant and (s.level == 0 or s.reserved_external)]
        self._arrive(seats, hiring=True)
        for seat in seats:
            seat.reserved_external = False
        self.flow["hires"] += len(seats)

    def exits(self) -> None:
        """7.10: voluntary exits by hazard, and retirement."""
        ex = self.scenario.exits
        leaving = []
        for person in self.agents:
            voluntary = self.random.random() < person.exit_hazard()
            retiring = person.age >= ex.retirement_age
            if voluntary or retiring:
                leaving.append((person, voluntary and not retiring))
        for person, voluntary in leaving:
            self.leave(person, voluntary)

    def leave(self, person: Employee, voluntary: bool) -> None:
        """A person leaves: the seat opens, pending records fail, the agent goes."""
        sc = self.scenario
        self.flow["exits"] += 1
        if voluntary:
            self.flow["regretted_exits"] += person.competence >= sc.metrics.high_performer_competence
            self.flow["passed_over_exits"] += self.month - person.passed_over_at < sc.exits.passed_over_months
            self.flow["specialist_aspirant_exits"] += person.aspiring and not person.wants_mgmt
            self.flow["hidden_ambition_exits"] += (
                person.aspiring and person.believed_interest <= sc.metrics.disinterested_belief)
        person.position.occupant = None
        person.position = None
        if person.promo_record is not None:
            person.promo_record.settle(False, self.month)
        for rec in person.dev_records:
            rec.settle(False, self.month)  # every pending development record fails
        person.remove()

    # -- reviews -------------------------------------------------------------------------------
    def annual_review(self) -> None:
        """7.6: stretch work to those who look keen, then development to those who look promising."""
        sc = self.scenario
        people = list(self.agents)
        if people and sc.managers.stretch_offer_share > 0:
            keen = [p.believed_interest + 0.3 * p.visibility + 0.2 * self.random.random() for p in people]
            cut = quantile(keen, 1.0 - sc.managers.stretch_offer_share)
            for person, k in zip(people, keen, strict=True):
                if k >= cut and not person.written_off:
                    self.flow["stretch_offers"] += 1
                    self.flow["stretch_accepts"] += person.consider_stretch()
        if people and sc.managers.development_share > 0:
            potential = [
                p.believed_ready * clip(p.believed_interest, 0.0, 1.0) + 0.1 * self.random.random() for p in people
            ]
            cut = quantile(potential, 1.0 - sc.managers.development_share)
            for person, v in zip(people, potential, strict=True):
                if v >= cut and person.level < self.org.n_levels - 1:
                    self.develop(person)

    def develop(self, person: Employee) -> None:
        """7.6.2: development money in the direction the manager believes in."""
        toward_mgmt = person.believed_mgmt >= 0.5
        gain = 2.0 * self.scenario.behaviour.stretch_readiness_gain
        if toward_mgmt:
            person.mgmt_ready = min(person.mgmt_ready + gain, 10.0)
        else:
            person.spec_ready = min(person.spec_ready + gain, 10.0)
        rec = Record(self.month, person, toward_mgmt=toward_mgmt)
        self.development_records.append(rec)
        self.open_development.append(rec)
        person.dev_records.append(rec)
        self.flow["development_spend"] += 1

    # -- promotion round -------------------------------------------------------------------------
    def promotion_round(self) -> None:
        """7.8: applications, then each level's openings, top down so vacancy chains complete."""
        sc = self.scenario
        open_tracks = {(s.level, s.track) for s in self.org.positions if s.vacant}
        self.agents.do("consider_applying", open_tracks)
        top = self.org.n_levels - 1
        order = range(top, 0, -1) if sc.policy.top_down else range(1, top + 1)
        for level in order:
            hire_share = sc.organisation.levels[level].hire_share
            for track in (SPECIALIST, MANAGEMENT):
                internal = []
                for seat in self.org.open_seats(level, track):
                    if self.random.random() < hire_share:
                        seat.reserved_external = True
                    else:
                        internal.append(seat)
                if internal:
                    filled = self.fill_openings(level, track, internal)
                    if hire_share > 0:
                        for seat in internal[filled:]:
                            seat.reserved_external = True

    def policy_score(self, person: Employee) -> float:
        """7.8.3, policy ``visibility``: whoever is seen most, with a little noise."""
        return person.visibility + 0.05 * self.random.gauss(0.0, 1.0)

    def fill_openings(self, level: int, track: int, seats: list[Position]) -> int:
        """Offer the seats in policy order until enough accept; returns how many were filled."""
        sc = self.scenario
        pool = [p for p in self.agents if p.is_candidate(level - 1, track)]
        if not pool:
            return 0
        scores = {p: self.policy_score(p) for p in pool}
        ranked = sorted(pool, key=scores.__getitem__, reverse=True)
        chosen: list[Employee] = []
        declined: list[Employee] = []
        for person in ranked:
            if len(chosen) == len(seats):
                break
            if not sc.policy.offers_can_be_declined or self.random.random() < person.acceptance_probability(track):
                chosen.append(person)
            else:
                declined.append(person)
        self.flow["offers"] += len(chosen) + len(declined)
        for person in declined:
            person.decline_offer()
        bar = min((p.performance for p in chosen), default=math.inf)
        for person, seat in zip(chosen, seats, strict=False):
            self.promote(person, seat, track)
        # Passed over (7.8.6): wanted exactly this move, asked or is a high performer, was not
        # offered it (a decliner said no), and performs better than someone who got it.
        high = sc.metrics.high_performer_competence
        for person in self.agents:
            if (
                person not in declined
                and person.level == level - 1
                and person.wants_now
                and self.org.on_path(level, person.wants_mgmt, track)
                and person.time_in_role >= sc.organisation.min_months_in_role
                and person.promoted_at != self.month
                and (person.applied or person.competence >= high)
                and person.performance > bar
            ):
                person.get_passed_over()
        return len(chosen)

    def promote(self, person: Employee, seat: Position, track: int) -> None:
        """7.8.5: competence carries over partly, readiness resets, the move is classified."""
        sc = self.scenario
        pr, emp, beh = sc.promotion, sc.employees, sc.behaviour
        r = self.random
        pre_competence, old_track = person.competence, person.track
        self.move(person, seat)
        person.promoted_at = self.month
        carry = pr.carry_over_same_track if old_track == track else pr.carry_over_cross_track
        if pr.carry_over_noise_kind == "uniform":
            noise = r.uniform(-pr.carry_over_noise, pr.carry_over_noise)
        else:
            noise = r.gauss(0.0, pr.carry_over_noise)
        person.competence = clip(carry * pre_competence + (1.0 - carry) * person.readiness(track) + noise, 0.0, 10.0)
        rho, step = beh.readiness_persistence, beh.readiness_step
        fresh_m = r.gauss(emp.management_readiness.mean, emp.management_readiness.sd)
        fresh_s = r.gauss(emp.specialist_readiness.mean, emp.specialist_readiness.sd)
        person.mgmt_ready = clip(rho * person.mgmt_ready + (1 - rho) * fresh_m - step, 0.0, 10.0)
        person.spec_ready = clip(rho * person.spec_ready + (1 - rho) * fresh_s - step, 0.0, 10.0)

        right_way = self.org.on_path(seat.level, person.wants_mgmt, track)
        wanted = person.aspiring and right_way and person.wait <= 0
        unwanted = not person.aspiring or not right_way
        timing = person.aspiring and right_way and person.wait > 0
        person.unwanted_role = unwanted
        if wanted:
            person.ambition = min(person.ambition + beh.success_ambition_gain, 1.0)
        person.known_later = False
        if person.promo_record is not None:
            person.promo_record.settle(True, self.month)  # promoted again: the earlier one stuck
        person.promo_record = Record(self.month, person, pre_competence=pre_competence)
        self.promotion_records.append(person.promo_record)
        if wanted:  # development paid off if it was aimed the way the person wants to go
            for rec in person.dev_records:
                if rec.pending and rec.toward_mgmt == person.wants_mgmt:
                    rec.settle(True, self.month)
        self.flow["promotions"] += 1
        self.flow["unwanted_promotions"] += unwanted
        self.flow["timing_promotions"] += timing
        self.flow["wrong_fit_promotions"] += person.competence < pr.fit_threshold

    def step_back(self, person: Employee) -> None:
        """7.9: back one level into an open seat, preferred track first; pre-promotion competence returns."""
        prefer = int(person.wants_mgmt)
        for track in (prefer, 1 - prefer):
            seats = self.org.open_seats(person.level - 1, track)
            if seats:
                break
        else:
            return
        rec = person.promo_record
        self.move(person, seats[0])
        person.competence = rec.pre_competence
        person.unwanted_role = False
        rec.settle(False, self.month)
        self.flow["promotions_settled"] += 1
        self.flow["step_backs"] += 1

    def settle_records(self) -> None:
        """7.9: step-backs and promotion windows; development and decliner records come due."""
        m = self.scenario.metrics
        self.agents.do("settle_promotion")
        for rec in self.open_development:
            if rec.pending and self.month - rec.month >= m.roi_window_months:
                rec.settle(False, self.month)
        for rec in self.open_decliners:
            if rec.pending and self.month - rec.month >= m.decliner_window_months:
                rec.settle(rec.person.position is not None, self.month)  # still employed?
        self.open_development = [r for r in self.open_development if r.pending]
        self.open_decliners = [r for r in self.open_decliners if r.pending]

    # -- measurement -------------------------------------------------------------------------------
    def measure(self) -> None:
        """7.12: this month's stocks, the populations flow rates divide by, and this month's flows."""
        sc = self.scenario
        m = sc.metrics
        n = n_asp = hidden = misread = masked = timing = plateau = mismatch = 0
        high = passed = spec = 0
        perf_sum = 0.0
        top, top_by_group, by_group = 0, defaultdict(int), defaultdict(int)
        for p in self.agents:
            n += 1
            b = p.believed_interest
            asp = p.aspiring
            is_hidden = asp and b <= m.disinterested_belief
            is_timing = asp and ((p.wait > 0 and b >= m.interested_belief and not p.known_later)
                                 or (p.wait <= 0 and p.known_later))
            n_asp += asp
            hidden += is_hidden
            misread += is_hidden or (not asp and b >= m.interested_belief)
            masked += p.masking and asp
            timing += is_timing
            plateau += p.plateaued and not is_hidden
            mismatch += is_hidden or p.unwanted_role or is_timing
            high += p.competence >= m.high_performer_competence
            passed += self.month - p.passed_over_at < sc.exits.passed_over_months
            spec += asp and not p.wants_mgmt
            boss = p.manager()
            factor = 1.0 if p.position.parent is None else 0.8 + 0.04 * (boss.competence if boss else 5.0)
            perf_sum += p.performance * factor
            by_group[p.group] += 1
            if p.level >= self.org.n_levels - m.key_levels:
                top += 1
                top_by_group[p.group] += 1
        stocks = {
            "hidden_ambition_rate": ratio(hidden, n_asp),
            "misread_rate": ratio(misread, n),
            "masked_aspiration_rate": ratio(masked, n_asp),
            "timing_mismatch_rate": ratio(timing, n),
            "plateau_rate": ratio(plateau, n),
            "mismatch_rate": ratio(mismatch, n),
            "succession_coverage": self.succession_coverage(),
            "team_performance": perf_sum / n / 12.0 if n else NAN,
        }
        # The top is everyone, or there is one group: the ratio, always 1, says nothing (7.12).
        everyone = m.key_levels >= self.org.n_levels or len(sc.groups) < 2
        for gi, g in enumerate(sc.groups):
            stocks[f"representation_ratio.{g.name}"] = (
                NAN if everyone else ratio(ratio(top_by_group[gi], top), ratio(by_group[gi], n)))
        self.stocks.append(stocks)
        self.counts.append({"headcount": n, "high": high, "passed_over": passed, "spec_aspirants": spec})
        self.flows.append(dict(self.flow))

    def succession_coverage(self) -> float:
        """Key seats whose named successor (believed best and willing) is truly ready and willing."""
        sc = self.scenario
        m = sc.metrics
        by_level = defaultdict(list)
        for p in self.agents:
            if p.believed_interest >= m.interested_belief and not p.written_off:
                by_level[p.level].append(p)
        covered = total = 0
        for level in range(1, self.org.n_levels):
            for track in (SPECIALIST, MANAGEMENT):
                seats = self.org.seats[(level, track)]
                if not seats or not seats[0].is_key:
                    continue
                total += len(seats)
                pool = [p for p in by_level[level - 1] if (p.believed_mgmt >= 0.5) == bool(track)]
                named = sorted(pool, key=lambda p: -p.believed_ready)[: len(seats)]
                covered += sum(
                    p.aspiring and self.org.on_path(level, p.wants_mgmt, track) and p.wait <= 12
                    and p.readiness(track) >= m.ready_threshold
                    for p in named
                )
        return ratio(covered, total)

    def summary(self) -> dict[str, float]:
        """One value per metric for the run (docs/ODD.md 7.12.4)."""
        if not self.flows:
            return {}
        totals: defaultdict[str, float] = defaultdict(float)
        for f in self.flows:
            for k, v in f.items():
                totals[k] += v
        years = len(self.flows) / 12.0

        def mean_count(key: str) -> float:
            return sum(c[key] for c in self.counts) / len(self.counts)

        def annual(flow: str, count: str) -> float:
            return capped(ratio(totals[flow], mean_count(count)) / years)

        def ledger(records: list[Record], window: int) -> float:
            """The records made in the recorded run at least ``window`` months before its end: all settled."""
            cohort = [r for r in records if 1 <= r.month <= self.month - window]
            return ratio(sum(r.outcome for r in cohort), len(cohort))

        sc = self.scenario

        out: dict[str, float] = {"headcount": float(self.counts[-1]["headcount"])}
        last = self.stocks[-self.scenario.metrics.summary_window_months:]
        for key in self.stocks[-1]:
            vals = [s[key] for s in last if not math.isnan(s[key])]
            out[key] = sum(vals) / len(vals) if vals else NAN
        out.update({
            "promotions": totals["promotions"],
            "unwanted_promotion_rate": ratio(totals["unwanted_promotions"], totals["promotions"]),
            "wrong_fit_promotion_rate": ratio(totals["wrong_fit_promotions"], totals["promotions"]),
            "promotion_stick_rate": ledger(self.promotion_records, sc.promotion.stick_window_months),
            "attrition_rate": annual("exits", "headcount"),
            "regretted_attrition_rate": annual("regretted_exits", "high"),
            "passed_over_exit_rate": annual("passed_over_exits", "passed_over"),
            "hidden_ambition_exit_rate": annual("hidden_ambition_exits", "headcount"),
            "specialist_retention_rate": 1.0 - annual("specialist_aspirant_exits", "spec_aspirants"),
            "decliner_retention": ledger(self.decliner_records, sc.metrics.decliner_window_months),
            "stretch_acceptance_rate": ratio(totals["stretch_accepts"], totals["stretch_offers"]),
            "internal_application_rate": ratio(totals["applications"], totals["could_apply"]),
            "development_roi": ledger(self.development_records, sc.metrics.roi_window_months),
            "intervention_cost": 0.0,
        })
        return out


def _check_supported(sc: Scenario) -> None:
    """Refuse what the reference does not model, rather than silently differ from the engine."""
    unsupported = {
        "interventions": bool(sc.interventions),
        "named people": bool(sc.people),
        "organisation data files": sc.organisation.source is not None,
        f"policy '{sc.policy.name}'": sc.policy.name != "visibility",
        "dismissal": sc.exits.dismissal_competence is not None,
    }
    found = [name for name, present in unsupported.items() if present]
    if found:
        raise NotImplementedError(f"the reference model covers the baseline mechanisms only, not: {', '.join(found)}")
