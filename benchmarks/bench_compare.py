"""The engine against the per-agent reference model, timed in the same process.

For each size, builds both models on the same scenario (building includes the warm-up months)
and times their recorded months: employee-steps per second (one person for one month) and the
ratio engine / reference, each the median of ``--repeat`` runs (the machines are shared, so
single timings vary by tens of percent; the range is printed too). The reference is slow at
large sizes, so by default it runs the full horizon only up to 10,000 people (about 35 s at
10k) and otherwise one annual cycle (12 months, which include one review and one promotion
round); its rate per employee-step is then extrapolated to the full horizon, and the table says
so.

    .venv/bin/python benchmarks/bench_compare.py [--sizes 1000 10000] [--years 10]
        [--ref-months N] [--repeat 3] [--scenario baseline] [--seed 1] [--json results.jsonl]

``--json`` appends one JSON line per model and size (read by benchmarks/plot_scaling.py).

Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from reference_model import ReferenceModel  # noqa: E402

from sim import PromotionModel, load_scenario  # noqa: E402


def timed(build: Callable[[], Any], months: int, count: Callable[[Any], int], repeat: int) -> dict[str, float]:
    """Build a model and step ``months`` months, ``repeat`` times; the median run and its spread."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = build()
        t_init = time.perf_counter() - t0
        steps = 0
        t1 = time.perf_counter()
        for _ in range(months):
            model.step()
            steps += count(model)
        t_run = time.perf_counter() - t1
        runs.append({"init_s": t_init, "run_s": t_run, "steps": steps, "rate": steps / t_run})
        del model
    rates = sorted(r["rate"] for r in runs)
    median = sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]
    return {**median, "min_rate": rates[0], "max_rate": rates[-1], "median_rate": statistics.median(rates)}


def row(size: int, name: str, res: dict[str, float], months: int, note: str = "") -> str:
    spread = f"{res['min_rate']:,.0f}-{res['max_rate']:,.0f}"
    return (f"{size:>7} {name:>9} {res['init_s']:>8.2f} {months:>6} {res['run_s']:>8.2f} "
            f"{res['median_rate']:>12,.0f} {spread:>21} {note}")


def main() -> None:
    """Time both models at each size and print a table with the speed ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--ref-months", type=int, default=None,
                        help="recorded months to time the reference for (default: all up to 10,000 people, else 12)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per model and size; the median is reported")
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="append one JSON line per model and size")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"# engine vs per-agent reference: scenario {args.scenario}, {args.years:g} years, seed {args.seed}, "
          f"median of {args.repeat} runs each, python {platform.python_version()}, one process; load average "
          f"at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'size':>7} {'model':>9} {'init s':>8} {'months':>6} {'run s':>8} {'emp-steps/s':>12} "
          f"{'range over runs':>21} note")
    months = round(12 * args.years)
    for size in args.sizes:
        spec = load_scenario(args.scenario, headcount=size, overrides={"years": args.years})
        eng = timed(lambda spec=spec: PromotionModel(scenario=spec, rng=args.seed), months,
                    lambda m: int(m.workforce.active.sum()), args.repeat)
        print(row(size, "engine", eng, months), flush=True)
        ref_months = min(args.ref_months or (months if size <= 10_000 else 12), months)
        ref = timed(lambda spec=spec: ReferenceModel(scenario=spec, rng=args.seed), ref_months,
                    lambda m: len(m.agents), args.repeat)
        note = ""
        if ref_months < months:
            note = (f"timed {ref_months} of {months} months; full run extrapolated: "
                    f"{eng['steps'] / ref['median_rate']:,.0f} s")
        print(row(size, "reference", ref, ref_months, note), flush=True)
        ratio = eng["median_rate"] / ref["median_rate"]
        print(f"{size:>7} {'ratio':>9} engine / reference = {ratio:.1f}x per employee-step (median rates; "
              f"init incl. warm-up: {ref['init_s'] / eng['init_s']:.1f}x)", flush=True)
        if args.json:
            with args.json.open("a", encoding="utf-8") as fh:
                for model, res, done in (("engine", eng, months), ("reference", ref, ref_months)):
                    fh.write(json.dumps({"model": model, "scenario": args.scenario, "size": size, "months": months,
                                         "months_done": done, "employee_steps_per_s": res["median_rate"],
                                         "min_rate": res["min_rate"], "max_rate": res["max_rate"],
                                         "extrapolated": done < months, "loadavg_start": load[0]}) + "\n")


if __name__ == "__main__":
    main()
