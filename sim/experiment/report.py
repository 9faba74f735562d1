"""Turn a store into what a team hands around: effects.csv, PNG plots and report.md.

Everything here reads only the output folder (the design, metadata and tables the run wrote),
so ``promosim experiment report DIR`` can rebuild a report on another machine, after a resume,
or after more replications were added.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.analysis import comparison_labels, paired_effects, run_values, trajectory_bands
from sim.experiment.plots import plot_forest, plot_trajectories
from sim.experiment.store import ResultStore

MAX_SEEDS_SHOWN = 40


def fmt(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; NaN as an em dash."""
    if value is None:
        return "—"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "—"
    if x == 0:
        return "0"
    if abs(x) >= 10**digits:
        return f"{x:,.0f}"
    if abs(x) < 1e-3:
        return f"{x:.{max(1, digits - 1)}e}"
    return f"{x:.{digits}g}"


@dataclass
class Analysis:
    """What :func:`analyse` produced."""

    effects: pd.DataFrame
    runs: pd.DataFrame
    planned: int
    failures: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """Runs of this design recorded as failed."""
        return int((self.runs["status"] != "ok").sum())

    @property
    def missing(self) -> int:
        """Planned runs not in the store yet (the experiment was interrupted)."""
        return self.planned - len(self.runs)


def design_runs(store: ResultStore, design: dict[str, Any]) -> pd.DataFrame:
    """The runs table restricted to this design's runs, one row per run id."""
    ids = {t[0] for t in design.get("tasks", [])}
    runs = store.runs().drop_duplicates("run_id", keep="last")
    return runs[runs["run_id"].isin(ids)].reset_index(drop=True)


