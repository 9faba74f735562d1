"""Turn a store into what a team hands around: effects.csv, PNG plots and report.md.

Everything here reads only the output folder (the design, metadata and tables the run wrote),
so ``promosim experiment report DIR`` can rebuild a report on another machine, after a resume,
or after more replications were added.
"""

from __future__ import annotations

import copy
import math
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.analysis import comparison_labels, paired_effects, run_values, trajectory_bands
from sim.experiment.plots import plot_forest, plot_trajectories
from sim.experiment.store import ResultStore
from sim.metrics import (
    BETTER_WORDS,
    LEDGER_WINDOWS,
    first_settled_month,
    metric_info,
    undefined_reasons,
)

MAX_SEEDS_SHOWN = 40
# Finer than this a number prints as "≈ 0": the metrics are rates, counts and hours, and a reader
# of 0.000000001 learns nothing a reader of "≈ 0" does not.
MAX_DECIMALS = 8


def fmt(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits in plain positional notation; NaN as an em dash.

    Never scientific notation: ``5.036e-04`` reads as noise to most of a report's readers, and the
    metrics' sizes (rates, counts, hours) never need it. Trailing zeros are dropped (``308``, not
    ``308.0``); numbers from ``10**digits`` up are whole, with thousands separators.
    """
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
    if abs(x) < 10**-MAX_DECIMALS:
        return "≈ 0"
    text = f"{x:.{min(MAX_DECIMALS, max(0, digits - 1 - math.floor(math.log10(abs(x)))))}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_p(p: float) -> str:
    """A p-value: two significant digits, or ``< 0.001`` (smaller p-values say nothing more)."""
    return "< 0.001" if math.isfinite(p) and p < 0.001 else fmt(p, 2)


def fixed(x: float, decimals: int, signed: bool = False) -> str:
    """``x`` with exactly ``decimals`` decimals (one line of the summary shares them); NaN as an em dash."""
    if not math.isfinite(x):
        return "—"
    return f"{x:{'+' if signed else ''},.{decimals}f}"


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
            bands = _settled_only(trajectory_bands(ts, design, ok, confidence), store, design)
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
    report = render_report(design, provenance(store, runs), result, variant_descriptions(store, design))
    files["report"].write_text(report, encoding="utf-8")
    return result


def _settled_only(bands: pd.DataFrame, store: ResultStore, design: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Trajectory bands without the months in which a ledger rate could count only failures.

    Without a warm-up a trial's plot showed the stick rate at 0 for most of year 2, then a jump
    to 0.65: no promotion had yet been in its role long enough to count as stuck.

    ``bands["arm"]`` holds arm labels (``baseline[voice_rate=0.1]`` in a grid) while the folder
    keeps one file per *scenario* (``scenarios/baseline.yaml``, at its first point), so each arm
    is read as its scenario with its own grid parameters applied (a grid may sweep the warm-up
    or a window).
    """
    arms = {str(a["label"]): a for a in (design or {}).get("arms", [])}
    keep = np.ones(len(bands), dtype=bool)
    for arm in bands["arm"].unique():
        spec = arms.get(str(arm), {})
        scenario = store.scenario(str(spec.get("scenario", arm)))
        if scenario and spec.get("parameters"):
            scenario = _at_point(scenario, spec["parameters"])
        for metric in LEDGER_WINDOWS:
            start = first_settled_month(scenario, metric) if scenario else None
            if start is not None:
                keep &= ~((bands["arm"] == arm) & (bands["metric"] == metric) & (bands["step"] < start)).to_numpy()
    return bands[keep]


