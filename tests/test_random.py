"""Named streams and the reuse of rare events' draws (sim/random.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.random import Streams, rescaled, split

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
    first, second, third = split(uniforms(), 3)
    for part in (first, second, third):
        assert part.min() >= 0.0 and part.max() < 1.0
        assert abs(np.mean(part < 0.5) - 0.5) < TOL
    # The parts are unrelated: each quadrant of two parts holds a quarter of the draws.
    for a, b in ((first, second), (first, third), (second, third)):
        assert abs(np.mean((a < 0.5) & (b < 0.5)) - 0.25) < TOL
    with pytest.raises(ValueError):
        split(uniforms(), 4)
