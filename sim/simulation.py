"""The one-call API: run a scenario for some years and get tidy tables back."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.model import PromotionModel, run_seed
from sim.records import FAILED, PENDING, SUCCEEDED
from sim.scenario import MAX_YEARS, TRACKS, Scenario, load_scenario


@dataclass
class SimulationResult:
    """What a run produced.

    Attributes:
        summary: Metric name to its per-run value (see docs/ODD.md for each definition).
        timeseries: Tidy table: step, year, metric, value, level, group, track (the last three empty on
            the whole organisation's rows: ``sim.metrics.totals``).
        events: Table: step, employee, kind, details.
        scenario: The fully resolved scenario that ran.
        seed: The run seed as the model ran it: an ``int``, also when ``simulate`` was given
            ``None`` (a fresh seed, drawn by the model) or a numpy integer, so that the run can
            be replayed with ``simulate(result.scenario, seed=result.seed)``.
        names: Named people's agent ids to their names (``people:``).
        notes: What a reader of the results should know about how the run started.
        file_ids: For a scenario read from a headcount file, each file person's agent id to
            their id in the file, so that events can be joined back to the HR export
            (``employee`` in the events is the agent id, not the file's id).
        promotions: One row per promotion of the recorded run and how it settled
            (``promotion_table``), so that a stick rate can be broken down by group, level or track.
        decliners: One row per declined offer and whether the person stayed (``decliner_table``):
            the records ``decliner_retention`` counts.
        development: One row per development record and whether it led to the wanted move
            (``development_table``): the records ``development_roi`` counts.
    """

    summary: dict[str, float]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    scenario: Scenario
    seed: int
    names: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    file_ids: dict[int, str] = field(default_factory=dict)
    promotions: pd.DataFrame = field(default_factory=lambda: promotion_table(None))
    decliners: pd.DataFrame = field(default_factory=lambda: decliner_table(None))
    development: pd.DataFrame = field(default_factory=lambda: development_table(None))


def run_months(years: float, caller: str = "simulate") -> int:
    """The months a run of ``years`` steps; too few or too many is an error, not an empty run.

    ``years=0`` returned a summary of NaNs, headcount too (found by fuzzing). A numpy integer
    (``for years in np.arange(1, 6)``) is a number of years like any other: it was refused.

    Args:
        years: The years to run.
        caller: The function the user called, which the error names.

    Raises:
        InputError: Not a number, or less than one month, or more than ``MAX_YEARS``.
    """
    if isinstance(years, bool | np.bool_) or not isinstance(years, int | float | np.integer | np.floating) \
            or not math.isfinite(years):
        raise InputError(f"must be a finite number of years, got {years!r}", source=caller, path="years")
    months = round(12 * years)
    if months < 1 or years > MAX_YEARS:
        raise InputError(f"must cover at least one month (1/12 = 0.0833 years) and at most {MAX_YEARS} years, "
                         f"got {years!r}", source=caller, path="years")
    return months


def simulate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    seed: int | None = 1,
    years: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    headcount: int | None = None,
    **overrides: Any,
) -> SimulationResult:
    """Run one simulation.

    Args:
        scenario: A Scenario, a scenario file, a shipped scenario's name, or a mapping.
        seed: The run seed, a whole number 0 or more; the same scenario and seed always give the
            same tables. The default is ``promosim run``'s, so that ``simulate("baseline")`` gives
            the table ``promosim run baseline`` prints (it was 0: a docs audit). ``None`` draws a
            fresh one, kept in the result's ``seed``.
        years: Simulated years; defaults to the scenario's ``years``.
        progress: Called as ``progress(month, total_months)`` after each month.
        headcount: Resize the organisation to about this many people, keeping its shape (as
            ``PromotionModel(headcount=...)`` and ``--headcount``; it was refused here as a key).
        **overrides: Key paths (``__`` for ``.``) to override in the scenario.

    Returns:
        The run's summary, time series and events.

    Raises:
        InputError: A bad scenario, seed, ``years``, override or ``progress``, in one line.
    """
    model = _run(scenario, seed, years, progress, headcount, caller="simulate", **overrides)
    return SimulationResult(
        summary=model.recorder.summary(),
        timeseries=model.recorder.timeseries(),
        events=model.events.to_frame(),
        scenario=model.scenario,
        seed=model.seed,  # seed=None ran a fresh seed: the result kept None, and the run could not be replayed
        names=dict(model.names),
        notes=_notes(model),
        file_ids=_file_ids(model),
        promotions=promotion_table(model),
        decliners=decliner_table(model),
        development=development_table(model),
    )


def run_model(
    scenario: Scenario | str | Path | Mapping[str, Any],
    seed: int | None = 1,
    years: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    headcount: int | None = None,
    *,
    events: bool = True,
    **overrides: Any,
) -> PromotionModel:
    """``simulate``'s run, returning the model after it rather than its tables.

    For callers that need only some of the tables: an experiment's run keeps the summary, the
    whole organisation's time series and the promotions, and making the events table and the
    breakdown rows it would throw away cost about a third of a 1,000-person run. The arguments
    and errors are ``simulate``'s. ``events=False`` records no events after the warm-up either
    (``model.events`` stays empty), for a caller that keeps no events table (an experiment's
    run): recording them cost about 7 % of a 1,000-person run. Nothing in the model reads its
    events, so every other table is the same.
    """
    return _run(scenario, seed, years, progress, headcount, events=events, caller="run_model", **overrides)


def _run(
    scenario: Scenario | str | Path | Mapping[str, Any],
    seed: int | None,
    years: float | None,
    progress: Callable[[int, int], None] | None,
    headcount: int | None,
    *,
    caller: str,
    events: bool = True,
    **overrides: Any,
) -> PromotionModel:
    """``run_model``'s work; its errors name ``caller``, the function called (``run_model``'s said "simulate")."""
    if progress is not None and not callable(progress):  # a number was a TypeError after the model was built
        raise InputError(f"must be a function called as progress(month, total_months), or None; got {progress!r}",
                         source=caller, path="progress")
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if overrides or headcount is not None:
        spec = load_scenario(spec, headcount=headcount, overrides=overrides)
    months = run_months(years if years is not None else spec.years, caller)  # before the warm-up, not after it
    # Checked here so that a bad seed is named as simulate's seed, not the model's rng.
    model = PromotionModel(scenario=spec, rng=None if seed is None else run_seed(seed, caller, "seed"))
    model.events.enabled = events
    for month in range(1, months + 1):
        model.step()
        if progress is not None:
            progress(month, months)
    return model


OUTCOMES = {SUCCEEDED: "stuck", FAILED: "failed", PENDING: "pending"}
# How a decliner's and a development record settle, in the words of their metrics (docs/ODD.md 7.12).
DECLINER_OUTCOMES = {SUCCEEDED: "stayed", FAILED: "left", PENDING: "pending"}
DEVELOPMENT_OUTCOMES = {SUCCEEDED: "succeeded", FAILED: "failed", PENDING: "pending"}


def promotion_table(model: PromotionModel | None) -> pd.DataFrame:
    """The promotions of the recorded run (month 1 on), one row each, with how each settled.

    ``promotion_stick_rate`` is one number for the whole organisation; a researcher asking
    whether women's promotions stick as often as men's needs the records it counts. The flags
    are those the metrics count: ``unwanted`` (the person did not want to move up, or wanted the
    other track), ``timing`` (wanted this move, but later), ``wrong_fit`` (competence below
    ``promotion.fit_threshold`` on arrival). ``outcome`` is "stuck", "failed" (stepped back, left,
    or below the threshold at the end of ``promotion.stick_window_months``) or "pending" (not
    settled when the run ended), with the month it settled in ``settled_step``.

    Args:
        model: The model after its run; None gives the table without rows, with its column types.
    """
    records = _recorded(model, "promotions", ("from_level", "to_level", "track", "unwanted", "timing", "wrong_fit"))
    return _ledger_frame(model, records, OUTCOMES, {
        "from_level": records["from_level"].astype(np.int64),
        "to_level": records["to_level"].astype(np.int64),
        "track": pd.array(np.asarray(TRACKS, dtype=object)[records["track"].astype(np.intp)], dtype="string"),
        **{flag: records[flag].astype(bool) for flag in ("unwanted", "timing", "wrong_fit")},
    })


def decliner_table(model: PromotionModel | None) -> pd.DataFrame:
    """The declined offers of the recorded run, one row each, with whether the person stayed.

    ``outcome`` is "stayed" (still employed ``metrics.decliner_window_months`` after declining),
    "left" or "pending": the records ``decliner_retention`` counts, so that it can be broken
    down by month or person as the summary cannot.

    Args:
        model: The model after its run; None gives the table without rows, with its column types.
    """
    return _ledger_frame(model, _recorded(model, "decliners", ()), DECLINER_OUTCOMES, {})


def development_table(model: PromotionModel | None) -> pd.DataFrame:
    """The development handed out in the recorded run, one row per record, with whether it paid off.

    ``toward`` is the track the development aimed at; ``outcome`` is "succeeded" (a wanted
    promotion the way it aimed, within ``metrics.roi_window_months``), "failed" (none in the
    window, or the person left) or "pending": the records ``development_roi`` counts.

    Args:
        model: The model after its run; None gives the table without rows, with its column types.
    """
    records = _recorded(model, "development", ("toward_mgmt",))
    toward = np.asarray(TRACKS, dtype=object)[records["toward_mgmt"].astype(np.intp)]
    return _ledger_frame(model, records, DEVELOPMENT_OUTCOMES, {"toward": pd.array(toward, dtype="string")})


_COMMON_FIELDS = ("step", "uid", "group", "outcome", "decided")


def _recorded(model: PromotionModel | None, ledger: str, fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A ledger's records of the recorded run (month 1 on, not the warm-up's): ``fields`` and the common ones."""
    names = (*_COMMON_FIELDS, *fields)
    if model is None:
        return {name: np.zeros(0, np.int64) for name in names}
    book = getattr(model, ledger)
    made = book.cols["step"][:book.n] >= 1
    return {name: book.cols[name][:book.n][made] for name in names}


def _ledger_frame(model: PromotionModel | None, records: Mapping[str, np.ndarray], words: Mapping[int, str],
                  own: Mapping[str, Any]) -> pd.DataFrame:
    """A ledger's table: step, employee, group, the ledger's ``own`` columns, outcome and settled_step."""
    groups = model.scenario.group_names if model is not None else ()
    pending = records["outcome"] == PENDING
    # Looked up and masked in numpy: a Series' map and mask took most of the table's 3 ms, the
    # same words and the same masked values (a pending record's month stays under the mask).
    outcome_words = np.array([words[code] for code in range(PENDING, max(words) + 1)], dtype=object)
    return pd.DataFrame({
        "step": records["step"].astype(np.int64),
        "employee": records["uid"].astype(np.int64),
        "group": pd.array(np.asarray(groups, dtype=object)[records["group"].astype(np.intp)], dtype="string"),
        **own,
        "outcome": pd.array(outcome_words[records["outcome"].astype(np.intp) - PENDING], dtype="string"),
        "settled_step": pd.arrays.IntegerArray(records["decided"].astype(np.int64), pending),
    })


def _file_ids(model: PromotionModel) -> dict[int, str]:
    """Each headcount-file person's agent id to their id in the file (empty for a drawn organisation)."""
    report = getattr(model, "orgdata", None)
    if report is None:
        return {}
    return dict(zip(report.uids.tolist(), report.table.ids.tolist(), strict=True))


def _notes(model: PromotionModel) -> list[str]:
    """What a reader of the results should know about how the run started."""
    notes = [model.orgdata.summary_line()] if getattr(model, "orgdata", None) is not None else []
    if model.left_in_warmup:
        who = ", ".join(model.left_in_warmup)
        notes.append(f"{who} left during the {model.scenario.warmup_months} warm-up months, before month 1 "
                     "(warmup_months: 0 starts from the named people as written)")
    return notes
