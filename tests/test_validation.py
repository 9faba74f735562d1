"""Validation against published figures and a published model (issue 6).

1. Calibration: a freshly drawn baseline organisation reproduces the aspiration shares its
   defaults cite, within sampling error.
2. Pluchino, Rapisarda & Garofalo (2010): the Peter-principle pattern, reproduced by the
   project's own engine configured by scenarios/peter_principle/*.yaml.
"""

from __future__ import annotations

import importlib.util
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from scipy import stats

from sim import PromotionModel, load_scenario, simulate
from sim.experiment.analysis import run_values
from sim.experiment.design import build_design, load_experiment
from sim.experiment.executor import ExecutorSpec
from sim.experiment.runner import run_design
from sim.experiment.store import ResultStore

ROOT = Path(__file__).resolve().parent.parent
PETER = ROOT / "scenarios" / "peter_principle"


def _fresh_baseline(headcount: int, seed: int) -> PromotionModel:
    scenario = load_scenario("baseline", headcount=headcount, overrides={"warmup_months": 0})
    return PromotionModel(scenario=scenario, rng=seed)


def _within(observed: float, n: int, published: float, n_published: int | None) -> bool:
    """|observed - published| within 3 combined standard errors (binomial)."""
    se = observed * (1 - observed) / n
    if n_published:
        se += published * (1 - published) / n_published
    return abs(observed - published) <= 3 * math.sqrt(se)


def test_leadership_aspiration_matches_careerbuilder_harris_2014():
    model = _fresh_baseline(20_000, seed=3)
    wf = model.workforce
    on = wf.active
    leads = on & (wf.ambition >= 0.5) & wf.wants_mgmt
    men = on & (wf.group == model.scenario.group_names.index("men"))
    women = on & (wf.group == model.scenario.group_names.index("women"))
    overall = leads.sum() / on.sum()
    assert _within(overall, int(on.sum()), 0.34, 3625), overall
    assert _within(leads[men].sum() / men.sum(), int(men.sum()), 0.40, None)
    assert _within(leads[women].sum() / women.sum(), int(women.sum()), 0.29, None)


def test_technical_ladder_preference_matches_allen_and_katz_1986():
    model = _fresh_baseline(20_000, seed=4)
    wf = model.workforce
    on = wf.active
    share = (on & (wf.ambition >= 0.5) & ~wf.wants_mgmt).sum() / on.sum()
    assert _within(share, int(on.sum()), 0.215, None), share


def test_calibration_check_can_fail():
    """The check is not vacuous: a mis-calibrated organisation fails it."""
    model = PromotionModel(
        scenario=load_scenario(
            "baseline", headcount=20_000,
            overrides={"warmup_months": 0, "groups.0.leadership_aspiration": 0.5},
        ),
        rng=3,
    )
    wf = model.workforce
    on = wf.active
    overall = (on & (wf.ambition >= 0.5) & wf.wants_mgmt).sum() / on.sum()
    assert not _within(overall, int(on.sum()), 0.34, 3625)


def _efficiency_change(args: tuple[str, int, float]) -> float:
    name, seed, years = args
    return simulate(load_scenario(PETER / f"{name}.yaml"), seed=seed, years=years).summary["global_efficiency_change"]


@pytest.fixture(scope="module")
def peter_runs() -> dict[str, np.ndarray]:
    n, years = 12, 40.0
    names = ["peter_best", "peter_worst", "peter_random", "common_sense_best"]
    with ProcessPoolExecutor(2) as pool:
        return {
            name: np.array(list(pool.map(_efficiency_change, [(name, s, years) for s in range(n)])))
            for name in names
        }


def _ci(x: np.ndarray) -> tuple[float, float]:
    h = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - h, x.mean() + h


@pytest.mark.slow
def test_peter_principle_pattern(peter_runs):
    """Peter hypothesis: "the best" lowers efficiency, "the worst" raises it, random beats the best;
    common sense: "the best" raises it (each 95% CI excludes zero)."""
    assert _ci(peter_runs["peter_best"])[1] < 0
    assert _ci(peter_runs["peter_worst"])[0] > 0
    assert _ci(peter_runs["peter_random"] - peter_runs["peter_best"])[0] > 0
    assert _ci(peter_runs["common_sense_best"])[0] > 0


def _validation_table() -> ModuleType:
    """scripts/validation_table.py, which makes the table of docs/validation.md, as a module."""
    spec = importlib.util.spec_from_file_location("validation_table", ROOT / "scripts" / "validation_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validation_table_counts_only_the_current_design(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """A trial run into the same folder is not pooled with the experiment the table reports.

    The folder keeps every run ever written to it; the table read every summary there, so a
    1-year trial's runs were averaged into the reported means (n = 2 + 3 here).
    """
    path = ROOT / "experiments" / "peter_principle.yaml"
    spec = load_experiment(path)
    out = tmp_path / "peter"
    trial = build_design(spec.model_copy(update={"replications": 2, "years": 1}), path)
    design = build_design(spec.model_copy(update={"replications": 3, "years": 2}), path)
    for each in (trial, design):
        run_design(each, out, ExecutorSpec(kind="sequential"))
    table = _validation_table()
    changes = table.efficiency_changes(str(out))
    assert {len(x) for x in changes.values()} == {3}
    values = run_values(ResultStore(out))
    expected = values[(values["metric"] == "global_efficiency_change") & (values["arm"] == "peter_best")]
    assert sorted(changes["peter_best"]) == sorted(expected["value"])
    assert all(line.endswith("| 3 |") for line in table.table_lines(str(out))[2:])
    assert table.main(str(tmp_path / "missing")) == 2
    assert "experiment.json is missing" in capsys.readouterr().err


def test_validation_table_refuses_a_folder_of_another_experiment(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Pointed at a comparison's folder the script printed eight rows of dashes with n = 0 and exit code 0."""
    out = tmp_path / "compare"
    path = tmp_path / "exp.yaml"
    path.write_text("name: t\nreplications: 1\nyears: 0.25\nheadcount: 60\n"
                    "scenarios: {baseline: baseline, variants: [career_conversations]}\n")
    run_design(build_design(load_experiment(path), path), out, ExecutorSpec(kind="sequential"))
    assert _validation_table().main(str(out)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"validation_table: {out}: has none of the Peter principle arms (peter_best, peter_worst, "
                   "peter_random, peter_mixed, common_sense_best, common_sense_worst, common_sense_random, "
                   "common_sense_mixed), so it is not a run of experiments/peter_principle.yaml; its arms: baseline, "
                   "career_conversations"]
