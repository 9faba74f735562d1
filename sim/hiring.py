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


def hire(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill bottom-level openings and openings reserved for outside hires with new people."""
    org, wf = model.org, model.workforce
    slots = _open_to_hire(org.occupant, org.level, model.reserved_external)
    if slots.size == 0:
        return
    rows = wf.free_rows(slots.size)
    draw_people(wf, rows, model.scenario, model.stream_key("hiring"), hiring=True, groups=org.hire_groups,
                traits=org.hire_traits)
    model.place(rows, slots)
    model.flow["hires"] += slots.size
    if model.events.enabled:
        model.events.add(model.month, wf.uid[rows], "hire", Coded(org.hire_labels, org.hire_codes[slots]))


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
