"""Paired analysis checked against hand computation; NaN pairs; the effects table and report."""

from __future__ import annotations

import itertools
import math
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import BASELINE
from scipy import stats

from sim.experiment import report as report_module
from sim.experiment.analysis import (
    arm_means,
    holm,
    paired_effects,
    paired_stats,
    parity_gap,
    run_values,
    trajectory_bands,
)
from sim.experiment.design import build_design, load_experiment
from sim.experiment.executor import ExecutorSpec
from sim.experiment.plots import forest_figure, panel_title
from sim.experiment.report import (
    Analysis,
    Provenance,
    analyse,
    at_a_glance,
    change_line,
    failure_reasons,
    fixed,
    fmt,
    fmt_p,
    holm_tests,
    label_lines,
    plain_verdict,
    print_effects,
    render_report,
    shown_change,
    summary_lines,
    top_level_names,
    top_line,
    top_shares,
    variant_descriptions,
    variant_summary,
    verdict,
)
from sim.experiment.runner import run_design
from sim.experiment.store import ResultStore
from sim.metrics import metric_info, undefined_reasons
from sim.wording import percent_level, significance


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
    # Never scientific notation: 5.036e-04 and [-0.01679, -8.140e-05] read as noise to an HR reader.
    assert fmt(0.00001234) == "0.00001234"
    assert fmt(5.036e-04) == "0.0005036"
    assert fmt(-8.140e-05) == "-0.0000814"
    assert fmt(9999.7) == "10000" and fmt(307.67) == "307.7" and fmt(308.0) == "308"
    assert fmt(3e-12) == "≈ 0"
    assert fmt_p(2.5e-13) == "< 0.001" and fmt_p(0.052) == "0.052"


def toy_values(metrics: dict[str, tuple[list[float], list[float]]]) -> pd.DataFrame:
    """Summary values of arms base and a: metric -> (base per replication, a per replication)."""
    rows = [(arm, k, metric, value) for metric, arms in metrics.items()
            for arm, values in zip(("base", "a"), arms, strict=True) for k, value in enumerate(values)]
    return pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])


def test_a_group_ratio_is_worked_out_run_by_run_and_judged_on_parity() -> None:
    """``promotion_stick_rate.women/men``: "do women's promotions stick as often as men's?" took the
    two rates by hand, with no interval (a researcher's trial)."""
    values = toy_values({
        "promotion_stick_rate.women": ([0.60, 0.64, 0.62, 0.61], [0.70, 0.74, 0.71, 0.73]),
        "promotion_stick_rate.men": ([0.80, 0.80, 0.78, 0.82], [0.78, 0.80, 0.76, 0.0]),  # a 0: no ratio
    })
    design = {"replications": 4, "metrics": ["promotion_stick_rate.women/men"], "arms": toy_design()["arms"][:2]}
    effects = paired_effects(values, design)
    row = effects.iloc[0]
    assert row["metric"] == "promotion_stick_rate.women/men" and row["n"] == 3 and row["dropped"] == 1
    ratios = np.array([0.60 / 0.80, 0.64 / 0.80, 0.62 / 0.78])
    assert row["baseline_mean"] == pytest.approx(ratios.mean())
    assert row["variant_mean"] == pytest.approx(np.mean([0.70 / 0.78, 0.74 / 0.80, 0.71 / 0.76]))
    assert row["parity_gap_ci_high"] < 0  # judged on the distance from 1, as a representation ratio
    assert verdict(row) == "better (closer to parity)"
    assert metric_info("promotion_stick_rate.women/men").label == "promotions that stick (women over men)"
    # A group named like Sales owns with an apostrophe alone (an org-design trial read "Sales's share").
    assert metric_info("top_share.Sales").label == "Sales' share of the top"
    assert metric_info("promotion_stick_rate.Sales/men").meaning.startswith("Sales' rate over men's, run by run")
    assert metric_info("top_share.women").label == "women's share of the top"


def test_a_group_ratio_over_a_rate_of_0_is_not_put_down_to_a_group_without_records() -> None:
    """Men's rate 0 in every run: the ratio has no value, though both groups had records (it said
    "the group had no development effort")."""
    values = toy_values({"development_roi.women": ([0.4, 0.5, 0.4], [0.5, 0.4, 0.5]),
                         "development_roi.men": ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])})
    design = {"replications": 3, "metrics": ["development_roi.women/men"], "arms": toy_design()["arms"][:2]}
    effects = paired_effects(values, design)
    assert effects.iloc[0]["n"] == 0 and effects.iloc[0]["dropped"] == 3
    text = " ".join(variant_summary("v", effects, None))
    assert "the group had no" not in text, text
    assert ("development that paid off (women over men): in no run did both groups have a rate with the second's "
            "above 0") in text and "(development_roi.women, development_roi.men)" in text


def test_the_summary_names_clear_effects_with_their_direction() -> None:
    """An HR reader gets, per lever, what clearly changed, which way is better, and what did not change."""
    base = [0.20, 0.21, 0.19, 0.20, 0.22, 0.18]
    down = [-0.03, -0.05, -0.04, -0.04, -0.03, -0.05]  # mean -0.04, CI about -0.049 to -0.031
    values = toy_values({
        "promotions": ([70, 72, 68, 71, 69, 70], [71, 71, 69, 70, 70, 70]),  # no clear change
        "misread_rate": (base, [b + d for b, d in zip(base, down, strict=True)]),  # lower is better
        "succession_coverage": (base, [b + d for b, d in zip(base, down, strict=True)]),  # higher is better
        "internal_application_rate": (base, [b - d for b, d in zip(base, down, strict=True)]),  # no direction
        "representation_ratio.women": ([0.8] * 6, [0.9, 0.91, 0.89, 0.9, 0.92, 0.88]),  # towards parity
    })
    design = {"replications": 6, "metrics": None, "arms": toy_design()["arms"][:2]}
    lines = summary_lines(paired_effects(values, design), {"a": "baseline + a: ask everyone at every review"})
    text = "\n".join(lines)
    assert text.count("How to read this") == 1 and "paired difference" in text and "confidence interval" in text
    section = text[text.index("### a\n"):text.index("### What the metrics mean")]
    assert "baseline + a: ask everyone at every review" in section
    assert "Clear changes against base (6 pairs of runs):" in section
    changes = [line for line in section.splitlines() if line.startswith("- ")]
    assert changes == [  # better first, then worse, then the changes with no better direction
        "- misread rate: 0.200 → 0.160 (-0.040; 95% CI -0.049 to -0.031): **better**",
        "- women at the top: 0.80 → 0.90 (+0.10; 95% CI 0.09 to 0.11): **better (closer to parity)**",
        "- succession coverage: 0.200 → 0.160 (-0.040; 95% CI -0.049 to -0.031): **worse**",
        "- internal applications: 0.200 → 0.240 (+0.040; 95% CI 0.031 to 0.049)",
    ]
    assert "No clear change: promotions." in section
    glossary = text[text.index("### What the metrics mean"):]
    assert "- **misread rate** (`misread_rate`): share of all people whose manager" in glossary
    assert "Lower is better." in glossary and "Closer to 1 is better." in glossary
    assert "Neither higher nor lower is better in itself." in glossary


def test_holm_matches_a_hand_computation() -> None:
    """Holm (1979): the i-th smallest of m p-values times m - i + 1, made monotone, capped at 1; NaN is no test."""
    nan = float("nan")
    # Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> raised to 0.06.
    adjusted = holm([0.01, 0.04, 0.03, 0.005, nan])
    assert adjusted[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert math.isnan(adjusted[4])
    assert list(holm([0.5, 0.9])) == [1.0, 1.0]
    assert len(holm([])) == 0


def sweep_values(n: int = 10) -> tuple[pd.DataFrame, dict[str, Any]]:
    """11 variants x 6 metrics against one baseline, as in the trial: one strong effect, one marginal, the rest 0.

    Each variant's paired differences are ``mean + z`` with ``z`` of mean 0 and SD 1 exactly, so the
    t statistic is ``mean * sqrt(n)``: 0.9 gives p = 0.019 (clear at 95%, not after Holm for 66 tests).
    """
    z = np.array([1.0, -1.0] * (n // 2))
    z = (z - z.mean()) / z.std(ddof=1)
    metrics = ["misread_rate", "attrition_rate", "succession_coverage", "hidden_ambition_rate", "mismatch_rate",
               "team_performance"]
    shift = {("v00", "misread_rate"): -5.0, ("v01", "attrition_rate"): 0.9}
    base = np.linspace(10.0, 11.0, n)
    rows = []
    arms = [{"label": "base", "scenario": "base", "parameters": {}, "reference": None}]
    for i in range(11):
        label = f"v{i:02d}"
        arms.append({"label": label, "scenario": label, "parameters": {}, "reference": "base"})
        for metric in metrics:
            diffs = shift.get((label, metric), 0.0) + z * (1 if (i + len(metric)) % 2 else -1)
            rows += [(label, k, metric, b + d) for k, (b, d) in enumerate(zip(base, diffs, strict=True))]
    rows += [("base", k, metric, b) for metric in metrics for k, b in enumerate(base)]
    values = pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])
    return values, {"replications": n, "arms": arms, "metrics": metrics}


def test_a_design_of_one_arm_gets_each_metrics_mean_with_its_t_interval() -> None:
    """The baseline alone reported only its trajectories: each metric's mean over the replications, with the
    Student-t interval of the paired differences' own kind, at the level asked for; a run without a value is
    left out, and fewer than two values give no interval."""
    misread = [0.21, 0.25, 0.19, 0.23, np.nan]
    values = pd.DataFrame([("base", k, metric, v) for metric, column in (("misread_rate", misread),
                                                                          ("promotions", [40.0, np.nan, np.nan, np.nan,
                                                                                          np.nan]))
                           for k, v in enumerate(column)], columns=["arm", "replication", "metric", "value"])
    design = {"replications": 5, "arms": [{"label": "base", "scenario": "base", "parameters": {}, "reference": None}],
              "metrics": ["misread_rate", "promotions"]}
    means = arm_means(values, design, confidence=0.9).set_index("metric")
    kept = np.array(misread[:4])
    low, high = stats.t.interval(0.9, len(kept) - 1, loc=kept.mean(), scale=stats.sem(kept))
    row = means.loc["misread_rate"]
    assert (row["arm"], row["n"], row["dropped"], row["confidence"]) == ("base", 4, 1, 0.9)
    assert row["mean"] == pytest.approx(0.22) and (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    one = means.loc["promotions"]
    assert one["mean"] == 40 and one["n"] == 1 and math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])
    assert list(arm_means(values, design, metrics=["promotions"])["metric"]) == ["promotions"]  # --metrics
    shown = report_module.shown_mean(next(means.reset_index().itertuples()))
    assert shown == ("0.220", f"{low:.3f}", f"{high:.3f}")  # two significant digits of the half-width: 0.036
    assert report_module.shown_mean(next(means.reset_index().iloc[1:].itertuples())) == ("40", "—", "—")


