"""``--interaction``: do two levers add up? The difference in differences, paired by replication.

The statistical claim that such a contrast detects a real interaction (career conversations work
better with psychological safety) is tested in ``test_interventions.py``; here the contrast is
checked against its definition, run by run, and the refusals are checked to come before any run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import NO_PLOTS, SCENARIOS

from sim.cli import main
from sim.errors import InputError
from sim.experiment.interaction import LeverPair, find_pair, interaction_effects, verdict
from sim.experiment.report import analyse
from sim.experiment.store import ResultStore

LEVERS = ["--levers", "career_conversations,mentoring,mentoring+career_conversations"]
SMALL = ["--replications", "4", "--years", "1", "--headcount", "120", "--workers", "1",
         "--metrics", "misread_rate,hidden_ambition_rate,promotions"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interaction") / "out"
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), *LEVERS, *SMALL, "--out", str(out),
                 "--interaction", "career_conversations+mentoring", "--quiet", *NO_PLOTS]) == 0
    return out


def test_the_interaction_is_together_minus_each_alone_plus_the_baseline_run_by_run(folder: Path) -> None:
    table = pd.read_csv(folder / "interactions.csv")
    summaries = ResultStore(folder).summaries()
    assert list(table["metric"]) == ["misread_rate", "hidden_ambition_rate", "promotions"]
    assert set(table["together"]) == {"mentoring_and_career_conversations"}
    for row in table.itertuples():
        wide = summaries[summaries["metric"] == row.metric].pivot(index="replication", columns="arm", values="value")
        base, first, second = wide["baseline"], wide["career_conversations"], wide["mentoring"]
        both = wide["mentoring_and_career_conversations"]
        each = both - first - second + base
        assert row.interaction == pytest.approx(each.mean(), abs=1e-12)
        assert row.together_effect - row.sum_of_effects == pytest.approx(row.interaction, abs=1e-12)
        assert row.first_effect == pytest.approx((first - base).mean(), abs=1e-12)
        half = (row.ci_high - row.ci_low) / 2
        from scipy import stats  # noqa: PLC0415

        assert half == pytest.approx(stats.t.ppf(0.975, 3) * each.std(ddof=1) / np.sqrt(4), rel=1e-9)
        assert row.n == 4
    report = (folder / "report.md").read_text()
    assert "## Do the levers add up?" in report and "### career_conversations + mentoring" in report
    command = json.loads((folder / "metadata.json").read_text())["command"]
    assert "--interaction career_conversations+mentoring" in command


def test_a_rebuilt_report_keeps_the_pairs_its_command_asked_for(folder: Path, tmp_path: Path) -> None:
    """A bare rebuild dropped the section and interactions.csv without a word, under a Command: line that
    still asked for them (a researcher's trial): it is that command's report again; --interaction none drops them."""
    copy = tmp_path / "copy"
    import shutil  # noqa: PLC0415

    shutil.copytree(folder, copy)
    before = (copy / "report.md").read_text()
    assert main(["experiment", "report", str(copy), "--quiet"]) == 0
    assert (copy / "report.md").read_text() == before and (copy / "interactions.csv").exists()
    assert main(["experiment", "report", str(copy), "--interaction", "none", "--quiet"]) == 0
    report = (copy / "report.md").read_text()
    assert not (copy / "interactions.csv").exists() and "Do the levers add up?" not in report
    assert f"Report made by: `promosim experiment report {copy} --interaction none`" in report
    assert main(["experiment", "report", str(copy), "--interaction", "mentoring+career_conversations=mentoring_and_"
                 "career_conversations", "--quiet"]) == 0
    assert (copy / "interactions.csv").exists()
    # At another level, the interval and its words follow it.
    at_90 = analyse(copy, confidence=0.9, figures=(), interactions=["career_conversations+mentoring"]).interactions
    at_95 = analyse(copy, confidence=0.95, figures=(), interactions=["career_conversations+mentoring"]).interactions
    assert ((at_90["ci_high"] - at_90["ci_low"]) < (at_95["ci_high"] - at_95["ci_low"])).all()
    analyse(copy, confidence=0.9, figures=(), interactions=["career_conversations+mentoring"])
    report = (copy / "report.md").read_text()
    assert "together - sum [90% CI]" in report and "together - sum [95% CI]" not in report
    assert (pd.read_csv(copy / "interactions.csv")["confidence"] == 0.9).all()


@pytest.mark.parametrize(("typed", "words"), [
    ("career_conversations", "'career_conversations' is not two arms joined by '+'"),
    ("carer_conversations+mentoring", "no arm 'carer_conversations' (did you mean "
                                      "'career_conversations'?)"),
    ("baseline+mentoring", "baseline is the baseline; the interaction compares two levers"),
    ("career_conversations+mentoring=mentoring", "names one arm twice"),
])
def test_a_pair_the_arms_cannot_make_is_one_line(folder: Path, typed: str, words: str) -> None:
    with pytest.raises(InputError) as refused:
        find_pair(ResultStore(folder).design(), typed, str(folder))
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_a_bad_interaction_stops_compare_before_any_run(folder: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["compare", str(SCENARIOS / "baseline.yaml"), "--levers", "career_conversations,mentoring", *SMALL,
                 "--out", str(out), "--interaction", "career_conversations+mentoring"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "--interaction: no arm with both career_conversations and mentoring" in err
    assert not (out / "runs").exists()
    code = main(["compare", str(SCENARIOS / "baseline.yaml"), *LEVERS, *SMALL, "--out", str(out),
                 "--interaction", "career_conversation+mentoring"])
    err = capsys.readouterr().err
    assert code == 2 and "command line: --interaction: no arm 'career_conversation' (did you mean" in err, err
    assert "folder" not in err and not (out / "runs").exists()  # the arms are the command's: no folder yet
    with pytest.raises(InputError, match="leave out --against"):
        analyse(folder, against="mentoring", interactions=["career_conversations+mentoring"])


def test_the_verdict_follows_the_metrics_direction() -> None:
    row = {"metric": "misread_rate", "interaction": -0.02, "ci_low": -0.03, "ci_high": -0.01, "p_value": 0.0001,
           "p_holm": 0.001, "holm_tests": 19}
    assert verdict(row) == "better than the sum"  # fewer misreads than the two alone predict
    assert verdict({**row, "metric": "succession_coverage"}) == "worse than the sum"
    assert verdict({**row, "metric": "promotions", "p_holm": np.nan}) == "below the sum"
    assert verdict({**row, "p_holm": 0.2}) == "better than the sum, may be chance"
    assert verdict({**row, "ci_high": 0.01}) == "adds up"


def test_lever_time_and_metrics_without_a_direction_are_judged_as_in_the_effects_table() -> None:
    # Lever time is outside Holm's family and a cost: never "better than the sum" (a trial's
    # report said so of 4.054 hours together against 4.074 for the two alone).
    cost = {"metric": "intervention_cost", "interaction": -0.02, "ci_low": -0.029, "ci_high": -0.011,
            "p_value": 0.009, "p_holm": np.nan, "holm_tests": 19}
    assert verdict(cost) == "below the sum"
    # A count with no better direction, clear on its own at p = 0.03 among 19 contrasts: as the
    # effects table's "rise, may be chance", its p is not below 5% / 19.
    count = {**cost, "metric": "promotions", "interaction": 4.0, "ci_low": 0.5, "ci_high": 7.5, "p_value": 0.03}
    assert verdict(count) == "above the sum, may be chance"
    assert verdict({**count, "p_value": 0.001}) == "above the sum"
    assert verdict(count, confidence=0.9) == "above the sum, may be chance"  # 0.03 is not below 10% / 19 either
    assert verdict({**count, "p_value": 0.004}, confidence=0.9) == "above the sum"  # below 10% / 19, not 5% / 19
    assert verdict({**count, "p_value": 0.004}) == "above the sum, may be chance"


PAIR = LeverPair(first="a", second="b", together="a_and_b", baseline="baseline")


def _values(columns: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """A run_values frame from each metric's values per arm, one per replication."""
    return pd.DataFrame([{"arm": arm, "replication": k, "metric": metric, "value": value}
                         for metric, arms in columns.items() for arm, runs in arms.items()
                         for k, value in enumerate(runs)])


def test_a_lever_that_leaves_a_metric_alone_adds_up_exactly() -> None:
    # b changes nothing: together is a's value in every run. In binary 0.2 + 0.1 - 0.1 is not 0.2, and
    # the same 3e-17 in every run, with no spread, was a certain "better than the sum" that joined Holm's count.
    same = {"baseline": [0.1] * 3, "a": [0.2] * 3, "b": [0.1] * 3, "a_and_b": [0.2] * 3}
    row = interaction_effects(_values({"misread_rate": same}), {"replications": 3}, [PAIR]).iloc[0]
    assert row.interaction == 0 and row.ci_low == 0 == row.ci_high
    assert np.isnan(row.p_value) and row.holm_tests == 0  # no test to make, as for arms that agree
    assert verdict(row.to_dict()) == "adds up"
    swapped = {"baseline": [0.1] * 3, "a": [0.1] * 3, "b": [0.3] * 3, "a_and_b": [0.3] * 3}  # a changes nothing
    assert interaction_effects(_values({"misread_rate": swapped}), {"replications": 3}, [PAIR]).iloc[0].interaction == 0


def test_metrics_shown_after_the_fact_keep_the_designs_holm_family() -> None:
    rng = np.random.default_rng(3)
    columns = {metric: {arm: list(rng.normal(0.3, 0.05, 5)) for arm in ("baseline", "a", "b", "a_and_b")}
               for metric in ("misread_rate", "hidden_ambition_rate", "attrition_rate")}
    design = {"replications": 5, "metrics": list(columns)}
    full = interaction_effects(_values(columns), design, [PAIR])
    shown = interaction_effects(_values(columns), design, [PAIR], metrics=["attrition_rate", "misread_rate"])
    assert list(shown["metric"]) == ["attrition_rate", "misread_rate"]
    assert (shown["holm_tests"] == 3).all()  # narrowing the table must not shrink the correction
    expected = full.set_index("metric").loc[["attrition_rate", "misread_rate"], "p_holm"].to_numpy()
    np.testing.assert_allclose(shown["p_holm"].to_numpy(), expected)
