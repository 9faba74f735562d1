"""Compiled inner loops: one numba set-up for every phase that runs per person.

The per-person phases (signals, beliefs, learning, exits, measurement) each update a few dozen
columns for every row. Written as numpy expressions they make one full-length pass, and one
temporary array, per operator: about 150 passes a month, which capped the engine near 3.5 M
employee-steps per second. Written as one loop over rows and compiled, a phase reads each
column once. The loops live beside the phase they belong to (``behaviour.py``, ``managers.py``,
``metrics.py``); this module only fixes how they are compiled.

Compiled code is cached on disk, so only the first run after a change pays for compiling (about
20 s for all the loops). Numba checks a cached loop only against its own file, not against the
compiled functions it calls in other files (``sim.random.uniform``, for one): after an edit to
``sim/random.py`` the loops in ``behaviour.py`` would go on running the old numbers. So the cache
lives in a directory named by a hash of every module here that compiles anything
(``cache_dir``), and any edit to one of them starts a fresh cache. It is under
``$XDG_CACHE_HOME/promosim`` (``~/.cache/promosim``), or under ``PROMOSIM_CACHE_DIR`` if set.
This sets numba's cache directory for the whole process, so other cached numba code run in the
same process is cached there too. Where the directory cannot be written, numba compiles without
caching.

``NUMBA_DISABLE_JIT=1`` runs the same loops as plain Python, which is slow but lets a debugger
step through them.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numba

F = TypeVar("F", bound=Callable)

_PACKAGE = Path(__file__).resolve().parent


def cache_dir(package: Path = _PACKAGE) -> Path:
    """Where compiled loops are cached: one directory per version of the compiled modules' source.

    Args:
        package: The package whose modules containing ``@jit`` are hashed (this one, but for tests).
    """
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        text = path.read_bytes()
        if b"@jit" in text:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + text)
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = Path(os.environ.get("PROMOSIM_CACHE_DIR") or user_cache / "promosim")
    return base / "numba" / digest.hexdigest()


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    return True


# Read by numba when each ``jit`` function is decorated, so it must be set before any of them is.
# Where it cannot be written numba would fall back to ``__pycache__`` next to the source, with
# the stale-dependency problem above, so caching is turned off instead.
_CACHE_DIR = cache_dir()
_CACHING = _writable(_CACHE_DIR)
numba.config.CACHE_DIR = str(_CACHE_DIR)


def jit(fn: F) -> F:
    """Compile ``fn`` for the CPU: no Python objects inside, cached on disk, GIL released.

    ``error_model="numpy"`` makes division by zero give inf/nan as numpy does, rather than
    raising, so a compiled loop and the numpy expression it replaces agree on every input.
    """
    return numba.njit(cache=_CACHING, nogil=True, error_model="numpy")(fn)


def ready_marker(name: str) -> Path | None:
    """A file in this version's cache that a warm-up called ``name`` leaves when it is done.

    The cache can hold some loops but not others (``promosim validate`` compiles only those that
    place people), so a warm-up that must cover everything a server runs checks for its own
    marker rather than for any cached loop. None when caching is off: nothing would be kept.
    """
    # Numba files each cached loop under a folder named by a hash of its source folder's *path*
    # (``_UserProvidedCacheLocator``), so a second checkout or a moved install with the same source
    # shares _CACHE_DIR but none of its compiled loops: the marker names the install's location too.
    where = hashlib.sha1(str(_PACKAGE).encode()).hexdigest()[:12]
    return _CACHE_DIR / f".{name}-ready-{where}" if _CACHING else None


def prepare(prog: str) -> None:
    """Compile the engine's loops before a command's work starts, when their cache is empty.

    Otherwise the first run after an install or an update compiles them with nothing said: a
    new user's ``./dev main`` showed a progress bar stuck at 0 for two minutes, and ``promosim
    app``'s first page load showed "Loading app" as long. Here the wait is announced, once, and
    a pool's workers then load the cached loops instead of each compiling them. Running the
    all-levers scenario, small, for a year reaches every loop a run uses.
    """
    marker = ready_marker("engine")
    if marker is None or marker.exists():
        return
    from sim.model import PromotionModel  # noqa: PLC0415 (the engine imports this module)

    print(f"{prog}: compiling the simulation engine, once after an install or update (a minute or two)...",
          file=sys.stderr, flush=True)
    started = time.perf_counter()
    model = PromotionModel(scenario="all_levers", headcount=100, rng=1)
    for _ in range(13):
        model.step()
    marker.touch()
    print(f"{prog}: compiled in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
