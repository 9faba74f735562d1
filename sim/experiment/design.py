"""Experiment files and the run plan they expand to.

An experiment file says *what to compare*: a baseline scenario and its variants, optional
parameter grids over any scenario key path, how many replications, how long, which metrics, and
(for sensitivity analysis) parameter ranges. :func:`load_experiment` validates it with the same
one-line :class:`~sim.errors.InputError` style as scenario files, and :func:`build_design` expands
it into a :class:`Design`: every *arm* (a scenario at one grid point) resolved to a validated
scenario, and every run (arm x replication) with its seed and deterministic ``run_id``.

Seeding follows common random numbers: replication *k* uses the same seed in every arm, so two
arms differ only where their rules differ and comparisons can be paired by replication. All seeds
derive from the one experiment seed through numpy's SeedSequence (:func:`sim.random.derive_seeds`).
Resolving every arm before any run starts means a typo in run 900 is a one-line error at second 0.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError
from sim.random import derive_seeds
from sim.scenario import (
    MAX_HEADCOUNT,
    SCENARIO_DIR,
    Scenario,
    closest,
    error_line,
    extends_chain,
    key_path_parts,
    load_scenario,
    not_found,
    pattern_words,
    read_yaml,
    refuse_data_file,
    refuse_other_kind,
    resolve_path,
    shipped_file,
    typos_first,
)

LABEL_PATTERN = r"^[A-Za-z0-9_.\-]+$"
LABEL_LENGTH = 80
Label = Annotated[str, Field(min_length=1, max_length=LABEL_LENGTH, pattern=LABEL_PATTERN)]
TimeseriesMode = Literal["totals", "all", "none"]
Method = Literal["morris", "sobol"]


class _Strict(BaseModel):
    """Base for every block: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ScenarioRef(_Strict):
    """A scenario file with optional overrides of its own, e.g. a policy switched."""

    file: Annotated[str, Field(min_length=1)]
    name: Label | None = None
    set: dict[str, Any] = Field(default_factory=dict)


ScenarioSpec = Annotated[str, Field(min_length=1)] | ScenarioRef


class Scenarios(_Strict):
    """The baseline and the variants compared against it."""

    baseline: ScenarioSpec
    variants: dict[Label, ScenarioSpec] | list[ScenarioSpec] = Field(default_factory=dict)


class GridRange(_Strict):
    """Evenly spaced values from ``low`` to ``high`` (both included)."""

    low: float
    high: float
    steps: Annotated[int, Field(ge=2, le=1000, strict=True)]

    @model_validator(mode="after")
    def _ordered(self) -> GridRange:
        """Refuse ``low`` above ``high`` as the sensitivity block's ranges are refused.

        The same points in reverse order would run, but a researcher's swapped bounds are more
        often a slip than a wish; ``low == high`` repeats one point, and ``.nan`` was reported as
        a whole-number setting's clash.
        """
        got = f"(got low {self.low}, high {self.high})"
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"low and high must be numbers {got}")
        if self.low > self.high:
            raise ValueError(f"low is above high {got}: swap them")
        if self.low == self.high:
            raise ValueError(f"low and high are equal {got}: to run one value, list it: [{self.low:g}]")
        return self

    def values(self) -> list[float]:
        """The ``steps`` values, rounded to 12 digits so that 0.1 + 0.2 style noise stays out of run ids."""
        step = (self.high - self.low) / (self.steps - 1)
        return [round(self.low + i * step, 12) for i in range(self.steps)]


# A sampled bound: int or float, not a bool or a number in quotes (see ``Sensitivity.parameters``).
Bound = Annotated[float, Field(strict=True)]

# What to do instead of sampling a true/false setting: said alike for `[false, true]` and for
# `[0, 1]` on a switch (heuristics.silence_as_disinterest, say).
SWITCH_HINT = ("Morris and Sobol' sample numbers between two bounds; to compare a switch's two settings, use "
               "`promosim experiment run` with one variant per setting, each with its own `set:`")


def _written(value: Any) -> str:
    """A value as YAML shows it (``[0.01]``, ``[false, true]``, ``{min: 0.1}``, ``null``), not as Python does."""
    if isinstance(value, list | tuple):
        return f"[{', '.join(_written(v) for v in value)}]"
    if isinstance(value, Mapping):
        return f"{{{', '.join(f'{_written(k)}: {_written(v)}' for k, v in value.items())}}}"
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


