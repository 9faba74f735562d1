"""Mesa integration: keyword-only model, agents, DataCollector, batch_run, per-person views."""

from __future__ import annotations

import gc
import inspect
import math
import random
import re
import weakref
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pytest
from conftest import BASELINE

from sim import PromotionModel, load_scenario
from sim.metrics import METRICS, totals
from sim.scenario import MANAGEMENT, SPECIALIST, TRACKS
from sim.workforce import Employee, Manager

SMALL = load_scenario(BASELINE, headcount=200, warmup_months=6)


@pytest.fixture(scope="module")
def model() -> PromotionModel:
    m = PromotionModel(scenario=SMALL, rng=21)
    for _ in range(14):
        m.step()
    return m


# ---------------------------------------------------------------------------------------------
# Construction


def test_the_constructor_is_keyword_only() -> None:
    params = inspect.signature(PromotionModel.__init__).parameters
    for name, param in params.items():
        if name != "self":
            assert param.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD), name
    with pytest.raises(TypeError):
        PromotionModel(SMALL)  # type: ignore[misc]


def test_it_is_a_mesa_model() -> None:
    m = PromotionModel(scenario=SMALL, rng=1)
    assert isinstance(m, mesa.Model)
    assert m.running is True


def test_keyword_parameters_reach_the_scenario() -> None:
    """SolaraViz and batch_run re-create the model from keywords: shortcuts and key paths both work."""
    m = PromotionModel(scenario="baseline", rng=1, headcount=80, warmup_months=0, policy="random",
                       silence_as_disinterest=False, exits__base_monthly=0.02,
                       overrides={"promotion.carry_over_same_track": 0.1})
    sc = m.scenario
    assert sc.policy.name == "random"
    assert sc.managers.heuristics.silence_as_disinterest is False
    assert sc.exits.base_monthly == 0.02
    assert sc.promotion.carry_over_same_track == 0.1
    assert sc.total_positions < 120


def test_the_default_scenario_is_the_baseline() -> None:
    m = PromotionModel(rng=2, headcount=60, warmup_months=0)
    assert m.scenario.name == "baseline"


# ---------------------------------------------------------------------------------------------
# Agents


def test_agents_are_employees_and_managers(model: PromotionModel) -> None:
    wf = model.workforce
    assert len(model.agents) == int(wf.active.sum())
    managers = list(model.agents_by_type[Manager])
    plain = [a for a in model.agents if type(a) is Employee]
    assert managers and plain
    assert len(managers) + len(plain) == len(model.agents)
    assert all(a.track == "management" for a in managers)
    assert all(a.track == "specialist" for a in plain)
    for agent in model.agents:
        assert isinstance(agent, Employee)
        assert agent.level == int(wf.level[agent.row])
        assert agent.group in model.scenario.group_names


def test_managers_reports_are_their_team(model: PromotionModel) -> None:
    wf, org = model.workforce, model.org
    seen = 0
    for boss in model.agents_by_type[Manager]:
        reports = boss.reports()
        for person in reports:
            assert isinstance(person, Employee)
            assert person.manager is boss
            assert person.level < boss.level
            assert org.parent[wf.slot[person.row]] == wf.slot[boss.row]
        seen += len(reports)
    # everyone with a filled manager post shows up in exactly one manager's reports
    has_boss = sum(1 for a in model.agents if a.manager is not None)
    assert seen == has_boss > 0


def test_a_promotion_into_management_turns_the_agent_into_a_manager() -> None:
    # Its own model, run until someone promoted into management is still there: 14 months of
    # 200 people give about four, and none in about one seed of a hundred.
    model = PromotionModel(scenario=SMALL, rng=21)
    for _ in range(120):
        model.step()
        ledger = model.promotions
        crossed = [int(u) for u, t in zip(ledger["uid"], ledger["track"], strict=True) if t == MANAGEMENT]
        now = [model.employee(u) for u in crossed]
        on_mgmt = [a for a in now if a is not None and a.track == "management"]
        if on_mgmt:
            break
    assert on_mgmt, "no promotion into management happened in 120 months"
    assert all(isinstance(a, Manager) for a in on_mgmt)
    specialists = [a for a in now if a is not None and a.track == "specialist"]
    assert all(type(a) is Employee for a in specialists)  # stepped back: no longer a Manager


