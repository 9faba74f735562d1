"""Experiment files: schema, seeding (common random numbers), run ids, grids, and one-line errors."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASELINE, ROOT, SCENARIOS, TINY, run_cli

from sim.cli import main
from sim.errors import InputError
from sim.experiment.cli import metric_list
from sim.experiment.design import (
    LeverArm,
    LeverSetting,
    build_design,
    comparison_spec,
    load_experiment,
    make_run_id,
    settings_changed,
    unknown_metric,
    validate_experiment,
)
from sim.experiment.sensitivity import build_sensitivity_design
from sim.random import derive_seeds
from sim.scenario import load_scenario


def write_experiment(folder: Path, **fields: Any) -> Path:
    """A small baseline, a random-policy variant and an experiment comparing them."""
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    (folder / "random.yaml").write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    (folder / "other.yaml").write_text("extends: small.yaml\nname: other\ngroups:\n"
                                       "  - {name: a, workforce_share: 0.5, hiring_share: 0.5}\n"
                                       "  - {name: b, workforce_share: 0.5, hiring_share: 0.5}\n")
    data: dict[str, Any] = {
        "name": "t", "seed": 3, "replications": 4, "headcount": 120,
        "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]},
    }
    data.update(fields)
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def design_of(path: Path) -> Any:
    return build_design(load_experiment(path), path)


# ---------------------------------------------------------------------------------------------
# Seeding and run ids


def test_replication_k_has_the_same_seed_in_every_arm(tmp_path: Path) -> None:
    seniority = {"file": "small.yaml", "set": {"policy.name": "seniority"}}
    path = write_experiment(tmp_path, replications=5, scenarios={
        "baseline": "small.yaml", "variants": {"random": "random.yaml", "seniority": seniority}})
    design = design_of(path)
    assert [a.label for a in design.arms] == ["small", "random", "seniority"]
    assert design.seeds == derive_seeds(3, 5)
    assert len(set(design.seeds)) == 5
    for k in range(5):
        seeds = {t.seed for t in design.tasks if t.replication == k}
        assert seeds == {design.seeds[k]}
    assert len(design.tasks) == 15
    assert len({t.run_id for t in design.tasks}) == 15


def test_more_replications_keep_the_first_seeds_and_run_ids(tmp_path: Path) -> None:
    """Raising replications from 4 to 6 re-uses every finished run: the first seeds do not move."""
    four = design_of(write_experiment(tmp_path, replications=4))
    six = design_of(write_experiment(tmp_path, replications=6))
    assert six.seeds[:4] == four.seeds
    assert {t.run_id for t in four.tasks} <= {t.run_id for t in six.tasks}


def test_run_ids_are_deterministic_and_sensitive_to_what_matters(tmp_path: Path) -> None:
    first = design_of(write_experiment(tmp_path))
    again = design_of(write_experiment(tmp_path))
    assert [t.run_id for t in first.tasks] == [t.run_id for t in again.tasks]
    other_seed = design_of(write_experiment(tmp_path, seed=4))
    assert not {t.run_id for t in first.tasks} & {t.run_id for t in other_seed.tasks}
    other_content = design_of(write_experiment(tmp_path, set={"behaviour.voice_rate": 0.2}))
    assert not {t.run_id for t in first.tasks} & {t.run_id for t in other_content.tasks}
    task = first.tasks[0]
    rid = make_run_id(task.scenario, task.content, task.parameters, task.replication, task.seed)
    assert rid == task.run_id
    assert make_run_id(task.scenario, task.content, task.parameters, task.replication + 1, task.seed) != rid
    assert make_run_id(task.scenario, task.content, {"x": 1}, task.replication, task.seed) != rid
    assert make_run_id(task.scenario, task.content, task.parameters, task.replication, task.seed + 1) != rid


def test_run_id_does_not_depend_on_where_the_files_are(tmp_path: Path) -> None:
    """Same content, other folder: same ids (a moved results folder still resumes)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = design_of(write_experiment(tmp_path / "a"))
    two = design_of(write_experiment(tmp_path / "b"))
    assert [t.run_id for t in one.tasks] == [t.run_id for t in two.tasks]


def data_experiment(folder: Path) -> Path:
    """An experiment on the shipped file-based organisation, with its CSV copied into ``folder``."""
    (folder / "data").mkdir(parents=True)
    csv = (SCENARIOS / "data" / "synthetic_org.csv").read_text()
    (folder / "data" / "org.csv").write_text(csv)
    text = (SCENARIOS / "synthetic_org.yaml").read_text()
    text = text.replace("extends: baseline.yaml", f"extends: {BASELINE}")
    text = text.replace("data/synthetic_org.csv", "data/org.csv")
    (folder / "org.yaml").write_text(text + "years: 1\n")
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "d", "seed": 1, "replications": 2, "scenarios": {"baseline": "org.yaml"}}))
    return path


def test_run_ids_follow_an_organisation_files_content_not_its_path(tmp_path: Path) -> None:
    """Edited data in place must not resume from results of the old data; moved data still resumes."""
    first = design_of(data_experiment(tmp_path / "a"))
    moved = design_of(data_experiment(tmp_path / "b"))
    assert [t.run_id for t in first.tasks] == [t.run_id for t in moved.tasks]
    csv = tmp_path / "a" / "data" / "org.csv"
    csv.write_text(csv.read_text().replace("P000002,G3,IC,P000121,10.1", "P000002,G3,IC,P000121,11.1"))
    edited = design_of(tmp_path / "a" / "exp.yaml")
    assert not {t.run_id for t in first.tasks} & {t.run_id for t in edited.tasks}


def test_paths_are_relative_to_the_experiment_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_experiment(tmp_path)
    monkeypatch.chdir("/")
    design = design_of(path)
    assert Path(design.arms[0].source).resolve() == (tmp_path / "small.yaml").resolve()