class Sensitivity(_Strict):
    """Ranges for a global sensitivity analysis and how densely to sample them."""

    scenario: Label | None = None
    method: Method = "morris"
    samples: Annotated[int, Field(ge=2, le=100_000, strict=True)] = 8
    levels: Annotated[int, Field(ge=2, le=100, strict=True)] = 4
    replications: Annotated[int, Field(ge=1, le=10_000, strict=True)] = 1
    metrics: Annotated[list[str], Field(min_length=1)] | None = None
    # Strict, as the file's counts are: a lax float read `[false, true]` as [0, 1] (refused later
    # as "the low bound 0 ... (got 0.0)", a value nobody wrote) and `"0.04"` as a number.
    parameters: Annotated[dict[str, tuple[Bound, Bound]], Field(min_length=1)]

    @field_validator("parameters", mode="before")
    @classmethod
    def _two_numbers(cls, value: Any) -> Any:
        """Refuse a range that is not ``[low, high]`` in one line that says how to write it.

        Pydantic's own words for these were "[1]: required key is missing" (one value), "Tuple
        should have at most 2 items" (three) and "a valid tuple (got dict)" (a grid's ``{low,
        high}``), and a switch's ``[false, true]`` was read as [0, 1].
        """
        if not isinstance(value, Mapping):
            return value
        for key, bounds in value.items():
            if isinstance(bounds, Mapping) and {"low", "high"} <= set(bounds):
                low, high = _written(bounds["low"]), _written(bounds["high"])
                raise ValueError(f"@{key}@ needs [low, high], two numbers (got {{low: {low}, high: {high}}}, a "
                                 f"grid's way of writing a range): write [{low}, {high}]")
            if not isinstance(bounds, list | tuple) or len(bounds) != 2:
                raise ValueError(f"@{key}@ needs [low, high], two numbers (got {_written(bounds)})")
            if any(isinstance(b, bool) for b in bounds):
                raise ValueError(f"@{key}@ true and false are not bounds (got {_written(bounds)}): {SWITCH_HINT}")
        return value

    @field_validator("parameters")
    @classmethod
    def _ordered(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for key, (low, high) in value.items():
            if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
                raise ValueError(f"@{key}@ needs [low, high] with low < high (got [{low}, {high}])")
        return value


def sensitivity_limits(key: str) -> tuple[int, int]:
    """The least and the greatest whole number the file's ``sensitivity.<key>`` takes (``samples``, ``levels``).

    Read from :class:`Sensitivity`'s own rule, so that a command-line option standing in for the
    key (``--samples``, ``--levels``) is checked against the same range as the file and names
    itself, without a second copy of the numbers to drift apart.
    """
    rules = Sensitivity.model_fields[key].metadata
    low = next(rule.ge for rule in rules if getattr(rule, "ge", None) is not None)
    high = next(rule.le for rule in rules if getattr(rule, "le", None) is not None)
    return int(low), int(high)


class ExperimentFile(_Strict):
    """The schema of experiments/*.yaml (see docs/experiments.md)."""

    name: Label | None = None
    description: str = ""
    # Strict: YAML reads `yes` as True and `"10"` as a string, and a lax int or float would take
    # them as 1 and 10, running a design nobody wrote (scenario files refuse both too).
    seed: Annotated[int, Field(ge=0, lt=2**63, strict=True)] = 1
    replications: Annotated[int, Field(ge=1, le=100_000, strict=True)] = 30
    years: Annotated[float, Field(gt=0, le=100, strict=True)] | None = None
    headcount: Annotated[int, Field(ge=2, le=MAX_HEADCOUNT, strict=True)] | None = None
    metrics: Annotated[list[str], Field(min_length=1)] | None = None
    timeseries: TimeseriesMode = "totals"
    set: dict[str, Any] = Field(default_factory=dict)
    scenarios: Scenarios
    grid: dict[str, Annotated[list[Any], Field(min_length=1)] | GridRange] = Field(default_factory=dict)
    sensitivity: Sensitivity | None = None

    @model_validator(mode="after")
    def _metrics_known(self) -> ExperimentFile:
        lists = {"metrics": self.metrics, "sensitivity.metrics": self.sensitivity.metrics if self.sensitivity else None}
        for where, names in lists.items():
            found = first_unknown_metric(names)  # groups are checked once the scenarios are resolved
            if found:
                raise ValueError(f"@{where}[{found[0]}]@ {found[1]}")
        return self


def known_metrics() -> tuple[str, ...]:
    """The engine's summary metrics (representation ratios add one per group)."""
    from sim.metrics import EXTRA_METRICS, METRICS  # noqa: PLC0415 (keeps schema import light)

    return (*METRICS, *EXTRA_METRICS)


def unknown_metric(name: str, groups: Sequence[str] | None = None) -> str | None:
    """A message when ``name`` is not a metric the engine reports, else None.

    Args:
        name: A summary metric, or a group's (``representation_ratio.<group>``, ``promotion_stick_rate.<group>``).
        groups: The groups of the scenarios the metric is reported for. Checks made before the
            scenarios are resolved (the file's schema, an argument) pass None, which accepts any group.
    """
    allowed = known_metrics()
    if name in allowed:
        return None
    from sim.metrics import GROUP_METRICS, group_ratio_parts  # noqa: PLC0415

    if name.startswith(GROUP_METRICS):
        ratio_of = group_ratio_parts(name)
        if ratio_of is not None and ratio_of[1] == ratio_of[2]:
            return f"'{name}' compares a group with itself (always 1): name two groups, e.g. women/men"
        return _unknown_group(name, groups) if groups else None
    close = closest(name, allowed)
    holding = [m for m in allowed if name and name.lower() in m]  # a word of the name: "stick", "roi"
    if close:
        hint = f" (did you mean '{close}'?)"
    elif 1 <= len(holding) <= 3:
        hint = f" (did you mean {' or '.join(repr(m) for m in holding)}?)"
    else:
        hint = ""
    families = [*(f"{p}<group>" for p in GROUP_METRICS), "<ledger rate>.<group>/<other group>"]
    return f"unknown metric '{name}'{hint}; metrics: {', '.join([*allowed, *families])}"


def _unknown_group(name: str, groups: Sequence[str]) -> str | None:
    """A message when a per-group metric names a group none of the scenarios has (it would report nothing).

    A scenario of one group reports no per-group ledger rates (they would be its whole rates), so
    ``promotion_stick_rate.all`` is refused too: it was a row without numbers that report.md put
    down to the group having no promotions, and a metric sensitivity left out.
    """
    from sim.metrics import BY_GROUP_ON_REQUEST, GROUP_METRICS, TOP_SHARE, group_ratio_parts  # noqa: PLC0415

    ratio_of = group_ratio_parts(name)
    if ratio_of is not None:  # each of its groups, named in the ratio as typed
        rate, *pair = ratio_of
        if len(groups) == 1:  # named as typed (it named promotion_stick_rate.women for women/men)
            return (f"'{name}': the scenarios have one group, '{groups[0]}', so there is no second group's rate "
                    f"to divide by: name '{rate}'")
        unknown = next((group for group in pair if group not in groups), None)
        if unknown is None:
            return None
        close = closest(unknown, groups)
        hint = f" (did you mean '{close}'?)" if close else ""
        return f"unknown group '{unknown}' in metric '{name}'{hint}; groups: {', '.join(groups)}"
    prefix = next(p for p in GROUP_METRICS if name.startswith(p))
    group = name.removeprefix(prefix)
    if prefix == TOP_SHARE and list(groups) == [group]:
        return (f"'{name}': the scenarios have one group, '{group}', who is everyone at the top (a share of 1): "
                "a group's share of the top is reported with two groups or more")
    if prefix in BY_GROUP_ON_REQUEST and list(groups) == [group]:
        return (f"'{name}': the scenarios have one group, '{group}', and report each group's ledger rates only "
                f"with two groups or more (one group's rate is the whole rate): name '{prefix[:-1]}'")
    if group in groups:
        return None
    close = closest(group, groups)
    hint = f" (did you mean '{prefix}{close}'?)" if close else ""
    return f"unknown group '{group}' in metric '{name}'{hint}; groups: {', '.join(groups)}"


def first_unknown_metric(names: Sequence[str] | None,
                         groups: Sequence[str] | None = None) -> tuple[int, str] | None:
    """The index and message of the first of ``names`` these groups' scenarios do not report, else None.

    Without ``groups`` any group of a per-group metric passes (not known yet).
    """
    seen: dict[str, int] = {}
    for i, name in enumerate(names or []):
        problem = unknown_metric(name, groups)
        if problem:
            return i, problem
        if name in seen:  # a repeated metric gives duplicate rows, and the forest plot cannot index them
            return i, f"'{name}' is listed twice (also at position {seen[name]}); list each metric once"
        upside_down = _reciprocal(name)
        if upside_down in seen:  # one question, counted twice in Holm's family (a review's trial)
            return i, (f"'{name}' is '{upside_down}' (position {seen[upside_down]}) upside down, the same question; "
                       "list one of them")
        seen[name] = i
    return None


def _reciprocal(name: str) -> str | None:
    """A group ratio the other way up (``promotion_stick_rate.men/women`` for ``.women/men``), else None."""
    from sim.metrics import GROUP_RATIO, group_ratio_parts  # noqa: PLC0415

    ratio_of = group_ratio_parts(name)
    return None if ratio_of is None else f"{ratio_of[0]}.{ratio_of[2]}{GROUP_RATIO}{ratio_of[1]}"


def scenario_groups(contents: Iterable[Any]) -> list[str]:
    """The group names of resolved scenarios, each once, in the order first seen."""
    return list(dict.fromkeys(
        g["name"] for c in contents if isinstance(c, Mapping) for g in c.get("groups") or []
        if isinstance(g, Mapping) and isinstance(g.get("name"), str)
    ))


def check_metric_groups(names: Sequence[str] | None, arms: Sequence[Arm], source: str, where: str) -> None:
    """Check per-group metrics against the arms' groups, known only once every scenario is resolved.

    Also refuses an optional metric (``global_efficiency``) when no arm sets what it needs: it
    passed the schema's check, the runs were made, and the report gave a row "no value in any
    run" for every arm without saying why (an org-design and a researcher's trial).

    Raises:
        InputError: A metric names a group no arm has, or an optional metric no arm reports,
            naming the key path ``where[i]``.
    """
    found = first_unknown_metric(names, scenario_groups(a.content for a in arms))
    if found:
        raise InputError(found[1], source=source, path=f"{where}[{found[0]}]")
    unweighted = first_unweighted_metric(names, [a.content for a in arms])
    if unweighted:
        i, name = unweighted
        raise InputError(f"'{name}' is computed only when metrics.level_weights is set (one weight per level, "
                         "bottom first; docs/ODD.md 7.12.3, as scenarios/peter_principle/ do), and no scenario "
                         "here sets it: set it in the scenario, or with --set metrics.level_weights=[1,2,...]",
                         source=source, path=f"{where}[{i}]")


def first_unweighted_metric(names: Sequence[str] | None, contents: Sequence[Any]) -> tuple[int, str] | None:
    """The first of ``names`` (its index and name) needing ``metrics.level_weights`` when no scenario sets them.

    ``global_efficiency`` passes the schema's check, but a run computes it only with level weights:
    asked of scenarios without them, a report gave "no value in any run" rows for every arm, written
    over the folder's own (``experiment report --metrics``, a researcher's trial).

    Args:
        names: Metrics asked for.
        contents: The scenarios as stored (mappings; anything else is taken to set no weights).
    """
    from sim.metrics import EXTRA_METRICS  # noqa: PLC0415 (keeps the schema's import light)

    weighted = any(isinstance(c, Mapping) and (c.get("metrics") or {}).get("level_weights") is not None
                   for c in contents)
    return None if weighted else next(((i, n) for i, n in enumerate(names or []) if n in EXTRA_METRICS), None)


# ---------------------------------------------------------------------------------------------
# The resolved plan


@dataclass(frozen=True)
class Arm:
    """One scenario at one grid point: the unit that gets replicated and compared.

    Attributes:
        label: Unique name in tables and plots, e.g. ``mentoring`` or ``mentoring[voice_rate=0.2]``.
        scenario: The scenario's label (the store partitions by it).
        point: Index of the grid point (0 without a grid).
        parameters: The grid values at this point (dotted key path to value).
        source: The scenario file it came from.
        content: The fully resolved scenario (every default spelled out), as sent to workers.
        reference: The arm it is paired against, or None for a reference arm.
        overrides: The scenario's own ``set:`` in the experiment file (the experiment-wide
            ``set:`` is the design's), kept so a report can say what the file alone does not.
    """

    label: str
    scenario: str
    point: int
    parameters: dict[str, Any]
    source: str
    content: dict[str, Any]
    reference: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario_hash(self) -> str:
        """A short hash of the resolved scenario, so a report says exactly what ran."""
        return digest(self.content)[:12]


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; small, picklable, self-contained."""

    run_id: str
    arm: str
    scenario: str
    point: int
    parameters: dict[str, Any]
    replication: int
    seed: int
    content: dict[str, Any]
    timeseries: TimeseriesMode = "totals"


@dataclass
class Design:
    """An experiment expanded into arms and runs.

    Attributes:
        name: The experiment's name (also the default output folder).
        kind: ``comparison`` (paired effects) or ``sensitivity`` (sampled parameter points).
        seed: The experiment seed every run seed derives from.
        seeds: The seed of each replication, shared by all arms.
        arms: The arms in a stable order: the reference first.
        tasks: One per arm and replication.
        metrics: Metrics to analyse and plot (None: every summary metric but each group's ledger rates
            and share of the top, ``analysis.metric_order``).
        extra: Kind-specific facts, e.g. the SALib problem of a sensitivity design.
        overrides: The experiment-wide ``set:``, applied to every scenario.
    """

    name: str
    kind: Literal["comparison", "sensitivity"]
    source: str
    description: str
    seed: int
    replications: int
    seeds: list[int]
    years: float | None
    headcount: int | None
    metrics: list[str] | None
    timeseries: TimeseriesMode
    arms: list[Arm]
    tasks: list[RunTask] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    def arm(self, label: str) -> Arm:
        """The arm with this label."""
        return next(a for a in self.arms if a.label == label)

    def to_json(self) -> dict[str, Any]:
        """What the store keeps beside the results, so reports need nothing but the folder."""
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "description": self.description,
            "seed": self.seed,
            "replications": self.replications,
            "seeds": self.seeds,
            "years": self.years,
            "headcount": self.headcount,
            "metrics": self.metrics,
            "timeseries": self.timeseries,
            "set": self.overrides,
            "arms": [
                {"label": a.label, "scenario": a.scenario, "point": a.point, "parameters": a.parameters,
                 "source": a.source, "scenario_hash": a.scenario_hash, "reference": a.reference,
                 "set": a.overrides}
                for a in self.arms
            ],
            "tasks": [[t.run_id, t.arm, t.replication] for t in self.tasks],
            "extra": self.extra,
        }


def check_arms(design: Design) -> None:
    """Fill each arm's organisation once before any run, so that what only placing people finds fails up front.

    An organisation file too big for the positions, a lever that leaves named people no seat:
    without this, ``validate`` says ok and every run of the arm fails. Arms whose organisation,
    people and groups are the same once their levers have acted (a behavioural sweep, most
    sensitivity points) are filled once.

    Raises:
        InputError: The arm's problem, one line naming the experiment file and the arm.
    """
    from sim.model import check_fills, with_levers  # noqa: PLC0415 (the engine, only when checking)
    from sim.orgdata.loader import CapacityError  # noqa: PLC0415

    seen: set[str] = set()
    for arm in design.arms:
        try:
            scenario = load_scenario(arm.content)
            # What filling reads, once the levers have changed what they change: a sweep over a
            # lever's own parameter (a coverage, a rate) needs one fill, not one per point.
            shape = digest(with_levers(scenario)[0].model_dump(mode="json", include={"organisation", "people",
                                                                                     "groups"}))
            if shape in seen:
                continue
            seen.add(shape)
            check_fills(scenario, design.seed)
        except CapacityError as exc:
            setting = "--headcount" if design.source == "command line" else "headcount"
            found = exc.after_resizing(design.headcount, setting) if design.headcount else exc
            raise InputError(f"arm '{arm.label}': {found}", source=design.source) from None
        except InputError as exc:
            raise InputError(f"arm '{arm.label}': {exc}", source=design.source) from None


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same content always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def digest(value: Any) -> str:
    """SHA-256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def make_run_id(scenario: str, content: Mapping[str, Any], parameters: Mapping[str, Any], replication: int,
                seed: int, timeseries: TimeseriesMode = "totals") -> str:
    """A deterministic id: the same resolved scenario, parameters, replication, seed and stored series give the same id.

    The scenario label is included so that two arms with identical content (a variant that
    changes nothing yet) still keep separate runs. The ``timeseries`` mode is included because it
    decides what a run stores: a run kept with ``totals`` has no per-level rows, so a design asking
    for ``all`` must not count it as done. It enters the key only when it is not the default
    ``totals``, so the ids of folders written before it was part of the id (nearly all with
    ``totals``) stay as they were; an id that changes only costs the runs once more, never mixes
    what they stored. (A new scenario setting changes every id anyway: ``content`` spells it out.)
    """
    key = {"scenario": scenario, "content": _data_by_content(content), "parameters": dict(parameters),
           "replication": int(replication), "seed": int(seed)}
    if timeseries != "totals":
        key["timeseries"] = timeseries
    return digest(key)[:20]


def _data_by_content(content: Mapping[str, Any]) -> Mapping[str, Any]:
    """``content`` with an organisation file's path replaced by a hash of its bytes.

    The resolved scenario names its data file by absolute path, so without this a run id would
    change when the file moves and stay the same when the file is edited in place, and a resumed
    experiment would keep results computed from the old data.
    """
    source = (content.get("organisation") or {}).get("source")
    if not isinstance(source, Mapping) or not source.get("file"):
        return content
    path = Path(source["file"])
    if not path.is_file():
        return content
    organisation = {**content["organisation"], "source": {**source, "file": {"sha256": _file_digest(path)}}}
    return {**content, "organisation": organisation}


@functools.cache
def _digest_of(path: Path, size: int, mtime_ns: int) -> str:
    digest_ = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest_.update(block)
    return digest_.hexdigest()


def _file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read once per version of the file (size and modification time)."""
    stat = path.stat()
    return _digest_of(path.resolve(), stat.st_size, stat.st_mtime_ns)


# ---------------------------------------------------------------------------------------------
# Loading and validation


EXPERIMENT_DIR = SCENARIO_DIR.parent / "experiments"


def shipped_experiments() -> list[str]:
    """The shipped experiments' names (``interventions``, ...), as the command line takes them."""
    return sorted(p.stem for p in EXPERIMENT_DIR.glob("*.yaml"))


def experiment_file(given: str) -> str:
    """The experiment file the command line names: a file, else a shipped experiment by name.

    Shipped scenarios could be named alone (``promosim run baseline``) but shipped experiments
    only by a path from the project's folder: from any other, ``experiments/interventions.yaml``
    was "file not found" (a researcher's trial). ``interventions`` now names it from anywhere.
    """
    if Path(given).exists() or Path(given).name != given:
        return given
    return str(shipped_file(given, EXPERIMENT_DIR) or given)


def load_experiment(path: str | Path) -> ExperimentFile:
    """Read and validate an experiment file.

    Raises:
        InputError: One line naming the file, the key path and what is allowed.
    """
    path = Path(path)
    refuse_data_file(path, "an experiment")
    if not path.exists():
        where = "" if path.is_absolute() else f" in the working folder ({Path.cwd()})"
        names = shipped_experiments()
        close = closest(path.stem, names)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise InputError(f"file not found{where}{hint}; the shipped experiments, named alone on the command line: "
                         f"{', '.join(names)}", source=str(path))
    data = read_yaml(path)
    if data is None:  # was "scenarios: required key is missing", as if one key were all it lacked
        raise InputError("the file is empty (or holds only comments): an experiment needs at least 'scenarios:' "
                         "with a baseline (see experiments/interventions.yaml)", source=str(path))
    if isinstance(data, Mapping):
        refuse_other_kind(data, str(path), "experiment")
    return validate_experiment(data, str(path))


def validate_experiment(data: Any, source: str) -> ExperimentFile:
    """Validate a mapping into an ExperimentFile, raising a one-line InputError."""
    if not isinstance(data, Mapping):
        raise InputError(f"an experiment must be a mapping of keys, got {type(data).__name__}", source=source)
    try:
        return ExperimentFile.model_validate(dict(data))
    except ValidationError as exc:
        raise _one_line(exc, source) from None


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model class that holds the last key of ``loc`` (for 'allowed keys' hints)."""
    models: dict[str, type[BaseModel]] = {"scenarios": Scenarios, "sensitivity": Sensitivity}
    if len(loc) == 1:
        return ExperimentFile
    if len(loc) == 2 and loc[0] in models:
        return models[str(loc[0])]
    if str(loc[0]) == "grid":
        return GridRange
    if str(loc[0]) == "scenarios":
        return ScenarioRef
    return None


def _one_line(exc: ValidationError, source: str) -> InputError:
    """The first pydantic problem as one line, in the words scenario files use."""
    errors = typos_first(exc.errors(include_url=False))
    # A value that matches no member of a union (a path or a mapping; a list or a range) gives
    # one error per member: the one that got furthest says most about what was meant, and the
    # others are not more problems. At the same depth, a member's own rule (a range's low above its
    # high) beats another member's shape ("should be a valid list").
    head = tuple(errors[0].get("loc", ()))[:2]
    first = max((e for e in errors if tuple(e.get("loc", ()))[:2] == head),
                key=lambda e: (len(e.get("loc", ())), e.get("type") == "value_error"))
    loc = tuple(p for p in first.get("loc", ()) if not (isinstance(p, str) and p in {"str", "ScenarioRef",
                                                                                     "GridRange", "list[any]"}))
    loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith(("list[", "dict[", "function-"))))
    return error_line(first, source, _model_at, loc=loc)


# ---------------------------------------------------------------------------------------------
# Expansion


def scenario_file(spec: str, base_dir: Path, source: str, where: str) -> Path:
    """A scenario reference to a file: relative to the experiment file, else a shipped name."""
    given = Path(spec)
    candidate = given if given.is_absolute() else base_dir / given
    if candidate.exists():
        return candidate
    shipped = resolve_path(spec)
    if shipped.exists():
        return shipped
    raise not_found(candidate, source, where)


def shown_path(path: Path) -> str:
    """A file as a report shows it: relative to the working folder when inside it, else absolute."""
    full = Path(os.path.abspath(path))
    try:
        return str(full.relative_to(Path.cwd()))
    except ValueError:
        return str(full)


def check_label(name: str, source: str, where: str, hint: str = "") -> None:
    """Refuse a scenario label (a file name, say) that tables, plots and folder names cannot carry.

    Raises:
        InputError: ``name`` holds other characters than those ``LABEL_PATTERN`` allows, said in words.
    """
    if not re.match(LABEL_PATTERN, name):
        raise InputError(f"label '{name}' may hold only {pattern_words(LABEL_PATTERN)}{hint}", source=source,
                         path=where)


def label_from_file(file: str | Path) -> str:
    """A valid label made from a file name: accents dropped (``é`` to ``e``), other characters to ``_``.

    ``promosim compare`` has no way to name a scenario, so ``my scénario.yaml`` must still get a
    label. Labels stay ASCII since they become folder names (``scenario=<label>`` partitions) and
    file names on every system the results are copied to.
    """
    return valid_label(Path(file).stem)


def valid_label(text: str) -> str:
    """``text`` as a label: accents dropped, other characters than letters, digits, ``_.-`` to ``_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", plain)[:LABEL_LENGTH - 4] or "scenario"


@dataclass(frozen=True)
class LeverSetting:
    """One lever of a ``compare --levers`` arm, at its defaults or with some parameters set.

    Attributes:
        name: The lever.
        params: The parameters typed after it (``mentoring:coverage=0.6``); the rest keep their
            defaults. Two arms of one lever with different parameters compare doses.
        text: The lever as typed, if it was (not compared: ``coverage=.6`` and ``coverage=0.6`` are
            one setting). Written back from ``params``, ``coverage=true`` read "coverage=True" and
            ``group=null`` "group=None", which the recorded command then read as the text 'None'.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    text: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The lever, then each parameter and value (``mentoring_coverage_0.6``; a list's items joined by ``_``)."""
        return "_".join([self.name, *(f"{k}_{'_'.join(map(str, v)) if isinstance(v, list | tuple) else v}"
                                      for k, v in self.params)])

    @property
    def typed(self) -> str:
        """The lever as ``--levers`` takes it (``NAME:KEY=VALUE``), for messages and the command that repeats a run."""
        return self.text or ":".join([self.name, *(f"{k}={'[' + ','.join(map(str, v)) + ']'}"
                                                   if isinstance(v, list | tuple) else f"{k}={v}"
                                                   for k, v in self.params)])


@dataclass(frozen=True)
class LeverArm:
    """One ``compare --levers`` variant: one lever, or several together, switched on in the baseline's own file.

    Several (``mentoring:coverage=0.5+career_conversations``) answer "what if we did both?",
    which took a variant file that extends the baseline before (a new user's trial). Equal
    whatever the order the levers were typed in: the variant is the same scenario.

    Attributes:
        levers: The levers, as typed, each once.
    """

    levers: tuple[LeverSetting, ...]

    @classmethod
    def of(cls, name: str, params: Sequence[tuple[str, Any]] = ()) -> LeverArm:
        """One lever, with these parameters set."""
        return cls((LeverSetting(name, tuple(params)),))

    def __eq__(self, other: object) -> bool:
        # By name, not as sets: a parameter's value may be a list or a mapping (``group=[women]``),
        # which cannot be hashed, and the lever then reached the scenario's own one-line error.
        return isinstance(other, LeverArm) and self._by_name() == other._by_name()

    def __hash__(self) -> int:
        return hash(frozenset(lever.name for lever in self.levers))

    def _by_name(self) -> tuple[LeverSetting, ...]:
        """The levers in name order (each is in an arm once), so that ``a+b`` equals ``b+a``."""
        return tuple(sorted(self.levers, key=lambda lever: lever.name))

    @property
    def label(self) -> str:
        """The arm's label: each lever's (``mentoring_coverage_0.6``), joined by ``_and_``.

        Labels have at most ``LABEL_LENGTH - 4`` characters (room for a ``-2``). Four levers with
        their settings were cut mid-word, and two such arms told apart only by a ``-2`` (a
        reviewer): a label too long keeps the levers' names, and then as many as fit, with a
        short hash of the arm for the rest.
        """
        room = LABEL_LENGTH - 4
        names = [lever.name for lever in self.levers]
        for text in ("_and_".join(lever.label for lever in self.levers), "_and_".join(names)):
            if len(text) <= room:  # valid_label would cut it
                return valid_label(text)
        fit = next(n for n in range(len(names), 0, -1) if len("_and_".join(names[:n])) <= room - 9)
        return f"{'_and_'.join(names[:fit])}-{hashlib.sha1(self.typed.encode()).hexdigest()[:8]}"

    @property
    def typed(self) -> str:
        """The arm as ``--levers`` takes it (levers joined by ``+``)."""
        return "+".join(lever.typed for lever in self.levers)

    @property
    def overrides(self) -> dict[str, dict[str, Any]]:
        """The variant's ``set:``: each lever switched on with its parameters."""
        return {f"interventions.{lever.name}": dict(lever.params) for lever in self.levers}

    def __str__(self) -> str:
        return self.typed


def labelled_specs(scenarios: Scenarios, base_dir: Path, source: str) -> list[tuple[str, Path, dict[str, Any], str]]:
    """(label, file, overrides, key path) for the baseline and each variant, baseline first."""
    def one(spec: ScenarioSpec, where: str, label: str | None) -> tuple[str, Path, dict[str, Any], str]:
        ref = spec if isinstance(spec, ScenarioRef) else ScenarioRef(file=spec)
        path = scenario_file(ref.file, base_dir, source, where)
        name = label or ref.name or path.stem
        check_label(name, source, where, "" if label or ref.name else "; it comes from the file name: give the "
                    "scenario a label with 'name:' (or list the variants as label: file)")
        return name, path, dict(ref.set), where

    out = [one(scenarios.baseline, "scenarios.baseline", None)]
    if isinstance(scenarios.variants, dict):
        out += [one(spec, f"scenarios.variants.{key}", key) for key, spec in scenarios.variants.items()]
    else:
        out += [one(spec, f"scenarios.variants[{i}]", None) for i, spec in enumerate(scenarios.variants)]
    labels = [o[0] for o in out]
    dup = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dup:
        raise InputError(f"scenario labels must be unique; repeated: {', '.join(dup)} (give each a name)",
                         source=source, path="scenarios")
    return out


def value_at(content: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key path in a resolved scenario, or None when absent.

    A lever's parameter left at its default is not spelled out in the scenario (``mentoring:
    {}``), so ``interventions.<lever>.<parameter>`` falls back to the lever's default: its type
    decides whether sampled values are rounded (a grid over ``stretch_pilots.months`` was refused
    as "got 3.0").
    """
    parts = key_path_parts(key)
    node: Any = content
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return _lever_default(parts)
    return node


def _lever_default(parts: Sequence[str]) -> Any:
    """The default of ``interventions.<lever>.<parameter>``, or None for any other path."""
    from sim.interventions import REGISTRY, load_all  # noqa: PLC0415 (levers import the scenario module)

    load_all()
    if len(parts) != 3 or parts[0] != "interventions" or parts[1] not in REGISTRY:
        return None
    field = REGISTRY[parts[1]].Params.model_fields.get(parts[2])
    return None if field is None else field.default


def coerce_like(value: Any, like: Any) -> Any:
    """Round a sampled number to a whole number where the scenario holds one (e.g. months)."""
    if isinstance(like, int) and not isinstance(like, bool) and isinstance(value, float):
        return round(value)
    return value


def grid_points(grid: Mapping[str, list[Any] | GridRange], like: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The full factorial of the grid, in declaration order; one empty point without a grid."""
    if not grid:
        return [{}]
    keys = list(grid)
    columns = [[coerce_like(v, value_at(like, key)) for v in grid_values(grid[key])] for key in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*columns)]