def test_employee_lookup_and_views(model: PromotionModel) -> None:
    wf = model.workforce
    row = int(np.flatnonzero(wf.active)[0])
    uid = int(wf.uid[row])
    person = model.employee(uid)
    assert person is not None and person.unique_id == uid and person.row == row
    hidden = person.hidden_state()
    expected = {"ambition", "aspiring", "direction", "wants_to_move_in_months", "visibility", "risk_sensitivity",
                "engagement", "competence", "management_readiness", "specialist_readiness", "level", "track",
                "group", "tenure_months", "age"}
    assert expected <= set(hidden)
    for key in ("ambition", "visibility", "risk_sensitivity", "engagement"):
        assert 0.0 <= hidden[key] <= 1.0, key
    for key in ("competence", "management_readiness", "specialist_readiness"):
        assert 0.0 <= hidden[key] <= 10.0, key
    assert hidden["aspiring"] == (hidden["ambition"] >= 0.5)
    assert hidden["direction"] in TRACKS and hidden["track"] in TRACKS
    assert hidden["level"] == person.level
    beliefs = person.beliefs()
    assert {"interest", "management_direction", "readiness", "refused_for_good"} <= set(beliefs)
    assert 0.0 <= beliefs["interest"] <= 1.0
    assert beliefs["interest"] == pytest.approx(float(wf.b_interest[row]))
    # beliefs are not the truth: the manager's reading is a separate quantity
    assert "ambition" not in beliefs


def test_unknown_and_departed_people_are_none(model: PromotionModel) -> None:
    assert model.employee(10**9) is None
    events = model.events.to_frame()
    left = events.loc[events["kind"] == "exit", "employee"]
    assert len(left) > 0
    assert all(model.employee(int(u)) is None for u in left)


def test_hidden_state_differs_from_beliefs_for_some_aspirants(model: PromotionModel) -> None:
    """The point of the model: some people who want to move are believed not to."""
    misread = 0
    for agent in model.agents:
        if agent.hidden_state()["aspiring"] and agent.beliefs()["interest"] <= 0.4:
            misread += 1
    assert misread > 0


# ---------------------------------------------------------------------------------------------
# DataCollector and batch_run


def _reporters() -> dict[str, Any]:
    return {name: (lambda m, n=name: m.metric(n)) for name in ("headcount", "misread_rate", "promotions",
                                                             "hidden_ambition_rate", "attrition_rate")}


def test_datacollector_with_model_reporters() -> None:
    m = PromotionModel(scenario=SMALL, rng=8)
    collector = mesa.DataCollector(model_reporters=_reporters(), agent_reporters={"level": "level", "track": "track"})
    for _ in range(6):
        m.step()
        collector.collect(m)
    frame = collector.get_model_vars_dataframe()
    assert len(frame) == 6
    assert frame["headcount"].iloc[-1] == m.workforce.active.sum()
    series = m.recorder.timeseries()
    misread = totals(series[series["metric"] == "misread_rate"])
    np.testing.assert_allclose(frame["misread_rate"].to_numpy(), misread["value"].to_numpy())
    agents = collector.get_agent_vars_dataframe()
    last = agents.xs(agents.index.get_level_values(0).max(), level=0)
    assert len(last) == m.workforce.active.sum()
    assert set(last["track"]) <= set(TRACKS)


def test_metric_is_nan_before_measuring_and_refuses_unknown_names() -> None:
    m = PromotionModel(scenario=SMALL, rng=8, warmup_months=0)
    assert math.isnan(m.metric("headcount"))
    assert math.isnan(m.metric("exits"))
    with pytest.raises(KeyError, match=r"unknown metric 'misread_rat' \(did you mean 'misread_rate'\?\)"):
        m.metric("misread_rat")
    m.step()
    assert m.metric("headcount") > 0
    for name in m.current_metrics:  # every name the model reports is one it accepts
        m.metric(name)
    with pytest.raises(KeyError, match="unknown metric 'no_such_metric'"):
        m.metric("no_such_metric")
    with pytest.raises(KeyError, match="unknown group 'martians'"):
        m.metric("top_share.martians")
    assert set(METRICS) <= set(m.current_metrics)


