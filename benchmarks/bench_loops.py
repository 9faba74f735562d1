"""Each monthly phase timed alone on the same state: the floor of a month's per-person cost.

``bench_engine.py --phases`` times the phases inside real months, where each phase finds the
caches holding the previous phase's columns. This calls each monthly phase function on its own,
again and again on the same model (best of ``--repeats``, process time), so its figure is what
that phase's per-person arithmetic costs at best. Their sum bounds from below what any month can
cost without changing the arithmetic: docs/performance.md compares it with the 50 ns a
person-month that 20 M employee-steps/s allows.

    .venv/bin/python benchmarks/bench_loops.py [--size 100000] [--repeats 15]

Repeating a phase on the same state moves that state on (beliefs drift, some people leave),
which is harmless for timing; the model is thrown away afterwards.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sim import PromotionModel, behaviour, managers, promotions
from sim.allocator import keep_freed_memory


def best_of(work: Callable[[], object], repeats: int) -> float:
    """Shortest process time of ``repeats`` calls, in seconds (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="workforce size (default 100000)")
    parser.add_argument("--repeats", type=int, default=15, help="calls per phase; the fastest counts")
    parser.add_argument("--months", type=int, default=14, help="months simulated before timing")
    args = parser.parse_args()
    if args.size < 1 or args.repeats < 1 or args.months < 1:
        parser.error("--size, --repeats and --months must be positive")
    keep_freed_memory()
    model = PromotionModel(scenario="baseline", rng=1, headcount=args.size)
    for _ in range(args.months):
        model.step()
    rows = model.workforce.capacity
    phases: dict[str, Callable[[], object]] = {
        "clock": lambda: behaviour.advance_clock(model, None),
        "signals": lambda: behaviour.emit_signals(model, None),
        "beliefs": lambda: managers.update_beliefs(model, None),
        "learning": lambda: behaviour.learn(model, None),
        "exit hazard": lambda: behaviour.exit_hazard(model),
        "outcomes": lambda: promotions.settle_promotions(model, None),
        "measure": model.recorder.measure,
    }
    print(f"# each monthly phase alone, baseline, {rows:,} rows, best of {args.repeats} (process time)")
    total = 0.0
    for name, work in phases.items():
        seconds = best_of(work, args.repeats)
        total += seconds
        print(f"{name:12s} {seconds * 1e3:8.3f} ms {seconds / rows * 1e9:7.1f} ns a row")
    print(f"{'sum':12s} {total * 1e3:8.3f} ms {total / rows * 1e9:7.1f} ns a row "
          f"(20 M employee-steps/s allows 50 ns a row for the whole month)")


if __name__ == "__main__":
    main()