def _at_point(scenario: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """``scenario`` with a grid point's dotted ``parameters`` set (mapping paths only: enough for the windows)."""
    out = copy.deepcopy(dict(scenario))
    for key, value in parameters.items():
        *parents, last = key.replace("__", ".").split(".")
        node: Any = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[last] = value
    return out


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured markdown table."""
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return lines


@dataclass
class Provenance:
    """Which invocation wrote the folder's design, and which sessions made its runs.

    Attributes:
        latest: metadata.json: the latest ``compare``/``experiment`` invocation on the folder,
            whose command the report gives (it wrote the design being reported).
        makers: The sessions of sessions.jsonl that made the reported runs, oldest first.
        made: Reported runs per session id.
    """

    latest: dict[str, Any]
    makers: list[dict[str, Any]]
    made: Counter[str]

    @property
    def earlier(self) -> list[dict[str, Any]]:
        """Sessions before the latest one that made some of the runs (e.g. a copied folder's, a resumed run's)."""
        return [s for s in self.makers if s.get("session") != self.latest.get("session")]


def provenance(store: ResultStore, runs: pd.DataFrame) -> Provenance:
    """The provenance of a report: the latest invocation, and the sessions whose batches hold ``runs``."""
    made = Counter(str(b).split("-")[0] for b in runs.get("batch", pd.Series(dtype=str)).dropna())
    sessions = store.sessions()
    # A folder written before metadata.json named its session: its latest session is the last line.
    latest = {**(sessions[-1] if sessions else {}), **store.read_json("metadata.json")}
    return Provenance(latest=latest, makers=[s for s in sessions if s.get("session") in made], made=made)


def _versions(meta: dict[str, Any]) -> str:
    """Python, package versions and git revision of one session."""
    pkgs = ", ".join(f"{k} {v}" for k, v in (meta.get("packages") or {}).items() if v)
    edits = " with uncommitted changes to the code or scenarios" if meta.get("git_uncommitted_changes") else ""
    return f"Python {meta.get('python')}, {pkgs}; git `{meta.get('git_revision') or 'unknown'}`{edits}"


def provenance_lines(prov: Provenance) -> list[str]:
    """The latest invocation's command and executor; the code that made the runs; earlier sessions' share.

    The command is the latest invocation's, since it wrote the design the report describes (a
    trial with ``--replications 5`` in a copied folder of 10 reports 5, and says so). The versions
    are those of the sessions that made the runs, not of the latest, which may have made none:
    they are what the numbers depend on.
    """
    latest = prov.latest
    if not latest and not prov.makers:
        return []
    versions = list(dict.fromkeys(_versions(m) for m in prov.makers or [latest]))
    out = [f"- Command: `{latest['command']}`"] if latest.get("command") else []
    out += [f"- Executor: {latest.get('executor', 'unknown')}", f"- Started {latest.get('created')}",
            f"- Versions that made the runs: {versions[0]}"]
    if prov.earlier:
        before = sum(prov.made[s.get("session")] for s in prov.earlier)
        n = len(prov.earlier)
        out.append(f"- Runs also from {n} earlier session{'s' if n > 1 else ''} (see `sessions.jsonl`): {before} of "
                   f"the {prov.made.total()} runs were made before the command above")
    if len(versions) > 1:
        out.append(f"- **Warning:** the runs were made by {len(versions)} different versions: "
                   + " / ".join(versions[1:]))
    return out


def settings_shown(settings: Mapping[str, Any]) -> str:
    """Key paths and values as ``key=value`` code spans (grid parameters, ``set:`` overrides), or an em dash."""
    return ", ".join(f"`{k}={v}`" for k, v in settings.items()) or "—"


def variant_descriptions(store: ResultStore, design: dict[str, Any]) -> dict[str, str]:
    """Each variant's scenario ``description`` (whitespace collapsed), when it has one of its own, and its own ``set:``.

    A variant made from the baseline's file with ``set:`` overrides, or one that ``extends:`` it
    without a description, carries the baseline's description, which would describe the wrong
    scenario: those are left out. The variant's own ``set:`` is added, since a description says
    what the file does, and ``set: {...coverage: 0.5}`` may contradict its "at every review".
    """
    said = {arm["scenario"]: " ".join(str(store.scenario(arm["scenario"]).get("description") or "").split())
            for arm in design["arms"]}
    scenario_of = {arm["label"]: arm["scenario"] for arm in design["arms"]}
    out = {}
    for arm in design["arms"]:
        ref = scenario_of.get(arm.get("reference"))
        own = said[arm["scenario"]]
        words = own if ref is not None and own and own != said[ref] else ""
        switched = _levers_switched_on(arm.get("set") or {})
        if ref is not None and switched:  # `compare --levers`: say what the lever does, not its set: line
            words = " ".join(f"{name.replace('_', ' ').capitalize()}, switched on in {ref}: {text}."
                             for name, text in switched)
        elif ref is not None and arm.get("set"):
            words = f"{words} (with set: {settings_shown(arm['set'])})" if words else \
                f"With set: {settings_shown(arm['set'])}"
        if words:
            out[arm["label"]] = words
    return out


def _levers_switched_on(overrides: dict[str, Any]) -> list[tuple[str, str]]:
    """(lever, its description) when ``overrides`` only switch levers on at their defaults, else []."""
    from sim.interventions import REGISTRY, load_all  # noqa: PLC0415 (levers import the scenario module)

    load_all()
    found = []
    for key, value in overrides.items():
        name = key.removeprefix("interventions.")
        if key == name or name not in REGISTRY or value not in ({}, None):
            return []
        found.append((name, REGISTRY[name].description))
    return found


# ---------------------------------------------------------------------------------------------
# The plain-language summary at the top of report.md

HOW_TO_READ = (
    "*How to read this:* each variant ran with the same random seeds as its baseline, so every variant run has a "
    "twin that differs only by the variant's rules. The *paired difference* is variant minus baseline, twin by twin, "
    "averaged. The *95% confidence interval* (CI) is the range that holds the true difference with 95% confidence "
    "(more replications narrow it); a change is called *clear* when its interval does not include 0. Clear means "
    "measurably not zero, not large: judge whether it matters from its size (a quarter of a percentage point of "
    "attrition can be clear and still not matter). Better or worse follows the direction given under *What the "
    "metrics mean*. The detailed table for researchers is under *Effects*.")


# The significance level of every "clear" in the report: its intervals are 95% ones.
ALPHA = 0.05


def is_clear(row: Any) -> bool:
    """The difference's confidence interval excludes 0: the variant clearly moved the metric.

    For a metric best at 1, a clear change of its distance from parity counts too: a trial's
    ratio moved toward parity with the distance's interval clear of 0 and the ratio's not, and
    the summary listed it under "no clear change".
    """
    low, high = getattr(row, "parity_gap_ci_low", math.nan), getattr(row, "parity_gap_ci_high", math.nan)
    return signed_clear(row) or (math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0))


def signed_clear(row: Any) -> bool:
    """The signed difference's interval excludes 0: what the t-test, and Holm's correction, speak to."""
    return math.isfinite(row.ci_low) and math.isfinite(row.ci_high) and (row.ci_low > 0 or row.ci_high < 0)


def in_family(row: Any) -> bool:
    """Whether the row's test is among those Holm's correction allows for (``p_holm`` is given)."""
    return math.isfinite(getattr(row, "p_holm", math.nan))


def holm_tests(effects: pd.DataFrame) -> int:
    """How many tests Holm's correction allowed for (``holm_tests``; older tables: the rows with a p-value)."""
    if "holm_tests" in effects and len(effects):
        return int(effects["holm_tests"].max())
    return int(effects["p_value"].notna().sum()) if "p_value" in effects else 0