def test_a_mean_of_a_share_gets_no_interval_outside_0_to_1_and_says_it_was_cut(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Three runs' attrition read ``0.08 [-0.07, 0.24]``: a share below 0. The interval is cut to what the metric
    can be (``clipped`` says where; report.md and the terminal say why), a count only at 0, and every arm of a
    comparison gets its means (means.csv), the reference first."""
    rows = [("base", k, "attrition_rate", v) for k, v in enumerate([0.01, 0.02, 0.21])]
    rows += [("base", k, "headcount", v) for k, v in enumerate([2.0, 3.0, 400.0])]
    rows += [("base", k, "misread_rate", v) for k, v in enumerate([0.2, 0.22, 0.24])]
    rows += [("lever", k, "attrition_rate", v) for k, v in enumerate([0.97, 0.98, 0.99])]
    values = pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])
    one = {"replications": 3, "arms": [{"label": "base", "scenario": "base", "parameters": {}, "reference": None}],
           "metrics": ["attrition_rate", "headcount", "misread_rate"]}
    means = arm_means(values, one).set_index("metric")
    low, high = stats.t.interval(0.95, 2, loc=np.mean([0.01, 0.02, 0.21]), scale=stats.sem([0.01, 0.02, 0.21]))
    assert low < 0 < high < 1
    attrition = means.loc["attrition_rate"]
    assert (attrition["ci_low"], attrition["ci_high"], attrition["clipped"]) == (0.0, pytest.approx(high), True)
    assert attrition["sd"] == pytest.approx(np.std([0.01, 0.02, 0.21], ddof=1))
    assert means.loc["headcount", "ci_low"] == 0.0 and means.loc["headcount", "clipped"]  # a count: at 0 only
    assert means.loc["headcount", "ci_high"] > 400
    assert not means.loc["misread_rate", "clipped"] and means.loc["misread_rate", "ci_low"] > 0.1

    both = dict(one, arms=[{"label": "lever", "scenario": "lever", "parameters": {}, "reference": "base"},
                           *one["arms"]], metrics=["attrition_rate"])
    table = arm_means(values, both)
    assert list(table["arm"]) == ["base", "lever"]  # the reference first, whatever the design's order
    lever = table.iloc[1]
    assert lever["ci_high"] == 1.0 and lever["clipped"] and lever["ci_low"] == pytest.approx(
        0.98 - stats.t.ppf(0.975, 2) * stats.sem([0.97, 0.98, 0.99]))

    text = "\n".join(report_module.means_lines(arm_means(values, one)))
    shown = report_module.shown_mean(next(arm_means(values, one).itertuples()))
    assert f"| attrition | `attrition_rate` | {shown[0]} | {shown[1]} to {shown[2]} (cut) | 3 |" in text
    assert float(shown[1]) == 0 and "(cut): the interval went past what the metric can be" in text
    assert "| misread rate | `misread_rate` |" in text and "to 0.27 (cut)" not in text
    report_module.print_means(arm_means(values, one), "base")
    printed = " ".join(capsys.readouterr().out.split())  # the note wraps at the terminal's width
    assert f"{shown[0]} [{shown[1]}, {shown[2]}]*" in printed and "*: the interval went past" in printed


def test_declared_bounds_hold_for_every_summary_value_of_a_run() -> None:
    """The bounds intervals are cut to must be true of the metrics: a run's every summary value lies within them."""
    from sim import simulate  # noqa: PLC0415
    from sim.metrics import METRICS, metric_bounds  # noqa: PLC0415

    summary = simulate(BASELINE, seed=4, years=3, headcount=200).summary
    assert set(METRICS) <= set(summary)
    for name, value in summary.items():
        lowest, highest = metric_bounds(name)
        assert math.isnan(value) or lowest <= value <= highest, (name, value)
    assert metric_bounds("attrition_rate") == (0.0, 1.0) and metric_bounds("promotions") == (0.0, math.inf)
    assert metric_bounds("promotion_stick_rate.women") == (0.0, 1.0)
    assert metric_bounds("promotion_stick_rate.women/men") == (0.0, math.inf)
    assert metric_bounds("no_such_metric") == (-math.inf, math.inf)


def test_the_summary_says_how_many_clear_results_chance_alone_gives_and_which_survive_holm() -> None:
    """66 tests at 95% give about 3 "clear" results by chance: a p = 0.019 must not read like a finding."""
    values, design = sweep_values()
    effects = paired_effects(values, design)
    assert len(effects) == 66
    marginal = effects[(effects["variant"] == "v01") & (effects["metric"] == "attrition_rate")].iloc[0]
    assert 0.01 < marginal["p_value"] < 0.05 and marginal["p_holm"] == 1.0
    assert effects["p_holm"].to_numpy() == pytest.approx(holm(effects["p_value"].to_numpy()))
    text = "\n".join(summary_lines(effects, {}))
    assert ("this report makes 66 tests (each variant against each metric with a better direction; lever time, "
            "which a lever sets by design, and counts such as headcount are left out). Even if no variant changed "
            "anything, about 3.3 of them would look clear by chance alone (5%). 2 are clear.") in text
    assert "after it, 1 remains clear (misread rate for v00)" in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    strong = next(line for line in lines if line.startswith("- misread rate: 10.5 → 5.5"))
    weak = next(line for line in lines if line.startswith("- attrition: 10.50 → 11.40"))
    assert "Holm" not in strong and strong.endswith("**better**")
    assert weak.endswith(": worse (not after Holm's correction for 66 tests)")  # no bold: chance could explain it
    # The per-test intervals are untouched: the marginal change is still listed as clear.
    assert marginal["ci_low"] > 0


def test_holm_allows_for_the_designs_verdict_tests_whatever_the_table_shows() -> None:
    """A researcher's `report --metrics misread_rate,attrition_rate` took Holm from 108 tests to 18 and
    p_holm from 0.12 to 0.018; counts and lever time (set by design) entered the family; rows of identical
    arms counted as tests with p = 1."""
    values, design = sweep_values()
    full = paired_effects(values, design)
    narrow = paired_effects(values, design, metrics=["attrition_rate", "misread_rate"])
    assert list(dict.fromkeys(narrow["metric"])) == ["attrition_rate", "misread_rate"]
    merged = narrow.merge(full, on=["metric", "variant"], suffixes=("", "_full"))
    assert (merged["p_holm"] == merged["p_holm_full"]).all() and (narrow["holm_tests"] == 66).all()
    extra = pd.concat([values, values[values["metric"] == "misread_rate"].assign(metric="intervention_cost"),
                       values[values["metric"] == "misread_rate"].assign(metric="promotions")])
    wider = paired_effects(extra, {**design, "metrics": [*design["metrics"], "intervention_cost", "promotions"]})
    assert wider.loc[wider["metric"].isin(["intervention_cost", "promotions"]), "p_holm"].isna().all()
    assert (wider["holm_tests"] == 66).all()
    text = "\n".join(summary_lines(narrow, {}))  # a review: "0 of them are clear" of 66 when 2 were
    assert "This table shows 22 of them (the metrics asked for); of those, 2 are clear." in text
    same = paired_stats([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])  # a metric the variant cannot touch
    assert math.isnan(same["p_value"]) and math.isnan(same["ci_width_ratio"]) and same["diff"] == 0
    assert same["effect_size"] == 0 and same["unpaired_ci_low"] < 0 < same["unpaired_ci_high"]


def test_parity_is_judged_on_the_change_of_the_means_distance_from_one() -> None:
    """0.90 -> 1.09 is a clear rise, but hardly closer to parity; and a mean that reaches parity
    with more scatter is closer, not "further" (as run-by-run distances read it in a review)."""
    base = [0.88, 0.90, 0.92, 0.89, 0.91, 0.90]
    values = toy_values({
        "representation_ratio.women": (base, [1.11, 1.07, 1.09, 1.12, 1.06, 1.09]),  # crosses parity
        "representation_ratio.men": (base, [0.95, 0.96, 0.97, 0.95, 0.96, 0.97]),  # clearly closer
        "misread_rate": ([0.2] * 6, [0.1, 0.12, 0.11, 0.1, 0.12, 0.11]),
    })
    design = {"replications": 6, "metrics": None, "arms": toy_design()["arms"][:2]}
    effects = paired_effects(values, design).set_index("metric")
    women = effects.loc["representation_ratio.women"]
    assert women["parity_gap_diff"] == pytest.approx(abs(np.mean([1.11, 1.07, 1.09, 1.12, 1.06, 1.09]) - 1)
                                                     - abs(np.mean(base) - 1))
    assert women["ci_low"] > 0 and women["parity_gap_ci_low"] < 0 < women["parity_gap_ci_high"]
    assert effects.loc["representation_ratio.men", "parity_gap_ci_high"] < 0
    assert effects.loc[["misread_rate"], "parity_gap_diff"].isna().all()  # only for metrics best at 1
    lines = [line for line in summary_lines(effects.reset_index(), {}) if line.startswith("- ")]
    assert "- women at the top: 0.90 → 1.09 (+0.19; 95% CI 0.15 to 0.23): moved, but not clearly closer to or " \
           "further from parity: it crossed parity, from 0.10 below to 0.09 above" in lines
    assert any(line.startswith("- ") and "0.900 → 0.960" in line and line.endswith("**better (closer to parity)**")
               for line in lines)
    crossed = toy_values({"representation_ratio.women": ([0.95, 0.96, 0.94, 0.95, 0.96, 0.94],
                                                         [1.20, 1.22, 1.19, 1.21, 1.20, 1.18])})
    row = paired_effects(crossed, design).iloc[0]
    assert row["parity_gap_ci_low"] > 0
    assert any(line.endswith("**worse (further from parity)**") for line in summary_lines(
        paired_effects(crossed, design), {}))
    # A mean that reached 0.95 from 0.70 with runs scattered from 0.60 to 1.30: the paired change (+0.24,
    # 95% CI -0.03 to +0.52) may as well be none, so its distance from parity is not clearly smaller either.
    # (The bootstrap used before called it "better (closer to parity)", by the parity interval alone.)
    scattered_only = paired_effects(toy_values({"representation_ratio.women": (
        [0.70, 0.72, 0.68, 0.71, 0.69, 0.70], [0.95, 0.60, 1.30, 0.98, 0.75, 1.10])}), design)
    women = scattered_only.iloc[0]
    assert women["ci_low"] < 0 < women["ci_high"] and women["parity_gap_ci_low"] < 0 < women["parity_gap_ci_high"]
    assert "No clear change: women at the top." in summary_lines(scattered_only, {})
    rng = np.random.default_rng(5)
    steady, scattered = 0.90 + rng.normal(0, 0.01, 30), 1.0 + rng.normal(0, 0.15, 30)  # runs 0.12 from 1 on average
    wide = {"replications": 30, "metrics": None, "arms": toy_design()["arms"][:2]}
    row = paired_effects(toy_values({"representation_ratio.women": (list(steady), list(scattered))}), wide).iloc[0]
    assert row["parity_gap_ci_high"] < 0, "the mean went from 0.90 to about 1.0: closer to parity"


def test_a_variant_whose_levers_move_positions_says_how() -> None:
    """An org-design trial read "ladders" as "a specialist ladder" in an organisation that had one; only
    `org describe` showed that the lever moved 35 % more management posts to the specialist track."""
    from sim.experiment.report import positions_moved  # noqa: PLC0415
    from sim.scenario import load_scenario  # noqa: PLC0415

    assert positions_moved(load_scenario("parallel_ladders").model_dump(mode="json")) == (
        "Its levers change the positions when a run starts: Manager management 110 → 72, specialist 0 → 38; "
        "Director management 45 → 29, specialist 0 → 16; Executive management 15 → 10, specialist 0 → 5.")
    assert positions_moved(load_scenario("mentoring").model_dump(mode="json")) == ""
    # After the file's own description, which has no full stop (a new user read "upward Its levers").
    from sim.experiment.report import variant_descriptions  # noqa: PLC0415

    contents = {name: load_scenario(name).model_dump(mode="json") for name in ("baseline", "parallel_ladders")}

    class Store:
        def scenario(self, label: str) -> dict[str, Any]:
            return contents[label]

    arms = [{"label": "baseline", "scenario": "baseline", "reference": None},
            {"label": "parallel_ladders", "scenario": "parallel_ladders", "reference": "baseline"}]
    said = variant_descriptions(Store(), {"arms": arms})["parallel_ladders"]  # type: ignore[arg-type]
    assert "so ambition is not forced upward. Its levers change the positions" in said


def test_parity_verdicts_are_rarely_claimed_where_nothing_changed() -> None:
    """An org-design trial: with no true change, the paired bootstrap called the distance from parity clearly
    changed in 43 % of comparisons of 2 pairs and about 9 % of 5 to 15 (5 % intended). The interval now comes
    from the paired t-intervals of the change and of the sum of the means, and holds its level at every size
    (0.6 % at 2 pairs, 4-5 % from 5 on); 400 null comparisons per
    size give a standard error of about 1.1 points, so 8 % is three of them above 5 %. A parity verdict also
    implies a clear signed change, the test Holm's correction covers."""
    rng = np.random.default_rng(11)
    for n in (2, 3, 5, 10, 15):
        calls = 0
        for _ in range(400):
            shared = rng.normal(size=n)
            base = 0.85 + 0.1 * shared
            variant = 0.85 + 0.1 * (0.7 * shared + math.sqrt(1 - 0.7**2) * rng.normal(size=n))
            row = parity_gap(base, variant)
            clear = row["parity_gap_ci_low"] > 0 or row["parity_gap_ci_high"] < 0
            calls += clear
            if clear:
                t = stats.t.ppf(0.975, n - 1) * np.std(variant - base, ddof=1) / math.sqrt(n)
                assert abs(np.mean(variant - base)) > t
        assert calls / 400 < 0.08, (n, calls)


def test_a_parity_verdict_counts_the_baseline_means_own_uncertainty() -> None:
    """An interval that took the baseline's mean as known called a ratio that started at parity and clearly
    rose "closer" about a third of the time, and one that crossed to the mirror of its gap (no change of the
    distance) "closer" or "further" nine times in ten, when runs scatter far more than pairs differ."""
    base = np.array([0.88, 1.12, 0.95, 1.03, 0.90, 1.00])  # mean 0.98: not clearly below parity
    row = parity_gap(base, base + np.array([0.021, 0.019, 0.020, 0.022, 0.018, 0.020]))
    assert row["parity_gap_ci_low"] < 0 < row["parity_gap_ci_high"], row  # clearly up, not clearly closer
    rng = np.random.default_rng(3)
    for mean, change in ((1.0, 0.02), (0.9, 0.2)):  # truly further; truly as far (the mirror)
        calls = 0
        for _ in range(400):
            b = mean + 0.1 * rng.normal(size=10)
            row = parity_gap(b, b + change + 0.01 * rng.normal(size=10))
            calls += row["parity_gap_ci_high"] < 0
        assert calls / 400 < 0.05, (mean, change, calls)


def test_a_ratio_that_moved_says_why_it_is_not_clearly_closer_to_parity() -> None:
    """A trial's "women at the top: 0.918 → 0.988 ...: moved, but not clearly closer" puzzled its readers:
    the baseline's own runs straddled parity, so no move could be shown to come closer. The line says so."""
    base = [0.85, 1.05, 0.95, 1.10, 0.90, 1.00]  # mean 0.975: not clearly below parity
    values = toy_values({"representation_ratio.women": (base, [b + s for b, s in zip(
        base, [0.05, 0.06, 0.04, 0.05, 0.06, 0.04], strict=True)])})
    design = {"replications": 6, "metrics": None, "arms": toy_design()["arms"][:2]}
    row = paired_effects(values, design).iloc[0]
    assert row["ci_low"] > 0 and row["parity_gap_ci_low"] < 0 < row["parity_gap_ci_high"]
    assert row["parity_baseline_ci_low"] < 1 < row["parity_baseline_ci_high"]
    line = next(x for x in summary_lines(paired_effects(values, design), {}) if x.startswith("- women at the top"))
    assert line == ("- women at the top: 0.975 → 1.025 (+0.050; 95% CI 0.041 to 0.059): moved, but not clearly closer "
                    f"to or further from parity: the baseline itself is not clearly below parity (its own 95% CI, "
                    f"{fixed(row['parity_baseline_ci_low'], 3)} to {fixed(row['parity_baseline_ci_high'], 3)}, "
                    "includes 1), so a move toward parity cannot be told apart from chance")
    # Only the ratios get the baseline's own interval (a t-interval of its mean).
    other = paired_effects(toy_values({"misread_rate": (base, base[::-1])}), design).iloc[0]
    assert math.isnan(other["parity_baseline_ci_low"])


def test_the_glossary_names_the_levels_at_the_top() -> None:
    """"The top levels" meant Director and VP (metrics.key_levels: 2) in a trial; the report never said so."""
    levels = [{"name": name, "positions": {"management": n}} for name, n in
              (("Analyst", 60), ("Manager", 20), ("Director", 8), ("VP", 3))]

    class Store:
        """The folder's scenarios, as scenarios/ holds them."""

        def scenario(self, label: str) -> dict[str, Any]:
            return {"organisation": {"levels": levels}, "metrics": {"key_levels": 2}}

    names = top_level_names(Store(), toy_design())  # type: ignore[arg-type]
    top_11 = ("Director and VP (the top 2 of 4 levels, metrics.key_levels; 11 positions: one person there is about "
              "9 percentage points of a share)")
    assert set(names.values()) == {top_11}
    values = toy_values({"representation_ratio.women": ([0.8] * 3, [0.9, 0.91, 0.89])})
    design = {"replications": 3, "metrics": None, "arms": toy_design()["arms"][:2]}
    text = "\n".join(summary_lines(paired_effects(values, design), {}, names))
    assert ("(`representation_ratio.women`): women's share of the top levels over their share of all people: 1 is "
            f"parity, below 1 too few at the top (averaged over the last year). Here the top levels are {top_11}. "
            "Closer to 1 is better.") in text
    # Said under the at-a-glance table too, before the reader meets "women at the top" in it.
    top = "*At the top*, in the representation ratios, means Director and VP (the top 2 of 4 levels"
    assert text.index(top) < text.index("### What the metrics mean")


def test_the_report_says_each_groups_share_of_the_top_in_each_arm() -> None:
    """A VP reading "women at the top: 0.62" asked what share of Director and above were women
    (an org-design trial): under the ratios' top line, each arm's mean ``top_share.<group>``."""
    values = toy_values({"representation_ratio.women": ([0.8] * 3, [0.9, 0.91, 0.89]),
                         "top_share.women": ([0.30, 0.32, 0.34], [0.40, 0.41, 0.42]),
                         "top_share.men": ([0.70, 0.68, 0.66], [0.60, 0.59, 0.58])})
    design = {"replications": 3, "metrics": None, "arms": toy_design()["arms"][:2]}
    effects = paired_effects(values, design)
    assert set(effects["metric"]) == {"representation_ratio.women"}  # a share is in the tables when named
    shares = top_shares(values, effects, design)
    # Every group, the ratios' first: one named ratio gave one column, which did not add up to 1 (a review).
    assert shares.round(12).to_dict() == {"women": {"base: last year": 0.32, "a: last year": 0.41},
                                          "men": {"base: last year": 0.68, "a: last year": 0.59}}
    text = "\n".join(summary_lines(effects, {}, {"base": "VP", "a": "VP"}, shares))
    assert ("*At the top*, in the representation ratios, means VP.\nEach group's share of the people there, in the "
            "baseline's first recorded month (after its warm-up, if it has one) and in each arm's last year") in text
    assert ("|  | women | men |\n|---|---|---|\n| base: last year | 32.0% | 68.0% |\n"
            "| a: last year | 41.0% | 59.0% |\n") in text
    # A folder whose runs did not store the shares: the top line alone, as before.
    assert top_shares(values[~values["metric"].str.startswith("top_share.")], effects, design).empty
    named = paired_effects(values, {**design, "metrics": ["top_share.women"]})
    assert "- women's share of the top: 0.320 → 0.410 (+0.090" in "\n".join(summary_lines(named, {}))
    assert top_shares(values, named, design).empty  # no ratio reported: no top line to put it under
    # With nobody at the top a share has no value, and the report says why in those words.
    assert undefined_reasons(["top_share.women"], top_is_everyone=False) == [
        "top_share.women: nobody was on the top metrics.key_levels levels in the last year of this run, so there "
        "was no one to count a share of"]


def test_the_glossary_names_each_grid_points_own_top_levels() -> None:
    """A sweep of metrics.key_levels: the folder keeps the scenario at its first point only, so every
    point was said to count the first point's levels."""
    levels = [{"name": name, "positions": {"management": n}} for name, n in
              (("Analyst", 60), ("Manager", 20), ("Director", 8), ("VP", 3))]

    class Store:
        def scenario(self, label: str) -> dict[str, Any]:
            return {"organisation": {"levels": levels}, "metrics": {"key_levels": 1}}

    arms = [{"label": f"base[key_levels={k}]", "scenario": "base", "parameters": {"metrics.key_levels": k}}
            for k in (1, 3)]
    names = top_level_names(Store(), {"arms": arms})  # type: ignore[arg-type]
    assert names == {"base[key_levels=1]": "VP (the top 1 of 4 levels, metrics.key_levels; 3 positions: one person "
                                           "there is about 33 percentage points of a share)",
                     "base[key_levels=3]": "Manager, Director and VP (the top 3 of 4 levels, metrics.key_levels; "
                                           "31 positions: one person there is about 3 percentage points of a share)"}
    assert Store().scenario("base")["metrics"] == {"key_levels": 1}, "the stored scenario is left as it was"


def row_of(**numbers: float) -> Any:
    """One effects row as itertuples gives it (only what a change's text needs)."""
    return next(pd.DataFrame([{"metric": "promotions", **numbers}]).itertuples())


def test_shown_numbers_round_halves_away_from_zero_and_the_change_is_the_exact_one_rounded() -> None:
    """A trial read `promotions: 908 → 893 (-14; ...)` (means 907.5 and 893, -14.5 rounded half to even) as a
    mistake: halves are rounded away from zero. The change is the exact difference rounded, not the shown
    after minus the shown before, which gave an exact -1/3 in a grid's table as -0.34."""
    promotions = row_of(baseline_mean=907.5, variant_mean=893.0, diff=-14.5, ci_low=-25.3, ci_high=-3.7)
    assert change_line(promotions).startswith("- promotions: 908 → 893 (-15; 95% CI -25 to -4)")
    third = shown_change(row_of(baseline_mean=2 / 3, variant_mean=1 / 3, diff=1 / 3 - 2 / 3, ci_low=-0.5,
                                ci_high=-1 / 6))
    assert (third.before, third.after, third.change, third.low, third.high) == ("0.67", "0.33", "-0.33", "-0.50",
                                                                                "-0.17")
    rates = row_of(baseline_mean=0.124, variant_mean=0.336, diff=0.212, ci_low=0.2, ci_high=0.224)
    shown = shown_change(rates)
    assert (shown.before, shown.after, shown.change) == ("0.12", "0.34", "+0.21")  # 0.212, not 0.34 - 0.12
    assert fixed(2.675, 2) == "2.68" and fixed(-0.125, 2) == "-0.13" and fixed(906.5, 0) == "907"
    # A change well inside its interval takes its decimals from the interval: -0.0000596 ± 0.0075
    # read 0.8858092 → 0.8857496 in a trial's table.
    tiny = shown_change(row_of(baseline_mean=0.8858092, variant_mean=0.8857496, diff=-0.0000596,
                               ci_low=-0.0075857, ci_high=0.0074666))
    assert (tiny.before, tiny.after, tiny.change, tiny.low, tiny.high) == (
        "0.8858", "0.8857", "-0.0001", "-0.0076", "0.0075")
    # A very narrow interval: the change shown stays within it (+0.053 beside "0.052 to 0.052", a review).
    narrow = shown_change(row_of(baseline_mean=0.1234, variant_mean=0.1756, diff=0.0522, ci_low=0.0519,
                                 ci_high=0.0524))
    assert (narrow.before, narrow.after, narrow.change, narrow.low, narrow.high) == (
        "0.123", "0.176", "+0.052", "0.052", "0.052")


def test_a_clear_rise_of_a_metric_with_no_better_direction_may_be_chance_too() -> None:
    """Outside Holm's family (no verdict), "clear rise" at p = 0.04 stood unqualified beside "better, may
    be chance" at smaller p-values (a review): it stands only below 5% over the report's tests."""
    rise = row_of(n=12, baseline_mean=332.8, variant_mean=350.7, diff=17.9, ci_low=2.3, ci_high=33.4, p_value=0.04,
                  p_holm=math.nan)
    assert plain_verdict(rise, 12) == "rise, may be chance"
    assert change_line(rise, 12).endswith("(may be chance: p = 0.04, not below 5% over the report's 12 tests)")
    assert "**" not in change_line(rise, 12)
    assert plain_verdict(rise, 1) == "clear rise"  # one test: nothing to allow for
    firm_rise = row_of(n=12, baseline_mean=332.8, variant_mean=350.7, diff=17.9, ci_low=12.0, ci_high=23.8,
                       p_value=0.0002, p_holm=math.nan)
    assert plain_verdict(firm_rise, 12) == "clear rise" and "chance" not in change_line(firm_rise, 12)
    tiny_p = row_of(n=12, baseline_mean=332.8, variant_mean=350.7, diff=17.9, ci_low=12.0, ci_high=23.8,
                    p_value=0.0009, p_holm=math.nan)
    assert change_line(tiny_p, 60).endswith("(may be chance: p < 0.001, not below 5% over the report's 60 tests)")


def test_a_clear_intervals_bound_is_never_shown_as_0() -> None:
    """The docs' own example read "+0.0059 [0.0000, 0.0117] worse": a clear interval that seemed to hold 0."""
    row = row_of(n=6, baseline_mean=0.2145, variant_mean=0.2204, diff=0.0059, ci_low=0.0000213, ci_high=0.0117)
    shown = shown_change(row)
    assert (shown.low, shown.high, shown.change) == ("0.00002", "0.0117", "+0.0059")
    assert shown_change(row_of(n=6, baseline_mean=0.2145, variant_mean=0.2204, diff=0.0059, ci_low=-0.00002,
                               ci_high=0.0117)).low == "-0.0000"  # not clear: as it was


def test_a_ratio_that_moved_and_holm_does_not_keep_is_marked_in_the_terminal_as_in_the_report() -> None:
    """The report added "(not after Holm's correction ...)" where the terminal said only "moved" (a review)."""
    moved = next(pd.DataFrame([{
        "metric": "representation_ratio.women", "n": 10, "baseline_mean": 0.90, "variant_mean": 1.09, "diff": 0.19,
        "ci_low": 0.02, "ci_high": 0.36, "p_value": 0.03, "p_holm": 0.4, "parity_gap_diff": -0.09,
        "parity_gap_ci_low": -0.2, "parity_gap_ci_high": 0.05}]).itertuples())
    assert verdict(moved).startswith("moved")
    assert "not after Holm's correction for 12 tests" in change_line(moved, 12)
    assert plain_verdict(moved, 12) == "moved, not clearly closer to 1, may be chance"
    assert plain_verdict(moved, 1) == "moved, not clearly closer to 1"


def test_the_printed_table_is_compact_plain_and_agrees_with_the_report(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial's printed table was 220 characters wide, with d and CI ratios and no better or worse.
    The default table gives before → after, the change with its CI and the report's own verdict."""
    monkeypatch.delenv("COLUMNS", raising=False)
    values, design = sweep_values()
    effects = paired_effects(values, design)
    tests = holm_tests(effects)
    # Never disagree: better/worse exactly where the report bolds the verdict, "may be chance" where it marks it.
    for row in effects.itertuples():
        word, line = plain_verdict(row, tests), change_line(row, tests)
        if word == "no clear change":
            assert row.ci_low < 0 < row.ci_high
            continue
        assert ("**" in line) == (word in ("better", "worse")), (word, line)
        assert ("not after Holm" in line or "(may be chance: p" in line) == word.endswith("may be chance"), (word, line)
    verdicts = {(r.variant, r.metric): plain_verdict(r, tests) for r in effects.itertuples()}
    assert verdicts[("v00", "misread_rate")] == "better"
    assert verdicts[("v01", "attrition_rate")] == "worse, may be chance"
    print_effects(effects, "sweep: paired effects")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(map(len, lines)) <= 100
    for needle in ("before → after", "change [95% CI]", "verdict", "misread rate", "lower is better",
                   "worse, may be chance", "no clear change",
                   "each variant at a glance", "Holm's correction", "--full"):
        assert needle in out, needle
    row = next(x for x in lines if x.strip().startswith("v00") and "10.50 → 5.50" in x)
    assert row.split()[-1] == "better" and "-5.00 [" in row
    # One baseline, written one way on every row of its metric (a new user read 0.196 and 0.1960 as two).
    block = lines[lines.index(next(x for x in lines if x.strip().startswith("misread rate"))) + 1:][:11]
    assert all("10.50 → " in x for x in block), block
    assert "CI vs unpaired" not in out and "misread_rate" not in out
    # An 80-column terminal cut the verdicts ("no clear ch"): where the means do not fit beside whole verdicts
    # they are left out; these short labels and numbers fit 80 columns with them, but not 66.
    for columns, means in (("80", True), ("66", False)):
        monkeypatch.setenv("COLUMNS", columns)
        print_effects(effects, "sweep: paired effects")
        narrow = capsys.readouterr().out
        assert max(map(len, narrow.splitlines())) <= int(columns) and ("before → after" in narrow) == means
        for word in set(verdicts.values()):
            assert word in narrow, word
        assert re.search(r"^ +v00 .* better *$", narrow, re.M), narrow
    monkeypatch.delenv("COLUMNS")
    print_effects(effects, "sweep: paired effects", full=True)
    full = capsys.readouterr().out
    assert "CI vs unpaired" in full and "misread_rate" in full and "lower is better" not in full


def test_a_long_variant_label_breaks_between_its_parts_in_the_printed_tables(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two trials' tables cut long labels mid-word ("mentoring_group_men_and_career_conv" / "ersations")."""
    label = "mentoring_coverage_0.5_and_career_conversations"
    assert label_lines(label) == "mentoring_coverage_0.5_and_\n  career_conversations"
    grid = "career_conversations[voice_rate=0.08, micro_penalty_rate=0.2]"
    assert label_lines(grid, indent="  ").splitlines() == [
        "  career_conversations[", "    voice_rate=0.08,", "    micro_penalty_rate=0.2]"]
    assert label_lines("mentoring") == "mentoring"
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.1, 0.11, 0.12])}).replace({"arm": {"a": label}})
    arms = [{**arm, "label": label if arm["label"] == "a" else arm["label"]} for arm in toy_design()["arms"][:2]]
    effects = paired_effects(values, {"replications": 3, "metrics": None, "arms": arms})
    for columns in ("80", "100", "160"):
        monkeypatch.setenv("COLUMNS", columns)
        print_effects(effects, "levers together")
        out = capsys.readouterr().out
        assert "mentoring_coverage_0.5_and_" in out and "  career_conversations" in out, out
        assert "career_conv\n" not in out and max(map(len, out.splitlines())) <= int(columns)
    # --full folded the label mid-word at every width, 160 columns when piped ("..._career_conversatio" / "ns").
    monkeypatch.delenv("COLUMNS")
    print_effects(effects, "levers together", full=True)
    full = capsys.readouterr().out
    assert re.search(r"│ mentoring_coverage_0\.5_and_ +│", full), full
    assert re.search(r"│ +career_conversations +│", full), full


