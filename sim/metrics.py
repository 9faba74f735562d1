"""Outcome measures, each defined in docs/ODD.md (section Submodels, Outcome metrics).

Stock measures describe the workforce at the end of a month (who is misread now). Flow measures
are ratios of counts over a trailing 12-month window in the time series, and over the whole
recorded run in the summary. Ledger measures (did a promotion stick, did development pay, did a
decliner stay) count decisions settled in the window. A ratio with nothing to count is NaN.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.managers import manager_row, named_successors
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
    wf, org = model.workforce, model.org
    next_exists = np.zeros(wf.capacity, dtype=bool)
    for level in range(model.scenario.n_levels - 1):
        for track in (0, 1):
            if org.track_exists(level + 1, track):
                next_exists |= (wf.level == level) & org.wanted_move(level + 1, wf.wants_mgmt, track)
    return wf.wants_now() & (~next_exists | (wf.time_in_role >= model.scenario.metrics.plateau_months))


def classify(model: PromotionModel) -> dict[str, np.ndarray]:
    """Boolean columns for who is in which mismatch category right now."""
    wf, m = model.workforce, model.scenario.metrics
    on = wf.active
    aspiring = wf.aspiring()
    b = wf.b_interest
    hidden = aspiring & (b <= m.disinterested_belief)
    false_interest = on & ~aspiring & (b >= m.interested_belief)
    timing = aspiring & (
        ((wf.wait > 0) & (b >= m.interested_belief) & ~wf.b_later) | ((wf.wait <= 0) & wf.b_later)
    )
    plateau = structural_plateau(model) & ~hidden
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


def _rates(cat: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, float]:
    n = int((cat["active"] & mask).sum())
    n_asp = int((cat["aspiring"] & mask).sum())
    return {
        "headcount": float(n),
        "hidden_ambition_rate": ratio((cat["hidden"] & mask).sum(), n_asp),
        "misread_rate": ratio((cat["misread"] & mask).sum(), n),
        "masked_aspiration_rate": ratio((cat["masked"] & mask).sum(), n_asp),
        "timing_mismatch_rate": ratio((cat["timing"] & mask).sum(), n),
        "plateau_rate": ratio((cat["plateau"] & mask).sum(), n),
        "mismatch_rate": ratio((cat["mismatch"] & mask).sum(), n),
    }


# numerator category and denominator category of each broken-down rate
_BREAKDOWN_PARTS: dict[str, tuple[str, str]] = {
    "hidden_ambition_rate": ("hidden", "aspiring"),
    "misread_rate": ("misread", "active"),
    "masked_aspiration_rate": ("masked", "aspiring"),
    "mismatch_rate": ("mismatch", "active"),
    "plateau_rate": ("plateau", "active"),
}


def _rates_by(cat: dict[str, np.ndarray], key: np.ndarray, n_keys: int) -> dict[str, np.ndarray]:
    """Headcount and the broken-down rates for every value of ``key`` at once (NaN where empty)."""
    on = cat["active"]
    k = key[on].astype(np.int64)
    counts = {name: np.bincount(k, weights=cat[name][on], minlength=n_keys)[:n_keys]
              for name in ("active", "aspiring", "hidden", "misread", "masked", "mismatch", "plateau")}
    out = {"headcount": counts["active"]}
    with np.errstate(invalid="ignore", divide="ignore"):
        for metric, (num, den) in _BREAKDOWN_PARTS.items():
            out[metric] = np.where(counts[den] > 0, counts[num] / np.maximum(counts[den], 1), np.nan)
    return out


def team_performance(model: PromotionModel) -> float:
    """Mean performance of people, lifted or dragged by their manager's fit, scaled to 0-1 (12 = 10 x 1.2)."""
    wf = model.workforce
    rows = wf.rows
    if rows.size == 0:
        return NAN
    boss_row = manager_row(model, rows)
    boss_comp = np.where(boss_row >= 0, wf.competence[np.maximum(boss_row, 0)], 5.0)
    has_team = model.org.parent[wf.slot[rows]] >= 0
    factor = np.where(has_team, 0.8 + 0.04 * boss_comp, 1.0)
    return float(np.mean(wf.performance()[rows] * factor) / 12.0)


