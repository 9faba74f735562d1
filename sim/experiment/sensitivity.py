"""Global sensitivity analysis through SALib: which behavioural parameters drive which outcomes.

The experiment file's ``sensitivity`` block declares ranges over scenario key paths. SALib
samples the ranges (Morris trajectories for a cheap screening, Saltelli/Sobol' for variance
shares); each sample point becomes an arm of an ordinary design, so the runs go through the
same executors and the same resumable store as comparisons. Replications of a point share
seeds with every other point (common random numbers), so differences between points are not
drowned in seed noise; the model output at a point is the mean over its replications.

Whole-number parameters (months, counts: the scenario holds an int there) are rounded when applied
to the scenario (``design.coerce_like``), while the analysis uses SALib's own sample matrix. For
Morris that is only honest when every point of SALib's grid is already a whole number: SALib
divides each change of the output by its constant step, so a step of 11 -> 11.67 that reaches
the model as 11 -> 12 would inflate mu* by 1.5, and other ranges shrink steps to 0. Such ranges
are refused (:func:`check_morris_grid`). Sobol' needs no such rule: its indices are those of the
model as a function of the continuous input, and rounding only makes that function a step
function, which the estimators handle like any other (docs/experiments.md).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.cli import DEFAULT_FIGURES
from sim.errors import InputError
from sim.experiment.analysis import metric_order, run_values, with_group_ratios
from sim.experiment.design import (
    SWITCH_HINT,
    Arm,
    Design,
    ExperimentFile,
    base_overrides,
    check_metric_groups,
    coerce_like,
    labelled_specs,
    lever_switched_on,
    make_tasks,
    overlaps,
    resolve,
    sensitivity_limits,
    shown_path,
    value_at,
    with_parameters,
)
from sim.experiment.plots import figure_lines, not_drawn_lines, plot_sensitivity
from sim.experiment.report import (
    confidence_of,
    experiment_file_line,
    fmt,
    horizon_line,
    provenance,
    provenance_lines,
    recorded_confidence,
    settings_shown,
)
from sim.experiment.store import ResultStore
from sim.random import derive_seeds
from sim.scenario import Scenario, load_scenario
from sim.wording import DEFAULT_CONFIDENCE, code_span, markdown_text, percent_level

RESAMPLES = 1000


def build_sensitivity_design(spec: ExperimentFile, source: str | Path, method: str | None = None, *,
                             base_dir: Path | None = None, levels_word: str = "levels") -> Design:
    """Sample the declared ranges and expand every sample point into an arm.

    ``levels_word`` is how a refusal names the number of Morris levels: ``--levels`` when it was
    typed (the file's ``levels`` was named, a value the user had not written).

    Raises:
        InputError: No ``sensitivity`` block, an unknown scenario, a Sobol' sample size that is
            not a power of two, or a bound or sample point the scenario schema rejects.
    """
    source = str(source)
    sens = spec.sensitivity
    if sens is None:
        raise InputError("this experiment has no 'sensitivity' block with parameter ranges", source=source,
                         path="sensitivity")
    method = method or sens.method
    if method == "sobol" and not is_power_of_two(sens.samples):
        raise InputError(f"sobol needs samples to be a power of two (e.g. 8, 16, 64), got {sens.samples}: "
                         f"{nearest_powers_of_two(sens.samples)}", source=source, path="sensitivity.samples")
    base_dir = base_dir or Path(source).resolve().parent
    specs = {label: (path, own, where) for label, path, own, where
             in labelled_specs(spec.scenarios, base_dir, source)}
    label = sens.scenario or next(iter(specs))
    if label not in specs:
        raise InputError(f"unknown scenario '{label}'; scenarios: {', '.join(specs)}", source=source,
                         path="sensitivity.scenario")
    path, own, where = specs[label]
    base = resolve(path, headcount=spec.headcount, common=base_overrides(spec), own=own, label=label,
                   source=source, where=where)
    content = base.model_dump(mode="json")
    names = list(sens.parameters)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(sens.parameters[n]) for n in names]}
    check_bounds(sens.parameters, base, label, source)
    if method == "morris":
        check_morris_grid(sens.parameters, sens.levels, content, source, levels_word)
    sample = _sample(problem, method, sens.samples, sens.levels, spec.seed)
    arms = []
    width = len(str(len(sample)))
    for i, row in enumerate(sample):
        params = {n: coerce_like(round(float(x), 12), value_at(content, n)) for n, x in zip(names, row, strict=True)}
        resolved = with_parameters(base, params, label, source, "sensitivity.parameters")
        arms.append(Arm(label=f"p{i:0{width}d}", scenario=label, point=i, parameters=params, source=shown_path(path),
                        content=resolved.model_dump(mode="json"), overrides=own))
    seeds = derive_seeds(spec.seed, sens.replications)
    metrics = sens.metrics or spec.metrics
    check_metric_groups(metrics, arms, source, "sensitivity.metrics" if sens.metrics else "metrics")
    return Design(
        name=f"{spec.name or Path(source).stem}-{method}", kind="sensitivity", source=source,
        description=spec.description.strip(), seed=spec.seed, replications=sens.replications, seeds=seeds,
        years=spec.years, headcount=spec.headcount, metrics=metrics, timeseries="none", arms=arms,
        tasks=make_tasks(arms, seeds, "none"),
        extra={"method": method, "problem": problem, "samples": sens.samples, "levels": sens.levels,
               "scenario": label, "X": sample.tolist(), "replaced": replaced_sets(spec, own, names),
               "switched_on": switched_on(names, base)},
        overrides=dict(spec.set),
    )


def check_bounds(parameters: Mapping[str, Sequence[float]], base: Scenario, label: str, source: str) -> None:
    """Apply each range's written bounds, one parameter at a time, to the varied scenario before sampling.

    Every sample point is validated later too, but an error there names a point SALib drew (a
    range [0.5, 1.5] of a share was refused as "at behaviour.voice_rate=1.166666666667, ...
    (got 1.166666666667)"), not the bound that was written, and Sobol' points never reach the
    bounds at all. Checking the bounds first names the parameter, the bound and the scenario's limit.

    Raises:
        InputError: One line naming ``sensitivity.parameters.<key>``, the bound and what is allowed.
    """
    content = base.model_dump(mode="json")
    for name, bounds in parameters.items():
        like = value_at(content, name)
        if isinstance(like, bool):  # [0, 1] would be refused as "the low bound 0 ... (got 0.0)"
            raise InputError(f"a switch (true/false) in scenario '{label}', not a number: {SWITCH_HINT}",
                             source=source, path=f"sensitivity.parameters.{name}")
        for side, bound in zip(("low", "high"), bounds, strict=True):
            try:
                load_scenario(base, overrides={name: coerce_like(float(bound), like)})
            except InputError as exc:
                cause = f"{exc.path}: {exc.detail}" if exc.path else exc.detail
                # A key the scenario does not have (value_at gives None) is wrong whatever the bound.
                what = f"the {side} bound {fmt(bound)} does not fit " if like is not None else ""
                raise InputError(f"{what}scenario '{label}': {cause}", source=source,
                                 path=f"sensitivity.parameters.{name}") from None


def replaced_sets(spec: ExperimentFile, own: dict[str, Any], names: list[str]) -> list[str]:
    """The ``set:`` keys (the experiment's, or the varied scenario's own) that a sampled parameter replaces.

    Unlike a grid's, such a ``set:`` is not refused: it still holds when the same file is run with
    ``experiment run``. In the analysis it holds nowhere, so sensitivity.md says so.
    """
    return [f"{key} (set: {value!r}) is replaced by the sampled {name}"
            for key, value in {**spec.set, **own}.items() for name in names if overlaps(key, name)]


def switched_on(names: Sequence[str], base: Scenario) -> list[str]:
    """The levers a sampled parameter switches on at every point, since the varied scenario does not have them on.

    Allowed (the sensitivity of a lever's setting needs the lever on), but "scenario varied:
    baseline" then reads as the baseline without it, so sensitivity.md says so.
    """
    levers = (lever_switched_on(name, base) for name in names)
    return [f"{lever} (switched on by the sampled {name}; the varied scenario does not have it on)"
            for name, lever in zip(names, levers, strict=True) if lever]


def _sample(problem: dict[str, Any], method: str, samples: int, levels: int, seed: int) -> np.ndarray:
    """SALib's sample matrix: Morris trajectories or a Sobol' (Saltelli) design without 2nd order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "morris":
            from SALib.sample import morris  # noqa: PLC0415

            return morris.sample(problem, samples, num_levels=levels, seed=seed % 2**32)
        from SALib.sample import sobol  # noqa: PLC0415

        return sobol.sample(problem, samples, calc_second_order=False, seed=seed % 2**32)


def morris_fractions(levels: int) -> list[Fraction]:
    """Every share of its range a parameter can sit at in SALib's Morris sample, exactly.

    SALib (1.x, ``SALib.sample.morris``) starts each trajectory at one of ``levels // 2`` evenly
    spaced points of ``[0, 1 - delta]`` and moves by ``delta = levels / (2 (levels - 1))``. For an
    even number of levels these are the ``levels`` points ``k / (levels - 1)``; for an odd number
    they are not on that grid at all (3 levels: 0 and 3/4), which is why the check below works
    from SALib's construction rather than from the textbook grid.
    """
    delta = Fraction(levels, 2 * (levels - 1))
    starts = levels // 2
    base = [Fraction(0)] if starts == 1 else [(1 - delta) * i / (starts - 1) for i in range(starts)]
    return sorted(set(base) | {b + delta for b in base})


def morris_divisor(levels: int) -> int:
    """The smallest whole range width at which every Morris point is a whole step from ``low``.

    ``levels - 1`` for an even number of levels (4 levels: widths 3, 6, 9, ...).
    """
    return math.lcm(*(f.denominator for f in morris_fractions(levels)))


def is_whole_number_setting(like: Any) -> bool:
    """True where the scenario holds an int, the values :func:`coerce_like` rounds."""
    return isinstance(like, int) and not isinstance(like, bool)


def check_morris_grid(parameters: Mapping[str, Sequence[float]], levels: int, content: Mapping[str, Any],
                      source: str, levels_word: str = "levels") -> None:
    """Refuse a whole-number parameter whose Morris points are not all whole numbers.

    Such a parameter is rounded before the model sees it, but SALib computes every elementary
    effect with its unrounded constant step: the model's real step differs from the one divided
    by, which biases mu* (1.5x too large for [11, 12] at 4 levels; other ranges shrink steps, some
    to nothing). With whole bounds and a width
    that is a multiple of :func:`morris_divisor`, rounding changes nothing and the effects are exact.

    Raises:
        InputError: One line naming the parameter, its range, the levels and a range and a
            number of levels that would work.
    """
    divisor = morris_divisor(levels)
    for name, (low, high) in parameters.items():
        if not is_whole_number_setting(value_at(content, name)):
            continue
        whole = float(low).is_integer() and float(high).is_integer()
        if whole and (high - low) % divisor == 0:
            continue
        start, width = math.floor(low), max(1, math.ceil(high) - math.floor(low))
        fitted = divisor * max(1, round(width / divisor))
        apart = "whole bounds" if divisor == 1 else f"whole bounds a multiple of {divisor} apart"
        # Even levels only: SALib warns that odd ones bias the sample (they miss the top of the range).
        fits = [p for p in range(2, 101, 2) if whole and width % morris_divisor(p) == 0]
        other = f", or {levels_word} {min(fits, key=lambda p: (abs(p - levels), -p))}" if fits else ""
        points = ", ".join(fmt(low + float(f) * (high - low), 4) for f in morris_fractions(levels))
        raise InputError(
            f"a whole-number setting, rounded before the model sees it, so every Morris point must be whole or "
            f"mu* is biased; [{fmt(low)}, {fmt(high)}] with {levels_word} {levels} has points {points}; use {apart} "
            f"(e.g. [{start}, {start + fitted}]){other}",
            source=source, path=f"sensitivity.parameters.{name}")


def sensitivity_indices(store: ResultStore,
                        confidence: float = DEFAULT_CONFIDENCE) -> tuple[pd.DataFrame, dict[str, str]]:
    """The indices per metric and parameter, from the runs in the store.

    Returns:
        The table (morris: mu, mu_star, mu_star_conf, sigma; sobol: S1, S1_conf, ST, ST_conf; each
        ``*_conf`` is the half-width of the interval, with ``*_low``/``*_high`` bounds, mu*'s low
        bound cut at 0: :func:`morris_rows`; ``replications``, how many each point's mean is over:
        :func:`point_means`; ``confidence``, the intervals' level) and, per metric left out, why.
    """
    design = store.design()
    extra = design["extra"]
    problem, method = extra["problem"], extra["method"]
    x = np.asarray(extra["X"], dtype=float)
    values = with_group_ratios(run_values(store, design), design.get("metrics") or [])
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    labels = [a["label"] for a in design["arms"]]
    for metric in metric_order(values, design.get("metrics")):
        y, used, why = point_means(values, metric, labels, int(design["replications"]))
        if why:
            skipped[metric] = why
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if method == "morris":
                from SALib.analyze import morris  # noqa: PLC0415

                si = morris.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=confidence,
                                    num_levels=extra["levels"], seed=design["seed"] % 2**32)
                rows += [{**row, "replications": used, "confidence": confidence}
                         for row in morris_rows(metric, problem["names"], si)]
            else:
                from SALib.analyze import sobol  # noqa: PLC0415

                si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                                   conf_level=confidence, seed=design["seed"] % 2**32)
                for j, name in enumerate(problem["names"]):
                    row: dict[str, Any] = {"metric": metric, "parameter": name}
                    for key in ("S1", "ST"):
                        v, c = float(si[key][j]), float(si[f"{key}_conf"][j])
                        row.update({key: v, f"{key}_conf": c, f"{key}_low": v - c, f"{key}_high": v + c})
                    rows.append({**row, "replications": used, "confidence": confidence})
    return pd.DataFrame(rows), skipped


def point_means(values: pd.DataFrame, metric: str, labels: Sequence[str],
                replications: int) -> tuple[np.ndarray, int, str]:
    """Each sample point's mean of ``metric`` over the replications it is defined in at every point.

    Replication *k* shares its seed with every point, so differences between points are not seed
    noise only when every point's mean is over the same replications. A rate with nothing to count
    in some runs (a decliner retention in a short run) is NaN in different replications at
    different points; averaging each point over its own defined runs made the elementary effects
    mostly the noise of which replications happened to count (one point over replications 0 and 2,
    the next over 1 and 2).

    Returns:
        The means in the order of ``labels``, how many replications they are over, and why the
        metric is left out ("" when it is not).
    """
    sub = values[values["metric"] == metric]
    wide = sub.pivot(index="arm", columns="replication", values="value")
    wide = wide.reindex(index=list(labels), columns=range(replications))
    finite = np.isfinite(wide.to_numpy(dtype=float))
    missing = int((~finite.any(axis=1)).sum())
    if missing:
        return np.array([]), 0, f"undefined or not yet run at {missing} of {len(labels)} sample points"
    common = finite.all(axis=0)
    if not common.any():
        return np.array([]), 0, (f"defined at every sample point in none of the {replications} replications (each "
                                 "point's mean must be over the same seeds, or the indices measure which runs "
                                 "happened to count)")
    return wide.loc[:, common].mean(axis=1).to_numpy(dtype=float), int(common.sum()), ""


def morris_rows(metric: str, names: Sequence[str], si: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per parameter from SALib's Morris result, with the bounds of mu*'s interval.

    SALib's ``mu_star_conf`` is the normal approximation, z times the standard deviation of mu*
    over bootstrap resamples of the elementary effects, so ``mu_star - conf`` falls below 0 when
    the effects scatter widely. mu* is a mean of absolute values and cannot be negative, so the
    low bound is cut at 0 rather than reported as an impossible value (a noisy parameter showed
    mu* 0.144 with a low bound of -0.067).
    """
    rows = []
    for j, name in enumerate(names):
        mu_star, conf = float(si["mu_star"][j]), float(si["mu_star_conf"][j])
        rows.append({"metric": metric, "parameter": name, "mu": float(si["mu"][j]), "mu_star": mu_star,
                     "mu_star_conf": conf, "mu_star_low": max(0.0, mu_star - conf), "mu_star_high": mu_star + conf,
                     "sigma": float(si["sigma"][j])})
    return rows


def analyse_sensitivity(
    out: str | Path, confidence: float | None = None, figures: Sequence[str] = DEFAULT_FIGURES,
    made_by: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str], dict[str, Path]]:
    """Write sensitivity.csv, the plot (sensitivity.png, or the ``figures`` formats) and sensitivity.md into ``out``.

    Args:
        out: The output folder of a sensitivity analysis.
        confidence: The level of the indices' intervals; None for the one the command that made
            the runs asked for (``report.recorded_confidence``), as a comparison's report takes it.
        figures: The formats of the plot (``--figures``).
        made_by: The ``experiment report`` command (and its ``cwd``) that rebuilt the report with
            options of its own (another level, ``--figures``), for sensitivity.md to name beside the
            one that made the runs (``report.provenance_lines``); None for the report that command wrote.
    """
    store = ResultStore(out)
    design = store.design()
    level = recorded_confidence(store) if confidence is None else confidence
    indices, skipped = sensitivity_indices(store, level)
    root = Path(out)
    files = {"table": root / "sensitivity.csv"}
    indices.to_csv(files["table"], index=False)
    method = design["extra"]["method"]
    metrics = list(dict.fromkeys(indices["metric"])) if len(indices) else []
    # Called without indices too: a plot of an earlier sample's indices is removed (save_figure).
    written = plot_sensitivity(indices, method, metrics, root / "sensitivity",
                               title=f"{design['name']}: {method} indices ({percent_level(level)} CI)",
                               formats=figures, confidence=level)
    files.update((path.name, path) for path in written)
    files["report"] = root / "sensitivity.md"
    files["report"].write_text(_render(design, indices, skipped, store, written, level, made_by,
                                       not_drawn_lines(figures)), encoding="utf-8")
    return indices, skipped, files


def _render(design: dict[str, Any], indices: pd.DataFrame, skipped: dict[str, str], store: ResultStore,
            plots: Sequence[Path] = (), confidence: float = DEFAULT_CONFIDENCE,
            made_by: Mapping[str, str] | None = None, not_drawn: Sequence[str] = ()) -> str:
    """sensitivity.md: the ranges, the sample, the indices (intervals at ``confidence``), the plot (``plots``).

    ``not_drawn``: in place of the plot under ``--figures none``, the lines that say how to draw it.
    """
    from scipy.stats import norm  # noqa: PLC0415 (SALib's own normal approximation, for the words)

    extra = design["extra"]
    problem, method = extra["problem"], extra["method"]
    runs = store.runs()
    ids = {t[0] for t in design["tasks"]}
    runs = runs[runs["run_id"].isin(ids)].drop_duplicates("run_id")
    lines = [f"# Sensitivity analysis: {markdown_text(design['name'])}", ""]
    what = ("Morris elementary effects: each is the change of the metric over one grid step divided by the step's "
            "share of the parameter's range (SALib's definition), so mu*, their mean absolute value, reads as the "
            "change over the parameter's whole range, as if the effect were linear; sigma is their spread "
            "(non-linearity or interactions)."
            if method == "morris" else
            "Sobol' indices: S1 is the share of the metric's variance due to the parameter alone, ST the share "
            "including its interactions.")
    lines += [
        f"{experiment_file_line(design)}; scenario varied: {code_span(extra['scenario'])}",
        f"- Method: {method} via SALib, samples N = {extra['samples']}"
        + (f", {extra['levels']} levels" if method == "morris" else ", no second-order terms")
        + f"; {len(design['arms'])} sample points x {design['replications']} replication(s)",
        f"- Runs: {len({t[0] for t in design['tasks']})} planned, {int((runs['status'] == 'ok').sum())} succeeded, "
        f"{int((runs['status'] != 'ok').sum())} failed",
        horizon_line(design, store),
        f"- Experiment seed {design['seed']}; replication seeds: {', '.join(map(str, design['seeds']))}",
        f"- Confidence level of the indices' intervals: {percent_level(confidence)} (`--confidence` sets another)",
    ]
    lines += _sets_in_force(design)
    # The latest invocation's command; the versions of the sessions that made these runs (with a
    # warning when they differ), since a resume that only found finished runs made none of them.
    lines += provenance_lines(provenance(store, runs, made_by))
    lines += [f"- Not in force: {note}" for note in extra.get("replaced", [])]
    lines += [f"- Lever on at every sample point: {note}" for note in extra.get("switched_on", [])]
    lines += ["", "| parameter | low | high |", "|---|---|---|"]
    lines += [f"| {code_span(n)} | {fmt(lo)} | {fmt(hi)} |" for n, (lo, hi) in zip(problem["names"], problem["bounds"],
                                                                         strict=True)]
    lines += ["", "## Indices", "", what, ""]
    if indices.empty:
        lines += ["No indices yet.", ""]
    else:
        cols = ["mu_star", "mu_star_conf", "sigma", "mu"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
        lines += ["| metric | parameter | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
        for r in indices.itertuples():
            lines += [f"| {r.metric} | {code_span(r.parameter)} | "
                      + " | ".join(fmt(getattr(r, c), 3) for c in cols) + " |"]
        z = fmt(float(norm.ppf(0.5 + confidence / 2)), 4)
        lines += ["", f"`*_conf` is the half-width of the {percent_level(confidence)} interval: {z} times the standard "
                  "deviation of the index over bootstrap resamples (SALib's normal approximation)"
                  + (", so mu*'s lower bound (`mu_star_low`) is cut at 0, below which mu* cannot go"
                     if method == "morris" else "")
                  + ". All columns: `sensitivity.csv`.", ""]
        lines += _without_effect(indices, method)
        lines += _fewer_replications(indices, int(design["replications"]))
        lines += _sobol_caveat(indices) if method == "sobol" else []
        lines += [*not_drawn, *figure_lines(f"{method} indices", plots)]
    if skipped:
        lines += ["## Metrics left out", ""] + [f"- {m}: {why}" for m, why in skipped.items()] + [""]
    return "\n".join(lines)


def _without_effect(indices: pd.DataFrame, method: str) -> list[str]:
    """The parameters whose every index is exactly 0: no run changed with them, for any metric.

    Their rows of zeros read as "not influential", but they more often mean a key the model does
    not read in this scenario (a researcher's trial sampled ``organisation.levels.0.hire_share``,
    which the ODD says has no effect, and got zeros without a word).
    """
    measure = "mu_star" if method == "morris" else "ST"
    zero = indices.groupby("parameter", sort=False)[measure].agg(lambda v: bool((v == 0).all()))
    return [f"- {code_span(name)} changed no metric at any sample point (every {measure} exactly 0): the runs did not "
            "differ with it, so check that the model reads it in this scenario (docs/ODD.md)"
            for name, none in zero.items() if none] + ([""] if zero.any() else [])


def _sets_in_force(design: Mapping[str, Any]) -> list[str]:
    """The experiment's ``set:`` and the varied scenario's own, which every sample point runs with.

    They change the numbers as much as the ranges do, but the scenario file named above does not
    hold them; a sampled parameter's replaced value is left to "Not in force".
    """
    names = design["extra"]["problem"]["names"]
    arms = design.get("arms") or [{}]
    sets = [("the experiment's set", design.get("set") or {}), ("the scenario's own set", arms[0].get("set") or {})]
    lines = []
    for what, values in sets:
        kept = {k: v for k, v in values.items() if not any(overlaps(k, n) for n in names)}
        lines += [f"- Every sample point also with {what}: {settings_shown(kept)}"] if kept else []
    return lines


def _fewer_replications(indices: pd.DataFrame, replications: int) -> list[str]:
    """Which metrics' indices are over fewer replications than the design's, and why."""
    if "replications" not in indices:
        return []
    used = indices.groupby("metric", sort=False)["replications"].first()
    fewer = used[used < replications]
    if fewer.empty:
        return []
    return [f"- {metric}: over {n} of the {replications} replications, those in which it is defined at every "
            "sample point (so that every point's mean is over the same seeds)" for metric, n in fewer.items()] + [""]


def _sobol_caveat(indices: pd.DataFrame) -> list[str]:
    """Warnings when Sobol' indices fall outside [0, 1] or S1 exceeds ST: shares cannot, so the sample is too small.

    At N = 8 the shipped demo gives S1 = -0.47 and ST = 1.32; read without a word, they look like results.
    """
    values = indices[["S1", "ST"]].to_numpy(dtype=float)
    out = []
    if np.any((values < -0.05) | (values > 1.05)):
        out += ["**Some indices lie outside [0, 1]**, which shares of variance cannot: the sample is too small for "
                "them to mean anything (raise `samples` in the file or with `--samples`; 512 or more is usual).", ""]
    # A parameter's share alone cannot exceed its share with every interaction: S1 > ST is estimation noise.
    above = indices[indices["S1"].astype(float) > indices["ST"].astype(float) + 0.05]
    if len(above):
        pairs = ", ".join(f"{p} on {m}" for m, p in zip(above["metric"], above["parameter"], strict=True))
        out += [f"**S1 exceeds ST** ({pairs}), which a parameter's share alone cannot do: the estimates are "
                "noise at this sample size (raise `samples` in the file or with `--samples`).", ""]
    return out


def print_indices(indices: pd.DataFrame, method: str) -> None:
    """The indices as a table on stdout, its title naming their intervals' level (the ``confidence`` column)."""
    from rich.console import Console  # noqa: PLC0415
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    cols = ["mu_star", "mu_star_conf", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    table = Table(title=f"{method} sensitivity indices (conf = {percent_level(confidence_of(indices))} half-width)")
    for name in ("metric", "parameter", *cols):
        table.add_column(name, justify="left" if name in ("metric", "parameter") else "right")
    previous = None
    for r in indices.itertuples():
        if previous is not None and r.metric != previous:
            table.add_section()
        table.add_row(escape(r.metric) if r.metric != previous else "", escape(r.parameter),
                      *(fmt(getattr(r, c), 3) for c in cols))
        previous = r.metric
    Console(width=None if sys.stdout.isatty() else 120).print(table)
    # The caveats sensitivity.md gives, on screen too: a new user's Sobol' run of the shipped file
    # printed S1 = -0.45 and ST = 1.77 with nothing said (only the report warned).
    for caveat in _sobol_caveat(indices) if method == "sobol" and len(indices) else []:
        if caveat:
            print(f"note: {caveat.replace('**', '').replace('`', '')}")


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8 and so on (Sobol' sequences balance only at powers of two)."""
    return n > 0 and math.log2(n).is_integer()


def nearest_powers_of_two(n: int) -> str:
    """The powers of two either side of ``n`` that ``sensitivity.samples`` allows, as "use 64 or 128".

    Said with the refusal of a Sobol' sample size that is not one, so that a researcher who
    asked for 100 (or 500, "about 500 for stable indices") need not work out which to ask for.
    """
    low, high = sensitivity_limits("samples")
    below = 2 ** math.floor(math.log2(n))
    fits = [p for p in (below, 2 * below) if low <= p <= high]
    return "use " + " or ".join(map(str, fits))
