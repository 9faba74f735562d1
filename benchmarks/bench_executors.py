"""Runs per minute for the baseline (about 1,000 people, 10 years): in process vs the process pool.

Not a timed test: it prints figures and asserts nothing, because the numbers depend on the
machine and on what else runs on it. Both executors go through the real runner and store (a
temporary folder), so the figure is what an experiment gets, pool start-up included.

    python benchmarks/bench_executors.py                 # 2 rounds of 8 runs each, pool on all cores
    python benchmarks/bench_executors.py --runs 16 --workers 2 --rounds 3
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

from sim.experiment.design import Arm, Design, make_tasks
from sim.experiment.executor import ExecutorSpec, available_cores
from sim.experiment.runner import run_design
from sim.random import derive_seeds
from sim.scenario import load_scenario


def baseline_design(runs: int, years: float) -> Design:
    """``runs`` replications of the shipped baseline, as an experiment design."""
    scenario = load_scenario("baseline", overrides={"years": years})
    content = scenario.model_dump(mode="json")
    arm = Arm(label="baseline", scenario="baseline", point=0, parameters={}, source="scenarios/baseline.yaml",
              content=content)
    seeds = derive_seeds(1, runs)
    return Design(name="bench", kind="comparison", source="benchmark", description="", seed=1, replications=runs,
                  seeds=seeds, years=years, headcount=None, metrics=None, timeseries="totals", arms=[arm],
                  tasks=make_tasks([arm], seeds, "totals"))


def measure(design: Design, spec: ExecutorSpec) -> float:
    """Runs per minute through the runner and a fresh store."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        stats = run_design(design, Path(tmp) / "out", spec, metadata={})
        elapsed = time.perf_counter() - start
    if stats.failed:
        raise SystemExit(f"{stats.failed} runs failed; the benchmark needs a working engine")
    return 60.0 * stats.ok / elapsed


def _spin(n: int) -> float:
    """Pure CPU work; returns its own wall time."""
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i
    return time.perf_counter() - start


def machine_ceiling(workers: int, n: int = 5_000_000) -> float:
    """The speed-up ``workers`` processes get on pure CPU work right now (other load lowers it).

    On a shared machine the pool cannot beat this, so it is printed beside the pool's figure.
    """
    alone = _spin(n)
    ctx = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        pool.submit(int).result()
        start = time.perf_counter()
        list(pool.map(_spin, [n] * workers))
        together = time.perf_counter() - start
    return workers * alone / together


def main() -> None:
    """Print runs per minute sequentially and with the pool, and the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs per executor (default 8)")
    parser.add_argument("--workers", type=int, default=available_cores(), help="pool size (default: all cores)")
    parser.add_argument("--years", type=float, default=10.0, help="simulated years (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating measurements of each (default 2)")
    args = parser.parse_args()
    design = baseline_design(args.runs, args.years)
    people = sum(sum(lv["positions"].values()) for lv in design.arms[0].content["organisation"]["levels"])
    print(f"baseline: {people} positions, {args.years:g} years, {args.runs} runs per executor; "
          f"{available_cores()} cores available, load average {os.getloadavg()[0]:.2f}")
    # Alternate the two, so that a change in the machine's other load hits both alike.
    seq_rates, pool_rates = [], []
    for r in range(1, args.rounds + 1):
        seq_rates.append(measure(design, ExecutorSpec(kind="sequential")))
        pool_rates.append(measure(design, ExecutorSpec(kind="processes", workers=args.workers)))
        print(f"round {r}: sequential {seq_rates[-1]:6.1f} runs/min, pool {pool_rates[-1]:6.1f} runs/min "
              f"({pool_rates[-1] / seq_rates[-1]:.2f}x)")
    sequential, pool = statistics.median(seq_rates), statistics.median(pool_rates)
    print(f"sequential (in process):          {sequential:7.1f} runs/min (median of {args.rounds})")
    print(f"process pool ({args.workers} workers):          {pool:7.1f} runs/min (median of {args.rounds})")
    print(f"speed-up: {pool / sequential:.2f}x (target on 2 cores: 1.8x or more)")
    print(f"machine ceiling now: {machine_ceiling(args.workers):.2f}x for {args.workers} processes of pure CPU work "
          f"(below {args.workers}x when other work shares the cores); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
