"""Mechanism tests: each named mechanism has the effect it claims, over paired replications.

Every comparison runs the same seeds under two settings (common random numbers: the named
streams keep everything else aligned) and tests the per-seed paired difference with a t-based
95% confidence interval over the seeds, never one noisy run. The thresholds are set from the
spread measured when the tests were written (see each test's docstring) and leave a wide margin.

Each mechanism also has a *removal check*: the engine function that carries the mechanism is
monkeypatched so the mechanism is gone while the scenario still asks for it, and the same check
must then fail. That shows the test detects the mechanism rather than something else.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from conftest import BASELINE, TWO_LADDERS
from scipy import stats

from sim import PromotionModel, behaviour, load_scenario, managers, promotions, simulate


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its t-based 95% confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:+.3f} (95% CI {self.low:+.3f} to {self.high:+.3f}, n={self.n} seeds)"


def mean_ci(values: Sequence[float]) -> Estimate:
    x = np.asarray(values, dtype=float)
    assert np.isfinite(x).all(), "a replication produced no value"
    n = x.size
    half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return Estimate(float(x.mean()), float(x.mean() - half), float(x.mean() + half), n)


def paired(a: Sequence[float], b: Sequence[float]) -> Estimate:
    """The mean paired difference a - b over seeds."""
    return mean_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


@contextmanager
def forcing(obj: Any, **values: Any) -> Iterator[None]:
    """Temporarily set attributes of a (mutable pydantic) scenario block."""
    old = {k: getattr(obj, k) for k in values}
    for k, v in values.items():
        setattr(obj, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(obj, k, v)


# ---------------------------------------------------------------------------------------------
# (a) Silence read as disinterest


SILENCE_SEEDS = tuple(range(100, 180))


def visibility_gap(seed: int, silence: bool) -> float:
    """Among aspirants, share seen as not interested: low-visibility third minus high-visibility third.

    "Seen as not interested" is the manager's belief at or below ``metrics.disinterested_belief``,
    the same threshold as hidden_ambition_rate. 400 people, 24 recorded months after the warm-up.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, headcount=400, silence_as_disinterest=silence)
    for _ in range(24):
        model.step()
    wf = model.workforce
    aspirants = wf.active & (wf.ambition >= 0.5)
    unseen = wf.b_interest <= model.scenario.metrics.disinterested_belief
    low = aspirants & (wf.visibility < 1 / 3)
    high = aspirants & (wf.visibility > 2 / 3)
    return float(unseen[low].mean() - unseen[high].mean())


@functools.cache
def cached_gap(seed: int, silence: bool) -> float:
    return visibility_gap(seed, silence)


def check_silence(gap: Callable[[int, bool], float]) -> tuple[Estimate, Estimate]:
    on = [gap(s, True) for s in SILENCE_SEEDS]
    off = [cached_gap(s, False) for s in SILENCE_SEEDS]
    gap_on, diff = mean_ci(on), paired(on, off)
    assert gap_on.low > 0, f"with the heuristic, low-visibility aspirants are not misread more: {gap_on}"
    assert diff.low > 0, f"the visibility gap is not larger with the heuristic on: {diff}"
    return gap_on, diff


def test_silence_as_disinterest_misreads_low_visibility_aspirants() -> None:
    """Measured when written: gap with the heuristic +0.08 (CI +0.05 to +0.11); paired difference
    on - off +0.21 (CI +0.17 to +0.25), n=20 seeds. Without the heuristic the gap is negative
    (-0.13): visible people get the offers and stretch work, and declines are what misreads them.

    With the counter-based draws of the compiled phases the gap over the same 20 seeds was
    +0.035 (CI -0.001 to +0.071), and +0.04 with the previous draws: 20 seeds were too few for
    a gap near +0.06 (60 seeds: +0.065 +/- 0.013 SE). 40 seeds gave +0.066 +/- 0.017 SE; on - off
    +0.197 +/- 0.016 SE. Since session 5, 80 seeds, for power: over 800 other seeds the gap is
    +0.063 with a per-seed SD of 0.096, so 40 seeds failed about one random-number change in 70
    and 80 seeds about one in several thousand.
    """
    gap_on, diff = check_silence(cached_gap)
    print(f"silence gap on: {gap_on}; on - off: {diff}")


