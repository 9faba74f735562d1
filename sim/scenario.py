"""Scenario files: YAML in, a typed and validated ``Scenario`` out.

A scenario says *what* to simulate: the organisation's shape, who works there, how people and
managers behave, which promotion policy fills openings and which interventions are on. Every
field has a default that is justified in docs/ODD.md, so a scenario file only states what
differs. ``extends:`` lets a variant name its parent and override a few keys.

All mistakes surface as one-line :class:`~sim.errors.InputError` messages that name the file,
the key path and what is allowed.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import itertools
import math
import numbers
import os
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from sim.errors import InputError
from sim.wording import counted

TRACKS: tuple[str, ...] = ("specialist", "management")
SPECIALIST, MANAGEMENT = 0, 1
POLICIES: tuple[str, ...] = (
    "visibility",
    "readiness",
    "best",
    "worst",
    "mixed",
    "random",
    "seniority",
    "application",
)

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _PerMonth:
    """Marks a fraction that is a chance per month, for the hint on a percentage written for it."""


# A chance per month. An org-design trial meaning 12 % attrition a year wrote exits.base_monthly: 12,
# and "12 % is 0.12" would have made it 12 % a month; the hint gives the month's equivalent too.
MonthlyChance = Annotated[float, Field(ge=0.0, le=1.0), _PerMonth()]


class _Points:
    """Marks a number bounded by 0 and 1 that is not a fraction (score points a month): no percentage hint."""


# learning_rate's 0.04 is readiness points a month; "5 % is 0.05" misled there (an ODD audit).
PointsPerMonth = Annotated[float, Field(ge=0.0, le=1.0), _Points()]
Score = Annotated[float, Field(ge=0.0, le=10.0)]
PositiveInt = Annotated[int, Field(ge=1)]
Months = Annotated[int, Field(ge=1, le=1200)]
MAX_YEARS = 100  # a scenario's years, and --years
Track = Literal["specialist", "management"]
PolicyName = Literal["visibility", "readiness", "best", "worst", "mixed", "random", "seniority", "application"]

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Sizes beyond any organisation the engine is measured at (1M people in 0.8 GB, docs/performance.md),
# refused in one line rather than failing with a MemoryError part-way through building it.
MAX_HEADCOUNT = 2_000_000
MAX_POSITIONS = 3_000_000


class _Strict(BaseModel):
    """Base for every block: unknown keys are errors, not silently ignored.

    NaN and infinity are refused everywhere: a mean of ``.nan`` validated, and every person's
    competence was NaN (found by fuzzing).
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Beta(_Strict):
    """A Beta(a, b) distribution for traits on [0, 1]."""

    a: Annotated[float, Field(gt=0)] = 2.0
    b: Annotated[float, Field(gt=0)] = 2.0


class Normal(_Strict):
    """A normal distribution, clipped to the quantity's range when drawn."""

    mean: float = 0.0
    sd: Annotated[float, Field(ge=0)] = 1.0


class Level(_Strict):
    """One rung of the organisation: its positions on each track and how openings are filled."""

    name: str
    positions: dict[Track, Annotated[int, Field(ge=0)]]
    hire_share: Fraction = 0.25
    start_filled: Fraction | None = None

    @model_validator(mode="after")
    def _has_positions(self) -> Level:
        if sum(self.positions.values()) <= 0:
            raise ValueError("a level needs at least one position on some track")
        return self


class OrgSource(_Strict):
    """A starting organisation read from a CSV, Excel (.xlsx) or Parquet file of anonymised employees.

    ``columns`` maps the model's fields (see ``FIELDS``) to the file's column names (a field
    not named here is looked for under its own name); ``values`` maps, per categorical field,
    the file's values to the model's (level names, track names, group names, intent answers,
    or rating labels to numbers), or to ``null`` for "read as a blank cell" (a survey's "prefer
    not to say"). ``exclude`` names, per column, the values of rows that are not simulated
    (leavers, contractors: HR exports hold them, and editing the export by hand loses the
    trail back to it). ``performance_scale`` is the rating scale ``[low, high]`` (values
    outside it are errors; higher is better). ``survey_honesty`` is the chance that a stated
    career intent reflects what the person really wants. ``as_of`` is the date the file
    describes, to which hire and birth dates (``hire_date``, ``birth_date``) are counted: an
    export holds dates, not years of service, and counting to the day of the run would make
    the same scenario give other tenures next month. ``date_format`` says how a date such as
    ``01/02/2020`` is read, which no file can say for itself (an Excel date cell says it, and
    is read whatever ``date_format`` is). ``sheet`` names a workbook's sheet when more than one
    holds data. See docs/orgdata.md and sim/orgdata/.
    """

    # Kept here (not in sim.orgdata) so that `promosim validate` catches a bad mapping block
    # without reading the file, and the scenario module need not import the loader.
    FIELDS: typing.ClassVar[tuple[str, ...]] = (
        "id", "level", "track", "manager", "team", "tenure_months", "tenure_years", "hire_date", "group",
        "performance", "intent", "age", "birth_date",
    )
    # Fields read as dates, counted to ``as_of``; what each gives the model.
    DATES: typing.ClassVar[dict[str, str]] = {"hire_date": "tenure", "birth_date": "age"}
    DATE_FORMATS: typing.ClassVar[tuple[str, ...]] = ("iso", "day_first", "month_first")
    MAPPED: typing.ClassVar[tuple[str, ...]] = ("level", "track", "group", "intent", "performance")
    INTENTS: typing.ClassVar[tuple[str, ...]] = ("manage", "specialist", "not_now", "no_answer")
    WORKBOOKS: typing.ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
    SUFFIXES: typing.ClassVar[tuple[str, ...]] = (".csv", ".csv.gz", *WORKBOOKS, ".parquet", ".pq")
    SPREADSHEETS: typing.ClassVar[tuple[str, ...]] = (".numbers",)

    file: str  # checked in _known_fields, which says what an empty one should be
    columns: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    values: dict[str, dict[str, Any]] = Field(default_factory=dict)
    exclude: dict[Annotated[str, Field(min_length=1)], Annotated[list[str], Field(min_length=1)]] = Field(
        default_factory=dict)
    performance_scale: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    survey_honesty: Fraction = 0.85
    as_of: datetime.date | None = None
    date_format: Literal["iso", "day_first", "month_first"] = "iso"
    sheet: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet_text(cls, value: Any) -> Any:
        """A sheet named 2024 written unquoted is the sheet's name, not a number."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("as_of", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        """``as_of`` as a date: YAML's unquoted 2024-06-30, or the same text (quoted, ``--set``, saved JSON).

        Only year-first text is taken: ``30/06/2024`` in a scenario is as ambiguous as in a file,
        and a scenario has no ``date_format`` of its own.
        """
        if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
            return value
        if isinstance(value, datetime.datetime):
            return value.date()
        text = str(value).strip()
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"'{text}' is not a date (no such day); write the date the file describes, year "
                                 "first: 2024-06-30") from None
        raise ValueError(f"{value!r} is not a date; write the date the file describes, year first: 2024-06-30")

    @model_validator(mode="before")
    @classmethod
    def _text_keys(cls, data: Any) -> Any:
        """File values are compared as text, so YAML numbers become text; booleans are refused.

        YAML reads an unquoted ``yes``/``no``/``on``/``off`` as a boolean, which cannot be
        turned back into the word the file holds, so it must be quoted. This holds for the keys
        of ``values`` and for the values listed in ``exclude`` (where one value may be given
        without a list).
        """
        if not isinstance(data, dict):
            return data
        if isinstance(data.get("values"), dict):
            values = {}
            for field, mapping in data["values"].items():
                values[field] = ({_as_file_text(key, f"values.{field}", "key"): to for key, to in mapping.items()}
                                 if isinstance(mapping, dict) else mapping)
            data = {**data, "values": values}
        if isinstance(data.get("exclude"), dict):
            exclude = {}
            for column, listed in data["exclude"].items():
                if listed is None or listed == []:
                    raise ValueError(f"@exclude.{column}@ lists no values; give the values of the rows to leave out")
                values = [_as_file_text(value, f"exclude.{column}")
                          for value in (listed if isinstance(listed, list) else [listed])]
                exclude[column] = [v.strip() if isinstance(v, str) else v for v in values]
            data = {**data, "exclude": exclude}
        return data

    @model_validator(mode="after")
    def _known_fields(self) -> OrgSource:
        for field in self.columns:
            if field not in self.FIELDS:
                close = difflib.get_close_matches(field, self.FIELDS, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(f"@columns.{field}@ unknown field{hint}; fields: {', '.join(self.FIELDS)}")
        for field, mapping in self.values.items():
            if field not in self.MAPPED:
                raise ValueError(f"@values.{field}@ values can be mapped only for: {', '.join(self.MAPPED)}")
            allowed = {"track": TRACKS, "intent": self.INTENTS}.get(field)
            for key, target in mapping.items():
                if target is None:
                    if field == "level":
                        raise ValueError(f"@values.level.{key}@ a level cannot be read as blank (every person needs "
                                         "one); leave such rows out with organisation.source.exclude")
                elif field == "performance":
                    if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
                        raise ValueError(f"@values.performance.{key}@ must map to a number, got {target!r}")
                elif not isinstance(target, str):
                    raise ValueError(f"@values.{field}.{key}@ must map to a name (text), got {target!r}")
                elif allowed is not None and target not in allowed:
                    raise ValueError(f"@values.{field}.{key}@ '{target}' is not allowed; allowed: {', '.join(allowed)}")
        if not self.file.strip():
            raise ValueError(f"@file@ is empty; give the path of a {', '.join(self.SUFFIXES)} file")
        if not self.file.lower().endswith(self.SUFFIXES):
            # A workbook is what most HR users have, and Excel names its "Unicode text" .txt: say how to
            # turn either into a file that is read.
            save = ""
            if self.file.lower().endswith(self.SPREADSHEETS):
                save = ": export it as an Excel workbook (.xlsx) or as CSV (Numbers: File › Export To)"  # noqa: RUF001 (the menu)
            elif self.file.lower().endswith((".txt", ".tsv")):
                save = ": text separated by tabs, commas or semicolons is read from a file named .csv (rename it)"
            raise ValueError(f"@file@ expected a {', '.join(self.SUFFIXES)} file, got '{Path(self.file).name}'{save}")
        if self.sheet is not None and not self.file.lower().endswith(self.WORKBOOKS):
            raise ValueError(f"@sheet@ names a sheet of a workbook ({', '.join(self.WORKBOOKS)}); "
                             f"'{Path(self.file).name}' has none: remove sheet")
        for column, listed in self.exclude.items():
            if any(not value.strip() for value in listed):
                raise ValueError(f"@exclude.{column}@ an empty value matches no row (blank cells are never excluded)")
        scale = self.performance_scale
        if scale is not None and not scale[0] < scale[1]:
            raise ValueError(f"@performance_scale@ must be [low, high] with low < high, got {scale}")
        dated = [field for field in self.DATES if field in self.columns]
        if dated and self.as_of is None:
            # Not the day of the run: the same scenario and seed must give the same tenures next month.
            counted = " and ".join(self.DATES[field] for field in dated)
            raise ValueError(f"@as_of@ is required with {' and '.join(f'columns.{f}' for f in dated)}: the date the "
                             f"file describes (its export date), to count {counted} to, e.g. as_of: 2024-06-30")
        return self


def _as_file_text(value: Any, where: str, what: str = "value") -> Any:
    """A value written in YAML as a file cell would hold it: numbers as text; a YAML boolean refused."""
    if isinstance(value, bool):
        raise ValueError(
            f"@{where}@ a {what} written {'yes, on or true' if value else 'no, off or false'} was read by YAML as "
            f"the boolean {str(value).lower()}; quote it (e.g. '{'yes' if value else 'no'}')"
        )
    return str(value) if isinstance(value, int | float) else value


class Organisation(_Strict):
    """The pyramid: levels from the bottom (index 0) to the top."""

    levels: Annotated[list[Level], Field(min_length=2)]
    source: OrgSource | None = None
    initial_fill: Annotated[float, Field(gt=0.0, le=1.0)] = 0.97
    min_months_in_role: Annotated[int, Field(ge=0, le=240)] = 12

    @model_validator(mode="after")
    def _unique_names(self) -> Organisation:
        names = [lv.name for lv in self.levels]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"level names must be unique; repeated: {sorted(dup)}")
        sizes = [sum(lv.positions.values()) for lv in self.levels]
        if sum(sizes) > MAX_POSITIONS:
            raise ValueError(f"{sum(sizes):,} positions in all; at most {MAX_POSITIONS:,} are allowed")
        # An org chart copied top first; two levels may be a senior-heavy team.
        if len(sizes) >= 3 and _rising(sizes):
            shown = ", ".join(f"{lv.name} {n:,}" for lv, n in zip(self.levels, sizes, strict=True))
            raise ValueError(
                f"levels go from the bottom (the entry level, first) to the top; each level here has more "
                f"positions than the one listed before it ({shown}): listed top first? reverse the list"
            )
        return self


class Group(_Strict):
    """A named group of people, for bias, suppressed ambition and representation."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]
    workforce_share: Fraction
    hiring_share: Fraction
    leadership_aspiration: Fraction = 0.34
    specialist_aspiration: Fraction = 0.215
    rating_bias: Annotated[float, Field(ge=-3.0, le=3.0)] = 0.0
    ambition_suppression: Fraction = 0.0
    visibility_shift: Annotated[float, Field(ge=-0.5, le=0.5)] = 0.0

    @field_validator("name")
    @classmethod
    def _not_read_as_missing(cls, name: str) -> str:
        # pandas, spreadsheets and R read these as missing values, so a CSV's group column would lose
        # the group and its rows would pass for the whole organisation's (``metrics.totals``).
        if name.lower() in {"na", "nan", "null", "none", "-nan"}:
            raise ValueError(f"'{name}' reads as a missing value in CSV files (pandas, spreadsheets, R); "
                             "give the group another name, e.g. 'north_america'")
        return name

    @model_validator(mode="after")
    def _aspirations_fit(self) -> Group:
        if self.leadership_aspiration + self.specialist_aspiration > 1.0 + 1e-9:
            raise ValueError(
                "leadership_aspiration + specialist_aspiration must not exceed 1 "
                f"(got {self.leadership_aspiration + self.specialist_aspiration:.3f})"
            )
        return self


