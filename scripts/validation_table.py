"""Per-strategy efficiency change with 95% CIs from a Peter-principle experiment folder.

.venv/bin/python scripts/validation_table.py results/peter_principle
"""

from __future__ import annotations

import sys

import numpy as np
import pyarrow.dataset as ds
from scipy import stats


def main(folder: str) -> None:
    """Print a markdown table: hypothesis, strategy, mean change, 95% CI, n."""
    table = ds.dataset(f"{folder}/summaries", format="parquet", partitioning="hive").to_table().to_pandas()
    rows = table[table["metric"] == "global_efficiency_change"]
    print("| hypothesis | strategy | mean change (points) | 95% CI | n |")
    print("|---|---|---:|---|---:|")
    for arm in ["peter_best", "peter_worst", "peter_random", "peter_mixed", "common_sense_best",
                "common_sense_worst", "common_sense_random", "common_sense_mixed"]:
        values = rows[rows["scenario"] == arm]["value"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
        hyp, strategy = arm.rsplit("_", 1)
        print(f"| {hyp.replace('_', ' ')} | {strategy} | {values.mean():+.2f} | "
              f"[{values.mean() - half:+.2f}, {values.mean() + half:+.2f}] | {len(values)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/peter_principle")
