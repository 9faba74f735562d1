"""Sensitivity analysis through SALib: a smoke test of Morris and Sobol' on a small organisation."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import BASELINE, ROOT
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats

from sim.cli import main
from sim.errors import InputError
from sim.experiment.design import coerce_like, load_experiment
from sim.experiment.sensitivity import (
    _fewer_replications,
    _sobol_caveat,
    build_sensitivity_design,
    morris_fractions,
    morris_rows,
    point_means,
    print_indices,
)


def write_experiment(folder: Path) -> Path:
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    data = {
        "name": "s", "seed": 5, "headcount": 100,
        "scenarios": {"baseline": "small.yaml"},
        "sensitivity": {"samples": 4, "levels": 4, "replications": 1,
                        "metrics": ["misread_rate", "hidden_ambition_rate"],
                        "parameters": {"behaviour.voice_rate": [0.02, 0.4], "managers.silence_decay": [0.0, 0.2]}},
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("method", "columns", "points"), [
    ("morris", ["mu", "mu_star", "mu_star_conf", "mu_star_low", "mu_star_high", "sigma"], 4 * 3),
    ("sobol", ["S1", "S1_conf", "S1_low", "S1_high", "ST", "ST_conf", "ST_low", "ST_high"], 4 * 4),
])
def test_sensitivity_writes_indices_with_intervals_and_a_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             method: str, columns: list[str], points: int) -> None:
    path = write_experiment(tmp_path)
    design = build_sensitivity_design(load_experiment(path), path, method)
    assert len(design.arms) == points
    distinct = len({t.run_id for t in design.tasks})  # Morris trajectories may share points
    out = tmp_path / method
    code = main(["experiment", "sensitivity", str(path), "--method", method, "--out", str(out), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # not "1 replications" (a trial), nor "arms" for sample points
    assert f"{points} sample points x 1 replication = {points} runs" in captured.err
    assert f"{distinct} runs planned: {distinct} new ({distinct} ok), in" in captured.err
    indices = pd.read_csv(out / "sensitivity.csv")
    assert set(columns) <= set(indices.columns)
    assert len(indices) == 2 * 2
    assert set(indices["parameter"]) == {"behaviour.voice_rate", "managers.silence_decay"}
    assert set(indices["metric"]) == {"misread_rate", "hidden_ambition_rate"}
    assert indices[columns].notna().all().all()
    if method == "morris":
        assert (indices["mu_star"] >= 0).all()
        # Speaking up more often must move misreads more than nothing: the screening sees it.
        misread = indices[indices["metric"] == "misread_rate"].set_index("parameter")
        assert misread.loc["behaviour.voice_rate", "mu_star"] > 0
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"
    report = (out / "sensitivity.md").read_text()
    assert f"Method: {method} via SALib" in report and "behaviour.voice_rate" in report
    assert "misread_rate" in captured.out
    # The analysis is resumable like any experiment: a second call runs nothing new.
    code = main(["experiment", "sensitivity", str(path), "--method", method, "--out", str(out), "--workers", "1"])
    assert code == 0
    reused = f"{distinct} runs planned: {distinct} reused (already in the folder), none new, in"
    assert reused in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(out / "sensitivity.csv"), indices)
    # The report names the code that made the runs, not the code that last looked at them.
    sessions = (out / "sessions.jsonl").read_text().splitlines()
    first = json.loads(sessions[0])
    assert first["git_revision"] and first["git_revision"] in (out / "sensitivity.md").read_text()
    sessions[0] = json.dumps({**first, "git_revision": "0ld0ld0"})
    (out / "sessions.jsonl").write_text("\n".join(sessions) + "\n")
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert "git `0ld0ld0`" in (out / "sensitivity.md").read_text()
    # A vector plot for a paper: the PNG it replaces is not left beside it, and the report says who made it.
    assert main(["experiment", "report", str(out), "--quiet", "--figures", "svg"]) == 0
    assert (out / "sensitivity.svg").read_text().find("<svg") > 0 and not (out / "sensitivity.png").exists()
    report = (out / "sensitivity.md").read_text()
    assert f"![{method} indices](sensitivity.svg)" in report
    assert f"Report made by: `promosim experiment report {out} --figures svg`" in report
    # None: the SVG goes too, and sensitivity.md says how to draw it again.
    assert main(["experiment", "report", str(out), "--quiet", "--figures", "none"]) == 0
    assert not list(out.glob("sensitivity.*g")) and "No plot drawn" in (out / "sensitivity.md").read_text()
    capsys.readouterr()
    assert main(["experiment", "report", str(out), "--metrics", "misread_rate"]) == 2  # not silently ignored
    assert "--metrics chooses effects of a comparison" in capsys.readouterr().err
    # Nor --interaction, which sensitivity.md would have named as the command that made it.
    assert main(["experiment", "report", str(out), "--interaction", "a+b"]) == 2
    assert "--interaction: holds sample points; --interaction takes the arms of a comparison" in capsys.readouterr().err
    # At another level the same bootstrap's half-widths scale with SALib's normal quantile, and every
    # place that names the level says it.
    assert main(["experiment", "report", str(out), "--confidence", "0.9"]) == 0
    assert "(conf = 90% half-width)" in capsys.readouterr().out
    at_90, text = pd.read_csv(out / "sensitivity.csv"), (out / "sensitivity.md").read_text()
    assert "95%" not in text and "the 90% interval: 1.645 times the standard deviation" in text
    assert "- Confidence level of the indices' intervals: 90%" in text and "--confidence 0.9`" in text  # Report made by
    conf = [c for c in columns if c.endswith("_conf")]
    ratio = stats.norm.ppf(0.95) / stats.norm.ppf(0.975)
    np.testing.assert_allclose(at_90[conf].to_numpy(), indices[conf].to_numpy() * ratio, rtol=1e-9)
    assert set(at_90["confidence"]) == {0.9} and set(indices["confidence"]) == {0.95}


def test_samples_and_levels_from_the_command_line_replace_the_files(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A publishable Sobol' sample (256+) or a quicker trial needed an edited copy of the file: --samples and
    --levels now stand in for sensitivity.samples and .levels, and the recorded command repeats them."""
    path = write_experiment(tmp_path)  # samples 4, levels 4
    out = tmp_path / "out"
    small = ["--headcount", "60", "--out", str(out), "--workers", "1", "--quiet"]
    assert main(["experiment", "sensitivity", str(path), "--samples", "2", "--levels", "6", *small]) == 0
    assert "note:" not in capsys.readouterr().err
    stored = json.loads((out / "experiment.json").read_text())
    assert (stored["extra"]["samples"], stored["extra"]["levels"], len(stored["arms"])) == (2, 6, 2 * 3)
    # The very sample the file would give with those values, not merely as many points.
    data = yaml.safe_load(path.read_text())
    data["sensitivity"].update(samples=2, levels=6)
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data))
    assert stored["extra"]["X"] == build_sensitivity_design(load_experiment(edited), edited).extra["X"]
    assert "--samples 2 --levels 6" in json.loads((out / "metadata.json").read_text())["command"]
    report = (out / "sensitivity.md").read_text()
    assert "samples N = 2, 6 levels; 6 sample points" in report and "--samples 2 --levels 6" in report