def beliefs_without(monkeypatch: pytest.MonkeyPatch, heuristic: str) -> None:
    """Removal: managers.update_beliefs runs as if ``heuristic`` were off, while the scenario keeps it on.

    The "off" side of a check is unaffected by this patch (the flag is already off there), so its
    cache stands.
    """
    original = managers.update_beliefs

    def without(model: PromotionModel, rng: np.random.Generator) -> None:
        with forcing(model.scenario.managers.heuristics, **{heuristic: False}):
            original(model, rng)

    monkeypatch.setattr(managers, "update_beliefs", without)


@pytest.mark.slow
def test_silence_check_fails_when_the_heuristic_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: managers.update_beliefs ignores the flag (runs as if it were off)."""
    beliefs_without(monkeypatch, "silence_as_disinterest")
    with pytest.raises(AssertionError):
        check_silence(visibility_gap)


UNSEEN_SEEDS = tuple(range(300, 312))


@functools.cache
def unseen_leaving(seed: int, silence: bool) -> float:
    """Summary hidden_ambition_exit_rate: people leaving by choice while misread as uninterested, per head a year."""
    scenario = load_scenario(BASELINE, headcount=400)
    return simulate(scenario, seed=seed, years=5,
                    managers__heuristics__silence_as_disinterest=silence).summary["hidden_ambition_exit_rate"]


def check_unseen_leaving(rate: Callable[[int, bool], float]) -> Estimate:
    on = [rate(s, True) for s in UNSEEN_SEEDS]
    off = [unseen_leaving(s, False) for s in UNSEEN_SEEDS]
    diff = paired(on, off)
    assert diff.low > 0, f"fewer ambitious people leave unseen with the heuristic on: {diff}"
    assert np.mean(off) < 0.5 * np.mean(on), f"without it, not under half as many: {np.mean(off)} vs {np.mean(on)}"
    return diff


def test_silence_read_as_disinterest_is_most_of_the_ambition_that_leaves_unseen() -> None:
    """Measured when written (12 paired seeds, 400 people, 5 years): 0.022 of the workforce a year
    left with hidden ambition with the heuristic, 0.0021 without; paired difference +0.021, per-pair
    SD 0.0044, so the interval's lower end sits near +0.018 and the halving holds in every pair.
    The exit hazard never reads beliefs (ODD 7.10): the metric falls because fewer leavers are misread.
    """
    print(f"unseen leaving, on - off: {check_unseen_leaving(unseen_leaving)}")


@pytest.mark.slow
def test_unseen_leaving_check_fails_when_the_heuristic_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: managers.update_beliefs ignores the flag (runs as if it were off)."""
    beliefs_without(monkeypatch, "silence_as_disinterest")
    with pytest.raises(AssertionError):
        check_unseen_leaving(unseen_leaving.__wrapped__)


# ---------------------------------------------------------------------------------------------
# (b) Competence carry-over: the Peter hypothesis vs common sense


PETER_SEEDS = tuple(range(200, 220))


def promotion_correlations(seed: int, carry: float) -> tuple[float, float]:
    """Correlation of pre-promotion performance with post-promotion competence.

    Returns (over all promotions, over first promotions out of the bottom level). 400 people,
    60 months; the ledger ``model.promotions`` holds both quantities for every promotion.
    """
    model = PromotionModel(
        scenario=BASELINE, rng=seed, headcount=400,
        overrides={"promotion.carry_over_same_track": carry, "promotion.carry_over_cross_track": carry},
    )
    for _ in range(60):
        model.step()
    ledger = model.promotions
    pre, post = ledger["pre_performance"], ledger["post_competence"]
    _, first_index = np.unique(ledger["uid"], return_index=True)
    first = np.zeros(ledger.n, dtype=bool)
    first[first_index] = True
    first &= ledger["from_level"] == 0
    assert ledger.n >= 50 and first.sum() >= 30, "too few promotions to estimate a correlation"
    return float(np.corrcoef(pre, post)[0, 1]), float(np.corrcoef(pre[first], post[first])[0, 1])


@functools.cache
def cached_correlations(seed: int, carry: float) -> tuple[float, float]:
    return promotion_correlations(seed, carry)


def check_common_sense(correlations: Callable[[int, float], tuple[float, float]]) -> tuple[Estimate, Estimate]:
    common = [correlations(s, 1.0)[0] for s in PETER_SEEDS]
    peter = [cached_correlations(s, 0.0)[0] for s in PETER_SEEDS]
    r_common, diff = mean_ci(common), paired(common, peter)
    assert r_common.low > 0.6, f"under common sense, post-promotion competence is not tied to performance: {r_common}"
    assert diff.low > 0.4, f"carry-over barely changes the correlation: {diff}"
    return r_common, diff


