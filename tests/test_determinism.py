"""Same scenario and seed -> identical tables; different seeds -> different tables; named streams."""

from __future__ import annotations

import copy
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, cli_env, run_cli

from sim import PromotionModel, SimulationResult, load_scenario, simulate
from sim.workforce import COLUMNS

SMALL = load_scenario(BASELINE, headcount=250, warmup_months=12)


@pytest.fixture(scope="module")
def runs() -> dict[int, SimulationResult]:
    return {seed: simulate(SMALL, seed=seed, years=3) for seed in (11, 12)}


def assert_same_summary(a: dict[str, float], b: dict[str, float]) -> None:
    assert list(a) == list(b)
    for key, value in a.items():
        assert (math.isnan(value) and math.isnan(b[key])) or value == b[key], key


def test_same_seed_gives_identical_tables(runs: dict[int, SimulationResult]) -> None:
    again = simulate(SMALL, seed=11, years=3)
    first = runs[11]
    assert_same_summary(first.summary, again.summary)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.events, again.events)
    assert first.seed == again.seed == 11


def test_a_file_and_a_loaded_scenario_give_the_same_run() -> None:
    a = simulate(BASELINE, seed=5, years=1, warmup_months=3)
    b = simulate(load_scenario("baseline", warmup_months=3), seed=5, years=1)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.events, b.events)


def test_different_seeds_give_different_tables(runs: dict[int, SimulationResult]) -> None:
    a, b = runs[11], runs[12]
    assert a.summary != b.summary
    assert not a.timeseries["value"].equals(b.timeseries["value"])
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(a.events, b.events)


def test_the_tables_are_not_empty(runs: dict[int, SimulationResult]) -> None:
    result = runs[11]
    assert set(result.timeseries.columns) >= {"step", "year", "metric", "value", "level", "group"}
    assert list(result.events.columns) == ["step", "employee", "kind", "details"]
    assert result.timeseries["step"].max() == 36
    assert {"hire", "exit", "promotion"} <= set(result.events["kind"])


def test_a_shorter_run_is_a_prefix_of_a_longer_one(runs: dict[int, SimulationResult]) -> None:
    """Streams are keyed by month, so stopping early does not change what happened before."""
    short = simulate(SMALL, seed=11, years=1)
    long = runs[11]
    head = long.timeseries[long.timeseries["step"] <= 12].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.timeseries, head)
    events = long.events[long.events["step"] <= 12].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.events, events)


def test_model_state_is_identical_for_the_same_seed() -> None:
    a = PromotionModel(scenario=SMALL, rng=99)
    b = PromotionModel(scenario=SMALL, rng=99)
    for _ in range(8):
        a.step()
        b.step()
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(a.workforce, name), getattr(b.workforce, name), err_msg=name)
    np.testing.assert_array_equal(a.org.occupant, b.org.occupant)


def test_an_unseeded_model_records_its_seed_and_can_be_replayed() -> None:
    a = PromotionModel(scenario=SMALL)
    b = PromotionModel(scenario=SMALL, rng=a.seed)
    for _ in range(3):
        a.step()
        b.step()
    np.testing.assert_array_equal(a.workforce.competence, b.workforce.competence)
    assert a.current_metrics == pytest.approx(b.current_metrics, nan_ok=True)


def test_an_unseeded_simulation_keeps_the_seed_it_ran_and_can_be_replayed() -> None:
    """``simulate(seed=None)`` ran a fresh seed but its result said ``seed=None``: the run was lost.

    A numpy integer seed (``for seed in np.arange(5)``) is kept as an ``int``, as the model ran it.
    """
    small = load_scenario(SMALL, warmup_months=0)
    first = simulate(small, seed=None, years=1 / 12)
    assert type(first.seed) is int and first.seed >= 0
    again = simulate(first.scenario, seed=first.seed, years=1 / 12)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    assert type(simulate(small, seed=np.int64(3), years=1 / 12).seed) is int



def test_simulate_without_a_seed_gives_what_promosim_run_gives(tmp_path: Path) -> None:
    """``simulate("baseline")`` ran seed 0 and ``promosim run baseline`` seed 1: two different tables (a docs audit)."""
    small = tmp_path / "small.yaml"
    small.write_text(f"extends: {BASELINE}\nyears: 1\n", encoding="utf-8")
    done = run_cli("run", small, "--headcount", "300", "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    typed = pd.read_parquet(tmp_path / "out" / "summary.parquet").set_index("metric")["value"]
    result = simulate(small, headcount=300)
    assert result.seed == 1
    assert dict(typed) == pytest.approx(result.summary, nan_ok=True)

def test_switching_a_heuristic_does_not_reshuffle_who_is_drawn() -> None:
    """Named streams: the people drawn at the start do not depend on the managers' heuristics."""
    on = PromotionModel(scenario=SMALL, rng=4, warmup_months=0)
    off = PromotionModel(scenario=SMALL, rng=4, warmup_months=0, silence_as_disinterest=False,
                         visibility_as_readiness=False, policy="random")
    for name in ("group", "age", "ambition", "wants_mgmt", "wait", "visibility", "risk_sensitivity",
                 "engagement", "competence", "mgmt_ready", "spec_ready", "slot"):
        np.testing.assert_array_equal(getattr(on.workforce, name), getattr(off.workforce, name), err_msg=name)


def test_the_command_line_is_reproducible_across_processes(tmp_path: Path) -> None:
    """Two processes with different hash seeds write byte-identical tables."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run{hash_seed}"
        env = {**cli_env(), "PYTHONHASHSEED": hash_seed}
        done = run_cli("run", BASELINE, "--seed", "3", "--years", "1", "--headcount", "100", "--quiet",
                       "--out", out, "--set", "warmup_months=3", env=env)
        assert done.returncode == 0, done.stderr
        outputs.append(out)
    for name in ("summary.parquet", "timeseries.parquet", "events.parquet"):
        a, b = (pd.read_parquet(o / name) for o in outputs)
        pd.testing.assert_frame_equal(a, b)
    assert (outputs[0] / "scenario.yaml").read_text() == (outputs[1] / "scenario.yaml").read_text()


def test_a_pickled_model_goes_on_exactly_as_the_original() -> None:
    """A checkpoint (pickle or deep copy) mid-run continues with the same numbers as the original."""
    model = PromotionModel(scenario=BASELINE, rng=8, headcount=300)
    for _ in range(14):
        model.step()
    copies = [pickle.loads(pickle.dumps(model)), copy.deepcopy(model)]
    for m in (model, *copies):
        for _ in range(13):
            m.step()
    want = model.datacollector.get_model_vars_dataframe()
    for m in copies:
        pd.testing.assert_frame_equal(m.datacollector.get_model_vars_dataframe(), want)
        for name in COLUMNS:
            assert np.array_equal(getattr(m.workforce, name), getattr(model.workforce, name)), name
