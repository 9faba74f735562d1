"""Compiled inner loops: one numba set-up for every phase that runs per person.

The per-person phases (signals, beliefs, learning, exits, measurement) each update a few dozen
columns for every row. Written as numpy expressions they make one full-length pass, and one
temporary array, per operator: about 150 passes a month, which capped the engine near 3.5 M
employee-steps per second. Written as one loop over rows and compiled, a phase reads each
column once. The loops live beside the phase they belong to (``behaviour.py``, ``managers.py``,
``metrics.py``); this module only fixes how they are compiled.

Compiled code is cached on disk next to the source (``__pycache__``), so only the first run after
a change pays for compiling. ``NUMBA_DISABLE_JIT=1`` runs the same loops as plain Python, which is
slow but lets a debugger step through them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numba

F = TypeVar("F", bound=Callable)


def jit(fn: F) -> F:
    """Compile ``fn`` for the CPU: no Python objects inside, cached on disk, GIL released.

    ``error_model="numpy"`` makes division by zero give inf/nan as numpy does, rather than
    raising, so a compiled loop and the numpy expression it replaces agree on every input.
    """
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)
