"""promosim: agent-based simulation of promotion dynamics with hidden aspiration.

The public API::

    from sim import load_scenario, simulate, PromotionModel
"""

from sim.errors import InputError
from sim.model import PromotionModel
from sim.scenario import Scenario, load_scenario
from sim.simulate import SimulationResult, simulate

__all__ = ["InputError", "PromotionModel", "Scenario", "SimulationResult", "load_scenario", "simulate"]
__version__ = "0.1.0"
