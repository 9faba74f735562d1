"""Named random streams.

Every stochastic process draws from its own generator, derived from the run seed, the process
name and the month. Switching one mechanism on therefore adds draws only to its own stream and
leaves every other process's numbers untouched: two runs with the same seed differ only where
their rules differ (common random numbers), which is what makes paired comparisons sharp.

A generator's draws over the workforce are made over the full row capacity and then indexed, so
that the number person *i* receives does not depend on who else is present.

The per-person phases (signals, beliefs, learning, exits, step-backs) and the drawing of new
people draw inside their compiled loops instead, from counter-based numbers: person row ``i``'s
``j``-th number of a phase that draws ``k`` per row is a hash of (stream key, ``k * i + j``),
computed on the spot (``uniform``, ``normal``, ``beta``). No array of draws is made and no
generator state is carried, the number is still tied to its row, and the stream key comes from
the same (seed, name, month) as the generator (``Streams.key``).

Full-capacity draws are most of a month's cost at scale, so rare events do not get draws of
their own: an event that happens when ``u < p`` leaves ``u / p`` uniform on [0, 1) for the
people it happened to (``rescaled``), and that one uniform can be split into a few more by its
bits (``split_part``). Both keep every number tied to its row, so common random numbers hold.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from typing import Any

import numba
import numpy as np

from sim.compiled import jit

if numba.config.DISABLE_JIT:  # as plain Python, numpy warns at every 64-bit wrap the hash relies on
    warnings.filterwarnings("ignore", "overflow encountered in scalar", RuntimeWarning, module=r".*sim[/\\.]random$")

_MASK_128 = (1 << 128) - 1
_COUNTER_HASH = hashlib.blake2b(digest_size=8, person=b"promosim.counter")


class Streams:
    """Factory of generators keyed by (seed, process name, step).

    A stream's PCG64 state and increment are the two halves of a BLAKE2b hash of
    ``(seed, name, step)``: any change of seed, name or month gives an unrelated stream, the
    same three give the same numbers on any machine. Each name keeps one generator object that
    is re-seeded by ``get``, since building a new one cost more than a whole month of a small
    model's arithmetic (about 65 us against 6 us for the hash and re-seeding).

    Each name also keeps its hashes fed with the seed and the name (``_prefixed``): a hash
    taken in parts is the hash of the whole, so only the month is hashed at each call, which
    took a third off a key (about ten are taken a month).

    Args:
        seed: The run seed; any non-negative integer.
    """

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}
        self._prefixes: dict[tuple[str, bool], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (and copied) without the kept hashes, which cannot be; they are made again on use."""
        return {**self.__dict__, "_prefixes": {}}

    def _prefixed(self, name: str, counter: bool) -> Any:
        """A fresh copy of ``name``'s hash (``get``'s, or ``key``'s if ``counter``) fed with the seed and name."""
        prefix = self._prefixes.get((name, counter))
        if prefix is None:
            prefix = _COUNTER_HASH.copy() if counter else hashlib.blake2b(digest_size=32)
            prefix.update(f"{self.seed}\x1f{name}\x1f".encode())
            self._prefixes[(name, counter)] = prefix
        return prefix.copy()

    def get(self, name: str, step: int = 0) -> np.random.Generator:
        """The generator for process ``name`` at ``step``, from its first number.

        The same object is handed out again (re-seeded) at the next ``get`` of the same name,
        so use it before asking for that name again; each phase asks once a month.
        """
        h = self._prefixed(name, counter=False)
        h.update(str(int(step)).encode())  # the BLAKE2b of f"{seed}\x1f{name}\x1f{step}"
        digest = h.digest()
        state = int.from_bytes(digest[:16], "little") & _MASK_128
        inc = int.from_bytes(digest[16:], "little") | 1
        gen = self._generators.get(name)
        if gen is None:
            gen = self._generators[name] = np.random.Generator(np.random.PCG64(0))
        gen.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0,
        }
        return gen

    def key(self, name: str, step: int = 0) -> np.uint64:
        """The 64-bit key of process ``name`` at ``step`` for counter-based draws (``uniform``, ``normal``).

        Hashed from the same (seed, name, step) as ``get``'s generator, with BLAKE2b's
        personalisation set apart, so the key and the generator's numbers are unrelated.
        """
        h = self._prefixed(name, counter=True)
        h.update(str(int(step)).encode())  # the keyed BLAKE2b of f"{seed}\x1f{name}\x1f{step}"
        return np.uint64(int.from_bytes(h.digest(), "little"))


