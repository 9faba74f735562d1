"""Outcome measures, each defined in docs/ODD.md (section Submodels, Outcome metrics).

Stock measures describe the workforce at the end of a month (who is misread now). Flow measures
are ratios of counts over a trailing 12-month window in the time series, and over the whole
recorded run in the summary. Ledger measures (did a promotion stick, did development pay, did a
decliner stay) count decisions settled in the window. A ratio with nothing to count is NaN.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from sim.compiled import jit
from sim.managers import _named_ready, named_successors
from sim.records import PENDING, SUCCEEDED, Ledger
from sim.scenario import TRACKS, Promotion, Scenario
from sim.scenario import Metrics as MetricSettings
from sim.wording import possessive
from sim.workforce import performance_of

if TYPE_CHECKING:
    from sim.model import PromotionModel

NAN = float("nan")
WINDOW = 12

METRICS: tuple[str, ...] = (
    "headcount",
    "promotions",
    "hidden_ambition_rate",
    "misread_rate",
    "masked_aspiration_rate",
    "unwanted_promotion_rate",
    "timing_mismatch_rate",
    "plateau_rate",
    "mismatch_rate",
    "wrong_fit_promotion_rate",
    "promotion_stick_rate",
    "succession_coverage",
    "attrition_rate",
    "regretted_attrition_rate",
    "passed_over_exit_rate",
    "hidden_ambition_exit_rate",
    "specialist_retention_rate",
    "decliner_retention",
    "stretch_acceptance_rate",
    "internal_application_rate",
    "development_roi",
    "team_performance",
    "intervention_cost",
)
_METRIC_SET = frozenset(METRICS)
# Metrics present only when a scenario asks for them (metrics.level_weights).
EXTRA_METRICS: tuple[str, ...] = ("global_efficiency", "global_efficiency_change")
STOCKS = frozenset(
    {
        "headcount",
        "hidden_ambition_rate",
        "misread_rate",
        "masked_aspiration_rate",
        "timing_mismatch_rate",
        "plateau_rate",
        "mismatch_rate",
        "succession_coverage",
        "team_performance",
    }
)
N_TRACKS = len(TRACKS)
# Flows counted by (group, level, track) each month (``PromotionModel.moves``): promotions into
# the cell, exits from it. They appear in the time series' breakdowns as monthly counts.
MOVES = ("promotions", "exits")
PROMOTED, EXITED = range(len(MOVES))
BROKEN_DOWN = ("hidden_ambition_rate", "misread_rate", "masked_aspiration_rate", "mismatch_rate", "plateau_rate")

Better = Literal["lower", "higher", "one"]


@dataclass(frozen=True)
class MetricInfo:
    """What a summary metric means in plain words, for readers who do not know the engine.

    Reports and the app say whether a change is good or bad from ``better``; keeping it here,
    beside the names, means a new metric cannot get a report line without a meaning and a
    direction (a test checks every metric has one). The definitions are docs/ODD.md 7.12.

    Attributes:
        label: A short plain name ("misread rate").
        meaning: What the run's summary value is, in one sentence.
        better: ``"lower"``, ``"higher"``, ``"one"`` (closer to parity) or None when neither way
            is better in itself (more promotions are not good or bad on their own).
        bounds: The lowest and highest value the metric can take (``SHARE`` for a share, a rate
            per year included, since those are capped at 1). A mean's t-interval over three runs
            read ``0.08 [-0.07, 0.24]`` for an attrition rate; ``analysis.arm_means`` cuts it here.
    """

    label: str
    meaning: str
    better: Better | None
    bounds: tuple[float, float]


SHARE = (0.0, 1.0)  # a share or a chance, from 0 to 1
AT_LEAST_0 = (0.0, math.inf)  # a count, hours, or a ratio of two shares


_LAST_YEAR = "averaged over the last year"
_WHOLE_RUN = "over the whole run"
_COHORT = "of those begun up to one window before the end, so that every one has settled"
METRIC_INFO: dict[str, MetricInfo] = {
    "headcount": MetricInfo("headcount", "people employed at the end of the run", None, AT_LEAST_0),
    "promotions": MetricInfo("promotions", f"number of promotions {_WHOLE_RUN}", None, AT_LEAST_0),
    "hidden_ambition_rate": MetricInfo(
        "hidden ambition", "share of the people who want to move up (the top level too, where there is no role "
        f"above) whose manager believes they do not ({_LAST_YEAR})", "lower", SHARE),
    "misread_rate": MetricInfo(
        "misread rate", "share of all people whose manager has their wish to move up the wrong way round: thinks "
        f"they do not when they do, or that they do when they do not ({_LAST_YEAR})", "lower", SHARE),
    "masked_aspiration_rate": MetricInfo(
        "masked ambition", f"share of the people who want to move up who hid it from their manager ({_LAST_YEAR})",
        "lower", SHARE),
    "unwanted_promotion_rate": MetricInfo(
        "unwanted promotions", f"share of promotions into a role the person did not want ({_WHOLE_RUN})",
        "lower", SHARE),
    "timing_mismatch_rate": MetricInfo(
        "timing mismatch", "share of all people whose manager has the timing of their wish wrong: now when they "
        f"want later, or the reverse ({_LAST_YEAR})", "lower", SHARE),
    "plateau_rate": MetricInfo(
        "plateaued", "share of all people who want to move now, whose manager knows it, but are stuck: no role above "
        "on their path (at the top level, none at all), or a long wait in their role; an aspirant taken for "
        f"uninterested counts as hidden ambition instead ({_LAST_YEAR})", "lower", SHARE),
    "mismatch_rate": MetricInfo(
        "all mismatches", "share of all people with hidden ambition, in a role they did not want, or misread on "
        f"timing ({_LAST_YEAR})", "lower", SHARE),
    "wrong_fit_promotion_rate": MetricInfo(
        "wrong-fit promotions", f"share of promotions into a role the person was not competent for ({_WHOLE_RUN})",
        "lower", SHARE),
    "promotion_stick_rate": MetricInfo(
        "promotions that stick", "share of promotions that worked out: still in the role and competent at the end "
        f"of the trial period, or promoted again ({_COHORT})", "higher", SHARE),
    "succession_coverage": MetricInfo(
        "succession coverage", "share of top-level positions whose named successor is really ready and willing "
        f"({_LAST_YEAR})", "higher", SHARE),
    "attrition_rate": MetricInfo("attrition", f"share of people leaving per year, for any reason ({_WHOLE_RUN})",
                                 "lower", SHARE),
    "regretted_attrition_rate": MetricInfo(
        "high performers leaving", f"share of high performers who chose to leave, per year ({_WHOLE_RUN})",
        "lower", SHARE),
    # "Passed over" is the model's narrow sense (docs/ODD.md 7.8.6), not "not promoted": an HR
    # director read the rate as every unpromoted person's, when it counts the good ones only.
    "passed_over_exit_rate": MetricInfo(
        "passed-over people leaving", "share of the people passed over recently (within exits.passed_over_months, "
        "12 by default: they wanted the move, applied or were high performers, and saw someone who performs worse "
        "get it) who chose to leave, per "
        f"year ({_WHOLE_RUN})", "lower", SHARE),
    # A share of everyone, not of the people with hidden ambition: being misread does not itself
    # raise anyone's hazard (docs/ODD.md 7.10), so what a lever changes is how many leave unseen.
    "hidden_ambition_exit_rate": MetricInfo(
        "unseen ambition leaving", "share of all people who chose to leave while they wanted to move up and their "
        f"manager believed them uninterested (hidden ambition), per year ({_WHOLE_RUN})", "lower", SHARE),
    "specialist_retention_rate": MetricInfo(
        "specialists staying", "share of the people who want to advance as specialists (not managers) who stay, "
        f"per year ({_WHOLE_RUN})", "higher", SHARE),
    "decliner_retention": MetricInfo(
        "decliners staying", f"share of people who turned down a promotion and still work here months later "
        f"({_COHORT})", "higher", SHARE),
    "stretch_acceptance_rate": MetricInfo(
        "stretch assignments accepted", f"share of stretch assignments offered that were taken up ({_WHOLE_RUN})",
        "higher", SHARE),
    "internal_application_rate": MetricInfo(
        "internal applications", "share of the people who could apply for an open role one level up who applied "
        f"({_WHOLE_RUN})", None, SHARE),
    "development_roi": MetricInfo(
        "development that paid off", "share of development efforts followed by a promotion the person wanted, in "
        f"the direction they wanted ({_COHORT})", "higher", SHARE),
    "team_performance": MetricInfo(
        "team performance", f"average performance, helped or held back by the manager, from 0 to 1 ({_LAST_YEAR})",
        "higher", SHARE),
    "intervention_cost": MetricInfo(
        "lever time", f"hours the levers take, per person per year ({_WHOLE_RUN})", "lower", AT_LEAST_0),
    "global_efficiency": MetricInfo(
        "global efficiency", f"competence of the people in post weighted by level, from 0 to 100 ({_LAST_YEAR})",
        "higher", (0.0, 100.0)),
    "global_efficiency_change": MetricInfo(
        "change in global efficiency", "global efficiency at the end minus at the start of the run", "higher",
        (-100.0, 100.0)),
}
REPRESENTATION = "representation_ratio."  # + a group name: one metric per group
# + a group name: the group's share of the people at the top (0.31 = 31 %), in every run's summary
# with two groups or more, in a comparison's tables only when named. A VP reading "women at the top:
# 0.62" asked what share of Director and above are women (an org-design trial); the report says it.
TOP_SHARE = "top_share."
# What the levers cost rather than what they achieve: lower is cheaper, but a lever's own hours are
# set by design, so reports call them a cost, never "worse", and Holm's correction leaves them out.
COSTS = frozenset({"intervention_cost"})


# The ledger rates and the scenario keys of the window after which each record settles: a
# success (a promotion that stuck, a decliner who stayed, development that paid) counts only then.
LEDGER_WINDOWS: dict[str, tuple[str, str]] = {
    "promotion_stick_rate": ("promotion", "stick_window_months"),
    "decliner_retention": ("metrics", "decliner_window_months"),
    "development_roi": ("metrics", "roi_window_months"),
}
# A ledger rate + "." + a group name: the rate over that group's records, in every run's summary
# but in a comparison's tables only when named (``--metrics``). "Do women's promotions stick as
# often as men's?" took pandas over the promotions table (a new user's trial).
BY_GROUP_ON_REQUEST = tuple(f"{rate}." for rate in LEDGER_WINDOWS)
# What each ledger's records are, in words, with the window each one settles in.
_GROUP_RECORDS = {rate: (records, LEDGER_WINDOWS[rate]) for rate, records in (
    ("promotion_stick_rate", "promotion"), ("decliner_retention", "declined offer"),
    ("development_roi", "development effort"))}
GROUP_METRICS = (REPRESENTATION, TOP_SHARE, *BY_GROUP_ON_REQUEST)  # the per-group families: prefix + group name
# The per-group families a comparison's tables show only when named (``--metrics``), and which
# a one-group scenario does not report (one group is everyone).
ON_REQUEST = (TOP_SHARE, *BY_GROUP_ON_REQUEST)
# Between two group names after a ledger rate (``promotion_stick_rate.women/men``): the first
# group's rate over the second's, run by run, worked out when a comparison is analysed. 1 is
# parity; HR's four-fifths rule reads selection rates the same way. "Do women's promotions stick
# as often as men's?" needed the two rates' difference by hand, with no interval (a researcher's trial).
GROUP_RATIO = "/"


def first_ledger_month(window: int) -> int:
    """The first recorded month whose ledger rate is given, for records settling within ``window`` months.

    From then on the trailing ``WINDOW`` months' settled records were all made in the recorded run
    (``_SettledTally.rate``): with the defaults the stick rate starts at month 30, decliner
    retention at 24, development ROI at 36.
    """
    return 1 if window <= 0 else window + WINDOW


def ledger_window(scenario: Scenario, metric: str) -> int:
    """The months after which a record of ledger rate ``metric`` settles as a success (``LEDGER_WINDOWS``)."""
    block, key = LEDGER_WINDOWS[metric]
    return int(getattr(getattr(scenario, block), key))


def settling_note(names: Iterable[str] = tuple(LEDGER_WINDOWS)) -> str:
    """Why ledger rates can have no value in a short run: their records count only once settled.

    Said by ``promosim run`` under an n/a of a ledger rate (``undefined_reasons``) and by report.md,
    with the default window of each rate named (a new user read three windows beside two rates).
    """
    defaults = {"promotion_stick_rate": ("promotions", Promotion().stick_window_months),
                "decliner_retention": ("decliners", MetricSettings().decliner_window_months),
                "development_roi": ("development", MetricSettings().roi_window_months)}
    named = [defaults[name] for name in names if name in defaults]
    def listed(items: list[str]) -> str:
        return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 1 else "".join(items)

    what = [word for word, _ in named]
    counted = listed(what) or "records"
    months = listed([str(m) for _, m in named])
    verb = "counts" if what == ["development"] else "count"  # "promotions count", "development counts"
    return (f"{counted} {verb} only once settled ({months} months by default), so runs this short have none; "
            "longer runs give them")


def undefined_reasons(names: Iterable[str], top_is_everyone: bool | None, one_group: bool = False,
                      runs: str = "this run", label: Callable[[str], str] = str) -> list[str]:
    """Why each of these metrics has no value (NaN), grouped by reason, one sentence per reason.

    A bare "runs this short have none" sends a reader to a longer run, which helps only the
    ledger rates; a representation ratio of a flat organisation (``metrics.key_levels`` covering
    every level) stays NaN however long the run, and a flow with nobody in its population (no
    stretch offers, nobody passed over) needs a larger or different organisation, not more months.
    A group's ledger rate (``promotion_stick_rate.<group>``) beside a whole rate with a value had
    runs long enough: the group had no record to count.

    Args:
        names: The metrics with no value, as the caller will show them (metric names); a group's
            ledger rate is put down to the runs' length only when the whole rate is among them.
        top_is_everyone: Whether the top ``metrics.key_levels`` levels are every level of the
            organisation (``_Layout.top_from == 0``); None when not known (a report of many runs
            with no representation in any: one of the two reasons must hold).
        one_group: Whether the scenario has one group, who is then everyone at the top too.
        runs: What the sentences call the runs ("these runs" in a report of many).
        label: How a metric is named in the sentences (``report.plain_label`` in reports).

    Returns:
        Sentences starting with the metric names they explain; empty when ``names`` is.
    """
    names = list(names)
    ledgers, flat, groups_none, empty_top, other = [], [], [], [], []
    for name in names:
        rate = ledger_metric(name)
        if name.startswith(TOP_SHARE):
            empty_top.append(name)
        elif rate is not None and rate != name and rate not in names:
            # The whole rate has a value (or was not asked for): the runs may be long enough, and
            # the group had no record in the cohort, which "runs this short have none" did not say.
            groups_none.append(name)
        elif rate is not None:
            ledgers.append(name)
        elif name.startswith(REPRESENTATION) and (top_is_everyone is not False or one_group):
            flat.append(name)
        else:
            other.append(name)
    reasons = []
    if ledgers:
        rates = dict.fromkeys(ledger_metric(name) or name for name in ledgers)  # a group's share: its rate's window
        reasons.append(f"{', '.join(map(label, ledgers))}: {settling_note(rates)}")
    if flat and top_is_everyone is None:
        reasons.append(f"{', '.join(map(label, flat))}: the organisation has one group, or its top "
                       "metrics.key_levels levels are every level, so the top is everyone and the ratio would be 1 "
                       "whatever happened")
    elif flat and top_is_everyone:
        reasons.append(f"{', '.join(map(label, flat))}: metrics.key_levels covers every level, so the top is "
                       "everyone and the ratio would be 1 whatever happened; set metrics.key_levels below the "
                       "number of levels")
    elif flat:
        reasons.append(f"{', '.join(map(label, flat))}: one group is everyone at the top too, so the ratio would "
                       "be 1 whatever happened; representation needs two groups or more")
    for rate, (records, (block, key)) in _GROUP_RECORDS.items():
        none = [name for name in groups_none if ledger_metric(name) == rate and group_ratio_parts(name) is None]
        ratios = [name for name in groups_none if ledger_metric(name) == rate and group_ratio_parts(name)]
        if ratios:  # either group may have had no record, or the second group's rate been 0 (a review's trial)
            parts = dict.fromkeys(rate for name in ratios for rate in group_ratio_rates(name))
            reasons.append(f"{', '.join(map(label, ratios))}: in no run did both groups have a rate with the "
                           f"second's above 0: a group with no {records} in {runs} made up to one window "
                           f"({block}.{key}) before the end has no rate, and a rate of 0 cannot be divided by; "
                           f"the groups' own rates show which ({', '.join(parts)})")
        if none:
            reasons.append(f"{', '.join(map(label, none))}: the group had no {records} in {runs} made up to one "
                           f"window ({block}.{key}) before the end, which the rate counts; a small group has few, "
                           "so a longer run or a larger organisation may give some")
    if empty_top:
        reasons.append(f"{', '.join(map(label, empty_top))}: nobody was on the top metrics.key_levels levels in the "
                       f"last year of {runs}, so there was no one to count a share of")
    if other:
        reasons.append(f"{', '.join(map(label, other))}: nobody in the rate's population, or no events of its "
                       f"kind, in {runs}")
    return reasons


# How reports and plots say which way a metric is better (``MetricInfo.better``).
BETTER_WORDS = {"lower": "Lower is better.", "higher": "Higher is better.", "one": "Closer to 1 is better.",
                None: "Neither higher nor lower is better in itself."}


# Which way is better, short: the printed tables' metric headings (compare) and column (run) say it.
DIRECTION_WORDS = {**{k: v.rstrip(".").lower() for k, v in BETTER_WORDS.items() if k is not None},
                   None: "neither way better"}


def direction_words(metric: str) -> str:
    """Which way is better, as a printed table says it beside a metric; lever time is a cost."""
    if metric in COSTS:
        return "a cost, in hours"
    info = metric_info(metric)
    return DIRECTION_WORDS[info.better if info else None]


def metric_info(name: str) -> MetricInfo | None:
    """The plain-words entry of a summary metric (``representation_ratio.<group>`` for any group), else None."""
    if name.startswith(REPRESENTATION):
        group = name.removeprefix(REPRESENTATION)
        return MetricInfo(f"{group} at the top", f"{possessive(group)} share of the top levels over their share of all "
                          f"people: 1 is parity, below 1 too few at the top ({_LAST_YEAR})", "one", AT_LEAST_0)
    if name.startswith(TOP_SHARE):
        group = name.removeprefix(TOP_SHARE)
        return MetricInfo(f"{possessive(group)} share of the top",
                          f"share of the people in the top levels who are {group}, from 0 to 1 ({_LAST_YEAR})", None,
                          SHARE)
    ratio_of = group_ratio_parts(name)
    if ratio_of is not None:
        rate, group, other = ratio_of
        whole = METRIC_INFO[rate]
        return MetricInfo(f"{whole.label} ({group} over {other})",
                          f"{possessive(group)} rate over {possessive(other)}, run by run, of the {whole.label}: 1 is "
                          f"parity, below 1 {group} fare worse (HR's four-fifths rule flags below 0.8); the rate is "
                          f"the {whole.meaning}", "one", AT_LEAST_0)
    rate = ledger_metric(name)
    if rate is not None and rate != name:
        group = name.removeprefix(f"{rate}.")
        whole = METRIC_INFO[rate]
        return MetricInfo(f"{whole.label} ({group})", f"{group} only: {whole.meaning}", whole.better,
                          whole.bounds)
    return METRIC_INFO.get(name)


def metric_bounds(name: str) -> tuple[float, float]:
    """The values metric ``name`` can take (``MetricInfo.bounds``); any value for a metric the engine does not know."""
    info = metric_info(name)
    return info.bounds if info is not None else (-math.inf, math.inf)


def group_ratio_parts(name: str) -> tuple[str, str, str] | None:
    """(ledger rate, group, other group) of a group ratio (``promotion_stick_rate.women/men``), else None."""
    rate = ledger_metric(name)
    if rate is None or rate == name:
        return None
    group, sep, other = name.removeprefix(f"{rate}.").partition(GROUP_RATIO)
    return (rate, group, other) if sep and group and other else None


def group_ratio_rates(name: str) -> list[str]:
    """The two rates a group ratio is worked out from (``promotion_stick_rate.women``, ``...men``), else [name]."""
    ratio_of = group_ratio_parts(name)
    return [name] if ratio_of is None else [f"{ratio_of[0]}.{group}" for group in ratio_of[1:]]


def ledger_metric(name: str) -> str | None:
    """The ledger rate (``LEDGER_WINDOWS``) that ``name`` is, or is one group's of, else None."""
    return name if name in LEDGER_WINDOWS else next(
        (prefix[:-1] for prefix in BY_GROUP_ON_REQUEST if name.startswith(prefix)), None)


