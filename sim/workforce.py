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
from numba import literal_unroll

from sim.compiled import jit
from sim.random import beta, normal, uniform
from sim.scenario import MANAGEMENT, TRACKS, Scenario

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

# Every column's fill value as a float (each is exact as one), for the compiled reset.
_FILLS = np.array([float(fill) for _dtype, fill in COLUMNS.values()])


class Workforce:
    """Columns of employee state with room for every position.

    Args:
        capacity: Number of rows; one per position, since nobody is without a position.
        engagement_effect: ``behaviour.engagement_effect``, the share of performance that
            engagement decides (``performance``).
    """

    def __init__(self, capacity: int, engagement_effect: float = 0.3):
        self.capacity = capacity
        self.engagement_effect = engagement_effect
        for name, (dtype, fill) in COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))
        # Every column in COLUMNS order, for ``reset_rows`` (gathering them each time cost as much
        # as the reset). Columns are only ever written in place, never rebound, so this stays true.
        self._columns = tuple(getattr(self, name) for name in COLUMNS)

    def free_rows(self, n: int) -> np.ndarray:
        """``n`` unused rows (lowest first), for new hires."""
        rows = _first_free(self.active, n)
        if rows.size < n:
            raise RuntimeError("workforce capacity exceeded: more people than positions")
        return rows

    def reset_rows(self, rows: np.ndarray) -> None:
        """Return rows to their blank state."""
        _reset_columns(rows, _FILLS, *self._columns)

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


def draw_people(
    wf: Workforce,
    rows: np.ndarray,
    scenario: Scenario,
    key: np.uint64,
    *,
    hiring: bool,
    groups: tuple[np.ndarray, ...] | None = None,
    traits: np.ndarray | None = None,
) -> None:
    """Fill ``rows`` with newly drawn people (hidden traits, group, age), as at start or hire.

    The aspiration categories are drawn per group so that the shares of people wanting to lead
    and wanting a specialist career match the group's calibrated figures. The draws are
    counter-based (sim/random.py), made in one compiled pass: the ``k``-th person of ``rows``
    takes counters ``PERSON_DRAWS * k`` onwards of ``key``, so their traits do not depend on
    how many others are drawn with them.

    Args:
        wf: The workforce.
        rows: Empty rows to fill.
        scenario: Where the distributions come from.
        key: The counter-based key to draw from (``model.stream_key``, or ``random.key_from``
            of a stream).
        hiring: New hires (hiring shares and ages, no tenure) rather than the starting workforce.
        groups: ``group_tables(scenario.groups, hiring)``, if the caller keeps them (``Org`` does
            for hiring, which is monthly); worked out here otherwise.
        traits: ``trait_table(scenario, hiring)``, likewise.
    """
    if rows.size == 0:
        return
    emp = scenario.employees
    cdf, lead_of, spec_of, vis_shift_of = group_tables(scenario.groups, hiring) if groups is None else groups
    dists = trait_table(scenario, hiring) if traits is None else traits
    lo, hi = emp.timing_delay_months
    _fill_people(
        np.asarray(rows, dtype=np.int64), key, cdf, lead_of, spec_of, vis_shift_of, dists, lo, hi, hiring,
        emp.timing_later_share, scenario.exits.retirement_age - 0.5, scenario.managers.prior_interest,
        wf.active, wf.group, wf.age, wf.tenure, wf.time_in_role, wf.ambition, wf.wants_mgmt, wf.wait,
        wf.visibility, wf.risk_sensitivity, wf.engagement, wf.base_engagement, wf.competence, wf.mgmt_ready,
        wf.spec_ready, wf.b_interest, wf.b_mgmt, wf.b_ready,
    )