def test_a_table_too_wide_for_before_after_leaves_it_out_rather_than_cut_the_verdicts(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An org-design trial piped a compare of five levers (``mentoring_group_women_remote``, attrition
    with five decimals) and read "worse, may be chan": at 100 columns the means did not fit."""
    monkeypatch.delenv("COLUMNS", raising=False)  # stdout is not a terminal here: the 100-column table
    label = "mentoring_group_women_remote"
    base = [0.12825, 0.12930, 0.12715, 0.12840, 0.12720, 0.12935]
    noise = [0.0011, -0.0009, 0.0004, -0.0012, 0.0010, -0.0004]
    rows = [(arm, k, "attrition_rate", b + shift + scale * e)
            for arm, shift, scale in (("base", 0.0, 0.0), (label, 0.0011, 1.0), ("b", -0.0002, 0.5))
            for k, (b, e) in enumerate(zip(base, noise, strict=True))]
    values = pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])
    arms = [{**arm, "label": label, "scenario": label} if arm["label"] == "a" else arm for arm in toy_design()["arms"]]
    effects = paired_effects(values, {"replications": 6, "metrics": None, "arms": arms})
    print_effects(effects, "paired effects (variant - baseline)")
    out = capsys.readouterr().out
    assert max(map(len, out.splitlines())) <= 100
    row = next(x for x in out.splitlines() if x.strip().startswith(label))
    assert row.rstrip().endswith("worse, may be chance"), out
    assert "before → after" not in out and "+0.00110 [0.00007, 0.00213]" in row
    monkeypatch.setenv("COLUMNS", "120")  # room for the means: they stay
    print_effects(effects, "paired effects (variant - baseline)")
    wide = capsys.readouterr().out
    assert "before → after" in wide and "0.12828 → 0.12938" in wide and "worse, may be chance" in wide



def test_a_row_whose_label_begins_another_does_not_count_as_that_row_fitting() -> None:
    """``_fits_whole`` found "mentoring" whole in the row of "mentoring_gr…" (a review)."""
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("variant")
    table.add_column("verdict")
    table.add_row("mentoring_group_a", "worse")
    table.add_row("mentoring", "worse, may be chance")  # at 30 columns: "worse, may be" / "chance"
    assert not report_module._fits_whole(table, 30, [("mentoring", "worse")])
    assert not report_module._fits_whole(table, 30, [("mentoring", "chance")])
    assert report_module._fits_whole(table, 60, [("mentoring", "worse, may be chance"), ("mentoring_group_a", "worse")])

def test_lever_time_is_a_cost_not_worse_and_each_variant_is_summed_up_at_the_top() -> None:
    """Which lever wins took six per-lever sections and a tally by hand; lever time read "**worse**"."""
    values, design = sweep_values()
    hours = [("base", k, "intervention_cost", 0.0) for k in range(10)] + [
        (arm["label"], k, "intervention_cost", 1.5 + 0.01 * (k % 2)) for arm in design["arms"][1:] for k in range(10)]
    values = pd.concat([values, pd.DataFrame(hours, columns=values.columns)], ignore_index=True)
    design = {**design, "metrics": [*design["metrics"], "intervention_cost"]}
    effects = paired_effects(values, design)
    cost = next(r for r in effects.itertuples() if r.metric == "intervention_cost" and r.variant == "v00")
    assert plain_verdict(cost, holm_tests(effects)) == "cost"
    assert change_line(cost, holm_tests(effects)) == ("- lever time: 0.0 → 1.5 (+1.5; 95% CI 1.5 to 1.5): a cost in "
                                                      "people's time, not a result")
    glance = {g.label: g for g in at_a_glance(effects)}
    assert (glance["v00"].better, glance["v00"].worse, glance["v00"].cost) == (["misread rate"], [], "1.5")
    assert (glance["v01"].better, glance["v01"].maybe_worse) == ([], ["attrition"])
    text = "\n".join(summary_lines(effects, {}))
    top = text[:text.index("*How to read this:*")]
    assert "### Each variant at a glance" in top
    assert "| v00 | 1: misread rate | none | none | 1.5 |" in top
    assert "| v01 | none | none | worse: attrition | 1.5 |" in top
    assert "| v02 | none | none | none | 1.5 |" in top  # no clear change, honestly
    assert "Holm's correction for the 66 tests" in top and "a cost, not a result" in top
    assert "**worse**" not in text
    # Without lever time among the metrics, the table says so rather than show a cost of 0.
    narrow = "\n".join(summary_lines(paired_effects(values, {**design, "metrics": ["misread_rate"]}), {}))
    assert "| v00 | 1: misread rate | none | none | — |" in narrow and "is not among this report's metrics" in narrow


def _representation_values(groups: dict[str, tuple[float, float]], n: int = 10) -> pd.DataFrame:
    """Each group's representation ratio, baseline then variant ("base", "v"), with a little noise."""
    noise = np.linspace(-0.02, 0.02, n)
    rows = [(arm, k, f"representation_ratio.{g}", means[j] + noise[k] * (1 + j))
            for g, means in groups.items() for j, arm in enumerate(("base", "v")) for k in range(n)]
    return pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])