def ratio(num: float, den: float) -> float:
    """Num / den, or NaN when there is nothing to divide by."""
    return float(num) / float(den) if den > 0 else NAN


def capped(rate: float) -> float:
    """A rate capped at 1; NaN stays NaN (``min(1.0, nan)`` would say 1.0)."""
    return rate if math.isnan(rate) else min(1.0, rate)


def structural_plateau(model: PromotionModel) -> np.ndarray:
    """Who is on a plateau: a limit of structure, not of reading.

    Wants to move now, but no role one level up lies on their path, or has been at least
    ``metrics.plateau_months`` in the role.
    """
    return _plateau(model, model.workforce.wants_now())


def _plateau(model: PromotionModel, wants_now: np.ndarray) -> np.ndarray:
    """``structural_plateau`` given the wants-now column, so a caller that has it need not redo it."""
    wf = model.workforce
    # One lookup per row in the flattened (level, wants_mgmt) table; an empty row (level -1)
    # reads index -2 or -1, the top level, which has no next rung (and wants_now is False there).
    next_exists = model.org.step_up_ok.ravel()[wf.level.astype(np.intp) * 2 + wf.wants_mgmt]
    return wants_now & (~next_exists | (wf.time_in_role >= model.scenario.metrics.plateau_months))


def classify(model: PromotionModel) -> dict[str, np.ndarray]:
    """Boolean columns for who is in which mismatch category right now.

    ``Recorder.measure`` counts the same categories row by row in ``_row_codes`` (compiled,
    instead of a numpy pass per test); a change to a definition here must be made there too,
    and tests/test_metrics_compiled.py checks that the two agree.
    """
    wf, m = model.workforce, model.scenario.metrics
    on = wf.active
    aspiring = wf.aspiring()
    b = wf.b_interest
    looks_keen = b >= m.interested_belief
    later = wf.wait > 0
    hidden = aspiring & (b <= m.disinterested_belief)
    false_interest = on & ~aspiring & looks_keen
    timing = aspiring & np.where(later, looks_keen & ~wf.b_later, wf.b_later)
    plateau = _plateau(model, aspiring & ~later) & ~hidden
    unwanted = on & wf.unwanted_role
    return {
        "active": on,
        "aspiring": aspiring,
        "hidden": hidden,
        "misread": hidden | false_interest,
        "masked": wf.masking & aspiring,
        "timing": timing,
        "plateau": plateau,
        "mismatch": hidden | unwanted | timing,
    }