def trait_table(scenario: Scenario, hiring: bool) -> np.ndarray:
    """The drawn traits' distributions ``draw_people`` reads: (mean, sd) or Beta (a, b), one row each."""
    emp = scenario.employees
    age_dist = emp.hire_age if hiring else emp.age
    return np.array([
        [age_dist.mean, age_dist.sd], [emp.competence.mean, emp.competence.sd],
        [emp.management_readiness.mean, emp.management_readiness.sd],
        [emp.specialist_readiness.mean, emp.specialist_readiness.sd],
        [emp.engagement.a, emp.engagement.b], [emp.visibility.a, emp.visibility.b],
        [emp.risk_sensitivity.a, emp.risk_sensitivity.b],
    ])


def group_tables(groups: list[Any], hiring: bool) -> tuple[np.ndarray, ...]:
    """Per-group arrays ``draw_people`` needs: the cdf of group shares, aspirations, visibility shift."""
    shares = np.array([g.hiring_share if hiring else g.workforce_share for g in groups])
    cdf = np.cumsum(shares / shares.sum())
    cdf /= cdf[-1]
    return (cdf, *(np.array([getattr(g, name) for g in groups])
                   for name in ("leadership_aspiration", "specialist_aspiration", "visibility_shift")))


PERSON_DRAWS = 15  # counters each drawn person takes (``_fill_people``)


@jit
def _fill_people(
    rows, key, cdf, lead_of, spec_of, vis_shift_of, dists, delay_lo, delay_hi, hiring, later_share, max_age, prior,
    c_active, c_group, c_age, c_tenure, c_time_in_role, c_ambition, c_wants_mgmt, c_wait, c_visibility,
    c_risk, c_engagement, c_base_engagement, c_competence, c_mgmt_ready, c_spec_ready, c_b_interest,
    c_b_mgmt, c_b_ready,
):
    """``draw_people``'s draws and the people they make, in ``rows``.

    Person ``k`` draws counters ``PERSON_DRAWS * k + j`` of ``key``, ``j`` in a fixed order:
    group, aspiration, its strength (Beta(2, 2)), lean, timing, delay, age, engagement,
    tenure, time in role, visibility, risk sensitivity, competence and the two readinesses
    (``dists`` holds the normals' (mean, sd) and the betas' (a, b) in that order). A person's
    group is how many of the cdf's entries are at most their draw (``searchsorted``, right).
    """
    for k in range(rows.size):
        r = rows[k]
        c = PERSON_DRAWS * k
        group_u = uniform(key, c)
        g = 0
        while g < cdf.size and cdf[g] <= group_u:
            g += 1
        u, strength = uniform(key, c + 1), beta(key, c + 2, 2.0, 2.0)
        lean_u, later_u = uniform(key, c + 3), uniform(key, c + 4)
        delay = delay_lo + min(int(uniform(key, c + 5) * (delay_hi - delay_lo + 1)), delay_hi - delay_lo)
        age = dists[0, 0] + dists[0, 1] * normal(key, c + 6)
        engagement = beta(key, c + 7, dists[4, 0], dists[4, 1])
        visibility = beta(key, c + 10, dists[5, 0], dists[5, 1])
        risk = beta(key, c + 11, dists[6, 0], dists[6, 1])
        competence = dists[1, 0] + dists[1, 1] * normal(key, c + 12)
        mgmt = dists[2, 0] + dists[2, 1] * normal(key, c + 13)
        spec = dists[3, 0] + dists[3, 1] * normal(key, c + 14)
        lead, spc = lead_of[g], spec_of[g]
        wants_lead = u < lead
        wants_spec = (u >= lead) & (u < lead + spc)
        aspiring = wants_lead | wants_spec
        s = strength * 0.5
        lean_p = lead / max(lead + spc, 1e-9) if lead + spc > 0 else 0.5
        later = aspiring & (later_u < later_share)
        a = min(max(age, 18.0), max_age)
        c_active[r] = True
        c_group[r] = g
        c_age[r] = a
        if hiring:
            c_tenure[r] = 0
            c_time_in_role[r] = 0
        else:  # counters c + 8 and c + 9 (not drawn for hires)
            tenure = np.int32(uniform(key, c + 8) * min(max((a - 21.0) * 12.0, 0.0), 240.0))
            c_tenure[r] = tenure
            c_time_in_role[r] = np.int32(uniform(key, c + 9) * min(tenure, 60))
        c_ambition[r] = 0.5 + s if aspiring else s
        c_wants_mgmt[r] = wants_lead if aspiring else lean_u < lean_p
        c_wait[r] = delay if later else 0
        c_visibility[r] = min(max(visibility + vis_shift_of[g], 0.0), 1.0)
        c_risk[r] = risk
        c_engagement[r] = engagement
        c_base_engagement[r] = engagement
        comp = min(max(competence, 0.0), 10.0)
        c_competence[r] = comp
        c_mgmt_ready[r] = min(max(mgmt, 0.0), 10.0)
        c_spec_ready[r] = min(max(spec, 0.0), 10.0)
        c_b_interest[r] = prior
        c_b_mgmt[r] = 0.5
        c_b_ready[r] = comp