def check_peter_first_promotions(correlations: Callable[[int, float], tuple[float, float]]) -> Estimate:
    r = mean_ci([correlations(s, 0.0)[1] for s in PETER_SEEDS])
    assert abs(r.mean) < 0.1, f"under the Peter hypothesis post-promotion competence is correlated: {r}"
    assert r.high < 0.2, f"under the Peter hypothesis post-promotion competence is correlated: {r}"
    return r


def test_common_sense_ties_new_competence_to_old_performance() -> None:
    """Measured when written: r under common sense (carry-over 1) +0.89 (CI +0.88 to +0.90);
    paired difference common sense - Peter +0.72 (CI +0.67 to +0.77), n=12 seeds.
    """
    r_common, diff = check_common_sense(cached_correlations)
    print(f"r common sense: {r_common}; common sense - Peter: {diff}")


def test_peter_hypothesis_first_promotions_are_uncorrelated() -> None:
    """First promotions out of the bottom level, where nobody carries an earlier promotion's
    readiness: measured r +0.02 (CI -0.04 to +0.08), n=12 seeds. |r| < 0.1 is taken as
    uncorrelated (a negligible correlation); the upper CI bound must stay below 0.2. Over 800
    other seeds (session 5) r is +0.034 +/- 0.003; 20 seeds keep |mean r| well inside 0.1.
    """
    r = check_peter_first_promotions(cached_correlations)
    print(f"r Peter, first promotions: {r}")


# Over *all* promotions (not only first ones) r is about +0.17 under carry-over 0: readiness for
# the next role persists (behaviour.readiness_persistence, 0.7) and development goes to highly
# rated people, so a second promotion's competence is linked to the first. That is a modelling
# choice documented in docs/ODD.md; Pluchino's pure Peter hypothesis sets persistence to 0 too
# (scenarios/peter_principle/base.yaml), and tests/test_validation.py checks that configuration.


def _forcing_carry(monkeypatch: pytest.MonkeyPatch, carry: float) -> None:
    original = promotions.promote

    def promote_with(model: PromotionModel, *args: object) -> None:
        with forcing(model.scenario.promotion, carry_over_same_track=carry, carry_over_cross_track=carry):
            original(model, *args)

    monkeypatch.setattr(promotions, "promote", promote_with)


@pytest.mark.slow
def test_carry_over_checks_fail_when_carry_over_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: promote() ignores the scenario's carry-over, forcing 0 (then 1)."""
    _forcing_carry(monkeypatch, 0.0)
    with pytest.raises(AssertionError):
        check_common_sense(promotion_correlations)  # the Peter side is unchanged by this patch
    monkeypatch.undo()
    _forcing_carry(monkeypatch, 1.0)
    with pytest.raises(AssertionError):
        check_peter_first_promotions(promotion_correlations)


# ---------------------------------------------------------------------------------------------
# (c) Being passed over raises exits


EXIT_SEEDS = tuple(range(300, 310))


def passed_over_exit_rate(seed: int, multiplier: float) -> float:
    """Summary passed_over_exit_rate (voluntary exits per year among the recently passed over)."""
    scenario = load_scenario(BASELINE, headcount=400, overrides={"exits.passed_over_multiplier": multiplier})
    return simulate(scenario, seed=seed, years=5).summary["passed_over_exit_rate"]


@functools.cache
def cached_exit_rate(seed: int, multiplier: float) -> float:
    return passed_over_exit_rate(seed, multiplier)


def check_multiplier(rate: Callable[[int, float], float]) -> Estimate:
    default = load_scenario(BASELINE).exits.passed_over_multiplier
    assert default > 0
    with_it = [rate(s, default) for s in EXIT_SEEDS]
    without = [cached_exit_rate(s, 0.0) for s in EXIT_SEEDS]
    diff = paired(with_it, without)
    assert diff.low > 0.05, f"the passed-over multiplier does not raise the passed-over exit rate: {diff}"
    return diff


def test_passed_over_multiplier_raises_exits_of_the_passed_over() -> None:
    """Measured when written: default (1.5) minus neutral (0) +0.19 per year
    (CI +0.15 to +0.23), n=10 seeds; the rates are about 0.31 vs 0.13.
    """
    diff = check_multiplier(cached_exit_rate)
    print(f"passed-over exit rate, default - neutral multiplier: {diff}")