# The categories of ``classify`` that are counted, "active" first; each is a subset of "active".
CATEGORIES: tuple[str, ...] = ("active", "aspiring", "hidden", "misread", "masked", "timing", "plateau", "mismatch")
# Each rate of the classification: numerator category and denominator category.
_RATE_PARTS: dict[str, tuple[str, str]] = {
    "hidden_ambition_rate": ("hidden", "aspiring"),
    "misread_rate": ("misread", "active"),
    "masked_aspiration_rate": ("masked", "aspiring"),
    "timing_mismatch_rate": ("timing", "active"),
    "plateau_rate": ("plateau", "active"),
    "mismatch_rate": ("mismatch", "active"),
}
# A person's pattern code has bit i - 1 set when they are in CATEGORIES[i] (i >= 1); only active
# people are counted, so "active" needs no bit. _PATTERN_CATEGORIES[pattern, i] says whether a
# pattern counts toward CATEGORIES[i].
_N_BITS = len(CATEGORIES) - 1
_PATTERN_CATEGORIES = np.column_stack(
    [np.ones(1 << _N_BITS), (np.arange(1 << _N_BITS)[:, None] >> np.arange(_N_BITS)) & 1]
).astype(float)


def cell_counts(model: PromotionModel, cat: dict[str, np.ndarray]) -> np.ndarray:
    """How many people of each category sit in each (group, level, track) cell.

    Every rate and breakdown of the month is a ratio of these counts, so they are taken in one
    bincount over a code of (cell, category pattern) instead of one masked pass per category
    and per breakdown. Counts are whole numbers held exactly in floats, so any sum over cells
    equals the count taken directly.

    Returns:
        Counts of shape (len(CATEGORIES), groups, levels, tracks).
    """
    wf, sc = model.workforce, model.scenario
    n_groups, n_levels = len(sc.group_names), sc.n_levels
    on = cat["active"]
    pattern = np.zeros(on.size, dtype=np.uint8)
    for bit, name in enumerate(CATEGORIES[1:]):
        pattern |= cat[name].view(np.uint8) * np.uint8(1 << bit)  # (a uint8 shift is far slower)
    # Code 0 is every empty row; an active row's code is 1 + cell x patterns + pattern.
    cell = (wf.group.astype(np.intp) * n_levels + wf.level) * N_TRACKS + wf.track
    code = (cell << _N_BITS | pattern) + 1
    code *= on
    n_cells, n_patterns = n_groups * n_levels * N_TRACKS, _PATTERN_CATEGORIES.shape[0]
    by_pattern = np.bincount(code, minlength=1 + n_cells * n_patterns)[1:].astype(float)
    per_category = by_pattern.reshape(n_cells, n_patterns) @ _PATTERN_CATEGORIES
    return per_category.T.reshape(len(CATEGORIES), n_groups, n_levels, N_TRACKS)


