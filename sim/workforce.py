"""Employee state as numpy columns, and the Mesa agents that give each person a face.

All per-person state (hidden traits, the manager's beliefs, career history) lives in one array
per attribute, indexed by row. A row is a seat in memory, reused after someone leaves; ``uid``
is the person's lasting identity (their Mesa ``unique_id``). Phases of the step update whole
columns at once; the ``Employee`` and ``Manager`` agents are thin handles over a row, so that
Mesa's AgentSet, DataCollector and SolaraViz can see people one at a time when they need to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.scenario import MANAGEMENT, TRACKS, Beta, Normal, Scenario

if TYPE_CHECKING:
    from sim.model import PromotionModel

NEVER = -(10**9)

# name -> (dtype, fill value). One definition, so adding a column is one line.
COLUMNS: dict[str, tuple[Any, Any]] = {
    "active": (bool, False),
    "uid": (np.int64, -1),
    "slot": (np.int64, -1),
    "boss_slot": (np.int64, -1),  # the management slot this slot reports to (org.parent[slot])
    "level": (np.int16, -1),
    "track": (np.int8, -1),
    "group": (np.int8, -1),
    "age": (np.float64, 0.0),
    "tenure": (np.int32, 0),
    "time_in_role": (np.int32, 0),
    # hidden aspiration: how much, which way, when
    "ambition": (np.float64, 0.0),
    "wants_mgmt": (bool, False),
    "wait": (np.int32, 0),
    # hidden traits
    "visibility": (np.float64, 0.0),
    "risk_sensitivity": (np.float64, 0.0),
    "engagement": (np.float64, 0.0),
    "base_engagement": (np.float64, 0.0),
    "competence": (np.float64, 0.0),
    "mgmt_ready": (np.float64, 0.0),
    "spec_ready": (np.float64, 0.0),
    # what the current manager believes
    "b_interest": (np.float64, 0.5),
    "b_mgmt": (np.float64, 0.5),
    "b_ready": (np.float64, 5.0),
    "b_refused": (bool, False),
    "b_later": (bool, False),
    "b_manager": (np.int64, -1),
    # signals and history
    "last_voice": (np.int32, NEVER),
    "told_at": (np.int32, NEVER),
    "voiced": (bool, False),
    "applied": (bool, False),
    "masking": (bool, False),
    "penalties": (np.int32, 0),
    "passed_over_at": (np.int32, NEVER),
    "declined_at": (np.int32, NEVER),
    "promoted_at": (np.int32, NEVER),
    "promo_record": (np.int64, -1),
    "unwanted_role": (bool, False),
    "stretch_until": (np.int32, NEVER),
    "load": (np.float64, 0.0),
}


class Workforce:
    """Columns of employee state with room for every position.

    Args:
        capacity: Number of rows; one per position, since nobody is without a position.
    """

    def __init__(self, capacity: int, engagement_effect: float = 0.3):
        self.capacity = capacity
        self.engagement_effect = engagement_effect
        for name, (dtype, fill) in COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))

    def free_rows(self, n: int) -> np.ndarray:
        """``n`` unused rows (lowest first), for new hires."""
        rows = np.flatnonzero(~self.active)[:n]
        if rows.size < n:
            raise RuntimeError("workforce capacity exceeded: more people than positions")
        return rows

    def reset_rows(self, rows: np.ndarray) -> None:
        """Return rows to their blank state."""
        for name, (_dtype, fill) in COLUMNS.items():
            getattr(self, name)[rows] = fill

    @property
    def rows(self) -> np.ndarray:
        """Rows of everyone currently employed."""
        return np.flatnonzero(self.active)

    def aspiring(self) -> np.ndarray:
        """Boolean column: wants to advance (now or later)."""
        return self.active & (self.ambition >= 0.5)

    def wants_now(self) -> np.ndarray:
        """Boolean column: wants to advance and wants it now."""
        return self.aspiring() & (self.wait <= 0)

    def readiness_for(self, track: np.ndarray | int, rows: np.ndarray | None = None) -> np.ndarray:
        """Readiness for the next level on ``track`` (one track, or one per row of ``rows``)."""
        mgmt = self.mgmt_ready if rows is None else self.mgmt_ready[rows]
        spec = self.spec_ready if rows is None else self.spec_ready[rows]
        return np.where(np.asarray(track) == MANAGEMENT, mgmt, spec)

    def performance(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Performance in the current role (of ``rows``, or of every row).

        Competence, dented by disengagement and by time taken from the day job (``load``, e.g.
        a pilot stretch role).
        """
        e = self.engagement_effect
        if rows is None:
            return self.competence * (1.0 - e + e * self.engagement) * (1.0 - 0.5 * self.load)
        return self.competence[rows] * (1.0 - e + e * self.engagement[rows]) * (1.0 - 0.5 * self.load[rows])


def _beta(rng: np.random.Generator, dist: Beta, n: int) -> np.ndarray:
    return rng.beta(dist.a, dist.b, n)


def _normal(rng: np.random.Generator, dist: Normal, n: int, lo: float, hi: float) -> np.ndarray:
    return np.clip(rng.normal(dist.mean, dist.sd, n), lo, hi)