def holds_after_holm(row: Any) -> bool:
    """Still clear once Holm's correction allows for every test of the report (``p_holm`` below 5%)."""
    p = getattr(row, "p_holm", math.nan)
    return math.isfinite(p) and p < ALPHA


def verdict(row: Any) -> str:
    """``better``/``worse`` by the metric's direction (sim.metrics.METRIC_INFO); empty when it has none.

    For a metric best at 1 the word rests on the interval of the change of the mean's distance
    from parity (``parity_gap_*``), not on the signed difference: 0.90 -> 1.09 is a clear move
    but hardly a gain, so unless that interval excludes 0 the change is only said to have moved.
    """
    info = metric_info(row.metric)
    better = info.better if info else None
    if better is None:
        return ""
    if better == "one":
        low, high = getattr(row, "parity_gap_ci_low", math.nan), getattr(row, "parity_gap_ci_high", math.nan)
        if math.isfinite(high) and high < 0:
            return "better (closer to parity)"
        if math.isfinite(low) and low > 0:
            return "worse (further from parity)"
        return "moved, but not clearly closer to or further from parity"
    gain = row.variant_mean - row.baseline_mean if better == "higher" else row.baseline_mean - row.variant_mean
    return "better" if gain > 0 else "worse" if gain < 0 else ""