def test_years_headcount_and_set_reach_every_scenario(tmp_path: Path) -> None:
    design = design_of(write_experiment(tmp_path, years=0.5, set={"behaviour.voice_rate": 0.2}))
    for arm in design.arms:
        assert arm.content["years"] == 0.5
        assert arm.content["behaviour"]["voice_rate"] == 0.2
        total = sum(sum(lv["positions"].values()) for lv in arm.content["organisation"]["levels"])
        assert 100 <= total <= 140
    assert design.arm("random").content["policy"]["name"] == "random"


def test_the_resolved_scenario_round_trips_through_validation(tmp_path: Path) -> None:
    arm = design_of(write_experiment(tmp_path)).arms[0]
    assert load_scenario(arm.content).model_dump(mode="json") == arm.content


# ---------------------------------------------------------------------------------------------
# Grids


def test_grid_is_a_full_factorial_paired_at_each_point(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, grid={"behaviour.voice_rate": [0.1, 0.2],
                                            "managers.review_every_months": {"low": 6, "high": 12, "steps": 3}})
    design = design_of(path)
    assert len(design.arms) == 2 * 2 * 3
    points = {tuple(sorted(a.parameters.items())) for a in design.arms}
    assert len(points) == 6
    months = {a.parameters["managers.review_every_months"] for a in design.arms}
    assert months == {6, 9, 12}
    assert all(isinstance(m, int) for m in months)
    for arm in design.arms:
        assert arm.content["behaviour"]["voice_rate"] == arm.parameters["behaviour.voice_rate"]
        if arm.scenario == "random":
            ref = design.arm(arm.reference)
            assert ref.scenario == "small" and ref.parameters == arm.parameters
    refs = [a for a in design.arms if a.reference is None]
    assert len(refs) == 1 and refs[0].scenario == "small" and refs[0].point == 0
    assert design.arms[0] is refs[0]


def test_a_grid_key_with_a_list_item_in_brackets_is_read_as_every_other_key_path_is(tmp_path: Path) -> None:
    """`organisation.levels[0]...`, as error messages write list items and --set takes it, was refused in a grid
    ("Input should be a valid integer (got 100.0)"): the grid read its key otherwise than --set did, and missed the
    whole number it should round to. One reading of a key path (scenario.key_path_parts) serves every place."""
    key = "organisation.levels[0].positions.specialist"
    design = design_of(write_experiment(tmp_path, grid={key: {"low": 100, "high": 110, "steps": 4}}))
    assert sorted({a.parameters[key] for a in design.arms}) == [100, 103, 107, 110]
    assert sorted({a.content["organisation"]["levels"][0]["positions"]["specialist"] for a in design.arms}) == [
        100, 103, 107, 110]


def test_sensitivity_points_are_within_ranges_and_rounded_where_whole(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, sensitivity={
        "samples": 4, "parameters": {"behaviour.voice_rate": [0.05, 0.3], "managers.review_every_months": [3, 12]}})
    spec = load_experiment(path)
    morris = build_sensitivity_design(spec, path, "morris")
    assert len(morris.arms) == 4 * (2 + 1)
    sobol = build_sensitivity_design(spec, path, "sobol")
    assert len(sobol.arms) == 4 * (2 + 2)
    for arm in morris.arms + sobol.arms:
        assert 0.05 <= arm.parameters["behaviour.voice_rate"] <= 0.3
        months = arm.parameters["managers.review_every_months"]
        assert isinstance(months, int) and 3 <= months <= 12
        assert arm.content["managers"]["review_every_months"] == months
    again = build_sensitivity_design(spec, path, "morris")
    assert [t.run_id for t in again.tasks] == [t.run_id for t in morris.tasks]


# ---------------------------------------------------------------------------------------------
# One-line errors