def grid_values(values: list[Any] | GridRange) -> list[Any]:
    """One grid key's values as written: the list, or the range's evenly spaced values."""
    return values.values() if isinstance(values, GridRange) else list(values)


def check_points_distinct(grid: Mapping[str, list[Any] | GridRange], points: Sequence[Mapping[str, Any]],
                          source: str) -> None:
    """Refuse two grid points that are the same once their values are applied.

    Their arms would share a label and run the same scenario, so every difference between them
    would be 0. The two ways this happens are told apart, since each has its own fix: a value
    listed twice, or two values of a whole-number setting that round to the same number.

    Raises:
        InputError: Naming the grid key, the values and the cause.
    """
    written = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*map(grid_values, grid.values()))]
    seen: dict[str, int] = {}
    for i, point in enumerate(points):
        j = seen.setdefault(canonical_json(point), i)
        if j == i:
            continue
        first, second = written[j], written[i]
        key = next(k for k in grid if first[k] != second[k] or grid_values(grid[k]).count(first[k]) > 1)
        if first[key] != second[key]:
            cause = (f"grid.{key} is a whole-number setting, and {first[key]} and {second[key]} both round to "
                     f"{point[key]}; give values that differ by at least 1")
        else:
            cause = f"grid.{key} lists {first[key]!r} more than once; list each value once"
        raise InputError(f"grid points {j + 1} and {i + 1} are the same once applied, so their arms would run the "
                         f"same scenario and every difference between them would be 0: {cause}",
                         source=source, path=f"grid.{key}")