class LazyStream:
    """A phase's stream for one month, made on first use.

    Most phases draw inside compiled loops (``Streams.key``) and never touch their generator,
    yet re-seeding one costs about 8 us: with a dozen phases and lever hooks a month, that was
    a tenth of a 1,000-person month. This stands in for ``Streams.get(name, step)`` and makes
    the generator when an attribute is first asked for, so the numbers are the same.
    """

    __slots__ = ("_gen", "_name", "_step", "_streams")

    def __init__(self, streams: Streams, name: str, step: int):
        self._streams, self._name, self._step = streams, name, step
        self._gen: np.random.Generator | None = None

    def __getattr__(self, attr: str) -> object:
        if self._gen is None:
            self._gen = self._streams.get(self._name, self._step)
        return getattr(self._gen, attr)


# -- counter-based draws, for compiled loops ----------------------------------------------------
# SplitMix64 (Steele, Lea & Flood 2014): a Weyl sequence through a 64-bit finaliser. Counter c
# of key k gives the (c + 1)-th output of the SplitMix64 generator started at k, a sequence that
# passes BigCrush; each number costs two multiplications and three shifts.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@jit
def bits(key: np.uint64, counter: int) -> np.uint64:
    """64 random bits for (``key``, ``counter``).

    The key is cast: numba compiles a version per argument type, and with a plain (signed)
    integer key the arithmetic would be signed and its shifts would copy the sign bit.
    """
    z = np.uint64(key) + (np.uint64(counter) + np.uint64(1)) * _GOLDEN
    return _finalise(z)


