"""Named streams and the reuse of rare events' draws (sim/random.py)."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from sim.random import Streams, beta, counter_draws, key_from, rescaled, split_part

N = 400_000
# Three standard errors of a proportion near 0.5 over N draws.
TOL = 3 * 0.5 / np.sqrt(N)


def uniforms(seed: int = 7) -> np.ndarray:
    return np.random.Generator(np.random.PCG64(seed)).random(N)


def test_streams_repeat_for_the_same_key_and_differ_otherwise() -> None:
    s = Streams(5)
    a = s.get("x", 3).random(4)
    assert np.array_equal(a, s.get("x", 3).random(4))
    assert not np.array_equal(a, s.get("x", 4).random(4))
    assert not np.array_equal(a, s.get("y", 3).random(4))
    assert not np.array_equal(a, Streams(6).get("x", 3).random(4))
    with pytest.raises(ValueError):
        Streams(-1)


@pytest.mark.parametrize("p", [0.3, 0.9, 1.0, 1.28, 2.0])
def test_a_rescaled_draw_is_uniform_given_the_event(p: float) -> None:
    """Given u < p, the follow-up event with probability q happens with probability q, also when a
    probability formula overshoots 1 (the event is then certain)."""
    u = uniforms()
    hit = u[u < p]
    v = rescaled(hit, np.full(hit.size, p))
    assert v.min() >= 0.0 and v.max() < 1.0
    for q in (0.1, 0.5, 0.9):
        assert abs(np.mean(v < q) - q) < 3 * np.sqrt(q * (1 - q) / hit.size), (p, q)


def test_split_gives_uniform_and_unrelated_parts() -> None:
    u = uniforms()[:100_000]
    first, second, third = (np.array([split_part(v, k) for v in u]) for k in range(3))
    assert np.array_equal(first, u)
    for part in (first, second, third):
        assert part.min() >= 0.0 and part.max() < 1.0
        assert abs(np.mean(part < 0.5) - 0.5) < 3 * np.sqrt(0.25 / u.size)
    # The parts are unrelated: each quadrant of two parts holds a quarter of the draws.
    for a, b in ((first, second), (first, third), (second, third)):
        assert abs(np.mean((a < 0.5) & (b < 0.5)) - 0.25) < 3 * np.sqrt(0.1875 / u.size)
    with pytest.raises(ValueError):
        split_part(0.5, 3)


# -- counter-based draws (the compiled phases' numbers) -------------------------------------------
# The keys are fixed, so these checks are deterministic; the thresholds are the usual 1e-3 of a
# test that a sound generator passes 999 times in 1000 (checked over other keys while writing).
COUNTERS = np.arange(N)


def test_stream_keys_repeat_for_the_same_key_and_differ_otherwise() -> None:
    s = Streams(5)
    key = s.key("x", 3)
    assert key.dtype == np.uint64 and key == Streams(5).key("x", 3)
    assert len({key, s.key("x", 4), s.key("y", 3), Streams(6).key("x", 3)}) == 4


def test_counter_uniforms_are_uniform_and_serially_unrelated() -> None:
    """One-dimensional KS, then pairs of successive counters (a row's two draws) on a 16 x 16 grid."""
    u = counter_draws(Streams(1).key("signals", 5), COUNTERS)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    cells = np.bincount((u[0::2] * 16).astype(int) * 16 + (u[1::2] * 16).astype(int), minlength=256)
    assert stats.chisquare(cells).pvalue > 1e-3
    other = counter_draws(Streams(1).key("signals", 6), COUNTERS)
    assert abs(np.corrcoef(u, other)[0, 1]) < 3 / np.sqrt(N)


def test_counter_normals_are_standard_normal_into_the_tails() -> None:
    """KS over the whole range, and the share beyond 2, 3 and the ziggurat's base layer (3.44)."""
    z = counter_draws(Streams(2).key("beliefs", 9), COUNTERS, normals=True)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    for t in (2.0, 3.0, 3.442619855899):
        expected = 2 * stats.norm.sf(t) * N
        assert abs(np.count_nonzero(np.abs(z) > t) - expected) < 4 * np.sqrt(expected), t
    assert abs(np.mean(z > 0) - 0.5) < TOL


@numba.njit(cache=False)
def _betas(key: np.uint64, n: int, a: float, b: float) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        out[i] = beta(key, i, a, b)
    return out


@pytest.mark.parametrize(("a", "b"), [(2.0, 2.0), (0.3, 0.8), (5.0, 1.5), (30.0, 70.0), (1.0, 1.0)])
def test_counter_betas_follow_the_beta_distribution(a: float, b: float) -> None:
    """KS against scipy's Beta, across shapes below 1 (the boosted gammas), at 1, and large."""
    x = _betas(Streams(4).key("hiring", 2), 200_000, a, b)
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert stats.kstest(x, stats.beta(a, b).cdf).pvalue > 1e-3
    # the draw for a counter is fixed: the same key and counter give the same number
    assert _betas(Streams(4).key("hiring", 2), 5, a, b).tolist() == x[:5].tolist()


def test_key_from_takes_one_number_of_the_stream() -> None:
    gen = Streams(3).get("initialise")
    key = key_from(gen)
    assert key.dtype == np.uint64
    again = Streams(3).get("initialise")
    assert key_from(again) == key and key_from(again) != key


def test_a_plain_integer_key_draws_as_its_unsigned_value() -> None:
    """numba compiles per argument type; a Python int key must not turn the arithmetic signed."""
    counters = np.arange(50_000)
    signed, unsigned = counter_draws(5, counters), counter_draws(np.uint64(5), counters)
    assert signed.tolist() == unsigned.tolist()
    assert abs(signed.mean() - 0.5) < 0.01
    assert _betas(5, 5, 2.0, 2.0).tolist() == _betas(np.uint64(5), 5, 2.0, 2.0).tolist()
