"""Sensitivity analysis through SALib: a smoke test of Morris and Sobol' on a small organisation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import BASELINE, ROOT

from sim.cli import main
from sim.experiment.design import load_experiment
from sim.experiment.sensitivity import _sobol_caveat, build_sensitivity_design


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
    assert f"{points} arms x 1 replications = {points} runs" in captured.err
    assert f"{distinct} runs planned, 0 already done, {distinct} ok" in captured.err
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
    assert f"{distinct} already done, 0 ok" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(out / "sensitivity.csv"), indices)
    # The report names the code that made the runs, not the code that last looked at them.
    sessions = (out / "sessions.jsonl").read_text().splitlines()
    first = json.loads(sessions[0])
    assert first["git_revision"] and first["git_revision"] in (out / "sensitivity.md").read_text()
    sessions[0] = json.dumps({**first, "git_revision": "0ld0ld0"})
    (out / "sessions.jsonl").write_text("\n".join(sessions) + "\n")
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert "git `0ld0ld0`" in (out / "sensitivity.md").read_text()
    capsys.readouterr()
    assert main(["experiment", "report", str(out), "--metrics", "misread_rate"]) == 2  # not silently ignored
    assert "--metrics chooses effects of a comparison" in capsys.readouterr().err


def test_the_shipped_sensitivity_experiment_is_valid() -> None:
    path = ROOT / "experiments" / "sensitivity.yaml"
    spec = load_experiment(path)
    design = build_sensitivity_design(spec, path)
    assert design.extra["method"] == "morris"
    assert len(design.arms) == spec.sensitivity.samples * (len(spec.sensitivity.parameters) + 1)
    assert len(design.tasks) <= 100, "the shipped demo should stay quick"


def test_sobol_indices_outside_zero_one_are_flagged() -> None:
    """Shares of variance cannot be negative or above one: such indices say the sample is too small."""
    fine = pd.DataFrame({"S1": [0.2, 0.0], "ST": [0.6, 1.0]})
    assert _sobol_caveat(fine) == []
    small_sample = pd.DataFrame({"S1": [-0.47, 0.1], "ST": [1.32, 0.3]})
    assert "outside [0, 1]" in _sobol_caveat(small_sample)[0]