@pytest.mark.parametrize(("name", "words"), [
    ("decliner_retention.women", r"in the run's summary only .* simulate\(\.\.\.\)\.decliners"),
    ("promotion_stick_rate.men", r"in the run's summary only .* simulate\(\.\.\.\)\.promotions"),
    ("promotion_stick_rate.women/men", "worked out run by run when a comparison is analysed"),
    ("global_efficiency_change", "in the run's summary only"),
    ("global_efficiency", "needs metrics.level_weights"),
])
def test_metric_refuses_a_summary_metric_that_no_month_measures(name: str, words: str) -> None:
    # They gave NaN every month: a researcher's DataCollector column of decliner_retention.women
    # never filled, with no word that the rate is the summary's only.
    m = PromotionModel(scenario=SMALL, rng=8, warmup_months=0)
    with pytest.raises(KeyError, match=words):
        m.metric(name)  # before the first month too, where a reporter is usually tried
    m.step()
    assert name not in m.current_metrics
    with pytest.raises(KeyError, match=words):
        m.metric(name)


class CollectingModel(PromotionModel):
    """The usual Mesa pattern: a model that owns a DataCollector and collects every step."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.datacollector = mesa.DataCollector(model_reporters=_reporters())
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        if hasattr(self, "datacollector"):  # PromotionModel steps its warm-up inside __init__
            self.datacollector.collect(self)


def test_batch_run_two_iterations_without_warmup() -> None:
    results = mesa.batch_run(
        CollectingModel,
        parameters={"scenario": "baseline", "headcount": 60, "warmup_months": 0,
                    "policy": ["random", "visibility"], "rng": [1, 2]},
        iterations=2,
        max_steps=6,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    runs = {(r["RunId"], r["iteration"]) for r in results}
    assert len(runs) == 2 * 2 * 2
    assert {r["policy"] for r in results} == {"random", "visibility"}
    last = [r for r in results if r["Step"] == 6]
    assert len(last) == 8
    assert all(r["headcount"] > 0 for r in last)
    assert all(0.0 <= r["misread_rate"] <= 1.0 for r in last)
    # same parameters, same seed: the iterations agree
    by_key: dict[tuple[str, int], set[float]] = {}
    for r in last:
        by_key.setdefault((r["policy"], r["rng"]), set()).add(r["misread_rate"])
    assert all(len(v) == 1 for v in by_key.values())


def test_batch_run_on_the_model_itself() -> None:
    results = mesa.batch_run(
        PromotionModel,
        parameters={"scenario": "baseline", "headcount": 60, "warmup_months": 2, "rng": [1, 2]},
        iterations=2, max_steps=4, number_processes=1, display_progress=False,
    )
    assert len({r["RunId"] for r in results}) == 4
    assert any(name in results[-1] for name in METRICS)


def test_batch_run_steps_are_the_months_of_the_time_series() -> None:
    """batch_run labels each row with the steps taken before it, reading the collector's row of that index.

    Mesa models collect once when built (step 0), and batch_run reads ``model_vars[step]``; a
    collector that first collected after month 1 had every row one month late (Step 0 held
    month 1), so joining batch_run's output to the time series on the step shifted it a month.
    """
    results = mesa.batch_run(
        PromotionModel, parameters={"scenario": "baseline", "headcount": 60, "warmup_months": 0, "rng": 5},
        iterations=1, max_steps=3, number_processes=1, data_collection_period=1, display_progress=False,
    )
    m = PromotionModel(scenario="baseline", headcount=60, warmup_months=0, rng=5)
    for _ in range(3):
        m.step()
    series = totals(m.recorder.timeseries())
    by_step = {r["Step"]: r for r in results}
    assert sorted(by_step) == [0, 1, 2, 3]
    assert all(math.isnan(by_step[0][name]) for name in METRICS)  # nothing is measured before month 1
    for step in (1, 2, 3):
        month = series[series["step"] == step].set_index("metric")["value"]
        for name in ("headcount", "misread_rate", "hidden_ambition_rate"):
            assert by_step[step][name] == month[name], (step, name)
    frame = m.datacollector.get_model_vars_dataframe()
    assert frame.index.tolist() == [0, 1, 2, 3]
    assert frame.loc[3, "headcount"] == m.workforce.active.sum()


def test_mesa_step_counter_counts_recorded_months() -> None:
    m = PromotionModel(scenario=SMALL, rng=3)
    assert m.steps == 0
    m.step()
    assert m.steps == m.month == 1


def test_batch_run_with_warmup() -> None:
    class Standard(PromotionModel):
        def __init__(self, **kwargs: Any):
            super().__init__(**kwargs)
            self.datacollector = mesa.DataCollector(model_reporters=_reporters())

        def step(self) -> None:
            super().step()
            self.datacollector.collect(self)

    results = mesa.batch_run(Standard, parameters={"scenario": "baseline", "headcount": 60, "warmup_months": 3},
                             iterations=2, max_steps=4, number_processes=1, display_progress=False)
    assert len(results) == 2
    assert all(r["headcount"] > 0 for r in results)


def test_tracks_are_numbered_consistently() -> None:
    assert TRACKS[SPECIALIST] == "specialist" and TRACKS[MANAGEMENT] == "management"


# ---------------------------------------------------------------------------------------------
# Mesa's own tools and habits


def test_solara_viz_accepts_the_model_and_its_shortcuts() -> None:
    """SolaraViz checks the model's signature; with ``**params`` it refused every model."""
    from mesa.visualization.solara_viz import _check_model_params  # noqa: PLC0415

    _check_model_params(PromotionModel.__init__, {"headcount": 200, "rng": 1, "policy": "random",
                                                  "voice_rate": 0.1, "silence_as_disinterest": False})