@pytest.mark.parametrize(("groups", "better"), [
    # Two groups: the ratios mirror each other, so one change toward parity is one entry.
    ({"women": (0.80, 0.95), "men": (1.20, 1.05)}, ["women and men at the top (one change: each ratio mirrors "
                                                    "the other)"]),
    # Three groups: each ratio is a fact of its own.
    ({"a": (0.80, 0.95), "b": (1.20, 1.05), "c": (0.70, 0.90)}, ["a at the top", "b at the top", "c at the top"]),
])
def test_two_groups_mirrored_ratios_count_once_at_a_glance(groups: dict, better: list[str]) -> None:
    """An org-design trial read "clearly better: 2" for a single change toward parity of two groups."""
    metrics = [f"representation_ratio.{g}" for g in groups]
    arms = [{"label": "base", "scenario": "base", "parameters": {}, "reference": None},
            {"label": "v", "scenario": "v", "parameters": {}, "reference": "base"}]
    effects = paired_effects(_representation_values(groups), {"replications": 10, "arms": arms, "metrics": metrics})
    (glance,) = at_a_glance(effects)
    assert (glance.better, glance.worse) == (better, [])


@pytest.mark.parametrize(("metric", "reason", "not_said"), [
    # A 1-year run has no settled promotion: more replications would never give a stick rate.
    ("promotion_stick_rate", "- promotions that stick: promotions count only once settled (18 months by "
     "default)", "Too few complete pairs"),
    # A one-group or flat organisation has no representation however long the runs: the report used
    # to send the reader to longer runs for it (a researcher trial).
    ("representation_ratio.women", "- women at the top: the organisation has one group, or its top "
     "metrics.key_levels levels", "runs this short"),
    # A group's stick rate is a ledger rate too, but beside a whole stick rate with a value the runs were
    # long enough: a group with no promotion to count read "runs this short have none" (a review's trial).
    ("promotion_stick_rate.women", "- promotions that stick (women): the group had no promotion in these runs "
     "made up to one window (promotion.stick_window_months) before the end", "runs this short"),
    ("development_roi.women", "- development that paid off (women): the group had no development effort in these "
     "runs made up to one window (metrics.roi_window_months)", "runs this short"),
])
def test_a_metric_no_run_could_measure_gets_its_own_reason(metric: str, reason: str, not_said: str) -> None:
    nan = float("nan")
    values = toy_values({"misread_rate": ([0.2] * 4, [0.1, 0.12, 0.11, 0.1]), metric: ([nan] * 4, [nan] * 4)})
    design = {"replications": 4, "metrics": ["misread_rate", metric], "arms": toy_design()["arms"][:2]}
    text = "\n".join(summary_lines(paired_effects(values, design), {}))
    assert f"No value in any run: {metric_info(metric).label}." in text
    assert reason in text
    assert not_said not in text


