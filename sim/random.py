"""Named random streams.

Every stochastic process draws from its own generator, derived from the run seed, the process
name and the month. Switching one mechanism on therefore adds draws only to its own stream and
leaves every other process's numbers untouched: two runs with the same seed differ only where
their rules differ (common random numbers), which is what makes paired comparisons sharp.

Draws over the workforce are always made over the full row capacity and then indexed, so that
the number person *i* receives does not depend on who else is present.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (``hash()`` is salted per process; crc32 is not)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of generators keyed by (seed, process name, step).

    Args:
        seed: The run seed; any non-negative integer.
    """

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)

    def get(self, name: str, step: int = 0) -> np.random.Generator:
        """The generator for process ``name`` at ``step``; the same arguments give the same numbers."""
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name), int(step) % 2**32))
        return np.random.Generator(np.random.PCG64(seq))


def derive_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from one experiment seed, via SeedSequence.spawn."""
    children = np.random.SeedSequence(master_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