def test_a_departed_persons_agent_keeps_their_state_not_the_next_occupants() -> None:
    """A row is reused after someone leaves: a kept handle read the newcomer in it."""
    m = PromotionModel(scenario=SMALL, rng=4, warmup_months=0)
    kept = {a.unique_id: (a, a.group, a.hidden_state()["age"]) for a in m.agents}
    for _ in range(24):
        m.step()
    now = {a.unique_id for a in m.agents}
    gone = [uid for uid in kept if uid not in now]
    assert gone
    for uid in gone:
        agent, group, age = kept[uid]
        assert not agent.present and agent not in m.agents and m.employee(uid) is None
        assert m.workforce.uid[agent.row] != uid  # the row is someone else's, or empty
        state = agent.hidden_state()
        assert state["group"] == group and age <= state["age"] <= age + 2.01
        assert agent.unique_id == uid and agent.manager is None
    assert any(m.workforce.active[kept[uid][0].row] for uid in gone)  # some rows were reused


def test_simulation_state_cannot_be_set_on_an_agent() -> None:
    """``agent.ambition = 0.9`` made a plain attribute the model never read; a custom one is fine."""
    m = PromotionModel(scenario=SMALL, rng=4, warmup_months=0)
    agent = next(iter(m.agents))
    for name in ("ambition", "competence", "b_interest", "management_readiness"):
        with pytest.raises(AttributeError, match="simulation state"):
            setattr(agent, name, 1.0)
    agent.note = "mine"
    assert agent.note == "mine"


@pytest.mark.parametrize("name", ["level", "track", "slot", "uid", "active", "b_manager", "manager"])
def test_where_a_person_sits_is_not_pointed_to_its_column(name: str) -> None:
    """``agent.level = 3`` was told to write ``model.workforce.level`` at the agent's row instead, which
    put the person at level 3 in a position of another level: only the model's moves change these."""
    m = PromotionModel(scenario=SMALL, rng=4, warmup_months=0)
    agent = next(iter(m.agents))
    with pytest.raises(AttributeError, match="where the person is in the organisation") as caught:
        setattr(agent, name, 1)
    assert "model.workforce" not in str(caught.value)


