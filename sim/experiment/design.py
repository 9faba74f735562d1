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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError
from sim.random import derive_seeds
from sim.scenario import (
    MAX_HEADCOUNT,
    Scenario,
    closest,
    error_line,
    load_scenario,
    not_found,
    pattern_words,
    read_yaml,
    refuse_data_file,
    refuse_other_kind,
    resolve_path,
    typos_first,
)

GROUP_METRIC = "representation_ratio."  # + a group name: one metric per group
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
    steps: Annotated[int, Field(ge=2, le=1000)]

    def values(self) -> list[float]:
        """The ``steps`` values, rounded to 12 digits so that 0.1 + 0.2 style noise stays out of run ids."""
        step = (self.high - self.low) / (self.steps - 1)
        return [round(self.low + i * step, 12) for i in range(self.steps)]


class Sensitivity(_Strict):
    """Ranges for a global sensitivity analysis and how densely to sample them."""

    scenario: Label | None = None
    method: Method = "morris"
    samples: Annotated[int, Field(ge=2, le=100_000)] = 8
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    replications: Annotated[int, Field(ge=1, le=10_000)] = 1
    metrics: Annotated[list[str], Field(min_length=1)] | None = None
    parameters: Annotated[dict[str, tuple[float, float]], Field(min_length=1)]

    @field_validator("parameters")
    @classmethod
    def _ordered(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for key, (low, high) in value.items():
            if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
                raise ValueError(f"@{key}@ needs [low, high] with low < high (got [{low}, {high}])")
        return value


class ExperimentFile(_Strict):
    """The schema of experiments/*.yaml (see docs/experiments.md)."""

    name: Label | None = None
    description: str = ""
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1
    replications: Annotated[int, Field(ge=1, le=100_000)] = 30
    years: Annotated[float, Field(gt=0, le=100)] | None = None
    headcount: Annotated[int, Field(ge=2, le=MAX_HEADCOUNT)] | None = None
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
        name: A summary metric, or ``representation_ratio.<group>``.
        groups: The groups of the scenarios the metric is reported for. Checks made before the
            scenarios are resolved (the file's schema, an argument) pass None, which accepts any group.
    """
    allowed = known_metrics()
    if name in allowed:
        return None
    if name.startswith(GROUP_METRIC):
        return _unknown_group(name, groups) if groups else None
    close = closest(name, allowed)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown metric '{name}'{hint}; metrics: {', '.join(allowed)}, {GROUP_METRIC}<group>"


def _unknown_group(name: str, groups: Sequence[str]) -> str | None:
    """A message when a per-group metric names a group none of the scenarios has (it would report nothing)."""
    group = name.removeprefix(GROUP_METRIC)
    if group in groups:
        return None
    close = closest(group, groups)
    hint = f" (did you mean '{GROUP_METRIC}{close}'?)" if close else ""
    return f"unknown group '{group}' in metric '{name}'{hint}; groups: {', '.join(groups)}"


def first_unknown_metric(names: Sequence[str] | None,
                         groups: Sequence[str] | None = None) -> tuple[int, str] | None:
    """The index and message of the first of ``names`` these groups' scenarios do not report, else None.

    Without ``groups`` any group of a per-group metric passes (not known yet).
    """
    for i, name in enumerate(names or []):
        problem = unknown_metric(name, groups)
        if problem:
            return i, problem
    return None


def scenario_groups(contents: Iterable[Any]) -> list[str]:
    """The group names of resolved scenarios, each once, in the order first seen."""
    return list(dict.fromkeys(
        g["name"] for c in contents if isinstance(c, Mapping) for g in c.get("groups") or []
        if isinstance(g, Mapping) and isinstance(g.get("name"), str)
    ))


def check_metric_groups(names: Sequence[str] | None, arms: Sequence[Arm], source: str, where: str) -> None:
    """Check per-group metrics against the arms' groups, known only once every scenario is resolved.

    Raises:
        InputError: A metric names a group no arm has, naming the key path ``where[i]``.
    """
    found = first_unknown_metric(names, scenario_groups(a.content for a in arms))
    if found:
        raise InputError(found[1], source=source, path=f"{where}[{found[0]}]")


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
    """

    label: str
    scenario: str
    point: int
    parameters: dict[str, Any]
    source: str
    content: dict[str, Any]
    reference: str | None = None

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
        metrics: Metrics to analyse and plot (None: every summary metric).
        extra: Kind-specific facts, e.g. the SALib problem of a sensitivity design.
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
            "arms": [
                {"label": a.label, "scenario": a.scenario, "point": a.point, "parameters": a.parameters,
                 "source": a.source, "scenario_hash": a.scenario_hash, "reference": a.reference}
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
                seed: int) -> str:
    """A deterministic id: the same resolved scenario, parameters, replication and seed give the same id.

    The scenario label is included so that two arms with identical content (a variant that
    changes nothing yet) still keep separate runs.
    """
    key = {"scenario": scenario, "content": _data_by_content(content), "parameters": dict(parameters),
           "replication": int(replication), "seed": int(seed)}
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


def load_experiment(path: str | Path) -> ExperimentFile:
    """Read and validate an experiment file.

    Raises:
        InputError: One line naming the file, the key path and what is allowed.
    """
    path = Path(path)
    refuse_data_file(path, "an experiment")
    data = read_yaml(path)
    if isinstance(data, Mapping):
        refuse_other_kind(data, str(path), "experiment")
    return validate_experiment(data if data is not None else {}, str(path))


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
    # others are not more problems.
    head = tuple(errors[0].get("loc", ()))[:2]
    first = max((e for e in errors if tuple(e.get("loc", ()))[:2] == head), key=lambda e: len(e.get("loc", ())))
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
    plain = unicodedata.normalize("NFKD", Path(file).stem).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", plain)[:LABEL_LENGTH - 4] or "scenario"


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
    """The value at a dotted key path in a resolved scenario, or None when absent."""
    node: Any = content
    for part in key.replace("__", ".").split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    return node


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
    columns = []
    for key in keys:
        values = grid[key].values() if isinstance(grid[key], GridRange) else list(grid[key])
        columns.append([coerce_like(v, value_at(like, key)) for v in values])
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*columns)]


