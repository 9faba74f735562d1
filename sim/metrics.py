"""Outcome measures, each defined in docs/ODD.md (section Submodels, Outcome metrics).

Stock measures describe the workforce at the end of a month (who is misread now). Flow measures
are ratios of counts over a trailing 12-month window in the time series, and over the whole
recorded run in the summary. Ledger measures (did a promotion stick, did development pay, did a
decliner stay) count decisions settled in the window. A ratio with nothing to count is NaN.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.managers import named_successors
from sim.records import PENDING, SUCCEEDED, Ledger

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
BROKEN_DOWN = ("hidden_ambition_rate", "misread_rate", "masked_aspiration_rate", "mismatch_rate", "plateau_rate")


def ratio(num: float, den: float) -> float:
    """Num / den, or NaN when there is nothing to divide by."""
    return float(num) / float(den) if den > 0 else NAN


def capped(rate: float) -> float:
    """A rate capped at 1; NaN stays NaN (``min(1.0, nan)`` would say 1.0)."""
    return rate if math.isnan(rate) else min(1.0, rate)


def structural_plateau(model: PromotionModel) -> np.ndarray:
    """Who is on a plateau: a limit of structure, not of reading.

    Wants to move now, but no role one level up lies on their path, or has waited longer than
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
    """Boolean columns for who is in which mismatch category right now."""
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
    """How many people of each category sit in each (group, level) cell.

    Every rate and breakdown of the month is a ratio of these counts, so they are taken in one
    bincount over a code of (cell, category pattern) instead of one masked pass per category
    and per breakdown. Counts are whole numbers held exactly in floats, so any sum over cells
    equals the count taken directly.

    Returns:
        Counts of shape (len(CATEGORIES), groups, levels).
    """
    wf, sc = model.workforce, model.scenario
    n_groups, n_levels = len(sc.group_names), sc.n_levels
    on = cat["active"]
    pattern = np.zeros(on.size, dtype=np.uint8)
    for bit, name in enumerate(CATEGORIES[1:]):
        pattern |= cat[name].view(np.uint8) * np.uint8(1 << bit)  # (a uint8 shift is far slower)
    # Code 0 is every empty row; an active row's code is 1 + cell x patterns + pattern.
    code = ((wf.group.astype(np.intp) * n_levels + wf.level) << _N_BITS | pattern) + 1
    code *= on
    n_cells, n_patterns = n_groups * n_levels, _PATTERN_CATEGORIES.shape[0]
    by_pattern = np.bincount(code, minlength=1 + n_cells * n_patterns)[1:].astype(float)
    per_category = by_pattern.reshape(n_cells, n_patterns) @ _PATTERN_CATEGORIES
    return per_category.T.reshape(len(CATEGORIES), n_groups, n_levels)


_RATE_COLUMNS = [(m, CATEGORIES.index(num), CATEGORIES.index(den)) for m, (num, den) in _RATE_PARTS.items()]


def _rates_by(counts: list[list[float]]) -> dict[str, list[float]]:
    """Headcount and every classification rate for each column of counts at once (NaN where empty).

    A few dozen ratios: plain Python floats divide exactly as numpy does, at a fraction of the
    cost of array calls on such small arrays.

    Args:
        counts: Per category (in ``CATEGORIES`` order), its count for each key.
    """
    out = {"headcount": counts[0]}
    for metric, num, den in _RATE_COLUMNS:
        out[metric] = [n / d if d > 0 else NAN for n, d in zip(counts[num], counts[den], strict=True)]
    return out


def _rate_table(counts: np.ndarray) -> dict[str, list[float]]:
    """``_rates_by`` for the whole workforce, each level, then each group: columns in that order.

    Args:
        counts: ``cell_counts`` of the month.
    """
    by_level, by_group = counts.sum(axis=1).tolist(), counts.sum(axis=2).tolist()
    return _rates_by([[sum(lv), *lv, *gr] for lv, gr in zip(by_level, by_group, strict=True)])


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


def _settled(ledger: Ledger, part: slice, since: int, until: int) -> tuple[int, int]:
    """Records of ``part`` (made in the recorded run) settled in [since, until]: (settled, succeeded)."""
    decided, outcome = ledger["decided"][part], ledger["outcome"][part]
    sel = (ledger["step"][part] >= 1) & (outcome != PENDING) & (decided >= since) & (decided <= until)
    return int(np.count_nonzero(sel)), int(np.count_nonzero(outcome[sel] == SUCCEEDED))


def _ledger_rate(ledger: Ledger, since: int, until: int) -> float:
    """Share of records (made in the recorded run) settled in [since, until] that succeeded."""
    settled, succeeded = _settled(ledger, slice(None), since, until)
    return ratio(succeeded, settled)