def point_label(scenario: str, parameters: Mapping[str, Any], n_points: int) -> str:
    """``scenario`` alone without a grid, else ``scenario[key=value, ...]`` with short keys."""
    if n_points <= 1:
        return scenario
    shown = ", ".join(f"{k.split('.')[-1]}={v:g}" if isinstance(v, float) else f"{k.split('.')[-1]}={v}"
                      for k, v in parameters.items())
    return f"{scenario}[{shown}]"


def resolve(path: Path, *, headcount: int | None, common: Mapping[str, Mapping[str, Any]], own: Mapping[str, Any],
            label: str, source: str, where: str) -> Scenario:
    """Load one scenario with the experiment's overrides; errors name the input they come from.

    Args:
        path: The scenario file.
        headcount: The experiment's headcount, if any.
        common: Overrides for every scenario, by the experiment file's key that gives them
            (:func:`base_overrides`), applied in that order.
        own: This scenario's own ``set:``.
        label: The scenario's label.
        source: The experiment file.
        where: The key path of the scenario in the experiment file.
    """
    try:
        # One mapping, a later layer's value winning (years over a set: {years: ...}), then the scenario's own.
        overrides = {key: value for layer in common.values() for key, value in layer.items()}
        return load_scenario(path, headcount=headcount, overrides={**overrides, **own})
    except InputError as exc:
        raise _blame(exc, path, headcount, common, own, label, source, where) from None


