"""Do two levers add up? Paired interaction contrasts from a comparison's runs.

"Should we do career conversations *and* mentoring, or is one enough?" is a question about how
two levers combine, which no row of the effects table answers: each row compares one arm with
the baseline. With arms for lever A alone, B alone and both together, each paired with the same
baseline, replication *k*'s interaction is

    (AB_k - base_k) - (A_k - base_k) - (B_k - base_k)  =  AB_k - (A_k + B_k - base_k),

what the two do together beyond the sum of what each does alone (the difference in differences
of a 2 x 2 factorial design). The four runs of a replication share their seed (common random
numbers), so the contrast is paired as every effect is: :func:`~sim.experiment.analysis.paired_stats`
of ``AB_k - A_k`` against ``B_k - base_k`` (B's effect with A on, against without) gives its mean,
its Student-t interval and its test. Taken as those two differences, a lever that leaves a metric
as it was gives a contrast of exactly 0 in every run; against ``A_k + B_k - base_k`` rounding gave
one of about 1e-17 in every run, which a test with no spread called certain. Holm's correction
runs over the contrasts of the design's metrics that get a verdict, as the effects table's does
over its own tests, also when ``--metrics`` shows fewer.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.experiment.analysis import closest_arm, metric_tables, paired_stats, with_holm
from sim.experiment.report import COMPACT_WIDTH, change_decimals, firm, fixed
from sim.experiment.report import _md_table as md_table
from sim.metrics import COSTS, metric_info
from sim.wording import DEFAULT_CONFIDENCE, markdown_text, percent_level, significance

INTERACTION_COLUMNS = [
    "metric", "first", "second", "together", "baseline", "baseline_mean", "first_effect", "second_effect",
    "sum_of_effects", "together_effect", "interaction", "ci_low", "ci_high", "n", "dropped", "p_value", "p_holm",
    "holm_tests", "confidence",
]


@dataclass(frozen=True)
class LeverPair:
    """The arms of one interaction: each lever alone, both together, and the baseline all three are paired with."""

    first: str
    second: str
    together: str
    baseline: str


def find_pair(design: Mapping[str, Any], typed: str, source: str, option: str = "--interaction") -> LeverPair:
    """The arms ``typed`` names: ``A+B`` (the together arm found by its levers) or ``A+B=ARM``.

    ``compare --levers a,b,a+b`` labels the together arm ``a_and_b``; an experiment file's arm
    of both levers can have any name, so it is given after ``=``.

    Raises:
        InputError: Not two arms joined by ``+``, an arm the folder does not have (with the
            likely one), a together arm that cannot be found, arms not paired with one baseline,
            or a folder of sample points or grid points.
    """
    arms = design.get("arms") or []
    labels = [str(a["label"]) for a in arms]
    if design.get("kind") != "comparison" or len({a.get("point", 0) for a in arms}) > 1:
        what = "sample points" if design.get("kind") == "sensitivity" else "a grid, whose arms pair point by point"
        raise InputError(f"holds {what}; {option} takes the arms of a comparison with one baseline",
                         source=source, path=option)
    levers, _, named = typed.partition("=")
    parts = [p.strip() for p in levers.split("+")]
    if len(parts) != 2 or not all(parts):
        raise InputError(f"'{typed}' is not two arms joined by '+' (e.g. career_conversations+mentoring, or "
                         "A+B=ARM to name the arm with both)", source=source, path=option)
    for part in parts:
        _known(part, labels, source, option)
        if next(a for a in arms if a["label"] == part).get("reference") is None:  # before "no arm with both"
            raise _is_the_baseline(part, source, option)
    if named:
        together = _known(named.strip(), labels, source, option)
    else:
        spellings = ["_and_".join(order) for order in itertools.permutations(parts)] + ["+".join(parts)]
        together = next((s for s in spellings if s in labels), None)
        if together is None:
            raise InputError(f"no arm with both {parts[0]} and {parts[1]} (a compare's --levers "
                             f"{parts[0]}+{parts[1]} makes one); name it as {parts[0]}+{parts[1]}=ARM; arms: "
                             f"{', '.join(labels)}", source=source, path=option)
    reference = {a["label"]: a.get("reference") for a in arms}
    chosen = [*parts, together]
    if len(set(chosen)) < 3:
        raise InputError(f"'{typed}' names one arm twice: the interaction needs A alone, B alone and both together",
                         source=source, path=option)
    bases = {reference.get(label) for label in chosen}
    if None in bases:
        raise _is_the_baseline(next(label for label in chosen if reference[label] is None), source, option)
    if len(bases) > 1:
        raise InputError(f"{', '.join(chosen)} are not paired with one baseline ({', '.join(sorted(bases))})",
                         source=source, path=option)
    return LeverPair(first=parts[0], second=parts[1], together=together, baseline=bases.pop())


def _is_the_baseline(label: str, source: str, option: str) -> InputError:
    return InputError(f"{label} is the baseline; the interaction compares two levers, each alone and both "
                      "together, with it", source=source, path=option)


def _known(label: str, labels: Sequence[str], source: str, option: str) -> str:
    if label in labels:
        return label
    close = closest_arm(label, labels)
    hint = f" (did you mean '{close}'?)" if close else ""
    # No "in this folder": before a compare or an experiment run, the arms are the command's or the file's.
    raise InputError(f"no arm '{label}'{hint}; arms: {', '.join(labels)}", source=source, path=option)


def interaction_effects(values: pd.DataFrame, design: Mapping[str, Any], pairs: Sequence[LeverPair],
                        metrics: Sequence[str] | None = None, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """One row per metric and lever pair: each lever's effect, their sum, both together's, and the difference.

    Args:
        values: From :func:`~sim.experiment.analysis.run_values`.
        design: The stored design (its replications and metrics).
        pairs: From :func:`find_pair`.
        metrics: Metrics to show (default: the design's, else all); Holm's correction still
            runs over the design's (:func:`~sim.experiment.analysis.family_metrics`).
        confidence: Confidence level of the intervals.

    Returns:
        A frame with :data:`INTERACTION_COLUMNS`. ``interaction`` is ``together_effect -
        sum_of_effects`` over the replications where all four runs have a value (``n``;
        ``dropped`` the others), with its paired interval; ``p_holm`` is adjusted over the
        contrasts of the design's metrics that get a verdict.
    """
    shown = list(metrics) if metrics else None
    rows = []
    for metric, wide in metric_tables(values, design, shown):
        for pair in pairs:
            base, first, second, together = (
                wide[label].to_numpy(dtype=float) if label in wide else np.full(len(wide), np.nan)
                for label in (pair.baseline, pair.first, pair.second, pair.together)
            )
            complete = np.isfinite(base) & np.isfinite(first) & np.isfinite(second) & np.isfinite(together)
            row = paired_stats(second - base, together - first, confidence)  # NaN where any of the four is
            mean = {name: float(col[complete].mean()) if complete.any() else math.nan
                    for name, col in (("base", base), ("first", first), ("second", second), ("together", together))}
            rows.append({
                "metric": metric, "first": pair.first, "second": pair.second, "together": pair.together,
                "baseline": pair.baseline, "baseline_mean": mean["base"],
                "first_effect": mean["first"] - mean["base"], "second_effect": mean["second"] - mean["base"],
                "sum_of_effects": mean["first"] + mean["second"] - 2 * mean["base"],
                "together_effect": mean["together"] - mean["base"], "interaction": row["diff"],
                "ci_low": row["ci_low"], "ci_high": row["ci_high"], "n": row["n"], "dropped": row["dropped"],
                "p_value": row["p_value"],
            })
    frame = pd.DataFrame(rows, columns=INTERACTION_COLUMNS)
    frame["confidence"] = confidence
    return with_holm(frame, shown)


def verdict(row: Mapping[str, Any], confidence: float = DEFAULT_CONFIDENCE) -> str:
    """In words: whether both together did what the sum of each alone predicts, better, or worse.

    "Better" and "worse" follow the metric's direction (a misread rate lower than the sum
    predicts is better than the sum); a metric with no better direction is "above" or "below".
    Lever time, a cost, is "above" or "below" too. Clear means the interval excludes 0 after
    Holm's correction (for a metric with no better direction, its p-value below the significance
    over the contrasts, as :func:`~sim.experiment.report.firm` judges the effects table's rows);
    clear on its own only, it may be chance.
    """
    low, high = row["ci_low"], row["ci_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return "no interval (too few runs with a value)"
    if low <= 0 <= high:
        return "adds up"
    info = metric_info(str(row["metric"]))
    above = row["interaction"] > 0
    # Lever time is a cost the levers set, never better or worse (as in the effects table): a
    # trial's report called both levers' 4.05 hours against 4.07 for each alone "better than the sum".
    better = None if row["metric"] in COSTS else {"lower": not above, "higher": above}.get(info.better if info else "")
    if better is None:
        words = "above the sum" if above else "below the sum"
    else:
        words = "better than the sum" if better else "worse than the sum"
    # The effects table's rule (report.firm): Holm's correction for the metrics with a verdict, and
    # for one with no better direction, outside Holm's family, its p-value below the significance
    # over the contrasts (Bonferroni); they were called clear at their own interval alone.
    tests = int(row.get("holm_tests", 1))
    stated = SimpleNamespace(**{"p_value": math.nan, "p_holm": math.nan, **row, "confidence": confidence})
    return words if firm(stated, tests) else f"{words}, may be chance"


def shown(row: Any) -> dict[str, str]:
    """A row's numbers as text, all with the decimals of its interaction and interval (two significant digits).

    One precision for the row, as the effects table's :func:`~sim.experiment.report.change_decimals`
    gives a change: the sums and the interaction are read against each other.
    """
    d = change_decimals(row.interaction, (row.ci_high - row.ci_low) / 2, (row.sum_of_effects, row.together_effect))
    text = {name: fixed(getattr(row, name), d, signed=True)
            for name in ("first_effect", "second_effect", "sum_of_effects", "together_effect", "interaction")}
    text["interval"] = f"[{fixed(row.ci_low, d, signed=True)}, {fixed(row.ci_high, d, signed=True)}]"
    return text


def interaction_lines(frame: pd.DataFrame, confidence: float = DEFAULT_CONFIDENCE) -> list[str]:
    """report.md's section on the lever pairs asked for (``--interaction``), one table per pair."""
    level = percent_level(confidence)
    lines = ["## Do the levers add up?", "",
             "For each pair of levers: the change each makes alone, the change the two make together, and how far "
             "together differs from the sum of the two alone (the interaction: a difference in differences, "
             "together - first - second + baseline, run by run over replications with the same seed, with its "
             f"{level} Student-t interval). *Better than the sum*: the levers reinforce each other; *worse than the "
             "sum*: they overlap or get in each other's way (each does less when the other is on); *adds up*: the "
             "interval holds 0; *above* or *below the sum*: a metric with no better direction, or lever time (a cost, "
             "not a result). *May be chance*: clear on its own, not after Holm's correction over these contrasts (for "
             f"*above* or *below*, lever time aside, its p-value not below {percent_level(significance(confidence))} "
             "over them). Every column: `interactions.csv`.", ""]
    for (first, second, together), rows in frame.groupby(["first", "second", "together"], sort=False):
        lines += [f"### {markdown_text(first)} + {markdown_text(second)} (together: {markdown_text(together)})", ""]
        table = []
        for r in rows.itertuples():
            t = shown(r)
            table.append([r.metric, t["first_effect"], t["second_effect"], t["sum_of_effects"], t["together_effect"],
                          f"{t['interaction']} {t['interval']}", int(r.n), verdict(r._asdict(), confidence)])
        lines += md_table(["metric", f"{first} alone", f"{second} alone", "sum", "together",
                           f"together - sum [{level} CI]", "n", "verdict"], table)
        lines += [""]
    return lines


def print_interactions(frame: pd.DataFrame, confidence: float = DEFAULT_CONFIDENCE) -> None:
    """The interactions on stdout: per pair, each metric's sum of the two alone, together, and the verdict."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    level = percent_level(confidence)
    console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else COMPACT_WIDTH)
    for (first, second, together), rows in frame.groupby(["first", "second", "together"], sort=False):
        table = Table(title=f"do {first} and {second} add up? (changes from {rows['baseline'].iloc[0]}; "
                            f"together: {together})", box=None)
        table.add_column("metric", overflow="fold")
        for name in ("sum of each alone", "together", f"together - sum [{level} CI]"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("verdict", overflow="fold")
        for r in rows.itertuples():
            t, info = shown(r), metric_info(r.metric)
            table.add_row(info.label if info else r.metric, t["sum_of_effects"], t["together_effect"],
                          f"{t['interaction']} {t['interval']}", verdict(r._asdict(), confidence))
        console.print(table)