def test_removing_an_employee_through_mesa_is_refused() -> None:
    """agent.remove() hid a person who stayed employed from model.agents for good."""
    m = PromotionModel(scenario=SMALL, rng=4, warmup_months=0)
    agent = next(iter(m.agents))
    with pytest.raises(RuntimeError, match="exits phase"):
        agent.remove()
    with pytest.raises(RuntimeError, match="exits phase"):
        m.remove_all_agents()
    assert agent in m.agents
    assert len(m.agents) == int(m.workforce.active.sum())


@pytest.mark.parametrize(("keyword", "suggestion"), [("rgn", "rng"), ("head_count", "headcount"),
                                                     ("voice_rat", "voice_rate"), ("senario", "scenario")])
def test_a_mistyped_keyword_suggests_the_constructors_own(keyword: str, suggestion: str) -> None:
    from sim import InputError  # noqa: PLC0415

    with pytest.raises(InputError, match=f"did you mean '{suggestion}'") as caught:
        PromotionModel(scenario=SMALL, **{keyword: 1})
    assert "\n" not in str(caught.value)


def test_simulates_bad_seed_is_named_as_its_seed() -> None:
    """``simulate(seed=1.5)`` was reported as ``PromotionModel: rng``, a keyword the caller never wrote."""
    from sim import InputError, simulate  # noqa: PLC0415

    for seed in (1.5, -1):
        with pytest.raises(InputError, match=r"^simulate: seed: must be a whole number 0 or more"):
            simulate(SMALL, seed=seed, years=1 / 12)


def test_the_model_stops_running_after_its_years() -> None:
    """``run_model()`` never returned and batch_run ran its default 1,001 months whatever ``years`` said."""
    m = PromotionModel(scenario="baseline", headcount=60, warmup_months=0, years=1, rng=3)
    m.run_model()
    assert m.month == 12 and m.running is False
    m.step()  # stepping on is the caller's choice (simulate runs past the scenario's years)
    assert m.month == 13
    results = mesa.batch_run(PromotionModel, parameters={"scenario": "baseline", "headcount": 60,
                                                         "warmup_months": 0, "years": 0.5, "rng": 3},
                             iterations=1, number_processes=1, data_collection_period=1, display_progress=False)
    # Mesa 3.3.1 leaves out the last month of a model that stops itself (mesa#2514): months 0 to 5 of 6.
    assert sorted(r["Step"] for r in results) == [0, 1, 2, 3, 4, 5]


def test_every_column_reads_as_an_agent_attribute_for_mesas_tools() -> None:
    """``model.agents.get("ambition")`` and ``agent_reporters={"ambition": "ambition"}`` failed: the hidden
    traits were only in ``hidden_state()``."""
    m = PromotionModel(scenario=SMALL, rng=4)
    m.step()
    agents = list(m.agents)
    wf = m.workforce
    assert m.agents.get("ambition") == [float(wf.ambition[a.row]) for a in agents]
    assert [a.b_interest for a in agents] == [float(wf.b_interest[a.row]) for a in agents]
    assert agents[0].level == int(wf.level[agents[0].row])  # a property keeps its readable form
    assert agents[0].track in TRACKS and isinstance(agents[0].group, str)
    collector = mesa.DataCollector(agent_reporters={"ambition": "ambition", "believed": "b_interest"})
    collector.collect(m)
    frame = collector.get_agent_vars_dataframe()
    assert len(frame) == len(agents) and frame["ambition"].between(0, 1).all()
    with pytest.raises(AttributeError, match="no attribute 'ambitionn'"):
        _ = agents[0].ambitionn


def test_simulate_takes_a_headcount_as_the_model_does() -> None:
    from sim import simulate  # noqa: PLC0415

    result = simulate("baseline", seed=2, years=0.25, headcount=120)
    assert 100 <= result.summary["headcount"] <= 140