def _blame(exc: InputError, path: Path, headcount: int | None, common: Mapping[str, Mapping[str, Any]],
           own: Mapping[str, Any], label: str, source: str, where: str) -> InputError:
    """The error of a scenario that failed to load, named after the input that broke it.

    A typo in the experiment's ``set:`` is reported by the scenario loader as a key of the
    scenario file, which sends the reader to a file that is fine. Loading again with the file
    alone, then resized to the experiment's ``headcount``, then with each of the experiment's
    layers of overrides (``set:``, then ``years:``), then with the scenario's own ``set:`` tells
    which one it is (only on this error path, so a valid design loads each scenario once).

    A layer is named as the user wrote it: a key inside the ``set:`` block as ``set.KEY``; the
    top-level ``years`` as ``years``, not as ``set.years`` (a file without a ``set:`` block was
    sent to look for one). So is ``headcount``, with the scenario whose organisation is too small
    for it, as the limit is that organisation's.
    """
    stages: list[tuple[dict[str, Any], int | None, str | None]] = [({}, None, None)]
    if headcount is not None:
        stages.append(({}, headcount, "headcount"))
    overrides: dict[str, Any] = {}
    for key, layer in common.items():
        overrides = {**overrides, **layer}
        stages.append((overrides, headcount, key))
    blocks = ("set", f"{where}.set")  # blocks of key paths; the other keys are top-level values
    stages.append(({**overrides, **own}, headcount, blocks[1]))
    for applied, size, key in stages:
        try:
            load_scenario(path, headcount=size, overrides=applied)
        except InputError as found:
            if key is None:
                break
            if key not in blocks:
                detail = found.detail if found.path == key else f"scenario '{label}': {found}"
                return InputError(detail, source=source, path=key)
            return InputError(found.detail, source=source, path=f"{key}.{found.path}" if found.path else key)
    return InputError(f"scenario '{label}': {exc}", source=source, path=where)