@pytest.mark.slow
def test_multiplier_check_fails_when_the_hazard_ignores_being_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: exit_hazard() ignores the multiplier; the default runs equal the neutral ones."""
    original = behaviour.exit_hazard

    def hazard_without(model: PromotionModel) -> np.ndarray:
        with forcing(model.scenario.exits, passed_over_multiplier=0.0):
            return original(model)

    monkeypatch.setattr(behaviour, "exit_hazard", hazard_without)
    with pytest.raises(AssertionError):
        check_multiplier(passed_over_exit_rate)


WITHIN_SEEDS = tuple(range(400, 412))
NO_PASSED_OVER = (("exits.passed_over_multiplier", 0.0), ("behaviour.passed_over_engagement_drop", 0.0))


@functools.cache
def exit_rates_by_status(seed: int, overrides: tuple[tuple[str, float], ...] = ()) -> tuple[float, float]:
    """Annual exit rates (all exits) of people recently passed over and of everyone else.

    Exposure is counted per person-month: before each step, who is active and whether they were
    passed over within ``exits.passed_over_months``; after it, who of them has gone.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, headcount=400, overrides=dict(overrides))
    wf, window = model.workforce, model.scenario.exits.passed_over_months
    exposure, exits = np.zeros(2), np.zeros(2)
    for _ in range(60):
        rows = np.flatnonzero(wf.active)
        uids = wf.uid[rows].copy()
        recent = (model.month + 1 - wf.passed_over_at[rows]) < window
        model.step()
        gone = model.row_of_uid(uids) < 0
        for k, group in enumerate((recent, ~recent)):
            exposure[k] += group.sum()
            exits[k] += (gone & group).sum()
    passed, others = 12.0 * exits / exposure
    return float(passed), float(others)


def test_being_passed_over_raises_exit_rates() -> None:
    """Measured when written: passed over 0.29/year vs others 0.085/year; paired difference
    +0.20 (CI +0.18 to +0.22), n=12 seeds.
    """
    rates = [exit_rates_by_status(s) for s in WITHIN_SEEDS]
    diff = paired([p for p, _ in rates], [o for _, o in rates])
    print(f"exit rate passed over - others: {diff}")
    assert diff.low > 0.05, diff


@pytest.mark.slow
def test_the_passed_over_exit_gap_is_the_mechanism() -> None:
    """Removal: without the hazard multiplier and the engagement drop, the gap (nearly) vanishes.

    Measured when written: +0.01 (CI -0.005 to +0.03) against +0.20 with them; what is left
    comes from the plateau hazard, which passed-over people share. Required: below a quarter.
    """
    full = [exit_rates_by_status(s) for s in WITHIN_SEEDS]
    removed = [exit_rates_by_status(s, NO_PASSED_OVER) for s in WITHIN_SEEDS]
    full_gap = paired([p for p, _ in full], [o for _, o in full])
    removed_gap = paired([p for p, _ in removed], [o for _, o in removed])
    print(f"exit gap with the mechanism {full_gap}; without {removed_gap}")
    assert removed_gap.mean < 0.25 * full_gap.mean
    assert removed_gap.low < 0.05  # the check in test_being_passed_over_raises_exit_rates would fail


# ---------------------------------------------------------------------------------------------
# (d) One "no" taken as forever (decline_as_permanent, ODD 7.5.5)


DECLINE_SEEDS = tuple(range(500, 520))


