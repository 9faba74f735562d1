"""Paired comparisons: how much each variant moves each metric, with honest uncertainty.

Replication *k* ran with the same seed in every arm (common random numbers), so the right unit of
comparison is the within-replication difference ``variant_k - baseline_k``: the noise the two runs
share cancels. For each metric and variant this module reports the baseline and variant means, the
mean paired difference with its Student-t confidence interval, an effect size, and what pairing
bought: the unpaired (Welch) interval on the same runs, the ratio of the widths and the share of
the difference's variance that pairing removed.

A metric can be NaN in a run (a rate with nothing to count). Only complete pairs, where both runs
of a replication finished and have a finite value, are used; ``n`` says how many and ``dropped``
how many replications were left out.

A report makes many tests at once (every variant against every metric), so by chance alone about
5% of them come out "clear" at 95% (1 - confidence at any level). ``p_holm`` is each test's p-value
adjusted by Holm's step-down method over the design's tests that get a verdict (lever time and counts
left out; ``in_holm_family``), which keeps the chance of even one false "clear" at 5% (at 1 -
confidence) under any dependence between the tests; the per-test intervals are left as they are.

Every interval is at one level, 95% unless asked otherwise (``confidence``; ``--confidence`` on the
commands), which the effects table carries in its last column, ``confidence``: the report's wording
and its significance level (1 - confidence, for "clear" and for Holm's correction) are read from it.

A design of one arm has nothing to pair: :func:`arm_means` gives each metric's mean over its
replications with the same Student-t interval (:func:`t_half_width`) instead, cut to what the metric
can be (a share from 0 to 1); every design's arms get them, in ``means.csv``.

For a metric that is best at 1 (``representation_ratio.*``), a signed difference does not say
whether the variant came closer to parity (0.90 -> 1.09 is a clear rise and hardly any gain), so
``parity_gap_*`` holds the change of the mean's distance from 1, with an interval from the paired t-intervals of
the change and of the two means' sum.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import InputError
from sim.experiment.store import ResultStore
from sim.metrics import (
    COSTS,
    ON_REQUEST,
    group_ratio_parts,
    group_ratio_rates,
    metric_bounds,
    metric_info,
    totals,
)
from sim.scenario import closest
from sim.wording import DEFAULT_CONFIDENCE

# ``baseline`` and ``baseline_mean`` hold whichever arm a row's variant is paired with, also in a report
# ``--against`` another arm: renamed there, one script could no longer read both kinds of folder. So
# ``reference`` names that arm under a name true of both, last, where a script reading columns by
# position does not see it move the others. ``confidence``, the level of every interval in the row, came later
# still, after it.
EFFECT_COLUMNS = [
    "metric", "variant", "baseline", "baseline_mean", "variant_mean", "diff", "ci_low", "ci_high", "n", "dropped",
    "rel_diff", "p_value", "p_holm", "holm_tests", "effect_size", "sd_diff", "unpaired_ci_low", "unpaired_ci_high",
    "ci_width_ratio", "variance_reduction", "parity_gap_diff", "parity_gap_ci_low", "parity_gap_ci_high",
    "parity_baseline_ci_low", "parity_baseline_ci_high", "scenario", "parameters", "reference", "confidence",
]


def paired_stats(baseline: Sequence[float] | np.ndarray, variant: Sequence[float] | np.ndarray,
                 confidence: float = DEFAULT_CONFIDENCE) -> dict[str, float]:
    """Statistics of the paired difference ``variant - baseline`` over complete pairs.

    Args:
        baseline: The baseline's value in each replication (NaN where missing).
        variant: The variant's value in the same replications, in the same order.
        confidence: Confidence level of the intervals.

    Returns:
        n, dropped, baseline_mean, variant_mean, diff, sd_diff, ci_low, ci_high, p_value,
        effect_size (Cohen's d: diff over the pooled run-to-run SD), unpaired_ci_low/high
        (Welch), ci_width_ratio (paired over unpaired width: below 1 means pairing helped) and
        variance_reduction (1 - var(diff) / (var(baseline) + var(variant))).
    """
    b = np.asarray(baseline, dtype=float)
    v = np.asarray(variant, dtype=float)
    keep = np.isfinite(b) & np.isfinite(v)
    b, v = b[keep], v[keep]
    n = int(keep.sum())
    nan = math.nan
    out: dict[str, float] = {
        "n": n, "dropped": int(len(keep) - n), "baseline_mean": nan, "variant_mean": nan, "diff": nan,
        "sd_diff": nan, "ci_low": nan, "ci_high": nan, "p_value": nan, "effect_size": nan,
        "unpaired_ci_low": nan, "unpaired_ci_high": nan, "ci_width_ratio": nan, "variance_reduction": nan,
    }
    if n == 0:
        return out
    d = v - b
    diff = float(d.mean())
    out.update(baseline_mean=float(b.mean()), variant_mean=float(v.mean()), diff=diff)
    if n < 2:
        return out
    alpha = 1.0 - confidence
    sd = float(d.std(ddof=1))
    half = t_half_width(d, confidence)
    var_b, var_v = float(b.var(ddof=1)), float(v.var(ddof=1))
    out.update(sd_diff=sd, ci_low=diff - half, ci_high=diff + half)
    if sd > 0:
        out["p_value"] = float(2 * stats.t.sf(abs(diff) / (sd / math.sqrt(n)), n - 1))
    elif diff != 0:
        out["p_value"] = 0.0  # the same non-zero difference in every pair
    # else the arms agree in every pair (a metric the variant cannot touch): no test to make, but
    # d is 0 and the unpaired interval exists (they were left empty, a review); what pairing
    # bought is left empty below, as a width of 0 over any other would say "everything".
    same = sd == 0 and diff == 0
    pooled = math.sqrt((var_b + var_v) / 2)
    if pooled > 0:
        out["effect_size"] = diff / pooled
    se_unpaired = math.sqrt(var_b / n + var_v / n)
    if se_unpaired > 0:
        # Welch-Satterthwaite degrees of freedom for two samples of size n.
        dof = (var_b / n + var_v / n) ** 2 / ((var_b / n) ** 2 / (n - 1) + (var_v / n) ** 2 / (n - 1))
        half_u = float(stats.t.ppf(1 - alpha / 2, dof)) * se_unpaired
        out.update(unpaired_ci_low=diff - half_u, unpaired_ci_high=diff + half_u)
        if not same:
            out.update(ci_width_ratio=half / half_u, variance_reduction=1.0 - sd**2 / (var_b + var_v))
    else:
        out.update(unpaired_ci_low=diff, unpaired_ci_high=diff)
    return out


def t_half_width(x: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Half the width of the Student-t confidence interval of the mean of ``x`` (two values or more).

    The one t-interval of every table here: the paired difference's (:func:`paired_stats`), the
    parity gap's parts (:func:`parity_gap`) and one arm's means (:func:`arm_means`).
    """
    return float(stats.t.ppf(1 - (1 - confidence) / 2, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(x.size)


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979; ``statsmodels`` ``multipletests(method="holm")``).

    The *i*-th smallest of *m* p-values is multiplied by ``m - i + 1``, made non-decreasing in that
    order and capped at 1. A test whose adjusted p-value is below alpha is significant with the
    chance of any false positive among all *m* held at alpha, whatever the dependence between
    the tests (the variants of a report share their baseline, so theirs are dependent). NaN
    p-values (no test was possible) stay NaN and do not count in *m*.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    made = np.isfinite(p)
    q = p[made]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    out[made] = adjusted
    return out


def parity_gap(baseline: np.ndarray, variant: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> dict[str, float]:
    """The change of the mean's distance from parity, ``|mean(variant) - 1| - |mean(baseline) - 1|``.

    Negative means closer to parity. With ``δ`` the change of the mean and ``S`` the sum of the
    two means, the change of the distance is ``max(min(δ, S - 2), min(2 - S, -δ))``, whichever
    side of parity each mean is on; both are means of a per-replication quantity (``v - b``,
    ``v + b``), so each has its paired Student-t interval, and the distance's interval is that
    expression over the two intervals. "Clearly closer" thus needs the change clearly toward
    parity (the signed test every other metric gets) *and* the two means clearly on the same
    side of the mirror point, with the uncertainty of both means counted: an interval that took
    the baseline's mean as known (``|b + d - 1| - |b - 1|`` over the change's interval alone)
    called a ratio that started at parity and clearly rose "closer" a third of the time, and
    one that crossed to the mirror of its gap "closer" or "further" nine times in ten. A
    percentile bootstrap, used before that, called a change where there was none 43 % of the
    time with 2 pairs and about 9 % with 5 to 15 (an org-design trial, against 5 % for the t-test).

    The baseline mean's own t-interval (``parity_baseline_ci_*``) says whether the baseline is
    clearly off parity at all: when it holds 1, a variant can seldom be shown to come closer (a
    trial's 0.918 -> 0.988 was "not clearly closer" for that reason, and the report did not say so).

    The distance of each *run* (``|x - 1|`` replication by replication) is not used: it adds each
    arm's run-to-run spread to its distance, so a variant whose mean moves from 0.90 to 0.99 but
    whose runs scatter more reads as "further from parity", and two arms at the same mean differ
    by their spread alone.
    """
    b = np.asarray(baseline, dtype=float)
    v = np.asarray(variant, dtype=float)
    keep = np.isfinite(b) & np.isfinite(v)
    b, v = b[keep], v[keep]
    nan = math.nan
    out = {"parity_gap_diff": nan, "parity_gap_ci_low": nan, "parity_gap_ci_high": nan,
           "parity_baseline_ci_low": nan, "parity_baseline_ci_high": nan}
    if b.size == 0:
        return out

    def gap(change: float, total: float) -> float:  # |v - 1| - |b - 1| from v - b and v + b - 2
        return max(min(change, total), min(-total, -change))

    out["parity_gap_diff"] = gap(float((v - b).mean()), float((v + b).mean()) - 2)
    if b.size < 2:
        return out

    def interval(x: np.ndarray) -> tuple[float, float]:
        mean, half = float(x.mean()), t_half_width(x, confidence)
        return mean - half, mean + half

    (d_low, d_high), (s_low, s_high) = interval(v - b), interval(v + b - 2)
    base_low, base_high = interval(b)
    # Each term of gap's max is a min of the two quantities or of their negatives, so its bounds are
    # the min of theirs, and the max's bounds the max of its terms' (tight while the means are clearly
    # on one side of parity; wider, not narrower, when they are not).
    out.update(parity_gap_ci_low=max(min(d_low, s_low), min(-s_high, -d_high)),
               parity_gap_ci_high=max(min(d_high, s_high), min(-s_low, -d_low)),
               parity_baseline_ci_low=base_low, parity_baseline_ci_high=base_high)
    return out


def planned_tasks(design: dict[str, Any]) -> pd.DataFrame:
    """The design's runs: run_id, arm, replication (a run may serve several sample points)."""
    return pd.DataFrame(design.get("tasks", []), columns=["run_id", "arm", "replication"])


def run_values(store: ResultStore, design: dict[str, Any] | None = None) -> pd.DataFrame:
    """Summary values of the design's successful runs: arm, replication, metric, value.

    Runs from an earlier, different design in the same folder are ignored.
    """
    design = design or store.design()
    tasks = planned_tasks(design)
    runs = store.runs().drop_duplicates("run_id", keep="last")
    ok = set(runs.loc[runs["status"] == "ok", "run_id"])
    summaries = store.summaries()
    summaries = summaries[summaries["run_id"].isin(ok)][["run_id", "metric", "value"]]
    values = tasks.merge(summaries, on="run_id", how="inner")
    return values.sort_values(["arm", "replication", "metric"], kind="stable").reset_index(drop=True)


def with_group_ratios(values: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """``values`` with the group ratios among ``metrics`` (``promotion_stick_rate.women/men``) added, run by run.

    Each is one group's summary value over the other's in the same run, so its paired change
    and parity verdict come as any ratio's; NaN where either is, or the second is 0.
    """
    added = []
    for name in dict.fromkeys(metrics):
        if group_ratio_parts(name) is None or (values["metric"] == name).any():
            continue
        rates = group_ratio_rates(name)
        parts = values[values["metric"].isin(rates)]
        runs = [column for column in ("run_id", "arm", "replication") if column in parts]
        wide = parts.pivot(index=runs, columns="metric", values="value").reindex(columns=rates)
        over = wide.iloc[:, 1].where(wide.iloc[:, 1] != 0)
        added.append((wide.iloc[:, 0] / over).rename("value").reset_index().assign(metric=name))
    return pd.concat([values, *added], ignore_index=True) if added else values


def metric_order(values: pd.DataFrame, wanted: Sequence[str] | None) -> list[str]:
    """The metrics to analyse: the declared ones, else all but the groups' on-request ones, in the engine's order.

    Every metric but each group's ledger rates (stick rate, decliners staying, development that
    paid off) and share of the top (``ON_REQUEST``), shown when named: by default they would add
    four rows per group to every table, and the rates to the Holm family (which the shipped
    comparisons' verdicts were taken with), for a question not every comparison asks.
    """
    if wanted:
        return list(wanted)
    from sim.experiment.design import known_metrics  # noqa: PLC0415

    present = [m for m in dict.fromkeys(values["metric"]) if not m.startswith(ON_REQUEST)]
    order = {m: i for i, m in enumerate(known_metrics())}
    return sorted(present, key=lambda m: (order.get(m, len(order)), m))


LABEL_WIDTH = 30  # a printed table's variant labels break at their parts beyond this (``label_lines``)
# Where a long variant label may break in a printed table or a figure: after each lever of a "+" arm and after each
# grid setting (``mentoring_coverage_0.5_and_`` / ``career_conversations``), and before what an arm lacks of a report's
# reference (``baseline`` / ``(mentoring switched off)``: ``report.glance_labels``).
_LABEL_BREAKS = re.compile(r"(?<=_and_)|(?<=, )|(?<=\[)|(?= vs )|(?= \()")


def label_lines(label: str, width: int = LABEL_WIDTH, indent: str = "") -> str:
    """A variant label in lines of at most about ``width`` characters, broken only where it has parts.

    A terminal too narrow for a long label cut it mid-word ("..._and_career_conv" / "ersations",
    two trials); whole parts, each continuation line indented two more, read as one name.
    """
    lines: list[str] = []
    for part in _LABEL_BREAKS.split(label):
        if lines and len(lines[-1]) + len(part) > width:
            lines.append(part.lstrip())
        else:
            lines[-1:] = [(lines[-1] if lines else "") + part]
    return "\n".join(f"{indent}{'  ' * (i > 0)}{line.rstrip()}" for i, line in enumerate(lines))


def comparison_labels(effects: pd.DataFrame) -> list[str]:
    """What each row of ``effects`` compares: the variant, or "variant vs baseline" in a grid.

    In a grid the baselines differ from row to row (a variant against the baseline at its own
    point, the baseline at a later point against the first), so the variant alone does not say
    what the difference is from.
    """
    if effects["baseline"].nunique() <= 1:
        return [str(v) for v in effects["variant"]]
    return [f"{v} vs {b}" for v, b in zip(effects["variant"], effects["baseline"], strict=True)]


def against_design(design: dict[str, Any], label: str, source: str = "") -> dict[str, Any]:
    """``design`` with every arm paired against the arm ``label`` instead of its baseline.

    Replication *k* of every arm ran with the same seed, so any two arms of a comparison are
    paired, not only each with the baseline: "does career conversations add anything on top of
    mentoring?" is ``mentoring+career_conversations`` against ``mentoring``, from runs already
    made. Each arm's ``set`` becomes what it sets beyond the new reference's, so the report says
    what differs between the two, not what each does to the baseline, and ``without`` what the
    new reference sets that the arm does not (the baseline against ``mentoring``: mentoring off).

    Args:
        design: A stored comparison design with one reference arm (not a grid).
        label: The arm every other arm is compared with.
        source: The folder, for error messages.

    Raises:
        InputError: A sensitivity design, a grid (arms compared point by point), or no such arm.
    """
    arms = design["arms"]
    labels = [str(a["label"]) for a in arms]
    if design.get("kind") != "comparison" or len({a.get("point", 0) for a in arms}) > 1:
        what = "sample points" if design.get("kind") == "sensitivity" else "a grid, whose arms pair point by point"
        raise InputError(f"holds {what}; --against re-pairs the arms of a comparison with one baseline",
                         source=source, path="--against")
    if label not in labels:
        close = closest_arm(label, labels)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise InputError(f"no arm '{label}' in this folder{hint}; --against takes one of: {', '.join(labels)}",
                         source=source, path="--against")
    new = dict(design)
    ref = next(a for a in arms if a["label"] == label)
    ref_set = ref.get("set") or {}
    new["arms"] = [dict(ref, reference=None)] + [
        dict(a, reference=label, set={k: v for k, v in (a.get("set") or {}).items() if ref_set.get(k, object()) != v},
             without={k: v for k, v in ref_set.items() if k not in (a.get("set") or {})})
        for a in arms if a["label"] != label
    ]
    new["against"] = {"label": label, "was": next((a["label"] for a in arms if a.get("reference") is None), None)}
    return new


def closest_arm(typed: str, labels: Sequence[str]) -> str | None:
    """The arm a mistyped ``--against`` most likely meant, or None.

    As every other mistyped name is answered, so the arm meant need not be found in a long list.
    Levers joined by ``+`` are tried in every order as ``--levers`` labels them (``a_and_b``), so
    ``carer_conversations+mentoring`` points at ``mentoring_and_career_conversations``, not at
    ``career_conversations``.
    """
    parts = typed.split("+")
    spellings = ["_and_".join(order) for order in (itertools.permutations(parts) if len(parts) <= 4 else [parts])]
    found = [(difflib.SequenceMatcher(None, spelling, close).ratio(), close) for spelling in spellings
             if (close := closest(spelling, labels))]
    return max(found)[1] if found else None


def paired_effects(values: pd.DataFrame, design: dict[str, Any], metrics: Sequence[str] | None = None,
                   confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """The effects table: one row per metric and variant, paired by replication.

    Args:
        values: From :func:`run_values`.
        design: The stored design (arms and their references).
        metrics: Metrics to include (default: the design's, else all).
        confidence: Confidence level of the intervals.

    Returns:
        A frame with :data:`EFFECT_COLUMNS`. ``p_holm`` is adjusted over the tests of the design's
        metrics that get a verdict (:func:`in_holm_family`), also when ``metrics`` shows fewer:
        narrowing the table after seeing the results must not shrink the correction. Rows where
        the arms agree in every pair have no test (``p_value`` NaN). ``parity_gap_*`` and
        ``parity_baseline_ci_*`` are filled for the metrics best at 1 (NaN for the others).
        ``confidence`` repeats the level on every row, so a row read alone says what its
        intervals are.
    """
    shown = list(metrics) if metrics else None
    rows = []
    for metric, wide in metric_tables(values, design, shown):
        info = metric_info(metric)
        to_parity = info is not None and info.better == "one"
        for arm in design["arms"]:
            ref = arm.get("reference")
            if ref is None:
                continue
            base = wide[ref] if ref in wide else pd.Series(np.nan, index=wide.index)
            var = wide[arm["label"]] if arm["label"] in wide else pd.Series(np.nan, index=wide.index)
            row = paired_stats(base.to_numpy(), var.to_numpy(), confidence)
            if to_parity:
                row.update(parity_gap(base.to_numpy(), var.to_numpy(), confidence))
            base_mean = row["baseline_mean"]
            row.update(metric=metric, variant=arm["label"], baseline=ref, reference=ref, scenario=arm["scenario"],
                       confidence=confidence,
                       parameters=", ".join(f"{k}={v}" for k, v in arm["parameters"].items()),
                       rel_diff=row["diff"] / base_mean if base_mean and math.isfinite(base_mean) else math.nan)
            rows.append(row)
    return with_holm(pd.DataFrame(rows, columns=EFFECT_COLUMNS), shown)


MEAN_COLUMNS = ["metric", "arm", "mean", "ci_low", "ci_high", "n", "dropped", "confidence", "sd", "clipped"]
MEANS_FILE = "means.csv"  # arm_means over every arm, beside effects.csv


def arm_means(values: pd.DataFrame, design: Mapping[str, Any], metrics: Sequence[str] | None = None,
              confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Each metric's mean over each arm's replications, with its Student-t interval cut to what the metric can be.

    What a design of one arm (``report.no_variant``) reports in place of effects: with no variant
    there is no paired change, and a researcher running the baseline alone (to see where it
    settles, or how much replications spread) read only its trajectories. Every design writes them
    (``means.csv``), as effects.csv holds only the differences. The metrics are those a comparison
    would report (:func:`family_metrics`, group ratios included), and a run without a finite value
    leaves its replication out (``dropped``), as an incomplete pair does.

    The interval is cut to the metric's possible values (:func:`sim.metrics.metric_bounds`), and
    ``clipped`` says where: three runs' attrition read ``0.08 [-0.07, 0.24]``, a share below 0.
    Cutting takes only impossible values away, so the interval holds the true mean exactly as often.

    Returns:
        A frame with :data:`MEAN_COLUMNS`, the reference arm first, then the others in the design's
        order; the interval and ``sd`` are NaN with fewer than two values.
    """
    arms = [str(a["label"]) for a in sorted(design.get("arms", []), key=lambda a: a.get("reference") is not None)]
    shown = list(metrics) if metrics else None
    rows = []
    for metric, wide in metric_tables(values, design, shown):
        lowest, highest = metric_bounds(metric)
        for arm in arms:
            x = (wide[arm] if arm in wide else pd.Series(np.nan, index=wide.index)).to_numpy(dtype=float)
            kept = x[np.isfinite(x)]
            mean = float(kept.mean()) if kept.size else math.nan
            half = t_half_width(kept, confidence) if kept.size > 1 else math.nan
            low, high = max(mean - half, lowest), min(mean + half, highest)  # NaN stays NaN: max(nan, 0) is nan
            rows.append({"metric": metric, "arm": arm, "mean": mean, "ci_low": low, "ci_high": high,
                         "n": int(kept.size), "dropped": int(x.size - kept.size), "confidence": confidence,
                         "sd": float(kept.std(ddof=1)) if kept.size > 1 else math.nan,
                         "clipped": bool(mean - half < lowest or mean + half > highest)})
    return shown_rows(pd.DataFrame(rows, columns=MEAN_COLUMNS), shown)


def metric_tables(values: pd.DataFrame, design: Mapping[str, Any],
                  shown: Sequence[str] | None) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each metric of a table of tests (:func:`family_metrics`), with its values as replication x arm.

    Group ratios are added run by run (:func:`with_group_ratios`); a replication with no value in
    an arm reads NaN there, so pairs are taken replication by replication.
    """
    metrics = family_metrics(values, design, shown)
    values = with_group_ratios(values, metrics)
    replications = range(int(design.get("replications", 0)))
    for metric in metrics:
        wide = values[values["metric"] == metric].pivot(index="replication", columns="arm", values="value")
        yield metric, wide.reindex(index=replications)


def with_holm(frame: pd.DataFrame, shown: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` with ``p_holm`` over its tests of metrics that get a verdict, then only the rows ``shown``.

    ``holm_tests`` keeps the family's size on every row, also when rows are left out.
    """
    family = frame["metric"].map(in_holm_family).astype(bool) & frame["p_value"].notna()
    frame["p_holm"] = np.nan
    frame.loc[family, "p_holm"] = holm(frame.loc[family, "p_value"].to_numpy(dtype=float))
    frame["holm_tests"] = int(family.sum())
    frame = shown_rows(frame, shown)
    return frame.astype({"n": "int64", "dropped": "int64", "holm_tests": "int64"}) if len(frame) else frame


def family_metrics(values: pd.DataFrame, design: Mapping[str, Any], shown: Sequence[str] | None) -> list[str]:
    """The metrics a table of tests is computed over: the design's, then any ``shown`` beyond them.

    Holm's correction runs over all of them (:func:`shown_rows` then keeps the rows asked for),
    so that narrowing a report with ``--metrics`` after seeing the results does not shrink the
    correction; a metric outside the design's list gets its rows, and joins the family.
    """
    metrics = metric_order(values, design.get("metrics"))
    if shown:
        metrics += [m for m in metric_order(values, shown) if m not in metrics]
    return metrics


def shown_rows(frame: pd.DataFrame, shown: Sequence[str] | None) -> pd.DataFrame:
    """The rows of ``shown``'s metrics, in its order (each metric's rows as they were); all without it."""
    if not shown:
        return frame
    order = {m: i for i, m in enumerate(shown)}
    frame = frame[frame["metric"].isin(shown)]
    return frame.iloc[np.argsort(frame["metric"].map(order).to_numpy(), kind="stable")].reset_index(drop=True)


def in_holm_family(metric: str) -> bool:
    """Whether a metric's tests are among those Holm's correction allows for.

    Those the report gives a verdict on (better or worse): not headcount, promotions or the
    application rate, which have no better direction, nor lever time, which a lever sets by
    design (an org-design trial's 192 tests counted them, and marked levers' main effects as
    possibly chance).
    """
    info = metric_info(metric)
    return info is not None and info.better is not None and metric not in COSTS


def trajectory_bands(timeseries: pd.DataFrame, design: dict[str, Any], ok_runs: set[str],
                     confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Mean trajectory per arm, metric and step with a t confidence band across replications.

    Returns:
        Columns arm, metric, step, mean, low, high, n.
    """
    tasks = planned_tasks(design)
    ts = totals(timeseries[timeseries["run_id"].isin(ok_runs)])
    ts = tasks.merge(ts[["run_id", "step", "metric", "value"]], on="run_id", how="inner")
    ts = ts[np.isfinite(ts["value"])]
    if ts.empty:
        return pd.DataFrame(columns=["arm", "metric", "step", "mean", "low", "high", "n"])
    ts = ts.sort_values(["arm", "metric", "step", "replication"], kind="stable")
    g = ts.groupby(["arm", "metric", "step"], sort=True)["value"].agg(["mean", "std", "count"]).reset_index()
    t = stats.t.ppf(1 - (1 - confidence) / 2, np.maximum(g["count"] - 1, 1))
    half = np.where(g["count"] > 1, t * g["std"].fillna(0) / np.sqrt(g["count"]), 0.0)
    # A metric that no run ever had below 0 (a rate, a count) cannot be: its band stops at 0. A band
    # of a noisy early annualised rate went to -0.1, which a reviewer reads as an error.
    floor = g["metric"].map(ts.groupby("metric")["value"].min() >= 0).to_numpy(dtype=bool)
    low = np.where(floor, np.maximum(g["mean"] - half, 0.0), g["mean"] - half)
    return pd.DataFrame({"arm": g["arm"], "metric": g["metric"], "step": g["step"], "mean": g["mean"],
                         "low": low, "high": g["mean"] + half, "n": g["count"]})
