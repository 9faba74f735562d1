"""External hiring: openings at the bottom, and those a promotion round left to the market."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.records import Coded
from sim.workforce import draw_people

if TYPE_CHECKING:
    from sim.model import PromotionModel


def hire(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill bottom-level openings and openings reserved for outside hires with new people."""
    org, wf = model.org, model.workforce
    vacant = org.all_vacancies()
    slots = vacant[(org.level[vacant] == 0) | model.reserved_external[vacant]]
    if slots.size == 0:
        return
    rows = wf.free_rows(slots.size)
    draw_people(wf, rows, model.scenario, rng, hiring=True)
    model.place(rows, slots)
    model.reserved_external[slots] = False
    model.flow["hires"] += slots.size
    labels = tuple(f"hired as {lv.name}" for lv in model.scenario.organisation.levels)
    codes = wf.level[rows].astype(np.min_scalar_type(len(labels) - 1))
    model.events.add(model.month, wf.uid[rows], "hire", Coded(labels, codes))