def test_every_summary_metric_has_a_meaning_and_a_direction() -> None:
    from sim.metrics import EXTRA_METRICS, METRICS, metric_info  # noqa: PLC0415

    for name in (*METRICS, *EXTRA_METRICS, "representation_ratio.women", "promotion_stick_rate.women",
                 "decliner_retention.women", "development_roi.women"):
        info = metric_info(name)
        assert info is not None and info.label and info.meaning, name
        assert info.better in ("lower", "higher", "one", None), name


def test_the_report_has_no_scientific_notation_and_puts_the_summary_first() -> None:
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.19992, 0.20991, 0.18993]),
                         "attrition_rate": ([0.1, 0.1, 0.1], [0.1003, 0.0999, 0.1001])})
    arms = [{**arm, "source": f"{arm['label']}.yaml", "scenario_hash": "9a64cf1a6b63"} for arm in toy_design()["arms"]]
    design = {**toy_design(), "arms": arms, "name": "toy", "seed": 1, "seeds": [1, 2, 3], "years": 1,
              "headcount": 100, "source": "toy.yaml", "tasks": []}
    effects = paired_effects(values, design)
    assert effects["diff"].abs().max() < 1e-3  # the sizes that used to print as 8.000e-05
    runs = pd.DataFrame(columns=["run_id", "arm", "status", "error", "batch"])
    report = render_report(design, Provenance(latest={}, makers=[], made=Counter()),
                           Analysis(effects=effects, runs=runs, planned=0, failures=failure_reasons(runs)))
    assert re.search(r"\de[+-]\d", report) is None, re.findall(r".*\de[+-]\d.*", report)
    assert "-0.00008" in report
    assert report.index("## Summary") < report.index("## What was run") < report.index("## Effects")