def failure_reasons(runs: pd.DataFrame) -> pd.DataFrame:
    """Failed runs grouped by the last line of their traceback: reason, count, arms, example."""
    failed = runs[runs["status"] != "ok"]
    if failed.empty:
        return pd.DataFrame(columns=["reason", "count", "arms", "example"])
    reasons = failed["error"].fillna("").map(
        lambda e: next((ln.strip() for ln in reversed(e.splitlines()) if ln.strip()), "unknown error"))
    rows = []
    for reason, group in failed.groupby(reasons, sort=False):
        rows.append({"reason": reason, "count": len(group), "arms": ", ".join(sorted(set(group["arm"]))),
                     "example": group["error"].iloc[0]})
    return pd.DataFrame(rows).sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def analyse(out: str | Path, confidence: float = 0.95, plots: bool = True,
            metrics: Sequence[str] | None = None) -> Analysis:
    """Compute effects, write effects.csv, the plots and report.md into ``out``.

    Args:
        out: The output folder of a comparison.
        confidence: Confidence level of the intervals.
        plots: Draw the PNGs (tests of the numbers skip them).
        metrics: Metrics to report instead of the design's (every summary metric is stored).

    Returns:
        The effects table and run counts (for printing).
    """
    store = ResultStore(out)
    design = store.design()
    runs = design_runs(store, design)
    values = run_values(store, design)
    effects = paired_effects(values, design, metrics=metrics, confidence=confidence)
    root = Path(out)
    files = {"effects": root / "effects.csv"}
    effects.to_csv(files["effects"], index=False)
    metrics = list(dict.fromkeys(effects["metric"])) if len(effects) else (design.get("metrics") or [])
    if plots:
        arms = [a["label"] for a in design["arms"]]
        ok = set(runs.loc[runs["status"] == "ok", "run_id"])
        wanted = metrics or sorted(set(values["metric"]))
        ts = store.timeseries(wanted)
        if len(ts):
            bands = trajectory_bands(ts, design, ok, confidence)
            written = plot_trajectories(bands, arms, wanted, root / "trajectories.png",
                                        title=f"{design['name']}: mean and 95% band over replications")
            if written:
                files["trajectories"] = written
        if len(effects):
            written = plot_forest(effects, metrics, root / "forest.png",
                                  title=f"{design['name']}: paired differences from baseline (95% CI)")
            if written:
                files["forest"] = written
    result = Analysis(effects=effects, runs=runs, planned=len({t[0] for t in design.get("tasks", [])}),
                      failures=failure_reasons(runs), files=files)
    files["report"] = root / "report.md"
    files["report"].write_text(render_report(design, producing_sessions(store, runs), result), encoding="utf-8")
    return result


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured markdown table."""
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return lines


def producing_sessions(store: ResultStore, runs: pd.DataFrame) -> list[dict[str, Any]]:
    """Provenance of the invocations that made these runs, oldest first.

    A re-run that only skipped finished runs made nothing and does not change the report.
    """
    made = {str(b).split("-")[0] for b in runs.get("batch", pd.Series(dtype=str)).dropna()}
    sessions = [s for s in store.sessions() if s.get("session") in made]
    if not sessions:
        latest = store.read_json("metadata.json")
        sessions = [latest] if latest else []
    return sessions


def provenance_lines(sessions: list[dict[str, Any]]) -> list[str]:
    """Versions, executor and command; a warning when runs came from different code."""
    if not sessions:
        return []
    first = sessions[0]
    lines = []
    for meta in sessions:
        pkgs = ", ".join(f"{k} {v}" for k, v in (meta.get("packages") or {}).items() if v)
        edits = " with uncommitted changes to the code or scenarios" if meta.get("git_uncommitted_changes") else ""
        lines.append(f"Python {meta.get('python')}, {pkgs}; git `{meta.get('git_revision') or 'unknown'}`{edits}")
    distinct = list(dict.fromkeys(lines))
    out = [
        f"- Executor: {first.get('executor', 'unknown')}"
        + (f" (and {len(sessions) - 1} resumed session(s))" if len(sessions) > 1 else ""),
        f"- Versions: {distinct[0]}",
        f"- Started {first.get('created')}",
    ]
    if len(distinct) > 1:
        out.append(f"- **Warning:** the runs were made by {len(distinct)} different versions: "
                   + " / ".join(distinct[1:]))
    if first.get("command"):
        out.append(f"- Command: `{first['command']}`")
    return out


def render_report(design: dict[str, Any], sessions: list[dict[str, Any]], result: Analysis) -> str:
    """report.md: what ran, the effects, the plots, the failures and how to reproduce it."""
    lines = [f"# Experiment: {design['name']}", ""]
    if design.get("description"):
        lines += [design["description"], ""]
    ok = int((result.runs["status"] == "ok").sum())
    own = "each scenario's own"
    lines += ["## What was run", ""]
    lines += [
        f"- Experiment file: `{design.get('source')}`",
        f"- Replications: {design['replications']} per arm, paired by seed (common random numbers: "
        "replication *k* uses the same seed in every scenario)",
        f"- Years simulated: {fmt(design['years']) if design.get('years') else own}; "
        f"headcount: {design.get('headcount') or own}",
        f"- Experiment seed: {design['seed']} (replication seeds derived with numpy SeedSequence.spawn)",
        f"- Runs: {result.planned} planned, {ok} succeeded, {result.failed} failed, {result.missing} not run yet",
    ]
    lines += provenance_lines(sessions)
    lines += [""]
    if result.missing:
        lines += [f"> **Incomplete:** {result.missing} planned runs are not in the store. Re-run the same command "
                  "to finish them; finished runs are kept.", ""]
    seeds = design.get("seeds", [])
    shown = ", ".join(str(s) for s in seeds[:MAX_SEEDS_SHOWN])
    more = f", … ({len(seeds)} in all; every seed is in experiment.json and the runs table)" \
        if len(seeds) > MAX_SEEDS_SHOWN else ""
    lines += ["Replication seeds (k = 0, 1, …): " + shown + more, ""]
    lines += ["### Scenarios", ""]
    rows = []
    for arm in design["arms"]:
        params = ", ".join(f"`{k}={v}`" for k, v in arm["parameters"].items()) or "—"
        rows.append([arm["label"], f"`{arm['source']}`", f"`{arm['scenario_hash']}`", params,
                     arm.get("reference") or "(reference)"])
    lines += _md_table(["arm", "scenario file", "content hash", "parameters", "paired with"], rows)
    lines += ["", "Each scenario as it ran, every default spelled out, is in `scenarios/`.", ""]

    lines += ["## Effects", "",
              "Difference = variant - baseline, averaged over replications run with the same seed. The 95% "
              "confidence interval is Student's t on the paired differences. *d* is Cohen's d (difference over "
              "the pooled run-to-run standard deviation). *CI width vs unpaired* is the paired interval's "
              "width over the unpaired (Welch) interval's on the same runs: below 1, pairing bought precision. "
              "Only complete pairs count (*n*); a metric that is undefined (NaN) in a run drops that pair.", ""]
    effects = result.effects
    if effects.empty:
        lines += ["No effects: no variant has successful runs paired with its baseline yet.", ""]
    else:
        rows = [[r.metric, label, fmt(r.baseline_mean), fmt(r.variant_mean), fmt(r.diff),
                 f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]", int(r.n), fmt(r.effect_size, 2), fmt(r.p_value, 2),
                 fmt(r.ci_width_ratio, 2)] for r, label in zip(effects.itertuples(), comparison_labels(effects),
                                                               strict=True)]
        lines += _md_table(["metric", "variant", "baseline mean", "variant mean", "difference", "95% CI", "n", "d",
                            "p", "CI width vs unpaired"], rows)
        lines += ["", "All columns, including the unpaired intervals and variance reduction: `effects.csv`.", ""]
    lines += ["## Plots", ""]
    if "forest" in result.files:
        lines += ["Paired differences with 95% confidence intervals (thin grey: the unpaired interval):", "",
                  "![forest plot of effects](forest.png)", ""]
    if "trajectories" in result.files:
        lines += ["Mean trajectory of each metric per arm, with a 95% confidence band across replications:", "",
                  "![metric trajectories](trajectories.png)", ""]
    lines += ["## Failed runs", ""]
    if result.failures.empty:
        lines += ["None.", ""]
    else:
        lines += [f"{result.failed} run(s) failed. Re-run with `--retry-failed` to try them again.", ""]
        lines += _md_table(["reason", "runs", "arms"],
                           [[f"`{r.reason}`", r.count, r.arms] for r in result.failures.itertuples()])
        lines += ["", "First traceback:", "", "```", str(result.failures["example"].iloc[0]).rstrip(), "```", ""]
    lines += ["## Data", "",
              "- `runs/`: one row per run (run_id, scenario, arm, parameters, replication, seed, status, error, "
              "duration, worker)",
              "- `summaries/scenario=*/`: each run's summary metrics (long format)",
              "- `timeseries/scenario=*/`: each run's monthly metrics",
              "- `experiment.json`, `sessions.jsonl`: the design, and the provenance of every invocation", ""]
    return "\n".join(lines)


def print_effects(effects: pd.DataFrame, title: str = "paired effects (variant - baseline)") -> None:
    """The effects as a table on stdout (plain text when not a terminal)."""
    from rich.console import Console  # noqa: PLC0415
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=escape(title))
    table.add_column("metric", no_wrap=True)
    table.add_column("variant", overflow="fold")  # a grid's "variant vs baseline" folds rather than squeeze numbers
    for name in ("baseline mean", "variant mean", "diff", "95% CI", "n", "d", "CI vs unpaired"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    previous = None
    for r, label in zip(effects.itertuples(), comparison_labels(effects), strict=True):
        if previous is not None and r.metric != previous:
            table.add_section()
        significant = math.isfinite(r.ci_low) and (r.ci_low > 0 or r.ci_high < 0)
        diff = f"[bold]{escape(fmt(r.diff))}[/bold]" if significant else escape(fmt(r.diff))
        table.add_row(escape(r.metric) if r.metric != previous else "", escape(label), fmt(r.baseline_mean),
                      fmt(r.variant_mean), diff, escape(f"[{fmt(r.ci_low, 3)}, {fmt(r.ci_high, 3)}]"), str(int(r.n)),
                      fmt(r.effect_size, 2), fmt(r.ci_width_ratio, 2))
        previous = r.metric
    Console(width=None if sys.stdout.isatty() else 160).print(table)