def _another_organisation(exc: InputError, path: Path, baseline: Scenario | None) -> InputError:
    """``exc`` of a variant whose file describes another organisation than the baseline, saying so.

    The shipped ``mentoring`` with ``set: {interventions.mentoring.group: lisbon}`` against one's
    own organisation said "group 'lisbon' does not exist; groups: men, women", although the
    user's organisation has lisbon: the variant runs the shipped organisation (an org-design trial).
    """
    if baseline is None:
        return exc
    try:
        own = load_scenario(path)
    except InputError:
        return exc
    shape = {"levels": lambda sc: [lv.name for lv in sc.organisation.levels], "groups": lambda sc: sc.group_names}
    differ = [f"{what} {', '.join(of(own))} where the baseline has {', '.join(of(baseline))}"
              for what, of in shape.items() if of(own) != of(baseline)]
    if not differ:
        return exc
    return InputError(f"{exc.detail} ({shown_path(path)} describes another organisation, with {'; '.join(differ)}: "
                      "a variant should extend the baseline's file and add interventions:)", source=exc.source,
                      path=exc.path)


def check_grid_levers(grid: Mapping[str, list[Any] | GridRange], baseline: Scenario, source: str) -> None:
    """Refuse a grid over a parameter of a lever the baseline does not have on.

    A grid applies to every scenario, so it would switch the lever on in the baseline too, and
    each variant would run its baseline's scenario. ``check_pairs_differ`` finds that once every
    point is built, but building failed first when the lever's defaults do not fit the baseline
    (mentoring's default group), with an error about the group (an org-design trial).

    Raises:
        InputError: Naming the grid key, the lever and the way to vary one arm only.
    """
    for key in grid:
        lever = lever_switched_on(key, baseline)
        if lever:
            raise InputError(f"{key} is a parameter of the {lever} lever, which the baseline does not have on: a "
                             "grid applies to every scenario, so it would switch the lever on in the baseline too, "
                             "and every difference would be 0; to vary one arm only, give one variant per value "
                             "with its own set: (docs/experiments.md)", source=source, path="grid")


def lever_switched_on(key: str, scenario: Scenario) -> str | None:
    """The lever whose parameter ``key`` is, when ``scenario`` does not have it on (setting it switches it on)."""
    parts = key_parts(key)
    if len(parts) >= 3 and parts[0] == "interventions" and parts[1] not in scenario.interventions:
        return parts[1]
    return None


def with_parameters(base: Scenario, parameters: Mapping[str, Any], label: str, source: str,
                    where: str) -> Scenario:
    """A resolved scenario with grid or sample values applied and re-validated."""
    if not parameters:
        return base
    try:
        return load_scenario(base, overrides=dict(parameters))
    except InputError as exc:
        shown = ", ".join(f"{k}={v}" for k, v in parameters.items())
        raise InputError(f"scenario '{label}' at {shown}: {exc}", source=source, path=where) from None


def make_tasks(arms: Sequence[Arm], seeds: Sequence[int], timeseries: TimeseriesMode) -> list[RunTask]:
    """One task per arm and replication; replication k has seed ``seeds[k]`` in every arm."""
    return [
        RunTask(run_id=make_run_id(arm.scenario, arm.content, arm.parameters, k, seed, timeseries), arm=arm.label,
                scenario=arm.scenario, point=arm.point, parameters=arm.parameters, replication=k, seed=seed,
                content=arm.content, timeseries=timeseries)
        for k, seed in enumerate(seeds)
        for arm in arms
    ]


def base_overrides(spec: ExperimentFile) -> dict[str, dict[str, Any]]:
    """Overrides every scenario gets, by the experiment file's key that gives them: ``set``, then ``years``.

    Kept apart, not merged, so that an error they cause names the key the user wrote
    (:func:`_blame`): a top-level ``years`` is not the ``set:`` block's. ``years`` comes last, so it
    wins over a ``set: {years: ...}``, as it did.
    """
    out: dict[str, dict[str, Any]] = {"set": dict(spec.set)}
    if spec.years is not None:
        out["years"] = {"years": spec.years}
    return out


def build_design(spec: ExperimentFile, source: str | Path, *, base_dir: Path | None = None,
                 name: str | None = None) -> Design:
    """Expand a validated experiment into arms and runs, resolving every scenario now.

    Pairing: each variant at a grid point is paired with the baseline at the same point; the
    baseline at the other grid points is paired with the baseline at the first point, so a sweep
    of the baseline alone still reports effects.
    """
    source = str(source)
    base_dir = base_dir or Path(source).resolve().parent
    specs = labelled_specs(spec.scenarios, base_dir, source)
    check_grid_keeps_sets(spec, specs, source)
    common = base_overrides(spec)
    bases: list[tuple[str, Path, Scenario]] = []
    for label, path, own, where in specs:
        try:
            bases.append((label, path, resolve(path, headcount=spec.headcount, common=common, own=own, label=label,
                                               source=source, where=where)))
        except InputError as exc:
            # The baseline's own file (``compare --levers``) is its organisation, whatever a set: renamed.
            other = bases and path.resolve() != bases[0][1].resolve()
            raise _another_organisation(exc, path, bases[0][2]) if other else exc from None
    check_grid_levers(spec.grid, bases[0][2], source)
    own_sets = {label: own for label, _, own, _ in specs}
    points = grid_points(spec.grid, bases[0][2].model_dump(mode="json"))
    check_points_distinct(spec.grid, points, source)
    baseline_label = bases[0][0]
    arms: list[Arm] = []
    for p, params in enumerate(points):
        for label, path, base in bases:
            resolved = with_parameters(base, params, label, source, "grid")
            arm_label = point_label(label, params, len(points))
            if label != baseline_label:
                reference = point_label(baseline_label, params, len(points))
            elif p > 0:
                reference = point_label(baseline_label, points[0], len(points))
            else:
                reference = None
            arms.append(Arm(label=arm_label, scenario=label, point=p, parameters=params, source=shown_path(path),
                            content=resolved.model_dump(mode="json"), reference=reference,
                            overrides=own_sets[label]))
    arms.sort(key=lambda a: (a.reference is not None, a.point, [s[0] for s in bases].index(a.scenario)))
    check_pairs_match(arms, source, {label: path for label, path, _, _ in specs})
    check_pairs_differ(arms, source, spec.grid, spec.set)
    check_metric_groups(spec.metrics, arms, source, "metrics")
    seeds = derive_seeds(spec.seed, spec.replications)
    return Design(
        name=name or spec.name or Path(source).stem, kind="comparison", source=source,
        description=spec.description.strip(), seed=spec.seed, replications=spec.replications, seeds=seeds,
        years=spec.years, headcount=spec.headcount, metrics=spec.metrics, timeseries=spec.timeseries,
        arms=arms, tasks=make_tasks(arms, seeds, spec.timeseries), overrides=dict(spec.set),
    )


def key_parts(key: str) -> tuple[str, ...]:
    """A dotted key path as its parts (``__`` and list brackets as dots), to compare two spellings of one key."""
    return tuple(p for p in re.split(r"__|[.\[\]]", key) if p)


def overlaps(one: str, other: str) -> bool:
    """Whether setting ``one`` and ``other`` touch the same value (one key holds, or is, the other)."""
    a, b = key_parts(one), key_parts(other)
    return a[:len(b)] == b or b[:len(a)] == a


def check_grid_keeps_sets(spec: ExperimentFile, specs: Sequence[tuple[str, Path, dict[str, Any], str]],
                          source: str) -> None:
    """Refuse a ``set:`` key the grid also sets: the grid is applied last and would replace it without a word.

    Raises:
        InputError: Naming the scenario (or the experiment-wide ``set:``), the key and the grid key.
    """
    owners = [("the experiment's set:", "set", dict(spec.set))]
    owners += [(f"scenario '{label}'", f"{where}.set", own) for label, _, own, where in specs]
    for who, where, overrides in owners:
        for key in overrides:
            grid_key = next((g for g in spec.grid if overlaps(key, g)), None)
            if grid_key is not None:
                raise InputError(
                    f"{who} sets {key}, and grid.{grid_key} sets it in every arm, replacing that value; drop one of "
                    "the two (to sweep one arm only, give one variant per value with its own set:)",
                    source=source, path=f"{where}.{key}")