def plain_label(metric: str) -> str:
    """The metric's plain name (its key when the registry has none)."""
    info = metric_info(metric)
    return info.label if info else metric


def holm_mark(tests: int) -> str:
    """What a clear change that Holm's correction does not keep is marked with."""
    return f"(not after Holm's correction for {tests} tests)"


def change_line(row: Any, tests: int = 1) -> str:
    """One clear change: baseline -> variant (difference; CI): verdict, and whether it survives Holm.

    Every number of the line has the decimals that show the difference to two significant
    digits, so the means and the interval line up with it (``0.212 → 0.160 (-0.052; ...)``).
    Only a firm verdict is bold; a change that chance could explain among ``tests`` tests says so.
    A ratio clear only by its distance from parity is never bold among several tests: that
    interval is not corrected for them, so bold would rank it above the changes Holm's
    correction does not keep, which are at least tested (a report once bolded women at the top
    1.032 -> 1.030, 95% CI -0.018 to 0.014, among 40 tests).
    """
    d = min(MAX_DECIMALS, max(0, 1 - math.floor(math.log10(abs(row.diff))))) if row.diff else 2
    word = verdict(row)
    line = (f"- {plain_label(row.metric)}: {fixed(row.baseline_mean, d)} → {fixed(row.variant_mean, d)} "
            f"({fixed(row.diff, d, signed=True)}; 95% CI {fixed(row.ci_low, d)} to {fixed(row.ci_high, d)})")
    # Holm's correction speaks to the signed test: not to metrics with no verdict, nor to a ratio
    # clear only in its distance from parity (that interval is not corrected; said instead).
    subject = in_family(row) and signed_clear(row)
    firm = tests <= 1 or (holds_after_holm(row) if subject else signed_clear(row))
    if word:  # bold only a verdict that Holm's correction keeps: "**better** (not after ...)" read as a contradiction
        line += f": **{word}**" if firm and word.startswith(("better", "worse")) else f": {word}"
    if not signed_clear(row) and tests > 1:
        return line + f" (by the interval of its distance from parity, which Holm's correction for {tests} tests " \
                      "does not cover)"
    return line + ("" if firm else f" {holm_mark(tests)}")


def variant_summary(label: str, rows: pd.DataFrame, description: str | None, tests: int = 1) -> list[str]:
    """One variant against its baseline: what clearly changed (better first), what did not, what could not be told."""
    lines = [f"### {label}", ""] + ([description, ""] if description else [])
    clear = [r for r in rows.itertuples() if is_clear(r)]
    order = {"b": 0, "w": 1}  # better, worse, then the metrics with no better direction
    clear.sort(key=lambda r: order.get(verdict(r)[:1], 2))
    unmeasured = [r.metric for r in rows.itertuples() if r.n == 0]
    untold = [plain_label(r.metric) for r in rows.itertuples() if r.n > 0 and not math.isfinite(r.ci_low)]
    steady = [plain_label(r.metric) for r in rows.itertuples() if math.isfinite(r.ci_low) and not is_clear(r)]
    baseline = rows["baseline"].iloc[0]
    if clear:
        lines += [f"Clear changes against {baseline} ({int(rows['n'].max())} pairs of runs):", ""]
        lines += [change_line(r, tests) for r in clear] + [""]
    else:
        lines += [f"No metric changed clearly against {baseline}.", ""]
    if steady:
        lines += [f"No clear change: {', '.join(steady)}.", ""]
    if untold:
        lines += [f"Too few complete pairs to tell (under 2): {', '.join(untold)}.", ""]
    if unmeasured:  # more replications would not help: say what would
        lines += [f"No value in any run: {', '.join(map(plain_label, unmeasured))}.", ""]
        # A representation ratio is measured every month, so none in any run is structural (None: the
        # report does not know which of the two reasons); the ledger rates need longer runs.
        reasons = undefined_reasons(unmeasured, top_is_everyone=None, runs="these runs", label=plain_label)
        lines += [f"- {reason}." for reason in reasons] + [""]
    return lines


