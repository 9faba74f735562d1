"""What the monthly per-person loops would cost rewritten for SIMD: a probe, not the model.

docs/performance.md names one route to 20 M employee-steps/s at 100k: ``float32`` columns, a
random number generator built from 32-bit operations, and loops without branches, so that the
compiler can run 8 rows at once. This measures that route before anyone rewrites the engine
for it. Each loop below does the arithmetic of one of the engine's monthly phases (clock,
signals, beliefs, learning, exit hazard and the leaving draw) on synthetic ``float32`` columns,
with a 32-bit counter hash for uniforms and a sum of four uniforms standing in for a normal.
The coefficients are placeholders: the numbers it computes mean nothing, only its speed does.

Each loop runs twice: with the per-group lookups the engine's loops make (voice suppression
and rating bias by the person's group, the uid heading their team), and with the same values
already in per-row columns (which the engine would then have to keep up to date). Whether a
loop has such lookups decides whether the compiler runs several rows at once.

    .venv/bin/python benchmarks/probe_simd.py [--size 100000] [--repeats 15]

Compare with ``benchmarks/bench_loops.py``, the engine's own loops timed the same way.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable

import numpy as np
from bench_loops import best_of
from numba import float32, int32, njit, uint32

F32 = np.float32


@njit(inline="always")
def _hash32(key, counter):
    """32 random bits for (key, counter): a multiplicative hash of 32-bit operations (SIMD-friendly).

    Every step is cast back to 32 bits: numba widens integer arithmetic to 64 bits, and a
    64-bit multiplication is what AVX2 cannot do several of at once.
    """
    x = uint32(uint32(counter) * uint32(0x9E3779B9) + uint32(key))
    x = uint32(x ^ (x >> uint32(16)))
    x = uint32(x * uint32(0x7FEB352D))
    x = uint32(x ^ (x >> uint32(15)))
    x = uint32(x * uint32(0x846CA68B))
    return uint32(x ^ (x >> uint32(16)))


@njit(inline="always")
def _u(key, counter):
    """A uniform on [0, 1) from the top 24 bits (through int32: AVX2 converts signed integers only)."""
    return float32(int32(_hash32(key, counter) >> uint32(8))) * float32(1.0 / 16777216.0)


@njit(inline="always")
def _n(key, counter):
    """About a standard normal (Irwin-Hall of four uniforms): the cost floor of any normal."""
    s = _u(key, 4 * counter) + _u(key, 4 * counter + 1) + _u(key, 4 * counter + 2) + _u(key, 4 * counter + 3)
    return (s - float32(2.0)) * float32(1.7320508)


def kernels(lookup: bool) -> dict[str, Callable]:
    """The loops, compiled with or without the per-group lookups (``lookup`` is a constant to the compiler).

    Each loop takes the columns it uses as arguments (``main`` passes them by name): read
    through a tuple inside a loop, each column costs a reference count per row.
    """

    @njit
    def clock(active, age, tenure, time_in_role, wait, k, month):
        """Age, tenure, time in role, the wait for a later move."""
        for i in range(active.size):
            on = active[i] != 0
            age[i] += float32(on) * float32(1.0 / 12.0)
            tenure[i] += on
            time_in_role[i] += on
            wait[i] -= on & (wait[i] > 0)

    @njit
    def signals(
        active, risk, ambition, visibility, wait, masking, voiced, last_voice, group_suppression, group,
        row_suppression, k, month
    ):
        """Masking, speaking up, risks taken and failed (two uniforms)."""
        for i in range(active.size):
            on = active[i] != 0
            afraid = min(max(risk[i] * float32(1.0), float32(0.0)), float32(1.0))
            aspiring = on & (ambition[i] >= float32(0.5))
            masks = aspiring & (afraid > ambition[i])
            suppression = group_suppression[group[i]] if lookup else row_suppression[i]
            p_voice = float32(0.3) * (float32(0.25) + float32(0.75) * visibility[i]) * (float32(1.0) - suppression)
            p_voice *= float32(1.0) - float32(0.5) * float32(wait[i] > 0)
            voices = aspiring & ~masks & (_u(k[0], 2 * i) < p_voice)
            masking[i] = masks
            voiced[i] = voices
            last_voice[i] = month if voices else last_voice[i]
            p_risk = float32(0.05) * (float32(1.0) - afraid)
            u = _u(k[0], 2 * i + 1)
            takes = on & (u < p_risk)
            fails = takes & (u < p_risk * float32(0.3))
            risk[i] *= float32(1.0) - float32(0.02) * float32(takes & ~fails)

    @njit
    def beliefs(
        active, competence, engagement, visibility, voiced, group_bias, group, row_bias, lead_uid, boss_slot,
        row_boss, b_manager, b_interest, b_ready, told_at, k, month
    ):
        """A rating with noise (one normal), a new manager's reset, silence or voice, readiness."""
        for i in range(active.size):
            on = active[i] != 0
            performance = competence[i] * (float32(0.7) + float32(0.3) * engagement[i])
            bias = group_bias[group[i]] if lookup else row_bias[i]
            rating = performance + bias + _n(k[1], i)
            boss = lead_uid[boss_slot[i]] if lookup else row_boss[i]
            new = on & (boss >= 0) & (boss != b_manager[i])
            b_manager[i] = boss if new else b_manager[i]
            interest = float32(0.5) if new else b_interest[i]
            ready = rating if new else b_ready[i]
            heard = interest + float32(0.5) * (float32(1.0) - interest)
            silent = interest * float32(0.97) if month - told_at[i] >= 12 else interest
            interest = heard if (voiced[i] != 0) else silent
            evidence = float32(3.0) * visibility[i] + float32(0.7) * rating
            b_interest[i] = interest if on else b_interest[i]
            b_ready[i] = ready + float32(0.2) * (evidence - ready) if on else b_ready[i]

    @njit
    def learning(
        active, engagement, wants_mgmt, mgmt_ready, spec_ready, competence, ambition, base_engagement,
        unwanted, k, month
    ):
        """Readiness, competence, ambition's drift (one uniform), engagement."""
        for i in range(active.size):
            on = float32(active[i] != 0)
            e = engagement[i]
            gain = float32(0.05) * e * on
            to_mgmt = wants_mgmt[i] != 0
            mgmt_ready[i] = min(mgmt_ready[i] + gain * float32(to_mgmt), float32(10.0))
            spec_ready[i] = min(spec_ready[i] + gain * float32(not to_mgmt), float32(10.0))
            competence[i] += float32(0.01) * max(float32(10.0) - competence[i], float32(0.0)) * e * on
            a = ambition[i] + (_u(k[2], i) * float32(0.1) - float32(0.05)) * on
            ambition[i] = min(max(a, float32(0.0)), float32(1.0))
            e += float32(0.1) * (base_engagement[i] - e) * on
            engagement[i] = max(e - float32(0.02) * float32(unwanted[i] != 0), float32(0.0))

    @njit
    def exits(active, engagement, passed_over_at, leaving, k, month):
        """The exit hazard and the leaving draw (one uniform)."""
        for i in range(active.size):
            gap = float32(1.0) - engagement[i]
            recent = float32((month - passed_over_at[i]) < 12)
            hazard = float32(0.01) * (float32(1.0) + float32(2.0) * recent) * (float32(1.0) + float32(3.0) * gap * gap)
            leaving[i] = (_u(k[3], i) < hazard) & (active[i] != 0)

    return {"clock": clock, "signals": signals, "beliefs": beliefs, "learning": learning, "exits": exits}