class _SettledTally:
    """``_ledger_rate`` of one ledger for monthly windows, without rescanning the whole ledger.

    A settled record never changes (``Ledger.decide`` leaves settled records alone), so the
    records before the oldest still-pending one can be counted once, by month settled, and not
    read again; the rest are scanned at each call. Folding in costs a search for the oldest
    pending record, so it is done once every ``fold_every`` calls, not each month.
    """

    fold_every = 12

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.calls = 0
        self.done = 0  # records before this one are settled and counted below
        self.settled: Counter[int] = Counter()  # records by month settled
        self.succeeded: Counter[int] = Counter()

    def _absorb(self) -> None:
        """Count, for good, the records not yet counted that precede the oldest pending one."""
        ledger = self.ledger
        pending = np.flatnonzero(ledger["outcome"][self.done:] == PENDING)
        stop = self.done + int(pending[0]) if pending.size else ledger.n
        if stop == self.done:
            return
        part = slice(self.done, stop)
        made = ledger["step"][part] >= 1
        decided, outcome = ledger["decided"][part][made], ledger["outcome"][part][made]
        self.settled.update(decided.tolist())
        self.succeeded.update(decided[outcome == SUCCEEDED].tolist())
        self.done = stop

    def rate(self, since: int, until: int) -> float:
        """Share of records (made in the recorded run) settled in [since, until] that succeeded."""
        self.calls += 1
        if self.calls % self.fold_every == 0:
            self._absorb()
        settled, succeeded = _settled(self.ledger, slice(self.done, None), since, until)
        if self.settled:
            settled += sum(self.settled.get(m, 0) for m in range(since, until + 1))
            succeeded += sum(self.succeeded.get(m, 0) for m in range(since, until + 1))
        return ratio(succeeded, settled)


