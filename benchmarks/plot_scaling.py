"""Plot employee-steps per second against workforce size, from benchmark JSON lines.

Reads the JSON lines written by ``bench_engine.py --json FILE`` (the engine, one line per
scenario and size) and ``bench_compare.py --json FILE`` (engine and reference in one process),
and draws one line per model and scenario on log-log axes, with the targets of issue 7 (5M
employee-steps/s at 10k, 20M at 100k) as stars. Runs timed over part of the horizon
(``--max-seconds``, or the reference's ``--ref-months``) are drawn as hollow markers (their
rate is per employee-step over the months timed). When several files hold the same model,
scenario and size, the later file wins.

    .venv/bin/python benchmarks/plot_scaling.py /tmp/scaling.jsonl [/tmp/compare.jsonl]
        [--out docs/img/scaling.png]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {10_000: 5e6, 100_000: 20e6}


def load(paths: list[Path]) -> dict[tuple[str, str], list[dict]]:
    """Records grouped by (model, scenario); a later record for the same size replaces an earlier one."""
    series: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                series[(rec.get("model", "engine"), rec.get("scenario", "baseline"))][int(rec["size"])] = rec
    return {key: [by_size[s] for s in sorted(by_size)] for key, by_size in series.items()}


def plot(series: dict[tuple[str, str], list[dict]], out: Path, title: str) -> None:
    """Draw the figure and save it as PNG."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    styles = {"engine": "-", "reference": "--"}
    any_partial = False
    for (model, scenario), recs in sorted(series.items()):
        sizes = [r["size"] for r in recs]
        rates = [r["employee_steps_per_s"] for r in recs]
        (line,) = ax.plot(sizes, rates, styles.get(model, ":"), label=f"{model}, {scenario}")
        for r in recs:
            partial = r.get("months_done", r.get("months", 0)) < r.get("months", 0)
            any_partial = any_partial or partial
            ax.plot(r["size"], r["employee_steps_per_s"], "o", color=line.get_color(),
                    markerfacecolor="none" if partial else line.get_color())
    ax.plot(list(TARGETS), list(TARGETS.values()), "*", color="crimson", markersize=12, label="target (issue 7)")
    if any_partial:
        ax.plot([], [], "o", color="grey", markerfacecolor="none", label="timed over part of the run")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("workforce size (people)")
    ax.set_ylabel("employee-steps per second (one core)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(f"wrote {out}")


def main() -> None:
    """Read the JSON lines files and write the plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "scaling.png")
    parser.add_argument("--title", default="promosim: employee-steps per second by workforce size (10 years, monthly)")
    args = parser.parse_args()
    plot(load(args.files), args.out, args.title)


if __name__ == "__main__":
    main()
