"""Batch experiments: replications, paired comparisons, sweeps, sensitivity analysis, Dask.

The pipeline reads one way (see docs/experiments.md)::

    experiments/*.yaml -> design -> executor -> runner -> store -> analysis -> report

Python use::

    from sim.experiment import load_experiment, build_design, run_design, analyse
    path = "experiments/interventions.yaml"
    design = build_design(load_experiment(path), path)
    run_design(design, "results/interventions")      # resumable: skips finished runs
    analysis = analyse("results/interventions")      # effects.csv, means.csv, plots, report.md

Names are imported on first use, so that ``promosim run`` (whose parser lists these commands)
does not pay for pandas, pyarrow, scipy and matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Design": "design",
    "RunTask": "design",
    "build_design": "design",
    "load_experiment": "design",
    "make_run_id": "design",
    "ExecutorSpec": "executor",
    "RunOutcome": "executor",
    "execute_run": "executor",
    "RunStats": "runner",
    "run_design": "runner",
    "ResultStore": "store",
    "paired_effects": "analysis",
    "paired_stats": "analysis",
    "run_values": "analysis",
    "analyse": "report",
    "analyse_sensitivity": "sensitivity",
    "build_sensitivity_design": "sensitivity",
}
__all__ = [
    "Design",
    "ExecutorSpec",
    "ResultStore",
    "RunOutcome",
    "RunStats",
    "RunTask",
    "analyse",
    "analyse_sensitivity",
    "build_design",
    "build_sensitivity_design",
    "execute_run",
    "load_experiment",
    "make_run_id",
    "paired_effects",
    "paired_stats",
    "run_design",
    "run_values",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first access."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.experiment' has no attribute '{name}'")
    return getattr(importlib.import_module(f"sim.experiment.{_EXPORTS[name]}"), name)