class Recorder:
    """Measures the model each recorded month and keeps the long tables."""

    def __init__(self, model: PromotionModel):
        self.model = model
        self.rows: list[tuple[int, str, float, int, str | None]] = []
        self.flows: list[dict[str, float]] = []
        self.stocks: list[dict[str, float]] = []
        self.extra_counts: list[dict[str, float]] = []
        self.current: dict[str, float] = {}
        self._flow_sum: defaultdict[str, float] = defaultdict(float)
        self._count_sum: defaultdict[str, float] = defaultdict(float)
        self._tallies: dict[int, _SettledTally] = {}

    def _push(self, flows: dict[str, float], counts: dict[str, float]) -> None:
        """Add this month to the trailing window (running sums, so the window costs O(keys))."""
        self.flows.append(flows)
        self.extra_counts.append(counts)
        for store, rec, series in ((self._flow_sum, flows, self.flows), (self._count_sum, counts, self.extra_counts)):
            for k, v in rec.items():
                store[k] += v
            if len(series) > WINDOW:
                for k, v in series[-WINDOW - 1].items():
                    store[k] -= v

    def _window_ledger_rate(self, ledger: Ledger, since: int, until: int) -> float:
        """``_ledger_rate`` through a running tally kept per ledger (the ledgers grow all run)."""
        tally = self._tallies.get(id(ledger))
        if tally is None or tally.ledger is not ledger:
            tally = self._tallies[id(ledger)] = _SettledTally(ledger)
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
        wf, sc = model.workforce, model.scenario
        month = model.month
        cat = classify(model)
        counts = cell_counts(model, cat)
        table = _rate_table(counts)
        values: dict[str, float] = {k: v[0] for k, v in table.items()}
        on = cat["active"]
        recent_po = on & ((month - wf.passed_over_at) < sc.exits.passed_over_months)
        high = on & (wf.competence >= sc.metrics.high_performer_competence)
        spec = cat["aspiring"] & ~wf.wants_mgmt
        self._push(
            dict(model.flow),
            {"headcount": values["headcount"], "high": float(np.count_nonzero(high)),
             "passed_over": float(np.count_nonzero(recent_po)), "spec_aspirants": float(np.count_nonzero(spec))},
        )
        n_months = min(len(self.flows), WINDOW)
        since = month - n_months + 1
        covered, key_total = named_successors(model)
        values.update(
            {
                "promotions": float(model.flow.get("promotions", 0.0)),
                "unwanted_promotion_rate": self._window_ratio("unwanted_promotions", "promotions"),
                "wrong_fit_promotion_rate": self._window_ratio("wrong_fit_promotions", "promotions"),
                "promotion_stick_rate": self._window_ledger_rate(model.promotions, since, month),
                "succession_coverage": ratio(covered, key_total),
                "attrition_rate": capped(self._annual_rate("exits", "headcount")),
                "regretted_attrition_rate": capped(self._annual_rate("regretted_exits", "high")),
                "passed_over_exit_rate": capped(self._annual_rate("passed_over_exits", "passed_over")),
                "specialist_retention_rate": 1.0
                - capped(self._annual_rate("specialist_aspirant_exits", "spec_aspirants")),
                "decliner_retention": self._window_ledger_rate(model.decliners, since, month),
                "stretch_acceptance_rate": self._window_ratio("stretch_accepts", "stretch_offers"),
                "internal_application_rate": self._window_ratio("applications", "could_apply"),
                "development_roi": self._window_ledger_rate(model.development, since, month),
                "team_performance": team_performance(model),
                "intervention_cost": self._annual_rate("intervention_hours", "headcount"),
            }
        )
        values.update(self.representation(counts[0]))
        if sc.metrics.level_weights is not None:
            values["global_efficiency"] = global_efficiency(model)
        self.current = {k: values[k] for k in (*METRICS, *[k for k in values if k not in _METRIC_SET])}
        self.stocks.append(
            {k: v for k, v in values.items()
             if k in STOCKS or k == "global_efficiency" or k.startswith("representation_ratio.")}
        )
        self._append(month, values, table, counts[0])
        return self.current

    def representation(self, headcount: np.ndarray) -> dict[str, float]:
        """Each group's share of the top levels over its share of the workforce (1.0 is parity).

        Args:
            headcount: People per (group, level) cell (the "active" counts of ``cell_counts``).
        """
        sc = self.model.scenario
        top_from = max(0, sc.n_levels - sc.metrics.key_levels)
        cells = headcount.tolist()  # whole numbers, so these sums are exact in any order
        g_all = [sum(levels) for levels in cells]
        g_top = [sum(levels[top_from:]) for levels in cells]
        n_all, n_top = sum(g_all), sum(g_top)
        out = {}
        for i, name in enumerate(sc.group_names):
            out[f"representation_ratio.{name}"] = ratio(ratio(g_top[i], n_top), ratio(g_all[i], n_all))
        return out

    def _append(self, month: int, values: dict[str, float], table: dict[str, list[float]],
                headcount: np.ndarray) -> None:
        """Add this month's rows: the headline values, then by level, then by group (and level).

        Args:
            month: The month measured.
            values: This month's metric values.
            table: This month's ``_rate_table``.
            headcount: People per (group, level) cell.
        """
        sc = self.model.scenario
        n_levels = sc.n_levels
        keys = ("headcount", *BROKEN_DOWN)
        rows = self.rows
        rows.extend((month, k, float(v), -1, None) for k, v in values.items())
        rows.extend((month, k, table[k][1 + level], level, None) for level in range(n_levels) for k in keys)
        for gi, (name, cells) in enumerate(zip(sc.group_names, headcount.tolist(), strict=True)):
            rows.extend((month, k, table[k][1 + n_levels + gi], -1, name) for k in keys)
            rows.extend((month, "headcount", c, lvl, name) for lvl, c in enumerate(cells))

    def timeseries(self) -> pd.DataFrame:
        """Tidy table: step, year, metric, value, level (nullable), group (nullable)."""
        if not self.rows:
            return pd.DataFrame(columns=["step", "year", "metric", "value", "level", "group"])
        step, metric, value, level, group = zip(*self.rows, strict=True)
        df = pd.DataFrame({"step": np.asarray(step, dtype=np.int64), "metric": metric, "value": value})
        df.insert(1, "year", (df["step"] - 1) // 12 + 1)
        df["level"] = pd.array([None if lv < 0 else lv for lv in level], dtype="Int64")
        df["group"] = pd.array(group, dtype="string")
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
                "promotion_stick_rate": _ledger_rate(model.promotions, 1, end),
                "attrition_rate": capped(ratio(totals["exits"], mean_hc) / years),
                "regretted_attrition_rate": capped(ratio(totals["regretted_exits"], mean_high) / years),
                "passed_over_exit_rate": capped(ratio(totals["passed_over_exits"], mean_po) / years),
                "specialist_retention_rate": 1.0
                - capped(ratio(totals["specialist_aspirant_exits"], mean_spec) / years),
                "decliner_retention": _ledger_rate(model.decliners, 1, end),
                "stretch_acceptance_rate": ratio(totals["stretch_accepts"], totals["stretch_offers"]),
                "internal_application_rate": ratio(totals["applications"], totals["could_apply"]),
                "development_roi": _ledger_rate(model.development, 1, end),
                "intervention_cost": ratio(totals["intervention_hours"], mean_hc) / years,
            }
        )
        if "global_efficiency" in out:
            out["global_efficiency_change"] = out["global_efficiency"] - self.stocks[0]["global_efficiency"]
        ordered = {k: float(out[k]) for k in METRICS}
        ordered.update({k: float(v) for k, v in out.items() if k not in ordered})
        return ordered


def global_efficiency(model: PromotionModel) -> float:
    """Pluchino et al. (2010): 100 x sum(level weight x competence) / sum(level weight x 10)."""
    wf = model.workforce
    weights = np.asarray(model.scenario.metrics.level_weights, dtype=float)
    rows = wf.rows
    w = weights[wf.level[rows]]
    return ratio(100.0 * float((w * wf.competence[rows]).sum()), float((w * 10.0).sum()))