def after_a_decline(seed: int, permanent: bool) -> tuple[float, float]:
    """Of the people who turned down an offer while wanting to move up: the share offered again
    later, and the share promoted later.

    The decliners are those who declined at the recorded rounds of months 12, 24 or 36 (the round
    of month 0 falls in the warm-up, whose events are not logged) for any reason but "does not want
    to move up", i.e. with ambition at or above 0.5 then (ODD 7.8.4); each counts once, from their
    first such decline, and is followed to month 60 (two to four later rounds). The baseline's
    1,020 people, for about 50 decliners a run.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, decline_as_permanent=permanent)
    for _ in range(60):
        model.step()
    events = model.events.to_frame()
    declines = events[(events.kind == "decline") & (events.step <= 36)]
    aspiring = ~declines.details.str.endswith(promotions.DECLINE_REASONS[0])
    first = declines[aspiring].groupby("employee").step.min()
    assert first.size >= 20, "too few decliners who want to move up"

    def later(kind: str) -> float:
        last = events[events.kind == kind].groupby("employee").step.max().reindex(first.index, fill_value=-1)
        return float((last.to_numpy() > first.to_numpy()).mean())

    return later("offer"), later("promotion")


@functools.cache
def cached_after_a_decline(seed: int, permanent: bool) -> tuple[float, float]:
    return after_a_decline(seed, permanent)


def check_decline(outcomes: Callable[[int, bool], tuple[float, float]]) -> tuple[Estimate, Estimate]:
    on = [outcomes(s, True) for s in DECLINE_SEEDS]
    off = [cached_after_a_decline(s, False) for s in DECLINE_SEEDS]
    offered = paired([o for o, _ in on], [o for o, _ in off])
    promoted = paired([p for _, p in on], [p for _, p in off])
    assert offered.high < -0.1, f"decliners who want to move up are not offered again less often: {offered}"
    assert promoted.high < -0.05, f"decliners who want to move up are not promoted less often: {promoted}"
    return offered, promoted


def test_decline_as_permanent_writes_off_people_who_still_want_to_move_up() -> None:
    """Measured when written, heuristic on - off: offered again -0.235 (CI -0.271 to -0.199; 0.36
    against 0.60), promoted later -0.163 (CI -0.196 to -0.130; 0.30 against 0.46), n=20 seeds.
    Over 100 other seeds (10000-10099) the differences were -0.236 and -0.154 with per-seed SDs of
    0.078 and 0.076: the required upper CI bounds (-0.1 and -0.05) fail only for a 20-seed mean
    5.7 and 4.0 standard errors worse than that.

    With the heuristic on, a third of these decliners are still offered again: by a new manager,
    who starts from the prior (ODD 7.5.1), or because they applied (candidacy by application
    ignores ``b_refused``, 7.8.2).
    """
    offered, promoted = check_decline(cached_after_a_decline)
    print(f"after an aspiring decline, on - off: offered again {offered}; promoted later {promoted}")


def _forcing_decline(monkeypatch: pytest.MonkeyPatch, permanent: bool) -> None:
    """``fill_openings`` passes the heuristic to the compiled ``_offer_rows`` (which calls
    ``managers.record_declines``); force the value it reads."""
    original = promotions.fill_openings

    def fill_with(model: PromotionModel, *args: Any) -> int:
        with forcing(model.scenario.managers.heuristics, decline_as_permanent=permanent):
            return original(model, *args)

    monkeypatch.setattr(promotions, "fill_openings", fill_with)


@pytest.mark.slow
def test_decline_check_fails_when_the_heuristic_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: the promotion round reads declines as if the heuristic were off."""
    _forcing_decline(monkeypatch, permanent=False)
    # the "off" side is unaffected by this patch (the flag is already off), so its cache stands
    with pytest.raises(AssertionError):
        check_decline(after_a_decline)


# ---------------------------------------------------------------------------------------------
# (e) Visibility taken as readiness (visibility_as_readiness, ODD 7.5.4)


VISIBILITY_SEEDS = tuple(range(600, 620))


