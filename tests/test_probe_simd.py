"""benchmarks/probe_simd.py, whose figures docs/performance.md quotes, runs and prints every row."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).resolve().parents[1] / "benchmarks" / "probe_simd.py"
ROWS = ("clock", "signals", "beliefs", "learning", "exits", "sum")


def test_the_probe_prints_both_costs_for_every_loop() -> None:
    out = subprocess.run(
        [sys.executable, str(PROBE), "--size", "2000", "--repeats", "1"],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout
    for name in ROWS:
        row = re.search(rf"^{name}\s+(\S+)\s+(\S+)$", out, re.MULTILINE)
        assert row, f"no row for {name} in:\n{out}"
        assert all(float(cost) > 0 for cost in row.groups()), row.group(0)


def test_the_probe_refuses_a_size_below_one() -> None:
    run = subprocess.run(
        [sys.executable, str(PROBE), "--size", "0"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert "--size and --repeats must be positive" in run.stderr
