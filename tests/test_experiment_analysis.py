"""Paired analysis checked against hand computation; NaN pairs; the effects table and report."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import BASELINE
from scipy import stats

from sim.experiment.analysis import paired_effects, paired_stats
from sim.experiment.design import build_design, load_experiment
from sim.experiment.executor import ExecutorSpec
from sim.experiment.report import analyse, fmt
from sim.experiment.runner import run_design


def test_paired_statistics_match_a_hand_computation() -> None:
    baseline = [1.0, 2.0, 3.0, 4.0]
    variant = [2.0, 2.5, 4.5, 5.0]
    out = paired_stats(baseline, variant)
    # Differences 1, 0.5, 1.5, 1: mean 1, sample variance (0 + 0.25 + 0.25 + 0) / 3 = 1/6.
    sd = math.sqrt(1 / 6)
    t975_3 = 3.182446305284263  # Student t, 3 degrees of freedom, 97.5% quantile (tables: 3.182)
    half = t975_3 * sd / 2
    assert out["n"] == 4 and out["dropped"] == 0
    assert out["baseline_mean"] == pytest.approx(2.5)
    assert out["variant_mean"] == pytest.approx(3.5)
    assert out["diff"] == pytest.approx(1.0)
    assert out["sd_diff"] == pytest.approx(sd)
    assert out["ci_low"] == pytest.approx(1.0 - half)  # 0.350386
    assert out["ci_high"] == pytest.approx(1.0 + half)  # 1.649614
    assert out["ci_low"] == pytest.approx(0.350386, abs=1e-6)
    # Variances: baseline 5/3, variant 6.5/3. Cohen's d = 1 / sqrt((5/3 + 6.5/3) / 2).
    assert out["effect_size"] == pytest.approx(1 / math.sqrt((5 / 3 + 6.5 / 3) / 2))
    # Pairing removed 1 - (1/6) / (5/3 + 6.5/3) of the difference's variance.
    assert out["variance_reduction"] == pytest.approx(1 - (1 / 6) / (11.5 / 3))
    # Unpaired (Welch): se = sqrt((5/3 + 6.5/3) / 4), df = se^4 / (((5/3)/4)^2/3 + ((6.5/3)/4)^2/3).
    se_u = math.sqrt((5 / 3 + 6.5 / 3) / 4)
    dof = se_u**4 / (((5 / 3) / 4) ** 2 / 3 + ((6.5 / 3) / 4) ** 2 / 3)
    assert dof == pytest.approx(5.8997, abs=1e-4)
    half_u = stats.t.ppf(0.975, dof) * se_u
    assert out["unpaired_ci_low"] == pytest.approx(1.0 - half_u)
    assert out["unpaired_ci_high"] == pytest.approx(1.0 + half_u)
    assert out["ci_width_ratio"] == pytest.approx(half / half_u)
    assert out["ci_width_ratio"] < 0.5
    # The p-value agrees with scipy's own paired t-test.
    assert out["p_value"] == pytest.approx(stats.ttest_rel(variant, baseline).pvalue)


def test_only_complete_pairs_count() -> None:
    baseline = [1.0, np.nan, 3.0, 4.0, 5.0]
    variant = [2.0, 3.0, np.nan, 5.0, 7.0]
    out = paired_stats(baseline, variant)
    assert out["n"] == 3 and out["dropped"] == 2
    assert out["baseline_mean"] == pytest.approx((1 + 4 + 5) / 3)
    assert out["variant_mean"] == pytest.approx((2 + 5 + 7) / 3)
    assert out["diff"] == pytest.approx((1 + 1 + 2) / 3)


def test_degenerate_samples() -> None:
    none = paired_stats([np.nan, 1.0], [2.0, np.nan])
    assert none["n"] == 0 and math.isnan(none["diff"])
    one = paired_stats([1.0], [3.0])
    assert one["diff"] == 2.0 and math.isnan(one["ci_low"])
    same = paired_stats([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert same["ci_low"] == same["ci_high"] == pytest.approx(1.0)
    assert same["p_value"] == 0.0


def toy_design() -> dict[str, Any]:
    arms = [{"label": "base", "scenario": "base", "parameters": {}, "reference": None},
            {"label": "a", "scenario": "a", "parameters": {}, "reference": "base"},
            {"label": "b", "scenario": "b", "parameters": {"x": 1}, "reference": "base"}]
    return {"replications": 3, "arms": arms, "metrics": None}


def test_effects_table_pairs_by_replication_not_by_order() -> None:
    rows = [("base", 0, 1.0), ("base", 1, 2.0), ("base", 2, 3.0),
            ("a", 2, 4.0), ("a", 0, 2.0), ("a", 1, 2.5),  # arrives out of order
            ("b", 0, 1.0), ("b", 1, np.nan)]  # replication 2 failed, 1 undefined
    values = pd.DataFrame(rows, columns=["arm", "replication", "value"]).assign(metric="m")
    effects = paired_effects(values, toy_design())
    assert list(effects.columns[:8]) == ["metric", "variant", "baseline", "baseline_mean", "variant_mean", "diff",
                                        "ci_low", "ci_high"]
    a = effects.set_index("variant").loc["a"]
    assert a["diff"] == pytest.approx(np.mean([2.0 - 1.0, 2.5 - 2.0, 4.0 - 3.0]))
    assert a["n"] == 3
    b = effects.set_index("variant").loc["b"]
    assert (b["n"], b["dropped"]) == (1, 2)
    assert b["diff"] == 0.0 and b["parameters"] == "x=1"


def test_fmt() -> None:
    assert fmt(float("nan")) == "—"
    assert fmt(0.123456) == "0.1235"
    assert fmt(123456.7) == "123,457"
    assert fmt(0.00001234) == "1.234e-05"


# ---------------------------------------------------------------------------------------------
# End to end: effects.csv, plots and report.md from a real (small) experiment


@pytest.fixture(scope="module")
def small_experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("analysis")
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    (folder / "random.yaml").write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    data = {"name": "a", "seed": 11, "replications": 6, "headcount": 150,
            "metrics": ["promotions", "misread_rate", "promotion_stick_rate"],
            "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]}}
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    out = folder / "out"
    run_design(build_design(load_experiment(path), path), out, ExecutorSpec(kind="sequential"))
    analyse(out)
    return out


def test_effects_csv_has_the_promised_columns(small_experiment: Path) -> None:
    effects = pd.read_csv(small_experiment / "effects.csv")
    for column in ("metric", "variant", "baseline_mean", "variant_mean", "diff", "ci_low", "ci_high", "n",
                   "effect_size", "ci_width_ratio", "variance_reduction", "unpaired_ci_low", "unpaired_ci_high"):
        assert column in effects.columns
    assert list(effects["metric"]) == ["promotions", "misread_rate", "promotion_stick_rate"]
    assert (effects["variant"] == "random").all() and (effects["baseline"] == "small").all()
    promotions = effects.iloc[0]
    assert promotions["n"] == 6
    assert promotions["ci_low"] <= promotions["diff"] <= promotions["ci_high"]
    # A year is too short for most promotions to settle: the stick rate is undefined (NaN) in
    # some runs, and only complete pairs count.
    stick = effects.iloc[2]
    assert stick["n"] + stick["dropped"] == 6


def test_report_says_what_ran_and_links_the_plots(small_experiment: Path) -> None:
    report = (small_experiment / "report.md").read_text()
    for needle in ("## What was run", "Replications: 6 per arm", "Experiment seed: 11", "| small |", "| random |",
                   "## Effects", "## Failed runs", "None.", "![forest plot of effects](forest.png)",
                   "![metric trajectories](trajectories.png)", "mesa 3.3.1"):
        assert needle in report
    for png in ("forest.png", "trajectories.png"):
        data = (small_experiment / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
