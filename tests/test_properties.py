"""Property tests over random valid scenarios: the organisation's books always balance.

Each example draws a small organisation (2-5 levels, 0-30 positions per track, at least one per
level), 1-3 groups, a random policy and random heuristics, runs a few months and checks, after
construction and after every step:

- no position is over-filled; every employee holds exactly one slot and that slot holds them;
- nobody is on a level or a track that does not exist;
- headcount = previous headcount + hires - exits (from ``model.flow``), and over the run
  start + hire events - exit events;
- every rate is in [0, 1] or NaN (current metrics, summary, and the time series with its
  level and group breakdowns);
- Mesa's agent set matches the workforce (one agent per employee, Managers on the management track).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import PromotionModel, load_scenario
from sim.errors import InputError
from sim.metrics import METRICS, totals
from sim.org import VACANT
from sim.scenario import MANAGEMENT, POLICIES, TRACKS
from sim.workforce import Manager

SHARE_METRICS = frozenset({"succession_coverage", "decliner_retention", "development_roi"})
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def is_rate(name: str) -> bool:
    """Metrics that are fractions in [0, 1] (a rate, a share, a retention)."""
    base = name.split(".", maxsplit=1)[0]
    return base.endswith("_rate") or base in SHARE_METRICS


def _shares(draw: st.DrawFn, n: int) -> list[float]:
    weights = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1.0 - sum(shares[:-1])
    return shares


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A random, small, valid scenario mapping."""
    n_levels = draw(st.integers(2, 5))
    levels = []
    for i in range(n_levels):
        spec, mgmt = draw(st.tuples(st.integers(0, 30), st.integers(0, 30)).filter(lambda p: sum(p) > 0))
        positions = {k: v for k, v in (("specialist", spec), ("management", mgmt)) if v or draw(st.booleans())}
        hire_share = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
        levels.append({"name": f"L{i}", "positions": positions, "hire_share": hire_share})
    sizes = [sum(level["positions"].values()) for level in levels]
    if n_levels >= 3 and all(a < b for a, b in itertools.pairwise(sizes)):  # refused as listed top first
        for level, positions in zip(levels, [lv["positions"] for lv in reversed(levels)], strict=True):
            level["positions"] = positions
    n_groups = draw(st.integers(1, 3))
    workforce, hiring = _shares(draw, n_groups), _shares(draw, n_groups)
    groups = []
    for g in range(n_groups):
        lead = draw(st.floats(0.0, 0.7))
        groups.append({
            "name": f"g{g}",
            "workforce_share": workforce[g],
            "hiring_share": hiring[g],
            "leadership_aspiration": lead,
            "specialist_aspiration": draw(st.floats(0.0, 1.0 - lead)),
            "rating_bias": draw(st.floats(-1.0, 1.0)),
            "ambition_suppression": draw(st.floats(0.0, 0.6)),
            "visibility_shift": draw(st.floats(-0.3, 0.3)),
        })
    people: list[dict[str, Any]] = []
    placed: dict[tuple[int, str], int] = {}  # named people may not outnumber their positions
    for p in range(draw(st.integers(0, 2))):
        level = draw(st.integers(0, n_levels - 1))
        tracks = [t for t in TRACKS if levels[level]["positions"].get(t, 0) > placed.get((level, t), 0)]
        if not tracks:
            continue
        track = draw(st.sampled_from(tracks))
        placed[level, track] = placed.get((level, track), 0) + 1
        people.append({
            "name": f"person{p}",
            "level": level if draw(st.booleans()) else f"L{level}",
            "track": track,
            "group": draw(st.sampled_from([None, *[g["name"] for g in groups]])),
            "ambition": draw(st.floats(0.0, 1.0)),
        })
    return {
        "name": "random",
        "warmup_months": draw(st.integers(0, 4)),
        "organisation": {
            "levels": levels,
            "initial_fill": draw(st.floats(0.3, 1.0)),
            "min_months_in_role": draw(st.integers(0, 6)),
        },
        "groups": groups,
        "people": people,
        "managers": {
            "heuristics": {
                "silence_as_disinterest": draw(st.booleans()),
                "visibility_as_readiness": draw(st.booleans()),
                "decline_as_permanent": draw(st.booleans()),
            },
            "micro_penalty_rate": draw(st.floats(0.0, 1.0)),
            "review_every_months": draw(st.integers(1, 6)),
            "stretch_offer_share": draw(st.floats(0.0, 0.5)),
            "development_share": draw(st.floats(0.0, 0.5)),
        },
        "policy": {
            "name": draw(st.sampled_from(POLICIES)),
            "cycle_months": draw(st.integers(1, 4)),
            "require_believed_interest": draw(st.booleans()),
            "offers_can_be_declined": draw(st.booleans()),
            "top_down": draw(st.booleans()),
        },
        "promotion": {
            "carry_over_same_track": draw(st.floats(0.0, 1.0)),
            "carry_over_cross_track": draw(st.floats(0.0, 1.0)),
            "step_back_rate": draw(st.floats(0.0, 0.6)),
            "stick_window_months": draw(st.integers(1, 6)),
        },
        "exits": {
            "base_monthly": draw(st.floats(0.0, 0.08)),
            "retirement_age": draw(st.floats(55.0, 70.0)),
            "dismissal_competence": draw(st.one_of(st.none(), st.floats(0.0, 6.0))),
            "passed_over_months": draw(st.integers(1, 12)),
        },
        "hiring": {"every_months": draw(st.integers(1, 3))},
        "metrics": {"key_levels": draw(st.integers(1, 3)), "plateau_months": draw(st.integers(1, 12))},
    }