def _organisation_shown(content: Mapping[str, Any]) -> str:
    """An arm's levels and positions in a few words: ``junior/senior with 600/300 positions``."""
    levels = (content.get("organisation") or {}).get("levels") or []
    names = "/".join(str(lv.get("name")) for lv in levels)
    sizes = "/".join(f"{sum((lv.get('positions') or {}).values()):,}" for lv in levels)
    return f"{names} with {sizes} positions"


def _source_shown(content: Mapping[str, Any]) -> str:
    """An arm's organisation file, by name, or that it has none."""
    found = (content.get("organisation") or {}).get("source")
    return Path(found["file"]).name if isinstance(found, Mapping) and found.get("file") else "no organisation file"


# What a pair must share, each as (what is compared, how it is shown): any difference between the
# twins is credited to the variant's rules, so a variant that also runs longer, skips the warm-up
# or starts from another organisation reports those as the lever's effect.
PAIRED_FIELDS: dict[str, tuple[Callable[[Mapping[str, Any]], Any], Callable[[Mapping[str, Any]], str]]] = {
    # The organisation first: a variant on another organisation usually has other settings too,
    # and its fix (extend the baseline's file, or --levers) fixes those as well.
    "organisation.source": (lambda c: (c.get("organisation") or {}).get("source"), _source_shown),
    "organisation.levels": (
        lambda c: [(lv.get("name"), lv.get("positions")) for lv in (c.get("organisation") or {}).get("levels") or []],
        _organisation_shown),
    "years": (lambda c: c.get("years"), lambda c: f"{c.get('years'):g}"),
    "warmup_months": (lambda c: c.get("warmup_months"), lambda c: str(c.get("warmup_months"))),
}


def check_pairs_match(arms: Sequence[Arm], source: str, files: Mapping[str, Path] | None = None) -> None:
    """Refuse a pair whose arms differ in horizon, warm-up or organisation.

    The scenarios are compared as resolved, before any lever adjusts them: a lever that changes
    the positions (parallel_ladders) does so when the run starts, and that is part of its effect.
    Two points of one scenario in a grid differ only by the grid, which is the sweep asked for, so
    they are not compared. ``--years`` and ``--headcount`` apply to every arm alike. A variant
    that extends the baseline's file (``files``: each scenario's file) may change its positions,
    keeping its levels: "what if we had more Manager posts?" is a question of structure.

    Raises:
        InputError: One line naming both arms, the field, both values, and the way to fix it.
    """
    by_label = {a.label: a for a in arms}
    for arm in arms:
        other = by_label.get(arm.reference or "")
        if other is None or other.scenario == arm.scenario:
            continue
        for name, (value, shown) in PAIRED_FIELDS.items():
            if value(arm.content) == value(other.content):
                continue
            if name == "organisation.levels" and _restructures(arm, other, files or {}):
                continue
            mine, theirs = shown(arm.content), shown(other.content)
            if mine == theirs:  # the same totals on other tracks: show the positions in full
                mine, theirs = (json.dumps(value(c)) for c in (arm.content, other.content))
            if name.startswith("organisation"):
                fix = (f"a variant should extend the baseline's scenario file (`extends: {Path(other.source).name}`) "
                       "and add `interventions:`, or with `promosim compare` give the levers as `--levers NAME,NAME`")
            elif source == "command line" and name == "years":  # compare: its options apply to every arm
                fix = "give the arms the same years (`--years` applies to every arm), not one file's own"
            elif source == "command line":
                fix = f"give the arms' files the same {name}"
            else:
                fix = (f"give every arm the same {name} (an experiment's `{'years' if name == 'years' else 'set'}:` "
                       "applies to every arm), not one arm's own set: or scenario file")
            # "has organisation.source no organisation file" read garbled to an org-design trial.
            verb = "reads" if name == "organisation.source" else "has"
            has = verb if verb == "reads" else f"has {name}"
            raise InputError(
                f"arm '{arm.label}' ({Path(arm.source).name}) {has} {mine}, but the arm it is paired with, "
                f"'{other.label}' ({Path(other.source).name}), {verb} {theirs}: the report would credit that "
                f"difference to the variant's rules; {fix}", source=source, path="scenarios")


# What a variant is for: its levers, and the words that name it.
LEVER_KEYS = ("interventions", "name", "description")


def settings_changed(baseline: Mapping[str, Any], variant: Mapping[str, Any], limit: int = 6) -> list[str]:
    """What ``variant`` sets otherwise than ``baseline``, besides its levers: ``key before → after``.

    A variant that switched a lever on and also changed, say, hire shares was reported as the
    lever's effect (promotions 83 → 36 in an org-design trial). The pair checks refuse what makes
    a comparison meaningless (another organisation, another horizon); this names the rest, so the
    report can say what else the effects include. At most ``limit`` entries, then how many more.
    """
    found: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for key in dict.fromkeys([*a, *b]):
                if path or key not in LEVER_KEYS:
                    walk(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):  # item by item: "6 items → 6 items"
            for i, (x, y) in enumerate(zip(a, b, strict=True)):  # said nothing of a changed level_weights
                walk(x, y, f"{path}[{i}]")
        elif a != b:
            found.append(f"{path} {_shown_value(a)} → {_shown_value(b)}")

    walk(baseline, variant, "")
    return found if len(found) <= limit else [*found[:limit], f"{len(found) - limit} more"]


def _shown_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list) and len(value) > 4:
        return f"{len(value)} items"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str | list | Mapping) else str(value)


def _restructures(arm: Arm, other: Arm, files: Mapping[str, Path]) -> bool:
    """Whether ``arm`` is its reference's organisation with other positions.

    That is: the same levels, and a file that extends the reference's (not another organisation
    that happens to share its level names).
    """
    names = [[lv.get("name") for lv in (a.content.get("organisation") or {}).get("levels") or []] for a in (arm, other)]
    if names[0] != names[1] or arm.scenario not in files or other.scenario not in files:
        return False
    return files[other.scenario].resolve() in extends_chain(files[arm.scenario])[1:]


def check_pairs_differ(arms: Sequence[Arm], source: str, grid: Mapping[str, list[Any] | GridRange],
                       sets: Mapping[str, Any] | None = None) -> None:
    """Refuse an arm that runs the very scenario of the arm it is paired with, or of another variant.

    With common random numbers every difference is then exactly 0, and the report reads as "no
    effect". The message says why when it can tell: a grid over what the variant changes (a
    lever's parameter), which applies to every scenario and so to the baseline too, or a ``set:``
    (``--set``) of a lever's parameter, which does the same; else it says so neutrally (``compare``
    already refuses one file twice, :func:`check_points_distinct` two grid points that coincide).
    Two variants paired with the same arm that run the same scenario (``compare baseline
    mentoring --levers mentoring``) would repeat each other's runs, seed for seed, and are
    refused too. Names and descriptions are not part of what runs.

    Raises:
        InputError: Naming both arms, and the cause when it can be told.
    """
    def behaviour(arm: Arm) -> str:  # what the engine runs: the names and words are not part of it
        return digest({k: v for k, v in arm.content.items() if k not in ("name", "description")})

    by_label = {a.label: a for a in arms}
    seen: dict[tuple[str, str], Arm] = {}
    for arm in arms:
        other = by_label.get(arm.reference or "")
        if other is not None and behaviour(arm) == behaviour(other):
            raise InputError(f"arm '{arm.label}' runs the same scenario as the arm it is paired with, "
                             f"'{other.label}', so every difference would be 0{_same_cause(arm, other, grid, sets)}",
                             source=source, path="grid" if arm.scenario == other.scenario else "scenarios")
        twin = seen.setdefault((arm.reference or "", behaviour(arm)), arm)
        if twin is not arm and arm.scenario != twin.scenario:  # grid points that coincide: check_points_distinct
            repeat = ": with the same seeds its runs would repeat those; drop one"
            cause = _same_cause(arm, twin, grid) if grid else repeat  # a grid may have erased their difference
            raise InputError(f"arm '{arm.label}' runs the same scenario as arm '{twin.label}'{cause}", source=source,
                             path="scenarios")