def test_a_handle_is_not_present_from_its_persons_change_of_track() -> None:
    """A specialist made a manager kept ``present`` True until agents were next made (a review)."""
    m = PromotionModel(scenario="baseline", rng=1, headcount=100)
    handles = list(m.agents)
    for _ in range(30):
        m.step()
    wf = m.workforce
    moved = [a for a in handles if wf.uid[a.row] == a.unique_id and wf.active[a.row]
             and (int(wf.track[a.row]) == MANAGEMENT) != isinstance(a, Manager)]
    assert moved, "someone changed track in 30 months"
    assert not any(a.present for a in moved)  # before any agent is made again
    stayed = [a for a in handles if a not in moved and wf.uid[a.row] == a.unique_id and wf.active[a.row]]
    assert stayed and all(a.present for a in stayed)
    current = m.employee(moved[0].unique_id)
    assert current is not moved[0] and current.present


class OwnCollector(PromotionModel):
    """A DataCollector of one's own, the Mesa way: collected when built and in ``step``."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.datacollector = mesa.DataCollector(
            model_reporters={"month": "month", "headcount": lambda m: m.metric("headcount")},
            agent_reporters={"ambition": "ambition"})
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def test_a_subclass_that_collects_its_own_datacollector_gets_one_row_a_month() -> None:
    """PromotionModel.step collected ``self.datacollector`` too, so a subclass collecting in its step, as Mesa
    models do, had two rows a month: row 3, and batch_run's Step 3, held month 2."""
    m = OwnCollector(scenario=SMALL, rng=2, warmup_months=0)
    for _ in range(3):
        m.step()
    frame = m.datacollector.get_model_vars_dataframe()
    assert frame["month"].tolist() == [0, 1, 2, 3]
    assert frame["headcount"].iloc[-1] == m.workforce.active.sum()
    results = mesa.batch_run(OwnCollector, parameters={"scenario": [SMALL], "warmup_months": 0, "rng": 2},
                             max_steps=3, number_processes=1, data_collection_period=1, display_progress=False)
    assert {(r["Step"], r["month"]) for r in results} == {(0, 0), (1, 1), (2, 2), (3, 3)}


def test_batch_run_takes_a_scenario_object_as_one_value() -> None:
    """batch_run sweeps over an iterable parameter, and a pydantic model iterates over its fields: a Scenario
    given as ``{"scenario": scenario}`` ran as each (field, value) pair and failed on "got ('name', ...)"."""
    results = mesa.batch_run(PromotionModel, parameters={"scenario": SMALL, "warmup_months": 0, "rng": [1, 2]},
                             max_steps=1, number_processes=1, display_progress=False)
    assert len(results) == 2 and all(r["scenario"] is SMALL and r["headcount"] > 0 for r in results)
    with pytest.raises(TypeError, match="model_dump"):
        iter(SMALL)


def test_a_datacollector_put_on_the_model_is_collected_once_a_month() -> None:
    """One set without a ``step`` that collects it is collected by the model at the end of each step."""
    m = PromotionModel(scenario=SMALL, rng=2, warmup_months=0)
    m.datacollector = mesa.DataCollector(model_reporters={"month": "month"}, agent_reporters={"level": "level"})
    for _ in range(3):
        m.step()
    assert m.datacollector.get_model_vars_dataframe()["month"].tolist() == [1, 2, 3]
    agents = m.datacollector.get_agent_vars_dataframe()
    assert sorted(set(agents.index.get_level_values("Step"))) == [1, 2, 3]


