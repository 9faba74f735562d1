"""Keep freed memory in the process, so whole-column temporaries do not page-fault.

Every phase makes temporary arrays as long as the workforce (800 KB each at 100k people). By
default glibc hands freed blocks that large back to the operating system (``munmap``, or trimming
the top of the heap) and the next temporary faults its pages back in: at 100k people that was
about 7,500 page faults and a third of the run time a month. Raising the two thresholds below
once per process makes those blocks reused instead. The setting lasts for the process: up to
128 MB of freed memory stays with it rather than going back to the kernel (a Dask worker counts
that as unmanaged memory; Dask's own nanny asks for the opposite, so set the variable below on
workers that are short of memory). In a single run the memory kept is what the step had in use
at its peak anyway, so peak resident memory does not grow.

Only glibc (Linux) has ``mallopt``; elsewhere this does nothing. Set the environment variable
``PROMOSIM_MALLOC_TUNING=0`` to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# The largest mmap threshold glibc accepts on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).
_MMAP_THRESHOLD = 32 * 1024 * 1024
# Freed memory kept at the top of the heap before it goes back to the kernel: room for a month's
# temporaries at a million people, small against what a Dask worker or the app server holds.
_TRIM_THRESHOLD = 128 * 1024 * 1024

_tried = False
_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds once; returns whether they were set."""
    global _tried, _done  # noqa: PLW0603 (once per process)
    if _tried:
        return _done
    if os.environ.get("PROMOSIM_MALLOC_TUNING", "1") == "0":
        return False
    _tried = True
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) & bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
    return _done