@jit
def performance_of(competence: float, engagement: float, load: float, engagement_effect: float) -> float:
    """``Workforce.performance`` for one person, for the compiled loops (the same product)."""
    e = engagement_effect
    return competence * (1.0 - e + e * engagement) * (1.0 - 0.5 * load)


@jit
def _first_free(active, n):
    """The first ``n`` rows not in use (fewer if there are not that many)."""
    rows = np.empty(n, np.int64)
    k = 0
    for i in range(active.size):
        if k == n:
            break
        if not active[i]:
            rows[k] = i
            k += 1
    return rows[:k]


@jit
def _reset_columns(rows, fills, *columns):
    """Set ``rows`` of each column to its fill value (``fills``, in the same order)."""
    j = 0
    for column in literal_unroll(columns):
        fill = fills[j]
        for r in rows:
            column[r] = fill
        j += 1  # noqa: SIM113 (numba cannot enumerate over literal_unroll)


class Employee(mesa.Agent):
    """One person: a handle onto a row of the workforce columns.

    Attributes read through to the columns (every one of ``COLUMNS``, by its name), so the agent
    is always current and costs nothing to keep in step with the vectorised phases. When the
    person leaves, the model deregisters the handle and it keeps the person's state as it was
    then, as a removed Mesa agent keeps its attributes: it never reads the row's next occupant.
    A change of track makes an agent of the other class; the old handle is retired when agents
    are next made, and ``present`` is False from the change. The simulation's state cannot be
    written through an agent (it would change nothing the phases read); set a column of
    ``model.workforce`` at ``agent.row``.
    """

    model: PromotionModel

    def __init__(self, model: PromotionModel, row: int):
        super().__init__(model)
        # Mesa 3.3's Agent keeps every model with an agent as a key of a class-wide dict of id
        # counters, so such a model was never freed: each run of a batch_run with agent reporters
        # stayed in memory (mesa#3179). The person's uid is the unique_id; the counter is not needed.
        getattr(mesa.Agent, "_ids", {}).pop(model, None)
        self.row = row
        self._frozen: dict[str, Any] | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PLACE_NAMES:  # written in the columns, they left the organisation's positions out of step
            raise AttributeError(
                f"{name!r} is where the person is in the organisation and cannot be set: people move in the "
                f"promotion round (model.move), arrive by hiring (model.place) and leave in the exits phase "
                f"(model.remove_people)")
        if name in _STATE_NAMES:
            raise AttributeError(
                f"{name!r} is simulation state and cannot be set on an agent (it would change nothing the model "
                f"reads): read it with hidden_state() or beliefs(), change it in the columns of model.workforce "
                f"at agent.row (sim/workforce.py COLUMNS)")
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> Any:
        """Every workforce column reads as an attribute (``agent.ambition``, ``agent.b_interest``).

        Only called when no attribute or property has the name, so ``level``, ``track`` and
        ``group`` keep their readable forms. Mesa's ``agents.get("ambition")``, ``agg`` and a
        DataCollector's ``agent_reporters={"ambition": "ambition"}`` read attributes by name; the
        hidden traits were only in ``hidden_state()``, and those failed (a Mesa user's trial).
        """
        if name in COLUMNS:
            return self._col(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def remove(self) -> None:
        """Refused: people leave through the model's exits phase, not by removing their agent.

        Mesa's ``agent.remove()`` (and ``model.remove_all_agents()``) only deregisters the handle:
        the person stayed employed, still in the metrics, and missing from ``model.agents`` for good.
        """
        raise RuntimeError(
            "employees cannot be removed through Mesa: agent.remove() would only hide a person who stays "
            "employed from model.agents; people leave in the model's exits phase (model.remove_people)")

    @property
    def present(self) -> bool:
        """Whether the person is still employed and this is their current agent.

        Read from the columns, not only from the retirement: a handle whose person changed track is
        retired (and frozen) when the model next makes agents, and said True until then (a review).
        """
        if self._frozen is not None:
            return False
        wf, r = self.model.workforce, self.row
        return (bool(wf.active[r]) and int(wf.uid[r]) == self.unique_id
                and (int(wf.track[r]) == MANAGEMENT) == isinstance(self, Manager))

    def _retire(self) -> None:
        """Keep the person's state as it is now and deregister the handle (the model calls this)."""
        wf = self.model.workforce
        self._frozen = {name: getattr(wf, name)[self.row].item() for name in COLUMNS}
        mesa.Agent.remove(self)

    def _col(self, name: str) -> Any:
        if self._frozen is not None:
            return self._frozen[name]
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
        """The person currently managing this one's team, if the post is filled (None once gone)."""
        return self.model.manager_of(self.row) if self.present else None

    def hidden_state(self) -> dict[str, Any]:
        """Everything the simulation knows about this person that their manager does not."""
        col = self._col
        return {
            "ambition": float(col("ambition")),
            "aspiring": bool(col("ambition") >= 0.5),
            "direction": "management" if col("wants_mgmt") else "specialist",
            "wants_to_move_in_months": int(max(col("wait"), 0)),
            "visibility": float(col("visibility")),
            "risk_sensitivity": float(col("risk_sensitivity")),
            "engagement": float(col("engagement")),
            "competence": float(col("competence")),
            "management_readiness": float(col("mgmt_ready")),
            "specialist_readiness": float(col("spec_ready")),
            "masking": bool(col("masking")),
            "level": int(col("level")),
            "track": TRACKS[int(col("track"))],
            "group": self.group,
            "tenure_months": int(col("tenure")),
            "age": float(col("age")),
        }

    def beliefs(self) -> dict[str, Any]:
        """What this person's manager believes about them."""
        col = self._col
        return {
            "interest": float(col("b_interest")),
            "management_direction": float(col("b_mgmt")),
            "readiness": float(col("b_ready")),
            "refused_for_good": bool(col("b_refused")),
            "knows_wants_later": bool(col("b_later")),
        }


class Manager(Employee):
    """An employee on the management track, who leads a team and holds beliefs about it."""

    def reports(self) -> list[Employee]:
        """The people in this manager's team (none once the manager is gone)."""
        return self.model.reports_of(self.row) if self.present else []


# Columns and properties of where a person is, kept in step with the organisation's positions
# (``Org.occupant``, ``Org.level``): only the model's moves may change them.
_PLACE_NAMES = frozenset({"active", "uid", "slot", "boss_slot", "level", "track", "b_manager", "manager",
                          "present"})

# Names an agent shows the simulation's state under (columns, properties, the views' keys):
# setting one on an agent made a plain attribute that the model never reads.
_STATE_NAMES = frozenset(COLUMNS) | {
    "level", "track", "group", "manager", "present", "aspiring", "direction", "wants_to_move_in_months",
    "management_readiness", "specialist_readiness", "tenure_months", "interest", "management_direction",
    "readiness", "refused_for_good", "knows_wants_later",
}