class Person(_Strict):
    """A named person placed at the start, for worked examples; unset traits are drawn."""

    name: Annotated[str, Field(min_length=1)]
    level: int | str
    track: Track = "specialist"
    group: str | None = None
    ambition: Fraction | None = None
    wants: Track | None = None
    wait_months: Annotated[int, Field(ge=0, le=1200)] | None = None
    visibility: Fraction | None = None
    risk_sensitivity: Fraction | None = None
    engagement: Fraction | None = None
    competence: Score | None = None
    management_readiness: Score | None = None
    specialist_readiness: Score | None = None
    age: Annotated[float, Field(ge=16, le=100)] | None = None
    tenure_months: Annotated[int, Field(ge=0, le=1200)] | None = None


def _default_groups() -> list[Group]:
    return [Group(name="all", workforce_share=1.0, hiring_share=1.0)]


class Employees(_Strict):
    """How the hidden traits of people are drawn at the start and at hiring."""

    timing_later_share: Fraction = 0.25
    timing_delay_months: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)] = [
        12,
        48,
    ]
    visibility: Beta = Beta(a=2.0, b=2.0)
    risk_sensitivity: Beta = Beta(a=2.0, b=3.0)
    engagement: Beta = Beta(a=6.0, b=2.0)
    competence: Normal = Normal(mean=6.5, sd=1.5)
    management_readiness: Normal = Normal(mean=5.0, sd=1.5)
    specialist_readiness: Normal = Normal(mean=5.5, sd=1.5)
    age: Normal = Normal(mean=38.0, sd=9.0)
    hire_age: Normal = Normal(mean=29.0, sd=6.0)


class Behaviour(_Strict):
    """What employees do each month: speak up, learn, take risks, change their minds."""

    voice_rate: MonthlyChance = 0.12
    apply_rate: Fraction = 0.6
    learning_rate: PointsPerMonth = 0.04
    competence_growth: Annotated[float, Field(ge=0, le=1)] = 0.01
    competence_ceiling: Score = 8.0
    engagement_effect: Fraction = 0.3
    readiness_step: Annotated[float, Field(ge=0, le=10)] = 1.0
    readiness_persistence: Fraction = 0.7
    life_event_rate: MonthlyChance = 0.01
    ambition_drift_sd: Annotated[float, Field(ge=0, le=0.5)] = 0.01
    passed_over_ambition_drop: Fraction = 0.05
    passed_over_engagement_drop: Fraction = 0.15
    success_ambition_gain: Fraction = 0.05
    risk_rate: MonthlyChance = 0.06
    risk_failure: Fraction = 0.3
    penalty_sensitivity_gain: Fraction = 0.15
    safe_sensitivity_decay: Fraction = 0.02
    penalty_engagement_drop: Fraction = 0.05
    engagement_recovery: Fraction = 0.03
    misplaced_engagement_drop: Fraction = 0.01
    stretch_readiness_gain: Annotated[float, Field(ge=0, le=10)] = 0.5
    stretch_failure: Fraction = 0.3


class Heuristics(_Strict):
    """The three named misreads; each can be switched off to see what it costs."""

    silence_as_disinterest: bool = True
    visibility_as_readiness: bool = True
    decline_as_permanent: bool = True


class Managers(_Strict):
    """How managers form beliefs from signals and act on them."""

    heuristics: Heuristics = Heuristics()
    micro_penalty_rate: Fraction = 0.5
    prior_interest: Fraction = 0.5
    silence_decay: Fraction = 0.04
    voice_weight: Fraction = 0.5
    visibility_weight: Fraction = 0.6
    readiness_learning: Fraction = 0.2
    rating_noise: Annotated[float, Field(ge=0, le=5)] = 1.0
    review_every_months: Months = 12
    stretch_offer_share: Fraction = 0.1
    development_share: Fraction = 0.2