_RATE_COLUMNS = [(m, CATEGORIES.index(num), CATEGORIES.index(den)) for m, (num, den) in _RATE_PARTS.items()]


# The rows of ``_rate_rows``: headcount, then each rate (numerator, denominator) of _RATE_COLUMNS.
_TABLE_KEYS: tuple[str, ...] = ("headcount", *(m for m, _, _ in _RATE_COLUMNS))
_RATE_INDEX = np.array([(num, den) for _, num, den in _RATE_COLUMNS], dtype=np.int64)


@jit
def _rate_rows(counts, rate_index):
    """Headcount and every classification rate, as rows of one array, for each column.

    Columns: the whole workforce, each level, each group, each track. Counts are whole numbers,
    so the totals are exact in any order; each rate is one division (NaN where the denominator is 0).
    """
    n_cat, n_groups, n_levels, n_tracks = counts.shape
    n_cols = 1 + n_levels + n_groups + n_tracks
    by = np.zeros((n_cat, n_cols))
    for c in range(n_cat):
        for g in range(n_groups):
            for lv in range(n_levels):
                for t in range(n_tracks):
                    v = counts[c, g, lv, t]
                    by[c, 0] += v
                    by[c, 1 + lv] += v
                    by[c, 1 + n_levels + g] += v
                    by[c, 1 + n_levels + n_groups + t] += v
    out = np.empty((1 + rate_index.shape[0], n_cols))
    out[0] = by[0]
    for r in range(rate_index.shape[0]):
        num, den = rate_index[r, 0], rate_index[r, 1]
        for j in range(n_cols):
            d = by[den, j]
            out[1 + r, j] = by[num, j] / d if d > 0 else np.nan
    return out


def _move_columns(moves: np.ndarray) -> np.ndarray:
    """A month's promotions and exits, flat: in ``_rate_rows``' columns, then by (group, level).

    First each move's row of columns (whole, each level, each group, each track, as
    ``_rate_rows``), then each move's (group, level) cells, as ``headcount`` has them, so that a
    group's promotion and exit rates at each level can be read beside its headcount there.

    Args:
        moves: Counts by (move, group, level, track) (``PromotionModel.moves``); whole numbers,
            so the sums are exact in any order.
    """
    columns = np.concatenate([moves.sum(axis=(1, 2, 3))[:, None], moves.sum(axis=(1, 3)), moves.sum(axis=(2, 3)),
                              moves.sum(axis=(1, 2))], axis=1)
    return np.concatenate((columns.ravel(), moves.sum(axis=3).ravel()))


@jit
def _representation_rows(headcount, top_from):
    """Each group's share of the top levels over its share of the workforce (1.0 is parity), then its share of the top.

    Args:
        headcount: People per (group, level) cell.
        top_from: The first of the top (key) levels. At 0 the top is everyone (a flat organisation with
            ``metrics.key_levels`` covering every level) and the ratio, always 1, says nothing: NaN,
            as with one group, who is everyone at the top too.

    Returns:
        Two rows, one column per group: the ratios, and the shares of the top (NaN with nobody there).
        Both NaN with one group, which the summary does not report.
    """
    n_groups, n_levels = headcount.shape
    out = np.full((2, n_groups), np.nan)
    if n_groups < 2:
        return out
    g_all = np.zeros(n_groups)
    g_top = np.zeros(n_groups)
    for g in range(n_groups):
        for lv in range(n_levels):
            g_all[g] += headcount[g, lv]
            if lv >= top_from:
                g_top[g] += headcount[g, lv]
    n_all, n_top = g_all.sum(), g_top.sum()
    for g in range(n_groups):
        top_share = g_top[g] / n_top if n_top > 0 else np.nan
        all_share = g_all[g] / n_all if n_all > 0 else np.nan
        out[1, g] = top_share
        if top_from > 0:
            out[0, g] = top_share / all_share if all_share > 0 else np.nan
    return out


def team_performance(model: PromotionModel) -> float:
    """Mean performance of people, lifted or dragged by their manager's fit, scaled to 0-1 (12 = 10 x 1.2).

    A vacant manager post counts as a boss of competence 5.0; no manager post at all (the top)
    means a factor of 1.0.
    """
    wf = model.workforce
    on = wf.active
    if not on.any():
        return NAN
    # The factor of each team's head post, then one gather per row (index -1, no post: 1.0).
    heads = model.org.heads()
    boss = model.org.occupant[heads]
    by_post = np.ones(model.org.n_slots + 1)
    by_post[heads] = 0.8 + 0.04 * np.where(boss >= 0, wf.competence[boss], 5.0)
    factor = by_post[wf.boss_slot]
    return float((wf.performance() * factor)[on].mean() / 12.0)


# Row codes of ``_row_codes``: (cell, category pattern) below this bit, "in a succession pool" on it.
_POOL_BIT = 30


def _month_tallies(model: PromotionModel) -> tuple[np.ndarray, int, int, int, float, int]:
    """Everything ``measure`` counts over the rows, in a few compiled passes instead of ~30 numpy ones.

    The same numbers as ``cell_counts(model, classify(model))``, the high-performer, recently
    passed-over and specialist-aspirant counts, ``team_performance`` and ``named_successors``.

    Returns:
        (cell counts as floats, high performers, recently passed over, specialist aspirants,
        team performance, key roles covered by a ready and willing successor).
    """
    wf, sc, org = model.workforce, model.scenario, model.org
    m = sc.metrics
    if org.step_up_bits is None:  # the per-(level, direction) tables no longer fit in one int64
        return _numpy_tallies(model)
    counts, n_high, n_passed_over, n_spec, team, covered = _tally_rows(
        wf.active, wf.group, wf.level, wf.track, wf.ambition, wf.wait, wf.wants_mgmt, wf.b_interest, wf.b_later,
        wf.b_refused, wf.b_mgmt, wf.b_ready, wf.masking, wf.unwanted_role, wf.time_in_role, wf.passed_over_at,
        wf.competence, wf.engagement, wf.load, wf.mgmt_ready, wf.spec_ready, wf.boss_slot, org.heads(), org.occupant,
        org.step_up_bits, org.pool_bits, org.path_ok, org.succession_quota, len(sc.group_names), sc.n_levels,
        m.interested_belief, m.disinterested_belief, m.plateau_months, model.month, sc.exits.passed_over_months,
        m.high_performer_competence, m.ready_threshold, wf.engagement_effect,
    )
    return counts.astype(float), n_high, n_passed_over, n_spec, team, covered


