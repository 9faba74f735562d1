"""Hidden attributes sampled conditional on what a headcount file says.

A file never says how ambitious someone is or how competent: it says what they answered in a
survey and how they were rated. Each function here draws the hidden quantity from the
scenario's own distribution, conditioned on that evidence, so that a person with no evidence is
drawn exactly as a drawn organisation's people are (docs/ODD.md, section 5) and the evidence
only moves people within the same calibrated model. docs/orgdata.md gives the equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from sim.scenario import OrgSource, Scenario

MANAGE, SPECIALIST, NOT_NOW, NO_ANSWER = (OrgSource.INTENTS.index(k)
                                          for k in ("manage", "specialist", "not_now", "no_answer"))


@dataclass(frozen=True)
class Aspiration:
    """Hidden aspiration: how much (``ambition``), which way (``wants_mgmt``), when (``wait``).

    ``informed`` marks people whose draw was conditioned on an answer taken as honest.
    """

    ambition: np.ndarray
    wants_mgmt: np.ndarray
    wait: np.ndarray
    informed: np.ndarray


def aspiration(intent: np.ndarray, group: np.ndarray, scenario: Scenario, honesty: float,
               rng: np.random.Generator) -> Aspiration:
    """Aspiration given a stated intent, read as true with probability ``honesty``.

    The group's calibrated shares define a prior over (aspirant or not, direction, now or
    later). An honest answer restricts the prior to the answers consistent with it: *manage*
    to management aspirants, *specialist* to specialist aspirants, *not now* to everyone who
    does not want a move now (non-aspirants and aspirants who want to wait). A dishonest or
    missing answer says nothing, and the person is drawn from the unrestricted prior, as a drawn
    person would be. So the surveyed share of *manage* answers who really aspire to management
    is ``honesty + (1 - honesty) * leadership_aspiration``.

    Args:
        intent: Codes into ``OrgSource.INTENTS`` (``no_answer`` for blanks).
        group: Group index of each person (all known by now).
        scenario: Supplies the group shares and the timing distribution.
        honesty: ``organisation.source.survey_honesty``.
        rng: The stream to draw from.
    """
    n = intent.size
    emp = scenario.employees
    lead = np.array([g.leadership_aspiration for g in scenario.groups])[group]
    spec = np.array([g.specialist_aspiration for g in scenario.groups])[group]
    either = lead + spec
    later_share = emp.timing_later_share
    # One draw of each kind for everyone, in a fixed order, so that a person's numbers do not
    # depend on what others answered.
    u, honest_u, later_u, lean_u, dir_u = (rng.random(n) for _ in range(5))
    strength = rng.beta(2.0, 2.0, n) * 0.5
    lo, hi = emp.timing_delay_months
    delay = rng.integers(lo, hi + 1, n)
    delay_pos = rng.integers(max(lo, 1), max(hi, 1) + 1, n)

    # the prior, exactly as sim/workforce.py:draw_people draws it
    wants_lead = u < lead
    aspiring = u < either
    lean_mgmt = lean_u < np.divide(lead, either, out=np.full(n, 0.5), where=either > 0)
    wants_mgmt = np.where(aspiring, wants_lead, lean_mgmt)
    later = aspiring & (later_u < later_share)
    wait = np.where(later, delay, 0)

    honest = honest_u < honesty
    stated = honest & ((intent == MANAGE) | (intent == SPECIALIST))
    aspiring = np.where(stated, True, aspiring)
    wants_mgmt = np.where(stated, intent == MANAGE, wants_mgmt)
    later_stated = later_u < later_share
    wait = np.where(stated, np.where(later_stated, delay, 0), wait)

    # "not now": not (aspirant and now). P(aspirant | not now) = a*L / ((1 - a) + a*L).
    not_now = honest & (intent == NOT_NOW)
    denom = (1.0 - either) + either * later_share
    p_later = np.divide(either * later_share, denom, out=np.zeros(n), where=denom > 0)
    waits = u < p_later
    aspiring = np.where(not_now, waits, aspiring)
    toward_mgmt = dir_u < np.divide(lead, either, out=np.full(n, 0.5), where=either > 0)
    wants_mgmt = np.where(not_now, np.where(waits, toward_mgmt, lean_mgmt), wants_mgmt)
    wait = np.where(not_now, np.where(waits, delay_pos, 0), wait)

    ambition = np.where(aspiring, 0.5 + strength, strength)
    return Aspiration(ambition=ambition, wants_mgmt=wants_mgmt.astype(bool), wait=wait.astype(np.int32),
                      informed=stated | not_now)


@dataclass(frozen=True)
class Competence:
    """Competence inferred from ratings, and the rating as the manager holds it (model scale)."""

    competence: np.ndarray
    rating: np.ndarray


def competence_from_rating(rating: np.ndarray, group: np.ndarray, scenario: Scenario,
                           rng: np.random.Generator) -> Competence:
    """Competence given a rating, through the rating's rank.

    Rating scales differ between organisations, so only the order is used: a rating's mid-rank
    among all rated people is turned into a quantile of the model's observed rating (competence
    plus group bias plus rating noise, ``managers.rating_noise``). Competence is then drawn
    from its normal distribution conditional on that observed rating:
    ``C = mu + k (R - bias - mu) + s sqrt(1 - k) Z`` with ``k = s^2 / (s^2 + noise^2)``. Ties
    share a quantile and are spread by the noise. Engagement's effect on performance is
    ignored here.

    Args:
        rating: Ratings of the rated people only (no NaN).
        group: Their group indices.
        scenario: Supplies ``employees.competence``, ``managers.rating_noise`` and the biases.
        rng: The stream to draw from.
    """
    m = rating.size
    if m == 0:
        return Competence(np.empty(0), np.empty(0))
    dist = scenario.employees.competence
    mu, s, noise = dist.mean, dist.sd, scenario.managers.rating_noise
    q = (rankdata(rating, method="average") - 0.5) / m
    spread = float(np.hypot(s, noise))
    observed = mu + spread * ndtri(q)
    bias = np.array([g.rating_bias for g in scenario.groups])[group]
    k = s**2 / spread**2 if spread > 0 else 0.0
    z = rng.standard_normal(m)
    competence = mu + k * (observed - bias - mu) + s * np.sqrt(1.0 - k) * z
    return Competence(np.clip(competence, 0.0, 10.0), np.clip(observed, 0.0, 10.0))


def age_given_tenure(tenure: np.ndarray, scenario: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Age from ``employees.age`` truncated to what the tenure allows.

    Drawn people start work at 21 at the earliest (tenure is at most ``12 (age - 21)``), so a
    known tenure means an age of at least ``21 + tenure / 12``; the upper bound is the
    retirement age less half a year, as for drawn people. The draw is by inverse CDF.
    """
    dist = scenario.employees.age
    top = scenario.exits.retirement_age - 0.5
    low = np.maximum(21.0 + tenure / 12.0, 18.0)
    high = np.full(tenure.size, top)
    u = rng.random(tenure.size)
    if dist.sd <= 0:
        return np.clip(np.full(tenure.size, dist.mean), low, np.maximum(low, high))
    a = ndtr((low - dist.mean) / dist.sd)
    b = ndtr((high - dist.mean) / dist.sd)
    with np.errstate(invalid="ignore", divide="ignore"):
        age = dist.mean + dist.sd * ndtri(a + u * (b - a))
    age = np.where(np.isfinite(age), age, low)
    return np.clip(age, low, np.maximum(low, high))


def tenure_given_age(age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Tenure in months as drawn people get it: uniform up to ``min(12 (age - 21), 240)``."""
    return rng.random(age.size) * np.minimum(np.maximum((age - 21.0) * 12.0, 0.0), 240.0)