# ---------------------------------------------------------------------------------------------
# Invariants


def check_structure(model: PromotionModel) -> None:
    """Positions, slots, levels, tracks and agents are consistent."""
    wf, org, sc = model.workforce, model.org, model.scenario
    rows = np.flatnonzero(wf.active)
    slots = wf.slot[rows]
    # every employee holds exactly one slot, and that slot's occupant is them
    assert ((slots >= 0) & (slots < org.n_slots)).all()
    assert np.unique(slots).size == rows.size
    assert (org.occupant[slots] == rows).all()
    # no slot is held by anyone else (a left or unknown row), so nothing is over-filled
    held = np.flatnonzero(org.occupant != VACANT)
    assert held.size == rows.size
    assert wf.active[org.occupant[held]].all()
    for (level, track), (start, stop) in org.ranges.items():
        here = int(((wf.level[rows] == level) & (wf.track[rows] == track)).sum())
        assert here <= stop - start == sc.positions(level, TRACKS[track])
    # nobody is on a level or track that does not exist
    level, track = wf.level[rows].astype(int), wf.track[rows].astype(int)
    assert ((level >= 0) & (level < sc.n_levels)).all()
    assert ((track >= 0) & (track < len(TRACKS))).all()
    exists = np.array([[sc.positions(li, t) > 0 for t in TRACKS] for li in range(sc.n_levels)])
    assert exists[level, track].all()
    assert (level == org.level[slots]).all() and (track == org.track[slots]).all()
    # everyone's manager, read in one lookup (Org.lead_uids), is the occupant of their boss's position
    boss = wf.boss_slot[rows]
    boss_row = np.where(boss >= 0, org.occupant[boss], VACANT)
    chained = np.where(boss_row >= 0, wf.uid[boss_row], -1)
    assert (org.lead_uids(wf.uid)[boss] == chained).all()
    # Mesa's agents are the workforce: one per employee, a Manager exactly on the management track
    assert len(model.agents) == rows.size
    uids = wf.uid[rows]
    assert np.unique(uids).size == rows.size
    for agent in model.agents:
        row = agent.row
        assert wf.active[row] and wf.uid[row] == agent.unique_id
        assert isinstance(agent, Manager) == (wf.track[row] == MANAGEMENT)


def check_metric_values(values: dict[str, float]) -> None:
    """Rates in [0, 1] or NaN; counts and other measures non-negative or NaN."""
    for name, value in values.items():
        if math.isnan(value):
            continue
        assert value >= 0.0, (name, value)
        if is_rate(name):
            assert value <= 1.0, (name, value)


