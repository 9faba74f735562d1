"""Two versions of the engine side by side: alternating fresh processes, best of a few runs each.

This shared machine gives the same command rates ±30 % apart minutes apart, so a change worth
5 % cannot be seen by benchmarking before and after. This runs the versions in turn (A then B,
B then A, ...), each pair close in time, and reports every pair's ratio: a change is real when the
ratio leans the same way in every pair.

Each version is a git revision (exported with ``git archive`` into a temporary directory) or
the path of a source tree (``.`` for the working tree, uncommitted edits included). Every
process loads that version's compiled loops first (from the compile cache, or compiling them
once: the cache is per version, see ``sim/compiled.py``), then builds the model and times
``--months`` recorded months ``--runs`` times, keeping the shortest (process time, one core).

    .venv/bin/python benchmarks/bench_versions.py HEAD~1 . [--size 100000] [--months 48]
        [--pairs 3] [--runs 3] [--scenario baseline]

With ``--experiment-runs MODE`` each process times instead what one run of an experiment costs
a worker: ``execute_run`` of the scenario at ``--size`` people for its own years (warm-up
included) and the time series ``MODE`` (``totals``, an experiment's default, ``all`` or
``none``, a sensitivity analysis's), one run per seed 1..``--runs``, keeping the shortest:

    .venv/bin/python benchmarks/bench_versions.py bdc9219 . --experiment-runs totals --size 1000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Run in each version's own process, with that version first on sys.path.
_TIMER = """
import json, sys, time
from sim import PromotionModel, load_scenario
from sim.allocator import keep_freed_memory
keep_freed_memory()
size, months, runs, scenario = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
warm = PromotionModel(scenario=load_scenario(scenario, headcount=300), rng=1)
for _ in range(13):
    warm.step()
best, people = float("inf"), 0
for _ in range(runs):
    model = PromotionModel(scenario=load_scenario(scenario, headcount=size), rng=1)
    start = time.process_time()
    for _ in range(months):
        model.step()
    best = min(best, time.process_time() - start)
    people = int(model.workforce.active.sum())
    del model
print(json.dumps({"seconds": best, "people": people}))
"""


# One experiment run as a worker makes it (``--experiment-runs``), in the version's own process.
_RUN_TIMER = """
import json, sys, time
from sim.experiment.design import RunTask
from sim.experiment.executor import execute_run
from sim.scenario import load_scenario
size, runs, scenario, mode = int(sys.argv[1]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
content = load_scenario(scenario, headcount=size).model_dump(mode="json")
def task(seed):
    return RunTask(run_id=str(seed), arm="a", scenario="a", point=0, parameters={}, replication=seed, seed=seed,
                   content=content, timeseries=mode)
execute_run(task(0))
best = float("inf")
for seed in range(1, runs + 1):
    start = time.process_time()
    outcome = execute_run(task(seed))
    best = min(best, time.process_time() - start)
    assert outcome.status == "ok", outcome.error
print(json.dumps({"seconds": best, "people": size}))
"""


def source_of(version: str, scratch: Path) -> Path:
    """The directory holding ``version``'s ``sim`` and ``scenarios``: the path itself, or the revision exported."""
    path = Path(version)
    if (path / "sim").is_dir():
        return path.resolve()
    revision = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{version}^{{commit}}"],
        check=False, capture_output=True, text=True,
    )
    if revision.returncode != 0:
        raise SystemExit(f"bench_versions.py: '{version}' is neither a source tree nor a git revision of {REPO}")
    target = scratch / revision.stdout.strip()[:12]
    if not target.exists():
        archive = scratch / "export.tar"
        subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), version, "sim", "scenarios"],
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        archive.unlink()
    return target


def best_time(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    """One fresh process of the version in ``tree``: its shortest run."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    timer, extra = (_RUN_TIMER, [args.experiment_runs]) if args.experiment_runs else (_TIMER, [])
    done = subprocess.run(
        [sys.executable, "-c", timer, str(args.size), str(args.months), str(args.runs), args.scenario, *extra],
        check=False, env=env, capture_output=True, text=True, cwd=tree,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_versions.py: the version in {tree} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", help="the first version: a git revision, or a source tree ('.')")
    parser.add_argument("b", help="the second version")
    parser.add_argument("--size", type=int, default=100_000, help="workforce size (default 100000)")
    parser.add_argument("--months", type=int, default=48, help="recorded months per run (default 48)")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs of processes (default 3)")
    parser.add_argument("--runs", type=int, default=3, help="runs per process; the shortest counts (default 3)")
    parser.add_argument("--scenario", default="baseline", help="scenario name or file (default baseline)")
    parser.add_argument("--experiment-runs", choices=("totals", "all", "none"), metavar="MODE",
                        help="time one experiment run each (execute_run, the scenario's years, --months unused) "
                             "keeping the time series MODE: totals, all or none")
    args = parser.parse_args()
    if min(args.size, args.months, args.pairs, args.runs) < 1:
        parser.error("--size, --months, --pairs and --runs must be positive")
    if Path(args.scenario).is_file():  # each version runs in its own folder
        args.scenario = str(Path(args.scenario).resolve())
    with tempfile.TemporaryDirectory(prefix="bench-versions-") as scratch:
        trees = {name: source_of(name, Path(scratch)) for name in (args.a, args.b)}
        what = (f"one experiment run (time series {args.experiment_runs})" if args.experiment_runs
                else f"{args.months} months")
        print(f"# {args.scenario}, {args.size:,} people, {what}, best of {args.runs} runs a process, "
              f"process time; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'pair':>4} {args.a:>14} {args.b:>14}   {'b / a time':>10}")
        ratios = []
        for pair in range(1, args.pairs + 1):
            # A first in odd pairs, B first in even ones, so a drift of the machine favours neither.
            order = (args.a, args.b) if pair % 2 else (args.b, args.a)
            timed = {name: best_time(trees[name], args) for name in order}
            first, second = timed[args.a], timed[args.b]
            ratios.append(second["seconds"] / first["seconds"])
            if args.experiment_runs:  # seconds a run
                print(f"{pair:>4} {first['seconds']:>12.3f} s {second['seconds']:>12.3f} s   {ratios[-1]:>10.3f}")
                continue
            rate_a, rate_b = (r["people"] * args.months / r["seconds"] / 1e6 for r in (first, second))
            print(f"{pair:>4} {rate_a:>12.2f} M {rate_b:>12.2f} M   {ratios[-1]:>10.3f}")
        print(f"median b / a time {statistics.median(ratios):.3f} (below 1: b is faster); "
              f"b faster in {sum(r < 1 for r in ratios)} of {len(ratios)} pairs")


if __name__ == "__main__":
    main()