def _numpy_tallies(model: PromotionModel) -> tuple[np.ndarray, int, int, int, float, int]:
    """``_month_tallies`` from the numpy definitions, for organisations too tall for its tables."""
    wf, sc = model.workforce, model.scenario
    cat = classify(model)
    on = cat["active"]
    recent_po = on & ((model.month - wf.passed_over_at) < sc.exits.passed_over_months)
    high = on & (wf.competence >= sc.metrics.high_performer_competence)
    spec = cat["aspiring"] & ~wf.wants_mgmt
    return (
        cell_counts(model, cat),
        int(np.count_nonzero(high)),
        int(np.count_nonzero(recent_po)),
        int(np.count_nonzero(spec)),
        team_performance(model),
        named_successors(model)[0],
    )


@jit
def _tally_rows(
    active, group, level, track, ambition, wait, wants_mgmt, b_interest, b_later, b_refused, b_mgmt, b_ready, masking,
    unwanted_role, time_in_role, passed_over_at, competence, engagement, load, mgmt_ready, spec_ready,
    boss_slot, heads, occupant, step_bits, pool_bits, path_ok, quota, n_groups, n_levels, interested,
    disinterested, plateau_months, month, passed_over_months, high_competence, ready_threshold,
    engagement_effect,
):
    """``_month_tallies`` for every row: the tests of ``classify`` and friends, row by row.

    Split in passes by what the compiler can do with them: the category tests (``_row_codes``)
    are arithmetic on each row alone and run vectorised; counting the codes, gathering the
    succession pools and the active rows' performance each need a running index and are
    scalar, so they are kept out of it. (One fused loop was three times slower than the
    passes together.) Each row adds 1 to one bin of (lane, cell, category pattern), as
    ``cell_counts`` does; four lanes (by row) keep runs of alike rows from queuing on one
    counter. Counts are integers, exact in any order. The one float total, team performance, is
    summed over the active rows' values in row order with numpy's own pairwise scheme, so that
    it matches ``team_performance``'s ``mean`` to the last bit.
    """
    n_cells = n_groups * n_levels * N_TRACKS  # (group, level, track)
    code = np.empty(active.size, np.int32)
    n_high, n_passed_over, n_spec = _row_codes(
        active, group, level, track, ambition, wait, wants_mgmt, b_interest, b_later, b_refused, b_mgmt, masking,
        unwanted_role, time_in_role, passed_over_at, competence, step_bits, pool_bits, n_levels, n_cells,
        interested, disinterested, plateau_months, month, passed_over_months, high_competence, code,
    )
    # Category counts per cell: count each code, then add each pattern into its categories.
    bins = np.zeros((4, (n_cells + 1) << _N_BITS), np.int64)
    cell_mask = (1 << _POOL_BIT) - 1
    for i in range(code.size):
        bins[i & 3, code[i] & cell_mask] += 1
    counts = np.zeros((_N_BITS + 1, n_cells), np.int64)
    for cell in range(n_cells):
        for pattern in range(1 << _N_BITS):
            at = cell << _N_BITS | pattern
            n = bins[0, at] + bins[1, at] + bins[2, at] + bins[3, at]
            if n == 0:  # most (cell, pattern) bins of a small organisation: skipping halved this pass at 1k
                continue
            counts[0, cell] += n
            for bit in range(_N_BITS):
                counts[bit + 1, cell] += n * ((pattern >> bit) & 1)
    # named_successors' pools: the few rows flagged, with their pool (level x 2 + believed track).
    pool = np.empty(active.size, np.int64)
    pool_key = np.empty(active.size, np.int64)
    n_pool = 0
    for i in range(code.size):
        if code[i] >> _POOL_BIT:
            pool[n_pool] = i
            pool_key[n_pool] = np.intp(level[i]) * 2 + np.intp(b_mgmt[i] >= 0.5)
            n_pool += 1
    covered = _named_ready(
        pool[:n_pool], pool_key[:n_pool], quota, b_ready, ambition, wants_mgmt, wait, mgmt_ready, spec_ready,
        path_ok, ready_threshold,
    )
    # team_performance. The factor of each team's head post, worked out once per post (far
    # cheaper than fetching each row's manager's competence, scattered rows, in the loop);
    # index -1 (no post) reads the extra last entry, 1.0.
    by_post = np.ones(occupant.size + 1)
    for h in heads:
        boss = occupant[h]
        by_post[h] = 0.8 + 0.04 * (competence[boss] if boss >= 0 else 5.0)
    perf = np.empty(active.size)
    n_on = 0
    e = engagement_effect
    for i in range(active.size):
        # Written for every row; an empty row's value is overwritten by the next active one.
        perf[n_on] = performance_of(competence[i], engagement[i], load[i], e) * by_post[boss_slot[i]]
        n_on += np.intp(active[i])
    team = _pairwise_sum(perf, n_on) / n_on / 12.0 if n_on > 0 else np.nan
    return counts.reshape(_N_BITS + 1, n_groups, n_levels, N_TRACKS), n_high, n_passed_over, n_spec, team, covered


@jit
def _row_codes(
    active, group, level, track, ambition, wait, wants_mgmt, b_interest, b_later, b_refused, b_mgmt, masking,
    unwanted_role, time_in_role, passed_over_at, competence, step_bits, pool_bits, n_levels, n_cells,
    interested, disinterested, plateau_months, month, passed_over_months, high_competence, code,
):
    """Each row's code for ``_tally_rows``; returns the high, passed-over and specialist counts.

    A row's code is cell x 2^7 + its category pattern (bit b - 1 for ``CATEGORIES[b]``), plus
    bit ``_POOL_BIT`` when it is in a succession pool that names someone. Every test is a 0/1
    integer and tables are read as bits, so the loop has no branch and no gather and is
    vectorised. An empty row (level and group -1) goes to the extra cell ``n_cells`` and every
    test of it is masked by ``on``.
    """
    n_high = n_passed_over = n_spec = 0
    for i in range(active.size):
        on = np.intp(active[i])
        lv = np.intp(level[i])
        wm = np.intp(wants_mgmt[i])
        aspiring = on & np.intp(ambition[i] >= 0.5)
        keen = on & np.intp(b_interest[i] >= interested)
        later = np.intp(wait[i] > 0)
        known_later = np.intp(b_later[i])
        hidden = aspiring & np.intp(b_interest[i] <= disinterested)
        misread = hidden | ((1 - aspiring) & keen)
        masked = aspiring & np.intp(masking[i])
        timing = aspiring & ((later & keen & (1 - known_later)) | ((1 - later) & known_later))
        # _plateau on the wants-now rows, less the hidden ones (& 63 keeps an empty row's shift defined).
        no_next = 1 - ((step_bits >> ((lv * 2 + wm) & 63)) & 1)
        waited = np.intp(time_in_role[i] >= plateau_months)
        plateau = aspiring & (1 - later) & (1 - hidden) & (no_next | waited)
        mismatch = hidden | (on & np.intp(unwanted_role[i])) | timing
        pattern = aspiring | hidden << 1 | misread << 2 | masked << 3 | timing << 4 | plateau << 5 | mismatch << 6
        cell = on * ((np.intp(group[i]) * n_levels + lv) * N_TRACKS + np.intp(track[i])) + (1 - on) * n_cells
        key = (lv * 2 + np.intp(b_mgmt[i] >= 0.5)) & 63
        pooled = keen & (1 - np.intp(b_refused[i])) & ((pool_bits >> key) & 1)
        code[i] = np.int32(pooled << _POOL_BIT | cell << _N_BITS | pattern)
        n_high += on & np.intp(competence[i] >= high_competence)
        n_passed_over += on & np.intp((month - passed_over_at[i]) < passed_over_months)
        n_spec += aspiring & (1 - wm)
    return n_high, n_passed_over, n_spec