def run_and_check(data: dict[str, Any], seed: int, months: int) -> None:
    scenario = load_scenario(data)
    model = PromotionModel(scenario=scenario, rng=seed)
    check_structure(model)
    start = int(model.workforce.active.sum())
    headcount = start
    for _ in range(months):
        model.step()
        check_structure(model)
        now = int(model.workforce.active.sum())
        assert now == headcount + model.flow.get("hires", 0) - model.flow.get("exits", 0)
        headcount = now
        assert model.metric("headcount") == now
        check_metric_values(model.current_metrics)
        assert set(METRICS) <= set(model.current_metrics)
    events = model.events.to_frame()
    kinds = events["kind"].value_counts()
    assert headcount == start + kinds.get("hire", 0) - kinds.get("exit", 0)
    summary = model.recorder.summary()
    check_metric_values(summary)
    series = model.recorder.timeseries()
    # An experiment's runs keep only the whole organisation's rows, made without the breakdown.
    pd.testing.assert_frame_equal(model.recorder.timeseries(breakdown=False), totals(series).reset_index(drop=True))
    for name, part in series.groupby("metric"):
        values = part["value"].to_numpy(dtype=float)
        finite = values[~np.isnan(values)]
        assert (finite >= 0).all(), name
        if is_rate(str(name)):
            assert (finite <= 1).all(), name
    # the level, group and track breakdowns of headcount, promotions and exits add up to the total
    for name in ("headcount", "promotions", "exits"):
        rows = series[series["metric"] == name]
        total = totals(rows).set_index("step")["value"]
        by_level = rows[rows["level"].notna() & rows["group"].isna()].groupby("step")["value"].sum()
        by_group = rows[rows["level"].isna() & rows["group"].notna()].groupby("step")["value"].sum()
        by_track = rows[rows["track"].notna()].groupby("step")["value"].sum()
        for part in (by_level, by_group, by_track):
            pd.testing.assert_series_equal(part, total, check_names=False, obj=name)


@PROPERTY_SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1), months=st.integers(1, 14))
def test_invariants_hold_after_every_step(data: dict[str, Any], seed: int, months: int) -> None:
    run_and_check(data, seed, months)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), seed=st.integers(0, 1000))
def test_invariants_with_heavy_churn(data: dict[str, Any], seed: int) -> None:
    """Many exits, step-backs and promotion rounds every month stress the vacancy chain."""
    data["exits"]["base_monthly"] = 0.3
    data["promotion"]["step_back_rate"] = 1.0
    data["promotion"]["fit_threshold"] = 9.0
    data["policy"]["cycle_months"] = 1
    data["organisation"]["min_months_in_role"] = 0
    run_and_check(data, seed, months=8)


@settings(max_examples=30, deadline=None)
@given(data=scenarios())
def test_to_yaml_round_trips_random_scenarios(data: dict[str, Any]) -> None:
    scenario = load_scenario(data)
    again = load_scenario(yaml.safe_load(scenario.to_yaml()))
    assert again == scenario


@settings(max_examples=40, deadline=None)
@given(data=scenarios(), headcount=st.integers(2, 5000))
def test_headcount_scaling_keeps_every_position_type(data: dict[str, Any], headcount: int) -> None:
    base = load_scenario(data)
    kinds = sum(1 for level in base.organisation.levels for n in level.positions.values() if n > 0)
    if headcount < kinds:  # fewer people than position types cannot keep the shape
        with pytest.raises(InputError, match=f"headcount must be at least {kinds}"):
            load_scenario(data, headcount=headcount)
        return
    scaled = load_scenario(data, headcount=headcount)
    factor = headcount / (base.total_positions * base.organisation.initial_fill)
    sizes = [sum(level.positions.values()) for level in scaled.organisation.levels] + [0]
    for i, (b_level, s_level) in enumerate(zip(base.organisation.levels, scaled.organisation.levels, strict=True)):
        # A level made as large as the one above it, so the shape does not read as listed top first.
        grown = sizes[i] == sizes[i + 1]
        assert b_level.name == s_level.name
        for track in TRACKS:
            b, s = b_level.positions.get(track, 0), s_level.positions.get(track, 0)
            named = sum(1 for p in data["people"] if p["level"] in (i, b_level.name) and p["track"] == track)
            assert (s > 0) == (b > 0)
            assert s >= named, "room kept for the named people, who are not scaled"
            if b:
                assert abs(s - b * factor) <= 0.5 or s == max(1, named) or (grown and s > b * factor)
    assert scaled.groups == base.groups and scaled.policy == base.policy