def test_an_agent_set_kept_across_steps_stays_current() -> None:
    """Mesa's agent sets are live; one kept from ``model.agents`` lacked every hire and promotion into
    management, and kept a promoted person's old handle, until the model was next asked for its agents."""
    m = PromotionModel(scenario="baseline", headcount=200, warmup_months=0, rng=1)
    people, managers = m.agents, m.agents_by_type[Manager]
    hired = m.next_uid
    for _ in range(24):
        m.step()
    wf = m.workforce
    assert m.next_uid > hired  # people were hired
    assert sorted(a.unique_id for a in people) == sorted(wf.uid[wf.rows].tolist())
    assert all(a.present for a in people)
    assert sorted(a.unique_id for a in managers) == sorted(wf.uid[wf.rows[wf.track[wf.rows] == MANAGEMENT]].tolist())


def test_a_model_and_its_agents_are_freed() -> None:
    """A model whose agents were made was never freed: its agents sat in a numpy array of objects, which the
    garbage collector cannot see into, and Mesa 3.3 keeps each model with an agent in ``Agent._ids``
    (mesa#3179), so every run of a batch_run with agent reporters stayed in memory."""
    m = PromotionModel(scenario=SMALL, rng=1, warmup_months=0)
    m.step()
    agent = next(iter(m.agents))
    gone = weakref.ref(m), weakref.ref(agent)
    del m, agent
    gc.collect()
    assert [ref() for ref in gone] == [None, None]


def test_the_readmes_mesa_block_runs_as_written() -> None:
    """It used ``mesa`` and ``PromotionModel`` without importing them (a NameError when copied into a file)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "class Sized" in b)
    names: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), names)  # the README's own example, as a reader runs it
    rows = names["rows"]
    assert {(r["rng"], r["Step"]) for r in rows} == {(seed, step) for seed in (1, 2) for step in (0, 6, 12)}
    assert all(0.0 <= r["ambition"] <= 1.0 for r in rows)
    assert all(r["seed"] == r["rng"] for r in rows)  # its own collector records the seed, as the model's does


def test_batch_run_without_a_seed_records_the_seed_each_run_drew_and_replays() -> None:
    """``batch_run(PromotionModel, parameters, iterations=3)`` without ``rng`` ran each model on a fresh seed
    that no row held: the runs could not be replayed. The collector's ``seed`` column says it, row by row."""
    results = mesa.batch_run(
        PromotionModel, parameters={"scenario": SMALL, "warmup_months": 0}, iterations=3, max_steps=2,
        number_processes=1, data_collection_period=1, display_progress=False,
    )
    seeds = {r["RunId"]: r["seed"] for r in results}
    assert all(isinstance(seed, int) and seed >= 0 for seed in seeds.values()) and len(set(seeds.values())) == 3
    assert all(r["seed"] == seeds[r["RunId"]] for r in results)  # every row of a run, Step 0 included
    last = next(r for r in results if r["RunId"] == 1 and r["Step"] == 2)
    replay = PromotionModel(scenario=SMALL, warmup_months=0, rng=last["seed"])
    replay.step()
    replay.step()
    assert replay.datacollector.get_model_vars_dataframe().iloc[-1].to_dict() == pytest.approx(
        {name: last[name] for name in (*METRICS, "seed")}, nan_ok=True)


def test_resetting_mesas_generators_warns_that_the_run_does_not_draw_from_them() -> None:
    """``model.reset_rng(5)`` (or ``reset_randomizer``) reset generators no phase draws from: the run went on
    unchanged without a word. It still resets them, as Mesa's does (None: the run seed), and says so."""
    m = PromotionModel(scenario=SMALL, rng=3, warmup_months=0)
    twin = PromotionModel(scenario=SMALL, rng=3, warmup_months=0)
    m.step()
    twin.step()
    with pytest.warns(UserWarning, match=r"^reset_rng resets Mesa's model.rng and model.random, which the "
                                         r"simulation does not draw from: .* build a new model with rng=model.seed$"):
        m.reset_rng(5)
    assert m.rng.random() == np.random.default_rng(5).random()
    with pytest.warns(UserWarning, match=r"^reset_randomizer resets Mesa's"):
        m.reset_randomizer()
    assert m.random.random() == random.Random(3).random()  # the run seed, not a fresh one
    m.step()
    twin.step()
    assert m.current_metrics == pytest.approx(twin.current_metrics, nan_ok=True)