@jit
def _pairwise_sum(a, n):
    """Sum of ``a[:n]`` added up exactly as numpy's ``add.reduce`` does it.

    numpy sums a contiguous float array pairwise: a run of more than 128 is split in two at a
    multiple of 8 below its middle, each half summed so, and the two sums added; a shorter run is
    summed by ``_block_sum``. A plain running sum would differ in the last bits, and the outputs
    must not. The halving is walked with an explicit stack rather than by recursion: a
    self-recursive version crashed the process when numba loaded it from its on-disk cache.
    """
    if n <= 128:
        return _block_sum(a, 0, n)
    # One frame per split run on the path from the root: where it starts, how long it is, and
    # the sum of its left half once that is known.
    lo = np.empty(64, np.int64)
    size = np.empty(64, np.int64)
    left = np.empty(64)
    left_done = np.zeros(64, np.bool_)
    depth = 0
    lo[0], size[0] = 0, n
    value = 0.0
    returning = False
    while True:
        if not returning:
            start, m = lo[depth], size[depth]
            if m <= 128:  # a leaf: its sum goes back up to the frame below
                value = _block_sum(a, start, m)
                depth -= 1
                returning = True
                continue
            half = m // 2
            half -= half % 8
            left_done[depth] = False
            depth += 1
            lo[depth], size[depth] = start, half
        elif depth < 0:
            return value
        elif not left_done[depth]:  # the left half is summed: now the right half
            left[depth] = value
            left_done[depth] = True
            start, m = lo[depth], size[depth]
            half = m // 2
            half -= half % 8
            depth += 1
            lo[depth], size[depth] = start + half, m - half
            returning = False
        else:  # both halves summed
            value = left[depth] + value
            depth -= 1


@jit
def _block_sum(a, start, n):
    """A run of at most 128 summed as numpy does: eight interleaved lanes, then the rest in turn."""
    if n < 8:
        res = 0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = start + 8
    stop = start + n - n % 8
    while i < stop:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + n:
        res += a[i]
        i += 1
    return res


def _settled(ledger: Ledger, part: slice, since: int, until: int) -> tuple[int, int]:
    """Records of ``part`` (made in the recorded run) settled in [since, until]: (settled, succeeded)."""
    return _settled_rows(ledger["step"][part], ledger["decided"][part], ledger["outcome"][part], since, until)


@jit
def _settled_rows(step, decided, outcome, since, until) -> tuple[int, int]:
    """``_settled`` in one pass over the records.

    The numpy version made six passes over a ledger tail that, at 100k people, runs to tens of
    thousands of still-pending development records.
    """
    settled = succeeded = 0
    for j in range(step.size):
        if step[j] >= 1 and outcome[j] != PENDING and since <= decided[j] <= until:
            settled += 1
            if outcome[j] == SUCCEEDED:
                succeeded += 1
    return settled, succeeded


def _ledger_rate(ledger: Ledger, since: int, until: int) -> float:
    """Share of records (made in the recorded run) settled in [since, until] that succeeded."""
    settled, succeeded = _settled(ledger, slice(None), since, until)
    return ratio(succeeded, settled)


def _cohort_rate(ledger: Ledger, made_until: int, group: int | None = None) -> float:
    """Share of the records made in months [1, ``made_until``] that succeeded (NaN if there are none).

    With ``group``, of that group's records only (a ledger with a ``group`` column).

    The summary's ledger rates: with ``made_until`` a window before the end, every record counted
    has settled. Counting the records settled by the end instead leaves out those of the last
    window still pending, which are the successes when failures settle early (promotions,
    decliners): a 3-year run's stick rate was 0.74 against 0.80 for its settled cohort.
    """
    step = ledger["step"]
    made = (step >= 1) & (step <= made_until)
    if group is not None:
        made &= ledger["group"] == group
    return ratio(int((ledger["outcome"][made] == SUCCEEDED).sum()), int(made.sum()))


class _SettledTally:
    """``_ledger_rate`` of one ledger for monthly windows, without rescanning the whole ledger.

    A settled record never changes (``Ledger.decide`` leaves settled records alone), so the
    records before the oldest still-pending one can be counted once, by month settled, and not
    read again; the rest are scanned at each call. Folding in costs a search for the oldest
    pending record, so it is done once every ``fold_every`` calls, not each month. Counts are
    whole numbers, so totals over months equal counts taken directly.
    """

    fold_every = 12  # calls between foldings-in of the settled records

    def __init__(self, ledger: Ledger, window: int):
        self.ledger = ledger
        self.window = window
        self.calls = 0
        self.done = 0  # records before this one are settled and counted below
        self.settled = np.zeros(64, np.int64)  # records counted for good, by month settled
        self.succeeded = np.zeros(64, np.int64)

    def rate(self, since: int, until: int) -> float:
        """Share of records (made in the recorded run) settled in [since, until] that succeeded.

        NaN while the window reaches back less than one record window into the recorded run
        (``since <= window``, ``first_ledger_month``): a record settled in month m was made in the
        ``window`` months before, and those made in the warm-up are not counted, so the outcomes
        that settle at once (an exit, a step-back; for development, the wanted promotion) were
        counted without the others, which settle only when the window closes. The stick rate read
        0 for a year (in plots, "no promotion sticks"), and development ROI read high.
        """
        if since <= self.window:
            return NAN
        self.calls += 1
        if self.settled.size <= until:  # records are settled in months up to now (``until``)
            size = max(2 * self.settled.size, until + 1)
            self.settled = np.concatenate([self.settled, np.zeros(size - self.settled.size, np.int64)])
            self.succeeded = np.concatenate([self.succeeded, np.zeros(size - self.succeeded.size, np.int64)])
        cols = self.ledger.cols
        self.done, settled, succeeded = _tally_window(
            cols["step"], cols["decided"], cols["outcome"], self.done, self.ledger.n, since, until, self.settled,
            self.succeeded, self.calls % self.fold_every == 0,
        )
        return ratio(succeeded, settled)


@jit
def _tally_window(step, decided, outcome, done, n, since, until, by_settled, by_succeeded, absorb):
    """``_SettledTally.rate``'s counts: (records counted for good up to, settled, succeeded).

    First, if ``absorb``, the records from ``done`` up to the oldest pending one are counted for
    good by month settled; then the records from there on are scanned and the counted ones
    added for the months of the window.
    """
    if absorb:
        stop = done
        while stop < n and outcome[stop] != PENDING:
            stop += 1
        for j in range(done, stop):
            if step[j] >= 1:
                by_settled[decided[j]] += 1
                if outcome[j] == SUCCEEDED:
                    by_succeeded[decided[j]] += 1
        done = stop
    settled = succeeded = 0
    for j in range(done, n):
        if step[j] >= 1 and outcome[j] != PENDING and since <= decided[j] <= until:
            settled += 1
            if outcome[j] == SUCCEEDED:
                succeeded += 1
    for m in range(max(since, 0), min(until + 1, by_settled.size)):
        settled += by_settled[m]
        succeeded += by_succeeded[m]
    return done, settled, succeeded