class Policy(_Strict):
    """How openings are filled at each promotion cycle."""

    name: PolicyName = "visibility"
    cycle_months: Months = 12
    require_believed_interest: bool = True
    candidate_interest: Fraction = 0.5
    offers_can_be_declined: bool = True
    top_down: bool = True


class Promotion(_Strict):
    """What happens to someone after a promotion: competence carry-over, fit, sticking."""

    carry_over_same_track: Fraction = 0.6
    carry_over_cross_track: Fraction = 0.2
    carry_over_noise: Annotated[float, Field(ge=0, le=5)] = 0.5
    carry_over_noise_kind: Literal["normal", "uniform"] = "normal"
    fit_threshold: Score = 5.0
    stick_window_months: Months = 18
    step_back_rate: MonthlyChance = 0.05
    regret_step_back_rate: MonthlyChance = 0.02
    accept_wanted: Fraction = 0.95
    accept_wrong_track: Fraction = 0.4
    accept_other_track: Fraction = 0.15
    other_track_min_share: Fraction = 0.1
    accept_later: Fraction = 0.15
    accept_unwanted: Fraction = 0.3


class Exits(_Strict):
    """The monthly exit hazard and retirement."""

    base_monthly: MonthlyChance = 0.005
    passed_over_multiplier: Annotated[float, Field(ge=0, le=50)] = 1.5
    misplaced_multiplier: Annotated[float, Field(ge=0, le=50)] = 1.0
    plateau_multiplier: Annotated[float, Field(ge=0, le=50)] = 0.5
    disengagement_multiplier: Annotated[float, Field(ge=0, le=50)] = 3.0
    passed_over_months: Months = 12
    retirement_age: Annotated[float, Field(ge=30, le=100)] = 65.0
    dismissal_competence: Score | None = None


class Hiring(_Strict):
    """External hiring."""

    every_months: Months = 1


class Metrics(_Strict):
    """Thresholds that turn hidden state into the outcome measures of docs/ODD.md."""

    key_levels: PositiveInt = 2
    ready_threshold: Score = 5.5
    high_performer_competence: Score = 7.5
    plateau_months: Months = 36
    roi_window_months: Months = 24
    decliner_window_months: Months = 12
    summary_window_months: Months = 12
    interested_belief: Fraction = 0.6
    disinterested_belief: Fraction = 0.4
    level_weights: list[Annotated[float, Field(ge=0)]] | None = None

    @field_validator("key_levels", mode="before")
    @classmethod
    def _a_count(cls, value: Any) -> Any:
        """Name a list of levels as the count ``key_levels`` is.

        A list of level names was refused as "Input should be a valid integer (got list)" (an
        org-design trial).
        """
        if isinstance(value, list | tuple):
            raise ValueError(f"is how many levels from the top count as the top, a whole number: for the top "
                             f"{len(value)} levels write key_levels: {len(value)}")
        return value