def test_an_experiments_description_and_level_names_are_text_in_the_report() -> None:
    """Besides scenario names (tests/test_experiment_cli.py), the experiment file's ``description`` and the
    level names "the top" lists are written by users: ``# Q3`` made a heading, ``*acting*`` italics."""
    class Store:
        def scenario(self, label: str) -> dict[str, Any]:
            return {"organisation": {"levels": [{"name": "Analyst"}, {"name": "VP *acting*"}, {"name": "<CEO>"}]},
                    "metrics": {"key_levels": 2}}

    assert set(top_level_names(Store(), toy_design()).values()) == {  # type: ignore[arg-type]
        "VP \\*acting\\* and \\<CEO\\> (the top 2 of 3 levels, metrics.key_levels; 0 positions)"}
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.18, 0.2, 0.17])})
    arms = [{**arm, "source": f"{arm['label']}.yaml", "scenario_hash": "9a64cf1a6b63"} for arm in toy_design()["arms"]]
    design = {**toy_design(), "arms": arms, "name": "toy", "seed": 1, "seeds": [1, 2, 3], "years": 1,
              "headcount": 100, "source": "toy.yaml", "tasks": [], "description": "# Q3 <b>review</b>\n  of *pay*"}
    runs = pd.DataFrame(columns=["run_id", "arm", "status", "error", "batch"])
    report = render_report(design, Provenance(latest={}, makers=[], made=Counter()),
                           Analysis(effects=paired_effects(values, design), runs=runs, planned=0,
                                    failures=failure_reasons(runs)))
    assert "\n\\# Q3 \\<b\\>review\\</b\\> of \\*pay\\*\n" in report


def test_the_report_shows_every_set_override() -> None:
    """A variant made with set: (and an experiment-wide set:) is not the file alone: the report says so."""
    cover = "interventions.career_conversations.coverage"
    arms = [{**arm, "source": f"{arm['label']}.yaml", "scenario_hash": "9a64cf1a6b63"} for arm in toy_design()["arms"]]
    arms[1]["set"] = {cover: 0.5}
    design = {**toy_design(), "arms": arms, "name": "toy", "seed": 1, "seeds": [1], "years": 1, "headcount": None,
              "source": "toy.yaml", "tasks": [], "set": {"warmup_months": 12}}
    runs = pd.DataFrame(columns=["run_id", "arm", "status", "error", "batch"])
    report = render_report(design, Provenance(latest={}, makers=[], made=Counter()),
                           Analysis(effects=paired_effects(toy_values({"m": ([1.0], [1.0])}), design), runs=runs,
                                    planned=0, failures=failure_reasons(runs)))
    assert "| arm | scenario file | content hash | parameters | set | paired with |" in report
    assert f"| a | `a.yaml` | `9a64cf1a6b63` | — | `{cover}=0.5` | base |" in report
    assert "Every scenario also with the experiment's set: `warmup_months=12`" in report

    class Store:
        """The scenarios' descriptions, as a folder's scenarios/ holds them."""

        def scenario(self, label: str) -> dict[str, str]:
            return {"description": {"a": "career conversations at every review"}.get(label, "the baseline")}

    assert variant_descriptions(Store(), design) == {  # type: ignore[arg-type]
        "a": f"career conversations at every review (with set: `{cover}=0.5`)"}
    arms[1]["scenario"] = "base"  # the baseline's file with set:: its description would be the baseline's
    assert variant_descriptions(Store(), design) == {"a": f"With set: `{cover}=0.5`"}  # type: ignore[arg-type]


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


def test_the_share_of_the_top_starts_from_the_baselines_first_month(small_experiment: Path) -> None:
    """An HR user's VP read the last year's share as today's, when the file had 1 woman among 15 at
    the top: the baseline's first recorded month comes first, from the stored time series."""
    store = ResultStore(small_experiment)
    design = store.design()
    values = run_values(store, design)
    effects = paired_effects(values, design, metrics=["representation_ratio.women"])
    shares = top_shares(values, effects, design, store)
    assert list(shares.index) == ["small: month 1", "small: last year", "random: last year"]
    assert list(shares.columns) == ["women", "men"]
    series = store.timeseries(["top_share.women"])
    first = series[(series["step"] == 1) & (series["arm"] == "small")]["value"]
    assert len(first) == 6 and shares.loc["small: month 1", "women"] == pytest.approx(first.mean(), abs=1e-12)
    last = values[(values["arm"] == "random") & (values["metric"] == "top_share.women")]["value"]
    assert shares.loc["random: last year", "women"] == pytest.approx(last.mean(), abs=1e-12)
    assert (shares.sum(axis=1) - 1).abs().max() < 1e-9


def test_effects_csv_has_the_promised_columns(small_experiment: Path) -> None:
    effects = pd.read_csv(small_experiment / "effects.csv")
    for column in ("metric", "variant", "baseline_mean", "variant_mean", "diff", "ci_low", "ci_high", "n",
                   "effect_size", "ci_width_ratio", "variance_reduction", "unpaired_ci_low", "unpaired_ci_high",
                   "p_value", "p_holm", "parity_gap_diff", "parity_gap_ci_low", "parity_gap_ci_high",
                   "parity_baseline_ci_low", "parity_baseline_ci_high"):
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