class Recorder:
    """Measures the model each recorded month and keeps the long tables."""

    def __init__(self, model: PromotionModel):
        self.model = model
        self._rows: list[tuple[int, str, float, int, str | None, str | None]] = []
        # Months measured whose rows are not yet written out: (month, values, rates, headcount, moves, layout),
        # ``moves`` a copy of the month's ``model.moves`` (flattened by ``_move_columns`` only when written).
        self._unwritten: list[tuple[int, dict[str, float], np.ndarray, np.ndarray, np.ndarray, _Layout]] = []
        # Each measured month's headline values (the whole organisation's rows), for ``timeseries(breakdown=False)``.
        self._headline: list[tuple[int, dict[str, float]]] = []
        self.flows: list[dict[str, float]] = []
        self.stocks: list[dict[str, float]] = []
        self.extra_counts: list[dict[str, float]] = []
        self.current: dict[str, float] = {}
        self._flow_sum: defaultdict[str, float] = defaultdict(float)
        self._count_sum: defaultdict[str, float] = defaultdict(float)
        self._tallies: dict[int, _SettledTally] = {}
        self._layout: _Layout | None = None

    def _push(self, flows: dict[str, float], counts: dict[str, float]) -> None:
        """Add this month to the trailing window (running sums, so the window costs O(keys))."""
        self.flows.append(flows)
        self.extra_counts.append(counts)
        flow_sum, count_sum = self._flow_sum, self._count_sum
        for k, v in flows.items():
            flow_sum[k] += v
        for k, v in counts.items():
            count_sum[k] += v
        if len(self.flows) > WINDOW:
            for k, v in self.flows[-WINDOW - 1].items():
                flow_sum[k] -= v
        if len(self.extra_counts) > WINDOW:
            for k, v in self.extra_counts[-WINDOW - 1].items():
                count_sum[k] -= v

    def _window_ledger_rate(self, metric: str, ledger: Ledger, since: int, until: int) -> float:
        """Ledger rate ``metric`` through a running tally kept per ledger (the ledgers grow all run)."""
        window = ledger_window(self.model.scenario, metric)
        tally = self._tallies.get(id(ledger))
        if tally is None or tally.ledger is not ledger or tally.window != window:
            tally = self._tallies[id(ledger)] = _SettledTally(ledger, window)
        return tally.rate(since, until)

    def _window_sum(self, key: str) -> float:
        return self._flow_sum.get(key, 0.0)

    def _window_ratio(self, num: str, den: str) -> float:
        return ratio(self._window_sum(num), self._window_sum(den))

    def _window_mean(self, key: str) -> float:
        n = min(len(self.extra_counts), WINDOW)
        return self._count_sum.get(key, 0.0) / n if n else NAN

    def _annual_rate(self, flow: str, count: str) -> float:
        """Events per year per head of a population, over the trailing window."""
        n = min(len(self.flows), WINDOW)
        return ratio(self._window_sum(flow), self._window_mean(count)) * 12.0 / n

    def measure(self) -> dict[str, float]:
        """Record this month's flows and compute every metric; returns the headline values."""
        model = self.model
        sc = model.scenario
        month = model.month
        counts, n_high, n_passed_over, n_spec, team, covered = _month_tallies(model)
        rates = _rate_rows(counts, _RATE_INDEX)
        values: dict[str, float] = dict(zip(_TABLE_KEYS, rates[:, 0].tolist(), strict=True))  # whole workforce
        flow = model.flow
        self._push(
            dict(flow),
            {"headcount": values["headcount"], "high": float(n_high),
             "passed_over": float(n_passed_over), "spec_aspirants": float(n_spec)},
        )
        n_months = min(len(self.flows), WINDOW)
        since = month - n_months + 1
        values.update(
            {
                "promotions": float(flow.get("promotions", 0.0)),
                "exits": float(flow.get("exits", 0.0)),
                "unwanted_promotion_rate": self._window_ratio("unwanted_promotions", "promotions"),
                "wrong_fit_promotion_rate": self._window_ratio("wrong_fit_promotions", "promotions"),
                "promotion_stick_rate": self._window_ledger_rate("promotion_stick_rate", model.promotions, since,
                                                                 month),
                "succession_coverage": ratio(covered, model.org.n_key_successors),
                "attrition_rate": capped(self._annual_rate("exits", "headcount")),
                "regretted_attrition_rate": capped(self._annual_rate("regretted_exits", "high")),
                "passed_over_exit_rate": capped(self._annual_rate("passed_over_exits", "passed_over")),
                "hidden_ambition_exit_rate": capped(self._annual_rate("hidden_ambition_exits", "headcount")),
                "specialist_retention_rate": 1.0
                - capped(self._annual_rate("specialist_aspirant_exits", "spec_aspirants")),
                "decliner_retention": self._window_ledger_rate("decliner_retention", model.decliners, since, month),
                "stretch_acceptance_rate": self._window_ratio("stretch_accepts", "stretch_offers"),
                "internal_application_rate": self._window_ratio("applications", "could_apply"),
                "development_roi": self._window_ledger_rate("development_roi", model.development, since, month),
                "team_performance": team,
                "intervention_cost": self._annual_rate("intervention_hours", "headcount"),
            }
        )
        layout = self._layout
        if layout is None or layout.scenario is not sc:
            layout = self._layout = _Layout(sc)
        # By (group, level): the two tracks' counts added (whole numbers, exact in any order);
        # ``sum(axis=2)`` went through numpy's reduction set-up, about 2 % of a 1,000-person run.
        headcount = counts[0, ..., 0] + counts[0, ..., 1]
        ratios, shares = _representation_rows(headcount, layout.top_from).tolist()
        values.update(zip(layout.representation_keys, ratios, strict=True))
        if layout.top_share_keys:
            values.update(zip(layout.top_share_keys, shares, strict=True))
        if sc.metrics.level_weights is not None:
            values["global_efficiency"] = global_efficiency(model)
        if layout.value_keys != tuple(values):
            layout.order(values)
        self.current = {k: values[k] for k in layout.current_keys}
        self.stocks.append({k: values[k] for k in layout.stock_keys})
        self._unwritten.append((month, values, rates, headcount, model.moves.copy(), layout))
        self._headline.append((month, values))
        return self.current

    @property
    def rows(self) -> list[tuple[int, str, float, int, str | None, str | None]]:
        """The long table, one (step, metric, value, level or -1, group or None, track or None) per row.

        Each month's rows are the headline values, then by level, then by group (and level:
        headcount, promotions and exits), then by track.
        They are written out when first read rather than each month: a month keeps its values
        and arrays, and the breakdown rows of many months are gathered in one go, at
        ``layout.take`` in ``concatenate((rates.ravel(), headcount.ravel(), moves.ravel()))`` of each month.
        """
        if self._unwritten:
            self._write_rows()
        return self._rows

    def _write_rows(self) -> None:
        """Turn the months not yet written out into rows (see ``rows``)."""
        rows, months = self._rows, self._unwritten
        start = 0
        while start < len(months):
            layout = months[start][-1]
            stop = start + 1
            while stop < len(months) and months[stop][-1] is layout:
                stop += 1
            run = months[start:stop]
            # The moves are flattened here, not each month: a run kept as totals never needs them.
            parts = ([m[2] for m in run], [m[3] for m in run], [_move_columns(m[4]) for m in run])
            cells = np.concatenate(
                [np.stack(part).reshape(len(run), -1) for part in parts], axis=1,
            )[:, layout.take].tolist()
            for (month, values, *_), flat in zip(run, cells, strict=True):
                rows.extend(zip(repeat(month), values.keys(), map(float, values.values()), repeat(-1), repeat(None),
                                repeat(None)))
                rows.extend(zip(repeat(month), layout.names, flat, layout.levels, layout.groups, layout.tracks))
            start = stop
        self._unwritten = []

    def timeseries(self, breakdown: bool = True) -> pd.DataFrame:
        """Tidy table: step, year, metric, value, level, group, track (the last three nullable).

        Args:
            breakdown: False gives only the whole organisation's rows (``totals`` of the full
                table, the same values and types), without writing out the breakdown rows by
                level, group and track: an experiment keeps only these, and the breakdown cost
                about a quarter of a 1,000-person run.
        """
        if not self._headline:  # (a model not yet stepped) the same dtypes as a run with rows
            return pd.DataFrame({"step": pd.Series(dtype="int64"), "year": pd.Series(dtype="int64"),
                                 "metric": pd.Series(dtype="str"), "value": pd.Series(dtype="float64"),
                                 "level": pd.Series(dtype="Int64"), "group": pd.Series(dtype="string"),
                                 "track": pd.Series(dtype="string")})
        if not breakdown:
            return self._totals_frame()
        step, metric, value, level, group, track = zip(*self.rows, strict=True)
        level = [None if lv < 0 else lv for lv in level]
        df = pd.DataFrame({"step": np.asarray(step, dtype=np.int64), "metric": metric, "value": value})
        df.insert(1, "year", (df["step"] - 1) // 12 + 1)
        df["level"] = pd.array(level, dtype="Int64")
        df["group"] = pd.array(group, dtype="string")
        df["track"] = pd.array(track, dtype="string")
        return df

    def _totals_frame(self) -> pd.DataFrame:
        """``timeseries(breakdown=False)``: the headline rows, built from arrays.

        The same table, column for column and block for block, as building it from lists (as the
        breakdown does); converting lists of thousands of values and Nones and setting columns
        took about 5 ms, a twentieth of a 1,000-person experiment run. The empty breakdown
        columns are one missing value repeated: the same masked values as a list of Nones gives.
        """
        headline = self._headline
        step = np.repeat(np.array([m for m, _ in headline], dtype=np.int64), [len(v) for _, v in headline])
        metric = np.array(list(chain.from_iterable(v.keys() for _, v in headline)), dtype=object)
        value = np.fromiter(chain.from_iterable(v.values() for _, v in headline), dtype=np.float64, count=step.size)
        df = pd.DataFrame({"step": step, "metric": metric, "value": value})
        df.insert(1, "year", (step - 1) // 12 + 1)
        df.insert(4, "level", pd.array([None], dtype="Int64").repeat(step.size))
        df.insert(5, "group", pd.array([None], dtype="string").repeat(step.size))
        df.insert(6, "track", pd.array([None], dtype="string").repeat(step.size))
        return df

    def summary(self) -> dict[str, float]:
        """Per-run summary: stocks averaged over the final window, flows over the whole run."""
        model = self.model
        sc = model.scenario
        if not self.flows:
            return dict.fromkeys(METRICS, NAN)
        totals: dict[str, float] = defaultdict(float)
        for f in self.flows:
            for k, v in f.items():
                totals[k] += v
        years = len(self.flows) / 12.0
        mean_hc = float(np.mean([c["headcount"] for c in self.extra_counts]))
        mean_high = float(np.mean([c["high"] for c in self.extra_counts]))
        mean_po = float(np.mean([c["passed_over"] for c in self.extra_counts]))
        mean_spec = float(np.mean([c["spec_aspirants"] for c in self.extra_counts]))
        last = self.stocks[-sc.metrics.summary_window_months:]
        out: dict[str, Any] = {}
        for key in self.stocks[-1]:
            vals = np.array([s[key] for s in last], dtype=float)
            out[key] = float(np.nanmean(vals)) if np.isfinite(vals).any() else NAN
        out["headcount"] = self.stocks[-1]["headcount"]
        end = model.month
        out.update(
            {
                "promotions": totals["promotions"],
                "unwanted_promotion_rate": ratio(totals["unwanted_promotions"], totals["promotions"]),
                "wrong_fit_promotion_rate": ratio(totals["wrong_fit_promotions"], totals["promotions"]),
                "promotion_stick_rate": _cohort_rate(model.promotions, end - sc.promotion.stick_window_months),
                "attrition_rate": capped(ratio(totals["exits"], mean_hc) / years),
                "regretted_attrition_rate": capped(ratio(totals["regretted_exits"], mean_high) / years),
                "passed_over_exit_rate": capped(ratio(totals["passed_over_exits"], mean_po) / years),
                "hidden_ambition_exit_rate": capped(ratio(totals["hidden_ambition_exits"], mean_hc) / years),
                "specialist_retention_rate": 1.0
                - capped(ratio(totals["specialist_aspirant_exits"], mean_spec) / years),
                "decliner_retention": _cohort_rate(model.decliners, end - sc.metrics.decliner_window_months),
                "stretch_acceptance_rate": ratio(totals["stretch_accepts"], totals["stretch_offers"]),
                "internal_application_rate": ratio(totals["applications"], totals["could_apply"]),
                "development_roi": _cohort_rate(model.development, end - sc.metrics.roi_window_months),
                "intervention_cost": ratio(totals["intervention_hours"], mean_hc) / years,
            }
        )
        ledgers = {"promotion_stick_rate": model.promotions, "decliner_retention": model.decliners,
                   "development_roi": model.development}
        if len(sc.group_names) > 1:  # one group's rates are the whole rates
            out.update({f"{rate}.{name}": _cohort_rate(ledger, end - ledger_window(sc, rate), group=code)
                        for rate, ledger in ledgers.items() for code, name in enumerate(sc.group_names)})
        if "global_efficiency" in out:
            out["global_efficiency_change"] = out["global_efficiency"] - self.stocks[0]["global_efficiency"]
        ordered = {k: float(out[k]) for k in METRICS}
        ordered.update({k: float(v) for k, v in out.items() if k not in ordered})
        return ordered


def totals(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The rows of a time series for the whole organisation: no level, group or track breakdown.

    A table from before the track breakdown has no ``track`` column; its rows count as totals there.
    """
    whole = timeseries["level"].isna() & timeseries["group"].isna()
    if "track" in timeseries:
        whole &= timeseries["track"].isna()
    return timeseries[whole]


class _Layout:
    """Per-scenario constants of ``Recorder.measure``: key orders, labels and the breakdown rows' layout.

    The breakdown rows of a month (by level, then by group and its levels, then by each track
    the organisation has) are gathered from ``concatenate((_rate_rows(...).ravel(), headcount.ravel(),
    _move_columns(...).ravel()))`` at ``take``.
    """

    def __init__(self, sc: Any):
        self.scenario = sc
        n_levels, group_names = sc.n_levels, tuple(sc.group_names)
        self.top_from = max(0, n_levels - sc.metrics.key_levels)
        self.representation_keys = tuple(f"{REPRESENTATION}{name}" for name in group_names)
        # One group's share of the top is always 1: reported with two groups or more, as the ledger rates.
        self.top_share_keys = tuple(f"{TOP_SHARE}{name}" for name in group_names) if len(group_names) > 1 else ()
        n_cols = 1 + n_levels + len(group_names) + N_TRACKS
        moves_from = len(_TABLE_KEYS) * n_cols + len(group_names) * n_levels
        move_cells_from = moves_from + len(MOVES) * n_cols  # the flows by (group, level): _move_columns
        # (name, where its row of columns starts): the stocks from _rate_rows, then the flows.
        keys = ("headcount", *BROKEN_DOWN, *MOVES)
        at = [_TABLE_KEYS.index(k) * n_cols for k in keys[:-len(MOVES)]] + [moves_from + m * n_cols
                                                                             for m in range(len(MOVES))]
        names: list[str] = []
        levels: list[int] = []
        groups: list[str | None] = []
        take: list[int] = []
        for level in range(n_levels):
            for k, i in zip(keys, at, strict=True):
                names.append(k), levels.append(level), groups.append(None), take.append(i + 1 + level)
        cells_from = len(_TABLE_KEYS) * n_cols
        for gi, name in enumerate(group_names):
            for k, i in zip(keys, at, strict=True):
                names.append(k), levels.append(-1), groups.append(name), take.append(i + 1 + n_levels + gi)
            for level in range(n_levels):
                names.append("headcount"), levels.append(level), groups.append(name)
                take.append(cells_from + gi * n_levels + level)
                for m, k in enumerate(MOVES):  # the month's flows of the same cell
                    names.append(k), levels.append(level), groups.append(name)
                    take.append(move_cells_from + (m * len(group_names) + gi) * n_levels + level)
        tracks: list[str | None] = [None] * len(names)
        # Only the tracks the organisation has positions on: the other's rates would be empty every month.
        has = {track for level in sc.organisation.levels for track, n in level.positions.items() if n > 0}
        for ti, track in enumerate(TRACKS):
            if track in has:
                for k, i in zip(keys, at, strict=True):
                    names.append(k), levels.append(-1), groups.append(None), tracks.append(track)
                    take.append(i + 1 + n_levels + len(group_names) + ti)
        self.names, self.levels, self.groups, self.tracks = tuple(names), tuple(levels), tuple(groups), tuple(tracks)
        self.take = np.asarray(take, dtype=np.intp)
        self.value_keys: tuple[str, ...] = ()
        self.current_keys: tuple[str, ...] = ()
        self.stock_keys: tuple[str, ...] = ()

    def order(self, values: dict[str, float]) -> None:
        """Work out, from a month's values, the key orders of ``current`` and of a stocks record."""
        self.value_keys = tuple(values)
        self.current_keys = (*METRICS, *[k for k in values if k not in _METRIC_SET])
        self.stock_keys = tuple(
            k for k in values if k in STOCKS or k == "global_efficiency" or k.startswith((REPRESENTATION, TOP_SHARE))
        )


def global_efficiency(model: PromotionModel) -> float:
    """Pluchino et al. (2010): 100 x sum(level weight x competence) / sum(level weight x 10)."""
    wf = model.workforce
    weights = np.asarray(model.scenario.metrics.level_weights, dtype=float)
    rows = wf.rows
    w = weights[wf.level[rows]]
    return ratio(100.0 * float((w * wf.competence[rows]).sum()), float((w * 10.0).sum()))

