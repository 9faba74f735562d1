"""Turn a store into what a team hands around: effects.csv, plots (PNG, SVG or PDF) and report.md.

Everything here reads only the output folder (the design, metadata and tables the run wrote),
so ``promosim experiment report DIR`` can rebuild a report on another machine, after a resume,
or after more replications were added.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from sim.cli import DEFAULT_FIGURES, FIGURE_FORMATS
from sim.errors import InputError, output_folder
from sim.experiment.analysis import (
    LABEL_WIDTH,
    MEANS_FILE,
    against_design,
    arm_means,
    comparison_labels,
    label_lines,
    paired_effects,
    planned_tasks,
    run_values,
    trajectory_bands,
)
from sim.experiment.design import settings_changed
from sim.experiment.plots import figure_lines, not_drawn_lines, plot_forest, plot_trajectories, save_figure
from sim.experiment.store import ResultStore
from sim.metrics import (
    BETTER_WORDS,
    COSTS,
    REPRESENTATION,
    TOP_SHARE,
    direction_words,
    metric_info,
    undefined_reasons,
)
from sim.scenario import apply_override, key_path_parts, load_scenario
from sim.wording import (
    DEFAULT_CONFIDENCE,
    code_span,
    counted,
    markdown_text,
    named,
    percent_level,
    significance,
    top_levels_words,
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


def rounded(x: float, decimals: int) -> Decimal:
    """``x`` to ``decimals`` decimals, halves away from zero, as a reader rounds the number shown.

    Python's own formatting rounds halves to even (907.5 -> 908 but -14.5 -> -14) and rounds the
    binary value (2.675 -> 2.67): a report's ``908 → 893 (-14)`` then looked like wrong arithmetic.
    The shortest decimal form of the float is rounded instead, so 2.675 reads as 2.68.
    """
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fixed(x: float, decimals: int, signed: bool = False) -> str:
    """``x`` with exactly ``decimals`` decimals (:func:`rounded`), thousands separated; NaN as an em dash."""
    if not math.isfinite(x):
        return "—"
    return f"{rounded(x, decimals):{'+' if signed else ''},.{decimals}f}"


@dataclass(frozen=True)
class ShownChange:
    """One change as every plain-language place shows it: before, after, change and its interval.

    The report's lines, the printed table and the at-a-glance tables all take their numbers from
    :func:`shown_change`, so the terminal and report.md never show the same change two ways.
    """

    before: str
    after: str
    change: str
    low: str
    high: str
    decimals: int


def change_decimals(diff: float, half_width: float = math.nan, means: Sequence[float] = ()) -> int:
    """The decimals of one change: two significant digits of its size.

    Two significant digits of the difference (``0.212 → 0.160 (-0.052)``) give the means and the
    interval the same decimals. A change smaller than its interval's half-width (no clear change)
    takes them from the half-width instead: two digits of -0.0000596 gave ``0.8858092 →
    0.8857496``, a precision the interval (±0.0075) does not have. A clear change is always
    larger than its half-width, so its decimals are the difference's. With no change in any pair
    the ``means`` decide: as few decimals as show them exactly (``7.5 → 7.5``, not ``7.50``), at
    most four, else two.
    """
    size = max(abs(diff) if math.isfinite(diff) else 0.0, half_width if math.isfinite(half_width) else 0.0)
    if size > 0:
        return min(MAX_DECIMALS, max(0, 1 - math.floor(math.log10(size))))
    exact = [Decimal(repr(float(m))) for m in means if math.isfinite(m)]
    return next((d for d in range(5) if all(rounded(m, d) == m for m in exact)), 2) if exact else 2


def shown_change(row: Any, at_least: int = 0) -> ShownChange:
    """A row of the effects table as text with :func:`change_decimals` decimals, or ``at_least`` (NaN as an em dash).

    ``at_least`` lets the rows of one metric share their decimals, so that one baseline does not
    read 0.196 on one row and 0.1960 on the next (a new user and an org-design trial each took
    those for different baselines).

    The change shown is the exact mean difference (``diff`` in effects.csv) rounded, halves away
    from zero like every number here (:func:`rounded`), not the shown "after" minus the shown
    "before": that made an exact -1/3 read ``0.67 → 0.33 (-0.34)`` in a grid's table, a change
    the runs did not have. So the shown means can differ from the shown change by one unit of its
    last digit (never in sign), and the change always lies within its own shown interval (both
    are rounded alike, and the interval is centred on it). A clear interval's bound that would
    read 0 gets its first digit (``_bound``).
    """
    before, after = row.baseline_mean, row.variant_mean
    d = max(change_decimals(row.diff, (row.ci_high - row.ci_low) / 2, (before, after)), at_least)
    return ShownChange(fixed(before, d), fixed(after, d), fixed(row.diff, d, signed=True), _bound(row, row.ci_low, d),
                       _bound(row, row.ci_high, d), d)


def _bound(row: Any, bound: float, decimals: int) -> str:
    """An interval's bound with ``decimals``, or with its first digit where a clear interval's would read 0.

    "+0.0059 [0.0000, 0.0117] worse" read as an interval holding 0 (a review); the bound alone
    gets the digits, so the metric's other numbers keep theirs (``[0.000004, 0.0117]``).
    """
    if signed_clear(row) and bound != 0 and rounded(bound, decimals) == 0:
        decimals = min(MAX_DECIMALS, max(decimals, -math.floor(math.log10(abs(bound)))))
    return fixed(bound, decimals)


@dataclass
class Analysis:
    """What :func:`analyse` produced."""

    effects: pd.DataFrame
    runs: pd.DataFrame
    planned: int
    failures: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    top_shares: pd.DataFrame = field(default_factory=pd.DataFrame)  # each group's share of the top: :func:`top_shares`
    reused: str = ""  # :func:`reused_note`, for the terminal too
    glance_labels: dict[str, str] = field(default_factory=dict)  # :func:`glance_labels`, for the terminal's table too
    rewritten: list[str] = field(default_factory=list)  # :func:`refresh_against_folders`: the folders rewritten
    removed: list[str] = field(default_factory=list)  # ... and those removed, each with why
    interactions: pd.DataFrame | None = None  # sim.experiment.interaction's table, when pairs were asked for
    confidence: float = DEFAULT_CONFIDENCE  # the level of every interval (also the effects' ``confidence`` column)
    names: dict[str, str] = field(default_factory=dict)  # :func:`scenario_names`: arms' own names, by label
    subject: str = ""  # :func:`comparison_subject`: what the titles, report.md's and the terminal's, say was compared
    levers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # :func:`lever_reasons`, by variant
    # Each arm's mean of each metric with its interval (analysis.arm_means, means.csv); a design of one arm
    # (:func:`no_variant`) shows them in place of effects
    means: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_drawn: list[str] = field(default_factory=list)  # report.md's Plots under --figures none: not_drawn_lines

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


def analyse(out: str | Path, confidence: float | None = None,
            metrics: Sequence[str] | None = None, against: str | None = None,
            made_by: Mapping[str, str] | None = None, figures: Sequence[str] = DEFAULT_FIGURES,
            interactions: Sequence[str] | None = None) -> Analysis:
    """Compute effects and each arm's means, write effects.csv, means.csv, the plots and report.md into ``out``.

    Args:
        out: The output folder of a comparison.
        confidence: Confidence level of the intervals; None for the level the command that made
            the runs asked for (:func:`recorded_confidence`: 0.95 unless it had ``--confidence``),
            so that a report rebuilt without options is that command's report again.
        metrics: Metrics to report instead of the design's (every summary metric is stored).
        against: An arm to compare every other arm with instead of the baseline
            (:func:`against_design`); its report goes into :func:`against_folder`, so the
            folder's own report stays. Without it, every report ``--against`` already in the
            folder is rewritten too (:func:`refresh_against_folders`).
        made_by: The ``command`` (and the ``cwd`` it ran in) that asked for this report with
            options of its own (``experiment report --metrics``, ``--against``, ``--figures``), for report.md
            to name beside the command that made the runs (:func:`provenance_lines`). None when
            the report is the one that command wrote.
        figures: The formats to write each plot in (``--figures``), empty for none (tests of the
            numbers, scripts); the plot's files in other formats, an older report's, are removed
            (:func:`save_figure`). Reports ``--against`` an arm refreshed with this one keep the
            formats they were asked for.
        interactions: Lever pairs (``A+B`` or ``A+B=ARM``, :func:`~sim.experiment.interaction.find_pair`)
            whose interaction report.md shows and ``interactions.csv`` holds; None for those the
            folder's command asked for (:func:`recorded_interactions`), an empty list for none (an
            ``interactions.csv`` left by an earlier report is then removed).

    Returns:
        The effects table and run counts (for printing).

    Raises:
        InputError: ``interactions`` with ``against`` (an interaction is with the arm neither lever is
            on in), or a pair the folder's arms cannot make.
    """
    from sim.experiment.interaction import find_pair, interaction_effects  # noqa: PLC0415 (it imports this module)

    store = ResultStore(out)
    design = store.design()
    root = Path(out)
    asked = list(metrics) if metrics else None
    if interactions is None:  # the pairs the folder's command asked for, so that a rebuild is its report again
        interactions = () if against is not None else recorded_interactions(store)
    if interactions and against is not None:
        raise InputError("an interaction is measured from the arm with neither lever on (the baseline): leave out "
                         "--against", source=str(out), path="--interaction")
    pairs = [find_pair(design, typed, str(out)) for typed in interactions or ()]
    level = recorded_confidence(store) if confidence is None else confidence
    names = scenario_names(store)
    subject = comparison_subject(design, names)  # the folder's own baseline, also in a report --against an arm
    shown = percent_level(level)
    if against is not None:
        design = against_design(design, against, source=str(out))
        root = output_folder(against_folder(out, against))
    runs = design_runs(store, design)
    values = run_values(store, design)
    effects = paired_effects(values, design, metrics=asked, confidence=level)
    means = arm_means(values, design, asked, level)
    files = {"effects": root / "effects.csv", "means": root / MEANS_FILE}
    effects.to_csv(files["effects"], index=False)
    means.to_csv(files["means"], index=False)
    inter = interaction_effects(values, design, pairs, metrics=asked, confidence=level) if pairs else None
    if inter is not None:
        files["interactions"] = root / INTERACTIONS_FILE
        inter.to_csv(files["interactions"], index=False)
    elif against is None:
        (root / INTERACTIONS_FILE).unlink(missing_ok=True)
    metrics = list(dict.fromkeys(effects["metric"])) if len(effects) else (design.get("metrics") or [])
    arms = [a["label"] for a in design["arms"]]
    ok = set(runs.loc[runs["status"] == "ok", "run_id"])
    wanted = metrics or sorted(set(values["metric"]))
    ts = store.timeseries(wanted, missing_ok=True) if figures else None  # --figures none: no bands to read
    if ts is not None and len(ts):
        bands = trajectory_bands(ts, design, ok, level)
        written = plot_trajectories(bands, arms, wanted, root / "trajectories",
                                    title=f"{subject}: mean and {shown} band over replications", formats=figures)
    else:
        written = save_figure(None, root / "trajectories")  # an older report's, of series since gone or not drawn
    files.update((path.name, path) for path in written)
    if len(effects):
        reference = design["against"]["label"] if against is not None else "baseline"
        written = plot_forest(effects, metrics, root / "forest",
                              title=f"{subject}: paired differences from {reference} ({shown} CI)",
                              reference=reference, formats=figures)
    else:
        written = save_figure(None, root / "forest")
    files.update((path.name, path) for path in written)
    result = Analysis(effects=effects, runs=runs, planned=len({t[0] for t in design.get("tasks", [])}),
                      failures=failure_reasons(runs), files=files,
                      top_shares=top_shares(values, effects, design, store),
                      glance_labels=glance_labels(store, design), interactions=inter, confidence=level,
                      names=names, subject=subject, levers=lever_reasons(store, design),
                      means=means, not_drawn=not_drawn_lines(figures, against))
    files["report"] = root / "report.md"
    prov = provenance(store, runs, made_by)
    result.reused = reused_note(prov)
    report = render_report(design, prov, result, variant_descriptions(store, design),
                           top_level_names(store, design), horizon_line(design, store))
    files["report"].write_text(report, encoding="utf-8")
    if against is not None:  # what was asked (None: the folder's level), for refresh_against_folders to ask again
        asked_for = {"against": against, "metrics": asked, "confidence": confidence, "made_by": made_by,
                     "figures": list(figures)}
        (root / AGAINST_ASKED).write_text(json.dumps(asked_for, indent=2) + "\n", encoding="utf-8")
    else:
        result.rewritten, result.removed = refresh_against_folders(out)
    return result


INTERACTIONS_FILE = "interactions.csv"  # analyse(interactions=...)'s table, beside effects.csv
def recorded_confidence(store: ResultStore) -> float:
    """The confidence level the latest command that made the folder's runs asked for (metadata.json).

    ``compare``, ``experiment run`` and ``experiment sensitivity`` record their ``--confidence``
    (0.95 without it); a report rebuilt without ``--confidence`` takes it from there, as it takes
    the metrics from the design, so that it is the same report again. A folder made before the
    level was recorded, or whose value was edited into something else, gives 0.95.
    """
    return _level_or_default(store.read_json("metadata.json").get("confidence"))


def recorded_interactions(store: ResultStore) -> list[str]:
    """The lever pairs (``--interaction``) the latest command that made the folder's runs asked for (metadata.json).

    A report rebuilt without ``--interaction`` shows them again, as it keeps that command's level
    and figures: the rebuild dropped the section and interactions.csv without a word, under a
    ``Command:`` line that still asked for them (a researcher's trial).
    """
    pairs = store.read_json("metadata.json").get("interactions")
    return [str(p) for p in pairs] if isinstance(pairs, list) else []


def _level_or_default(value: Any) -> float:
    """``value`` as a confidence level, or the default where it is none (missing, edited into text, out of range)."""
    return float(value) if isinstance(value, int | float) and 0 < value < 1 else DEFAULT_CONFIDENCE


def against_folder(out: str | Path, label: str) -> Path:
    """Where ``analyse(out, against=label)`` writes: a folder of its own inside ``out``.

    Beside the stored tables, not in them, and named by the arm with anything but letters,
    digits, ``.``, ``_`` and ``-`` replaced, so a grid-style label cannot make a path.
    """
    return Path(out) / ("against-" + re.sub(r"[^A-Za-z0-9._-]", "_", label))


# In an against folder: the arm, --metrics, confidence and --figures it was made with, and the command that
# asked (for its report to name again when rewritten). The folder's name cannot give the arm back
# (against_folder replaces characters), and a refresh must not drop the --metrics chosen.
AGAINST_ASKED = "against.json"
# What analyse writes into an against folder: all that refresh_against_folders removes (nothing a user put there).
AGAINST_FILES = ("effects.csv", MEANS_FILE, "report.md", *(f"{name}.{fmt}" for name in ("forest", "trajectories")
                                                for fmt in FIGURE_FORMATS), AGAINST_ASKED)


def refresh_against_folders(out: str | Path) -> tuple[list[str], list[str]]:
    """Rewrite every ``against-*/`` report in ``out`` from the folder's runs, or remove it where it cannot be.

    A later ``compare`` or ``experiment run`` into the folder (more replications, failed runs
    retried, another set of arms) rewrites the folder's own report, and a report ``--against``
    left as it was then disagreed with the runs beside it without a word. The analysis reads
    only the stored runs, so each is made again, with the arm, ``--metrics``, confidence and
    ``--figures`` it was asked for (:data:`AGAINST_ASKED`; without a ``--confidence`` of its own, the
    folder's level, :func:`recorded_confidence`; a folder written before that file is matched to
    an arm by its name, with the design's metrics). One whose arm the folder's design no longer
    has (or that can no longer be re-paired: the folder now holds a grid) is removed, since any
    numbers left in it would be another design's; only the files :func:`analyse` writes, so a
    folder someone renamed to keep (its ``against.json`` names another) is left alone, and so is
    one without ``against.json`` named after no arm: a copy renamed before that file existed, or
    someone's own ``against-*/`` folder, cannot be told from a stale report (removing them deleted
    a reader's own ``report.md``).

    Args:
        out: The comparison's folder, whose own report was just written.

    Returns:
        A line per folder rewritten, and one per folder removed saying why: for the terminal.
    """
    root = Path(out)
    labels = [str(arm["label"]) for arm in ResultStore(out).design().get("arms", [])]
    rewritten: list[str] = []
    removed: list[str] = []
    for folder in sorted(p for p in root.glob("against-*") if p.is_dir()):
        if not any((folder / name).is_file() for name in AGAINST_FILES):
            continue  # not one of analyse's
        asked = _read_asked(folder / AGAINST_ASKED)
        label = asked.get("against")
        if label is not None and against_folder(out, str(label)) != folder:
            continue  # a copy under another name, kept on purpose: not this function's to rewrite or remove
        label = label or next((lb for lb in labels if against_folder(out, lb) == folder), None)
        if label is None:
            # No against.json and named after no arm: a folder made before that file, or a copy someone
            # kept under another name (`against-mentoring-v1/`), or their own: which, cannot be told, so kept.
            continue
        shown = f"{folder}{os.sep}"
        why = "" if label in labels else f"the comparison now in {out} has no arm '{label}'"
        if not why:
            try:
                analyse(out, confidence=asked.get("confidence"), metrics=asked.get("metrics") or None, against=label,
                        made_by=asked.get("made_by"), figures=figures_or_png(asked.get("figures")))
            except InputError as exc:  # e.g. the folder now holds a grid
                why = f"{out} now {exc.detail.partition(';')[0]}"
        if not why:
            rewritten.append(f"also rewrote {shown} (every arm against {label}) from these runs")
            continue
        for name in AGAINST_FILES:
            (folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # files of someone else's stay, and so does their folder
            folder.rmdir()
        kept = " (other files in it kept)" if folder.exists() else ""
        removed.append(f"removed {shown}{kept}: {why}")
    return rewritten, removed


def _read_asked(path: Path) -> dict[str, Any]:
    """An against folder's :data:`AGAINST_ASKED`, or {} (none yet, unreadable, or edited into other types).

    With {}, the folder's name decides the arm and the design its metrics. A hand-edited
    ``"confidence": "high"`` ended the report in a traceback after the folder's own was written.
    """
    try:
        asked = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(asked, dict):
        return {}
    metrics, confidence, made_by = asked.get("metrics"), asked.get("confidence"), asked.get("made_by")
    figures = asked.get("figures")  # None in a folder made before --figures: PNG, as then
    well_formed = (
        isinstance(asked.get("against"), str)
        and (metrics is None or (isinstance(metrics, list) and all(isinstance(m, str) for m in metrics)))
        and (confidence is None or (isinstance(confidence, int | float) and 0 < confidence < 1))
        and (made_by is None or (isinstance(made_by, dict) and isinstance(made_by.get("command"), str)))
        and (figures is None or known_figures(figures) is not None)
    )
    return asked if well_formed else {}


def known_figures(value: Any) -> tuple[str, ...] | None:
    """``value`` as ``--figures`` formats when it is a list of them (as JSON stores them), else None.

    An empty list is ``--figures none``: a folder whose command drew no plot.
    """
    if isinstance(value, list) and all(f in FIGURE_FORMATS for f in value) and len(set(value)) == len(value):
        return tuple(value)
    return None


def figures_or_png(value: Any) -> tuple[str, ...]:
    """``value`` as ``--figures`` formats (:func:`known_figures`; ``[]``, none, stays none), PNG when not known.

    A folder made before ``--figures`` records none: its plots were PNG.
    """
    known = known_figures(value)
    return DEFAULT_FIGURES if known is None else known


def folder_figures(store: ResultStore) -> tuple[str, ...]:
    """The formats the folder's latest command wrote its plots in (metadata.json), PNG before ``--figures``.

    What ``experiment report`` rebuilds the plots as when not given ``--figures``: a report
    rebuilt after a resume kept its metrics but swapped the PDFs made for a journal for PNGs.
    """
    return figures_or_png(store.read_json("metadata.json").get("figures"))


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured markdown table; a pipe or a line break in a cell, its header's too, cannot end it.

    Cells are Markdown: text a user wrote goes in through :func:`~sim.wording.markdown_text`.
    """
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "|".join("---" for _ in header) + "|"]
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
        made_by: The ``command`` and ``cwd`` of an ``experiment report`` that rebuilt the report
            with options of its own (``--metrics``, ``--against``), None for the report the
            latest invocation wrote.
    """

    latest: dict[str, Any]
    makers: list[dict[str, Any]]
    made: Counter[str]
    made_by: Mapping[str, str] | None = None

    @property
    def earlier(self) -> list[dict[str, Any]]:
        """Sessions before the latest one that made some of the runs (e.g. a copied folder's, a resumed run's)."""
        return [s for s in self.makers if s.get("session") != self.latest.get("session")]


def horizon_line(design: Mapping[str, Any], store: ResultStore | None = None) -> str:
    """The years and headcount every run had, as report.md and sensitivity.md state them.

    Both change every number, so a reader who re-runs from the report alone must find them.
    Without ``--years`` the years are the scenarios' own, which ``store`` (the scenarios as they
    ran) names: "each scenario's own" alone did not tell an org-design trial's VP that its
    report covered 5 years.
    """
    own = "each scenario's own"
    years = fmt(design["years"]) if design.get("years") else own
    if not design.get("years") and store is not None:
        arms = design.get("arms", [])
        stored = {label: store.scenario(label).get("years") for label in {str(arm["scenario"]) for arm in arms}}
        found = {float(y) for arm in arms
                 if (y := (arm.get("parameters") or {}).get("years", stored[str(arm["scenario"])])) is not None}
        if found:
            years = f"{' / '.join(fmt(y) for y in sorted(found))} ({own})"
    return f"- Years simulated: {years}; headcount: {design.get('headcount') or own}"


def provenance(store: ResultStore, runs: pd.DataFrame, made_by: Mapping[str, str] | None = None) -> Provenance:
    """The provenance of a report: the latest invocation, the sessions whose batches hold ``runs``, and ``made_by``.

    ``made_by``: the ``experiment report`` invocation that rebuilt this report with options of its own.
    """
    made = Counter(str(b).split("-")[0] for b in runs.get("batch", pd.Series(dtype=str)).dropna())
    sessions = store.sessions()
    # A folder written before metadata.json named its session: its latest session is the last line.
    latest = {**(sessions[-1] if sessions else {}), **store.read_json("metadata.json")}
    return Provenance(latest=latest, makers=[s for s in sessions if s.get("session") in made], made=made,
                      made_by=made_by)


def _versions(meta: dict[str, Any]) -> str:
    """Python, package versions and git revision of one session."""
    pkgs = ", ".join(f"{k} {v}" for k, v in (meta.get("packages") or {}).items() if v)
    edits = " with uncommitted changes to the code or scenarios" if meta.get("git_uncommitted_changes") else ""
    code = f" (engine code `{meta['engine_digest']}`)" if meta.get("engine_digest") else ""
    return f"Python {meta.get('python')}, {pkgs}; git `{meta.get('git_revision') or 'unknown'}`{edits}{code}"


def provenance_lines(prov: Provenance) -> list[str]:
    """The latest invocation's command and executor; the code that made the runs; earlier sessions' share.

    The command is the latest invocation's, since it wrote the design the report describes (a
    trial with ``--replications 5`` in a copied folder of 10 reports 5, and says so). The versions
    are those of the sessions that made the runs, not of the latest, which may have made none:
    they are what the numbers depend on.
    """
    latest = prov.latest
    rebuilt = _made_by_lines(prov.made_by)
    if not latest and not prov.makers:
        return rebuilt
    versions = list(dict.fromkeys(_versions(m) for m in prov.makers or [latest]))
    out = [f"- Command: {code_span(latest['command'])}{_ran_in(latest)}"] if latest.get("command") else []
    out += rebuilt
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
    reused = reused_note(prov)
    if reused:
        out.append(f"- **Warning:** {reused}")
    return out


def _ran_in(meta: Mapping[str, Any]) -> str:
    """", run in `CWD`" after a command: its paths are as typed, and relative ones mean nothing without it."""
    return f", run in {code_span(meta['cwd'])}" if meta.get("cwd") else ""


def _made_by_lines(made_by: Mapping[str, str] | None) -> list[str]:
    """The line naming the ``experiment report`` that rebuilt the report with options of its own, or none.

    Such a report shows other metrics (and another count of tests) or other pairs than the
    command above it would write, and nothing in it said so: the ``Command:`` line alone read as
    if that command had made it (a reproducibility trial).
    """
    if not made_by or not made_by.get("command"):
        return []
    return [f"- Report made by: {code_span(made_by['command'])}{_ran_in(made_by)}, from the stored runs"]


def reused_note(prov: Provenance) -> str:
    """Said when runs of earlier sessions, made by another version than the latest command, were reused.

    A run's id does not depend on the code, so the same command after an engine fix reused every
    stored run, and the report's numbers were the old code's with no word but the versions line
    (a review). ``""`` when there is nothing to say.
    """
    if not prov.latest.get("packages"):
        return ""
    current = _versions(prov.latest)

    def code(meta: Mapping[str, Any]) -> str:  # the engine's digest where both sides have one: a commit
        mine = prov.latest.get("engine_digest")  # to the docs or the app alone changes no number
        return meta.get("engine_digest") if mine and meta.get("engine_digest") else _versions(meta)

    other = [m for m in prov.earlier if code(m) != code(prov.latest)]
    if not other:
        return ""
    n = sum(prov.made[m.get("session")] for m in other)
    return (f"{n} of the {prov.made.total()} runs reported were reused from earlier sessions made by another version "
            f"than the latest command's ({current}): a run's id does not depend on the code, so a changed engine does "
            "not run them again; run into a new folder for this version's numbers")


def settings_shown(settings: Mapping[str, Any]) -> str:
    """Key paths and values as ``key=value`` code spans (grid parameters, ``set:`` overrides), or an em dash."""
    return ", ".join(code_span(f"{k}={v}") for k, v in settings.items()) or "—"


def variant_descriptions(store: ResultStore, design: dict[str, Any]) -> dict[str, str]:
    """Each variant's own scenario ``description`` (as text: :func:`markdown_text`), and its own ``set:``.

    A variant made from the baseline's file with ``set:`` overrides, or one that ``extends:`` it
    without a description, carries the baseline's description, which would describe the wrong
    scenario: those are left out. The variant's own ``set:`` is added, since a description says
    what the file does, and ``set: {...coverage: 0.5}`` may contradict its "at every review".
    """
    said = {arm["scenario"]: markdown_text(store.scenario(arm["scenario"]).get("description") or "")
            for arm in design["arms"]}
    scenario_of = {arm["label"]: arm["scenario"] for arm in design["arms"]}
    out = {}
    for arm in design["arms"]:
        ref = scenario_of.get(arm.get("reference"))
        own, shown_ref = said[arm["scenario"]], markdown_text(ref) if ref is not None else ""
        words = own if ref is not None and own and own != said[ref] else ""
        switched = _levers_switched_on(arm.get("set") or {}, store.scenario(ref) if ref is not None else {})
        if ref is not None and "without" in arm and (arm["without"] or (arm.get("set") and not switched)):
            # --against: not the reference plus levers of its own (one lacks the reference's settings,
            # or sets one of its levers otherwise: "With set: mentoring={}" read as no change at all)
            words = f"Against {shown_ref}: {_capitalised(_against_changes(arm, store.scenario(ref)))}."
        elif ref is not None and switched:  # `compare --levers`: say what the lever does, not its set: line
            words = " ".join(f"{name}, switched on in {shown_ref}: {text}."
                             for name, text in switched)
        elif ref is not None and arm.get("set"):
            words = f"{words} (with set: {settings_shown(arm['set'])})" if words else \
                f"With set: {settings_shown(arm['set'])}"
        also = other_settings_note(shown_ref, store.scenario(ref), store.scenario(arm["scenario"])) \
            if ref is not None and ref != arm["scenario"] else ""
        if also:
            words = f"{_ended(words)} It {also}.".strip()
        moved = positions_moved(store.scenario(arm["scenario"])) if ref is not None else ""
        if moved:
            words = f"{_ended(words)} {moved}".strip()
        if words:
            out[arm["label"]] = words
    return out


def _against_changes(arm: Mapping[str, Any], reference: Mapping[str, Any]) -> str:
    """What an arm changes from an ``--against`` reference (its scenario: ``reference``), levers by name.

    "mentoring switched off, career conversations switched on", not the lever-on sentence a
    baseline's variant gets: that would say career conversations were added to mentoring. A
    lever both have, set otherwise, is "mentoring at its defaults" or "mentoring with coverage 0.6".
    In lower case, as a clause: its section starts a sentence with it (:func:`_capitalised`),
    the at-a-glance tables put it after the arm's name (:func:`glance_labels`).
    """
    from sim.interventions import REGISTRY, load_all  # noqa: PLC0415 (levers import the scenario module)

    load_all()

    def lever(key: str) -> str | None:
        name = key.removeprefix("interventions.")
        return name.replace("_", " ") if name != key and name in REGISTRY else None

    already = reference.get("interventions") or {}

    def change(key: str, value: Any) -> str:
        name = lever(key)
        if name is None or not isinstance(value, dict | None):
            return code_span(f"{key}={value}")
        params = _params_in_words(value or {})
        if key.removeprefix("interventions.") in already:
            return f"{name} with {params}" if params else f"{name} at its defaults"
        return f"{name} switched on" + (f" ({params})" if params else "")

    parts = [f"{lever(k)} switched off" if lever(k) else f"without {code_span(f'{k}={v}')}"
             for k, v in arm["without"].items()]
    parts += [change(k, v) for k, v in (arm.get("set") or {}).items()]
    return ", ".join(parts)


def _capitalised(text: str) -> str:
    """``text`` with its first letter upper case, to start a sentence (``str.capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]