def test_a_report_at_another_level_says_that_level_wherever_it_names_one(
        small_experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``analyse(out, confidence=0.9)`` computed 90% intervals in a report that said 95% throughout (its
    text, tables, plot titles, and the 5% its "clear" and Holm's correction were judged at)."""
    out = tmp_path / "copy"
    shutil.copytree(small_experiment, out)  # the fixture's own report, at the default level, stays for the others
    at_95 = (small_experiment / "report.md").read_text()
    titles: list[str] = []
    for name in ("plot_forest", "plot_trajectories"):  # the real functions, their titles noted on the way
        real = getattr(report_module, name)
        monkeypatch.setattr(report_module, name, lambda *a, real=real, **k: titles.append(k["title"]) or real(*a, **k))
    result = analyse(out, confidence=0.9)
    at_90 = (out / "report.md").read_text()
    assert "95%" not in at_90 and "(5%)" not in at_90
    for said in ("The *90% confidence interval* (CI) is the range that holds the true difference with 90% confidence",
                 "the change's 90% interval excludes 0", "- Confidence level: 90% for every interval and band; a "
                 "change is clear, and stays clear after Holm's correction, at 10% significance",
                 "The 90% confidence interval is Student's t", "below 0.1, a result stays clear",
                 "| difference | 90% CI | n |", "Paired differences with 90% confidence intervals",
                 "with a 90% confidence band"):
        assert said in at_90, said
    # Every level the 95% report names, this one names as 90%.
    assert at_95.count("95%") == at_90.count("90%") and "90%" not in at_95
    assert titles == ["a: mean and 90% band over replications", "a: paired differences from baseline (90% CI)"]
    # The same runs, the same differences and p-values; narrower intervals, each inside the 95% one.
    wide, narrow = pd.read_csv(small_experiment / "effects.csv"), pd.read_csv(out / "effects.csv")
    assert list(narrow.columns) == list(wide.columns) and narrow.columns[-1] == "confidence"
    assert set(wide["confidence"]) == {0.95} and set(narrow["confidence"]) == {0.9} and result.confidence == 0.9
    pd.testing.assert_series_equal(narrow["diff"], wide["diff"])
    pd.testing.assert_series_equal(narrow["p_value"], wide["p_value"])
    bounded = wide["ci_low"].notna()
    assert bounded.sum() >= 2
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"]))[bounded].all()
    assert ((narrow["ci_low"] > wide["ci_low"]) & (narrow["ci_high"] < wide["ci_high"]))[bounded].all()
    # The terminal's tables, plain and full, name the level too.
    print_effects(result.effects)
    printed = capsys.readouterr().out
    assert "change [90% CI]" in printed and "95%" not in printed
    assert "[90% CI]: the range that holds the true change with 90% confidence" in " ".join(printed.split())
    print_effects(result.effects, full=True)
    printed = capsys.readouterr().out
    assert "90% CI" in printed and "95%" not in printed


def test_the_clear_verdicts_and_holms_correction_follow_the_level() -> None:
    """At 90% a change is clear at 10% significance: Holm's correction and the p-value a metric with no
    better direction must beat over the report's tests are taken at 10% too, not at a fixed 5%."""
    kept_at_90 = {"n": 12, "baseline_mean": 0.2, "variant_mean": 0.17, "diff": -0.03, "ci_low": -0.05,
                  "ci_high": -0.01, "p_value": 0.004, "p_holm": 0.08}
    at_95, at_90 = row_of(**kept_at_90), row_of(**kept_at_90, confidence=0.9)
    assert plain_verdict(at_95._replace(metric="misread_rate"), 12) == "better, may be chance"
    assert plain_verdict(at_90._replace(metric="misread_rate"), 12) == "better"
    assert change_line(at_90._replace(metric="misread_rate"), 12) == (
        "- misread rate: 0.200 → 0.170 (-0.030; 90% CI -0.050 to -0.010): **better**")
    rise = {"n": 12, "baseline_mean": 332.8, "variant_mean": 350.7, "diff": 17.9, "ci_low": 2.3, "ci_high": 33.4,
            "p_value": 0.006, "p_holm": math.nan}
    assert plain_verdict(row_of(**rise), 12) == "rise, may be chance"  # 0.006 > 0.05 / 12
    assert plain_verdict(row_of(**rise, confidence=0.9), 12) == "clear rise"  # 0.006 < 0.1 / 12
    assert change_line(row_of(**{**rise, "p_value": 0.04}, confidence=0.99), 12).endswith(
        "(may be chance: p = 0.04, not below 1% over the report's 12 tests)")
    assert (percent_level(0.95), percent_level(0.9), percent_level(0.975), percent_level(0.999)) == (
        "95%", "90%", "97.5%", "99.9%")
    assert significance(0.95) == 0.05 and percent_level(significance(0.9)) == "10%"


def test_trajectories_leave_out_months_when_ledger_rates_count_only_failures(small_experiment: Path) -> None:
    """A trial's plot showed the stick rate at 0 for a year, then a jump to 0.65: only failures had settled.

    The small experiment records 12 months after a 2-month warm-up: its first recorded promotions
    (month 12) cannot have stuck (18 months) within it, so no stick rate is drawn at all, and the
    misread rate is drawn throughout.
    """
    store = ResultStore(small_experiment)
    design = store.design()
    ok = set(store.runs()["run_id"])
    bands = trajectory_bands(store.timeseries(["misread_rate", "promotion_stick_rate"]), design, ok)
    for arm in ("small", "random"):
        mine = bands[bands["arm"] == arm]
        assert list(mine.loc[mine["metric"] == "misread_rate", "step"]) == list(range(1, 13))
        assert mine.loc[mine["metric"] == "promotion_stick_rate"].empty


def test_trajectory_bands_stop_at_zero_for_metrics_that_cannot_be_negative(small_experiment: Path) -> None:
    """A band of a noisy early annualised rate went to -0.1 (a researcher trial)."""
    store = ResultStore(small_experiment)
    ts = store.timeseries()
    bands = trajectory_bands(ts, store.design(), set(store.runs()["run_id"]))
    assert (bands["low"] >= 0).all()
    clipped = bands[(bands["low"] == 0) & (bands["mean"] > 0) & (bands["n"] > 1)]
    assert len(clipped), "some early band reached below 0 and stops there"
    shifted = ts.assign(value=ts["value"] - 1.0)  # a metric that can be negative keeps its whole band
    below = trajectory_bands(shifted, store.design(), set(store.runs()["run_id"]))
    assert (below["low"] < below["mean"] - 1e-12).sum() >= len(clipped)


def test_each_plot_panel_is_titled_in_words_with_the_column_name_and_which_way_is_better() -> None:
    assert panel_title("hidden_ambition_rate") == "Hidden ambition\nhidden_ambition_rate (lower is better)"
    assert panel_title("representation_ratio.women").endswith("(closer to 1 is better)")
    # On the forest plot's axis of differences (centred on 0) it is the ratio that is better near 1.
    assert panel_title("representation_ratio.women", of_differences=True).endswith(
        "(the ratio itself is better closer to 1)")
    assert panel_title("misread_rate", of_differences=True) == panel_title("misread_rate")
    assert panel_title("promotions") == "Promotions\npromotions"  # neither way is better
    # Lever time is a cost, not a result, in the plots as in the report (an org-design trial).
    assert panel_title("intervention_cost").endswith("intervention_cost (a cost in people's time)")
    assert panel_title("no_such_metric") == "no_such_metric"


def test_a_report_against_an_arm_names_it_where_it_said_baseline() -> None:
    """``report --against career_conversations`` (an org-design trial): the forest plot's title named the
    arm but every panel's axis read "difference from baseline", the shares at the top came from
    "the baseline's first recorded month" over a row "career_conversations: month 1", and the
    *Effects* table's column read "baseline mean" for career conversations' means."""
    effects = pd.DataFrame([{"metric": m, "variant": "acme", "baseline": "career_conversations", "diff": 0.01,
                             "ci_low": 0.0, "ci_high": 0.02, "unpaired_ci_low": -0.01, "unpaired_ci_high": 0.03,
                             "n": 5} for m in ("misread_rate", "representation_ratio.women")])
    fig = forest_figure(effects, ["misread_rate"], reference="career_conversations")
    assert {ax.get_xlabel() for ax in fig.axes if ax.get_visible()} == {"difference from career_conversations"}
    assert {ax.get_xlabel() for ax in forest_figure(effects, ["misread_rate"]).axes if ax.get_visible()} == {
        "difference from baseline"}
    shares = pd.DataFrame({"women": [0.5, 0.5], "men": [0.5, 0.5]},
                          index=["career_conversations: month 1", "acme: last year"])
    line = next(t for t in top_line(effects, {"acme": "VP"}, shares, "career_conversations") if "first" in t)
    assert "in career_conversations's first recorded month" in line and "baseline" not in line
    assert "in the baseline's first recorded month" in " ".join(top_line(effects, {"acme": "VP"}, shares))


def test_a_scenarios_own_name_in_a_plots_title_is_drawn_as_typed() -> None:
    """compare titles its plots with the baseline's ``name:`` ("Ops $x^$ team (acme): ..."), free text where
    the experiment's name is a label: matplotlib read the dollars as mathtext, and the report failed with
    its parser's traceback after every run had finished."""
    from io import BytesIO  # noqa: PLC0415

    effects = pd.DataFrame([{"metric": "misread_rate", "variant": "v2", "baseline": "acme", "diff": 0.01,
                             "ci_low": 0.0, "ci_high": 0.02, "unpaired_ci_low": -0.01, "unpaired_ci_high": 0.03,
                             "n": 5}])
    title = "Ops $x^$ team, $2M to $5M (acme): paired differences from baseline (95% CI)"
    fig = forest_figure(effects, ["misread_rate"], title)
    fig.savefig(BytesIO(), format="png")
    assert fig.get_suptitle() == title


def test_a_grids_long_labels_stay_beside_the_first_column_and_off_the_other_panels() -> None:
    """A 3x3 grid's labels (90 characters) were written beside every panel of the forest plot: they ran
    into the next panel and squeezed its axes until the x ticks overlapped (a researcher's trial)."""
    from matplotlib.transforms import Bbox  # noqa: PLC0415

    variants = [f"silence_off[managers.silence_decay=0.0{d}, interventions.psychological_safety."
                f"penalty_reduction=0.{p}]" for d in (2, 4, 8) for p in (0, 4, 8)]
    metrics = ["hidden_ambition_rate", "regretted_attrition_rate", "hidden_ambition_exit_rate", "misread_rate"]
    rng = np.random.default_rng(1)
    effects = pd.DataFrame([{"metric": m, "variant": v, "baseline": "baseline", "diff": d, "ci_low": d - 2e-4,
                             "ci_high": d + 2e-4, "unpaired_ci_low": d - 5e-4, "unpaired_ci_high": d + 5e-4, "n": 10}
                            for m in metrics for v in variants for d in [rng.normal(0, 3e-4)]])
    fig = forest_figure(effects, metrics)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    first, second = axes[0], axes[1]
    names = [t.get_text() for t in first.get_yticklabels()]
    # Broken after each setting (a part longer than FOREST_LABEL_WIDTH keeps a line of its own).
    assert all(n.splitlines()[0].endswith("silence_decay=0.02,") for n in names[:3]), names
    assert {t.get_text() for t in second.get_yticklabels()} == {"n=10"}, "the other columns give n alone"
    labels = Bbox.union([t.get_window_extent(renderer) for t in first.get_yticklabels()])
    assert labels.x1 <= first.get_window_extent(renderer).x0 + 1, "the labels stay left of their own panel"
    for ax in axes:
        ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(ticks)), "x tick labels overlap"


def test_a_grid_setting_s_long_label_keeps_its_parts_whole_at_a_glance(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An org-design trial's at-a-glance table folded "parallel_ladders_specialist_share_0.1_and_" mid-word
    ("..._0.1_an" / "d_") in a piped 100-column table: its variant column was narrower than the label's first part.
    Where whole labels would cut the other cells ("developme…"), as at 80 columns here, it folds as before."""
    label = "parallel_ladders_specialist_share_0.1_and_career_conversations"
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.1, 0.11, 0.12]),
                         "development_roi": ([0.2, 0.21, 0.19], [0.3, 0.31, 0.32])}).replace({"arm": {"a": label}})
    arms = [{**arm, "label": label if arm["label"] == "a" else arm["label"]} for arm in toy_design()["arms"][:2]]
    effects = paired_effects(values, {"replications": 3, "metrics": None, "arms": arms})
    for columns in ("100", "120"):
        monkeypatch.setenv("COLUMNS", columns)
        print_effects(effects, "levers together")
        out = capsys.readouterr().out
        glance = out[out.index("each variant at a glance"):]
        assert re.search(r"^ *parallel_ladders_specialist_share_0\.1_and_ ", glance, re.M), glance
        assert re.search(r"^ +career_conversations ", glance, re.M) and "h/person/yr" in glance, glance
        assert max(map(len, out.splitlines())) <= int(columns)


def test_one_replication_is_one_pair_of_runs(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """An org-design trial's ``compare --replications 1`` was titled "1 pairs of runs"."""
    monkeypatch.delenv("COLUMNS", raising=False)
    values = toy_values({"misread_rate": ([0.2], [0.1])})
    effects = paired_effects(values, {"replications": 1, "metrics": None, "arms": toy_design()["arms"][:2]})
    print_effects(effects, "northwind: paired effects")
    out = capsys.readouterr().out
    assert "northwind: paired effects, 1 pair of runs" in out and "1 pairs" not in out, out


def _toy_report(values: pd.DataFrame, replications: int, **design: Any) -> str:
    """report.md for arms base and a of ``values``, with the design's fields given."""
    arms = [{**arm, "source": f"{arm['label']}.yaml", "scenario_hash": "9a64cf1a6b63"} for arm in toy_design()["arms"]]
    full = {**toy_design(), "arms": arms[:2], "name": "toy", "seed": 1, "seeds": list(range(replications)),
            "years": 1, "headcount": None, "source": "toy.yaml", "tasks": [], "replications": replications, **design}
    runs = pd.DataFrame(columns=["run_id", "arm", "status", "error", "batch"])
    effects = paired_effects(values, full)
    return render_report(full, Provenance(latest={}, makers=[], made=Counter()),
                         Analysis(effects=effects, runs=runs, planned=0, failures=failure_reasons(runs)))


def test_few_pairs_with_a_near_constant_difference_are_said_to_be_few(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """3 replications with a near-constant difference got a clear verdict and no word that 3 pairs are few,
    where 1 replication had a note (an org-design trial): the table, and report.md, say it beside the verdict."""
    monkeypatch.setenv("COLUMNS", "120")
    values = toy_values({"misread_rate": ([0.2, 0.25, 0.3], [0.1, 0.1501, 0.2])})
    design = {"replications": 3, "metrics": None, "arms": toy_design()["arms"][:2]}
    effects = paired_effects(values, design)
    assert plain_verdict(effects.iloc[0], 1) == "better"  # clear on 3 pairs: the verdict the note qualifies
    print_effects(effects, "toy")
    out = " ".join(capsys.readouterr().out.split())
    assert "note: 3 pairs of runs are few for these verdicts: a t interval from 3 pairs is wide and unstable" in out
    assert f"multiplier is {stats.t.ppf(0.975, 2):.2f}, against {stats.t.ppf(0.975, 9):.2f} from 10 pairs" in out
    assert "use --replications 10 or more for verdicts to trust" in out
    report = _toy_report(values, 3)
    assert "> **Few pairs:** 3 pairs of runs are few for these verdicts" in report
    assert report.index("**Few pairs:**") < report.index("## Summary")
    # At 10 pairs and beyond, nothing is said.
    ten = toy_values({"misread_rate": ([0.2 + k / 100 for k in range(10)], [0.1 + k / 99 for k in range(10)])})
    print_effects(paired_effects(ten, {**design, "replications": 10}), "toy")
    assert "note:" not in capsys.readouterr().out
    assert "Few pairs" not in _toy_report(ten, 10)
    # One pair: no interval at all, said the same way.
    print_effects(paired_effects(toy_values({"misread_rate": ([0.2], [0.1])}), {**design, "replications": 1}), "toy")
    assert "note: 1 pair of runs gives no confidence intervals and no verdicts" in capsys.readouterr().out


def test_a_backtick_in_a_value_cannot_end_its_code_span() -> None:
    """A user's value went between single backticks: one inside ended the span, and what followed read as
    Markdown (a review). The fence is longer than any run of backticks inside (CommonMark)."""
    from sim.wording import code_span  # noqa: PLC0415

    assert code_span("a.yaml") == "`a.yaml`"
    assert code_span("name=a`b") == "``name=a`b``"
    assert code_span("x``y`") == "``` x``y` ```"  # a run of two: three; a backtick at an end: padded
    assert code_span("two\nlines") == "`two lines`"
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.18, 0.2, 0.17])})
    arms = [{**arm, "source": f"{arm['label']}.yaml", "scenario_hash": "9a64cf1a6b63"} for arm in toy_design()["arms"]]
    arms[1]["set"] = {"name": "Acme `beta` *team*"}
    report = _toy_report(values, 3, arms=arms[:2], source="my `odd` folder/exp.yaml")
    assert "| a | `a.yaml` | `9a64cf1a6b63` | — | ``name=Acme `beta` *team*`` | base |" in report
    assert "- Experiment file: ``my `odd` folder/exp.yaml``" in report