def visibility_advantage(seed: int, heuristic: bool) -> tuple[float, float]:
    """What the high-visibility third gets over the low-visibility third (visibility above 2/3 and
    below 1/3; Beta(2, 2) puts about a quarter of the people in each).

    Returns (the share of believed readiness's top fifth in month 48: high third minus low third;
    the share of the development awards of months 1-48 going to the high third minus the low third).
    Development goes by believed readiness times believed interest (ODD 7.6.2). 400 people; a
    person's visibility is fixed in the baseline and read while they are employed.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, headcount=400, visibility_as_readiness=heuristic)
    wf = model.workforce
    visibility: dict[int, float] = {}
    for _ in range(48):
        rows = np.flatnonzero(wf.active)
        visibility.update(zip(wf.uid[rows].tolist(), wf.visibility[rows].tolist(), strict=True))
        model.step()
    rows = np.flatnonzero(wf.active)
    top = wf.b_ready[rows] >= np.quantile(wf.b_ready[rows], 0.8)
    v = wf.visibility[rows]
    believed = float(top[v > 2 / 3].mean() - top[v < 1 / 3].mean())
    ledger = model.development
    awarded = np.array([visibility[u] for u in ledger["uid"][ledger["step"] >= 1]])
    assert awarded.size >= 50, "too few development awards"
    developed = float(np.mean(awarded > 2 / 3) - np.mean(awarded < 1 / 3))
    return believed, developed


@functools.cache
def cached_visibility_advantage(seed: int, heuristic: bool) -> tuple[float, float]:
    return visibility_advantage(seed, heuristic)


def check_visibility(advantage: Callable[[int, bool], tuple[float, float]]) -> tuple[Estimate, Estimate]:
    on = [advantage(s, True) for s in VISIBILITY_SEEDS]
    off = [cached_visibility_advantage(s, False) for s in VISIBILITY_SEEDS]
    believed = paired([b for b, _ in on], [b for b, _ in off])
    developed = paired([d for _, d in on], [d for _, d in off])
    assert believed.low > 0.3, f"visible people are not believed readier with the heuristic on: {believed}"
    assert developed.low > 0.1, f"development does not go to visible people more with the heuristic on: {developed}"
    return believed, developed


def test_visibility_as_readiness_favours_the_visible() -> None:
    """Measured when written, heuristic on - off (n=20 seeds): top fifth of believed readiness, high
    minus low third, +0.579 (CI +0.543 to +0.615; 0.61 against 0.03); development awards, high
    minus low third, +0.261 (CI +0.240 to +0.282; 0.39 against 0.13: visible people speak up more
    and look keener, so some tilt remains without the heuristic). Over 100 other seeds
    (10000-10099): +0.587 and +0.270, per-seed SDs 0.069 and 0.042; the thresholds are more than
    ten standard errors away.
    """
    believed, developed = check_visibility(cached_visibility_advantage)
    print(f"visibility advantage, on - off: believed readiness {believed}; development {developed}")


@pytest.mark.slow
def test_visibility_check_fails_when_the_heuristic_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: managers.update_beliefs judges readiness as if the heuristic were off."""
    beliefs_without(monkeypatch, "visibility_as_readiness")
    with pytest.raises(AssertionError):
        check_visibility(visibility_advantage)


# ---------------------------------------------------------------------------------------------
# (f) Micro-penalties make people dare less (behaviour.penalise, ODD 7.4)


PENALTY_SEEDS = tuple(range(700, 740))
# Penalties without consequence: a penalised failure changes neither fear nor engagement.
HARMLESS_PENALTIES = (("behaviour.penalty_sensitivity_gain", 0.0), ("behaviour.penalty_engagement_drop", 0.0))


def fear_and_masking(seed: int, overrides: tuple[tuple[str, float], ...] = ()) -> tuple[float, float]:
    """Aspirants' mean risk sensitivity in month 60, and the share of aspirants masking their
    wish (``masking``, fear above ambition: ODD 7.3) averaged over the 60 recorded months.

    400 people; aspirants are the employed with ambition at or above 0.5.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, headcount=400, overrides=dict(overrides))
    wf = model.workforce
    masked = []
    for _ in range(60):
        model.step()
        aspirants = wf.active & (wf.ambition >= 0.5)
        masked.append(wf.masking[aspirants].mean())
    aspirants = wf.active & (wf.ambition >= 0.5)
    return float(wf.risk_sensitivity[aspirants].mean()), float(np.mean(masked))


@functools.cache
def cached_fear_and_masking(seed: int, overrides: tuple[tuple[str, float], ...] = ()) -> tuple[float, float]:
    return fear_and_masking(seed, overrides)


def check_penalties(outcomes: Callable[[int], tuple[float, float]]) -> tuple[Estimate, Estimate]:
    with_them = [outcomes(s) for s in PENALTY_SEEDS]
    harmless = [cached_fear_and_masking(s, HARMLESS_PENALTIES) for s in PENALTY_SEEDS]
    fear = paired([f for f, _ in with_them], [f for f, _ in harmless])
    masked = paired([m for _, m in with_them], [m for _, m in harmless])
    assert fear.low > 0.015, f"micro-penalties do not raise aspirants' risk sensitivity: {fear}"
    assert masked.low > 0.002, f"micro-penalties do not raise the masking of aspiration: {masked}"
    return fear, masked


def test_micro_penalties_raise_fear_and_masking() -> None:
    """Measured when written, default penalties - penalties without consequence (n=40 seeds):
    aspirants' risk sensitivity +0.033 (CI +0.031 to +0.035; 0.420 against 0.387); masked share of
    aspirants +0.0058 (CI +0.0043 to +0.0073; 0.078 against 0.072). Penalties add a small part of
    the masking: most comes from the risk sensitivity people are hired with (ODD 7.3).

    Over 100 other seeds (10000-10099): +0.032 and +0.0060, per-seed SDs 0.0073 and 0.0045. Hence
    40 seeds: at 20 the masking bound would fail about one random-number change in 30, at 40 about
    one in several thousand. The masking bound is 0.002 rather than 0 so that it, too, fails
    without penalties: a no-op ``penalise`` also drops the small decay of fear after a forgiven
    failure, so the removal check's runs end slightly more fearful than harmless penalties (fear
    +0.0025, CI +0.0017 to +0.0033; masking +0.0010, CI +0.0005 to +0.0015).
    """
    fear, masked = check_penalties(cached_fear_and_masking)
    print(f"micro-penalties, default - harmless: aspirants' risk sensitivity {fear}; masked {masked}")


@pytest.mark.slow
def test_penalty_check_fails_when_penalties_are_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removal: behaviour.penalise does nothing (emit_signals looks it up in its module, and
    managers.take_stretch imports it when called, so both kinds of failure go unpunished)."""
    harmless = [cached_fear_and_masking(s, HARMLESS_PENALTIES) for s in PENALTY_SEEDS]  # from the real engine
    assert len(harmless) == len(PENALTY_SEEDS)

    def no_penalty(model: PromotionModel, rows: np.ndarray, draw: np.ndarray, what: str) -> None:
        return None

    monkeypatch.setattr(behaviour, "penalise", no_penalty)
    with pytest.raises(AssertionError):
        check_penalties(fear_and_masking)