def multiplicity_lines(effects: pd.DataFrame, labels: Sequence[str]) -> list[str]:
    """How many tests the report makes, how many "clear" results chance alone would give, which survive Holm.

    With 66 tests at 95%, about 3 come out clear when nothing changed at all; a reader shown
    bold verdicts at p = 0.014 and 0.024 deserves to know that. Holm's correction keeps the chance
    of even one false "clear" among all the tests at 5%.
    """
    tests = holm_tests(effects)
    if tests < 2:
        return []
    rows = list(zip(labels, effects.itertuples(), strict=True))
    family = [(label, r) for label, r in rows if in_family(r)]
    clear = [(label, r) for label, r in family if signed_clear(r)]
    kept = [f"{plain_label(r.metric)} for {label}" for label, r in clear if holds_after_holm(r)]
    expected = ALPHA * tests
    shown = "" if len(family) >= tests else (  # `report --metrics`: the counts below are of the rows shown
        f"This table shows {len(family)} of them (the metrics asked for); of those, ")
    text = (f"*Many comparisons:* this report makes {tests} tests (each variant against each metric with a better "
            f"direction; lever time, which a lever sets by design, and counts such as headcount are left out). Even "
            f"if no variant changed anything, about {fmt(expected, 2)} of them would look clear by chance alone (5%). "
            f"{shown}{len(clear)} {'is' if len(clear) == 1 else 'are'} clear. Holm's correction for {tests} tests "
            f"allows for this: ")
    if not clear:
        text += "it can only remove clear results, and there are none."
    elif not kept:
        text += "after it, none of the clear results remains, so each could be chance; they are marked below."
    elif len(kept) == len(clear):
        text += "every clear result remains clear after it."
    else:
        named = f" ({'; '.join(kept)})" if len(kept) <= 6 else ""  # a list of 58 helped nobody
        text += (f"after it, {len(kept)} remain{'s' if len(kept) == 1 else ''} clear{named}; the others are "
                 f"marked {holm_mark(tests)} below, without bold, and could be chance.")
    return [text, ""]


def glossary_lines(metrics: Sequence[str]) -> list[str]:
    """What each reported metric means and which way is better, once for all variants."""
    lines = ["### What the metrics mean", ""]
    for metric in metrics:
        info = metric_info(metric)
        lines.append(f"- **{info.label}** (`{metric}`): {info.meaning}. {BETTER_WORDS[info.better]}"
                     if info else f"- `{metric}`")
    return [*lines, ""]


def summary_lines(effects: pd.DataFrame, descriptions: dict[str, str]) -> list[str]:
    """The plain-language summary: per variant, the clear changes and their direction, then the metrics' meanings."""
    if effects.empty:
        return ["## Summary", "", "Nothing to summarise yet: no variant has successful runs paired with its baseline.",
                ""]
    labels = comparison_labels(effects)
    tests = holm_tests(effects)
    lines = ["## Summary", "", HOW_TO_READ, "", *multiplicity_lines(effects, labels)]
    labelled = effects.assign(_label=labels)
    for label, rows in labelled.groupby("_label", sort=False):
        lines += variant_summary(str(label), rows, descriptions.get(rows["variant"].iloc[0]), tests)
    return lines + glossary_lines(list(dict.fromkeys(effects["metric"])))


def status_notes(result: Analysis) -> list[str]:
    """Warnings that qualify every number below: runs not made yet, runs that failed."""
    lines = []
    if result.missing:
        lines += [f"> **Incomplete:** {result.missing} planned runs are not in the store. Re-run the same command "
                  "to finish them; finished runs are kept.", ""]
    if result.failed:
        lines += [f"> **{result.failed} run(s) failed** and are left out: see *Failed runs*.", ""]
    return lines