class Scenario(_Strict):
    """A complete, validated description of one organisation and its rules."""

    name: str = "unnamed"
    description: str = ""
    years: Annotated[float, Field(gt=0, le=MAX_YEARS)] = 10.0
    warmup_months: Annotated[int, Field(ge=0, le=600)] = 24
    organisation: Organisation
    groups: Annotated[list[Group], Field(min_length=1)] = Field(default_factory=_default_groups)
    employees: Employees = Employees()
    behaviour: Behaviour = Behaviour()
    managers: Managers = Managers()
    policy: Policy = Policy()
    promotion: Promotion = Promotion()
    exits: Exits = Exits()
    hiring: Hiring = Hiring()
    metrics: Metrics = Metrics()
    interventions: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    people: list[Person] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if round(12 * self.years) < 1:  # the run steps round(12 * years) months
            raise ValueError(f"@years@ must cover at least one month (1/12 = 0.0833 years); got {self.years:g}")
        for attr in ("workforce_share", "hiring_share"):
            total = sum(getattr(g, attr) for g in self.groups)
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                raise ValueError(f"@groups@ {attr} values must sum to 1 (got {total:.4g})")
        names = [g.name for g in self.groups]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"@groups@ group names must be unique; repeated: {sorted(dup)}")
        people = [p.name for p in self.people]
        dup = {n for n in people if people.count(n) > 1}
        if dup:  # the story and the inspector tell people apart by name
            raise ValueError(f"@people@ names must be unique; repeated: {sorted(dup)}")
        weights = self.metrics.level_weights
        if weights is not None and len(weights) != len(self.organisation.levels):
            raise ValueError(
                f"@metrics.level_weights@ has {len(weights)} values but the organisation has "
                f"{len(self.organisation.levels)} levels"
            )
        for i, person in enumerate(self.people):
            try:
                self.level_index(person.level)
            except ValueError as exc:
                raise ValueError(f"@people[{i}].level@ {exc}") from None
            if person.group is not None and person.group not in names:
                raise ValueError(
                    f"@people[{i}].group@ group '{person.group}' does not exist; "
                    f"groups: {', '.join(names)}"
                )
            if self.positions(self.level_index(person.level), person.track) == 0:
                raise ValueError(
                    f"@people[{i}].track@ level '{person.level}' has no {person.track} positions"
                )
        if self.organisation.source is None:  # with a headcount file, the file's people come first (orgdata)
            for (li, track), count in self.named_positions().items():
                room = self.positions(li, track)
                if count > room:
                    raise ValueError(
                        f"@people@ {count} named people at level '{self.organisation.levels[li].name}' "
                        f"({track}) but it has {room} {track} positions; add positions or remove people"
                    )
        self._mapped_to_names()
        lo, hi = self.employees.timing_delay_months
        if lo > hi:
            raise ValueError("@employees.timing_delay_months@ must be [min, max] with min <= max")
        return self

    def _mapped_to_names(self) -> None:
        """Check that an organisation file's level and group values map to this scenario's names.

        Checked here rather than when the file is read, so that ``promosim validate`` finds it
        without the file and the line names the scenario file the mapping is written in (tracks
        and intents are fixed names, checked by ``OrgSource`` itself).
        """
        source = self.organisation.source
        if source is None:
            return
        names = {"level": [lv.name for lv in self.organisation.levels], "group": self.group_names}
        for field, allowed in names.items():
            for key, target in source.values.get(field, {}).items():
                if target is not None and target not in allowed:
                    raise ValueError(f"@organisation.source.values.{field}.{key}@ '{target}' is not a {field}; "
                                     f"{field}s: {', '.join(allowed)}")

    # Derived facts the engine needs; kept here so there is one definition of each.
    @property
    def n_levels(self) -> int:
        """Number of levels in the organisation."""
        return len(self.organisation.levels)

    @property
    def total_positions(self) -> int:
        """All positions on all levels and tracks."""
        return sum(sum(lv.positions.values()) for lv in self.organisation.levels)

    @property
    def group_names(self) -> list[str]:
        """Group names in declaration order (their index is the group code)."""
        return [g.name for g in self.groups]

    def level_index(self, level: int | str) -> int:
        """A level's index from its index or name, or a ValueError naming the levels."""
        names = [lv.name for lv in self.organisation.levels]
        if isinstance(level, int) and 0 <= level < len(names):
            return level
        if isinstance(level, str) and level in names:
            return names.index(level)
        close = closest(str(level), names) if isinstance(level, str) else None
        hint = f" (did you mean '{close}'?)" if close else ""
        raise ValueError(f"level '{level}' does not exist{hint}; levels: {', '.join(names)}")

    def named_positions(self) -> Counter[tuple[int, str]]:
        """How many named people (``people:``) sit at each (level index, track)."""
        return Counter((self.level_index(p.level), p.track) for p in self.people)

    def positions(self, level: int, track: str) -> int:
        """Positions at a level on a track (0 where the track does not exist there)."""
        return self.organisation.levels[level].positions.get(track, 0)

    @property
    def has_parallel_ladder(self) -> bool:
        """True when the specialist track continues at or above the first management level."""
        levels = self.organisation.levels
        first_mgmt = next(
            (i for i, lv in enumerate(levels) if lv.positions.get("management", 0) > 0), None
        )
        if first_mgmt is None:
            return False
        return any(lv.positions.get("specialist", 0) > 0 for lv in levels[first_mgmt:])

    def to_yaml(self) -> str:
        """The fully resolved scenario as YAML (every default spelled out)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)

    def __iter__(self) -> NoReturn:
        """Not iterable, unlike other pydantic models (their fields as pairs): one value, not many.

        ``mesa.batch_run`` sweeps over any iterable parameter, so ``parameters={"scenario": scenario}``
        ran each (field, value) pair as a scenario and failed on the first ("got ('name', ...)"), a
        Mesa user's trial. Not iterable, it is one parameter value, as a path or a name is.

        Raises:
            TypeError: Always; the fields are in ``model_dump()``.
        """
        raise TypeError("a Scenario is not iterable: its fields are in scenario.model_dump()")


# ---------------------------------------------------------------------------------------------
# Loading: YAML, extends, overrides, headcount scaling, and one-line errors.


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def shipped_scenario(name: str | Path) -> Path | None:
    """The file of a shipped scenario named with or without ``.yaml``, or None when there is none."""
    return shipped_file(name, SCENARIO_DIR)


def shipped_file(name: str | Path, folder: Path) -> Path | None:
    """The YAML file in ``folder`` (shipped scenarios, experiments) named with or without ``.yaml``, or None."""
    for candidate in (folder / name, folder / f"{name}.yaml"):
        if candidate.is_file():  # scenarios/data and scenarios/peter_principle are folders, not scenarios
            return candidate
    return None


def shipped_names() -> list[str]:
    """Every shipped scenario as it can be named: ``baseline``, ``peter_principle/peter_best``."""
    return sorted(p.relative_to(SCENARIO_DIR).with_suffix("").as_posix() for p in SCENARIO_DIR.rglob("*.yaml"))


def not_found(spec: str | Path, source: str, path: str | None = None) -> InputError:
    """The one line for a scenario that is neither a file nor a shipped name: where it looked, and the names.

    A headcount file given where a scenario was wanted gets the hint ``refuse_data_file`` gives
    for one that exists, rather than the shipped scenarios' names.
    """
    where = "" if Path(spec).is_absolute() else f" in the working folder ({Path.cwd()})"
    if str(spec).lower().endswith(OrgSource.SUFFIXES):
        return InputError(f"file not found{where}, and a headcount file is not a scenario: {DATA_FILE_HINT}",
                          source=source, path=path)
    return InputError(f"scenario file not found: no file {spec}{where}, and no shipped scenario of that name "
                      f"({', '.join(shipped_names())})", source=source, path=path)


def resolve_path(name: str | Path) -> Path:
    """Find a scenario by path, or by bare name in the shipped scenarios/ folder."""
    path = Path(name)
    if path.exists():
        return path
    return shipped_scenario(path) or path


def read_yaml(path: Path) -> Any:
    """Read a YAML file safely (no object tags), turning every failure into one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("cannot read file: not UTF-8 text; save it as UTF-8 (in Notepad: Save As, Encoding "
                         "'UTF-8')", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", source=str(path)) from None
    return parse_yaml(text, str(path))


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key written twice in one mapping."""


class _BadDate(yaml.MarkedYAMLError):
    """A value YAML reads as a date (``2025-06-31``) that is no day of the calendar."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key written twice in one mapping.

    PyYAML keeps the last of two equal keys without a word: a ``policy`` with two ``name:``
    lines, or a value mapping ``{Female: women, Female: men}``, would run something other
    than what the file seems to say.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """Read a year-first date, naming its line when it is no real day.

        PyYAML raises a bare ``ValueError`` ("day is out of range for month") for
        ``as_of: 2025-06-31``, which no handler of YAML errors catches: a traceback.
        """
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadDate(problem=f"'{node.value}' is not a date ({exc}); write a real day, year first "
                                   "(2024-06-30)", problem_mark=node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # '<<: *base' keys may be overridden, as YAML says
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # a list as a key: PyYAML's own error says so
                continue
            if key in seen:
                raise _DuplicateKey(problem=f"key '{key}' appears twice in the same mapping (the second is here)",
                                    problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


# A no-break space (U+00A0) in a line's indentation: what text pasted from Word or a web page holds.
_NBSP_INDENT = re.compile(r"^[ \t]*\u00a0", re.MULTILINE)


def _yaml_problem(problem: str, line: int) -> str:
    """PyYAML's wording of a syntax problem in plain words, for the three a hand-written file meets most.

    "expected <block end>, but found '<block mapping start>'" and "mapping values are not
    allowed here" are what a key indented by one space too many or too few gives; neither says
    so, and the line they name is the one to fix.
    """
    if "'\\t'" in problem:
        return "a tab character; YAML indents with spaces only: replace the tab with spaces"
    if problem.startswith("expected <block end>"):
        return (f"line {line} does not line up with the keys above it: indent it by as many spaces as the other "
                "keys of its block (a key's settings go further in than the key)")
    if problem == "mapping values are not allowed here":
        return (f"a key on line {line} where a value was expected: is line {line} indented further than the key "
                "above it? keys of one block line up (a value holding ': ' needs quotes)")
    return problem


def _missing_colon(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """A key written without its ':' (``as_of 2024-06-30``), named at its own line.

    PyYAML names the line after it, where nothing is wrong: "could not find expected ':'" when
    the key follows others of its block (the key it was scanning starts at ``context_mark``),
    and "mapping values are not allowed here" when it is the block's first, which the hint for
    a key indented too far then explained wrongly (an HR user's trial).
    """
    lines = text.splitlines()
    if exc.problem == "could not find expected ':'" and exc.context_mark is not None:
        at = exc.context_mark.line
    elif exc.problem == "mapping values are not allowed here" and exc.problem_mark is not None:
        at = exc.problem_mark.line - 1  # the key and the line below it were read as one text
        if not 0 <= at < len(lines) - 1 or not _colonless_key_above(lines[at], lines[at + 1]):
            return None
    else:
        return None
    shown = lines[at].strip() if at < len(lines) else ""
    column = len(lines[at]) - len(lines[at].lstrip()) + 1 if at < len(lines) else 1
    return (f"YAML syntax error at line {at + 1}, column {column}: '{shown}' has no ':' after its key; write "
            "key: value (a colon and a space after the key)")


def _colonless_key_above(above: str, line: str) -> bool:
    """Whether ``above`` is a key without its colon, lined up with the key on ``line`` below it."""
    indent = len(line) - len(line.lstrip(" "))
    return (bool(above.strip()) and ":" not in above and not above.lstrip().startswith(("#", "-"))
            and len(above) - len(above.lstrip(" ")) == indent)


# An entry whose value is a number with a decimal comma: ``coverage: 0,2`` after a ``{`` or a comma.
# Three digits after the comma may be thousands (``{specialist: 1,200}``), which has a message of
# its own. Only an entry inside a {...} counts (``_flow_decimal_comma``): also past a nested mapping,
# as the README writes a level, ``{name: VP, positions: {management: 6}, hire_share: 0,3}``, which
# gave "organisation.levels[5][3]: Keys should be strings (got 3)" (an org-design trial).
_FLOW_DECIMAL_COMMA = re.compile(r"(?<=[{,])[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s:,{}\[\]'\"#]+)[ \t]*:[ \t]*"
                                 r"(-?\d+,(?:\d{1,2}|\d{4,}))(?=[ \t]*[,}])")


def _flow_decimal_comma(text: str) -> tuple[int, str] | None:
    """The line and number of the first decimal comma inside a {...} mapping, or None.

    An entry counts where the line before it leaves a ``{`` open outside quoted text and before
    a comment. One pattern from the line's ``{`` to the entry, across everything between, took a
    minute on a one-line file of 150 kB (every ``{`` tried every comma after it) and matched in a
    comment or quoted text after a closed mapping (``x: {a: 1}  # share: 0,25, say``).
    """
    for number, line in enumerate(text.split("\n"), start=1):
        if "{" not in line:
            continue
        depth, quote, before, done = 0, "", " ", 0
        for match in _FLOW_DECIMAL_COMMA.finditer(line):
            for char in line[done:match.start()]:
                if quote:
                    quote = "" if char == quote else quote
                elif char in "'\"" and before in " \t{[,:":
                    quote = char
                elif char == "#" and before in " \t":
                    depth = -len(line)  # a comment: nothing after it is read
                elif char in "{}":
                    depth += 1 if char == "{" else -1
                before = char
            done = match.start()
            if depth > 0 and not quote:
                return number, match.group(1)
    return None


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely; syntax errors and repeated keys name the line and column.

    No-break spaces in indentation are refused first: YAML takes them for text, so the line
    silently becomes a key of its own, starting with them, at the wrong level, and the error
    that follows is about something else.
    """
    nbsp = _NBSP_INDENT.search(text)
    if nbsp is not None:
        line = text.count("\n", 0, nbsp.start()) + 1
        raise InputError(f"non-breaking spaces (pasted from a word processor?) on line {line}: replace them with "
                         "ordinary spaces", source=source)
    comma = _flow_decimal_comma(text)
    if comma is not None:  # {coverage: 0,2} reads as coverage 0 and a key 2: "behaviour[2]: Keys should be strings"
        line, number = comma
        raise InputError(f"'{number}' on line {line} is read as two entries of the {{...}} (a comma separates them "
                         f"there): a decimal comma? write {number.replace(',', '.')}", source=source)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}" if mark else ""
        tag = re.search(r"tag '([^']+)'", str(exc.problem or ""))
        shown = f" '{tag.group(1).removeprefix('tag:yaml.org,2002:')}'" if tag else ""
        raise InputError(
            f"YAML tag{shown} not allowed{where}: only plain YAML (mappings, lists, numbers, text) is read",
            source=source,
        ) from None
    except yaml.MarkedYAMLError as exc:
        colon = _missing_colon(exc, text)
        if colon is not None:
            raise InputError(colon, source=source) from None
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problem = _yaml_problem((exc.problem or "syntax error").strip(), mark.line + 1 if mark else 0)
        kind = "YAML error" if isinstance(exc, _DuplicateKey | _BadDate) else "YAML syntax error"
        raise InputError(f"{kind} at {where}: {problem}", source=source) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {str(exc).splitlines()[0]}", source=source) from None


def relative_source(data: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """A raw scenario's ``organisation.source`` block and its file, when that is a relative path.

    Such a path is anchored to the scenario's folder, or to an app upload; an empty one is left
    as written for the field's own check to name.
    """
    org = data.get("organisation")
    src = org.get("source") if isinstance(org, dict) else None
    file = src.get("file") if isinstance(src, dict) else None
    if isinstance(file, str) and file.strip() and not Path(file).is_absolute():
        return src, file
    return None


DATA_FILE_HINT = "give the scenario whose organisation.source.file names it (docs/orgdata.md)"


def refuse_data_file(path: Path, wanted: str) -> None:
    """Say so when a headcount file is given where a YAML file was wanted.

    Read as YAML it would be one long string ("a scenario must be a mapping of keys, got str").
    """
    if path.name.lower().endswith(OrgSource.SUFFIXES):
        raise InputError(f"is a headcount file, not {wanted}: {DATA_FILE_HINT}", source=str(path))


def refuse_other_kind(data: Mapping[str, Any], source: str, wanted: str) -> None:
    """Say which command takes a scenario given as an experiment file, or the other way round.

    Otherwise each is judged by the other's schema ("organisation: required key is missing").
    Every experiment file has ``scenarios``, which no scenario has.
    """
    if wanted == "scenario" and "scenarios" in data:
        raise InputError("is an experiment file (it has 'scenarios'), not a scenario: run it with "
                         "'promosim experiment run'", source=source)
    if wanted == "experiment" and "scenarios" not in data and {"organisation", "policy", "extends"} & data.keys():
        raise InputError("is a scenario file, not an experiment: run it with 'promosim run', or compare scenarios "
                         "with 'promosim compare BASELINE VARIANT...'", source=source)


def _anchor_source(data: dict[str, Any], path: Path) -> None:
    """Make an organisation data file's path absolute, relative to the scenario naming it.

    ``~/hris.csv`` is the home folder's, as a shell reads it (it was looked for in a folder named
    ``~`` beside the scenario: an org-design trial).
    """
    found = relative_source(data)
    if found is not None:
        src, file = found
        src["file"] = str((path.parent / Path(file).expanduser()).resolve())


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a scenario mapping with its ``extends`` chain merged in."""
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, resolved))
        raise InputError(f"extends cycle: {cycle}", source=str(path), path="extends")
    refuse_data_file(path, "a scenario")
    data = scenario_mapping(read_yaml(path), str(path))
    _anchor_source(data, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError("must be a file name (string)", source=str(path), path="extends")
    # A variant without a name of its own is named after its file, not its parent: a file that adds
    # two levers to the baseline was reported as "baseline" in run titles, metadata and compare arms.
    data.setdefault("name", path.stem)
    base = _load_raw(_parent_file(parent, path), (*chain, resolved))
    return deep_merge(base, data)


def scenario_mapping(data: Any, source: str) -> dict[str, Any]:
    """A scenario file's parsed YAML, checked to be a scenario's mapping of keys.

    An empty file (or one of comments only) was refused as "organisation: required key is
    missing", which sent a facilitator whose upload had been emptied looking for a key.

    Raises:
        InputError: The file is empty, is not a mapping, or is another kind of file (an experiment).
    """
    if data is None:
        raise InputError("the file is empty (or holds only comments): a scenario needs at least 'organisation:' "
                         "with its levels, or 'extends: baseline' to change a shipped one", source=source)
    if not isinstance(data, dict):
        raise InputError(f"a scenario must be a mapping of keys, got {type(data).__name__}", source=source)
    refuse_other_kind(data, source, "scenario")
    return data


def extends_chain(path: Path) -> list[Path]:
    """The scenario file and every file its ``extends:`` builds on, nearest first, resolved.

    Read without validation (the scenario has loaded already): it tells whether one scenario
    is a variant of another's file, which the resolved values alone cannot.
    """
    chain: list[Path] = []
    current: Path | None = path
    while current is not None and current.resolve() not in chain:
        chain.append(current.resolve())
        data = read_yaml(current)
        parent = data.get("extends") if isinstance(data, dict) else None
        current = _parent_file(parent, current) if isinstance(parent, str) else None
    return chain


def _parent_file(parent: str, child: Path) -> Path:
    """The file ``extends:`` names: beside the child first, else a shipped scenario of that name.

    A scenario saved outside scenarios/ can then build on a shipped one by name, as the command
    line, experiment files and app uploads can; a file beside the child wins, so a local copy
    shadows the shipped scenario of the same name.

    Raises:
        InputError: Neither exists; the line names both places looked in.
    """
    beside = child.parent / parent  # an absolute parent stays itself
    if beside.exists():
        return beside
    if Path(parent).is_absolute():
        raise InputError(f"parent file not found: {parent}", source=str(child), path="extends")
    shipped = shipped_scenario(parent)
    if shipped is None:
        raise InputError(
            f"parent file not found: {parent}; looked beside this file ({beside.absolute()}) and among "
            f"the shipped scenarios ({SCENARIO_DIR})", source=str(child), path="extends",
        )
    return shipped


def key_path_parts(key: str) -> list[str]:
    """A key path's parts: ``a.b.0.c``, ``a.b[0].c`` as error messages write list items, or ``a__b`` as a keyword.

    The one reading of a key path (``--set``, a grid's, a sample's or a keyword's) for every place
    that walks one, so that none reads ``__`` or ``[0]`` otherwise.
    """
    return re.sub(r"\[(\d+)\]", r".\1", key.replace("__", ".")).split(".")


def _parse_key_path(key: str) -> list[str | int]:
    """``key``'s parts (:func:`key_path_parts`), list indices as numbers; an empty part is refused."""
    parts: list[str | int] = []
    for part in key_path_parts(key):
        if not part:
            raise InputError(f"empty segment in key path '{key}'", source="override")
        parts.append(int(part) if part.isdigit() else part)
    return parts


def apply_override(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` (a dotted path, list indices as numbers) to ``value`` inside ``data``."""
    parts = _parse_key_path(key)
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise InputError(f"no list item {part}{_items(node)}", source="override", path=key)
            node = node[part]
            continue
        if not isinstance(node, dict):
            raise InputError(f"'{part}' is not inside a mapping", source="override", path=key)
        if part not in node or node[part] is None:
            # A list the file leaves out has its default, so one item of it can be set.
            default = _default_at(tuple(parts[: i + 1])) if isinstance(nxt, int) else None
            node[part] = default if isinstance(default, list) else [] if isinstance(nxt, int) else {}
        node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise InputError(f"no list item {last}{_items(node)}", source="override", path=key)
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError("cannot set a key inside a non-mapping", source="override", path=key)


def _items(node: Any) -> str:
    """What an override's list index could have been, for its error message."""
    if not isinstance(node, list):
        return " (not a list here)"
    if not node:
        return " (the list is empty)"
    return f" (items are numbered 0 to {len(node) - 1})"


def scale_headcount(data: dict[str, Any], headcount: int, source: str) -> dict[str, Any]:
    """Resize the organisation to about ``headcount`` people keeping its shape.

    Positions per level and track are scaled by one factor (so spans and proportions stay), and
    every position type that existed keeps at least one position.
    """
    if headcount < 2:
        raise InputError(f"headcount must be at least 2, got {headcount}", source=source)
    levels = data.get("organisation", {}).get("levels")
    if not isinstance(levels, list) or not levels:
        raise InputError("cannot scale: no organisation.levels", source=source)
    counts = _position_counts(levels, source)
    fill = data.get("organisation", {}).get("initial_fill", 0.97)
    from_file = bool(data.get("organisation", {}).get("source"))
    if from_file:
        fill = 1.0  # a headcount file says who is in post; initial_fill does not apply (orgdata.md)
    if isinstance(fill, bool) or not isinstance(fill, int | float):
        raise InputError(f"must be a number, got {fill!r}", source=source, path="organisation.initial_fill")
    total = sum(n for level in counts for n in level.values())
    if total <= 0:
        raise InputError("cannot scale an organisation with no positions", source=source)
    kinds = sum(1 for level in counts for n in level.values() if n > 0)
    if headcount < kinds:
        raise InputError(f"headcount must be at least {kinds} for this organisation (one position for each level "
                         f"and track), got {headcount}", source=source)
    factor = headcount / (total * float(fill))
    named = _named_per_position(data, levels)
    out = copy.deepcopy(data)
    for i, (lv, level) in enumerate(zip(out["organisation"]["levels"], counts, strict=True)):
        if isinstance(lv, dict):
            lv["positions"] = {k: (max(1, named.get((i, k), 0), round(n * factor)) if n > 0 else 0)
                               for k, n in level.items()}
    _keep_bottom_first(out["organisation"]["levels"], counts)
    positions = sum(sum(lv["positions"].values()) for lv in out["organisation"]["levels"] if isinstance(lv, dict))
    if positions > MAX_POSITIONS:  # named here: the limit's own message would not say what made the positions
        made = "a headcount file's organisation" if from_file else f"organisation.initial_fill {fill}"
        more = "" if from_file else " or a higher initial_fill"
        raise InputError(f"headcount {headcount:,} with {made} needs {positions:,} positions; at most "
                         f"{MAX_POSITIONS:,} are allowed: a smaller headcount{more}", source=source)
    return out


def _keep_bottom_first(levels: list[Any], counts: list[dict[str, int]]) -> None:
    """Keep a scaled organisation from reading as one listed top first (``Organisation``'s check).

    Rounding a small organisation can make every level larger than the one below (2, 7, 7
    positions at 8 people give 2, 3, 4), which validation refuses as a chart copied top first,
    though the organisation the user gave passed. The first level that was at least as large as
    the one above it is made as large again (2, 4, 4): one or two people more than asked for.
    """
    if not all(isinstance(lv, dict) for lv in levels):
        return  # validation names what is wrong with the level
    sizes = [sum(level.values()) for level in counts]
    scaled = [sum(lv["positions"].values()) for lv in levels]
    if len(sizes) < 3 or not _rising(scaled) or _rising(sizes):
        return
    i = next(i for i, (a, b) in enumerate(itertools.pairwise(sizes)) if a >= b)
    positions = levels[i]["positions"]
    widest = max(positions, key=positions.get)
    positions[widest] += scaled[i + 1] - scaled[i]


def _rising(sizes: list[int]) -> bool:
    return all(lower < upper for lower, upper in itertools.pairwise(sizes))


def _named_per_position(data: Mapping[str, Any], levels: list[Any]) -> dict[tuple[int, str], int]:
    """How many named people (``people:``) sit at each (level index, track): scaling keeps room for them.

    Named people are not scaled; a level scaled below them would be refused when they are
    placed. Entries that name no level are left to validation.
    """
    names = {lv.get("name"): i for i, lv in enumerate(levels) if isinstance(lv, dict)}
    out: dict[tuple[int, str], int] = {}
    for person in data.get("people") or []:
        if not isinstance(person, dict):
            continue
        level = person.get("level")
        index = level if isinstance(level, int) and not isinstance(level, bool) else names.get(level)
        if index is not None:  # a person who names no track is on the default one (Person.track)
            key = (index, str(person.get("track") or Person.model_fields["track"].default))
            out[key] = out.get(key, 0) + 1
    return out


def _position_counts(levels: list[Any], source: str) -> list[dict[str, int]]:
    """Each level's positions per track, checked to be whole numbers before any arithmetic.

    Scaling runs before validation (it rewrites the mapping), so a bad count from a file or a
    ``--set`` must be named here rather than fail in ``int()``.
    """
    counts: list[dict[str, int]] = []
    for i, lv in enumerate(levels):
        positions = lv.get("positions") if isinstance(lv, dict) else None
        level: dict[str, int] = {}
        for track, n in (positions.items() if isinstance(positions, dict) else ()):
            whole = isinstance(n, int) or (isinstance(n, float) and n.is_integer())  # 370.0 validates as 370
            if isinstance(n, bool) or not whole or n < 0:
                raise InputError(f"must be a whole number of positions, 0 or more, got {n!r}", source=source,
                                 path=f"organisation.levels[{i}].positions.{track}")
            level[str(track)] = int(n)
        counts.append(level)
    return counts


def load_scenario(
    source: str | Path | Mapping[str, Any] | Scenario,
    headcount: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    **more_overrides: Any,
) -> Scenario:
    """Load, merge and validate a scenario.

    Args:
        source: A path to a YAML file, the bare name of a shipped scenario (``"baseline"``), a
            mapping with the same structure, or a Scenario to re-validate with overrides.
        headcount: Resize the organisation to about this many people, keeping its shape.
        overrides: Dotted key paths to values, e.g. ``{"policy.name": "random"}``.
        **more_overrides: More overrides; ``__`` stands for ``.`` (``policy__name="random"``).

    Returns:
        The validated Scenario.

    Raises:
        InputError: One line naming the file, the key path and what is allowed.
    """
    if isinstance(source, Scenario):
        # warnings=False: a field set in Python (scenario.behaviour.voice_rate = "abc") is named by validation below
        data, label = source.model_dump(mode="json", warnings=False), source.name
    elif isinstance(source, Mapping):
        data, label = copy.deepcopy(dict(source)), "<mapping>"
        parent = data.pop("extends", None)
        if parent is not None:
            data = deep_merge(_load_raw(resolve_path(parent)), data)
    elif isinstance(source, str | os.PathLike):
        path = resolve_path(source)
        if not path.exists():
            raise not_found(source, str(source))
        data, label = _load_raw(path), str(source)
        data.setdefault("name", path.stem)
    else:  # None or a number failed inside pathlib with a TypeError
        raise InputError(f"must be a Scenario, a scenario file, a shipped scenario's name or a mapping, got "
                         f"{source!r}", source="load_scenario", path="scenario")
    for key, value in {**(overrides or {}), **more_overrides}.items():
        apply_override(data, key, value)
    if headcount is not None:
        data = scale_headcount(data, whole_headcount(headcount, label), label)
    return validate_scenario(data, label)


def whole_headcount(headcount: Any, source: str) -> int:
    """``headcount`` as an int; anything but a whole number is an error, not another organisation.

    ``int()`` took ``100.5`` as 100 and ``"100"`` as 100 silently, and ``"abc"`` failed with
    Python's own ValueError.

    Raises:
        InputError: A headcount that is not a whole number.
    """
    whole = isinstance(headcount, numbers.Integral) or (isinstance(headcount, float) and headcount.is_integer())
    if isinstance(headcount, bool) or not whole:
        raise InputError(f"headcount must be a whole number of people, got {headcount!r}", source=source)
    return int(headcount)


def validate_scenario(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a merged mapping into a Scenario, raising a one-line InputError."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, source) from None
    from sim.interventions import validate_interventions  # noqa: PLC0415 (plug-ins import us)

    validate_interventions(scenario, source)
    return scenario


# ---------------------------------------------------------------------------------------------
# Error formatting


_UNION_TAGS = ("[key]", "int", "str", "float", "bool")


def format_loc(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into a key path like ``organisation.levels[2].positions``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _UNION_TAGS or (isinstance(part, str) and part.startswith(("function-", "literal[", "list[",
                                                                                   "dict["))):
            continue  # pydantic's names for a union's members (people[0].level.int): not keys of the file
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [c for a in typing.get_args(annotation) for c in _unwrap(a)]
    if origin in (list, tuple):
        return [c for a in typing.get_args(annotation)[:1] for c in _unwrap(a)]
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    return [annotation]


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the last key of ``loc``."""
    current: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            # a dict key (e.g. a track name) keeps the same value model
            continue
        models = [c for c in _unwrap(field.annotation) if isinstance(c, type) and issubclass(c, BaseModel)]
        current = models[0] if models else None
    return current


def _default_at(loc: tuple[Any, ...]) -> Any:
    """A fresh copy of the schema's default for the key at ``loc`` (None where it has none)."""
    model = _model_at(loc)
    field = model.model_fields.get(str(loc[-1])) if model is not None else None
    if field is None or field.is_required():
        return None
    # As the file would spell it (a list of groups, say, as mappings), so that the override can go on into it.
    return TypeAdapter(field.annotation).dump_python(field.get_default(call_default_factory=True), mode="json")


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option a mistyped ``word`` most likely meant, or None.

    One cutoff for every did-you-mean, so a hint and the choice of which problem to report agree.
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_key(key: str, allowed: Sequence[str], noun: str = "key") -> str:
    """The message for a key no model has: the likely intended key, then every allowed one."""
    close = closest(key, allowed)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown {noun} '{key}'{hint}; allowed: {', '.join(allowed) or 'none'}"


def typos_first(errors: list[Any]) -> list[Any]:
    """Pydantic errors with each missing key replaced by a close unknown key of the same mapping.

    A misspelt required key fails twice, as missing and as unknown. Only the unknown one can say
    what was typed and suggest the fix, so it takes the missing key's place and the pair counts as
    one problem.
    """
    extras = [e for e in errors if e.get("type") == "extra_forbidden"]
    typo_of: dict[int, Any] = {}
    for error in errors:
        typo = _typo_for(error, extras) if error.get("type") == "missing" else None
        if typo is not None:
            typo_of[id(error)] = typo
            extras = [e for e in extras if e is not typo]
    used = {id(e) for e in typo_of.values()}
    return [typo_of.get(id(e), e) for e in errors if id(e) not in used]


def _typo_for(missing: Any, extras: list[Any]) -> Any | None:
    """The unknown key beside a missing one that is most likely its misspelling, or None."""
    loc = tuple(missing.get("loc", ()))
    beside = {str(e["loc"][-1]): e for e in extras if loc and tuple(e["loc"][:-1]) == loc[:-1]}
    match = closest(str(loc[-1]), beside) if loc else None
    return beside[match] if match is not None else None


def unknown_key_first(errors: list[Any]) -> list[Any]:
    """Pydantic errors with an unknown key moved ahead of a type problem that comes first.

    A block indented too little fails twice: its parent is left empty ("interventions: Input
    should be a valid dictionary (got None)") and the block itself becomes an unknown key one
    level up. The unknown key names what was written where, so it is the one to report.
    """
    if not errors or not str(errors[0].get("type", "")).endswith("_type"):
        return errors
    extra = next((e for e in errors if e.get("type") == "extra_forbidden"), None)
    return errors if extra is None else [extra, *(e for e in errors if e is not extra)]


def tracks_outside_positions(errors: list[Any]) -> list[Any]:
    """Pydantic errors with a level's missing ``positions`` said as the track keys written beside it.

    ``{name: Senior, specialist: 120}`` fails as "organisation.levels[2].positions: required key
    is missing [and 1 more problem]", which hides the key that was written, one level too high
    (an org-design trial). The pair becomes one problem naming the keys and where they belong.
    """
    for missing in errors:
        loc = tuple(missing.get("loc", ()))
        if missing.get("type") != "missing" or loc[-1:] != ("positions",):
            continue
        beside = [e for e in errors if e.get("type") == "extra_forbidden" and tuple(e["loc"][:-1]) == loc[:-1]
                  and e["loc"][-1] in TRACKS]
        if not beside:
            continue
        shown = ", ".join(f"{e['loc'][-1]}: {e.get('input')}" for e in beside)
        merged = {"type": "value_error", "loc": loc[:-1],
                  "msg": f"{' and '.join(repr(e['loc'][-1]) for e in beside)} must be under positions: write "
                         f"positions: {{{shown}}}"}
        return [merged if e is missing else e for e in errors if not any(e is b for b in beside)]
    return errors


def _one_line(exc: ValidationError, source: str) -> InputError:
    errors = unknown_key_first(typos_first(tracks_outside_positions(exc.errors(include_url=False))))
    return error_line(errors[0], source, _model_at, more=len(errors) - 1)


ModelAt = Callable[[tuple[Any, ...]], type[BaseModel] | None]
NUMBER_ERRORS = frozenset({"float_type", "float_parsing", "int_type", "int_parsing"})
MAPPING_ERRORS = frozenset({"dict_type", "model_type", "model_attributes_type"})
_BARE_EXPONENT = re.compile(r"^\s*[-+]?\d+[eE][-+]?\d+\s*$")
_PERCENT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*%\s*$")
_COMMA_NUMBER = re.compile(r"^[-+]?\d+(?:,\d+)+$")
_CHARACTER_CLASS = re.compile(r"^\^\[((?:\\.|[^\]\\])+)\]\+\$$")


def error_line(error: Mapping[str, Any], source: str, model_at: ModelAt, *, loc: tuple[Any, ...] | None = None,
               prefix: str = "", noun: str = "key", more: int = 0) -> InputError:
    """One pydantic problem as one line naming the key path and what is allowed.

    Scenario files, experiment files and lever parameters all go through here, so that one
    mistake (a share written as ``15%``, a number in quotes, a name with a space) reads the same
    and carries the same hint wherever it is made.

    Args:
        error: One entry of ``ValidationError.errors()``.
        source: The file (or other origin) named first in the line.
        model_at: The model class holding the last key of a location, for the allowed keys of
            an unknown one and the range of a value.
        loc: The location to report, when the caller has cleaned pydantic's (union members).
        prefix: A key path the model sits under (``interventions.mentoring``).
        noun: What an unknown key is called (``key``, ``parameter``).
        more: How many other problems there are, said at the end of the line.
    """
    loc = tuple(error.get("loc", ())) if loc is None else loc
    path = ".".join(p for p in (prefix, format_loc(loc)) if p) or "(top level)"
    kind = error.get("type", "")
    given = error.get("input")
    if kind == "extra_forbidden":
        model = model_at(loc)
        if model is Scenario and str(loc[-1]) in _lever_names():  # a lever's block indented too little
            message = f"unknown key '{loc[-1]}' at the top level: it is a lever, so indent it under 'interventions:'"
        elif model is Scenario and str(loc[-1]).lower() in MEANT_ELSEWHERE:
            message = f"unknown key '{loc[-1]}': {MEANT_ELSEWHERE[str(loc[-1]).lower()]}"
        else:
            message = unknown_key(str(loc[-1]), sorted(model.model_fields) if model else [], noun)
    elif kind in MAPPING_ERRORS:
        message = _not_a_block(loc, given, levers=bool(loc) and loc[0] == "interventions"
                               and model_at(loc[:1]) is Scenario)
    elif kind == "missing":
        message = "required key is missing"
    elif kind in ("enum", "literal_error"):
        allowed = f"allowed: {str(error['msg']).removeprefix('Input should be ')}"
        message = f"unknown name '{given}'; {allowed}" if "[key]" in loc else f"'{given}' is not allowed; {allowed}"
        if "[key]" in loc and re.fullmatch(r"\d{3}", str(given)):  # {specialist: 1,200}: keys 'specialist' and 200
            message += (f"; a comma splits a number in {{...}}, so N,{given} reads as N and a key {given}: write "
                        "numbers without thousands separators")
    elif kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        tagged = re.match(r"^@([^@]+)@ (.*)$", message)
        if tagged:
            inner, message = tagged.groups()
            path = f"{path}.{inner}" if path != "(top level)" else inner
    elif kind == "string_pattern_mismatch" and (words := pattern_words(error.get("ctx", {}).get("pattern", ""))):
        message = f"'{given}' may hold only {words}"
    else:
        shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
        hint = ""
        if isinstance(given, datetime.date):  # YAML reads 2024-01-31 as a date; it showed as datetime.date(...)
            shown = given.isoformat()
            hint = f"; YAML reads it as a date: quote it ('{shown}') for text" if kind == "string_type" else ""
        model = model_at(loc) if loc else None
        bounds = _range(model, loc[-1]) if loc else None
        if loc and _marked(model, loc[-1], _Points):
            bounds = None  # its 0-1 range is not a share: no percentage hints
        hint += _typed_as_text(kind, given, bounds) + _percent_as_number(given, bounds)
        if hint and (percent := _percent_meant(given, bounds)) is not None and _marked(model, loc[-1], _PerMonth):
            hint += (f" a month; {percent:g} % a year is about {1 - (1 - percent / 100) ** (1 / 12):.2g} a month "
                     "(this is a chance per month)")
        if kind in ("too_short", "too_long") and isinstance(given, list | tuple):
            shown = counted(len(given), "item")
        message = f"{must_be(error, model, loc[-1] if loc else None)} (got {shown}){hint}"
    if more > 0:
        message += f" [and {more} more problem{'s' if more > 1 else ''}]"
    return InputError(message, source=source, path=path)


_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_TYPE_WORDS = {"int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
               "int_parsing_size": "a whole number", "float_type": "a number", "float_parsing": "a number",
               "finite_number": "a finite number", "bool_type": "true or false", "bool_parsing": "true or false",
               "string_type": "text", "list_type": "a list", "tuple_type": "a list"}


def must_be(error: Mapping[str, Any], model: type[BaseModel] | None, key: Any) -> str:
    """What a value must be, in our words and with its allowed range, for pydantic's "Input should be ...".

    "Input should be less than or equal to 1" named neither the range nor, for a share, its
    scale, and "a valid boolean" did not say to write true or false (org-design trials). The
    range is the field's whole one (``from 0 to 1``), not only the side the value broke;
    pydantic's message is kept for the few kinds not worded here.

    Args:
        error: One entry of ``ValidationError.errors()``.
        model: The model holding ``key``, for the field's range.
        key: The field.
    """
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    span = range_words(model, key, ctx)
    if kind in _RANGE_ERRORS and span:
        return f"must be {span}"
    if kind in _TYPE_WORDS:
        numeric = kind.startswith(("int", "float", "finite"))
        return f"must be {_TYPE_WORDS[kind]}" + (f", {span}" if span and numeric else "")
    if kind == "too_short" and "min_length" in ctx:
        return f"must have at least {counted(int(ctx['min_length']), 'item')}"
    if kind == "too_long" and "max_length" in ctx:
        return f"must have at most {counted(int(ctx['max_length']), 'item')}"
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        return "must not be empty" if least == 1 else f"must have at least {least} characters"
    if kind == "string_too_long" and "max_length" in ctx:
        return f"must have at most {int(ctx['max_length']):,} characters"
    if kind == "multiple_of" and "multiple_of" in ctx:
        return f"must be a multiple of {_number(ctx['multiple_of'])}"
    return str(error.get("msg", ""))


def range_words(model: type[BaseModel] | None, key: Any, ctx: Mapping[str, Any] | None = None) -> str:
    """A field's allowed range in words ("from 0 to 1", "above 0", "1 or more"), or "" without one.

    From the field's own rules, else from an error's ``ctx`` (which names only the bound broken).
    """
    found = {rule: value for rule, value in (ctx or {}).items() if rule in ("ge", "gt", "le", "lt")}
    field = model.model_fields.get(str(key)) if model is not None else None
    for rule in _rules(field.annotation, list(field.metadata)) if field is not None else []:
        for name in ("ge", "gt", "le", "lt"):
            if getattr(rule, name, None) is not None:
                found[name] = getattr(rule, name)
    low = ("ge", found["ge"]) if "ge" in found else ("gt", found["gt"]) if "gt" in found else None
    high = ("le", found["le"]) if "le" in found else ("lt", found["lt"]) if "lt" in found else None
    if low and high:
        if low[0] == "ge" and high[0] == "le":
            return f"from {_number(low[1])} to {_number(high[1])}"
        return (f"{'at least' if low[0] == 'ge' else 'above'} {_number(low[1])} and "
                f"{'at most' if high[0] == 'le' else 'below'} {_number(high[1])}")
    if low:
        return f"{_number(low[1])} or more" if low[0] == "ge" else f"above {_number(low[1])}"
    if high:
        return f"{_number(high[1])} or less" if high[0] == "le" else f"below {_number(high[1])}"
    return ""


def _number(value: Any) -> str:
    """A bound as the docs write it: 10,000, 0.5, 1; a seed's 2^63 as that, not as 19 digits."""
    if isinstance(value, int) and value >= 2**32 and value & (value - 1) == 0:
        return f"2^{value.bit_length() - 1}"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


# Words an organisation writes at a scenario's top level for something set elsewhere, and where:
# "attrition: 0.12" was answered "did you mean 'description'?" (an org-design trial).
_ATTRITION = ("an outcome (the metric attrition_rate), not a setting: set exits.base_monthly, the chance per month "
              "of leaving, and check the attrition a run gives (docs/ODD.md 8.10)")
MEANT_ELSEWHERE = {
    "attrition": _ATTRITION, "attrition_rate": _ATTRITION, "turnover": _ATTRITION,
    "headcount": "the size comes from organisation.levels' positions; to resize the whole organisation, use "
                 "--headcount N on the command line (or headcount: in an experiment file)",
    "seed": "a run's seed is not part of its scenario: use --seed on the command line (or seed: in an experiment "
            "file)",
    "cycle_months": "it belongs under policy: (policy.cycle_months, the months between promotion rounds)",
    "promotion_cycle": "the months between promotion rounds are policy.cycle_months",
}


def _lever_names() -> dict[str, Any]:
    """The registered levers by name (imported here: the lever modules import this one)."""
    from sim.interventions import load_all  # noqa: PLC0415

    return load_all()


def _not_a_block(loc: tuple[Any, ...], given: Any, *, levers: bool) -> str:
    """What should stand where a block of keys was expected, and what YAML read there instead, in words.

    Pydantic says "Input should be a valid dictionary (got list)", which is right but does not
    say what a block is. ``levers`` marks the scenario's ``interventions`` block and the blocks
    of its levers, the places a hand-edited file most often gets this wrong (a list of lever
    names, ``career_conversations: yes``, a lever's settings indented too little).
    """
    if levers and len(loc) == 2 and str(loc[1]) not in _lever_names():
        from sim.interventions import unknown_lever  # noqa: PLC0415

        owners = [name for name, lever in _lever_names().items() if str(loc[1]) in lever.Params.model_fields]
        hint = f" ('{loc[1]}' is a setting of {' and '.join(owners)}: indent it below the lever)" if owners else ""
        return unknown_lever(str(loc[1])) + hint
    if levers and len(loc) == 1:
        wanted = "lever names, each with its settings below it (career_conversations: {} for the defaults)"
    elif levers and len(loc) == 2:
        wanted = "the lever's settings, each 'parameter: value' on a line below it ({} or nothing for the defaults)"
    else:
        wanted = "a block of 'key: value' lines, indented below it"
    if isinstance(given, bool):
        got = f"{str(given).lower()} (YAML reads yes, no, on and off as true or false)"
    elif given is None:
        got = "nothing (is the block below it indented?)"
    elif isinstance(given, list | dict):
        got = "a list" if isinstance(given, list) else "a mapping"
    else:
        got = repr(given)
    return f"must be {wanted}, got {got}"


def pattern_words(pattern: str) -> str | None:
    r"""A name pattern such as ``^[A-Za-z0-9_.\-]+$`` in words, or None for any other kind of pattern.

    Pydantic's "String should match pattern" shows the regular expression, which few readers of
    a scenario can decode; the words are made from the pattern itself so they cannot drift from it.
    """
    found = _CHARACTER_CLASS.match(pattern)
    if found is None:
        return None
    body = found.group(1)
    words = []
    if "A-Z" in body and "a-z" in body:
        words.append("letters a-z, A-Z (no accents)")
    if "0-9" in body:
        words.append("digits")
    rest = re.sub(r"A-Z|a-z|0-9", "", body)
    words += [f"'{escaped or plain}'" for escaped, plain in re.findall(r"\\(.)|(.)", rest)]
    return ", ".join(words)


def _range(model: type[BaseModel] | None, key: Any) -> tuple[float | None, float | None] | None:
    """The bounds a model's field puts on its value (through Optional and Annotated), or None."""
    field = model.model_fields.get(str(key)) if model is not None else None
    if field is None:
        return None
    low = high = None
    for rule in _rules(field.annotation, list(field.metadata)):
        low = next((v for v in (getattr(rule, "ge", None), getattr(rule, "gt", None)) if v is not None), low)
        high = next((v for v in (getattr(rule, "le", None), getattr(rule, "lt", None)) if v is not None), high)
    return low, high


def _marked(model: type[BaseModel] | None, key: Any, mark: type) -> bool:
    """Whether a model's field carries ``mark`` (``_PerMonth``: a chance per month; ``_Points``: not a share)."""
    field = model.model_fields.get(str(key)) if model is not None else None
    return field is not None and any(isinstance(rule, mark)
                                     for rule in _rules(field.annotation, list(field.metadata)))


def _percent_meant(given: Any, bounds: tuple[float | None, float | None] | None) -> float | None:
    """The percentage below 100 that a fraction's value was written as (``12``, ``'12%'``), or None."""
    if bounds != (0, 1) or isinstance(given, bool):
        return None
    if isinstance(given, str):
        percent = _PERCENT.match(given)
        value = float(percent.group(1)) if percent is not None else None
    else:
        value = float(given) if isinstance(given, int | float) and 2 <= given <= 100 else None
    return value if value is not None and 0 < value < 100 else None


def _rules(annotation: Any, found: list[Any]) -> list[Any]:
    """The constraint objects of an annotation, including those inside ``X | None`` and ``Annotated``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _rules(base, found)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            _rules(arg, found)
    return found


def _typed_as_text(kind: str, given: Any, bounds: tuple[float | None, float | None] | None) -> str:
    """The hint for a number YAML read as text: a percentage (``15%``) or a number in quotes (``"0.6"``).

    Scenario values are strict on purpose (a quoted ``"0.6"`` is not taken as 0.6), so the line
    must say what to write instead; otherwise both read as "Input should be a valid number"
    about something that looks like one.
    """
    if kind not in NUMBER_ERRORS or not isinstance(given, str):
        return ""
    percent = _PERCENT.match(given)
    if percent is not None:
        written, fraction = given.strip(), f"{float(percent.group(1)) / 100:g}"
        if bounds == (0, 1):
            return f"; this is a fraction from 0 to 1: write {fraction} for {written}"
        return f"; write {fraction} for {written}, without '%'"
    comma = comma_number(given, whole=kind.startswith("int"))
    if comma is not None:
        return f"; {comma}"
    try:
        value = float(given)
    except ValueError:
        return ""
    if _BARE_EXPONENT.match(given):  # YAML 1.1 reads 1e-2 as text: its float needs a point
        if not math.isfinite(value):
            return f"; YAML reads {given.strip()} as text, and it is too large for a number"
        return f"; YAML reads {given.strip()} as text (an exponent needs a point, 1.0e-2): write {value:g}"
    return "; a number in quotes is text: write it without quotes"


def _percent_as_number(given: Any, bounds: tuple[float | None, float | None] | None) -> str:
    """The hint for a percentage written as a number (``coverage: 80``) where a fraction 0-1 is wanted.

    Spreadsheets show shares as percentages, so 80 is meant as 80 %; the range alone ("less
    than or equal to 1") does not say that the scale is the problem.
    """
    if bounds != (0, 1) or isinstance(given, bool) or not isinstance(given, int | float) or not 2 <= given <= 100:
        return ""
    return f"; a fraction: {given:g} % is {given / 100:g}"


def comma_number(text: str, *, whole: bool = False) -> str | None:
    """How to write a number typed with a comma (``1,440``, ``9,6``), or None when the text is not one.

    Spreadsheets show thousands separators and, in many locales, decimal commas; to YAML and
    to the headcount reader both are text, and "is not a number" about ``9,6`` leaves the
    reader puzzled. A comma before exactly three digits may be either; a field of whole
    numbers (``whole``) takes it as a thousands separator, any other field names both readings.
    Shared by scenario values and headcount-file cells, so that both say it the same way.
    """
    text = text.strip()
    if not _COMMA_NUMBER.match(text):
        return None
    head, *rest = text.split(",")
    digits = head.lstrip("+-")
    grouped = all(len(p) == 3 for p in rest) and len(digits) <= 3 and not digits.startswith("0")  # not 0,005
    thousands = "".join((head, *rest)) if grouped else None
    decimal = f"{head}.{rest[0]}" if len(rest) == 1 else None
    if thousands is not None and (whole or decimal is None):
        return f"write {thousands}, without the thousands separator"
    if thousands is not None:
        return (f"write {thousands} if the comma separates thousands, or {decimal} if it is a decimal comma "
                "(numbers are written without commas)")
    if decimal is None:
        return None
    return f"a decimal comma: write {decimal}, with a point"