def point_label(scenario: str, parameters: Mapping[str, Any], n_points: int) -> str:
    """``scenario`` alone without a grid, else ``scenario[key=value, ...]`` with short keys."""
    if n_points <= 1:
        return scenario
    shown = ", ".join(f"{k.split('.')[-1]}={v:g}" if isinstance(v, float) else f"{k.split('.')[-1]}={v}"
                      for k, v in parameters.items())
    return f"{scenario}[{shown}]"


def resolve(path: Path, *, headcount: int | None, overrides: Mapping[str, Any], label: str, source: str,
            where: str) -> Scenario:
    """Load one scenario with the experiment's overrides; errors name the experiment and the arm."""
    try:
        return load_scenario(path, headcount=headcount, overrides=dict(overrides))
    except InputError as exc:
        raise InputError(f"scenario '{label}': {exc}", source=source, path=where) from None


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
        RunTask(run_id=make_run_id(arm.scenario, arm.content, arm.parameters, k, seed), arm=arm.label,
                scenario=arm.scenario, point=arm.point, parameters=arm.parameters, replication=k, seed=seed,
                content=arm.content, timeseries=timeseries)
        for k, seed in enumerate(seeds)
        for arm in arms
    ]


def base_overrides(spec: ExperimentFile) -> dict[str, Any]:
    """Overrides every scenario gets: the experiment's ``set`` and its ``years``."""
    out = dict(spec.set)
    if spec.years is not None:
        out["years"] = spec.years
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
    common = base_overrides(spec)
    bases = [
        (label, path, resolve(path, headcount=spec.headcount, overrides={**common, **own}, label=label,
                              source=source, where=where))
        for label, path, own, where in specs
    ]
    points = grid_points(spec.grid, bases[0][2].model_dump(mode="json"))
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
                            content=resolved.model_dump(mode="json"), reference=reference))
    arms.sort(key=lambda a: (a.reference is not None, a.point, [s[0] for s in bases].index(a.scenario)))
    check_pairs_differ(arms, source, bool(spec.grid))
    check_metric_groups(spec.metrics, arms, source, "metrics")
    seeds = derive_seeds(spec.seed, spec.replications)
    return Design(
        name=name or spec.name or Path(source).stem, kind="comparison", source=source,
        description=spec.description.strip(), seed=spec.seed, replications=spec.replications, seeds=seeds,
        years=spec.years, headcount=spec.headcount, metrics=spec.metrics, timeseries=spec.timeseries,
        arms=arms, tasks=make_tasks(arms, seeds, spec.timeseries),
    )


def check_pairs_differ(arms: Sequence[Arm], source: str, gridded: bool) -> None:
    """Refuse an arm that runs the very scenario of the arm it is paired with.

    With common random numbers every difference is then exactly 0, and the report reads as "no
    effect". The usual cause is a grid over a lever's parameter: it applies to every scenario, so
    it switches the lever on in the baseline too (``compare`` already refuses one file twice).

    Raises:
        InputError: Naming both arms, and the way to sweep one arm only.
    """
    def behaviour(arm: Arm) -> str:  # what the engine runs: the names and words are not part of it
        return digest({k: v for k, v in arm.content.items() if k not in ("name", "description")})

    by_label = {a.label: a for a in arms}
    for arm in arms:
        other = by_label.get(arm.reference or "")
        if other is None or behaviour(arm) != behaviour(other):
            continue
        cause = (" A grid over a lever's parameter applies to every scenario, so it switches the lever on in "
                 "the baseline too; to vary one arm only, give one variant per value with its own set: "
                 "(docs/experiments.md)") if gridded else ""
        raise InputError(f"arm '{arm.label}' runs the same scenario as the arm it is paired with, "
                         f"'{other.label}', so every difference would be 0.{cause}", source=source,
                         path="scenarios")


def comparison_spec(baseline: str, variants: Sequence[str], *, replications: int, seed: int,
                    years: float | None = None, headcount: int | None = None,
                    metrics: Sequence[str] | None = None) -> ExperimentFile:
    """The experiment ``promosim compare`` runs; build it with ``base_dir=Path.cwd()`` (paths as typed).

    Scenarios are labelled by file name, as in an experiment file, made into a valid label
    (``my scénario.yaml`` gets ``my_scenario``); two different files of the same name
    (``a/team.yaml``, ``b/team.yaml``) get ``team`` and ``team-2``, since the command line has no
    other way to name them.

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
    labels: list[str] = []
    for file in files:
        stem = label_from_file(file)  # as typed
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
        "scenarios": {"baseline": {"file": files[0], "name": labels[0]},
                      "variants": dict(zip(labels[1:], files[1:], strict=True))},
    }
    return validate_experiment(data, "command line")