def columns(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Synthetic columns of ``n`` rows, by name."""
    rng = np.random.default_rng(seed)
    teams = max(n // 6, 1)
    floats = (
        "age",
        "ambition",
        "risk",
        "visibility",
        "engagement",
        "base_engagement",
        "competence",
        "mgmt_ready",
        "spec_ready",
        "b_interest",
        "b_ready",
        "row_suppression",
        "row_bias",
    )
    ints = ("tenure", "time_in_role", "wait", "last_voice", "told_at", "passed_over_at")
    flags = ("masking", "voiced", "wants_mgmt", "unwanted", "leaving")
    data: dict[str, np.ndarray] = {name: rng.random(n).astype(F32) for name in floats}
    data |= {name: rng.integers(0, 50, n).astype(np.int32) for name in ints}
    data |= {name: rng.integers(0, 2, n).astype(np.uint8) for name in flags}
    data["active"] = (rng.random(n) < 0.97).astype(np.uint8)
    data["group"] = rng.integers(0, 2, n).astype(np.int8)
    data["boss_slot"] = rng.integers(0, teams, n).astype(np.int32)
    data["b_manager"] = rng.integers(0, teams, n).astype(np.int32)
    data["row_boss"] = rng.integers(0, teams, n).astype(np.int32)
    data["lead_uid"] = rng.integers(0, teams, teams + 1).astype(np.int32)
    data["group_suppression"] = np.array([0.0, 0.2], F32)
    data["group_bias"] = np.array([0.0, -0.1], F32)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="rows (default 100000)")
    parser.add_argument("--repeats", type=int, default=15, help="calls per loop; the fastest counts")
    args = parser.parse_args()
    if args.size < 1 or args.repeats < 1:
        parser.error("--size and --repeats must be positive")
    c = columns(args.size)
    keys = np.array([11, 22, 33, 44], np.uint32)
    variants = [kernels(lookup=True), kernels(lookup=False)]
    print(f"# float32, 32-bit hash, branch-free; {args.size:,} rows, best of {args.repeats} (process time), ns a row")
    print(f"{'loop':10s} {'group lookups':>14s} {'per-row columns':>16s}")
    totals = [0.0, 0.0]
    for name in variants[0]:
        cost = []
        for loops in variants:
            loop = loops[name]
            used = [c[column] for column in list(inspect.signature(loop.py_func).parameters)[:-2]]
            loop(*used, keys, 5)  # compile
            cost.append(best_of(lambda loop=loop, used=used: loop(*used, keys, 5), args.repeats) / args.size * 1e9)
        totals = [t + x for t, x in zip(totals, cost, strict=True)]
        print(f"{name:10s} {cost[0]:14.1f} {cost[1]:16.1f}")
    print(f"{'sum':10s} {totals[0]:14.1f} {totals[1]:16.1f}")


if __name__ == "__main__":
    main()