def draw_people(
    wf: Workforce,
    rows: np.ndarray,
    scenario: Scenario,
    rng: np.random.Generator,
    *,
    hiring: bool,
) -> None:
    """Fill ``rows`` with newly drawn people (hidden traits, group, age), as at start or hire.

    The aspiration categories are drawn per group so that the shares of people wanting to lead
    and wanting a specialist career match the group's calibrated figures.
    """
    n = rows.size
    if n == 0:
        return
    emp = scenario.employees
    shares = np.array([g.hiring_share if hiring else g.workforce_share for g in scenario.groups])
    # What rng.choice(p=...) does, without its checks (a third of a small hire batch's cost).
    cdf = np.cumsum(shares / shares.sum())
    cdf /= cdf[-1]
    group = cdf.searchsorted(rng.random(n), side="right")
    lead = np.array([g.leadership_aspiration for g in scenario.groups])[group]
    spec = np.array([g.specialist_aspiration for g in scenario.groups])[group]
    vis_shift = np.array([g.visibility_shift for g in scenario.groups])[group]
    u = rng.random(n)
    wants_lead = u < lead
    wants_spec = (u >= lead) & (u < lead + spec)
    aspiring = wants_lead | wants_spec
    strength = rng.beta(2.0, 2.0, n) * 0.5
    ambition = np.where(aspiring, 0.5 + strength, strength)
    # Non-aspirants still have a direction they would lean to if they came to want a move.
    lean_mgmt = rng.random(n) < np.where(lead + spec > 0, lead / np.maximum(lead + spec, 1e-9), 0.5)
    wants_mgmt = np.where(aspiring, wants_lead, lean_mgmt)
    lo, hi = emp.timing_delay_months
    later = aspiring & (rng.random(n) < emp.timing_later_share)
    wait = np.where(later, rng.integers(lo, hi + 1, n), 0)
    age_dist = emp.hire_age if hiring else emp.age
    age = _normal(rng, age_dist, n, 18.0, scenario.exits.retirement_age - 0.5)
    engagement = _beta(rng, emp.engagement, n)

    wf.active[rows] = True
    wf.group[rows] = group
    wf.age[rows] = age
    max_tenure = np.maximum((age - 21.0) * 12.0, 0.0)
    wf.tenure[rows] = 0 if hiring else (rng.random(n) * np.minimum(max_tenure, 240)).astype(np.int32)
    wf.time_in_role[rows] = 0 if hiring else (rng.random(n) * np.minimum(wf.tenure[rows], 60)).astype(np.int32)
    wf.ambition[rows] = ambition
    wf.wants_mgmt[rows] = wants_mgmt
    wf.wait[rows] = wait
    wf.visibility[rows] = np.clip(_beta(rng, emp.visibility, n) + vis_shift, 0.0, 1.0)
    wf.risk_sensitivity[rows] = _beta(rng, emp.risk_sensitivity, n)
    wf.engagement[rows] = engagement
    wf.base_engagement[rows] = engagement
    wf.competence[rows] = _normal(rng, emp.competence, n, 0.0, 10.0)
    wf.mgmt_ready[rows] = _normal(rng, emp.management_readiness, n, 0.0, 10.0)
    wf.spec_ready[rows] = _normal(rng, emp.specialist_readiness, n, 0.0, 10.0)
    prior = scenario.managers.prior_interest
    wf.b_interest[rows] = prior
    wf.b_mgmt[rows] = 0.5
    wf.b_ready[rows] = wf.competence[rows]


class Employee(mesa.Agent):
    """One person: a handle onto a row of the workforce columns.

    Attributes read through to the columns, so the agent is always current and costs nothing
    to keep in step with the vectorised phases.
    """

    model: PromotionModel

    def __init__(self, model: PromotionModel, row: int):
        super().__init__(model)
        self.row = row

    def _col(self, name: str) -> Any:
        return getattr(self.model.workforce, name)[self.row].item()

    @property
    def level(self) -> int:
        """Current level (0 is the bottom)."""
        return int(self._col("level"))

    @property
    def track(self) -> str:
        """Current track name."""
        return TRACKS[int(self._col("track"))]

    @property
    def group(self) -> str:
        """Group name."""
        return self.model.scenario.group_names[int(self._col("group"))]

    @property
    def manager(self) -> Manager | None:
        """The person currently managing this one's team, if the post is filled."""
        return self.model.manager_of(self.row)

    def hidden_state(self) -> dict[str, Any]:
        """Everything the simulation knows about this person that their manager does not."""
        wf = self.model.workforce
        r = self.row
        return {
            "ambition": float(wf.ambition[r]),
            "aspiring": bool(wf.ambition[r] >= 0.5),
            "direction": "management" if wf.wants_mgmt[r] else "specialist",
            "wants_to_move_in_months": int(max(wf.wait[r], 0)),
            "visibility": float(wf.visibility[r]),
            "risk_sensitivity": float(wf.risk_sensitivity[r]),
            "engagement": float(wf.engagement[r]),
            "competence": float(wf.competence[r]),
            "management_readiness": float(wf.mgmt_ready[r]),
            "specialist_readiness": float(wf.spec_ready[r]),
            "masking": bool(wf.masking[r]),
            "level": int(wf.level[r]),
            "track": TRACKS[int(wf.track[r])],
            "group": self.group,
            "tenure_months": int(wf.tenure[r]),
            "age": float(wf.age[r]),
        }

    def beliefs(self) -> dict[str, Any]:
        """What this person's manager believes about them."""
        wf = self.model.workforce
        r = self.row
        return {
            "interest": float(wf.b_interest[r]),
            "management_direction": float(wf.b_mgmt[r]),
            "readiness": float(wf.b_ready[r]),
            "refused_for_good": bool(wf.b_refused[r]),
            "knows_wants_later": bool(wf.b_later[r]),
        }


class Manager(Employee):
    """An employee on the management track, who leads a team and holds beliefs about it."""

    def reports(self) -> list[Employee]:
        """The people in this manager's team."""
        return self.model.reports_of(self.row)