# ---------------------------------------------------------------------------------------------
# A second ladder: an offer off one's path is easier to decline where one's own track has roles


LADDER_SEEDS = tuple(range(300, 316))


def unwanted_rate(seed: int, other_track: float, removed: bool = False) -> float:
    """unwanted_promotion_rate after 48 months of the two-ladder organisation.

    ``removed`` tells the offers that no level has roles on both tracks, as the single-ladder
    rule (``accept_wrong_track`` for every offer off one's path) would read them.
    """
    model = PromotionModel(scenario=BASELINE, rng=seed, overrides={
        "organisation.levels": TWO_LADDERS, "promotion.accept_other_track": other_track})
    if removed:
        model.org.alternative_at[:] = False
    for _ in range(48):
        model.step()
    return float(model.recorder.summary()["unwanted_promotion_rate"])


def check_other_track(removed: bool) -> Estimate:
    low = [unwanted_rate(s, 0.15, removed) for s in LADDER_SEEDS]
    high = [unwanted_rate(s, 0.4, removed) for s in LADDER_SEEDS]
    diff = paired(high, low)
    assert diff.low > 0.02, f"accepting offers on the other track more does not raise unwanted promotions: {diff}"
    return diff


def test_a_second_ladder_makes_offers_off_ones_path_easier_to_decline() -> None:
    """An org-design trial's two-ladder firm showed 0.23 unwanted promotions against 0.10: the
    single-ladder acceptance (0.4) applied where a move up one's own track was possible too.

    Measured when written: accept_other_track 0.4 - 0.15, +0.098 (CI +0.072 to +0.123), n=16 seeds.
    """
    print(f"unwanted promotions, other track accepted at 0.4 - 0.15: {check_other_track(removed=False)}")


def test_the_other_track_check_fails_when_no_level_has_both_tracks() -> None:
    with pytest.raises(AssertionError, match="does not raise unwanted promotions"):
        check_other_track(removed=True)


def test_each_decline_is_logged_with_the_persons_true_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """A researcher found 45 of 113 declines by people who wanted the move now logged as "wants
    it, but not now" (ODD 7.8.4 says each decline carries its true reason)."""
    seen: list[tuple[int, int]] = []
    logged = promotions.decline_reasons

    def checking(model: PromotionModel, rows: np.ndarray, reasons: np.ndarray, name: str) -> None:
        wf, org = model.workforce, model.org
        track = promotions.TRACKS.index(name.rsplit("(", 1)[1].rstrip(")"))
        for row, reason in zip(rows, reasons, strict=True):
            wants = int(wf.wants_mgmt[row])
            if wf.ambition[row] < 0.5:
                truth = 0
            elif not org.path_ok[wf.level[row] + 1, wants, track]:
                truth = 1
            else:
                truth = 2 if wf.wait[row] > 0 else 3
            seen.append((truth, int(reason)))
        logged(model, rows, reasons, name)

    monkeypatch.setattr(promotions, "decline_reasons", checking)
    model = PromotionModel(scenario=BASELINE, rng=3, headcount=1000)
    for _ in range(60):
        model.step()
    truths = {truth for truth, _ in seen}
    assert truths == {0, 1, 2, 3}, f"every kind of decline should occur in five years: {truths}"
    wrong = [(truth, reason) for truth, reason in seen if truth != reason]
    assert not wrong, f"{len(wrong)} of {len(seen)} declines logged with another reason: {wrong[:5]}"
    assert len(promotions.DECLINE_REASONS) == 4


