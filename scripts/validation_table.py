"""Per-strategy efficiency change with 95% CIs from a Peter-principle experiment folder.

.venv/bin/python scripts/validation_table.py results/peter_principle

Only the runs of the folder's current design (``experiment.json``) that succeeded are counted:
a folder keeps every run ever written to it, so a trial (``--replications 2 --years 5``) run into
the same folder would otherwise be pooled with the full experiment's 60-year runs, silently
changing the published means and intervals.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from sim.errors import InputError
from sim.experiment.analysis import run_values
from sim.experiment.store import ResultStore

ARMS = ["peter_best", "peter_worst", "peter_random", "peter_mixed", "common_sense_best",
        "common_sense_worst", "common_sense_random", "common_sense_mixed"]


def efficiency_changes(folder: str) -> dict[str, np.ndarray]:
    """Each arm's ``global_efficiency_change`` over the design's successful runs, NaN dropped.

    Raises:
        InputError: The folder is not an experiment's, or one without any of the Peter principle arms.
    """
    store = ResultStore(folder)
    design = store.design()
    labels = [str(arm.get("label")) for arm in design.get("arms") or []]
    if not set(ARMS) & set(labels):
        # Another experiment's folder printed a table of dashes with n = 0, exit code 0.
        raise InputError(f"has none of the Peter principle arms ({', '.join(ARMS)}), so it is not a run of "
                         f"experiments/peter_principle.yaml; its arms: {', '.join(labels) or 'none'}", source=folder)
    values = run_values(store, design)
    rows = values[values["metric"] == "global_efficiency_change"]
    out = {}
    for arm in ARMS:
        x = rows.loc[rows["arm"] == arm, "value"].to_numpy(dtype=float)
        out[arm] = x[np.isfinite(x)]
    return out


def table_lines(folder: str) -> list[str]:
    """A markdown table: hypothesis, strategy, mean change, 95% CI, n."""
    lines = ["| hypothesis | strategy | mean change (points) | 95% CI | n |", "|---|---|---:|---|---:|"]
    for arm, values in efficiency_changes(folder).items():
        hyp, strategy = arm.rsplit("_", 1)
        name = f"| {hyp.replace('_', ' ')} | {strategy} |"
        if len(values) < 2:
            lines.append(f"{name} — | — | {len(values)} |")
            continue
        half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
        lines.append(f"{name} {values.mean():+.2f} | [{values.mean() - half:+.2f}, {values.mean() + half:+.2f}] | "
                     f"{len(values)} |")
    return lines


def main(folder: str) -> int:
    """Print the table; a folder without an experiment is one line and exit code 2."""
    try:
        print("\n".join(table_lines(folder)))
    except InputError as exc:
        print(f"validation_table: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/peter_principle"))
