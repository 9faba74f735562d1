"""How far each statistical test of tests/test_interventions.py passes by: its margin.

Every change to the engine's random numbers re-draws every run, so a test whose confidence
bound sits just beyond zero can fail after a change that alters no mechanism. This runs the
statistical tests (those that take the ``runs`` fixture) with their own sizes and seeds, records
every effect they assert, and prints them from the narrowest margin up:

    margin = (the CI bound on the asserted side of zero) / (the CI half-width)

A margin m means the mean is (1 + m) half-widths from zero, about (1 + m) * 2 standard errors.
If the true effect were the one measured, re-drawn seeds would pass the test again with
probability about Phi(2 m): a margin of 0.5 fails about one time in six after a random-number
change, 1 about one in forty, 2 almost never (the measured effect is itself uncertain, so read
these as rough). Give a test more replications when its margin is below about 1.

    .venv/bin/python scripts/test_margins.py            # about 40 s on 2 cores
"""

from __future__ import annotations

import inspect
import multiprocessing
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_interventions as suite  # noqa: E402


def main() -> None:
    """Run the statistical tests with their assertions wrapped; print the margins; exit 1 if any fails."""
    records: list[tuple[float, str, str, str]] = []
    current = [""]

    def recording(side: str, check: Callable[[suite.Effect], None]) -> Callable[[suite.Effect], None]:
        def wrapped(effect: suite.Effect) -> None:
            low, high = effect.ci
            half = (high - low) / 2
            beyond = low if side == "up" else -high
            margin = beyond / half if half > 0 else float("inf")
            records.append((margin, current[0], effect.name, f"{effect.mean:+.4f} [{low:+.4f}, {high:+.4f}], "
                                                              f"n={effect.diff.size}"))
            check(effect)
        return wrapped

    suite.assert_up = recording("up", suite.assert_up)
    suite.assert_down = recording("down", suite.assert_down)
    method = "fork" if threading.active_count() == 1 else "spawn"
    failed = 0
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
        runs = suite.Runs(pool)
        for name, test in inspect.getmembers(suite, inspect.isfunction):
            if not name.startswith("test_") or list(inspect.signature(test).parameters) != ["runs"]:
                continue
            current[0] = name
            try:
                test(runs)
            except AssertionError as exc:
                failed += 1
                print(f"FAILS {name}: {str(exc).splitlines()[0]}")
    print("margin  test  effect")
    for margin, test_name, metric, figures in sorted(records):
        print(f"{margin:6.2f}  {test_name}  {metric}: {figures}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