def glance_labels(store: ResultStore, design: Mapping[str, Any]) -> dict[str, str]:
    """In a report ``--against`` an arm, the comparison's own baseline as the at-a-glance tables name it.

    That arm is named by its scenario file ("baseline", or an organisation's own name), which
    says nothing about levers: beside ``mentoring_and_career_conversations`` the tables read
    "baseline" where its section says "Against mentoring: Mentoring switched off". So it is
    named with the same words (:func:`_against_changes`): "baseline (mentoring switched off)",
    in report.md's table and the terminal's alike. The other arms are named by their levers
    already.

    Returns:
        ``{label: shown}`` for that arm; empty for a folder's own report, or for an arm that
        lacks nothing of the reference (arms from scenario files: their sections name files).
    """
    against = design.get("against")
    if not against:
        return {}
    arms = {str(arm["label"]): arm for arm in design.get("arms", [])}
    arm = arms.get(str(against.get("was")))
    reference = arms.get(str(against.get("label")))
    if arm is None or reference is None or not arm.get("without"):
        return {}
    return {arm["label"]: f"{arm['label']} ({_against_changes(arm, store.scenario(str(reference['scenario'])))})"}


def _ended(text: str) -> str:
    """``text`` ending as a sentence does, before another is added (a file's description may have no full stop)."""
    return text if not text or text.endswith((".", "!", "?", ")")) else f"{text}."


