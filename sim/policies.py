"""Promotion policies: how the candidates for an opening are ranked.

Each policy is a scoring function registered by name; the promotion round offers the opening to
candidates in descending score. Policies only rank; who counts as a candidate, offers and
declines are the promotion round's business (sim/promotions.py), so any policy can be combined
with any lever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.managers import observed_performance

if TYPE_CHECKING:
    from sim.model import PromotionModel

Scorer = Callable[["PromotionModel", np.ndarray, int, np.random.Generator], np.ndarray]
POLICIES: dict[str, Scorer] = {}


def policy(name: str) -> Callable[[Scorer], Scorer]:
    """Register a scoring function under ``name``."""

    def deco(fn: Scorer) -> Scorer:
        POLICIES[name] = fn
        return fn

    return deco


@policy("visibility")
def by_visibility(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """Whoever is seen most: the default many organisations drift into."""
    return model.workforce.visibility[rows] + 0.05 * rng.standard_normal(rows.size)


@policy("readiness")
def by_assessed_readiness(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """The manager's belief about readiness for the next role (as good as the evidence behind it)."""
    return model.workforce.b_ready[rows] + 0.01 * rng.standard_normal(rows.size)


@policy("best")
def by_best_performance(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """The best performer in the current role ("the best", Pluchino et al. 2010)."""
    return observed_performance(model, rows, rng)


@policy("worst")
def by_worst_performance(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """The worst performer in the current role ("the worst", Pluchino et al. 2010)."""
    return -observed_performance(model, rows, rng)


@policy("mixed")
def best_or_worst(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """"The best" or "the worst" by a coin toss for each (level, track)'s openings in a round (Pluchino et al. 2010)."""
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return sign * observed_performance(model, rows, rng)


@policy("random")
def at_random(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """Anyone, by lot."""
    return rng.random(rows.size)


@policy("seniority")
def by_seniority(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """Longest tenure first (ties broken at random)."""
    return model.workforce.tenure[rows] + rng.random(rows.size)


@policy("application")
def by_application(model: PromotionModel, rows: np.ndarray, track: int, rng: np.random.Generator) -> np.ndarray:
    """Among those who applied (the round restricts candidates), the best assessed readiness."""
    return model.workforce.b_ready[rows] + 0.01 * rng.standard_normal(rows.size)