@jit
def _finalise(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@jit
def uniform(key: np.uint64, counter: int) -> float:
    """A uniform on [0, 1) with 53 random bits, for (``key``, ``counter``)."""
    return float(bits(key, counter) >> np.uint64(11)) * _DOUBLE_UNIT


@jit
def _next_bits(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    """One step of a SplitMix64 sequence: (the new state, its 64 random bits)."""
    state = state + _GOLDEN
    return state, _finalise(state)


@jit
def _open_uniform(z: np.uint64) -> float:
    """A uniform on (0, 1) from 64 bits (for logarithms)."""
    return (float(z >> np.uint64(11)) + 0.5) * _DOUBLE_UNIT


def _ziggurat_tables(n: int = 128, r: float = 3.442619855899, area: float = 9.91256303526217e-3) -> tuple:
    """Layer tables of Marsaglia & Tsang's (2000) ziggurat for the standard normal, ``n`` layers.

    ``r`` is where the base layer's tail starts and ``area`` each layer's area; both are the
    published constants for 128 layers. Returned: integer thresholds on a 31-bit magnitude
    (``k``), the scale from that magnitude to x (``w``), and the density at each layer's edge (``f``).
    """
    scale = 2.0**31
    k, w, f = np.zeros(n, np.int64), np.zeros(n), np.zeros(n)
    q = area / math.exp(-0.5 * r * r)
    k[0] = int((r / q) * scale)
    w[0], w[n - 1] = q / scale, r / scale
    f[0], f[n - 1] = 1.0, math.exp(-0.5 * r * r)
    x, outer = r, r
    for i in range(n - 2, 0, -1):
        x = math.sqrt(-2.0 * math.log(area / x + math.exp(-0.5 * x * x)))
        k[i + 1] = int((x / outer) * scale)
        outer = x
        f[i] = math.exp(-0.5 * x * x)
        w[i] = x / scale
    return k, w, f


_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()
_ZIG_R = 3.442619855899
_LAYER_MASK = np.uint64(127)


@jit
def normal(key: np.uint64, counter: int) -> float:
    """A standard normal for (``key``, ``counter``), by the ziggurat method (``normal_of``)."""
    return normal_of(bits(key, counter))


@jit
def normal_of(z: np.uint64) -> float:
    """A standard normal from the 64 random bits ``z``, by the ziggurat method.

    The low 7 bits pick the layer and the high 32 give a signed magnitude, so layer and value
    come from separate bits. About 99 % of draws return at the first test; the rest go on in
    ``_normal_beyond``. Keeping that rare path out of this function halves its cost (the
    compiler keeps the common path short).
    """
    layer = z & _LAYER_MASK
    magnitude = np.int64(z >> np.uint64(32)) - 2147483648
    if abs(magnitude) < _ZIG_K[layer]:
        return magnitude * _ZIG_W[layer]
    return _normal_beyond(z, layer, magnitude)


@jit
def _normal_beyond(z: np.uint64, layer: np.uint64, magnitude: int) -> float:
    """The ziggurat's rare path (base-layer tail or wedge test), continuing the SplitMix64 sequence from ``z``."""
    while True:
        x = magnitude * _ZIG_W[layer]
        z = _next_bits(z)[1]
        if layer == 0:  # the tail beyond r, by Marsaglia's (1964) method
            while True:
                tail = -math.log(_open_uniform(z)) / _ZIG_R
                z = _next_bits(z)[1]
                y = -math.log(_open_uniform(z))
                z = _next_bits(z)[1]
                if y + y >= tail * tail:
                    return _ZIG_R + tail if magnitude > 0 else -_ZIG_R - tail
        edge = _ZIG_F[layer] + _open_uniform(z) * (_ZIG_F[layer - 1] - _ZIG_F[layer])
        if edge < math.exp(-0.5 * x * x):
            return x
        z = _next_bits(z)[1]  # a new (layer, magnitude), as a fresh draw
        layer = z & _LAYER_MASK
        magnitude = np.int64(z >> np.uint64(32)) - 2147483648
        if abs(magnitude) < _ZIG_K[layer]:
            return magnitude * _ZIG_W[layer]


@jit
def _gamma(state: np.uint64, shape: float) -> tuple[float, np.uint64]:
    """A Gamma(``shape``, 1) variate from the SplitMix64 sequence at ``state``: (value, new state).

    Marsaglia & Tsang's (2000) method: a cubed, shifted normal accepted against a uniform,
    about 1.03 tries a draw for any shape. A shape below 1 draws Gamma(shape + 1) and scales it
    by ``u ** (1 / shape)``, their boost for small shapes.
    """
    boost = shape < 1.0
    a = shape + 1.0 if boost else shape
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        state, z = _next_bits(state)
        x = normal_of(z)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        state, z = _next_bits(state)
        u = _open_uniform(z)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            break
    g = d * v
    if boost:
        state, z = _next_bits(state)
        g *= _open_uniform(z) ** (1.0 / shape)
    return g, state


@jit
def beta(key: np.uint64, counter: int, a: float, b: float) -> float:
    """A Beta(``a``, ``b``) variate for (``key``, ``counter``): X / (X + Y) of two gammas.

    The gammas' tries continue a SplitMix64 sequence started at the counter's bits, so the
    draw takes one counter however many tries it needs. Should both gammas underflow to 0
    (shapes far below 1), the limit of the distribution is drawn: 1 with probability a / (a + b).
    """
    state = bits(key, counter)
    x, state = _gamma(state, a)
    y, state = _gamma(state, b)
    if x + y > 0.0:
        return x / (x + y)
    state, z = _next_bits(state)
    return 1.0 if _open_uniform(z) < a / (a + b) else 0.0


def key_from(rng: np.random.Generator) -> np.uint64:
    """A key for counter-based draws taken from a generator, for code that holds a stream, not a key."""
    return np.uint64(rng.integers(0, 2**64, dtype=np.uint64))


@jit
def counter_draws(key: np.uint64, counters: np.ndarray, normals: bool = False) -> np.ndarray:
    """``uniform`` (or ``normal``) for each counter, as an array: the numbers a compiled loop draws.

    For tests, and for numpy code that must see the same numbers as a loop.
    """
    out = np.empty(counters.size)
    for i in range(counters.size):
        out[i] = normal(key, counters[i]) if normals else uniform(key, counters[i])
    return out


_BELOW_ONE = float(np.nextafter(1.0, 0.0))


@jit
def rescaled_one(u: float, p: float) -> float:
    """A uniform ``u`` already known to be below ``p``, stretched back to [0, 1).

    Given ``u < p``, ``u / p`` is uniform on [0, 1), so a follow-up event among those people
    ("the failure was penalised") needs no draw of its own. A ``p`` above 1 (a probability
    formula that overshoots) counts as 1: the event is certain and ``u`` is uniform already.
    """
    return min(u / min(p, 1.0), _BELOW_ONE)


@jit
def _rescaled_each(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    out = np.empty(u.size)
    for i in range(u.size):
        out[i] = rescaled_one(u[i], p[i])
    return out


def rescaled(u: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """``rescaled_one`` for each of ``u`` (``p`` one probability for all, or one each)."""
    u = np.asarray(u, dtype=np.float64)
    return _rescaled_each(u, np.broadcast_to(np.asarray(p, dtype=np.float64), u.shape))


# Bit offsets used by ``split_part``: the first uniform is the value itself, the next ones start
# 1 and 21 bits further down, so each has about 20 bits of its own (a resolution near 1e-6).
_SPLIT_SHIFTS = (0, 1, 21)
_SPLIT_SCALES = np.array([0.0] + [float(2**k) for k in _SPLIT_SHIFTS[1:]])


@jit
def split_part(v: float, k: int) -> float:
    """The ``k``-th (0, 1 or 2) of the uniforms read from the successive bits of uniform ``v``.

    The first is ``v`` itself; the others are ``frac(v * 2**shift)``, which depend on the first
    only through bits below its own resolution. A double from a rescaled rare event keeps about
    45 random bits when ``p`` is 1e-3, more than the 41 these read; rates below about 1e-6
    would leave the last one coarse.
    """
    if k == 0:
        return v
    if k < 0 or k >= _SPLIT_SCALES.size:  # numba does not check bounds
        raise ValueError("split_part reads at most 3 uniforms (k = 0, 1 or 2)")
    x = v * _SPLIT_SCALES[k]
    return x - math.floor(x)  # v >= 0: the fractional part, exactly


def derive_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from one experiment seed, via SeedSequence.spawn."""
    children = np.random.SeedSequence(master_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