def render_report(design: dict[str, Any], prov: Provenance, result: Analysis,
                  descriptions: dict[str, str] | None = None) -> str:
    """report.md: a plain summary, then what ran, the effects, the plots, the failures and how to reproduce it.

    Args:
        design: The stored design.
        prov: Who wrote the design and who made the runs.
        result: The effects and the runs.
        descriptions: Each variant's own scenario description, by arm label.
    """
    lines = [f"# Experiment: {design['name']}", ""]
    if design.get("description"):
        lines += [design["description"], ""]
    lines += status_notes(result)
    lines += summary_lines(result.effects, descriptions or {})
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
    lines += provenance_lines(prov)
    lines += [""]
    seeds = design.get("seeds", [])
    shown = ", ".join(str(s) for s in seeds[:MAX_SEEDS_SHOWN])
    more = f", … ({len(seeds)} in all; every seed is in experiment.json and the runs table)" \
        if len(seeds) > MAX_SEEDS_SHOWN else ""
    lines += ["Replication seeds (k = 0, 1, …): " + shown + more, ""]
    lines += ["### Scenarios", ""]
    rows = [[arm["label"], f"`{arm['source']}`", f"`{arm['scenario_hash']}`", settings_shown(arm["parameters"]),
             settings_shown(arm.get("set") or {}), arm.get("reference") or "(reference)"] for arm in design["arms"]]
    lines += _md_table(["arm", "scenario file", "content hash", "parameters", "set", "paired with"], rows)
    if design.get("set"):
        lines += ["", f"Every scenario also with the experiment's set: {settings_shown(design['set'])}"]
    lines += ["", "Each scenario as it ran, every default spelled out, is in `scenarios/`.", ""]

    lines += ["## Effects", "",
              "Difference = variant - baseline, averaged over replications run with the same seed. The 95% "
              "confidence interval is Student's t on the paired differences. *d* is Cohen's d (difference over "
              "the pooled run-to-run standard deviation). *CI width vs unpaired* is the paired interval's "
              "width over the unpaired (Welch) interval's on the same runs: below 1, pairing bought precision. "
              "Only complete pairs count (*n*); a metric that is undefined (NaN) in a run drops that pair. "
              "*p* is the paired t-test's (— where the arms agree in every pair); *p (Holm)* is the same p-value "
              "adjusted by Holm's method for the design's tests that get a verdict (lever time and counts left "
              "out): below 0.05, a result stays clear even allowing for how many tests were made (the intervals "
              "are not adjusted).", ""]
    effects = result.effects
    if effects.empty:
        lines += ["No effects: no variant has successful runs paired with its baseline yet.", ""]
    else:
        rows = [[r.metric, label, fmt(r.baseline_mean), fmt(r.variant_mean), fmt(r.diff),
                 f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]", int(r.n), fmt(r.effect_size, 2), fmt_p(r.p_value),
                 fmt_p(r.p_holm), fmt(r.ci_width_ratio, 2)]
                for r, label in zip(effects.itertuples(), comparison_labels(effects), strict=True)]
        lines += _md_table(["metric", "variant", "baseline mean", "variant mean", "difference", "95% CI", "n", "d",
                            "p", "p (Holm)", "CI width vs unpaired"], rows)
        lines += ["", "All columns, including the unpaired intervals and variance reduction: `effects.csv`.", ""]
    lines += ["## Plots", ""]
    if "forest" in result.files:
        lines += ["Paired differences with 95% confidence intervals (thin grey: the unpaired interval):", "",
                  "![forest plot of effects](forest.png)", ""]
    if "trajectories" in result.files:
        lines += ["Mean trajectory of each metric per arm, with a 95% confidence band across replications. "
                  "Promotion stick rate, decliner retention and development ROI start only once a record can "
                  "have settled as a success (their window after the first month, warm-up included); before "
                  "that they would count failures alone. Without a warm-up (`warmup_months: 0`, as for a "
                  "headcount file) managers start with no view of anyone, so misread and hidden-ambition rates "
                  "start at 0 and rise over the first months as views form.", "",
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
        diff = f"[bold]{escape(fmt(r.diff))}[/bold]" if is_clear(r) else escape(fmt(r.diff))
        table.add_row(escape(r.metric) if r.metric != previous else "", escape(label), fmt(r.baseline_mean),
                      fmt(r.variant_mean), diff, escape(f"[{fmt(r.ci_low, 3)}, {fmt(r.ci_high, 3)}]"), str(int(r.n)),
                      fmt(r.effect_size, 2), fmt(r.ci_width_ratio, 2))
        previous = r.metric
    Console(width=None if sys.stdout.isatty() else 160).print(table)