def _same_cause(arm: Arm, other: Arm, grid: Mapping[str, list[Any] | GridRange],
                sets: Mapping[str, Any] | None = None) -> str:
    """Why two paired arms run the same scenario, as the end of a sentence, or a neutral "." when it cannot be told.

    ``compare baseline mentoring --set interventions.mentoring.coverage=0.5`` was put down to "a
    set: to a value already in force", while the set had switched mentoring on in the baseline.
    """
    if arm.scenario == other.scenario:  # two grid points (check_points_distinct has told the usual causes)
        return ": the grid values at these two points give the same scenario."
    if grid:
        return (". A grid applies to every scenario, so a grid over what the variant changes (a lever's parameter "
                "switches the lever on) sets it in the baseline too; to vary one arm only, give one variant per "
                "value with its own set: (docs/experiments.md)")
    if "interventions" in (sets or {}):  # every arm's levers replaced, the variant's too
        return (": set: interventions (--set in compare) replaces the levers of every arm, the variant's too; "
                "set a lever's own keys (interventions.NAME.KEY) instead")
    levers = [key for key in sets or {} if key.startswith("interventions.")]
    if levers:
        return (f": set: {', '.join(levers)} (--set in compare) switches the lever on in every arm, the baseline "
                "too; to change a lever in one arm only, give that arm its own set: (compare: --levers NAME:KEY=VALUE)")
    return ": the two resolve to the same scenario (a set: to a value already in force changes nothing)."


def _refuse_levers_already_on(levers: Sequence[LeverArm], path: Path, typed: str) -> None:
    """Refuse ``--levers`` naming a lever the baseline already has on.

    Its variant sets ``interventions.<lever>: {}``, which replaces the baseline's own parameters
    with the lever's defaults: the report would then say the lever was "switched on" while the
    arms differ only in its parameters (a baseline mentoring 60% of women, compared with
    mentoring at the default 30%), or not at all (every difference 0).

    Raises:
        InputError: A lever of ``levers`` is among the baseline's ``interventions``.
    """
    if not levers:
        return
    from sim.interventions import REGISTRY  # noqa: PLC0415 (filled by load_scenario)

    already = load_scenario(path).interventions
    for arm, setting in ((a, s) for a in levers for s in a.levers):
        lever = setting.name
        if lever in already:
            # Against the arm's own settings (``mentoring:coverage=0.6``), not only the defaults:
            # a baseline at the defaults was said to be "the baseline itself" beside coverage 0.6.
            defaults = REGISTRY[lever].Params().model_dump(mode="json")
            theirs = {**defaults, **dict(setting.params)}
            ours = {**defaults, **(already[lever] or {})}
            differ = [k for k in ours if ours[k] != theirs.get(k)]
            own = ", ".join(f"{k}={ours[k]}" for k in differ)
            set_here = ", ".join(f"{k}={theirs[k]}" for k in differ)
            if len(arm.levers) > 1:
                # The arm still differs by its other levers, so it is not "the baseline itself":
                # what is wrong is that the report would call this lever switched on.
                others = "+".join(s.typed for s in arm.levers if s is not setting)
                state = (f"{lever} would differ only in its parameters ({own} against "
                         f"{set_here if setting.params else 'the defaults'})" if own
                         else f"{lever} would be as in the baseline")
                raise InputError(
                    f"the baseline ({typed}) already has {lever} on: in --levers {arm.typed}, {state}, not switched "
                    f"on as the report would say; drop {lever} from that arm (--levers {others}), or give a "
                    "baseline without it and this file as a variant",
                    source="command line", path="--levers",
                )
            against = f"{set_here} in --levers {arm.typed}" if setting.params else "the defaults"
            same = (f"would differ only in the lever's parameters ({own} against {against})" if own
                    else "would be the baseline itself (every difference 0)")
            raise InputError(
                f"the baseline ({typed}) already has {lever} on: its --levers variant {same}, not be a "
                f"comparison with {lever} off; drop {lever} from --levers, or give a baseline without it "
                "and this file as a variant",
                source="command line", path="--levers",
            )


def _refuse_levers_set_everywhere(levers: Sequence[LeverArm], sets: Mapping[str, Any]) -> None:
    """Refuse a ``--set`` of a lever that ``--levers`` switches on in one arm.

    ``--set interventions.mentoring.coverage=0.2`` switches mentoring on in every arm, the
    baseline too, and ``--levers mentoring`` then sets its arm's mentoring back to the defaults:
    a comparison of coverage 0.2 against 0.3, reported as mentoring "switched on".

    Raises:
        InputError: A ``--set`` key is within a lever of ``levers``.
    """
    named = {setting.name for arm in levers for setting in arm.levers}
    for key, value in sets.items():
        lever = key.removeprefix("interventions.").partition(".")[0] if key.startswith("interventions.") else None
        if lever in named:
            rest = key.removeprefix(f"interventions.{lever}").lstrip(".")
            how = f"--levers {lever}:{rest}={value}" if rest else f"--levers {lever}:KEY=VALUE"
            raise InputError(f"{key}={value} changes {lever} in every arm, the baseline too, while --levers switches "
                             f"it on in one: set the lever's parameters in its arm with {how}",
                             source="--set", path=None)


def comparison_spec(baseline: str, variants: Sequence[str], *, replications: int, seed: int,
                    years: float | None = None, headcount: int | None = None,
                    metrics: Sequence[str] | None = None, levers: Sequence[str | LeverArm] = (),
                    sets: Mapping[str, Any] | None = None) -> ExperimentFile:
    """The experiment ``promosim compare`` runs; build it with ``base_dir=Path.cwd()`` (paths as typed).

    ``sets`` (``--set``) change every scenario, as an experiment file's ``set:`` does: which levels
    count as the top took a variant file per arm before (an org-design trial).

    Scenarios are labelled by file name, as in an experiment file, made into a valid label
    (``my scénario.yaml`` gets ``my_scenario``); two different files of the same name
    (``a/team.yaml``, ``b/team.yaml``) get ``team`` and ``team-2``, since the command line has no
    other way to name them.

    Each of ``levers`` is one more variant: the baseline's own file with that lever switched on,
    at its defaults (a name), or a ``LeverArm``: one or more levers, some parameters set,
    labelled by the levers' names and those parameters. That is how a lever is tried on one's
    own organisation; a shipped lever scenario runs the shipped organisation.

    Raises:
        InputError: A file is given twice: its runs would repeat the other's, seed for seed.
    """
    files = [str(baseline), *(str(v) for v in variants)]
    where = ["the baseline", *(f"variant {i}" for i in range(1, len(files)))]
    found = [scenario_file(f, Path.cwd(), f, "").resolve() for f in files]  # named as typed
    for i, path in enumerate(found):
        if path in found[:i]:
            first = found.index(path)
            raise InputError(
                f"{where[i]} ({files[i]}) is the same file as {where[first]} ({files[first]}): with the same seeds "
                "its runs would repeat those, so every difference would be 0; give different files",
                source="command line", path="scenarios",
            )
    arms = [LeverArm.of(lever) if isinstance(lever, str) else lever for lever in levers]
    _refuse_levers_already_on(arms, found[0], files[0])
    _refuse_levers_set_everywhere(arms, sets or {})
    labels: list[str] = []
    for stem in [*map(label_from_file, files), *(arm.label for arm in arms)]:  # files as typed
        label, n = stem, 1
        while label in labels:
            n += 1
            label = f"{stem}-{n}"
        labels.append(label)
    data: dict[str, Any] = {
        "name": "compare",
        "seed": seed,
        "replications": replications,
        "years": years,
        "headcount": headcount,
        "metrics": list(metrics) if metrics else None,
        "set": dict(sets or {}),
        "scenarios": {"baseline": {"file": files[0], "name": labels[0]},
                      "variants": {**dict(zip(labels[1:len(files)], files[1:], strict=True)),
                                   **{label: {"file": files[0], "set": arm.overrides}
                                      for label, arm in zip(labels[len(files):], arms, strict=True)}}},
    }
    return validate_experiment(data, "command line")
