"""Employee-steps per second and peak memory of the engine, by workforce size and scenario.

Each (scenario, size) runs in a fresh subprocess so that its peak resident memory is its own.
Prints one line per run; nothing is asserted (speed lives here, not in tests). An
employee-step is one person for one recorded month; the rate is over the recorded months only
(``init s`` is building the organisation plus the warm-up months). Before that, each subprocess
runs the same scenario at 300 people for 26 recorded months, untimed, so that loading the compiled
loops from numba's cache (about 0.3-0.5 s, once per process, whatever the size) is reported as
``load s`` rather than spread over the measured months; ``--cold`` skips it and charges the
loading to the run it happens in.

    .venv/bin/python benchmarks/bench_engine.py [--sizes 1000 10000 100000 1000000] [--years 10]
        [--scenario baseline all_levers] [--max-seconds S] [--json results.jsonl]
        [--profile OUT.prof] [--phases] [--cold]

``--max-seconds`` stops a run once its recorded months have taken that long and reports how far
it got (the rate is over the months done), for sizes too large to finish. ``--json`` appends one
JSON line per run (read by benchmarks/plot_scaling.py). ``--profile`` runs cProfile over the
recorded months of each run (one size at a time, please) and prints the top functions by own
time to stderr. ``--phases`` times each phase of the schedule (wall clock, no profiler
overhead) over the recorded months and prints each phase's share to stderr. Figures are
recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def time_phases(model: object) -> dict[str, float]:
    """Wrap the model's ``_phase`` so each phase's wall time is summed (the engine is untouched)."""
    spent: dict[str, float] = defaultdict(float)
    original = model._phase

    def timed(name: str, work: object) -> None:
        t0 = time.perf_counter()
        original(name, work)
        spent[name] += time.perf_counter() - t0

    model._phase = timed
    return spent


def one(scenario: str, size: int, years: float, seed: int, max_seconds: float | None,
        profile: str | None, phases: bool = False, cold: bool = False) -> dict[str, float | str]:
    """Run one size in this process and report its figures."""
    t_load = time.perf_counter()
    from sim import PromotionModel, load_scenario  # noqa: PLC0415 (imported in the child only)

    if not cold:
        small = PromotionModel(scenario=load_scenario(scenario, headcount=300), rng=seed)
        # Past the longest settle window (development's 24 months), where the ledger rates' loop
        # (``_tally_window``) first runs: 13 months left it to load, or compile, in the timed months.
        for _ in range(26):
            small.step()
    t_load = time.perf_counter() - t_load
    spec = load_scenario(scenario, headcount=size, overrides={"years": years})
    t0 = time.perf_counter()
    model = PromotionModel(scenario=spec, rng=seed)
    t_init = time.perf_counter() - t0
    init_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    months = round(12 * years)
    done = 0
    employee_steps = 0
    profiler = cProfile.Profile() if profile else None
    spent = time_phases(model) if phases else None
    t1 = time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(months):
        model.step()
        employee_steps += int(model.workforce.active.sum())
        done += 1
        if max_seconds is not None and time.perf_counter() - t1 > max_seconds:
            break
    if profiler:
        profiler.disable()
    t_run = time.perf_counter() - t1
    if profiler:
        profiler.dump_stats(profile)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
        print(text.getvalue(), file=sys.stderr)
    if spent is not None:
        total = sum(spent.values())
        print(f"phase shares over {done} months ({t_run:.2f} s, phases {total:.2f} s):", file=sys.stderr)
        for name, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {name:12} {sec:7.3f} s  {100 * sec / t_run:5.1f} %", file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "scenario": scenario,
        "size": size,
        "positions": int(model.org.n_slots),
        "headcount": int(model.workforce.active.sum()),
        "months": months,
        "months_done": done,
        "load_s": t_load,
        "init_s": t_init,
        "run_s": t_run,
        "employee_steps": employee_steps,
        "employee_steps_per_s": employee_steps / t_run,
        "init_peak_mb": init_mb,
        "peak_mb": peak_mb,
    }


def main() -> None:
    """Run every (scenario, size) in a subprocess and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--scenario", nargs="+", default=["baseline"],
                        help="one or more scenarios, e.g. baseline all_levers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="stop a run after this many seconds of recorded months")
    parser.add_argument("--json", type=Path, default=None, help="append one JSON line per run to this file")
    parser.add_argument("--profile", default=None, help="cProfile the recorded months into this file")
    parser.add_argument("--phases", action="store_true", help="print each phase's share of the time")
    parser.add_argument("--cold", action="store_true",
                        help="do not load the compiled loops before timing (see the module docstring)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.scenario[0], args.one, args.years, args.seed, args.max_seconds, args.profile,
                             args.phases, args.cold)))
        return
    load = os.getloadavg()
    print(f"# promosim engine benchmark: {args.years:g} years, seed {args.seed}, python "
          f"{platform.python_version()}, {platform.machine()}, one core; load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'scenario':>11} {'size':>8} {'headcount':>9} {'months':>7} {'load s':>7} {'init s':>8} {'run s':>8} "
          f"{'emp-steps/s':>13} {'peak MB':>8}")
    for scenario in args.scenario:
        for size in args.sizes:
            cmd = [sys.executable, __file__, "--one", str(size), "--years", str(args.years),
                   "--scenario", scenario, "--seed", str(args.seed)]
            if args.max_seconds is not None:
                cmd += ["--max-seconds", str(args.max_seconds)]
            if args.profile:
                cmd += ["--profile", args.profile]
            if args.phases:
                cmd += ["--phases"]
            if args.cold:
                cmd += ["--cold"]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
                print(f"{scenario:>11} {size:>8} failed with exit code {proc.returncode}: {last}")
                continue
            out = json.loads(proc.stdout.splitlines()[-1])
            out["loadavg_start"] = load[0]
            months = f"{out['months_done']}/{out['months']}"
            print(f"{scenario:>11} {out['size']:>8} {out['headcount']:>9} {months:>7} {out['load_s']:>7.2f} "
                  f"{out['init_s']:>8.2f} "
                  f"{out['run_s']:>8.2f} {out['employee_steps_per_s']:>13,.0f} {out['peak_mb']:>8.0f}", flush=True)
            if args.profile or args.phases:
                print(proc.stderr, file=sys.stderr, flush=True)
            if args.json:
                with args.json.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
