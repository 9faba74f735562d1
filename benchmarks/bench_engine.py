"""Employee-steps per second and peak memory of the engine, by workforce size.

Each size runs in a fresh subprocess so that its peak resident memory is its own. Prints one
line per size; nothing is asserted (speed lives here, not in tests).

    .venv/bin/python benchmarks/bench_engine.py [--sizes 1000 10000 100000] [--years 10]
        [--scenario baseline]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time


def one(scenario: str, size: int, years: float, seed: int) -> dict[str, float]:
    """Run one size in this process and report its figures."""
    from sim import PromotionModel, load_scenario

    spec = load_scenario(scenario, headcount=size, overrides={"years": years})
    t0 = time.perf_counter()
    model = PromotionModel(scenario=spec, rng=seed)
    t_init = time.perf_counter() - t0
    months = round(12 * years)
    employee_steps = 0
    t1 = time.perf_counter()
    for _ in range(months):
        model.step()
        employee_steps += int(model.workforce.active.sum())
    t_run = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "size": size,
        "headcount": int(model.workforce.active.sum()),
        "months": months,
        "init_s": t_init,
        "run_s": t_run,
        "employee_steps_per_s": employee_steps / t_run,
        "peak_mb": peak_mb,
    }


def main() -> None:
    """Run every size in a subprocess and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.scenario, args.one, args.years, args.seed)))
        return
    print(f"# promosim engine benchmark: scenario {args.scenario}, {args.years:g} years, "
          f"python {platform.python_version()}, {platform.machine()}, one core")
    print(f"{'size':>8} {'headcount':>9} {'init s':>7} {'run s':>7} {'emp-steps/s':>13} {'peak MB':>8}")
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "--years", str(args.years),
               "--scenario", args.scenario, "--seed", str(args.seed)]
        out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(f"{out['size']:>8} {out['headcount']:>9} {out['init_s']:>7.2f} {out['run_s']:>7.2f} "
              f"{out['employee_steps_per_s']:>13,.0f} {out['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