def test_another_sample_size_in_the_same_folder_is_said_and_reuses_the_shared_points(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The note that another design replaced the folder's report listed every point label of both samples (p00,
    p01, ...: 1,536 of them at Sobol' N = 256), and points of another --levels moved under the same labels without
    a word. A run's id is its point's content and seed, so runs are never mixed; a larger sample of the same seed
    starts with the smaller one's points, so growing a sample in its folder runs only the new points."""
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    small = ["--headcount", "60", "--out", str(out), "--workers", "1"]
    assert main(["experiment", "sensitivity", str(path), "--method", "sobol", "--samples", "2", *small]) == 0
    first = json.loads((out / "experiment.json").read_text())
    capsys.readouterr()
    assert main(["experiment", "sensitivity", str(path), "--method", "sobol", *small]) == 0  # the file's 4
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes == [f"note: {out} held experiment 's-sobol' (sensitivity: sobol, samples 2, 8 sample points); its "
                     "report, indices and plot are replaced by 's-sobol' (sensitivity: sobol, samples 4, 16 sample "
                     "points); its runs are kept, and reused at the points both samples share (run its command "
                     "again to report it)"]
    assert "16 runs planned: 8 reused (already in the folder), 8 new (8 ok), in" in err
    second = json.loads((out / "experiment.json").read_text())
    assert second["extra"]["X"][:8] == first["extra"]["X"]
    assert "samples N = 4" in (out / "sensitivity.md").read_text()
    # The same sample again is a resume, with nothing to say.
    assert main(["experiment", "sensitivity", str(path), "--method", "sobol", "--samples", "4", *small]) == 0
    err = capsys.readouterr().err
    assert "note:" not in err and "16 reused (already in the folder), none new" in err
    # Other levels at the same size: the same labels p00, p01, ... at other points.
    morris = ["experiment", "sensitivity", str(path), *small, "--quiet"]
    assert main(morris) == 0
    capsys.readouterr()
    assert main([*morris, "--levels", "6"]) == 0
    assert ("(sensitivity: morris, samples 4, levels 4, 12 sample points); its report, indices and plot are "
            "replaced by 's-morris' (sensitivity: morris, samples 4, levels 6, 12 sample points)"
            ) in capsys.readouterr().err
    # A comparison into the folder writes report.md, not sensitivity.md: nothing is replaced across kinds.
    assert main(["experiment", "run", str(path), "--replications", "1", *small, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("samples 4, levels 6, 12 sample points); its report, indices and plot stay, beside those of 's' "
            "(comparison: small); its runs are kept") in err
    assert (out / "sensitivity.md").is_file() and (out / "report.md").is_file()


@pytest.mark.parametrize(("argv", "said"), [
    (["--samples", "0"], "argument --samples: must be from 2 to 100,000, got 0"),
    (["--samples", "-8"], "argument --samples: must be from 2 to 100,000, got -8"),
    (["--samples", "1"], "argument --samples: must be from 2 to 100,000, got 1"),
    (["--samples", "100001"], "argument --samples: must be from 2 to 100,000, got 100001"),
    (["--samples", "2.5"], "argument --samples: expected a whole number, got '2.5'"),
    (["--samples", "lots"], "argument --samples: expected a whole number, got 'lots'"),
    (["--levels", "1"], "argument --levels: must be from 2 to 100, got 1"),
    (["--levels", "101"], "argument --levels: must be from 2 to 100, got 101"),
    (["--levels", "4.0"], "argument --levels: expected a whole number, got '4.0'"),
])
def test_a_sample_size_or_levels_out_of_the_files_range_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    """The range is the file's own (sensitivity.samples, .levels), named as the option typed."""
    path = write_experiment(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["experiment", "sensitivity", str(path), *argv, "--out", str(tmp_path / "out")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err == f"promosim experiment sensitivity: error: {said} (see --help)\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("argv", "said"), [
    (["--method", "sobol", "--samples", "6"],
     "--samples: sobol needs samples to be a power of two (e.g. 8, 16, 64), got 6: use 4 or 8"),
    (["--method", "sobol", "--samples", "300"],
     "--samples: sobol needs samples to be a power of two (e.g. 8, 16, 64), got 300: use 256 or 512"),
    (["--method", "sobol", "--levels", "6"], "--levels: sets the levels of Morris's grid, and sobol samples no grid: "
                                             "leave --levels out, or use --method morris"),
    (["--replications", "20000"], "--replications: must be from 1 to 10,000 (got 20000)"),
])
def test_a_value_the_method_or_the_files_rule_refuses_names_the_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    """What only the method can tell (Sobol' balances at powers of two; it has no grid), and the file's rule on
    a value the command line gave (the sensitivity.replications limit), were blamed on the file's keys."""
    path = write_experiment(tmp_path)
    assert main(["experiment", "sensitivity", str(path), *argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"promosim experiment: command line: {said}\n"
    assert not (tmp_path / "out").exists()


def test_the_shipped_sensitivity_experiment_is_valid() -> None:
    path = ROOT / "experiments" / "sensitivity.yaml"
    spec = load_experiment(path)
    design = build_sensitivity_design(spec, path)
    assert design.extra["method"] == "morris"
    assert len(design.arms) == spec.sensitivity.samples * (len(spec.sensitivity.parameters) + 1)
    assert len(design.tasks) <= 100, "the shipped demo should stay quick"


def test_sobol_indices_outside_zero_one_are_flagged() -> None:
    """Shares of variance cannot be negative or above one: such indices say the sample is too small."""
    names = {"metric": ["misread_rate", "misread_rate"], "parameter": ["voice_rate", "risk_rate"]}
    fine = pd.DataFrame({**names, "S1": [0.2, 0.0], "ST": [0.6, 1.0]})
    assert _sobol_caveat(fine) == []
    small_sample = pd.DataFrame({**names, "S1": [-0.47, 0.1], "ST": [1.32, 0.3]})
    assert "outside [0, 1]" in _sobol_caveat(small_sample)[0]
    first_above_total = pd.DataFrame({**names, "S1": [0.5, 0.1], "ST": [0.3, 0.12]})  # within [0, 1], and noise
    caveat = _sobol_caveat(first_above_total)
    assert len(caveat) == 2 and "**S1 exceeds ST** (voice_rate on misread_rate)" in caveat[0]


def test_the_printed_sobol_table_says_when_its_sample_is_too_small(capsys: pytest.CaptureFixture[str]) -> None:
    """A new user's Sobol' run printed S1 = -0.45 and ST = 1.77 and said nothing; only the report warned."""
    names = {"metric": ["misread_rate", "misread_rate"], "parameter": ["voice_rate", "risk_rate"]}
    conf = {"S1_conf": [0.5, 0.1], "ST_conf": [0.9, 0.2]}
    print_indices(pd.DataFrame({**names, **conf, "S1": [-0.47, 0.1], "ST": [1.32, 0.3]}), "sobol")
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == ["note: Some indices lie outside [0, 1], which shares of variance cannot: the sample is too small "
                     "for them to mean anything (raise samples in the file or with --samples; 512 or more is usual)."]
    print_indices(pd.DataFrame({**names, **conf, "S1": [0.2, 0.0], "ST": [0.6, 1.0]}), "sobol")
    assert "note:" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Whole-number parameters: Morris points the model sees exactly, or a one-line refusal


def write_whole_number_experiment(folder: Path, bounds: list[float], levels: int, method: str = "morris") -> Path:
    """An experiment varying ``policy.cycle_months`` (a whole number of months) over ``bounds``."""
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    data = {"name": "w", "seed": 5, "headcount": 100, "scenarios": {"baseline": "small.yaml"},
            "sensitivity": {"method": method, "samples": 4, "levels": levels,
                            "parameters": {"policy.cycle_months": bounds, "behaviour.voice_rate": [0.02, 0.4]}}}
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("levels", range(2, 12))
def test_morris_fractions_are_the_points_salib_samples(levels: int) -> None:
    """The check works from SALib's construction, so it must be SALib's: odd levels leave the textbook grid."""
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about odd levels
        x = morris_sample.sample(problem, 200, num_levels=levels, seed=1)
    assert np.allclose(sorted(set(np.round(x.ravel(), 9))), [float(f) for f in morris_fractions(levels)])


@pytest.mark.parametrize(("bounds", "levels", "hint"), [
    ([11, 12], 4, "points 11, 11.33, 11.67, 12; use whole bounds a multiple of 3 apart (e.g. [11, 14]), or levels 2"),
    ([1, 3], 4, "points 1, 1.667, 2.333, 3; use whole bounds a multiple of 3 apart (e.g. [1, 4]), or levels 2"),
    ([10.5, 13.5], 4, "points 10.5, 11.5, 12.5, 13.5; use whole bounds a multiple of 3 apart (e.g. [10, 13])"),
    ([6, 12], 3, "points 6, 10.5; use whole bounds a multiple of 4 apart (e.g. [6, 14]), or levels 4"),
])
def test_morris_refuses_a_whole_number_range_whose_points_would_be_rounded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bounds: list[float], levels: int, hint: str) -> None:
    """[11, 12] at 4 levels: SALib's step 11 -> 11.67 reaches the model as 11 -> 12, and mu* is 1.5x too large."""
    path = write_whole_number_experiment(tmp_path, bounds, levels)
    code = main(["experiment", "sensitivity", str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert "sensitivity.parameters.policy.cycle_months: a whole-number setting" in err
    assert f"levels {levels} has {hint}" in err and "--levels" not in err
    # Typed as --levels, the refusal names the option, not the file's key.
    write_whole_number_experiment(tmp_path, bounds, 6 if levels != 6 else 4)
    assert main(["experiment", "sensitivity", str(path), "--levels", str(levels), "--out", str(tmp_path / "out"),
                 "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert f"with --levels {levels} has {hint.replace('or levels', 'or --levels')}" in err, err
    # Sobol' samples are continuous anyway: rounding makes the model a step function of the input,
    # which its estimators handle, so the same ranges are accepted there.
    spec = load_experiment(path)
    assert build_sensitivity_design(spec, path, "sobol").extra["method"] == "sobol"


@pytest.mark.parametrize(("bounds", "levels"), [([11, 14], 4), ([6, 14], 3), ([11, 12], 2), ([2, 12], 6)])
def test_morris_on_a_whole_number_grid_measures_the_change_the_model_sees(tmp_path: Path, bounds: list[float],
                                                                         levels: int) -> None:
    """Every point is whole, so rounding changes nothing: for a model linear in the months, mu* is the slope
    times the range, exactly, as SALib's definition says."""
    path = write_whole_number_experiment(tmp_path, bounds, levels)
    design = build_sensitivity_design(load_experiment(path), path)
    x = np.asarray(design.extra["X"])[:, design.extra["problem"]["names"].index("policy.cycle_months")]
    seen = np.array([arm.parameters["policy.cycle_months"] for arm in design.arms], dtype=float)
    assert np.array_equal(seen, x)  # the model sees SALib's points, unrounded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = morris_analyze.analyze(design.extra["problem"], np.asarray(design.extra["X"]), 2.0 * seen,
                                    num_levels=levels, seed=1)
    mu_star = dict(zip(si["names"], si["mu_star"], strict=True))
    assert mu_star["policy.cycle_months"] == pytest.approx(2.0 * (bounds[1] - bounds[0]))
    assert mu_star["behaviour.voice_rate"] == pytest.approx(0.0)


def test_sobol_of_a_rounded_input_is_the_step_functions_exact_index() -> None:
    """Why Sobol' needs no whole-number rule: for y = round(x1) + x2 (x1 in [0, 3], x2 in [0, 1]) the
    estimate matches the step function's exact S1 = 11/12, with the ends 0 and 3 at half weight."""
    problem = {"num_vars": 2, "names": ["months", "rate"], "bounds": [[0.0, 3.0], [0.0, 1.0]]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = sobol_sample.sample(problem, 2**12, calc_second_order=False, seed=3)
        seen = np.array([coerce_like(round(float(v), 12), 12) for v in x[:, 0]], dtype=float)
        si = sobol_analyze.analyze(problem, seen + x[:, 1], calc_second_order=False, seed=3)
    var_months = 2 * (1.5**2 / 6 + 0.5**2 / 3)  # 0 and 3 with weight 1/6, 1 and 2 with 1/3: 11/12
    exact = var_months / (var_months + 1 / 12)
    assert si["S1"][0] == pytest.approx(exact, abs=0.01) and si["ST"][0] == pytest.approx(exact, abs=0.01)
    assert np.mean(seen == 0) == pytest.approx(1 / 6, abs=0.01)


def test_a_lever_parameter_at_its_default_is_known_to_be_whole(tmp_path: Path) -> None:
    """A review: `stretch_pilots: {}` spells out no parameter, so a Morris over its months was
    refused as "got 3.0" ([3, 6]) or not checked for whole points at all ([3, 4])."""
    (tmp_path / "s.yaml").write_text(
        f"extends: {BASELINE}\nname: s\nyears: 1\ninterventions:\n  stretch_pilots: {{}}\n")
    path = tmp_path / "e.yaml"

    def design(bounds: list[int]) -> object:
        path.write_text(yaml.safe_dump({"name": "e", "scenarios": {"baseline": "s.yaml"}, "headcount": 100,
                                        "sensitivity": {"samples": 2, "levels": 4, "parameters": {
                                            "interventions.stretch_pilots.months": bounds,
                                            "behaviour.voice_rate": [0.1, 0.2]}}}))
        return build_sensitivity_design(load_experiment(path), path)

    months = {arm.parameters["interventions.stretch_pilots.months"] for arm in design([3, 6]).arms}
    assert months and all(isinstance(m, int) for m in months)
    with pytest.raises(InputError, match=r"interventions\.stretch_pilots\.months: a whole-number setting"):
        design([3, 4])


def test_the_low_bound_of_mu_star_is_never_below_zero() -> None:
    """SALib's interval is mu* +- z sd(bootstrap): for scattered effects it reached below 0.

    mu* is a mean of absolute values, so a negative bound is impossible; it is cut at 0 and the
    high bound kept.
    """
    si = {"mu": np.array([-0.14, 0.3]), "mu_star": np.array([0.144, 0.3]), "mu_star_conf": np.array([0.211, 0.05]),
          "sigma": np.array([0.25, 0.02])}
    rows = pd.DataFrame(morris_rows("m", ["a", "b"], si)).set_index("parameter")
    assert rows.loc["a", "mu_star_low"] == 0.0
    assert rows.loc["a", "mu_star_high"] == pytest.approx(0.355)
    assert rows.loc["b", "mu_star_low"] == pytest.approx(0.25)
    assert rows.loc["a", "mu_star_conf"] == pytest.approx(0.211)  # SALib's own figure, as reported


def _values(table: dict[str, list[float]]) -> pd.DataFrame:
    """run_values' long frame for one metric: arm, replication, metric, value."""
    return pd.DataFrame([{"arm": arm, "replication": k, "metric": "m", "value": v}
                         for arm, row in table.items() for k, v in enumerate(row)])


def test_every_sample_point_is_averaged_over_the_same_replications() -> None:
    """Replication k shares its seed across points; a point averaged over other replications than
    the next one made the elementary effects the noise of which runs happened to be defined."""
    nan = float("nan")
    values = _values({"p0": [1.0, 0.2, 0.6], "p1": [nan, 0.4, 0.8], "p2": [0.5, 0.3, 0.7]})
    y, used, why = point_means(values, "m", ["p0", "p1", "p2"], 3)
    assert why == "" and used == 2
    np.testing.assert_allclose(y, [0.4, 0.6, 0.5])  # replications 1 and 2 only, at every point
    scattered = _values({"p0": [1.0, nan], "p1": [nan, 0.5]})
    assert point_means(scattered, "m", ["p0", "p1"], 2)[2].startswith("defined at every sample point in none")
    absent = _values({"p0": [1.0, 2.0], "p1": [nan, nan]})
    assert point_means(absent, "m", ["p0", "p1"], 2)[2] == "undefined or not yet run at 1 of 2 sample points"
    indices = pd.DataFrame({"metric": ["m", "m", "n"], "replications": [2, 2, 3]})
    assert _fewer_replications(indices, 3) == [
        "- m: over 2 of the 3 replications, those in which it is defined at every sample point (so that every "
        "point's mean is over the same seeds)", ""]


def test_a_set_that_a_sampled_parameter_replaces_is_named(tmp_path: Path) -> None:
    """The sampled values replace a set: of the same key at every point (a researcher trial): the file's
    set: still holds for `experiment run`, so it is not refused, but the analysis says it is not in force."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["set"] = {"behaviour.voice_rate": 0.3, "managers.prior_interest": 0.5}
    path.write_text(yaml.safe_dump(data))
    design = build_sensitivity_design(load_experiment(path), path, "morris")
    assert design.extra["replaced"] == ["behaviour.voice_rate (set: 0.3) is replaced by the sampled "
                                        "behaviour.voice_rate"]
    assert {a.parameters["behaviour.voice_rate"] for a in design.arms} != {0.3}


@pytest.mark.parametrize("method", ["morris", "sobol"])
@pytest.mark.parametrize(("bounds", "named"), [
    ([0.5, 1.5], "the high bound 1.5 does not fit scenario 'small': behaviour.voice_rate: must be from 0 to 1 "
                 "(got 1.5)"),
    ([-0.5, 0.5], "the low bound -0.5 does not fit scenario 'small': behaviour.voice_rate: must be from 0 to 1 "
                  "(got -0.5)"),
])
def test_a_bound_the_scenario_does_not_allow_is_named_not_a_sample_point(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str, bounds: list[float], named: str) -> None:
    """A share's range [0.5, 1.5] was refused at 'behaviour.voice_rate=1.166666666667' (a researcher trial),
    a point SALib drew, not the bound written; Sobol' points never reach the bounds at all."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sensitivity"]["parameters"]["behaviour.voice_rate"] = bounds
    path.write_text(yaml.safe_dump(data))
    code = main(["experiment", "sensitivity", str(path), "--method", method, "--out", str(tmp_path / "out"),
                 "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert f"{path}: sensitivity.parameters.behaviour.voice_rate: {named}\n" in err


def test_a_switch_is_refused_as_a_switch_not_as_a_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """[0, 1] on a true/false setting was refused as "the low bound 0 ... (got 0.0)" (a researcher trial):
    the bound was not the problem, the setting was, and the line says what to do instead."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sensitivity"]["parameters"]["managers.heuristics.silence_as_disinterest"] = [0, 1]
    path.write_text(yaml.safe_dump(data))
    code = main(["experiment", "sensitivity", str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert (f"{path}: sensitivity.parameters.managers.heuristics.silence_as_disinterest: a switch (true/false) in "
            "scenario 'small', not a number: Morris and Sobol' sample numbers between two bounds; to compare a "
            "switch's two settings, use `promosim experiment run`") in err


def test_an_unknown_parameter_is_named_without_a_bound(tmp_path: Path) -> None:
    """A misspelt key is wrong whatever the bound, so the line does not blame one."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sensitivity"]["parameters"]["behaviour.voice_rat"] = data["sensitivity"]["parameters"].pop(
        "behaviour.voice_rate")
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        build_sensitivity_design(load_experiment(path), path, "morris")
    assert caught.value.path == "sensitivity.parameters.behaviour.voice_rat"
    assert caught.value.detail.startswith("scenario 'small': behaviour.voice_rat: unknown key 'voice_rat' (did "
                                          "you mean 'voice_rate'?)")


def test_sensitivity_md_and_experiment_json_say_the_horizon_and_the_sets(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """sensitivity.md gave neither years, headcount nor the set: every point ran with, and experiment.json
    recorded the experiment's set as {} (a researcher trial): the numbers could not be re-run from them.
    The file's grid, which sensitivity does not use, was not in force without a word."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data.update(years=1, set={"warmup_months": 3, "behaviour.voice_rate": 0.3}, grid={"exits.base_monthly": [0.01]})
    data["scenarios"] = {"baseline": {"file": "small.yaml", "set": {"managers.prior_interest": 0.5}}}
    data["sensitivity"]["metrics"] = ["misread_rate"]
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["experiment", "sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert ("note: the file's grid (exits.base_monthly) is for experiment run; experiment sensitivity varies only "
            "sensitivity.parameters") in capsys.readouterr().err
    report = (out / "sensitivity.md").read_text()
    assert "- Years simulated: 1; headcount: 100\n" in report
    assert "- Every sample point also with the experiment's set: `warmup_months=3`\n" in report
    assert "- Every sample point also with the scenario's own set: `managers.prior_interest=0.5`\n" in report
    assert "- Not in force: behaviour.voice_rate (set: 0.3)" in report  # replaced, so not listed as in force
    stored = json.loads((out / "experiment.json").read_text())
    assert stored["set"] == {"warmup_months": 3, "behaviour.voice_rate": 0.3}
    assert {arm["set"]["managers.prior_interest"] for arm in stored["arms"]} == {0.5}


def test_a_parameter_that_changed_no_run_is_named(tmp_path: Path) -> None:
    """A range over a key the model does not read here (level 0's hire share: every entry is hired) gave rows of
    zeros that read as "not influential" (a researcher's trial); sensitivity.md now says no run changed with it."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sensitivity"]["parameters"]["organisation.levels.0.hire_share"] = [0.2, 0.8]
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["experiment", "sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    report = (out / "sensitivity.md").read_text()
    assert ("- `organisation.levels.0.hire_share` changed no metric at any sample point (every mu_star exactly 0)"
            in report)
    assert "`behaviour.voice_rate` changed no metric" not in report


def test_a_lever_that_a_sampled_parameter_switches_on_is_said(tmp_path: Path) -> None:
    """Sampling interventions.mentoring.coverage on a baseline without mentoring switches mentoring on at every
    point, while sensitivity.md said only "scenario varied: baseline" (a researcher trial)."""
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sensitivity"]["parameters"]["interventions.career_conversations.coverage"] = [0.2, 0.8]
    data["sensitivity"]["metrics"] = ["misread_rate"]
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["experiment", "sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert ("- Lever on at every sample point: career_conversations (switched on by the sampled "
            "interventions.career_conversations.coverage; the varied scenario does not have it on)\n"
            ) in (out / "sensitivity.md").read_text()
    design = build_sensitivity_design(load_experiment(path), path, "morris")
    assert all("career_conversations" in arm.content["interventions"] for arm in design.arms)