def _ledger_rate(ledger: Ledger, since: int, until: int) -> float:
    """Share of records (made in the recorded run) settled in [since, until] that succeeded."""
    decided = ledger["decided"]
    made = ledger["step"] >= 1
    sel = made & (ledger["outcome"] != PENDING) & (decided >= since) & (decided <= until)
    return ratio((ledger["outcome"][sel] == SUCCEEDED).sum(), sel.sum())


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
        on = cat["active"]
        recent_po = on & ((month - wf.passed_over_at) < sc.exits.passed_over_months)
        high = on & (wf.competence >= sc.metrics.high_performer_competence)
        spec = cat["aspiring"] & ~wf.wants_mgmt
        self._push(
            dict(model.flow),
            {"headcount": float(on.sum()), "high": float(high.sum()), "passed_over": float(recent_po.sum()),
             "spec_aspirants": float(spec.sum())},
        )
        n_months = min(len(self.flows), WINDOW)
        since = month - n_months + 1
        covered, key_total = named_successors(model)
        values: dict[str, float] = _rates(cat, on)
        values.update(
            {
                "promotions": float(model.flow.get("promotions", 0.0)),
                "unwanted_promotion_rate": self._window_ratio("unwanted_promotions", "promotions"),
                "wrong_fit_promotion_rate": self._window_ratio("wrong_fit_promotions", "promotions"),
                "promotion_stick_rate": _ledger_rate(model.promotions, since, month),
                "succession_coverage": ratio(covered, key_total),
                "attrition_rate": capped(self._annual_rate("exits", "headcount")),
                "regretted_attrition_rate": capped(self._annual_rate("regretted_exits", "high")),
                "passed_over_exit_rate": capped(self._annual_rate("passed_over_exits", "passed_over")),
                "specialist_retention_rate": 1.0
                - capped(self._annual_rate("specialist_aspirant_exits", "spec_aspirants")),
                "decliner_retention": _ledger_rate(model.decliners, since, month),
                "stretch_acceptance_rate": self._window_ratio("stretch_accepts", "stretch_offers"),
                "internal_application_rate": self._window_ratio("applications", "could_apply"),
                "development_roi": _ledger_rate(model.development, since, month),
                "team_performance": team_performance(model),
                "intervention_cost": self._annual_rate("intervention_hours", "headcount"),
            }
        )
        values.update(self.representation(on))
        if sc.metrics.level_weights is not None:
            values["global_efficiency"] = global_efficiency(model)
        self.current = {k: values[k] for k in (*METRICS, *[k for k in values if k not in METRICS])}
        self.stocks.append(
            {k: v for k, v in values.items()
             if k in STOCKS or k == "global_efficiency" or k.startswith("representation_ratio.")}
        )
        self._append(month, values, cat)
        return self.current

    def representation(self, on: np.ndarray) -> dict[str, float]:
        """Each group's share of the top levels over its share of the workforce (1.0 is parity)."""
        wf, sc = self.model.workforce, self.model.scenario
        top = on & (wf.level >= sc.n_levels - sc.metrics.key_levels)
        n_all, n_top = on.sum(), top.sum()
        g_all = np.bincount(wf.group[on], minlength=len(sc.groups))
        g_top = np.bincount(wf.group[top], minlength=len(sc.groups))
        out = {}
        for i, name in enumerate(sc.group_names):
            out[f"representation_ratio.{name}"] = ratio(ratio(g_top[i], n_top), ratio(g_all[i], n_all))
        return out

    def _append(self, month: int, values: dict[str, float], cat: dict[str, np.ndarray]) -> None:
        wf, sc = self.model.workforce, self.model.scenario
        self.rows.extend((month, k, float(v), -1, None) for k, v in values.items())
        by_level = _rates_by(cat, wf.level, sc.n_levels)
        for level in range(sc.n_levels):
            self.rows.extend((month, k, float(by_level[k][level]), level, None) for k in ("headcount", *BROKEN_DOWN))
        n_groups = len(sc.group_names)
        by_group = _rates_by(cat, wf.group, n_groups)
        on = cat["active"]
        cross = np.bincount(
            wf.group[on].astype(np.int64) * sc.n_levels + wf.level[on], minlength=n_groups * sc.n_levels
        ).reshape(n_groups, sc.n_levels)
        for gi, name in enumerate(sc.group_names):
            self.rows.extend((month, k, float(by_group[k][gi]), -1, name) for k in ("headcount", *BROKEN_DOWN))
            self.rows.extend((month, "headcount", float(c), lvl, name) for lvl, c in enumerate(cross[gi]))

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

