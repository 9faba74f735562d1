"""External hiring: openings at the bottom, and those a promotion round left to the market."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import jit
from sim.org import VACANT
from sim.records import Coded
from sim.workforce import draw_people

if TYPE_CHECKING:
    from sim.model import PromotionModel

# Hire event details by the names of the levels (a scenario's levels rarely change).
_LABELS: dict[tuple[str, ...], tuple[tuple[str, ...], np.dtype]] = {}


def hire(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill bottom-level openings and openings reserved for outside hires with new people."""
    org, wf = model.org, model.workforce
    slots = _open_to_hire(org.occupant, org.level, model.reserved_external)
    if slots.size == 0:
        return
    rows = wf.free_rows(slots.size)
    draw_people(wf, rows, model.scenario, rng, hiring=True)
    model.place(rows, slots)
    model.flow["hires"] += slots.size
    if model.events.enabled:
        labels, dtype = _labels(tuple(lv.name for lv in model.scenario.organisation.levels))
        model.events.add(model.month, wf.uid[rows], "hire", Coded(labels, wf.level[rows].astype(dtype)))


def _labels(names: tuple[str, ...]) -> tuple[tuple[str, ...], np.dtype]:
    found = _LABELS.get(names)
    if found is None:
        labels = tuple(f"hired as {name}" for name in names)
        found = _LABELS[names] = (labels, np.min_scalar_type(len(labels) - 1))
    return found


@jit
def _open_to_hire(occupant, level, reserved_external):
    """Vacant slots at the bottom level or reserved for outside hires (ascending); clears the reservations."""
    slots = np.empty(occupant.size, np.int64)
    k = 0
    for s in range(occupant.size):
        if occupant[s] == VACANT and (level[s] == 0 or reserved_external[s]):
            slots[k] = s
            k += 1
            reserved_external[s] = False
    return slots[:k]
