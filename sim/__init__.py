"""promosim: agent-based simulation of promotion dynamics with hidden aspiration.

The public API::

    from sim import load_scenario, simulate, PromotionModel
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.model import PromotionModel
    from sim.scenario import Scenario, load_scenario
    from sim.simulation import SimulationResult, simulate

__all__ = ["InputError", "PromotionModel", "Scenario", "SimulationResult", "load_scenario", "simulate"]
__version__ = "0.1.0"
# Set by sim.model when the engine is imported (fingerprint.engine_files), for the Dask code check.
_engine_files: tuple[tuple[str, int, int], ...] | None = None

# The engine (numpy, numba, Mesa, pydantic) is imported on first use, not with the package, so
# that the command line answers --help at once and can turn a Ctrl-C during start-up into its
# one-line "interrupted" instead of an import traceback.
_LAZY = {"PromotionModel": "sim.model", "Scenario": "sim.scenario", "load_scenario": "sim.scenario",
         "SimulationResult": "sim.simulation", "simulate": "sim.simulation"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sim' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