BAD_FILES: list[tuple[str, Any, str]] = [
    ("unknown key", {"replication": 3}, "unknown key 'replication' (did you mean 'replications'?)"),
    ("no scenarios", "DROP:scenarios", "scenarios: required key is missing"),
    ("zero replications", {"replications": 0}, "replications: must be from 1 to 100,000 (got 0)"),
    ("unknown metric", {"metrics": ["misread_rte"]}, "unknown metric 'misread_rte' (did you mean 'misread_rate'?)"),
    ("missing scenario file", {"scenarios": {"baseline": "nope.yaml"}}, "scenario file not found"),
    ("bad grid key", {"grid": {"behaviour.voice_rat": [0.1]}}, "unknown key 'voice_rat'"),
    ("grid value out of range", {"grid": {"behaviour.voice_rate": [2.0]}}, "must be from 0 to 1 (got 2.0)"),
    ("bad range", {"grid": {"behaviour.voice_rate": {"low": 0.1, "high": 0.2, "steps": 1}}}, "steps"),
    ("a range with its bounds swapped", {"grid": {"managers.micro_penalty_rate": {"low": 0.8, "high": 0.2,
                                                                                  "steps": 2}}},
     "exp.yaml: grid.managers.micro_penalty_rate: low is above high (got low 0.8, high 0.2): swap them"),
    ("a range of one value", {"grid": {"managers.micro_penalty_rate": {"low": 0.5, "high": 0.5, "steps": 3}}},
     "grid.managers.micro_penalty_rate: low and high are equal (got low 0.5, high 0.5): to run one value, list it: "
     "[0.5]"),
    ("a range from .nan", {"grid": {"managers.micro_penalty_rate": {"low": float("nan"), "high": 0.5, "steps": 3}}},
     "grid.managers.micro_penalty_rate: low and high must be numbers (got low nan, high 0.5)"),
    ("duplicate labels", {"scenarios": {"baseline": "small.yaml", "variants": ["small.yaml"]}}, "must be unique"),
    ("a grid that makes the baseline the variant", {"grid": {"policy.name": ["random", "visibility"]}},
     "arm 'random[name=random]' runs the same scenario as the arm it is paired with, 'small[name=random]', so "
     "every difference would be 0. A grid applies to every scenario, so a grid over what the variant changes"),
    ("a variant with a longer horizon", {"scenarios": {"baseline": "small.yaml", "variants": {
        "r": {"file": "random.yaml", "set": {"years": 3}}}}},
     "scenarios: arm 'r' (random.yaml) has years 3, but the arm it is paired with, 'small' (small.yaml), has 1: the "
     "report would credit that difference to the variant's rules; give every arm the same years"),
    ("a variant without the warm-up", {"scenarios": {"baseline": "small.yaml", "variants": {
        "r": {"file": "random.yaml", "set": {"warmup_months": 0}}}}},
     "arm 'r' (random.yaml) has warmup_months 0, but the arm it is paired with, 'small' (small.yaml), has 2"),
    ("a grid over a variant's own set", {"scenarios": {"baseline": "small.yaml", "variants": {
        "m": {"file": "random.yaml", "set": {"behaviour.voice_rate": 0.2}}}},
        "grid": {"behaviour.voice_rate": [0.05, 0.1]}},
     "scenarios.variants.m.set.behaviour.voice_rate: scenario 'm' sets behaviour.voice_rate, and "
     "grid.behaviour.voice_rate sets it in every arm, replacing that value"),
    ("a grid over the experiment's set", {"set": {"behaviour": {"voice_rate": 0.2}},
                                          "grid": {"behaviour.voice_rate": [0.1]}},
     "set.behaviour: the experiment's set: sets behaviour, and grid.behaviour.voice_rate sets it in every arm"),
    ("a typo in the experiment's set", {"set": {"warmup_month": 12}},
     "exp.yaml: set.warmup_month: unknown key 'warmup_month' (did you mean 'warmup_months'?)"),
    ("a typo in a variant's set", {"scenarios": {"baseline": "small.yaml", "variants": {
        "r": {"file": "random.yaml", "set": {"behaviour.voice_rat": 0.2}}}}},
     "exp.yaml: scenarios.variants.r.set.behaviour.voice_rat: unknown key 'voice_rat' (did you mean 'voice_rate'?)"),
    ("a value out of range in the experiment's set", {"set": {"behaviour.voice_rate": 2}},
     "exp.yaml: set.behaviour.voice_rate: must be from 0 to 1 (got 2)"),
    # A researcher's trial: a top-level years was named "set.years", in a file without a set: block.
    ("a top-level years under a month", {"years": 0.01},
     "exp.yaml: years: must cover at least one month (1/12 = 0.0833 years); got 0.01\n"),
    ("years under a month in the experiment's set", {"set": {"years": 0.01}},
     "exp.yaml: set.years: must cover at least one month (1/12 = 0.0833 years); got 0.01\n"),
    ("years under a month in a variant's set", {"scenarios": {"baseline": "small.yaml", "variants": {
        "r": {"file": "random.yaml", "set": {"years": 0.01}}}}},
     "exp.yaml: scenarios.variants.r.set.years: must cover at least one month"),
    ("a headcount too small for the organisation", {"headcount": 3},
     "exp.yaml: headcount: scenario 'small': "),
    ("seed: yes", {"seed": True}, "seed: must be a whole number, at least 0 and below 2^63 (got True)"),
    ("replications: true", {"replications": True},
     "replications: must be a whole number, from 1 to 100,000 (got True)"),
    ("years in quotes", {"years": "10"}, "years: must be a number, above 0 and at most 100 (got '10')"),
    ("headcount as a fraction", {"headcount": 120.5},
     "headcount: must be a whole number, from 2 to 2,000,000 (got 120.5)"),
    ("a metric listed twice", {"metrics": ["misread_rate", "misread_rate"]},
     "metrics[1]: 'misread_rate' is listed twice (also at position 0); list each metric once"),
    ("a grid value listed twice", {"grid": {"behaviour.voice_rate": [0.1, 0.1]}},
     "grid.behaviour.voice_rate: grid points 1 and 2 are the same once applied, so their arms would run the same "
     "scenario and every difference between them would be 0: grid.behaviour.voice_rate lists 0.1 more than once"),
    ("grid values that round alike", {"grid": {"policy.cycle_months": [12, 12.4]}},
     "grid.policy.cycle_months is a whole-number setting, and 12 and 12.4 both round to 12; give values that "
     "differ by at least 1"),
    ("a variant that changes nothing", {"scenarios": {"baseline": "small.yaml", "variants": {
        "same": {"file": "small.yaml", "set": {"policy.name": "visibility"}}}}},
     "arm 'same' runs the same scenario as the arm it is paired with, 'small', so every difference would be 0: "
     "the two resolve to the same scenario"),
    ("a set of the variant's lever, which switches it on in the baseline too", {
        "set": {"interventions.mentoring.coverage": 0.5},
        "scenarios": {"baseline": "small.yaml", "variants": {"m": {"file": "small.yaml", "set": {
            "interventions.mentoring.coverage": 0.5}}}}},
     "so every difference would be 0: set: interventions.mentoring.coverage (--set in compare) switches the lever "
     "on in every arm, the baseline too"),
    ("inverted sensitivity range", {"sensitivity": {"parameters": {"behaviour.voice_rate": [0.3, 0.1]}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high] with low < high"),
    # A researcher's trial: pydantic's words were "[1]: required key is missing", "Tuple should have at most
    # 2 items" and "a valid tuple (got dict)"; [false, true] was read as [0, 1] and quoted numbers as numbers.
    ("a sensitivity range of one value", {"sensitivity": {"parameters": {"behaviour.voice_rate": [0.1]}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high], two numbers (got [0.1])\n"),
    ("a sensitivity range of three values", {"sensitivity": {"parameters": {"behaviour.voice_rate": [0.1, 0.2, 0.3]}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high], two numbers (got [0.1, 0.2, 0.3])\n"),
    ("a sensitivity range written as a grid's", {"sensitivity": {"parameters": {
        "behaviour.voice_rate": {"low": 0.1, "high": 0.3}}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high], two numbers (got {low: 0.1, high: 0.3}, a "
     "grid's way of writing a range): write [0.1, 0.3]\n"),
    # As YAML writes them, not as Python does ("got None", "got {'max': 0.3, 'min': 0.1}").
    ("an empty sensitivity range", {"sensitivity": {"parameters": {"behaviour.voice_rate": None}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high], two numbers (got null)\n"),
    ("a sensitivity range of min and max", {"sensitivity": {"parameters": {
        "behaviour.voice_rate": {"min": 0.1, "max": 0.3}}}},
     "sensitivity.parameters.behaviour.voice_rate: needs [low, high], two numbers (got {max: 0.3, min: 0.1})\n"),
    ("a switch given a sensitivity range", {"sensitivity": {"parameters": {
        "managers.heuristics.silence_as_disinterest": [False, True]}}},
     "sensitivity.parameters.managers.heuristics.silence_as_disinterest: true and false are not bounds (got "
     "[false, true]): Morris and Sobol' sample numbers between two bounds; to compare a switch's two settings"),
    ("a sensitivity range in quotes", {"sensitivity": {"parameters": {"behaviour.voice_rate": ["0.1", "0.3"]}}},
     "sensitivity.parameters.behaviour.voice_rate[0]: must be a number (got '0.1'); a number in "
     "quotes is text"),
    ("an optional metric no arm reports", {"metrics": ["misread_rate", "global_efficiency"]},
     "metrics[1]: 'global_efficiency' is computed only when metrics.level_weights is set"),
    ("unknown key in a scenario ref", {"scenarios": {"baseline": {"file": "small.yaml", "sett": {}}}},
     "unknown key 'sett' (did you mean 'set'?)"),
    ("misspelt required key", {"scenarios": {"baselin": "small.yaml"}},
     "scenarios.baselin: unknown key 'baselin' (did you mean 'baseline'?); allowed: baseline, variants"),
    ("misspelt required key in a scenario ref", {"scenarios": {"baseline": {"fil": "small.yaml"}}},
     "scenarios.baseline.fil: unknown key 'fil' (did you mean 'file'?)"),
    ("a metric for a group no scenario has", {"metrics": ["representation_ratio.females"]},
     "metrics[0]: unknown group 'females' in metric 'representation_ratio.females'; groups: men, women"),
    ("a metric for a misspelt group", {"metrics": ["promotions", "representation_ratio.womn"]},
     "metrics[1]: unknown group 'womn' in metric 'representation_ratio.womn' "
     "(did you mean 'representation_ratio.women'?); groups: men, women"),
    ("a name with a space", {"name": "my exp"},
     "name: 'my exp' may hold only letters a-z, A-Z (no accents), digits, '_', '.', '-'"),
    ("a variant label with an accent", {"scenarios": {"baseline": "small.yaml", "variants": {"équipe": "random.yaml"}}},
     "scenarios.variants.équipe: 'équipe' may hold only letters a-z, A-Z (no accents), digits, '_', '.', '-'"),
    ("a grid of percentages", {"grid": {"behaviour.voice_rate": ["15%"]}},
     "(got '15%'); this is a fraction from 0 to 1: write 0.15 for 15%"),
    # An org-design trial: the refusal the docs promise, not the lever's default group missing from the baseline.
    ("a grid over a lever the baseline does not have", {"grid": {"interventions.mentoring.coverage": [0.2, 0.3]}},
     "grid: interventions.mentoring.coverage is a parameter of the mentoring lever, which the baseline does not "
     "have on: a grid applies to every scenario, so it would switch the lever on in the baseline too"),
    ("a variant of another organisation whose set fails", {"scenarios": {"baseline": "other.yaml", "variants": {
        "m": {"file": "mentoring", "set": {"interventions.mentoring.group": "a"}}}}},
     "scenarios.variants.m.set.interventions.mentoring: group 'a' does not exist; groups: men, women (scenarios/"
     "mentoring.yaml describes another organisation, with groups men, women where the baseline has a, b: a variant "
     "should extend the baseline's file and add interventions:)"),
    ("an organisation file with more people than the headcount leaves positions",
     {"headcount": 100, "scenarios": {"baseline": str(SCENARIOS / "synthetic_org.yaml")}},
     "arm 'synthetic_org': "),
]


@pytest.mark.parametrize(("case", "change", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_experiment_files_give_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       case: str, change: Any, expected: str) -> None:
    path = write_experiment(tmp_path)
    data = yaml.safe_load(path.read_text())
    if change == "DROP:scenarios":
        del data["scenarios"]
    else:
        data.update(change)
    path.write_text(yaml.safe_dump(data))
    code = main(["experiment", "run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert expected in err
    assert str(path) in err
    assert not (tmp_path / "out" / "runs").exists()


def test_a_top_level_years_or_headcount_is_named_as_written(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """``years`` and ``headcount`` are named as the user wrote them: the file's key in ``experiment validate``
    (``years`` was called ``set.years``, a block the file did not have), the option when one was typed."""
    path = write_experiment(tmp_path, years=0.01)
    assert main(["experiment", "validate", str(path)]) == 2
    assert capsys.readouterr().err == (f"promosim experiment: {path}: years: must cover at least one month "
                                       "(1/12 = 0.0833 years); got 0.01\n")
    path = write_experiment(tmp_path, set={"years": 0.01})
    assert main(["experiment", "validate", str(path)]) == 2
    assert f"{path}: set.years: must cover at least one month" in capsys.readouterr().err
    path = write_experiment(tmp_path, headcount=3)
    assert main(["experiment", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: headcount: scenario 'small': " in err and "headcount must be at least 6" in err
    # Typed on the command line, the option is named, not the file (whose headcount is 120 here).
    path = write_experiment(tmp_path, sensitivity={"parameters": {"behaviour.voice_rate": [0.1, 0.3]}})
    for argv in (["experiment", "run", str(path)], ["experiment", "sensitivity", str(path)],
                 ["compare", str(tmp_path / "small.yaml"), str(tmp_path / "random.yaml")]):
        assert main([*argv, "--headcount", "3", "--out", str(tmp_path / "out"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ": command line: --headcount: scenario 'small': " in err, err
        assert "headcount must be at least 6" in err
    assert not (tmp_path / "out").exists()


def test_an_optional_metric_is_allowed_where_an_arm_reports_it(tmp_path: Path) -> None:
    """``global_efficiency`` needs level weights; with them set in an arm it is a metric like any other."""
    path = write_experiment(tmp_path, metrics=["global_efficiency"], scenarios={
        "baseline": "small.yaml", "variants": {"w": {"file": "random.yaml", "set": {
            "metrics.level_weights": [1, 1, 1, 1, 1, 1]}}}})
    assert design_of(path).metrics == ["global_efficiency"]


def test_a_group_metric_may_name_a_group_of_any_arm(tmp_path: Path) -> None:
    (tmp_path / "one_group.yaml").write_text(
        "extends: small.yaml\nname: one_group\ngroups: [{name: all, workforce_share: 1, hiring_share: 1}]\n")
    path = write_experiment(tmp_path, metrics=["representation_ratio.women", "representation_ratio.all"],
                            scenarios={"baseline": "small.yaml", "variants": ["one_group.yaml"]})
    assert design_of(path).metrics == ["representation_ratio.women", "representation_ratio.all"]


@pytest.mark.parametrize("metric", ["promotion_stick_rate.all", "decliner_retention.all", "development_roi.all"])
def test_a_groups_ledger_rate_of_a_one_group_design_is_refused(tmp_path: Path, metric: str) -> None:
    """One group's ledger rates are not in the summary (they are the whole rates): the report said
    "the group had no promotion", and sensitivity left the metric out (a researcher's trial)."""
    (tmp_path / "one_group.yaml").write_text(
        "extends: small.yaml\nname: one_group\ngroups: [{name: all, workforce_share: 1, hiring_share: 1}]\n")
    path = write_experiment(tmp_path, metrics=[metric], scenarios={"baseline": "one_group.yaml",
                                                                   "variants": ["random.yaml"]})
    (tmp_path / "random.yaml").write_text("extends: one_group.yaml\nname: random\npolicy: {name: random}\n")
    prefix = metric.partition(".")[0]
    with pytest.raises(InputError, match=rf"metrics\[0\]: '{re.escape(metric)}': the scenarios have one group, "
                                         rf"'all', .*: name '{prefix}'$"):
        design_of(path)
    sens = {"metrics": [metric], "parameters": {"behaviour.voice_rate": [0.1, 0.2]}}
    with pytest.raises(InputError, match=r"sensitivity\.metrics\[0\]: .*the scenarios have one group"):
        build_sensitivity_design(load_experiment(write_experiment(
            tmp_path, sensitivity=sens, scenarios={"baseline": "one_group.yaml"})), tmp_path / "exp.yaml")


def test_a_share_of_the_top_names_a_group_of_two_or_more() -> None:
    """``top_share.<group>`` is in the summary with two groups or more: one group's share is always 1."""
    assert unknown_metric("top_share.women", ["men", "women"]) is None
    assert unknown_metric("top_share.all", ["all"]) == ("'top_share.all': the scenarios have one group, 'all', who "
                                                        "is everyone at the top (a share of 1): a group's share of "
                                                        "the top is reported with two groups or more")
    assert unknown_metric("top_share.womn", ["men", "women"]) == (
        "unknown group 'womn' in metric 'top_share.womn' (did you mean 'top_share.women'?); groups: men, women")
    assert "top_share.<group>" in (unknown_metric("top_shares", ["men"]) or "")


def test_a_group_ratio_and_its_reciprocal_are_one_question() -> None:
    """Both would join Holm's family, counting one question twice (a review's trial)."""
    from sim.experiment.design import first_unknown_metric  # noqa: PLC0415

    found = first_unknown_metric(["promotion_stick_rate.women/men", "promotion_stick_rate.men/women"])
    assert found == (1, "'promotion_stick_rate.men/women' is 'promotion_stick_rate.women/men' (position 0) upside "
                        "down, the same question; list one of them")


def test_a_group_ratio_of_a_one_group_design_is_named_as_typed() -> None:
    for metric in ("promotion_stick_rate.women/men", "promotion_stick_rate.all/men"):
        assert unknown_metric(metric, ["all"]) == (f"'{metric}': the scenarios have one group, 'all', so there is "
                                                   "no second group's rate to divide by: name 'promotion_stick_rate'")


@pytest.mark.parametrize(("where", "metrics"), [("sensitivity", "sensitivity.metrics"), ("top", "metrics")])
def test_a_sensitivity_metric_for_a_group_no_scenario_has(tmp_path: Path, where: str, metrics: str) -> None:
    sens: dict[str, Any] = {"parameters": {"behaviour.voice_rate": [0.1, 0.2]}}
    top: dict[str, Any] = {}
    (sens if where == "sensitivity" else top)["metrics"] = ["representation_ratio.female"]
    path = write_experiment(tmp_path, sensitivity=sens, **top)
    with pytest.raises(InputError, match=rf"^{path}: {re.escape(metrics)}\[0\]: unknown group 'female'"):
        build_sensitivity_design(load_experiment(path), path)


@pytest.mark.parametrize(("metric", "words"), [
    ("representation_ratio.female", ["--metrics: unknown group 'female'", "groups: men, women"]),
    ("representation_ratio.womn", ["did you mean 'representation_ratio.women'?"]),
    ("representation_ratio.", ["unknown group ''"]),
    # ran every run, then "no value in any run" without saying why (an org-design trial)
    ("global_efficiency", ["--metrics: 'global_efficiency' is computed only when metrics.level_weights is set",
                           "--set metrics.level_weights=[1,2,...]"]),
])
def test_compare_checks_group_metrics_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     metric: str, words: list[str]) -> None:
    write_experiment(tmp_path)
    code = main(["compare", str(tmp_path / "small.yaml"), str(tmp_path / "random.yaml"), "--metrics", metric,
                 "--workers", "1", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("promosim compare: command line: ")
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "out" / "runs").exists()


def test_every_arm_whose_filling_differs_is_filled_before_any_run(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """An arm differing only in its groups is checked too: the file's group values must be its groups."""
    (tmp_path / "org.csv").write_text("id,level,track,manager,group\nH1,Head,management,,a\n"
                                      "J1,Junior,specialist,H1,b\n")
    base = {**TINY, "organisation": {**TINY["organisation"], "source": {"file": "org.csv"}}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "onegroup.yaml").write_text(
        "extends: base.yaml\nname: onegroup\ngroups: [{name: a, workforce_share: 1.0, hiring_share: 1.0}]\n")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "g", "replications": 2, "years": 1, "scenarios": {
        "baseline": "base.yaml", "variants": ["onegroup.yaml"]}}))
    assert main(["experiment", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "arm 'onegroup'" in err and "unknown group 'b'; groups: a" in err, err


def test_a_variant_whose_groups_leave_a_mapping_target_out_is_named_at_once(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A value mapping to a group the variant lacks is a scenario error, named in the variant's file."""
    (tmp_path / "onegroup.yaml").write_text(
        f"extends: {SCENARIOS / 'synthetic_org.yaml'}\nname: onegroup\n"
        "groups: [{name: all, workforce_share: 1.0, hiring_share: 1.0}]\n")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "g", "replications": 2, "years": 1, "scenarios": {
        "baseline": str(SCENARIOS / "synthetic_org.yaml"), "variants": ["onegroup.yaml"]}}))
    assert main(["experiment", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert (f"scenario 'onegroup': {tmp_path / 'onegroup.yaml'}: organisation.source.values.group.F: 'women' is not "
            "a group; groups: all") in err


def test_yaml_syntax_and_non_mapping_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios: [\n")
    with pytest.raises(InputError, match=r"bad.yaml: YAML syntax error at line"):
        load_experiment(bad)
    bad.write_text("- a\n- b\n")
    with pytest.raises(InputError, match="an experiment must be a mapping"):
        load_experiment(bad)
    with pytest.raises(InputError, match="file not found"):
        load_experiment(tmp_path / "missing.yaml")
    for empty in ("", "# nothing yet\n"):  # said "scenarios: required key is missing" (a researcher's trial)
        bad.write_text(empty)
        with pytest.raises(InputError, match=r"bad.yaml: the file is empty \(or holds only comments\): an experiment"):
            load_experiment(bad)


def test_sobol_needs_a_power_of_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_experiment(tmp_path, sensitivity={"samples": 6, "parameters": {"behaviour.voice_rate": [0.1, 0.2]}})
    code = main(["experiment", "sensitivity", str(path), "--method", "sobol", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "sensitivity.samples: sobol needs samples to be a power of two (e.g. 8, 16, 64), got 6: use 4 or 8" in err


def test_sensitivity_without_ranges_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["experiment", "sensitivity", str(write_experiment(tmp_path)), "--quiet"])
    assert code == 2
    assert "has no 'sensitivity' block" in capsys.readouterr().err


def test_validate_mapping_directly() -> None:
    with pytest.raises(InputError, match=r"^x: scenarios.baseline: required key is missing$"):
        validate_experiment({"scenarios": {}}, "x")


def test_bad_experiment_as_a_real_subprocess(tmp_path: Path) -> None:
    """The installed entry point: one line on stderr, exit code 2, no traceback."""
    good = write_experiment(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text() + "replicatons: 3\n")
    out = run_cli("experiment", "validate", good, bad)
    assert f"{good}: ok (2 arms x 4 replications = 8 runs)" in out.stdout
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "unknown key 'replicatons'" in out.stderr
    out = run_cli("compare", BASELINE, tmp_path / "missing.yaml", "--workers", "1", "--out", tmp_path / "o")
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith(f"promosim compare: {tmp_path / 'missing.yaml'}: scenario file not found: no ")
    assert "no shipped scenario of that name (all_levers, baseline," in out.stderr
    assert "peter_principle/peter_best," in out.stderr  # the shipped scenarios in folders too


def test_compare_labels_two_files_of_the_same_name_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line cannot name scenarios: ``a/team.yaml`` and ``b/team.yaml`` become ``team`` and ``team-2``."""
    for folder, policy in (("a", "readiness"), ("b", "random")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "team.yaml").write_text(f"extends: {BASELINE}\npolicy: {{name: {policy}}}\n")
    monkeypatch.chdir(tmp_path)
    spec = comparison_spec("a/team.yaml", ["b/team.yaml"], replications=2, seed=1)
    design = build_design(spec, "command line", base_dir=tmp_path, name="compare")
    assert [(arm.label, arm.content["policy"]["name"]) for arm in design.arms] == [
        ("team", "readiness"), ("team-2", "random")]


def test_compare_refuses_the_same_file_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "team.yaml").write_text(f"extends: {BASELINE}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        comparison_spec("team.yaml", ["mentoring", "./team.yaml"], replications=2, seed=1)
    assert str(err.value) == (
        "command line: scenarios: variant 2 (./team.yaml) is the same file as the baseline (team.yaml): with the "
        "same seeds its runs would repeat those, so every difference would be 0; give different files")


def test_two_variants_that_run_the_same_scenario_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """``compare baseline mentoring --levers mentoring`` ran the lever twice, 30 runs apiece, every row the same."""
    monkeypatch.chdir(ROOT)
    spec = comparison_spec("baseline", ["mentoring"], levers=["mentoring"], replications=2, seed=1)
    with pytest.raises(InputError) as err:
        build_design(spec, "command line", base_dir=ROOT, name="compare")
    assert str(err.value) == ("command line: scenarios: arm 'mentoring-2' runs the same scenario as arm 'mentoring': "
                              "with the same seeds its runs would repeat those; drop one")


def test_compare_makes_a_label_from_a_file_name_with_spaces_or_accents(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line has no way to name a scenario, so ``my scénario.yaml`` is labelled ``my_scenario``."""
    for name, policy in (("my team.yaml", "visibility"), ("my scénario.yaml", "random"), ("my_team.yaml", "best")):
        (tmp_path / name).write_text(f"extends: {BASELINE}\npolicy: {{name: {policy}}}\n")  # each its own
    monkeypatch.chdir(tmp_path)
    spec = comparison_spec("my team.yaml", ["my scénario.yaml", "my_team.yaml"], replications=2, seed=1)
    design = build_design(spec, "command line", base_dir=tmp_path, name="compare")
    assert [arm.label for arm in design.arms] == ["my_team", "my_scenario", "my_team-2"]


def test_an_experiment_label_taken_from_a_file_name_says_how_to_name_it(tmp_path: Path) -> None:
    (tmp_path / "my team.yaml").write_text(f"extends: {BASELINE}\n")
    path = write_experiment(tmp_path, scenarios={"baseline": "small.yaml", "variants": ["my team.yaml"]})
    with pytest.raises(InputError) as err:
        design_of(path)
    assert str(err.value) == (
        f"{path}: scenarios.variants[0]: label 'my team' may hold only letters a-z, A-Z (no accents), digits, '_', "
        "'.', '-'; it comes from the file name: give the scenario a label with 'name:' (or list the variants as "
        "label: file)")


# ---------------------------------------------------------------------------------------------
# Pairs must share their horizon and organisation; run ids follow the stored series


ACME_LEVELS = [{"name": "Analyst", "positions": {"specialist": 60}}, {"name": "Lead", "positions": {"management": 20}}]


def test_compare_refuses_a_variant_on_another_organisation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shipped lever extends the shipped baseline: against a user's organisation it would report the headcount gap."""
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump({"extends": str(BASELINE), "name": "acme",
                                                        "organisation": {"levels": ACME_LEVELS}}))
    monkeypatch.chdir(tmp_path)
    for sizes in ({}, {"years": 2.0, "headcount": 300}):
        spec = comparison_spec("acme.yaml", ["career_conversations"], replications=2, seed=1, **sizes)
        with pytest.raises(InputError) as err:
            build_design(spec, "command line", base_dir=tmp_path, name="compare")
        message = str(err.value)
        assert message.startswith("command line: scenarios: arm 'career_conversations' (career_conversations.yaml) "
                                  "has organisation.levels "
                                  "Associate/Professional/Senior/Manager/Director/Executive with "), message
        assert "but the arm it is paired with, 'acme' (acme.yaml), has Analyst/Lead with " in message
        assert message.endswith("a variant should extend the baseline's scenario file (`extends: acme.yaml`) and add "
                                "`interventions:`, or with `promosim compare` give the levers as `--levers NAME,NAME`")
        assert "\n" not in message
    # What the message offers: the lever on acme's own organisation, labelled by the lever.
    # (Not mentoring: acme's two levels are both key levels, so nobody is below them to mentor.)
    spec = comparison_spec("acme.yaml", [], replications=2, seed=1,
                           levers=["career_conversations", "psychological_safety"])
    design = build_design(spec, "command line", base_dir=tmp_path, name="compare")
    arms = {arm.label: arm for arm in design.arms}
    assert list(arms) == ["acme", "career_conversations", "psychological_safety"]
    for lever in ("career_conversations", "psychological_safety"):
        assert arms[lever].reference == "acme" and list(arms[lever].content["interventions"]) == [lever]
        assert arms[lever].content["organisation"] == arms["acme"].content["organisation"]


def test_years_and_headcount_for_every_arm_and_run_time_levers_still_pair(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """--years/--headcount apply to every arm alike; parallel_ladders changes positions only when a run starts."""
    monkeypatch.chdir(tmp_path)
    spec = comparison_spec("baseline", ["career_conversations", "parallel_ladders"], replications=2, seed=1,
                           years=2.0, headcount=300)
    design = build_design(spec, "command line", base_dir=tmp_path, name="compare")
    assert {arm.content["years"] for arm in design.arms} == {2.0}


def test_a_variant_from_another_organisation_file_is_refused(tmp_path: Path) -> None:
    path = write_experiment(tmp_path)
    csv = tmp_path / "people.csv"
    csv.write_text("id,level\n1,Associate\n")
    data = yaml.safe_load(path.read_text())
    data["scenarios"]["variants"] = {"r": {"file": "random.yaml", "set": {"organisation.source": {"file": str(csv)}}}}
    data["set"] = {"organisation.initial_fill": 1.0}  # a file's positions scale without it: the same positions
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=re.escape("arm 'r' (random.yaml) reads people.csv, but the arm it is "
                                                   "paired with, 'small' (small.yaml), reads no organisation file")):
        design_of(path)


def test_a_grid_over_the_horizon_sweeps_the_baseline(tmp_path: Path) -> None:
    """Two points of one scenario differ by the grid: that is the sweep asked for, not a mismatch."""
    design = design_of(write_experiment(tmp_path, grid={"years": [1, 2]}))
    pairs = [(a.label, a.reference) for a in design.arms]
    assert ("small[years=2]", "small[years=1]") in pairs and ("random[years=2]", "small[years=2]") in pairs


def test_the_stored_timeseries_is_part_of_the_run_id(tmp_path: Path) -> None:
    """A run kept with totals has no per-level rows: a design asking for all must run it again."""
    ids = {mode: [t.run_id for t in design_of(write_experiment(tmp_path, timeseries=mode)).tasks]
           for mode in ("totals", "all", "none")}
    assert len({tuple(v) for v in ids.values()}) == 3
    task = design_of(write_experiment(tmp_path)).tasks[0]  # totals: the ids of folders written before stay
    assert task.run_id == make_run_id(task.scenario, task.content, task.parameters, task.replication, task.seed)


def test_the_run_ids_of_the_shipped_experiment_are_known() -> None:
    """Run ids decide what a resumed folder re-runs; a review found that a new scenario setting had
    changed every id while the docs said old folders resume. When this fails, say in
    docs/experiments.md (*Deterministic run ids*) which change made folders before it re-run, then
    update the id here."""
    path = ROOT / "experiments" / "interventions.yaml"
    task = build_design(load_experiment(path), path).tasks[0]
    assert (task.arm, task.replication, task.run_id) == ("baseline", 0, "296af1b82b38ad1d5742")


def test_a_word_of_a_metric_name_gets_the_metric_suggested() -> None:
    """A researcher's `--metrics stick` got the whole list and no suggestion."""
    with pytest.raises(argparse.ArgumentTypeError, match=r"unknown metric 'stick' \(did you mean "
                                                         r"'promotion_stick_rate'\?\)"):
        metric_list("stick")
    with pytest.raises(argparse.ArgumentTypeError, match=r"unknown metric 'rate'; metrics:"):  # too many to name
        metric_list("rate")


def test_a_metric_listed_twice_on_the_command_line() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="'misread_rate' is listed twice; list each metric once"):
        metric_list("misread_rate,promotions,misread_rate")


def test_a_variant_of_the_baseline_file_may_change_its_positions(tmp_path: Path) -> None:
    """A review found "what if we had more Manager posts?" refused, with the advice to extend the
    baseline's file, which the variant already did; another organisation with the same level
    names is still refused."""
    path = write_experiment(tmp_path)
    levels = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text())["organisation"]["levels"]
    levels[3]["positions"] = {"management": 150}
    (tmp_path / "more_managers.yaml").write_text(yaml.safe_dump(
        {"extends": "small.yaml", "name": "more_managers", "organisation": {"levels": levels}}))
    (tmp_path / "lookalike.yaml").write_text(yaml.safe_dump(
        {"extends": str(BASELINE), "name": "lookalike", "warmup_months": 2, "years": 1,
         "organisation": {"levels": levels}}))
    data = yaml.safe_load(path.read_text())
    data["scenarios"]["variants"] = ["more_managers.yaml"]
    path.write_text(yaml.safe_dump(data))
    design = design_of(path)
    assert [arm.label for arm in design.arms] == ["small", "more_managers"]
    data["scenarios"]["variants"] = ["lookalike.yaml"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=re.escape("arm 'lookalike' (lookalike.yaml) has organisation.levels")):
        design_of(path)


def test_compare_refuses_levers_the_baseline_already_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--levers mentoring`` on a baseline that mentors 60% set mentoring to its defaults (30%) and
    reported it as "Mentoring, switched on": the arms differed only in coverage, or not at all."""
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump({
        "extends": str(BASELINE), "name": "acme", "interventions": {"mentoring": {"coverage": 0.6},
                                                                    "psychological_safety": None}}))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        comparison_spec("acme.yaml", [], replications=2, seed=1, levers=["career_conversations", "mentoring"])
    message = str(err.value)
    assert message.startswith("command line: --levers: the baseline (acme.yaml) already has mentoring on: "), message
    assert "(coverage=0.6 against the defaults)" in message and "drop mentoring from --levers" in message
    with pytest.raises(InputError, match="would be the baseline itself"):  # on at its defaults: identical arms
        comparison_spec("acme.yaml", [], replications=2, seed=1, levers=["psychological_safety"])
    spec = comparison_spec("acme.yaml", [], replications=2, seed=1, levers=["career_conversations"])
    assert list(spec.scenarios.variants) == ["career_conversations"]  # a lever it lacks is still fine
    # In an arm of several levers the others still differ: not "the baseline itself" (a review's trial).
    both = LeverArm((LeverSetting("career_conversations"), LeverSetting("psychological_safety")))
    with pytest.raises(InputError) as err:
        comparison_spec("acme.yaml", [], replications=2, seed=1, levers=[both])
    assert "in --levers career_conversations+psychological_safety, psychological_safety would be as in the " \
           "baseline, not switched on as the report would say; drop psychological_safety from that arm " \
           "(--levers career_conversations)" in str(err.value), err.value
    assert "baseline itself" not in str(err.value)


def test_a_changed_list_of_numbers_is_named_item_by_item() -> None:
    """A variant's level_weights [1, 1, 1, 1, 1, 2] -> [..., 3] was said to change "6 items → 6 items"."""
    before = {"metrics": {"level_weights": [1, 1, 1, 1, 1, 2]}}
    after = {"metrics": {"level_weights": [1, 1, 1, 1, 1, 3]}}
    assert settings_changed(before, after) == ["metrics.level_weights[5] 2 → 3"]
    assert settings_changed({"a": [1, 2]}, {"a": [1, 2, 3]}) == ["a [1, 2] → [1, 2, 3]"]


def test_compare_names_the_levers_own_settings_against_a_baseline_that_has_the_lever(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--levers mentoring:coverage=0.6`` on a baseline mentoring at the defaults was said to be
    "the baseline itself (every difference 0)": the refusal compares with the settings typed."""
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump({
        "extends": str(BASELINE), "name": "acme", "interventions": {"mentoring": None}}))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        comparison_spec("acme.yaml", [], replications=2, seed=1,
                        levers=[LeverArm.of("mentoring", (("coverage", 0.6),))])
    message = str(err.value)
    assert "would differ only in the lever's parameters (coverage=0.3 against coverage=0.6 in --levers " \
           "mentoring:coverage=0.6)" in message, message
    with pytest.raises(InputError, match="would be the baseline itself"):
        comparison_spec("acme.yaml", [], replications=2, seed=1,
                        levers=[LeverArm.of("mentoring", (("coverage", 0.3),))])


def test_a_shipped_experiment_is_named_alone_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Shipped scenarios could be named alone, shipped experiments only by a path from the project's folder:
    from another, ``experiments/interventions.yaml`` was "file not found" and no more (a researcher's trial)."""
    monkeypatch.chdir(tmp_path)
    assert main(["experiment", "validate", "sensitivity"]) == 0
    assert capsys.readouterr().out.startswith(f"{ROOT / 'experiments' / 'sensitivity.yaml'}: ok (1 arm x ")
    assert main(["experiment", "validate", "experiments/sensitivity.yaml"]) == 2  # a path is a path
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert (f"experiments/sensitivity.yaml: file not found in the working folder ({tmp_path}) (did you mean "
            "'sensitivity'?); the shipped experiments, named alone on the command line: interventions, "
            "peter_principle, sensitivity") in err
    (tmp_path / "sensitivity").mkdir()  # a folder of that name here is not taken for the experiment
    assert main(["experiment", "validate", "sensitivity"]) == 2