def test_a_comparison_from_the_command_line_says_it_has_no_experiment_file() -> None:
    """report.md read "Experiment file: `command line`" for a compare, as if a file had that name."""
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.18, 0.2, 0.17])})
    report = _toy_report(values, 3, source="command line")
    assert "- Experiment file: none; the scenarios and levers were named on the command line" in report
    assert "`command line`" not in report


def test_a_long_lever_label_stays_whole_in_an_80_column_effects_table(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80 columns the compact table folded "parallel_ladders_specialist_share_0.1_and_" mid-word, and so did
    the at-a-glance table ("..._special" / "ist_..."): now the label keeps its parts whole (the metric's direction
    goes beside its name, the verdicts and the lists of metrics wrap), and nothing is cut short."""
    label = "parallel_ladders_specialist_share_0.1_and_career_conversations"
    values = toy_values({"misread_rate": ([0.2, 0.21, 0.19], [0.1, 0.11, 0.12]),
                         "attrition_rate": ([0.12345, 0.12111, 0.1222], [0.11111, 0.112222, 0.11333]),
                         "development_roi": ([0.2, 0.21, 0.19], [0.3, 0.31, 0.32])}).replace({"arm": {"a": label}})
    arms = [{**arm, "label": label if arm["label"] == "a" else arm["label"]} for arm in toy_design()["arms"][:2]]
    monkeypatch.setenv("COLUMNS", "80")
    print_effects(paired_effects(values, {"replications": 3, "metrics": None, "arms": arms}), "levers together")
    out = capsys.readouterr().out
    table, glance = out[:out.index("each variant at a glance")], out[out.index("each variant at a glance"):]
    assert len(re.findall(r"^ +parallel_ladders_specialist_share_0\.1_and_ ", table, re.M)) == 3, table
    assert len(re.findall(r"^ +career_conversations +$", table, re.M)) == 3, table
    assert "misread rate: lower is better" in table
    assert re.search(r"^ *parallel_ladders_specialist_share_0\.1_and_ ", glance, re.M), glance
    assert "development" in glance and "h/person/yr" in glance and "…" not in out
    assert max(map(len, out.splitlines())) <= 80
