"""benchmarks/probe_simd.py, whose figures docs/performance.md quotes, runs and prints every row."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np

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


def test_the_probe_draws_uniforms_with_32_bit_arithmetic() -> None:
    """Its hash must stay 32-bit (numba widens integer arithmetic), or it measures 64-bit multiplications."""
    sys.path.insert(0, str(PROBE.parent))
    try:
        import probe_simd  # noqa: PLC0415
    finally:
        sys.path.remove(str(PROBE.parent))

    @numba.njit
    def hash_one(key: np.uint32, counter: int) -> np.uint32:
        return probe_simd._hash32(key, counter)

    @numba.njit
    def uniforms(n: int) -> np.ndarray:
        out = np.empty(n, np.float32)
        for i in range(n):
            out[i] = probe_simd._u(np.uint32(7), i)
        return out

    hash_one(np.uint32(1), 5)
    assert hash_one.nopython_signatures[0].return_type == numba.uint32
    u = uniforms(200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005  # 8 standard errors of the mean of 200,000 uniforms
