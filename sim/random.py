"""Named random streams.

Every stochastic process draws from its own generator, derived from the run seed, the process
name and the month. Switching one mechanism on therefore adds draws only to its own stream and
leaves every other process's numbers untouched: two runs with the same seed differ only where
their rules differ (common random numbers), which is what makes paired comparisons sharp.

Draws over the workforce are always made over the full row capacity and then indexed, so that
the number person *i* receives does not depend on who else is present.

Full-capacity draws are most of a month's cost at scale, so rare events do not get draws of
their own: an event that happens when ``u < p`` leaves ``u / p`` uniform on [0, 1) for the
people it happened to (``rescaled``), and that one uniform can be split into a few more by its
bits (``split``). Both keep every number tied to its row, so common random numbers hold.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MASK_128 = (1 << 128) - 1


class Streams:
    """Factory of generators keyed by (seed, process name, step).

    A stream's PCG64 state and increment are the two halves of a BLAKE2b hash of
    ``(seed, name, step)``: any change of seed, name or month gives an unrelated stream, the
    same three give the same numbers on any machine. Each name keeps one generator object that
    is re-seeded by ``get``, since building a new one cost more than a whole month of a small
    model's arithmetic (about 65 us against 6 us for the hash and re-seeding).

    Args:
        seed: The run seed; any non-negative integer.
    """

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def get(self, name: str, step: int = 0) -> np.random.Generator:
        """The generator for process ``name`` at ``step``, from its first number.

        The same object is handed out again (re-seeded) at the next ``get`` of the same name,
        so use it before asking for that name again; each phase asks once a month.
        """
        digest = hashlib.blake2b(f"{self.seed}\x1f{name}\x1f{int(step)}".encode(), digest_size=32).digest()
        state = int.from_bytes(digest[:16], "little") & _MASK_128
        inc = int.from_bytes(digest[16:], "little") | 1
        gen = self._generators.get(name)
        if gen is None:
            gen = self._generators[name] = np.random.Generator(np.random.PCG64(0))
        gen.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0,
        }
        return gen


def rescaled(u: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Uniforms ``u`` already known to be below ``p``, stretched back to [0, 1).

    Given ``u < p``, ``u / p`` is uniform on [0, 1), so a follow-up event among those people
    ("the failure was penalised") needs no draw of its own. A ``p`` above 1 (a probability
    formula that overshoots) counts as 1: the event is certain and ``u`` is uniform already.
    """
    return np.minimum(u / np.minimum(p, 1.0), np.nextafter(1.0, 0.0))


# Bit offsets used by ``split``: the first uniform is the value itself, the next ones start
# 1 and 21 bits further down, so each has about 20 bits of its own (a resolution near 1e-6).
_SPLIT_SHIFTS = (0, 1, 21)


def split(v: np.ndarray, n: int) -> list[np.ndarray]:
    """``n`` (up to 3) uniforms from each uniform in ``v``, read from successive bits.

    The first is ``v`` itself; the others are ``frac(v * 2**k)``, which depend on the first only
    through bits below its own resolution. A double from a rescaled rare event keeps about 45
    random bits when ``p`` is 1e-3, more than the 41 these read; rates below about 1e-6 would
    leave the last one coarse.
    """
    if n > len(_SPLIT_SHIFTS):
        raise ValueError(f"split gives at most {len(_SPLIT_SHIFTS)} uniforms")
    return [v if k == 0 else np.modf(v * float(2**k))[0] for k in _SPLIT_SHIFTS[:n]]


def derive_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from one experiment seed, via SeedSequence.spawn."""
    children = np.random.SeedSequence(master_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