def test_a_token_post_on_the_other_track_is_not_a_ladder_to_wait_for() -> None:
    """An org-design trial gave one specialist post to a level of 70 managers: acceptance of offers off
    one's path fell from 0.4 to 0.15 there, and unwanted promotions halved, as if a ladder existed."""
    levels = [dict(level) for level in TWO_LADDERS]
    levels[2] = {"name": "Senior", "positions": {"specialist": 1, "management": 70}, "hire_share": 0.2}
    model = PromotionModel(scenario=BASELINE, rng=1, overrides={"organisation.levels": levels})
    specialist, management = 0, 1
    assert not model.org.alternative_at[2, specialist], "1 of 71 is below promotion.other_track_min_share (0.1)"
    assert model.org.alternative_at[2, management] and model.org.alternative_at[3, specialist]  # 22 of 34
    anyone = PromotionModel(scenario=BASELINE, rng=1, overrides={"organisation.levels": levels,
                                                                  "promotion.other_track_min_share": 0.0})
    assert anyone.org.alternative_at[2, specialist]


def test_a_wish_to_move_later_said_to_a_new_manager_is_heard() -> None:
    """Beliefs start over under a new manager, but what a person said to that manager the same month
    (their interest, direction and timing) is what the new manager knows. The reset used to clear
    the timing after the signal had set it, so the new manager heard 'I want to move' without 'later'."""
    model = PromotionModel(scenario=BASELINE, rng=2, headcount=400, overrides={"behaviour.voice_rate": 1.0})
    wf = model.workforce
    managed = np.flatnonzero(wf.active & (model.org.lead_uids(wf.uid)[wf.boss_slot] >= 0))
    rows = managed[:40]
    wf.ambition[rows], wf.risk_sensitivity[rows], wf.visibility[rows], wf.wait[rows] = 0.9, 0.0, 1.0, 6
    wf.group[rows] = 0
    model.group_suppression[:] = 0.0
    wf.b_manager[rows] = -7  # someone who is no longer their manager
    behaviour.emit_signals(model, None)
    managers.update_beliefs(model, None)
    assert (wf.b_manager[rows] == model.org.lead_uids(wf.uid)[wf.boss_slot[rows]]).all(), "new manager"
    spoke = rows[wf.voiced[rows]]  # a wish for later is voiced half as often: about 20 of the 40
    assert spoke.size >= 10
    assert wf.b_later[spoke].all(), "the new manager heard that they want to move later"
    assert not wf.b_later[rows[~wf.voiced[rows]]].any(), "from the silent, the new manager knows nothing yet"


def test_someone_who_declined_the_move_is_not_passed_over_for_it() -> None:
    """Passed over means wanting the move and seeing someone else get it (ODD 7.8.6). A decliner was
    offered the move and said no; they were logged as passed over too (and so lost ambition and
    engagement, and left more often) in 67 of 470 declines over five baseline runs.

    Only declines of a wanted move count here ("wants it, but said no this time"): where a level
    has both tracks, someone can decline the other track's offer and, rightly, be passed over for
    their own track's move in the same round (53 of 285 declines in four runs of TWO_LADDERS), and
    the event log does not say which move a pass-over was for.
    """
    two_ladders = {"organisation.levels": TWO_LADDERS}
    declines = clashes = 0
    for seed, overrides in ((1, {}), (2, {}), (3, {}), (1, two_ladders), (2, two_ladders)):
        model = PromotionModel(scenario=BASELINE, rng=seed, overrides=overrides)
        for _ in range(60):
            model.step()
        ev = model.events.to_frame()
        wanted = ev["details"].str.endswith(promotions.DECLINE_REASONS[3])
        declined, passed = (set(ev.loc[rows, ["step", "employee"]].itertuples(index=False, name=None))
                            for rows in ((ev["kind"] == "decline") & wanted, ev["kind"] == "passed_over"))
        declines += len(declined)
        clashes += len(declined & passed)
    assert declines > 40, f"too few declines of a wanted move to see the rule at work: {declines}"
    assert clashes == 0, f"{clashes} of {declines} decliners were logged as passed over for the move they declined"