def positions_moved(content: Mapping[str, Any]) -> str:
    """What the scenario's levers do to its positions when a run starts, as a sentence, or ``""``.

    ``parallel_ladders`` turns management posts into specialist ones. In an organisation that
    already had a specialist ladder, "ladders" read as "a specialist ladder", and only ``org
    describe`` showed that it moved 35 % more posts (an org-design trial).
    """
    from sim.model import with_levers  # noqa: PLC0415 (the engine, only for a report with levers)

    if not content.get("interventions"):
        return ""
    try:
        before = load_scenario(dict(content))
        after, _ = with_levers(before)
    except InputError:
        return ""
    moves = []
    for old, new in zip(before.organisation.levels, after.organisation.levels, strict=True):
        if dict(old.positions) != dict(new.positions):
            tracks = sorted(set(old.positions) | set(new.positions))
            moves.append(f"{markdown_text(old.name)} " + ", ".join(f"{track} {old.positions.get(track, 0)} → "
                                                     f"{new.positions.get(track, 0)}" for track in tracks))
    if not moves:
        return ""
    return f"Its levers change the positions when a run starts: {'; '.join(moves)}."


def other_settings_note(baseline: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What a variant changes besides its levers (``settings_changed``), as a clause, or ``""``.

    Only for a variant whose levers differ from its baseline's: a variant with the same levers
    (a policy, an organisation's structure) is about the settings it changes, so they are its rules.
    """
    if (before.get("interventions") or {}) == (after.get("interventions") or {}):
        return ""
    changed = settings_changed(before, after)
    if not changed:
        return ""
    return (f"differs from {baseline} besides its levers, in {', '.join(changed)}; its effects include these "
            "changes")


def _levers_switched_on(overrides: dict[str, Any], reference: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(lever as named in words, its description) when ``overrides`` only switch on levers ``reference`` lacks, else [].

    A lever with parameters set (``compare --levers mentoring:coverage=0.6``) is named with them:
    "Mentoring (coverage 0.6)". One the reference has on already is not "switched on": its
    parameters are only changed, which the ``set:`` line says.
    """
    from sim.interventions import REGISTRY, load_all  # noqa: PLC0415 (levers import the scenario module)

    load_all()
    found = []
    already = reference.get("interventions") or {}
    for key, value in overrides.items():
        name = key.removeprefix("interventions.")
        if key == name or name not in REGISTRY or name in already or not isinstance(value, dict | None):
            return []
        params = _params_in_words(value or {})
        found.append((lever_in_words(name) + (f" ({params})" if params else ""),
                      _lever_words(REGISTRY[name], value or {})))
    return found


def lever_in_words(name: str) -> str:
    """A lever's key as a report's sentence starts with it: ``published_criteria`` is "Published criteria"."""
    return name.replace("_", " ").capitalize()


def lever_reasons(store: ResultStore, design: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Per variant, (lever in words, its ``why``) for each lever set otherwise than in the arm it is paired with.

    report.md said what a lever changed, and only docs/interventions.md said why (an org-design
    trial read "lever time +2.0" and a thinner management track with no word on the mechanism).
    Each lever's ``Intervention.why`` is the one text, so the report and ``promosim interventions``
    cannot disagree. A lever on in both arms at the same settings explains no difference and is
    left out; one switched off against the reference (the baseline in a report ``--against
    mentoring``) or at another dose is kept. Read from the scenarios the folder keeps, with each
    arm's grid values, so a folder written by an earlier version gets the lines too; a lever this
    version lacks is skipped.
    """
    from sim.interventions import REGISTRY, load_all  # noqa: PLC0415 (levers import the scenario module)

    load_all()
    arms = {str(arm["label"]): arm for arm in design.get("arms", [])}
    kept: dict[str, dict[str, Any]] = {}

    def levers(arm: Mapping[str, Any]) -> dict[str, Any]:
        scenario = str(arm.get("scenario", arm["label"]))
        if scenario not in kept:
            kept[scenario] = store.scenario(scenario).get("interventions") or {}
        out = {name: dict(value or {}) for name, value in kept[scenario].items()}
        for key, value in (arm.get("parameters") or {}).items():  # a grid over a lever's parameter
            parts = key_path_parts(str(key))
            if len(parts) == 3 and parts[0] == "interventions":
                out.setdefault(parts[1], {})[parts[2]] = value
        return out

    found = {}
    for label, arm in arms.items():
        reference = arms.get(str(arm.get("reference")))
        if reference is None:
            continue
        mine, theirs = levers(arm), levers(reference)
        differ = [name for name in dict.fromkeys([*mine, *theirs])
                  if mine.get(name) != theirs.get(name) and name in REGISTRY and REGISTRY[name].why]
        if differ:
            found[label] = [(lever_in_words(name), REGISTRY[name].why) for name in differ]
    return found


def _params_in_words(params: Mapping[str, Any]) -> str:
    """A lever's parameters in words: ``coverage 0.6``, a list's items joined (``group women_office, women_remote``)."""
    return ", ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())


def _lever_words(lever: Any, params: Mapping[str, Any]) -> str:
    """A lever's description with these parameters (``Intervention.describe``), else its plain one.

    The plain one when the parameters no longer validate (a folder written by another version).
    """
    try:
        return lever.describe(lever.Params(**params))
    except ValueError:
        return lever.description


# ---------------------------------------------------------------------------------------------
# The plain-language summary at the top of report.md

def _whose(reference: str) -> str:
    """The reference arm as an owner, in a report's words: "the baseline's", or an ``--against`` arm's label's."""
    return "the baseline's" if reference == "baseline" else f"{reference}'s"


def how_to_read(reference: str = "baseline", confidence: float = DEFAULT_CONFIDENCE) -> str:
    """The summary's paragraph on pairing and intervals.

    ``reference`` names the arm compared with (``--against``), ``confidence`` the intervals' level.
    """
    its = "its baseline" if reference == "baseline" else reference
    return (HOW_TO_READ.replace("as its baseline", f"as {its}").replace("minus baseline", f"minus {reference}")
            .replace("LEVEL", percent_level(confidence)))


HOW_TO_READ = (
    "*How to read this:* each variant ran with the same random seeds as its baseline, so every variant run has a "
    "twin that differs only by the variant's rules. The *paired difference* is variant minus baseline, twin by twin, "
    "averaged. The *LEVEL confidence interval* (CI) is the range that holds the true difference with LEVEL confidence "
    "(more replications narrow it); a change is called *clear* when its interval does not include 0. Clear means "
    "measurably not zero, not large: judge whether it matters from its size (a quarter of a percentage point of "
    "attrition can be clear and still not matter). Better or worse follows the direction given under *What the "
    "metrics mean*. The detailed table for researchers is under *Effects*.")


def confidence_of(effects: Any) -> float:
    """The level of the intervals of an effects table, or of one of its rows: its ``confidence`` column.

    Every place that names the level, or takes the significance level from it (:func:`alpha_of`),
    reads it here, so a report says the level its numbers were computed at. A table or a row
    from before the column was kept (or made by hand) is at the default, 95%.
    """
    if isinstance(effects, pd.DataFrame):
        return _level_or_default(effects["confidence"].iloc[0] if "confidence" in effects and len(effects) else None)
    return _level_or_default(getattr(effects, "confidence", None))


def alpha_of(effects: Any) -> float:
    """The significance level of every "clear" in a report: 1 - the level of its intervals (0.05 at 95%).

    A change is clear when its interval excludes 0, that is when its p-value is below this; Holm's
    correction and the count of tests chance alone would make clear use the same.
    """
    return significance(confidence_of(effects))


def is_clear(row: Any) -> bool:
    """The difference's confidence interval excludes 0: the variant clearly moved the metric.

    For a metric best at 1, a clear change of its distance from parity counts too. (Its interval
    is clear only when the signed change's is (``analysis.parity_gap``); a
    bootstrap used before could be clear alone, and the summary then listed the ratio under
    "no clear change".)
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
    """Still clear once Holm's correction allows for every test of the report (``p_holm`` below 5% at 95%)."""
    p = getattr(row, "p_holm", math.nan)
    return math.isfinite(p) and p < alpha_of(row)


def verdict(row: Any) -> str:
    """``better``/``worse`` by the metric's direction (sim.metrics.METRIC_INFO); empty when it has none.

    For a metric best at 1 the word rests on the interval of the change of the mean's distance
    from parity (``parity_gap_*``), not on the signed difference: 0.90 -> 1.09 is a clear move
    but hardly a gain, so unless that interval excludes 0 the change is only said to have moved.
    Lever time (:data:`sim.metrics.COSTS`) is a cost, not a result: a lever that takes 1.5 hours
    per person a year was called **worse** for it, above its actual gains.
    """
    if row.metric in COSTS:
        return "a cost in people's time, not a result" if row.diff > 0 else \
            "a saving in people's time" if row.diff < 0 else ""
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


def firm(row: Any, tests: int) -> bool:
    """Whether a clear change's verdict stands among ``tests`` tests: the one the report bolds.

    Holm's correction speaks to the signed test of the metrics with a verdict; a clear rise or
    fall of one with none stands when its p-value is below 5% (at 95%) over the report's tests; a ratio's
    parity verdict stands when Holm's correction keeps its signed change (a report once bolded
    women at the top 1.032 -> 1.030, 95% CI -0.018 to 0.014, among 40 tests, by a parity
    interval no test covered).
    """
    if tests <= 1:
        return True
    if in_family(row) and signed_clear(row):
        return holds_after_holm(row)
    if signed_clear(row) and row.metric not in COSTS:
        # A clear rise or fall of a metric with no better direction is outside Holm's family, yet
        # it is a claim: it read "clear rise" at p = 0.04 beside "better, may be chance" at smaller
        # p (a review). Bonferroni over the report's tests, the strictest step of Holm's.
        p = getattr(row, "p_value", math.nan)
        return not math.isfinite(p) or p < alpha_of(row) / tests
    return signed_clear(row)


MAYBE_CHANCE = "may be chance"


def plain_verdict(row: Any, tests: int) -> str:
    """The verdict of one row in a few words, for the printed table and the at-a-glance tables.

    It says what the report's line for the row says, in fewer words, so the terminal and
    report.md never disagree: ``better``/``worse`` where the report bolds the verdict,
    ``better, may be chance`` where the report marks it as not kept by Holm's correction,
    ``no clear change`` where its interval holds 0, ``cost`` for lever time, ``clear rise``/
    ``clear fall`` for a metric with no better direction (``rise, may be chance`` where that
    may be chance, :func:`firm`), and why there is no verdict where no or too few pairs of runs
    had a value.
    """
    if row.n == 0:
        return "no value in any run"
    if not math.isfinite(row.ci_low):
        return "too few pairs to tell"
    if not is_clear(row):
        return "no clear change"
    if row.metric in COSTS:
        return "cost" if row.diff > 0 else "saving"
    word = verdict(row)
    if not word:
        rise = row.diff > 0
        return ("clear rise" if rise else "clear fall") if firm(row, tests) else \
            f"{'rise' if rise else 'fall'}, {MAYBE_CHANCE}"
    if word.startswith("moved"):  # the report marks it too when Holm's correction does not keep the move
        return "moved, not clearly closer to 1" + ("" if firm(row, tests) else f", {MAYBE_CHANCE}")
    word = word.split(" (")[0]  # the metric's heading says "closer to 1 is better"
    return word if firm(row, tests) else f"{word}, {MAYBE_CHANCE}"


def plain_label(metric: str) -> str:
    """The metric's plain name (its key when the registry has none)."""
    info = metric_info(metric)
    return info.label if info else metric


def holm_mark(tests: int) -> str:
    """What a clear change that Holm's correction does not keep is marked with."""
    return f"(not after Holm's correction for {tests} tests)"


def chance_mark(row: Any, tests: int) -> str:
    """The mark of a clear change that may be chance: Holm's, or for a metric with no better direction its p."""
    if in_family(row) or not signed_clear(row):
        return holm_mark(tests)
    p = fmt_p(row.p_value)
    return (f"(may be chance: p {p if p.startswith('<') else f'= {p}'}, not below {percent_level(alpha_of(row))} "
            f"over the report's {tests} tests)")


def parity_reason(row: Any, decimals: int) -> str:
    """Why a ratio that moved is not clearly closer to or further from parity, when the cause is plain.

    Two causes a reader can check: the baseline's own mean is not clearly off parity (its
    interval holds 1, so no move can be shown to come closer: a trial's 0.918 -> 0.988 puzzled
    its readers, whose baseline runs ranged from 0.75 to 1.09), or the ratio crossed parity and
    ended about as far on the other side. Empty otherwise.
    """
    low, high = getattr(row, "parity_baseline_ci_low", math.nan), getattr(row, "parity_baseline_ci_high", math.nan)
    if math.isfinite(low) and math.isfinite(high) and low <= 1 <= high:
        side = "below" if row.baseline_mean < 1 else "above" if row.baseline_mean > 1 else "off"
        return (f"the baseline itself is not clearly {side} parity (its own {percent_level(confidence_of(row))} CI, "
                f"{fixed(low, decimals)} to {fixed(high, decimals)}, includes 1), so a move toward parity cannot be "
                "told apart from chance")
    before, after = row.baseline_mean - 1, row.variant_mean - 1
    if before * after < 0:
        return (f"it crossed parity, from {fixed(abs(before), decimals)} {'below' if before < 0 else 'above'} to "
                f"{fixed(abs(after), decimals)} {'below' if after < 0 else 'above'}")
    return ""


def change_line(row: Any, tests: int = 1) -> str:
    """One clear change: baseline -> variant (difference; CI): verdict, and whether it survives Holm.

    The numbers come from :func:`shown_change`: the decimals that show the difference to two
    significant digits, so the means and the interval line up with it (``0.212 → 0.160 (-0.052; ...)``).
    Only a firm verdict (:func:`firm`) is bold; a change that chance could explain among ``tests`` tests says so.
    A ratio that moved without clearly coming closer to parity says why, when the reason is plain.
    """
    shown = shown_change(row)
    word = verdict(row)
    line = (f"- {plain_label(row.metric)}: {shown.before} → {shown.after} "
            f"({shown.change}; {percent_level(confidence_of(row))} CI {shown.low} to {shown.high})")
    stands = firm(row, tests)
    if word:  # bold only a verdict that Holm's correction keeps: "**better** (not after ...)" read as a contradiction
        line += f": **{word}**" if stands and word.startswith(("better", "worse")) else f": {word}"
    if word.startswith("moved"):
        reason = parity_reason(row, shown.decimals)
        line += f": {reason}" if reason else ""
    return line + ("" if stands else f" {chance_mark(row, tests)}")


def variant_summary(label: str, rows: pd.DataFrame, description: str | None, tests: int = 1,
                    levers: Sequence[tuple[str, str]] = ()) -> list[str]:
    """One variant against its baseline: what clearly changed (better first), what did not, what could not be told.

    ``levers``: (lever in words, how it works and its known side effects) for each lever the
    variant differs from its baseline by (:func:`lever_reasons`), said before the changes they explain.
    """
    lines = [f"### {label}", ""] + ([description, ""] if description else [])
    if levers:
        its = "the lever works and its" if len(levers) == 1 else "the levers work and their"
        lines += [f"How {its} known side effects (measured in promosim's docs/interventions.md):", ""]
        lines += [f"- {name}: {why}" for name, why in levers] + [""]
    clear = [r for r in rows.itertuples() if is_clear(r)]
    order = {"b": 0, "w": 1}  # better, worse, then the metrics with no better direction, then lever time
    clear.sort(key=lambda r: 3 if r.metric in COSTS else order.get(verdict(r)[:1], 2))
    unmeasured = [r.metric for r in rows.itertuples() if r.n == 0]
    untold = [plain_label(r.metric) for r in rows.itertuples() if r.n > 0 and not math.isfinite(r.ci_low)]
    steady = [plain_label(r.metric) for r in rows.itertuples() if math.isfinite(r.ci_low) and not is_clear(r)]
    baseline = markdown_text(rows["baseline"].iloc[0])
    if clear:
        lines += [f"Clear changes against {baseline} ({counted(int(rows['n'].max()), 'pair')} of runs):", ""]
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
    of even one false "clear" among all the tests at 5% (at 1 - confidence: :func:`alpha_of`).
    """
    tests = holm_tests(effects)
    if tests < 2:
        return []
    rows = list(zip(labels, effects.itertuples(), strict=True))
    family = [(label, r) for label, r in rows if in_family(r)]
    clear = [(label, r) for label, r in family if signed_clear(r)]
    kept = [f"{plain_label(r.metric)} for {markdown_text(label)}" for label, r in clear if holds_after_holm(r)]
    alpha = alpha_of(effects)
    expected = alpha * tests
    shown = "" if len(family) >= tests else (  # `report --metrics`: the counts below are of the rows shown
        f"This table shows {len(family)} of them (the metrics asked for); of those, ")
    text = (f"*Many comparisons:* this report makes {tests} tests (each variant against each metric with a better "
            f"direction; lever time, which a lever sets by design, and counts such as headcount are left out). Even "
            f"if no variant changed anything, about {fmt(expected, 2)} of them would look clear by chance alone "
            f"({percent_level(alpha)}). "
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


COST_WORDS = "A cost, not a result: reported beside the levers' results, never called better or worse."


def glossary_lines(metrics: Sequence[str], top_levels: Mapping[str, str] | None = None) -> list[str]:
    """What each reported metric means and which way is better, once for all variants.

    A representation ratio also names the levels that count as "the top" (``top_levels``, from
    :func:`top_level_names`): an org-design team did not know that "women at the top" meant
    Director and VP, the top ``metrics.key_levels`` levels of their file.
    """
    lines = ["### What the metrics mean", ""]
    named = list(dict.fromkeys((top_levels or {}).values()))
    if len(named) == 1:
        where = f" Here the top levels are {named[0]}."
    else:
        where = (" The top levels: " + "; ".join(f"in {markdown_text(arm)}, {text}"
                                                for arm, text in (top_levels or {}).items())
                 + ".") if named else ""
    for metric in metrics:
        info = metric_info(metric)
        if info is None:
            lines.append(f"- {code_span(metric)}")
            continue
        said = COST_WORDS if metric in COSTS else BETTER_WORDS[info.better]
        top = where if metric.startswith((REPRESENTATION, TOP_SHARE)) else ""
        lines.append(f"- **{info.label}** ({code_span(metric)}): {info.meaning}.{top} {said}")
    return [*lines, ""]


@dataclass
class Glance:
    """One variant at a glance: the headline metrics it clearly moved, and its lever time.

    Attributes:
        label: The comparison (the variant, or "variant vs baseline" in a grid).
        better, worse: Plain names of the metrics whose verdict stands (:func:`firm`).
        maybe_better, maybe_worse: Those clear on their own interval but not after Holm's
            correction: shown apart, since chance is a fair explanation for them.
        cost: Lever time against the baseline, hours per person per year, as text; None when
            lever time is not among the reported metrics.
    """

    label: str
    better: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    maybe_better: list[str] = field(default_factory=list)
    maybe_worse: list[str] = field(default_factory=list)
    cost: str | None = None


def lever_time(row: Any) -> str:
    """A variant's lever time: its hours when the baseline has none, else the change and the total."""
    if row.n == 0:
        return "—"
    shown = shown_change(row)
    if row.baseline_mean == 0:
        return "none" if row.variant_mean == 0 else shown.after
    return f"{shown.change} ({shown.after} in all)"


def at_a_glance(effects: pd.DataFrame, shown_as: Mapping[str, str] | None = None) -> list[Glance]:
    """Each variant's tally of clear better and worse verdicts, from :func:`plain_verdict`.

    "Which lever wins" took six per-lever sections and a tally by hand (an org-design trial);
    this is that tally, built from the same verdicts as the lines below it and the printed table.
    ``shown_as`` (:func:`glance_labels`) names a variant otherwise than by its label, so that
    report.md's table and the terminal's, both made here, name it alike.
    """
    tests = holm_tests(effects)
    out = []
    for label, rows in effects.assign(_label=comparison_labels(effects)).groupby("_label", sort=False):
        seen = Glance(str((shown_as or {}).get(str(label), label)))
        for row in rows.itertuples():
            word = plain_verdict(row, tests)
            if row.metric in COSTS:
                seen.cost = lever_time(row)
                continue
            kind = word.split(",")[0]
            if kind in ("better", "worse"):
                maybe = word.endswith(MAYBE_CHANCE)
                getattr(seen, f"{'maybe_' if maybe else ''}{kind}").append(plain_label(row.metric))
        mirrored = [m for m in dict.fromkeys(rows["metric"]) if m.startswith(REPRESENTATION)]
        if len(mirrored) == 2:
            for names in (seen.better, seen.worse, seen.maybe_better, seen.maybe_worse):
                _count_mirrors_once(names, mirrored)
        out.append(seen)
    return out


def _count_mirrors_once(names: list[str], mirrored: list[str]) -> None:
    """Two groups' representation ratios, both in ``names``, become one entry (in place).

    With two groups, one group's ratio comes closer to parity when the other's does (their
    shares at the top and overall each add up to 1; strictly so while the overall shares stay
    put, which a lever's hiring may move), so counting both tallied one fact twice: "clearly
    better: 2" for a single change. They are merged only when both have the same verdict.
    """
    labels = [plain_label(m) for m in mirrored]
    if all(label in names for label in labels):
        at = names.index(labels[0])
        groups = " and ".join(m.removeprefix(REPRESENTATION) for m in mirrored)
        names[at] = f"{groups} at the top (one change: each ratio mirrors the other)"
        names.remove(labels[1])


def _counted_names(names: Sequence[str]) -> str:
    """``3: a, b, c``, or ``none``."""
    return f"{len(names)}: {', '.join(names)}" if names else "none"


def glance_lines(effects: pd.DataFrame, reference: str = "baseline",
                 shown_as: Mapping[str, str] | None = None) -> list[str]:
    """The cross-variant table at the top of report.md: what each variant clearly improved or worsened, at what cost.

    ``shown_as``: variants named otherwise than by their labels (:func:`glance_labels`).
    """
    tests = holm_tests(effects)
    shown = {label: markdown_text(label) for label in comparison_labels(effects)} | dict(shown_as or {})
    glances = at_a_glance(effects, shown)
    rows = []
    for g in glances:
        maybe = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in
                          (("better", g.maybe_better), ("worse", g.maybe_worse)) if names)
        rows.append([g.label, _counted_names(g.better), _counted_names(g.worse), maybe or "none",
                     g.cost if g.cost is not None else "—"])
    whose = _whose(reference)
    lines = ["### Each variant at a glance", ""]
    lines += _md_table(["variant", "clearly better", "clearly worse", "clear alone, may be chance",
                        "lever time (hours per person per year)"], rows)
    holm = (f", and the change stays clear after Holm's correction for the {tests} tests of this report (the bold "
            "verdicts below)") if tests > 1 else ""
    lines += ["", f"*Clearly better* or *clearly worse*: the change's {percent_level(confidence_of(effects))} "
              f"interval excludes 0{holm}. "
              + ("*May be chance*: clear on its own interval, but not after that correction. " if tests > 1 else "")
              + "Every other metric did not clearly change, could not be told, has no better direction, or is a ratio "
              "that moved without coming clearly closer to parity: each variant's section below lists them. Lever "
              f"time is the people-time the levers take, against {whose}: a cost, not a result."]
    if all(g.cost is None for g in glances):
        lines[-1] += " (Lever time, `intervention_cost`, is not among this report's metrics.)"
    return [*lines, ""]


def summary_lines(effects: pd.DataFrame, descriptions: dict[str, str],
                  top_levels: Mapping[str, str] | None = None, shares: pd.DataFrame | None = None,
                  reference: str = "baseline", shown_as: Mapping[str, str] | None = None,
                  names: Mapping[str, str] | None = None,
                  levers: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> list[str]:
    """The plain-language summary: each variant at a glance, then per variant its clear changes, then the metrics.

    Args:
        effects: The effects table.
        descriptions: Each variant's own scenario description, by arm label.
        top_levels: The levels "at the top" by arm label (:func:`top_level_names`), for the glossary.
        shares: Each arm's share of the top by group (:func:`top_shares`).
        reference: What the variants are compared with, in words ("the baseline", or an arm's
            label in a report ``--against`` it).
        shown_as: Variants the at-a-glance table names otherwise than by their labels
            (:func:`glance_labels`).
        names: The arms' own scenario names, by label (:func:`scenario_names`), for their sections' headings.
        levers: Per variant, how each lever it differs from its reference by works (:func:`lever_reasons`).
    """
    if effects.empty:
        return ["## Summary", "", "Nothing to summarise yet: no variant has successful runs paired with its baseline.",
                ""]
    labels = comparison_labels(effects)
    tests = holm_tests(effects)
    lines = ["## Summary", "", *glance_lines(effects, reference, shown_as),
             *top_line(effects, top_levels, shares, reference),
             how_to_read(reference, confidence_of(effects)), "",
             *multiplicity_lines(effects, labels)]
    labelled = effects.assign(_label=labels)
    for label, rows in labelled.groupby("_label", sort=False):
        variant = str(rows["variant"].iloc[0])
        heading = named(variant, (names or {}).get(variant)) if label == variant else str(label)  # not a grid's
        lines += variant_summary(markdown_text(heading), rows, descriptions.get(variant), tests,
                                 (levers or {}).get(variant, ()))
    return lines + glossary_lines(list(dict.fromkeys(effects["metric"])), top_levels)


def top_line(effects: pd.DataFrame, top_levels: Mapping[str, str] | None,
             shares: pd.DataFrame | None = None, reference: str = "baseline") -> list[str]:
    """Which levels "the top" is, and each group's share of it, under the at-a-glance table.

    Only when a representation ratio is reported. The glossary at the end said which levels, but
    "women at the top" in the table above was read before it: an org-design trial's VP reader
    could not tell the top was VP and CEO, 11 seats, and then asked what share of them were
    women, which a ratio to parity does not say.

    Args:
        effects: The effects table.
        top_levels: The levels "at the top" by arm label (:func:`top_level_names`).
        shares: Each arm's share of the top by group (:func:`top_shares`); none for folders
            whose runs did not record it.
        reference: The arm the variants are compared with, whose first month the table shows
            ("baseline", or the arm of a report ``--against`` it, which its rows name).
    """
    named = list(dict.fromkeys((top_levels or {}).values()))
    if not named or not effects["metric"].str.startswith(REPRESENTATION).any():
        return []
    where = named[0] if len(named) == 1 else "; ".join(f"in {markdown_text(arm)}, {text}"
                                                       for arm, text in (top_levels or {}).items())
    lines = [f"*At the top*, in the representation ratios, means {where}."]
    if shares is not None and not shares.empty:
        whose = _whose(reference)
        lines += [f"Each group's share of the people there, in {whose} first recorded month (after its "
                  "warm-up, if it has one) and in each arm's last year (each run's average over its last year, "
                  "then the mean over the runs); it moves over the years with hiring, leaving and promotion, "
                  "levers or not:", "",
                  *_md_table(["", *map(markdown_text, shares.columns)],
                             [[markdown_text(arm), *map(percent, row)] for arm, row in shares.iterrows()])]
    return [*lines, ""]


def percent(value: float) -> str:
    """A share as a percentage with one decimal ("31.2%"), or a dash when there is none."""
    return f"{value:.1%}" if math.isfinite(value) else "—"


def top_shares(values: pd.DataFrame, effects: pd.DataFrame, design: Mapping[str, Any],
               store: ResultStore | None = None) -> pd.DataFrame:
    """Each group's share of the top (``top_share.<group>``): at the start, and in each arm's last year.

    Only when a representation ratio is reported; every group, also when one group's ratio
    alone is named (the shares add up to 1, and one column did not show it). An HR user's VP
    read the last year's 31.6 % as today's: the organisation's file had 1 woman among 15 at the
    top, and the share moved over ten years with hiring, leaving and promotion, levers or not.
    So the baseline's first recorded month comes first, from the stored time series.

    Returns:
        One row per baseline's start (``"firma: month 1"``; none when the runs kept no time
        series) and per arm (``"mentoring: last year"``), in the design's order, one column per
        group (the ratios' groups first); empty when no run stored the shares (a folder from
        before they were recorded) or no ratio is reported.
    """
    named = [m.removeprefix(REPRESENTATION) for m in dict.fromkeys(effects.get("metric", ()))
             if m.startswith(REPRESENTATION)]
    rows = values[values["metric"].str.startswith(TOP_SHARE)] if named else values.iloc[:0]
    if rows.empty:
        return pd.DataFrame()
    metrics = list(dict.fromkeys([*(f"{TOP_SHARE}{g}" for g in named), *rows["metric"]]))
    last = rows.groupby(["arm", "metric"])["value"].mean().unstack("metric")
    first = _first_month(store, design, metrics) if store is not None else pd.DataFrame()
    out = []
    for arm in design.get("arms", []):
        label = str(arm["label"])
        if arm.get("reference") is None and label in first.index:
            out.append(first.loc[label].rename(f"{label}: month 1"))
        if label in last.index:
            out.append(last.loc[label].rename(f"{label}: last year"))
    table = pd.DataFrame(out).reindex(columns=[m for m in metrics if m in last.columns])
    table.columns = [c.removeprefix(TOP_SHARE) for c in table.columns]
    return table


def _first_month(store: ResultStore, design: Mapping[str, Any], metrics: Sequence[str]) -> pd.DataFrame:
    """Each arm's mean of ``metrics`` in the first recorded month over its stored runs (arm x metric)."""
    series = store.timeseries(metrics, design_only=True, missing_ok=True)
    series = series[series["step"] == 1]
    if series.empty:
        return pd.DataFrame()
    tasks = planned_tasks(dict(design))[["run_id", "arm"]]
    series = tasks.merge(series[["run_id", "metric", "value"]], on="run_id")
    return series.groupby(["arm", "metric"])["value"].mean().unstack("metric")


def top_level_names(store: ResultStore, design: Mapping[str, Any]) -> dict[str, str]:
    """What "the top levels" of a representation ratio are in each arm's scenario, in words.

    E.g. ``Director and Executive (the top 2 of 6 levels, metrics.key_levels; 60 positions)``.
    Arms that share a scenario file and its organisation give the same text, so a report of
    levers on one organisation names the levels once. The folder keeps each scenario at its
    first grid point only, so an arm's own grid or sample values are set on it again: a sweep
    of ``metrics.key_levels`` names different levels at each point.
    """
    out = {}
    for arm in design.get("arms", []):
        scenario = copy.deepcopy(store.scenario(str(arm["scenario"])))
        for key, value in (arm.get("parameters") or {}).items():
            with contextlib.suppress(InputError):  # a key the stored scenario cannot hold names no level
                apply_override(scenario, key, value)
        levels = (scenario.get("organisation") or {}).get("levels") or []
        key = int((scenario.get("metrics") or {}).get("key_levels", 0) or 0)
        words = top_levels_words(levels, key, markdown_text)  # report.md's words
        if words:
            out[str(arm["label"])] = words
    return out


def scenario_names(store: ResultStore) -> dict[str, str]:
    """Each arm's scenario ``name:``, by arm label, where the report shows it beside the label (:func:`named`).

    An arm's label (its file's stem, an experiment file's key) names it in every table, CSV
    column, folder and option, so it stays a safe identifier; the scenario's ``name:`` is what
    its authors call it ("Acme Engineering"), and ``promosim run`` titles its table with it.
    ``compare acme.yaml`` showed only "acme", which read as another organisation (an org-design
    trial). A name the label already says is left out, and so is the baseline's name carried by
    a variant made from the baseline's file (a ``--levers`` arm, a ``file:`` with ``set:``):
    "Acme Engineering (mentoring)" would call the lever's arm the organisation. Read from the
    scenarios the folder keeps, so a folder written before is reported the same way (one that
    keeps none has no names).
    """
    design = store.design()
    arms = [arm for arm in design.get("arms") or [] if isinstance(arm, dict)]
    base = next((arm for arm in arms if arm.get("reference") is None), None)
    if base is None:
        return {}
    own: dict[str, str] = {}
    for scenario in dict.fromkeys(str(arm.get("scenario", arm["label"])) for arm in arms):
        # One line, as in a heading: a name with a line break in it broke report.md's "###" lines.
        own[scenario] = " ".join(str(store.scenario(scenario).get("name") or "").split())
    baseline = str(base.get("scenario", base["label"]))
    labels = {str(arm["label"]) for arm in arms}
    out = {}
    for arm in arms:
        scenario = str(arm.get("scenario", arm["label"]))
        name = own[scenario]
        # A name that is another arm's label would read as that arm ("acme (v2)" beside the arm acme).
        if name and name not in labels and name != scenario and (scenario == baseline or name != own[baseline]):
            out[str(arm["label"])] = name
    return out


def comparison_subject(design: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What was compared, as the terminal's table, the plots and report.md title it.

    An experiment by its name; ``promosim compare`` (whose design is named "compare") by its
    baseline, with the scenario's own name (:func:`scenario_names`): "Acme Engineering (acme)".
    From the folder's own design, so a report ``--against`` an arm keeps the organisation's name.
    """
    if design.get("source") != "command line":
        return str(design["name"])
    base = next((arm for arm in design.get("arms", []) if arm.get("reference") is None), None)
    return named(str(base["label"]), names.get(str(base["label"]))) if base is not None else str(design["name"])


def report_title(design: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """report.md's title: the experiment's name, or for ``promosim compare`` what was compared.

    A compare's report was titled "Experiment: compare", which says nothing to whoever it is
    forwarded to (a new user's trial). Its arms are named with their scenarios' own names
    (``names``, :func:`scenario_names`) beside their labels.
    """
    against = (design.get("against") or {}).get("label")
    if design.get("source") != "command line":
        return (f"Experiment: {markdown_text(design['name'])}"
                + (f", each arm against {markdown_text(against)}" if against else ""))
    arms = design.get("arms", [])
    names = names or {}

    def called(arm: Mapping[str, Any]) -> str:
        return markdown_text(named(str(arm["label"]), names.get(str(arm["label"]))))

    baseline = next((called(a) for a in arms if a.get("reference") is None), "the baseline")
    variants = [called(a) for a in arms if a.get("reference") is not None]
    shown = ", ".join(variants[:6]) + (f" and {len(variants) - 6} more" if len(variants) > 6 else "")
    return f"Comparison: {baseline} against {shown}" if variants else f"Comparison: {baseline}"


def experiment_file_line(design: Mapping[str, Any]) -> str:
    """The line of *What was run* that names the experiment file, or says there was none.

    A ``promosim compare`` has no file: its arms are named on the command line, and the line
    read "Experiment file: `command line`", as if a file were called that (an org-design trial).
    """
    source = design.get("source")
    if source == "command line":
        return ("- Experiment file: none; the scenarios and levers were named on the command line (`promosim "
                "compare`, the command below)")
    return f"- Experiment file: {code_span(source)}"


def status_notes(result: Analysis) -> list[str]:
    """Warnings that qualify every number below: runs not made yet, runs that failed, too few pairs for the verdicts."""
    lines = []
    if result.missing:
        lines += [f"> **Incomplete:** {result.missing} planned runs are not in the store. Re-run the same command "
                  "to finish them; finished runs are kept.", ""]
    if result.failed:
        lines += [f"> **{result.failed} run(s) failed** and are left out: see *Failed runs*.", ""]
    few = few_pairs_note(result.effects, result.confidence)
    if few:
        lines += [f"> **Few pairs:** {few}.", ""]
    return lines


# From this many pairs of runs, a paired t interval, and so a verdict, can be trusted (:func:`few_pairs_note`).
TRUSTED_PAIRS = 10


def few_pairs_note(effects: pd.DataFrame, confidence: float) -> str:
    """Why the verdicts of a comparison with fewer than ``TRUSTED_PAIRS`` pairs of runs are not to be trusted yet.

    ``compare`` warned of 1 replication only: 2 or 3 with a near-constant difference got a clear
    verdict, said as firmly as from 30 (an org-design trial). A t interval from n pairs rests on
    the spread of n differences, which so few estimate badly, and its multiplier is large
    (12.7 at 2 pairs, 4.3 at 3, 2.26 at 10, for 95%): an interval can come out narrow by luck.
    From 10 pairs the multiplier is within about 15% of the large-sample one and the spread is
    estimated from 9 degrees of freedom. "" from ``TRUSTED_PAIRS`` pairs on, and for no effects.
    """
    if effects.empty or not effects["n"].max() or int(effects["n"].max()) >= TRUSTED_PAIRS:
        return ""
    pairs = int(effects["n"].max())
    more = (f"use --replications {TRUSTED_PAIRS} or more for verdicts to trust (30, as the shipped experiments, "
            "for results to publish)")
    if pairs < 2:
        return f"1 pair of runs gives no confidence intervals and no verdicts; {more}"
    from scipy import stats  # noqa: PLC0415 (a report without few pairs does not need it)

    def multiplier(n: int) -> str:
        return f"{stats.t.ppf(0.5 + confidence / 2, n - 1):.2f}"

    return (f"{pairs} pairs of runs are few for these verdicts: a t interval from {pairs} pairs is wide and unstable "
            f"(its {percent_level(confidence)} multiplier is {multiplier(pairs)}, against {multiplier(TRUSTED_PAIRS)} "
            f"from {TRUSTED_PAIRS} pairs, on the spread of only {pairs} differences), so a change that happened to be "
            f"nearly the same in each pair can read as clear by luck; {more}")


def no_variant(design: Mapping[str, Any], plotted: bool = True) -> str:
    """What a design of one arm, with nothing paired with it, reports instead of effects ("" for any other).

    The baseline alone (experiments/sensitivity.yaml under ``experiment run``) printed an empty
    table and "Nothing to summarise yet", as if its runs were still to come. ``plotted``: the
    report has its plots (not ``--figures none``), where the monthly means are.
    """
    arms = [arm for arm in design.get("arms") or [] if isinstance(arm, dict)]
    if len(arms) != 1 or arms[0].get("reference"):  # every other arm is paired with one
        return ""
    monthly = ", its monthly means under *Plots*" if plotted else ""
    return (f"Nothing to compare: the design has one arm, {markdown_text(arms[0].get('label', ''))}, and no "
            "variant, so no paired change and no verdict. Each metric's mean over its runs is below, each run's "
            f"values are in `summaries/` (`ResultStore(FOLDER).summaries()`){monthly}; a "
            "variant under `scenarios: variants:` or a `grid:` gives comparisons.")


def shown_mean(row: Any) -> tuple[str, str, str]:
    """An arm's mean and its interval's bounds (a row of ``analysis.arm_means``) as text, NaN as an em dash.

    With the decimals of two significant digits of the interval's half-width, as a change that
    is not clear has (:func:`change_decimals`); with no interval (fewer than two runs), four
    significant digits of the mean.
    """
    half = (row.ci_high - row.ci_low) / 2
    if not math.isfinite(half):
        return fmt(row.mean), "—", "—"
    d = change_decimals(math.nan, half, (row.mean,))
    return fixed(row.mean, d), fixed(row.ci_low, d), fixed(row.ci_high, d)


# Under a mean whose interval analysis.arm_means cut to what the metric can be, in report.md and on the terminal.
CUT_NOTE = ("the interval went past what the metric can be (below 0 or above 1 for a share, below 0 for a count) and "
            "is cut there: Student's t over few runs is symmetric and does not know the bound; cutting takes away "
            "only impossible values, so the interval holds the mean as often as before (more runs narrow it).")


def means_lines(means: pd.DataFrame, top_levels: Mapping[str, str] | None = None) -> list[str]:
    """report.md's table of a one-arm design: each metric's mean over the replications with its interval.

    The baseline run alone (to see where it settles, or how far its replications spread) showed only
    its trajectories; these are the numbers, and what each metric means.
    """
    if means.empty:
        return []
    level = percent_level(confidence_of(means))
    rows = []
    for r in means.itertuples():
        mean, low, high = shown_mean(r)
        rows.append([markdown_text(plain_label(r.metric)), f"`{r.metric}`", mean,
                     f"{low} to {high}{' (cut)' * bool(r.clipped)}" if low != "—" else "—", int(r.n)])
    lines = ["### Each metric over the replications", "",
             f"The mean over the runs of {markdown_text(means['arm'].iloc[0])}, with its {level} confidence interval "
             f"(Student's t over the replications: the range that holds the mean of many more such runs with {level} "
             "confidence; more replications narrow it). *n*: the runs with a value (a rate with nothing to count "
             "has none in a run); with fewer than 2 there is no interval. The same, with each standard deviation: "
             "`means.csv`.", ""]
    lines += [*_md_table(["metric", "key", "mean", f"{level} CI", "n"], rows), ""]
    if means["clipped"].any():
        lines += [f"(cut): {CUT_NOTE}", ""]
    unmeasured = [str(m) for m in means.loc[means["n"] == 0, "metric"]]
    if unmeasured:  # as a variant's section says it (variant_summary): more replications would not help
        lines += [f"No value in any run: {', '.join(map(plain_label, unmeasured))}.", ""]
        reasons = undefined_reasons(unmeasured, top_is_everyone=None, runs="these runs", label=plain_label)
        lines += [f"- {reason}." for reason in reasons] + [""]
    return [*lines, *glossary_lines(list(means["metric"]), top_levels)]


def render_report(design: dict[str, Any], prov: Provenance, result: Analysis,
                  descriptions: dict[str, str] | None = None, top_levels: Mapping[str, str] | None = None,
                  horizon: str | None = None) -> str:
    """report.md: a plain summary, then what ran, the effects, the plots, the failures and how to reproduce it.

    Args:
        design: The stored design.
        prov: Who wrote the design and who made the runs.
        result: The effects and the runs.
        descriptions: Each variant's own scenario description, by arm label.
        top_levels: The levels "at the top" by arm label (:func:`top_level_names`).
        horizon: The years and headcount line (:func:`horizon_line`, with the stored scenarios).
    """
    lines = [f"# {report_title(design, result.names)}", ""]
    if design.get("description"):
        lines += [markdown_text(design["description"]), ""]
    if design.get("against"):
        label = design["against"]["label"]
        lines += [f"> Every arm here is compared with **{markdown_text(label)}**, from the same paired runs "
                  f"(`promosim experiment report FOLDER --against {label}`); the folder's own report.md compares "
                  f"each with {markdown_text(design['against']['was'])}.", ""]
    lines += status_notes(result)
    reference = markdown_text((design.get("against") or {}).get("label") or "baseline")  # in report.md's words
    alone = no_variant(design, plotted=not result.not_drawn)
    if alone:
        lines += ["## Summary", "", alone, "", *means_lines(result.means, top_levels)]
    else:
        lines += summary_lines(result.effects, descriptions or {}, top_levels, result.top_shares, reference,
                               result.glance_labels, result.names, result.levers)
    ok = int((result.runs["status"] == "ok").sum())
    level, alpha = percent_level(result.confidence), significance(result.confidence)
    lines += ["## What was run", ""]
    lines += [
        experiment_file_line(design),
        f"- Replications: {design['replications']} per arm, paired by seed (common random numbers: "
        "replication *k* uses the same seed in every scenario)",
        horizon or horizon_line(design),
        f"- Experiment seed: {design['seed']} (replication seeds derived with numpy SeedSequence.spawn)",
        f"- Runs: {result.planned} planned, {ok} succeeded, {result.failed} failed, {result.missing} not run yet",
        f"- Confidence level: {level} for every interval and band; a change is clear, and stays clear after Holm's "
        f"correction, at {percent_level(alpha)} significance (`--confidence` sets another level)",
    ]
    lines += provenance_lines(prov)
    lines += [""]
    seeds = design.get("seeds", [])
    shown = ", ".join(str(s) for s in seeds[:MAX_SEEDS_SHOWN])
    more = f", … ({len(seeds)} in all; every seed is in experiment.json and the runs table)" \
        if len(seeds) > MAX_SEEDS_SHOWN else ""
    lines += ["Replication seeds (k = 0, 1, …): " + shown + more, ""]
    lines += ["### Scenarios", ""]
    rows = [[markdown_text(named(str(arm["label"]), result.names.get(str(arm["label"])))), code_span(arm["source"]),
             f"`{arm['scenario_hash']}`", settings_shown(arm["parameters"]),
             "; ".join([*([settings_shown(arm["set"])] if arm.get("set") else []),
                        *(f"without {code_span(f'{k}={v}')}" for k, v in (arm.get("without") or {}).items())]) or "—",
             markdown_text(arm["reference"]) if arm.get("reference") else "(reference)"] for arm in design["arms"]]
    lines += _md_table(["arm", "scenario file", "content hash", "parameters", "set", "paired with"], rows)
    if design.get("set"):
        lines += ["", f"Every scenario also with the experiment's set: {settings_shown(design['set'])}"]
    where = "../scenarios/" if design.get("against") else "scenarios/"  # --against: the comparison's own folder
    lines += ["", f"Each scenario as it ran, every default spelled out, is in `{where}`.", ""]

    lines += ["## Effects", "",
              f"Difference = variant - {reference}, averaged over replications run with the same seed. The {level} "
              "confidence interval is Student's t on the paired differences. *d* is Cohen's d (difference over "
              "the pooled run-to-run standard deviation). *CI width vs unpaired* is the paired interval's "
              "width over the unpaired (Welch) interval's on the same runs: below 1, pairing bought precision. "
              "Only complete pairs count (*n*); a metric that is undefined (NaN) in a run drops that pair. "
              "*p* is the paired t-test's (— where the arms agree in every pair); *p (Holm)* is the same p-value "
              "adjusted by Holm's method for the design's tests that get a verdict (lever time and counts left "
              f"out): below {fmt(alpha)}, a result stays clear even allowing for how many tests were made (the "
              "intervals are not adjusted).", ""]
    effects = result.effects
    if effects.empty:
        why = "the design has no variant" if alone else "no variant has successful runs paired with its baseline yet"
        lines += [f"No effects: {why}.", ""]
    else:
        rows = [[markdown_text(r.metric), markdown_text(label), fmt(r.baseline_mean), fmt(r.variant_mean), fmt(r.diff),
                 f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]", int(r.n), fmt(r.effect_size, 2), fmt_p(r.p_value),
                 fmt_p(r.p_holm), fmt(r.ci_width_ratio, 2)]
                for r, label in zip(effects.itertuples(), comparison_labels(effects), strict=True)]
        lines += _md_table(["metric", "variant", f"{reference} mean", "variant mean", "difference", f"{level} CI", "n",
                            "d", "p", "p (Holm)", "CI width vs unpaired"], rows)
        lines += ["", "All columns, including the unpaired intervals and variance reduction: `effects.csv`; each arm's "
                  "mean of each metric with its interval: `means.csv`.", ""]
    if result.interactions is not None:
        from sim.experiment.interaction import interaction_lines  # noqa: PLC0415 (it imports this module)

        lines += interaction_lines(result.interactions, result.confidence)
    lines += ["## Plots", ""]
    forest = [path for key, path in result.files.items() if key.startswith("forest.")]
    trajectories = [path for key, path in result.files.items() if key.startswith("trajectories.")]
    if forest:
        lines += [f"Paired differences with {level} confidence intervals (thin grey: the unpaired interval):", "",
                  *figure_lines("forest plot of effects", forest)]
    if trajectories:
        lines += [f"Mean trajectory of each metric per arm, with a {level} confidence band across replications (a t "
                  "interval of each month's values; it stops at 0 for a metric no run had below 0). "
                  "Promotion stick rate, decliner retention and development ROI start once every record their "
                  "trailing year counts can have settled (docs/ODD.md 7.12.1); before that they would count the "
                  "outcomes that settle at once without the others. Without a warm-up (`warmup_months: 0`, as for a "
                  "headcount file) managers start with no view of anyone, so misread and hidden-ambition rates "
                  "start at 0 and rise over the first months as views form.", "",
                  *figure_lines("metric trajectories", trajectories)]
    lines += result.not_drawn
    lines += ["## Failed runs", ""]
    if result.failures.empty:
        lines += ["None.", ""]
    else:
        lines += [f"{result.failed} run(s) failed. Re-run with `--retry-failed` to try them again.", ""]
        lines += _md_table(["reason", "runs", "arms"],
                           [[code_span(r.reason), r.count, markdown_text(r.arms)]
                            for r in result.failures.itertuples()])
        lines += ["", "First traceback:", "", "```", str(result.failures["example"].iloc[0]).rstrip(), "```", ""]
    lines += ["## Data", ""]
    if design.get("against"):  # its own folder holds only this report, effects.csv and the plots
        lines += ["In the comparison's own folder, one up from this report's (`../`):", ""]
    lines += ["- `runs/`: one row per run (run_id, scenario, arm, parameters, replication, seed, status, error, "
              "duration, worker)",
              "- `summaries/scenario=*/`: each run's summary metrics (long format)",
              "- `timeseries/scenario=*/`: each run's monthly metrics"]
    if design.get("timeseries") != "none":  # runs without series keep no promotions either
        lines += ["- `promotions/scenario=*/`: each run's promotions and how each settled (stuck, failed, pending), "
                  "to break the stick rate down by level or track (by group it is in the summaries: "
                  "promotion_stick_rate.<group>; docs/experiments.md, Python API)"]
    lines += ["- `experiment.json`, `sessions.jsonl`: the design, and the provenance of every invocation", ""]
    return "\n".join(lines)


# The printed table's width when stdout is not a terminal (a log, a pipe): a manager's window.
COMPACT_WIDTH = 100
VERDICT_STYLES = {"better": "bold green", "worse": "bold red"}


def print_effects(effects: pd.DataFrame, title: str = "paired effects (variant - baseline)",
                  full: bool = False, reference: str = "baseline", shown_as: Mapping[str, str] | None = None,
                  confidence: float | None = None) -> None:
    """The effects on stdout: a compact table of plain verdicts, or every statistic with ``full``.

    An org-design trial's default table had 138 rows by 9 columns, about 220 characters wide,
    with Cohen's d and CI ratios a manager could not read and no word on better or worse. The
    compact table gives, per metric and variant, before → after, the change with its CI
    and the verdict of :func:`plain_verdict` (the report's own, so the two never disagree), then
    each variant at a glance and a legend. ``full`` (``--full``) prints the researchers' table.
    ``shown_as`` (``Analysis.glance_labels``) names variants in the at-a-glance table as report.md's does.
    ``confidence`` (``Analysis.confidence``) is the level the headers name, by default the table's own
    (:func:`confidence_of`), which an empty table does not have.
    """
    from rich.console import Console  # noqa: PLC0415

    confidence = confidence_of(effects) if confidence is None else confidence
    level = percent_level(confidence)
    # Beside the verdicts it qualifies, as report.md has it at its top (a note before the runs scrolled away).
    few = few_pairs_note(effects, confidence)
    if full:
        console = Console(width=None if sys.stdout.isatty() else 160)
        console.print(_full_table(effects, title, level))
        if few:
            console.print(f"note: {few}", highlight=False, markup=False)
        return
    # A terminal's own width, or COLUMNS when set (rich reads it); else a manager's window.
    console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else COMPACT_WIDTH)
    tests = holm_tests(effects)
    table = _compact_table(effects, title, tests, level)
    labels = comparison_labels(effects) if len(effects) else []
    rows = [(label_lines(label).splitlines()[0], plain_verdict(r, tests))
            for r, label in zip(effects.itertuples(), labels, strict=True)]
    if not _fits_whole(table, console.width, rows):
        table = _compact_table(effects, title, tests, level, before_after=False)
    if not _fits_whole(table, console.width, rows):
        # Each part of a label whole, and every word of the verdicts, which may wrap: beside the change and its
        # interval, else with the interval under the change; folded mid-word only where neither fits.
        parts = [part.strip() for label in labels for part in label_lines(label).splitlines()]
        words = [word for _, verdict in rows for word in verdict.split()]
        for stacked in (False, True):
            whole = _compact_table(effects, title, tests, level, before_after=False, whole_labels=True,
                                   stacked=stacked)
            if _uncut(whole, console.width, [*parts, *words]):
                table = whole
                break
    console.print(table)
    if effects.empty:
        return
    glance = _glance_table(effects, shown_as, console.width)
    glance_parts = [part.strip() for g in at_a_glance(effects, shown_as) for part in label_lines(g.label).splitlines()]
    if not _uncut(glance, console.width, glance_parts):
        glance = _glance_table(effects, shown_as)
    console.print(glance)
    holm = (f'better/worse: clear even after allowing for the {tests} tests made (Holm\'s correction); "may be '
            'chance": clear on its own, not after that. ') if tests > 1 else ""
    console.print(f"change: variant minus {reference}, averaged over runs paired by seed; [{level} CI]: the range "
                  f"that holds the true change with {level} confidence. {holm}Lever time is a cost, not a result. "
                  "Every statistic: --full or effects.csv.", highlight=False, markup=False)
    if few:
        console.print(f"note: {few}", highlight=False, markup=False)


def print_means(means: pd.DataFrame, title: str) -> None:
    """A one-arm design's means on stdout (:func:`means_lines` in report.md): metric, mean [CI], runs, and a legend."""
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    if means.empty:
        return
    level = percent_level(confidence_of(means))
    console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else COMPACT_WIDTH)
    table = Table(title=escape(title), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("metric", overflow="fold")
    table.add_column(f"mean [{level} CI]", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    for r in means.itertuples():
        mean, low, high = shown_mean(r)
        table.add_row(escape(plain_label(r.metric)),
                      escape(f"{mean} [{low}, {high}]{'*' * bool(r.clipped)}" if low != "—" else mean), str(int(r.n)))
    console.print(table)
    cut = f" *: {CUT_NOTE}" if means["clipped"].any() else ""
    console.print(f"mean over the runs of {means['arm'].iloc[0]}; [{level} CI]: the range that holds the mean of "
                  f"many more such runs with {level} confidence; n: the runs with a value.{cut} What each metric "
                  "means: report.md.", highlight=False, markup=False)


def _fits_whole(table: Any, width: int, rows: Sequence[tuple[str, str]]) -> bool:
    """Whether ``table`` fits ``width`` with each row's label and verdict whole on one line.

    The printed table leaves "before → after" out where it does not (report.md and --full keep
    it). Rich cannot narrow the number columns, so it squeezes the others: the console cut the
    verdicts at its edge, an 80-column terminal's ("no clear ch") and, with a 28-character label
    and five-decimal rates, a piped 100-column table's ("worse, may be chan"; an org-design trial),
    where the shipped levers' table fits; narrower still, the labels went. A fixed width cannot
    tell these apart; the table laid out uncut, off screen, can.
    """
    lines = _laid_out(table, width)
    shown = {line.strip() for line in lines}
    # Whole cells, not prefixes: "mentoring" must not be found in a row of "mentoring_group_a".
    return max(map(len, lines), default=0) <= width and all(
        any(line.startswith(label + " ") and line.endswith(" " + verdict) for line in shown) for label, verdict in rows)


def _uncut(table: Any, width: int, whole: Sequence[str] = ()) -> bool:
    """Whether ``table`` fits ``width`` with no cell cut short ("developme…") and each of ``whole`` on a line.

    Rich gives a column too narrow for its words none of the width: an 80-column table with
    five-decimal intervals dropped its verdicts altogether, with no "…" to tell.
    """
    lines = _laid_out(table, width)
    return (max(map(len, lines), default=0) <= width and not any("…" in line for line in lines)
            and all(any(piece in line for line in lines) for piece in whole))


def _laid_out(table: Any, width: int) -> list[str]:
    """The lines of ``table`` printed uncut at ``width``, off screen: wider ones are what the console would cut."""
    from rich.console import Console  # noqa: PLC0415

    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(table, crop=False)
    return console.file.getvalue().splitlines()


def _compact_table(effects: pd.DataFrame, title: str, tests: int, level: str, before_after: bool = True,
                   whole_labels: bool = False, stacked: bool = False) -> Any:
    """Per metric a heading with which way is better, then one row per variant (see :func:`print_effects`).

    ``level``: the intervals' confidence level as its header names it (:func:`percent_level`).
    ``whole_labels``: each line of a variant's label (:func:`label_lines`) keeps its width and the
    verdicts wrap instead: at 80 columns rich folded "parallel_ladders_specialist_share_0.1_and_"
    mid-word to give the verdicts room (an org-design trial). :func:`print_effects` drops it
    where the table would then not fit. ``stacked``: each change's interval goes under it, a
    narrower column ("-0.01402" / "[-0.03408, 0.00603]") where five decimals left no room.
    """
    from rich import box  # noqa: PLC0415
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    pairs = f", {counted(int(effects['n'].max()), 'pair')} of runs" if len(effects) else ""
    table = Table(title=escape(title + pairs), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    labels = comparison_labels(effects) if len(effects) else []
    # The variants' labels keep their line (a metric's heading wraps instead), up to a grid's long ones.
    longest = max((len(line) for label in labels for line in label_lines(label, indent="  ").splitlines()), default=0)
    table.add_column("metric / variant", overflow="fold", no_wrap=whole_labels,
                     min_width=longest if whole_labels else min(LABEL_WIDTH, longest))
    if before_after:
        table.add_column("before → after", justify="right", no_wrap=True)
    table.add_column(f"change\n[{level} CI]" if stacked else f"change [{level} CI]", justify="right", no_wrap=True)
    # With the means a verdict keeps its line, or the table is too wide for them (:func:`_fits_whole`).
    table.add_column("verdict", no_wrap=before_after)
    previous = None
    decimals: dict[str, int] = {}  # per metric, the most any of its rows needs: one baseline, one way of writing it
    for r in effects.itertuples():
        if r.n:
            decimals[r.metric] = max(decimals.get(r.metric, 0), shown_change(r).decimals)
    for r, label in zip(effects.itertuples(), labels, strict=True):
        if r.metric != previous:
            heading = f"[bold]{escape(plain_label(r.metric))}[/bold]"
            direction = f"[italic]{escape(direction_words(r.metric))}[/italic]"
            if whole_labels:  # beside the metric, where the labels make room, not folded in a narrow verdict column
                table.add_row(Text.from_markup(f"{heading}: {direction}", overflow="fold"), "", "")
            else:
                table.add_row(heading, *([""] * before_after), "", direction)
            previous = r.metric
        shown = shown_change(r, decimals.get(r.metric, 0))
        word = plain_verdict(r, tests)
        style = VERDICT_STYLES.get(word) or ("dim" if word.endswith(MAYBE_CHANCE) else "")
        means = [f"{shown.before} → {shown.after}" if r.n else "—"] if before_after else []
        change = f"{shown.change}{chr(10) if stacked else ' '}[{shown.low}, {shown.high}]" if r.n else "—"
        table.add_row(escape(label_lines(label, indent="  ")), *means, change,
                      f"[{style}]{escape(word)}[/{style}]" if style else escape(word))
    return table


def _glance_table(effects: pd.DataFrame, shown_as: Mapping[str, str] | None = None, width: int | None = None) -> Any:
    """Each variant at a glance (:func:`at_a_glance`), the table report.md opens with, names and counts.

    ``width``: keep each line of a label (:func:`label_lines`) whole in a table that wide,
    which rich otherwise squeezed and folded mid-word ("parallel_ladders_specialist_share_0.1_an"
    / "d_", an org-design trial): the lists of metrics wrap in what is left, no narrower than
    their longest word. Rich's own sharing of the width cut those words ("developme…") at 80
    columns, so the widths are worked out here (:func:`_glance_widths`); None where they cannot
    be, and the label folds as before.
    """
    from rich import box  # noqa: PLC0415
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    rows = []
    for g in at_a_glance(effects, shown_as):
        cells = [(_counted_names(names), f"+{len(maybe)} {MAYBE_CHANCE}" if maybe else "")
                 for names, maybe in ((g.better, g.maybe_better), (g.worse, g.maybe_worse))]
        rows.append((label_lines(g.label), cells, g.cost if g.cost is not None else "—"))
    headers = ("variant", "clearly better", "clearly worse", "lever time\nh/person/yr")
    widths = _glance_widths(headers, rows, width) if width else None
    table = Table(title="each variant at a glance", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for k, header in enumerate(headers):
        table.add_column(header, overflow="fold" if k == 0 else "ellipsis", justify="right" if k == 3 else "left",
                         width=widths[k] if widths else None, no_wrap=bool(widths) and k in (0, 3))
    for label, cells, cost in rows:
        shown = [escape(names) + (f"\n[dim]{escape(maybe)}[/dim]" if maybe else "") for names, maybe in cells]
        table.add_row(escape(label), *shown, escape(cost))
    return table


def _glance_widths(headers: Sequence[str], rows: Sequence[tuple[str, list[tuple[str, str]], str]],
                   width: int) -> list[int] | None:
    """Column widths for the at-a-glance table at ``width``, or None where it cannot fit.

    Labels and lever time keep their width; the lists of metrics share the rest, each at least
    its longest word and at most its longest line, the shorter list ("none") served first.
    """
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    def longest(texts: Sequence[str], unit: str = "line") -> int:
        pieces = [piece for text in texts for piece in (text.split() if unit == "word" else text.splitlines())]
        return max(map(len, pieces), default=1)

    fixed = [longest([headers[0], *(label for label, _, _ in rows)]), longest([headers[3], *(c for _, _, c in rows)])]
    lists = [[headers[k + 1], *(text for _, cells, _ in rows for text in cells[k])] for k in (0, 1)]
    least, most = [longest(t, "word") for t in lists], [max(longest(t), longest(t, "word")) for t in lists]
    # The room the table's edges and gaps take: laid out with every column one character wide.
    probe = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_header=False)
    for _ in headers:
        probe.add_column(width=1)
    probe.add_row(*"xxxx")
    free = width - max(map(len, _laid_out(probe, width))) + len(headers) - sum(fixed)
    if sum(least) > free:
        return None
    share, left = list(least), free - sum(least)
    for k in sorted((0, 1), key=lambda k: most[k]):  # the shorter list whole first ("none"), the other wraps
        share[k] += min(most[k] - least[k], left)
        left -= share[k] - least[k]
    return [fixed[0], *share, fixed[1]]


def _full_table(effects: pd.DataFrame, title: str, level: str) -> Any:
    """Every statistic per metric and variant (``--full``): means, difference, CI, n, Cohen's d, CI vs unpaired.

    ``level``: the intervals' confidence level as its header names it (:func:`percent_level`).
    """
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=escape(title))
    table.add_column("metric", no_wrap=True)
    # A long label breaks between its parts (label_lines), as in the compact table: rich folded
    # "mentoring_and_career_conversatio" / "ns" even at 160 columns. A grid's "variant vs baseline" too.
    labels = [label_lines(label) for label in comparison_labels(effects)] if len(effects) else []
    longest = max((len(line) for label in labels for line in label.splitlines()), default=0)
    table.add_column("variant", overflow="fold", min_width=min(LABEL_WIDTH, longest))
    for name in ("baseline mean", "variant mean", "diff", f"{level} CI", "n", "d", "CI vs unpaired"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    previous = None
    for r, label in zip(effects.itertuples(), labels, strict=True):
        if previous is not None and r.metric != previous:
            table.add_section()
        diff = f"[bold]{escape(fmt(r.diff))}[/bold]" if is_clear(r) else escape(fmt(r.diff))
        table.add_row(escape(r.metric) if r.metric != previous else "", escape(label), fmt(r.baseline_mean),
                      fmt(r.variant_mean), diff, escape(f"[{fmt(r.ci_low, 3)}, {fmt(r.ci_high, 3)}]"), str(int(r.n)),
                      fmt(r.effect_size, 2), fmt(r.ci_width_ratio, 2))
        previous = r.metric
    return table
