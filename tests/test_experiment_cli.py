"""``promosim compare`` and ``promosim experiment``: outputs, re-runs, grids, help and quiet output."""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import BASELINE, NO_PLOTS, ROOT, SCENARIOS, run_cli
from scipy import stats

from sim.cli import main
from sim.errors import InputError
from sim.experiment import executor
from sim.experiment.cli import dask_address
from sim.experiment.design import build_design, load_experiment
from sim.experiment.progress import NoProgress, RichProgress, make_progress, reporting
from sim.experiment.report import lever_in_words
from sim.experiment.store import ResultStore
from sim.interventions import REGISTRY


def write_scenarios(folder: Path) -> tuple[Path, Path]:
    small = folder / "small.yaml"
    small.write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    random = folder / "random.yaml"
    random.write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    return small, random


def test_compare_writes_effects_report_plots_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_scenarios(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["compare", "small.yaml", "random.yaml", "--replications", "4", "--headcount", "120", "--seed", "3",
            "--metrics", "promotions,misread_rate", "--workers", "1"]
    assert main(args) == 0
    captured = capsys.readouterr()
    out = tmp_path / "results" / "compare"
    assert "2 arms x 4 replications = 8 runs" in captured.err
    # The plain table: metrics by name with which way is better, a verdict per variant, and where to read more.
    printed = captured.out.splitlines()
    assert "promotions" in captured.out and "misread rate" in captured.out and "random" in captured.out
    assert "lower is better" in captured.out and "verdict" in captured.out and "CI vs unpaired" not in captured.out
    assert max(map(len, printed[:-2])) <= 100  # the table and its legend; then the paths
    assert printed[-2].startswith("wrote ") and printed[-1] == (
        f"read {Path('results') / 'compare' / 'report.md'}: each variant at a glance and its verdicts in plain words, "
        "with what the metrics mean")
    effects = pd.read_csv(out / "effects.csv")
    assert list(effects["metric"]) == ["promotions", "misread_rate"]
    assert (effects["n"] == 4).all()
    # Each arm's means beside the differences: the same means as the effects', with their own intervals.
    means = pd.read_csv(out / "means.csv")
    assert list(means.columns) == ["metric", "arm", "mean", "ci_low", "ci_high", "n", "dropped", "confidence", "sd",
                                   "clipped"]
    assert list(zip(means["metric"], means["arm"], strict=True)) == [
        ("promotions", "small"), ("promotions", "random"), ("misread_rate", "small"), ("misread_rate", "random")]
    pairs = effects.set_index("metric")
    assert means.set_index(["metric", "arm"])["mean"].tolist() == pytest.approx(
        [pairs.loc[m, column] for m in ("promotions", "misread_rate") for column in ("baseline_mean", "variant_mean")])
    assert ((means["ci_low"] <= means["mean"]) & (means["mean"] <= means["ci_high"])).all()
    for name in ("report.md", "forest.png", "trajectories.png", "experiment.json", "metadata.json",
                 "scenarios/small.yaml", "scenarios/random.yaml"):
        assert (out / name).exists(), name
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["command"].startswith("promosim compare small.yaml random.yaml --replications 4")
    assert meta["seed"] == 3 and meta["packages"]["mesa"]
    report = (out / "report.md").read_text()
    assert "Command: `promosim compare small.yaml random.yaml" in report
    assert "- Years simulated: 1 (each scenario's own); headcount: 120\n" in report  # not "each scenario's own" alone

    # The same command again: nothing re-runs, the numbers stay; the report names this invocation.
    assert main([*args, "--quiet"]) == 0
    # Nothing but the warning the table would have carried: 4 pairs are few for its verdicts.
    err = capsys.readouterr().err
    assert err.startswith("note: 4 pairs of runs are few for these verdicts") and err.count("\n") == 1, err
    assert len(ResultStore(out).runs()) == 8
    pd.testing.assert_frame_equal(pd.read_csv(out / "effects.csv"), effects)
    report = (out / "report.md").read_text()
    assert "8 of the 8 runs were made before the command above" in report
    # And the report can be rebuilt from the folder alone.
    (out / "report.md").unlink()
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert (out / "report.md").read_text() == report
    assert "read " not in capsys.readouterr().out  # --quiet: the "wrote" line alone, for scripts
    # --full: every statistic, as researchers read them.
    assert main(["experiment", "report", str(out), "--full"]) == 0
    full = capsys.readouterr().out
    assert "misread_rate" in full and "CI vs unpaired" in full and "lower is better" not in full
    assert full.splitlines()[-1].startswith(f"read {out / 'report.md'}: ")
    # ... or for other metrics: every summary metric is in the store.
    assert main(["experiment", "report", str(out), "--quiet", "--metrics", "attrition_rate"]) == 0
    assert list(pd.read_csv(out / "effects.csv")["metric"]) == ["attrition_rate"]
    # ... but only for groups the folder's scenarios have: another would be a row without numbers.
    capsys.readouterr()
    metrics = "attrition_rate,representation_ratio.womn"
    assert main(["experiment", "report", str(out), "--quiet", "--metrics", metrics]) == 2
    assert capsys.readouterr().err == (
        "promosim experiment: command line: --metrics: unknown group 'womn' in metric 'representation_ratio.womn' "
        "(did you mean 'representation_ratio.women'?); groups: men, women\n")
    assert list(pd.read_csv(out / "effects.csv")["metric"]) == ["attrition_rate"]
    # ... and a metric no run computed (no level weights): its report of empty rows was written over the folder's.
    assert main(["experiment", "report", str(out), "--quiet", "--metrics", "global_efficiency"]) == 2
    assert capsys.readouterr().err.startswith(
        "promosim experiment: command line: --metrics: 'global_efficiency' is computed only when "
        "metrics.level_weights is set")
    assert list(pd.read_csv(out / "effects.csv")["metric"]) == ["attrition_rate"]
    # Names run together with a semicolon or a space were blamed on a group ("unknown group 'women; ...'").
    for metrics, apart in (("attrition_rate; top_share.women", "attrition_rate,top_share.women"),
                           ("attrition_rate misread_rate", "attrition_rate,misread_rate")):
        with pytest.raises(SystemExit, match="2"):
            main(["experiment", "report", str(out), "--quiet", "--metrics", metrics])
        err = capsys.readouterr().err
        assert err.splitlines()[-1].endswith(f"'{metrics}': separate metric names with commas, e.g. {apart} "
                                             "(see --help)"), err


def test_experiment_run_with_a_grid_pairs_each_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_scenarios(tmp_path)
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump({
        "name": "grid", "seed": 1, "replications": 3, "headcount": 100, "metrics": ["promotions"],
        "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]},
        "grid": {"behaviour.voice_rate": [0.05, 0.3]}, "timeseries": "none",
    }))
    out = tmp_path / "out"
    assert main(["experiment", "run", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    effects = pd.read_csv(out / "effects.csv").set_index("variant")
    assert set(effects.index) == {"small[voice_rate=0.3]", "random[voice_rate=0.05]", "random[voice_rate=0.3]"}
    assert effects.loc["random[voice_rate=0.3]", "baseline"] == "small[voice_rate=0.3]"
    assert effects.loc["small[voice_rate=0.3]", "baseline"] == "small[voice_rate=0.05]"
    assert effects.loc["random[voice_rate=0.05]", "parameters"] == "behaviour.voice_rate=0.05"
    runs = ResultStore(out).runs()
    assert set(runs["parameters"]) == {'{"behaviour.voice_rate":0.05}', '{"behaviour.voice_rate":0.3}'}
    assert not (out / "timeseries").exists()
    assert (out / "forest.png").exists() and not (out / "trajectories.png").exists()
    # Each row says what it is compared with: the baselines differ from row to row.
    report = (out / "report.md").read_text()
    assert "| promotions | small[voice_rate=0.3] vs small[voice_rate=0.05] |" in report
    assert "| promotions | random[voice_rate=0.3] vs small[voice_rate=0.3] |" in report
    assert main(["experiment", "report", str(out)]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    # A long label breaks between its parts (report.label_lines): "... vs" / "small[...]" read as two rows.
    at = next(i for i, line in enumerate(lines) if line.startswith("small[voice_rate=0.3] "))
    assert lines[at + 1] == "vs small[voice_rate=0.05]", lines[at:at + 2]


def test_the_command_line_can_shrink_an_experiment_for_a_trial(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """--replications, --years, --headcount and --seed replace the file's values, and the report's command says so."""
    write_scenarios(tmp_path)
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"name": "big", "replications": 30, "years": 10, "headcount": 5000, "seed": 4,
                                    "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]}}))
    out = tmp_path / "out"
    argv = ["experiment", "run", str(path), "--replications", "2", "--years", "0.5", "--headcount", "60",
            "--out", str(out), "--workers", "1", "--quiet", *NO_PLOTS]
    assert main(argv) == 0
    assert main([*argv, "--seed", "11"]) == 0  # a second, independent set of replications
    capsys.readouterr()
    design = json.loads((out / "experiment.json").read_text())
    assert (design["replications"], design["years"], design["headcount"], design["seed"]) == (2, 0.5, 60, 11)
    runs = ResultStore(out).runs()
    assert len(runs) == 2 * 2 * 2 and (runs["status"] == "ok").all()
    assert runs.groupby("arm")["seed"].nunique().eq(4).all()  # the file's seed's two, then --seed's two
    assert "--replications 2 --years 0.5 --headcount 60 --seed 11" in (out / "report.md").read_text()
    with pytest.raises(SystemExit) as stopped:  # argparse's own exit: the option is named, not the file's key
        main([*argv[:3], "--years", "200", "--out", str(tmp_path / "o2"), "--quiet"])
    assert stopped.value.code == 2
    assert "argument --years: must be at most 100 years, got 200" in capsys.readouterr().err


def test_a_changed_design_in_the_same_folder_reports_only_its_own_runs(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    small, random = write_scenarios(tmp_path)
    out = tmp_path / "out"
    common = ["--headcount", "100", "--workers", "1", "--quiet", "--out", str(out), "--metrics",
              "promotions,promotion_stick_rate", *NO_PLOTS]
    assert main(["compare", str(small), str(random), "--replications", "3", *common]) == 0
    assert main(["compare", str(small), str(random), "--replications", "2", "--seed", "9", *common]) == 0
    capsys.readouterr()
    assert len(ResultStore(out).runs()) == 6 + 4
    effects = pd.read_csv(out / "effects.csv").set_index("metric")
    assert effects.loc["promotions", "n"] == 2
    assert (effects["n"] + effects["dropped"] == 2).all()


def test_the_report_gives_the_command_that_wrote_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trial in a copy of a finished folder makes no runs; its report still gives its own command."""
    small, random = write_scenarios(tmp_path)
    first, trial = tmp_path / "out w1", tmp_path / "w1c3"
    common = ["--headcount", "100", "--workers", "1", "--quiet", "--metrics", "promotions", *NO_PLOTS]
    assert main(["compare", str(small), str(random), "--replications", "3", "--out", str(first), *common]) == 0
    shutil.copytree(first, trial)
    assert main(["compare", str(small), str(random), "--replications", "2", "--out", str(trial), *common]) == 0
    capsys.readouterr()
    report = (trial / "report.md").read_text()
    command = json.loads((trial / "metadata.json").read_text())["command"]
    assert "--replications 2" in command and str(trial) in command
    assert "Replications: 2 per arm" in report and f"- Command: `{command}`" in report
    assert str(first) not in report
    assert ("- Runs also from 1 earlier session (see `sessions.jsonl`): 4 of the 4 runs were made before the "
            "command above") in report
    # The folder it was copied from made its own runs: no such line.
    assert "earlier session" not in (first / "report.md").read_text()


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def test_help_lists_the_commands_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert "compare" in help_text(capsys) and "experiment" in help_text(capsys)
    text = help_text(capsys, "compare")
    for option in ("--replications", "--years", "--out", "--workers", "--dask-address", "--dask-local", "--quiet",
                   "--retry-failed", "--headcount", "--seed", "--metrics", "--full", "--confidence LEVEL"):
        assert option in text
    for action in ("run", "sensitivity", "report"):  # whatever reports intervals reports them at a chosen level
        assert "--confidence LEVEL" in help_text(capsys, "experiment", action)
    for action in ("run", "report"):  # whatever prints the effects table can print all of it
        assert "--full" in help_text(capsys, "experiment", action)
    assert "--full" not in help_text(capsys, "experiment", "sensitivity")
    text = help_text(capsys, "experiment")
    for action in ("run", "sensitivity", "report", "validate"):
        assert action in text
    text = help_text(capsys, "experiment", "sensitivity")
    assert "--method" in text and "morris" in text
    assert "--samples N" in text and "--levels L" in text  # the sample's size, as --replications is the runs'
    assert "--samples" not in help_text(capsys, "experiment", "run")  # run samples nothing


@pytest.mark.parametrize(("prog", "command"), [
    ("compare", ["compare", "a", "b"]), ("experiment run", ["experiment", "run", "e.yaml"]),
    ("experiment sensitivity", ["experiment", "sensitivity", "e.yaml"]),
    ("experiment report", ["experiment", "report", "folder"]),
])
@pytest.mark.parametrize(("level", "said"), [
    ("95", "got 95 (for 95%, write 0.95)"), ("90%", "got 90% (for 90%, write 0.9)"), ("0", "got 0"), ("1", "got 1"),
    ("1.5", "got 1.5"), ("nan", "got nan"), ("abc", "expected a level strictly between 0 and 1, e.g. 0.9 or 0.99, "
                                                   "got 'abc'"),
])
def test_a_confidence_level_out_of_range_is_one_line(prog: str, command: list[str], level: str, said: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--confidence", level])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"promosim {prog}: error: argument --confidence: ")
    assert err.endswith(f"{said} (see --help)\n") and "strictly between 0 and 1" in err, err


def test_a_report_at_another_confidence_level_is_recorded_and_rebuilt_as_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A paper's 90% intervals: the level is in the command, the report, effects.csv and the printed table; a
    rebuilt report keeps the runs' level unless asked for another, and then names the command that asked."""
    write_scenarios(tmp_path)
    monkeypatch.chdir(tmp_path)
    common = ["--replications", "3", "--headcount", "80", "--metrics", "promotions,misread_rate", "--workers", "1",
              *NO_PLOTS]
    assert main(["compare", "small.yaml", "random.yaml", *common, "--out", "at90", "--confidence", "0.9"]) == 0
    printed = capsys.readouterr().out
    assert "change [90% CI]" in printed and "95%" not in printed
    out = tmp_path / "at90"
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["confidence"] == 0.9 and "--confidence 0.9 " in meta["command"]
    written = (out / "report.md").read_text()
    assert f"- Command: `{meta['command']}`" in written and "Confidence level: 90%" in written
    assert "95%" not in written and set(pd.read_csv(out / "effects.csv")["confidence"]) == {0.9}
    # Rebuilt without --confidence: the runs' own report again, word for word.
    assert main(["experiment", "report", "at90", "--quiet"]) == 0
    assert (out / "report.md").read_text() == written
    # At another level: that level, and the command that asked for it.
    assert main(["experiment", "report", "at90", "--confidence", "0.99", "--quiet"]) == 0
    rebuilt = (out / "report.md").read_text()
    assert "90%" not in rebuilt and "Confidence level: 99%" in rebuilt and "| 99% CI |" in rebuilt
    assert (f"- Report made by: `promosim experiment report at90 --confidence 0.99`, run in `{tmp_path}`, from the "
            "stored runs") in rebuilt
    at99 = pd.read_csv(out / "effects.csv")
    assert set(at99["confidence"]) == {0.99}
    # The default level is not written into the command; a report at it says 95%.
    assert main(["compare", "small.yaml", "random.yaml", *common, "--out", "at95", "--quiet"]) == 0
    assert "--confidence" not in json.loads((tmp_path / "at95" / "metadata.json").read_text())["command"]
    at95 = pd.read_csv(tmp_path / "at95" / "effects.csv")
    assert "Confidence level: 95%" in (tmp_path / "at95" / "report.md").read_text()
    # The same runs (the same seeds): wider intervals the higher the level.
    pd.testing.assert_series_equal(at95["diff"], at99["diff"])
    assert ((at95["ci_high"] - at95["ci_low"]) < (at99["ci_high"] - at99["ci_low"])).all()


def test_executor_options_are_exclusive_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["compare", "a", "b", "--workers", "2", "--dask-local", "2"],
                 ["compare", "a", "b", "--workers", "0"],
                 ["compare", "a", "b", "--dask-address", "not an address"],
                 ["compare", "a", "b", "--metrics", "misread_rte"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("promosim compare: error:"), err


def test_a_dask_address_that_no_scheduler_can_have_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The dashboard's address (http://HOST:8787, what the browser shows) passed the check and
    ended in Dask's traceback ("unknown address scheme 'http'"), leaving the plan in a new --out."""
    for address, said in (("http://127.0.0.1:8787", "is a web address (the dashboard's?)"),
                          ("foo://h:1", "unknown scheme 'foo://'"),
                          ("tcp://127.0.0.1:99999", "port 99999 in 'tcp://127.0.0.1:99999' is not a port")):
        with pytest.raises(SystemExit) as exc:
            main(["compare", "a", "b", "--dask-address", address])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err, err
    for address in ("tcp://10.0.0.5:8786", "10.0.0.5:8786", "tls://[::1]:8786", "ws://host-1.example:80"):
        assert dask_address(address) == address


def test_an_out_folder_that_cannot_be_made_is_the_only_line(tmp_path: Path) -> None:
    """It used to follow the plan line ("compare: 2 arms x ... runs -> FILE"), two lines for one error."""
    taken = tmp_path / "acme.yaml"
    taken.write_text("name: acme\n")
    done = run_cli("compare", BASELINE, "mentoring", "--replications", "2", "--out", taken)
    assert done.returncode == 2
    assert done.stderr == f"promosim compare: {taken}: cannot create output folder (File exists)\n"


def test_an_out_folder_that_takes_no_files_is_the_only_line() -> None:
    """An existing folder nothing can be written in (a shared results folder) passed ``mkdir`` and
    failed with a traceback after the plan line."""
    done = run_cli("compare", BASELINE, "mentoring", "--replications", "2", "--out", "/proc")
    assert done.returncode == 2
    assert done.stderr.startswith("promosim compare: /proc: cannot write in output folder (")
    assert done.stderr.count("\n") == 1


def test_another_design_in_the_same_folder_is_said(tmp_path: Path) -> None:
    """A slip in --out replaced a 72-run sweep's report without a word (a researcher trial)."""
    out = tmp_path / "out"
    first = run_cli("compare", BASELINE, "mentoring", "--replications", "2", "--years", "1", "--headcount", "60",
                    "--out", out, "--workers", "1", *NO_PLOTS)
    assert first.returncode == 0 and "note:" not in first.stderr
    again = run_cli("compare", BASELINE, "mentoring", "--replications", "2", "--years", "1", "--headcount", "60",
                    "--out", out, "--workers", "1", *NO_PLOTS)
    assert again.returncode == 0 and "note:" not in again.stderr  # the same design resumed: nothing to say
    alone = run_cli("compare", BASELINE, "mentoring", "--replications", "1", "--years", "1", "--headcount", "60",
                    "--out", tmp_path / "alone", "--workers", "1", *NO_PLOTS)
    # Said under the verdicts it is about (few_pairs_note), not before the runs as well.
    assert alone.returncode == 0 and "note: 1 pair of runs gives no confidence intervals" in alone.stdout
    assert "note:" not in alone.stderr
    other = run_cli("compare", BASELINE, "stretch_pilots", "--replications", "2", "--years", "1", "--headcount",
                    "60", "--out", out, "--workers", "1", *NO_PLOTS)
    assert other.returncode == 0
    notes = [line for line in other.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, other.stderr
    assert "baseline, mentoring); its report, effects and plots are replaced by" in notes[0]
    assert "baseline, stretch_pilots); its runs are kept" in notes[0]


def test_the_baseline_alone_says_there_is_nothing_to_compare(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """experiments/sensitivity.yaml under experiment run (its baseline alone) printed an empty effects table, then
    "read report.md: each variant at a glance ...", and report.md said "Nothing to summarise yet"."""
    path = tmp_path / "alone.yaml"
    path.write_text("name: alone\nreplications: 2\nyears: 0.25\nheadcount: 60\nscenarios: {baseline: baseline}\n")
    out = tmp_path / "out"
    assert main(["experiment", "run", str(path), "--out", str(out), "--workers", "1", *NO_PLOTS]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (f"alone: nothing to compare: one arm, baseline, and no variant, so no paired "
                                       "change and no verdict; each metric's mean over its runs is below, each run's "
                                       f"values are in {out / 'summaries'}")
    assert "paired effects" not in printed and "each variant at a glance" not in printed
    report = (out / "report.md").read_text()
    assert "Nothing to compare: the design has one arm, baseline, and no variant" in report
    assert "yet" not in report.split("## What was run")[0] and "No effects: the design has no variant." in report
    assert "monthly means under *Plots*" not in report  # --figures none: there are none to point to
    # It reported only its trajectories: each metric's mean with its interval, the same in both places.
    values = ResultStore(out).summaries().query("metric == 'misread_rate'")["value"].to_numpy()
    half = stats.t.ppf(0.975, 1) * values.std(ddof=1) / 2**0.5
    decimals = 1 - math.floor(math.log10(half))
    cut = bool(values.mean() - half < 0)  # a share's interval stops at 0 (two runs' t multiplier is 12.7)
    bounds = (values.mean(), max(values.mean() - half, 0.0), min(values.mean() + half, 1.0))
    mean, low, high = (f"{x:.{decimals}f}" for x in bounds)
    assert f"| misread rate | `misread_rate` | {mean} | {low} to {high}{' (cut)' * cut} | 2 |" in report
    assert re.search(rf"\n misread rate +{re.escape(f'{mean} [{low}, {high}]' + '*' * cut)} +2 \n", printed), printed
    # The same numbers in means.csv, beside effects.csv (which has none for one arm).
    means = pd.read_csv(out / "means.csv").set_index("metric")
    assert means.loc["misread_rate", ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx(bounds)
    assert (means["arm"] == "baseline").all() and means.loc["misread_rate", "n"] == 2
    assert "alone: baseline, mean over 2 runs" in printed and "### What the metrics mean" in report
    assert main(["experiment", "report", str(out)]) == 0
    assert capsys.readouterr().out.startswith("alone: nothing to compare: one arm, baseline")


def notes_but_few_pairs(err: str) -> list[str]:
    """The ``note:`` lines of ``err`` but the few-pairs warning, said under --quiet below 10 pairs of runs."""
    return [line for line in err.splitlines() if line.startswith("note:") and "pairs of runs are few" not in line]


def test_a_trial_of_the_same_arms_into_the_experiments_folder_is_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trial with fewer replications and years, into the folder of the full comparison, replaced its
    report, effects and plots without a word: the note looked at the design's name and arms only."""
    out = tmp_path / "out"
    small = ["compare", str(BASELINE), "mentoring", "--headcount", "60", "--out", str(out), "--workers", "1", "--quiet",
             *NO_PLOTS]
    assert main([*small, "--replications", "2", "--years", "0.5"]) == 0
    assert main([*small, "--replications", "3", "--years", "0.5"]) == 0  # extended: the report counts every run
    assert notes_but_few_pairs(capsys.readouterr().err) == []
    assert main([*small, "--replications", "2", "--years", "0.25"]) == 0
    notes = notes_but_few_pairs(capsys.readouterr().err)
    assert notes == [f"note: {out} held experiment 'compare' with replications 3, years 0.5; its report, effects "
                     "and plots are replaced by this run's, with replications 2, years 0.25; its runs are kept (run "
                     "its command again to report it)"]
    assert main([*small, "--replications", "2", "--years", "0.25", "--seed", "9"]) == 0
    err = capsys.readouterr().err
    assert "with seed 1; its report, effects and plots are replaced by this run's, with seed 9;" in err


def test_a_lever_whose_defaults_do_not_fit_says_how_to_set_its_parameters(tmp_path: Path) -> None:
    """Groups named female/male: --levers mentoring (aimed at 'women' by default) named an internal key
    path, and nothing said that --levers takes each lever's defaults (an org-design trial)."""
    text = Path(BASELINE).read_text(encoding="utf-8").replace("- name: men\n", "- name: male\n")
    acme = tmp_path / "acme.yaml"
    acme.write_text(text.replace("- name: women\n", "- name: female\n"), encoding="utf-8")
    done = run_cli("compare", acme, "--levers", "mentoring", "--replications", "2", "--out", tmp_path / "out")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("promosim compare: command line: --levers mentoring: group 'women' does not exist")
    assert "scenarios.variants" not in done.stderr
    assert "set a lever's parameters as --levers NAME:KEY=VALUE, e.g. mentoring:group=..." in done.stderr
    # ... which then runs, and a value out of range names the lever as typed.
    done = run_cli("compare", acme, "--levers", "mentoring:group=female:coverage=1.5", "--replications", "2",
                   "--out", tmp_path / "out")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("promosim compare: command line: --levers mentoring:group=female:coverage=1.5: ")
    assert "coverage" in done.stderr
    assert "set a lever's parameters" not in done.stderr  # they were set: how to set them is no news


def test_a_mistake_is_said_before_the_report_s_libraries_load(tmp_path: Path) -> None:
    """The report's modules (scipy.stats, matplotlib) were imported before the scenario was read, so a typo
    took seconds more to be said than the check itself (6.7 s against 3.1 s on a busy machine)."""
    code = ("import sys\nfrom sim.cli import main\n"
            "code = main(['compare', 'baseline', '--levers', 'mentorin', '--out', sys.argv[1]])\n"
            "print(code, sorted(m for m in ('sim.experiment.report', 'matplotlib') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.stdout == "2 []\n", done.stderr
    assert "unknown intervention 'mentorin'" in done.stderr


def test_a_lever_refused_for_the_file_s_columns_does_not_point_to_its_parameters(tmp_path: Path) -> None:
    """An org-design trial's one-ladder file without a track column: --levers parallel_ladders said to map
    the track column or leave the lever off, then "set a lever's parameters as ...", which no parameter fixes."""
    (tmp_path / "hr.csv").write_text("Emp No,Grade,Reports To\nH1,L3,\nM1,L2,H1\nS1,L1,M1\nS2,L1,M1\n",
                                     encoding="utf-8")
    (tmp_path / "org.yaml").write_text(
        "extends: baseline\nname: org\nwarmup_months: 0\norganisation:\n  levels:\n"
        "    - {name: Staff, positions: {specialist: 20}, hire_share: 1.0}\n"
        "    - {name: Manager, positions: {management: 6}}\n    - {name: Head, positions: {management: 2}}\n"
        "  source:\n    file: hr.csv\n    columns: {id: Emp No, level: Grade, manager: Reports To}\n"
        "    values: {level: {L1: Staff, L2: Manager, L3: Head}}\n", encoding="utf-8")
    done = run_cli("compare", tmp_path / "org.yaml", "--levers", "parallel_ladders", "--replications", "2",
                   "--out", tmp_path / "out")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "missing required column 'track'" in done.stderr and "parallel_ladders made the second track" in done.stderr
    assert "set a lever's parameters" not in done.stderr, done.stderr


def test_levers_with_parameters_compare_doses_on_ones_own_organisation(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """--levers took each lever's defaults only: mentoring on groups named female/male took a variant file."""
    text = Path(BASELINE).read_text(encoding="utf-8").replace("- name: men\n", "- name: male\n")
    acme = tmp_path / "acme.yaml"
    acme.write_text(text.replace("- name: women\n", "- name: female\n"), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["compare", str(acme), "--levers", "mentoring:group=female, mentoring:group=female:coverage=0.6",
                 "--replications", "2", "--years", "1", "--headcount", "100", "--workers", "1", "--quiet",
                 "--metrics", "hidden_ambition_rate,intervention_cost", "--out", str(out), *NO_PLOTS])
    assert code == 0, capsys.readouterr().err
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["variant"]) == {"mentoring_group_female", "mentoring_group_female_coverage_0.6"}
    resolved = yaml.safe_load((out / "scenarios" / "mentoring_group_female_coverage_0.6.yaml").read_text())
    assert resolved["interventions"]["mentoring"]["group"] == "female"
    assert resolved["interventions"]["mentoring"]["coverage"] == 0.6
    report = (out / "report.md").read_text()
    # The group it mentors, by name: an HR user's VP could not tell "an under-represented group" meant women.
    assert ("Mentoring (group female, coverage 0.6), switched on in acme: mentors for an under-represented group, "
            "here female, surface") in report
    assert "--levers mentoring:group=female,mentoring:group=female:coverage=0.6" in report  # how to repeat it
    cost = effects.set_index(["variant", "metric"])["variant_mean"]
    assert cost["mentoring_group_female_coverage_0.6", "intervention_cost"] > \
        1.5 * cost["mentoring_group_female", "intervention_cost"]  # twice the mentees, about twice the hours


def test_compare_set_changes_every_arm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Which levels count as the top took a variant file per arm (an org-design trial): --set changes
    the baseline and every variant alike, as an experiment file's set: does."""
    out = tmp_path / "out"
    code = main(["compare", str(BASELINE), "--levers", "mentoring", "--set", "metrics.key_levels=3",
                 "--replications", "2", "--years", "1", "--headcount", "100", "--workers", "1", "--quiet",
                 "--metrics", "representation_ratio.women", "--out", str(out), *NO_PLOTS])
    assert code == 0, capsys.readouterr().err
    for label in ("baseline", "mentoring"):
        assert yaml.safe_load((out / "scenarios" / f"{label}.yaml").read_text())["metrics"]["key_levels"] == 3
    report = (out / "report.md").read_text()
    assert "Every scenario also with the experiment's set: `metrics.key_levels=3`" in report
    assert "the top 3 of 6 levels" in report
    assert "--levers mentoring --set metrics.key_levels=3 --figures none`" in report
    # A lever's --set runs in the baseline too, which a note says (it read as the arm's own).
    assert main(["compare", str(BASELINE), "--levers", "career_conversations", "--set",
                 "interventions.mentoring.coverage=0.5", "--replications", "2", "--years", "1", "--headcount", "100",
                 "--workers", "1", "--quiet", "--metrics", "misread_rate", "--out", str(tmp_path / "both"),
                 *NO_PLOTS]) == 0
    assert ("note: --set interventions.mentoring.coverage applies to every arm, the baseline too: mentoring runs in "
            "all of them") in capsys.readouterr().err
    # A misspelt lever is an error, with no note that it runs in every arm above it.
    assert main(["compare", str(BASELINE), "--levers", "career_conversations", "--set",
                 "interventions.mentorin.coverage=0.5", "--out", str(tmp_path / "typo")]) == 2
    err = capsys.readouterr().err
    assert "unknown intervention 'mentorin'" in err and "note:" not in err, err
    # A set: of every lever at once takes the variant's away: named, not "a value already in force".
    assert main(["compare", str(BASELINE), str(SCENARIOS / "mentoring.yaml"), "--set", "interventions={}",
                 "--out", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "set: interventions (--set in compare) replaces the levers of every arm" in err, err
    # A group renamed by --set: the lever's own default group is missing, and the baseline's file is
    # not "another organisation" (it said so, comparing the file as written with the renamed groups).
    assert main(["compare", str(BASELINE), "--levers", "mentoring", "--set", "groups.1.name=woman", "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "group 'women' does not exist; groups: men, woman" in err and "another organisation" not in err, err
    # A bad key or value is named as typed, in one line.
    for setting, words in (("metrics.key_levelz=3", "--set: metrics.key_levelz: unknown key 'key_levelz' (did you "
                                                    "mean 'key_levels'?)"),
                           ("metrics.key_levels=abc", "--set: metrics.key_levels: must be a whole number"),
                           # YAML reads an unquoted date as one; it was shown as datetime.date(2024, 1, 31).
                           ("description=2024-01-31", "--set: description: must be text (got "
                                                      "2024-01-31); YAML reads it as a date: quote it ('2024-01-31') "
                                                      "for text"),
                           # It would set mentoring in the baseline too, and --levers reset its arm to the defaults.
                           ("interventions.mentoring.coverage=0.2",
                            "--set: interventions.mentoring.coverage=0.2 changes mentoring in every arm, the baseline "
                            "too, while --levers switches it on in one: set the lever's parameters in its arm with "
                            "--levers mentoring:coverage=0.2")):
        assert main(["compare", str(BASELINE), "--levers", "mentoring", "--set", setting, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"promosim compare: {words}") and err.count("\n") == 1, err


def test_levers_joined_by_plus_are_switched_on_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"Mentoring at 50 % plus career conversations" took a variant file that extends the baseline
    (a new user's trial): + puts levers in one arm."""
    from sim.experiment.cli import lever_list  # noqa: PLC0415

    both = lever_list("career_conversations + mentoring:coverage=+0.5")  # a + before a number is its sign
    assert both == lever_list("mentoring:coverage=0.5+career_conversations")  # one arm, whatever the order
    assert both[0].label == "career_conversations_and_mentoring_coverage_0.5"
    # Too long a label keeps whole lever names, and a hash tells two such arms apart (they were cut mid-word).
    many = "mentoring:coverage=0.5+career_conversations+published_criteria+psychological_safety"
    long_arms = lever_list(f"{many},{many}+stretch_pilots")
    labels = [arm.label for arm in long_arms]
    assert labels[0] != labels[1] and all(len(label) <= 76 for label in labels)
    assert all(label.startswith("mentoring_and_career_conversations_and_published_criteria-") for label in labels)
    out = tmp_path / "out"
    code = main(["compare", str(BASELINE), "--levers", "mentoring:coverage=0.5+career_conversations,mentoring",
                 "--replications", "2", "--years", "1", "--headcount", "100", "--workers", "1", "--quiet",
                 "--metrics", "hidden_ambition_rate,intervention_cost", "--out", str(out), *NO_PLOTS])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()  # its few-pairs note (2 replications)
    label = "mentoring_coverage_0.5_and_career_conversations"
    resolved = yaml.safe_load((out / "scenarios" / f"{label}.yaml").read_text())["interventions"]
    assert set(resolved) == {"mentoring", "career_conversations"} and resolved["mentoring"]["coverage"] == 0.5
    report = (out / "report.md").read_text()
    assert "Mentoring (coverage 0.5), switched on in baseline: mentors" in report
    assert "Career conversations, switched on in baseline: a direct question" in report
    assert "--levers mentoring:coverage=0.5+career_conversations,mentoring" in report  # how to repeat it
    cost = pd.read_csv(out / "effects.csv").set_index(["variant", "metric"])["variant_mean"]
    assert cost[label, "intervention_cost"] > cost["mentoring", "intervention_cost"]  # both levers' hours
    # An error in one lever of an arm names that lever as typed.
    assert main(["compare", str(BASELINE), "--levers", "career_conversations+mentoring:group=Women", "--out",
                 str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("promosim compare: command line: --levers mentoring:group=Women: group "
                                              "'Women' does not exist (did you mean 'women'?)")


@pytest.mark.parametrize(("levers", "words"), [
    ("mentoring:coverag=0.5", "--levers mentoring:coverag=0.5: unknown parameter 'coverag' (did you mean "
                              "'coverage'?); allowed: group, "),
    ("mentoring:coverage", "--levers mentoring:coverage: set a parameter as mentoring:KEY=VALUE"),
    ("mentoring:coverage=0.5:coverage=0.6", "--levers mentoring:coverage=0.5:coverage=0.6: sets coverage twice"),
    ("mentoring:coverage=0.5,mentoring:coverage=0.5", "--levers mentoring:coverage=0.5: listed twice"),
    ("mentorin:coverage=0.5", "--levers mentorin:coverage=0.5: unknown intervention 'mentorin' (did you mean "
                              "'mentoring'?)"),
    # A decimal comma is split as a lever list: it was "unknown intervention '5'" (a new user's trial).
    ("mentoring:coverage=0,5", "--levers mentoring:coverage=0,5: a decimal comma? --levers splits levers at commas: "
                               "write mentoring:coverage=0.5"),
    ("mentoring+mentoring:coverage=0.4", "names mentoring twice; give each lever once in an arm"),
    ("career_conversations+mentoring,mentoring+career_conversations", "--levers mentoring+career_conversations: the "
                                                                      "same arm as 'career_conversations+mentoring'"),
    ("mentoring++career_conversations", "a lever's name is missing (levers in one arm are joined by +)"),
    ("mentoring+", "--levers mentoring+: a lever's name is missing (levers in one arm are joined by +)"),
    ("", "--levers: expected lever names separated by commas"),
    # A value the lever's own parameters refuse, found later, reads the same.
    ("mentoring:coverage=2", "--levers mentoring:coverage=2: must be from 0 to 1 (got 2)"),
])
def test_bad_lever_parameters_are_one_line(levers: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every --levers mistake is one line in the commands' own style, exit code 2: those argparse found read
    "promosim compare: error: argument --levers: ... (see --help)", the rest "promosim compare: command line:
    --levers ...: ..." (an org-design trial)."""
    assert main(["compare", str(BASELINE), "--levers", levers, "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("promosim compare: command line: --levers") and words in err, err
    assert err.count("\n") == 1 and "error:" not in err and "see --help" not in err, err


@pytest.mark.parametrize(("argv", "said"), [
    (["--levers"], "promosim compare: command line: --levers: expected lever names separated by commas (promosim "
                   "interventions lists them)\n"),
    (["--levers", "mentoring,", "published_criteria"],
     "promosim compare: command line: --levers: a space split the list, leaving published_criteria over; --levers "
     "takes one comma-separated word, without spaces: --levers mentoring,published_criteria\n"),
])
def test_levers_mistakes_argparse_finds_read_the_same(argv: list[str], said: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """What argparse itself refuses (no value; a list split by a space) is said in the same style too."""
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(BASELINE), *argv, "--out", "unused"])
    assert exc.value.code == 2 and capsys.readouterr().err == said


@pytest.mark.parametrize("variants", [["mentoring"], []])
def test_a_lever_arm_repeating_another_is_not_blamed_on_its_parameters(
        variants: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """The lever hint was added wherever "arm '<lever>':" appeared in the message: "--levers mentoring:
    arm 'mentoring-2' runs the same scenario as arm 'mentoring': ...; drop one; set a lever's parameters
    as ..." blamed a repeat (of the shipped mentoring.yaml, or of the lever's defaults) on parameters."""
    levers = "mentoring" if variants else "mentoring,mentoring:coverage=0.3"  # 0.3 is its default
    files = [str(SCENARIOS / f"{v}.yaml") for v in variants]
    assert main(["compare", str(BASELINE), *files, "--levers", levers, "--out", "unused"]) == 2
    err = capsys.readouterr().err
    twin = "mentoring-2" if variants else "mentoring_coverage_0.3"
    assert f"arm '{twin}' runs the same scenario as arm 'mentoring'" in err and err.count("\n") == 1, err
    assert "--levers" not in err and "set a lever's parameters" not in err


def test_a_lever_is_named_and_recorded_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    """Written back from the values read, coverage=true read "coverage=True" and group=null
    "group=None", which the recorded command then read as the group 'None'."""
    from sim.experiment.cli import lever_list  # noqa: PLC0415

    arm = lever_list(" mentoring: group = null ")[0]
    assert arm.typed == "mentoring:group=null" and arm.levers[0].params == (("group", None),)
    assert lever_list(arm.typed) == [arm]  # the recorded command reads back the same arm
    assert lever_list("mentoring:coverage=.6") == lever_list("mentoring:coverage=0.6")  # one arm, as before
    assert main(["compare", str(BASELINE), "--levers", "mentoring:coverage=true", "--out", "unused"]) == 2
    assert capsys.readouterr().err.startswith("promosim compare: command line: --levers mentoring:coverage=true: ")
    # A value YAML cannot read names the value, not only a line and column of it.
    assert main(["compare", str(BASELINE), "--levers", "mentoring:coverage=[0.5", "--out", "unused"]) == 2
    assert "--levers mentoring:coverage=[0.5: the value of coverage: YAML syntax error" in capsys.readouterr().err


def test_a_list_value_reaches_the_levers_own_check(capsys: pytest.CaptureFixture[str]) -> None:
    """A list or mapping value cannot be hashed: comparing arms as sets made argparse say only
    "invalid lever_list value" for ``mentoring,mentoring:group=[women]`` (a review's trial). Mentoring
    takes a list of groups now; a list the lever refuses is named by the lever's own check."""
    from sim.experiment.cli import lever_list  # noqa: PLC0415

    assert [arm.label for arm in lever_list("mentoring,mentoring:group=[women]")] == ["mentoring",
                                                                                      "mentoring_group_women"]
    assert main(["compare", str(BASELINE), "--levers", "mentoring,mentoring:group=[martians]", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("promosim compare: command line: --levers mentoring:group=[martians]: group 'martians' "
                          "does not exist; groups: men, women"), err


def test_a_lever_that_leaves_named_people_no_seat_is_named(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A problem found when the arm is filled has no key path: reading it was a traceback, and in an
    arm of several levers the first lever was blamed (a review's trial)."""
    team = yaml.safe_load((SCENARIOS / "sam_and_priya.yaml").read_text())
    team["organisation"]["levels"][3]["positions"] = {"management": 2}  # two directors, both named
    team["people"].append({"name": "Kim", "level": "Director", "track": "management", "age": 50})
    (tmp_path / "team.yaml").write_text(yaml.safe_dump(team))
    for levers in ("parallel_ladders", "career_conversations+parallel_ladders"):
        assert main(["compare", str(tmp_path / "team.yaml"), "--levers", levers, "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("promosim compare: command line: --levers parallel_ladders: ") and err.count("\n") == 1
        assert "after the parallel_ladders lever changed the scenario: 2 named people at level 'Director'" in err


def test_a_report_of_runs_made_before_each_groups_stick_rate_says_so(tmp_path: Path) -> None:
    """Runs made before promotion_stick_rate.<group> was in the summary have no row of it: the
    report said "no value in any run", put down to runs too short (a review's trial)."""
    from sim.errors import InputError  # noqa: PLC0415
    from sim.experiment.cli import _check_report_metrics  # noqa: PLC0415

    class OldStore:
        def scenarios(self) -> list[dict]:
            return [{"groups": [{"name": "women"}, {"name": "men"}]}]

        def summaries(self, design_only: bool = False) -> pd.DataFrame:
            return pd.DataFrame({"metric": ["promotion_stick_rate", "representation_ratio.women"]})

        def promotions(self, design_only: bool = False) -> pd.DataFrame:
            return pd.DataFrame({"outcome": ["stuck"]})

    class OlderStore(OldStore):  # made before the promotions were stored (session 15)
        def promotions(self, design_only: bool = False) -> pd.DataFrame:
            return pd.DataFrame({"outcome": []})

    _check_report_metrics(["promotion_stick_rate", "representation_ratio.women"], OldStore())
    with pytest.raises(InputError) as err:
        _check_report_metrics(["promotion_stick_rate.women"], OldStore())
    assert "promotion_stick_rate.women: this folder's runs were made by a promosim that did not yet put each " \
           "group's ledger rates in the summary" in str(err.value)
    assert "from the stored promotions" in str(err.value)
    # Only a stick rate comes from the promotions, and only where they were stored: a researcher's
    # trial on an older folder was sent to an empty table.
    for metric, store in (("decliner_retention.women", OldStore()), ("promotion_stick_rate.women", OlderStore())):
        with pytest.raises(InputError) as err:
            _check_report_metrics([metric], store)
        assert "did not yet put each group's" in str(err.value) and "promotions" not in str(err.value), metric
    with pytest.raises(InputError) as err:  # nor each group's share of the top (session 17)
        _check_report_metrics(["top_share.women"], OldStore())
    assert str(err.value).startswith("command line: --metrics: top_share.women: this folder's runs were made by a "
                                     "promosim that did not yet put each group's share of the top in the summary")
    with pytest.raises(InputError) as err:  # nor a metric added since (session 18: a review's trial)
        _check_report_metrics(["promotion_stick_rate", "hidden_ambition_exit_rate"], OldStore())
    assert str(err.value) == ("command line: --metrics: hidden_ambition_exit_rate: this folder's runs were made by a "
                              "promosim that did not yet compute it; run the experiment again into a new folder "
                              "(report.md has its command)")


def test_compare_levers_on_ones_own_organisation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An org-design trial typed `compare acme.yaml career_conversations`, which runs the shipped organisation;
    --levers switches the lever on in the baseline's own file."""
    out = tmp_path / "out"
    code = main(["compare", str(BASELINE), "--levers", "mentoring", "--replications", "2", "--years", "1",
                 "--headcount", "100", "--workers", "1", "--quiet", "--out", str(out), *NO_PLOTS])
    assert code == 0, capsys.readouterr().err
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["variant"]) == {"mentoring"} and set(effects["baseline"]) == {"baseline"}
    report = (out / "report.md").read_text()
    assert report.startswith("# Comparison: baseline against mentoring\n")  # was "# Experiment: compare"
    assert "--levers mentoring" in report
    # The lever's plain description, not "With set: interventions.mentoring={}" (a trial's HR reader).
    assert "Mentoring, switched on in baseline: mentors for an under-represented group, here women," in report
    assert "With set:" not in report
    # Each group's stick rate is in every run's summary, and in the tables only when named.
    assert not effects["metric"].str.startswith("promotion_stick_rate.").any()
    assert main(["experiment", "report", str(out), "--quiet", "--metrics",
                 "promotion_stick_rate,promotion_stick_rate.women"]) == 0
    named = pd.read_csv(out / "effects.csv")
    assert list(named["metric"]) == ["promotion_stick_rate", "promotion_stick_rate.women"]
    assert "promotions that stick (women)" in (out / "report.md").read_text()
    assert main(["experiment", "report", str(out), "--metrics", "promotion_stick_rate.wimen"]) == 2
    assert "did you mean 'promotion_stick_rate.women'?" in capsys.readouterr().err
    # Two groups' ratio is worked out from the stored rates, for any folder that has them.
    assert main(["experiment", "report", str(out), "--quiet", "--metrics", "decliner_retention.women/men"]) == 0
    assert list(pd.read_csv(out / "effects.csv")["metric"]) == ["decliner_retention.women/men"]
    for metrics, words in (("decliner_retention.women/mne", "unknown group 'mne' in metric "
                                                            "'decliner_retention.women/mne' (did you mean 'men'?)"),
                           ("decliner_retention.women/women", "compares a group with itself")):
        try:
            code = main(["experiment", "report", str(out), "--metrics", metrics])
        except SystemExit as exc:  # argparse's own exit, as the program makes it
            code = exc.code
        assert code == 2
        assert words in capsys.readouterr().err
    for argv, words in ((["--levers", "mentorin"], "did you mean 'mentoring'"), ([], "at least one variant"),
                        (["--levers", "mentoring,mentoring"], "listed twice")):
        try:
            code = main(["compare", str(BASELINE), *argv, "--out", str(tmp_path / "x")])
        except SystemExit as exc:  # argparse's own exit, as the program makes it
            code = exc.code
        assert code == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, err


def test_compare_names_an_arm_as_run_does_and_says_how_each_lever_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two findings of an org-design trial. compare named the arm of ``acme.yaml`` (``name: Acme Engineering``)
    "acme" and run "Acme Engineering", two organisations to the team; the label stays the identifier, and
    the name is said beside it wherever a person reads the arm. And report.md said what a lever changed,
    never why: each lever's mechanism and side effects are now under each arm whose levers differ."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "acme.yaml").write_text(f"extends: {BASELINE}\nname: Acme Engineering\n",
                                                      encoding="utf-8")
    (tmp_path / "scenarios" / "acme_ladders.yaml").write_text(
        "extends: acme.yaml\nname: Acme with two ladders\ninterventions: {parallel_ladders: {}}\n", encoding="utf-8")
    assert main(["compare", "scenarios/acme.yaml", "scenarios/acme_ladders.yaml", "--levers", "published_criteria",
                 "--replications", "2", "--years", "1", "--headcount", "100", "--workers", "1", "--metrics",
                 "wrong_fit_promotion_rate,intervention_cost", "--out", "out", *NO_PLOTS]) == 0
    printed = capsys.readouterr().out
    assert "Acme Engineering (acme): paired effects (variant - baseline)" in printed
    # The label, unchanged, in the files and folders (a safe identifier).
    effects = pd.read_csv(tmp_path / "out" / "effects.csv")
    assert set(effects["baseline"]) == {"acme"} and set(effects["variant"]) == {"acme_ladders", "published_criteria"}
    assert (tmp_path / "out" / "summaries" / "scenario=acme").is_dir()
    report = (tmp_path / "out" / "report.md").read_text()
    assert report.startswith("# Comparison: Acme Engineering (acme) against Acme with two ladders (acme_ladders), "
                             "published_criteria\n")
    assert "\n### Acme with two ladders (acme_ladders)\n" in report and "\n### published_criteria\n" in report
    assert "\n| Acme Engineering (acme) | `scenarios/acme.yaml` |" in report
    # The lever's arm, made from acme.yaml, carries the organisation's name, which would call it the organisation.
    assert "Acme Engineering (published_criteria)" not in report
    # Each lever's own text, once per arm that differs by it, in report.md and not in the printed table.
    sections = {part.split("\n", 1)[0]: part for part in report.split("\n### ")[1:]}
    ladders, criteria = (f"\n- {lever_in_words(name)}: {REGISTRY[name].why}\n"
                         for name in ("parallel_ladders", "published_criteria"))
    assert ladders in sections["Acme with two ladders (acme_ladders)"] and criteria not in report.replace(
        sections["published_criteria"], "")
    assert criteria in sections["published_criteria"] and report.count(ladders) == 1
    assert "How the lever works and its known side effects" in sections["published_criteria"]
    assert "Known side effects" not in printed
    # Everything comes from what the folder keeps: a report rebuilt from it, as of a folder an earlier
    # version wrote, is the same report.
    assert main(["experiment", "report", "out", "--quiet"]) == 0
    assert (tmp_path / "out" / "report.md").read_text() == report
    # A name on two lines is one line in a heading; a name that is another arm's label is not said (a review).
    kept = tmp_path / "out" / "scenarios" / "acme_ladders.yaml"
    for name, heading in (("Acme with\n  two ladders", "Acme with two ladders (acme_ladders)"),
                          ("published_criteria", "acme_ladders")):
        kept.write_text(yaml.safe_dump({**yaml.safe_load(kept.read_text()), "name": name}), encoding="utf-8")
        assert main(["experiment", "report", "out", "--quiet"]) == 0
        assert f"\n### {heading}\n" in (tmp_path / "out" / "report.md").read_text()


def test_names_and_descriptions_read_in_report_md_as_they_were_typed(tmp_path: Path) -> None:
    """A scenario's ``name:`` and ``description`` went into report.md as Markdown: ``*Acme*`` came out in
    italics, ``<b>x</b>`` as bold HTML, ``# x`` as a heading and a description starting ``- `` as a list. They
    are text now wherever they go, as a Markdown renderer (GitHub's tables and strikethrough) shows them."""
    from markdown_it import MarkdownIt  # noqa: PLC0415 (rich's renderer, a CommonMark one)

    acme, ops = "*Acme* <b>x</b> a|b ~~old~~ [site](x.html) _draft_", "# Ops `west` team #"
    described = "- 1. under & AT&amp;T, > quoted, <i>new</i>"
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump({"extends": str(BASELINE), "name": acme}), encoding="utf-8")
    (tmp_path / "ops.yaml").write_text(yaml.safe_dump({"extends": "acme.yaml", "name": ops, "description": described,
                                                       "interventions": {"mentoring": {}}}), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "acme.yaml"), str(tmp_path / "ops.yaml"), "--replications", "2",
                 "--years", "1", "--headcount", "100", "--workers", "1", "--metrics", "wrong_fit_promotion_rate",
                 "--quiet", "--out", str(out), *NO_PLOTS]) == 0
    shown = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render((out / "report.md").read_text())

    def html(text: str) -> str:  # as the renderer writes text
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assert f"<h1>Comparison: {html(acme)} (acme) against {html(ops)} (ops)</h1>" in shown
    assert f"<h3>{html(ops)} (ops)</h3>\n<p>{html(described)}</p>" in shown
    assert f"<td>{html(acme)} (acme)</td>" in shown and f"<td>{html(ops)} (ops)</td>" in shown
    assert not re.search(r"<(b|i|em|s|del|a|blockquote|ul|ol|code)\b[^>]*>[^<]*(Acme|west|new|quoted|under)", shown)


def test_a_variant_that_changes_more_than_its_levers_says_so(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """An org-design trial's variant switched conversations on and raised hire shares; the report credited
    promotions 83 -> 36 to the lever, without a word. A note on stderr and in report.md names the rest."""
    variant = tmp_path / "convos.yaml"
    variant.write_text(f"extends: {BASELINE}\ninterventions:\n  career_conversations: {{}}\nexits: "
                       "{base_monthly: 0.01}\nbehaviour: {voice_rate: 0.2}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["compare", str(BASELINE), str(variant), "--replications", "2", "--years", "1", "--headcount", "100",
                 "--workers", "1", "--quiet", "--out", str(out), *NO_PLOTS])
    err = capsys.readouterr().err
    assert code == 0, err
    said = ("differs from baseline besides its levers, in behaviour.voice_rate 0.12 → 0.2, exits.base_monthly "
            "0.005 → 0.01; its effects include these changes")
    assert f"note: variant 'convos' {said}\n" in err
    assert f"It {said}." in (out / "report.md").read_text()
    code = main(["compare", str(BASELINE), "--levers", "career_conversations", "--replications", "2", "--years", "1",
                 "--headcount", "100", "--workers", "1", "--quiet", "--out", str(tmp_path / "levers"), *NO_PLOTS])
    assert code == 0 and "besides its levers" not in capsys.readouterr().err  # a lever alone: nothing else to say


def test_an_unreachable_scheduler_leaves_no_plan_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new --out held only the plan files afterwards, which looked like a started experiment."""
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", "1s")  # three attempts at 10 s or more each
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    new, empty, linked = tmp_path / "new" / "out", tmp_path / "empty", tmp_path / "linked"
    empty.mkdir()
    (tmp_path / "elsewhere").mkdir()
    linked.symlink_to(tmp_path / "elsewhere")  # an empty folder reached by a symlink kept the plan files
    for out in (new, empty, linked):
        code = main(["compare", str(BASELINE), "mentoring", "--replications", "2", "--years", "1",
                     "--dask-address", f"tcp://127.0.0.1:{port}", "--out", str(out)])
        assert code == 2
        assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not new.exists()
    assert empty.is_dir() and not any(empty.iterdir())  # the user's folder stays, as it was
    assert linked.is_symlink() and not any(linked.iterdir())


def test_a_run_and_an_experiment_do_not_write_into_each_others_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each would have replaced the other's metadata.json, the record of what made the results."""
    small = ["--years", "1", "--headcount", "100"]
    single, experiment = tmp_path / "single", tmp_path / "experiment"
    assert main(["run", str(BASELINE), *small, "--quiet", "--out", str(single)]) == 0
    assert main(["compare", str(BASELINE), "mentoring", "--replications", "2", "--workers", "1", "--quiet", *small,
                 "--out", str(experiment), *NO_PLOTS]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in (single / "metadata.json", experiment / "metadata.json")}
    assert main(["compare", str(BASELINE), "mentoring", "--replications", "2", "--workers", "1", *small,
                 "--out", str(single)]) == 2
    assert "holds the results of a single run" in capsys.readouterr().err
    assert main(["run", str(BASELINE), *small, "--quiet", "--out", str(experiment)]) == 2
    assert "holds an experiment's results" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert not (experiment / "summary.parquet").exists() and not (single / "experiment.json").exists()


def test_nothing_is_written_inside_an_experiments_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each table is read as every file under its folder: an --out in there broke the report.

    ``--out results/x/runs`` put experiment.json, report.md and more Parquet into ``runs/``, and
    ``experiment report results/x`` then failed with a traceback on a file that is not a part.
    """
    small = ["--years", "1", "--headcount", "100"]
    experiment = tmp_path / "experiment"
    assert main(["compare", str(BASELINE), "mentoring", "--replications", "2", "--workers", "1", "--quiet", *small,
                 "--out", str(experiment), *NO_PLOTS]) == 0
    capsys.readouterr()
    before = sorted(p.relative_to(experiment) for p in experiment.rglob("*"))
    inside = [experiment / "runs", experiment / "summaries" / "nested", experiment / "timeseries" / "a" / "b"]
    for out in inside:
        assert main(["compare", str(BASELINE), "mentoring", "--replications", "2", "--workers", "1", *small,
                     "--out", str(out)]) == 2
        assert "table of the experiment in" in capsys.readouterr().err
        assert main(["run", str(BASELINE), *small, "--quiet", "--out", str(out)]) == 2
        assert "table of the experiment in" in capsys.readouterr().err
    assert sorted(p.relative_to(experiment) for p in experiment.rglob("*")) == before
    assert main(["experiment", "report", str(experiment), "--quiet"]) == 0


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    small, random = write_scenarios(tmp_path)
    out = run_cli("compare", small, random, "--replications", "2", "--headcount", "100", "--workers", "1",
                  "--metrics", "promotions", "--out", tmp_path / "out", *NO_PLOTS)
    assert out.returncode == 0, out.stderr
    assert "━" not in out.stderr and "\r" not in out.stderr
    assert out.stderr.count("\n") == 2  # what will run, and what ran


def test_make_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_progress(quiet=True), NoProgress)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert isinstance(make_progress(quiet=False), NoProgress)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    bar = make_progress(quiet=False)
    assert isinstance(bar, RichProgress)
    bar.start(10, 2, "x")
    bar.advance(True)
    bar.advance(False)
    bar.stop()


def test_writing_the_report_is_said_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report with its plots took 15 s and more of a silent screen after the runs' bar (a researcher's trial)."""
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for quiet, stream, figures, said in ((False, Terminal(), ("png",), "writing the report and drawing its plots"),
                                         (False, Terminal(), (), "writing the report"),
                                         (True, Terminal(), ("png",), ""), (False, io.StringIO(), ("png",), "")):
        monkeypatch.setattr("sys.stderr", stream)
        with reporting(quiet, figures):
            pass
        written = stream.getvalue()
        assert (said in written and "plots" not in written.replace(said, "")) if said else written == "", written


def test_the_shipped_interventions_experiment() -> None:
    """Baseline against every lever, at least 30 paired replications, every scenario resolvable."""
    path = ROOT / "experiments" / "interventions.yaml"
    design = build_design(load_experiment(path), path)
    assert design.replications >= 30
    labels = [a.label for a in design.arms]
    assert labels[0] == "baseline"
    assert set(labels[1:]) == {"career_conversations", "parallel_ladders", "published_criteria", "stretch_pilots",
                               "psychological_safety", "mentoring", "succession_dashboard", "development_plans",
                               "all_levers"}
    assert all(a.reference == "baseline" for a in design.arms[1:])
    assert {a.scenario_hash for a in design.arms[1:]}.isdisjoint({design.arms[0].scenario_hash})


def test_a_relative_command_is_recorded_with_the_folder_it_ran_in(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`experiment run sweep.yaml --out rel` was recorded as typed, with nothing saying where sweep.yaml and
    rel were (a researcher trial): the command could not be run again from the folder's metadata."""
    small, random = write_scenarios(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["compare", small.name, random.name, "--replications", "2", "--headcount", "100", "--workers", "1",
                 "--quiet", "--metrics", "promotions", "--out", "rel", *NO_PLOTS]) == 0
    capsys.readouterr()
    meta = json.loads((tmp_path / "rel" / "metadata.json").read_text())
    assert meta["cwd"] == str(tmp_path)
    assert f"- Command: `{meta['command']}`, run in `{tmp_path}`\n" in (tmp_path / "rel" / "report.md").read_text()


def test_report_against_another_arm_pairs_every_arm_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"Does career conversations add anything to mentoring?" took a second comparison with its own
    scenario file (an org-design trial); the runs of one replication share a seed in every arm, so
    ``report --against`` pairs the arms already run with any one of them."""
    out = tmp_path / "out"
    metrics = "hidden_ambition_rate,attrition_rate"
    assert main(["compare", str(BASELINE), "--levers", "mentoring,career_conversations,mentoring+career_conversations,"
                 "mentoring:coverage=0.6", "--replications", "3", "--years", "1", "--headcount", "100", "--workers",
                 "1", "--quiet", "--metrics", metrics, "--out", str(out)]) == 0, capsys.readouterr().err
    own = (out / "effects.csv").read_bytes(), (out / "report.md").read_bytes()
    capsys.readouterr()
    assert main(["experiment", "report", str(out), "--against", "mentoring"]) == 0
    printed = capsys.readouterr().out
    assert "paired effects (variant - mentoring)" in printed and "change: variant minus mentoring" in printed
    # The bare organisation is named at a glance as its section names it, on the terminal as in report.md
    # (it read "baseline" alone there), its name and the words on lines of their own.
    glance = printed[printed.index("each variant at a glance"):].splitlines()
    row = next(i for i, line in enumerate(glance) if line.startswith(" baseline "))
    assert glance[row + 1].split()[:3] == ["(mentoring", "switched", "off)"]
    # The folder's own report stays.
    assert ((out / "effects.csv").read_bytes(), (out / "report.md").read_bytes()) == own
    folder = out / "against-mentoring"
    effects = pd.read_csv(folder / "effects.csv")
    # The columns of the folder's own table, so one script reads both; `reference` names the arm under a true name.
    assert list(effects.columns) == list(pd.read_csv(out / "effects.csv").columns)
    assert list(effects.columns[-2:]) == ["reference", "confidence"]  # the level of the row's intervals, after it
    assert set(pd.read_csv(out / "effects.csv")["reference"]) == {"baseline"}
    assert set(effects["baseline"]) == set(effects["reference"]) == {"mentoring"}
    assert set(effects["variant"]) == {"baseline", "career_conversations", "mentoring_and_career_conversations",
                                       "mentoring_coverage_0.6"}
    # The same numbers as pairing the stored runs by hand.
    values = ResultStore(out).summaries().pivot_table(index=["metric", "replication"], columns="arm", values="value")
    for metric in metrics.split(","):
        by_hand = (values.loc[metric, "mentoring_and_career_conversations"] - values.loc[metric, "mentoring"]).mean()
        row = effects[(effects["metric"] == metric) & (effects["variant"] == "mentoring_and_career_conversations")]
        assert row["diff"].item() == pytest.approx(by_hand, abs=1e-12)
    report = (folder / "report.md").read_text()
    assert report.startswith("# Comparison: mentoring against baseline, career_conversations, mentoring_and_")
    assert "the folder's own report.md compares each with baseline" in report
    # An arm that lacks the new reference's lever is not called that lever plus its own.
    assert "Against mentoring: Mentoring switched off, career conversations switched on." in report
    assert "Against mentoring: Mentoring switched off." in report  # the baseline
    assert "\n| baseline (mentoring switched off) | " in report  # and at a glance, as on the terminal
    assert "Career conversations, switched on in mentoring: a direct question" in report  # the arm with both
    assert "Against mentoring: Mentoring with coverage 0.6." in report  # another dose of the reference's lever
    # How the lever works, under each arm that differs from mentoring by it: switched off, at another dose,
    # and not under the arm that has mentoring as the reference has it.
    sections = {part.split("\n", 1)[0]: part for part in report.split("\n### ")[1:]}
    mentoring, conversations = (f"\n- {lever_in_words(name)}: {REGISTRY[name].why}\n"
                                for name in ("mentoring", "career_conversations"))
    assert mentoring in sections["baseline"] and mentoring in sections["mentoring_coverage_0.6"]
    assert conversations in sections["mentoring_and_career_conversations"]
    assert mentoring not in sections["mentoring_and_career_conversations"]
    assert "How the levers work and their known side effects" in sections["career_conversations"]  # both differ
    assert "same random seeds as mentoring" in report and "variant minus mentoring" in report
    assert "Difference = variant - mentoring" in report and "minus baseline" not in report
    # Its Effects table's column and the folders it points to are the comparison's (one up).
    assert "| metric | variant | mentoring mean | variant mean |" in report and "baseline mean" not in report
    assert "is in `../scenarios/`." in report and "one up from this report's (`../`)" in report
    assert (folder / "forest.png").is_file()
    # A name that is not an arm is one line naming the arms; so is a sensitivity folder or a grid.
    assert main(["experiment", "report", str(out), "--against", "mentorin"]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "--against: no arm 'mentorin' in this folder (did you mean 'mentoring'?); --against takes one of: baseline, "
        "mentoring, "
        "career_conversations, mentoring_and_career_conversations, mentoring_coverage_0.6")
    # The arm as --levers spells it, and the against folder given for the comparison's, are understood or named.
    assert main(["experiment", "report", str(out), "--against", "career_conversations+mentoring", "--quiet"]) == 0
    assert (out / "against-mentoring_and_career_conversations" / "report.md").is_file()
    assert main(["experiment", "report", str(folder), "--against", "mentoring"]) == 2
    assert "holds a report --against mentoring, not the runs; give the comparison's folder" in capsys.readouterr().err
    from sim.experiment.analysis import against_design  # noqa: PLC0415

    grid = {"kind": "comparison", "arms": [{"label": "a[x=1]", "point": 0}, {"label": "a[x=2]", "point": 1}]}
    with pytest.raises(InputError, match="holds a grid, whose arms pair point by point"):
        against_design(grid, "a[x=1]")


def test_a_later_comparison_into_the_folder_rewrites_its_against_reports_or_removes_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A later ``compare`` into a folder (more replications, failed runs retried) rewrote the folder's own
    report and left ``against-ARM/`` as it was, its numbers then silently another set of runs' (a known
    limitation, documented as such). Each is rewritten from the same stored runs, with the metrics it
    was asked for, and one whose arm the folder's new comparison lacks is removed, in one line."""
    out = tmp_path / "out"
    command = ["compare", str(BASELINE), "--years", "1", "--headcount", "60", "--workers", "1", "--quiet",
               "--metrics", "hidden_ambition_rate,intervention_cost", "--out", str(out), *NO_PLOTS]
    levers = ["--levers", "mentoring,mentoring+career_conversations"]
    assert main([*command, *levers, "--replications", "2"]) == 0
    assert main(["experiment", "report", str(out), "--against", "mentoring", "--metrics", "intervention_cost",
                 "--quiet"]) == 0
    folder = out / "against-mentoring"
    assert pd.read_csv(folder / "effects.csv")["n"].eq(2).all()
    capsys.readouterr()
    assert main([*command, *levers, "--replications", "3"]) == 0
    printed = capsys.readouterr().out
    assert f"also rewrote {folder}{os.sep} (every arm against mentoring) from these runs\n" in printed
    own, mine = pd.read_csv(out / "effects.csv"), pd.read_csv(folder / "effects.csv")
    assert own["n"].eq(3).all() and mine["n"].eq(3).all()
    assert list(mine["metric"]) == ["intervention_cost"] * 2  # the --metrics it was asked for, kept
    # The same runs as the folder's own table: the baseline against mentoring is the reverse of its row, negated.
    cost = own.set_index(["metric", "variant"]).loc[("intervention_cost", "mentoring"), "diff"]
    assert mine.set_index("variant").loc["baseline", "diff"] == pytest.approx(-cost, abs=1e-12)
    assert "Clear changes against mentoring (3 pairs of runs)" in (folder / "report.md").read_text()
    # Rebuilding the folder's own report rewrites it too.
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert f"also rewrote {folder}{os.sep}" in capsys.readouterr().out
    # A hand-edited against.json of other types is set aside, the folder's name deciding (it was a traceback).
    (folder / "against.json").write_text('{"against": "mentoring", "confidence": "high"}')
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert f"also rewrote {folder}{os.sep}" in capsys.readouterr().out
    # Another comparison into the folder, without mentoring: its report against mentoring goes, and a line says so.
    (folder / "notes.txt").write_text("a reader's own file")
    # A copy kept under another name before against.json existed, and a reader's own folder: neither is told
    # from a stale report, so both stay (their report.md was deleted, "no arm 'mentoring-v1'").
    kept = out / "against-mentoring-v1"
    shutil.copytree(folder, kept)
    (kept / "against.json").unlink()
    (out / "against-notes").mkdir()
    (out / "against-notes" / "report.md").write_text("my own notes")
    assert main([*command, "--levers", "career_conversations", "--replications", "2"]) == 0
    err = capsys.readouterr().err
    assert (f"note: removed {folder}{os.sep} (other files in it kept): the comparison now in {out} has no arm "
            "'mentoring'\n") in err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert "mentoring-v1" not in err and "against-notes" not in err
    assert (kept / "report.md").is_file() and (out / "against-notes" / "report.md").read_text() == "my own notes"


def test_a_report_rebuilt_with_other_options_names_the_command_that_made_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``experiment report DIR --metrics ...`` the report showed other metrics under the Command line
    of the run alone, so nothing in it said it had been rebuilt, or how (a reproducibility trial)."""
    monkeypatch.chdir(tmp_path)
    command = ["compare", str(BASELINE), "--levers", "mentoring,career_conversations", "--replications", "2",
               "--years", "0.5", "--headcount", "60", "--workers", "1", "--quiet", "--out", "out", *NO_PLOTS]
    assert main(command) == 0
    out = tmp_path / "out"
    written = (out / "report.md").read_text()
    assert "Report made by" not in written  # the report the run wrote: its Command line says how
    ran = f"- Command: `{json.loads((out / 'metadata.json').read_text())['command']}`, run in `{tmp_path}`\n"
    assert ran in written
    assert main(["experiment", "report", "out", "--metrics", "attrition_rate,hidden_ambition_rate", "--quiet"]) == 0
    rebuilt = (out / "report.md").read_text()
    assert (ran + "- Report made by: `promosim experiment report out --metrics attrition_rate,hidden_ambition_rate`, "
            f"run in `{tmp_path}`, from the stored runs\n") in rebuilt
    # Without options the report is the run's own again, word for word.
    assert main(["experiment", "report", "out", "--quiet"]) == 0
    assert (out / "report.md").read_text() == written
    # A report against another arm names its command too, and keeps it when the folder's own is rewritten.
    assert main(["experiment", "report", "out", "--against", "mentorng", "--quiet"]) == 2
    assert "no arm 'mentorng' in this folder (did you mean 'mentoring'?); " in capsys.readouterr().err
    assert main(["experiment", "report", "out", "--against", "mentoring", "--metrics", "attrition_rate",
                 "--quiet"]) == 0
    made_by = (f"- Report made by: `promosim experiment report out --against mentoring --metrics attrition_rate`, "
               f"run in `{tmp_path}`, from the stored runs\n")
    assert made_by in (out / "against-mentoring" / "report.md").read_text()
    assert (out / "report.md").read_text() == written
    capsys.readouterr()
    assert main(["experiment", "report", "out", "--quiet"]) == 0
    assert "also rewrote" in capsys.readouterr().out
    assert made_by in (out / "against-mentoring" / "report.md").read_text()


def test_runs_reused_from_another_version_are_said_on_the_terminal(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The same command after an engine change reused every stored run (a run's id does not depend on the
    code); report.md said so deep in *What was run*, the terminal not at all (a review)."""
    out = tmp_path / "out"
    command = ["compare", str(BASELINE), "--levers", "mentoring", "--replications", "2", "--years", "0.25",
               "--headcount", "80", "--workers", "1", "--quiet", "--metrics", "attrition_rate", "--out", str(out),
               *NO_PLOTS]
    assert main(command) == 0
    assert notes_but_few_pairs(capsys.readouterr().err) == []
    sessions = out / "sessions.jsonl"  # as if an older engine had made them
    lines = [json.loads(line) for line in sessions.read_text().splitlines()]
    sessions.write_text("".join(json.dumps({**line, "engine_digest": "0ldc0de00000"}) + "\n" for line in lines))
    assert main(command) == 0
    err = capsys.readouterr().err
    assert "note: 4 of the 4 runs reported were reused from earlier sessions made by another version" in err
    assert "run into a new folder for this version's numbers" in (out / "report.md").read_text()
