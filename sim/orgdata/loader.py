"""From a headcount file to validated arrays: column and value mapping, checks, reporting lines.

The loader knows the scenario (its levels, positions and groups) but not the model: it returns
an :class:`OrgTable` of numpy columns in file order, with ``-1`` or ``NaN`` where a value must be
inferred, and a :class:`FieldReport` per field saying what was read and what was not. A bad
file is one :class:`~sim.errors.InputError` line naming the file, the row as the file shows it,
and the column; every row's mistakes are found in one read and said in that line together.
Loaded tables are cached by file, mapping and organisation, so an experiment's replications
read a large file once per process.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.orgdata.read import RawTable, display_path, read_table, row_runs
from sim.orgdata.structure import NONE, effective_managers, find_cycles, managers_from_teams
from sim.scenario import SCENARIO_DIR, TRACKS, OrgSource, Scenario, closest, comma_number
from sim.wording import counted

MIN_JOINING_AGE = 14  # below the model's youngest hire (16), for tenure rounded up or a year's apprenticeship
MAX_AGE = 100  # the oldest age a file may give
MAX_TENURE_YEARS = MAX_AGE - MIN_JOINING_AGE  # a working life: joined at 14 at the earliest, 100 at the most

INTENTS = OrgSource.INTENTS
NO_ANSWER = INTENTS.index("no_answer")
_CACHE: dict[tuple[Any, ...], OrgTable] = {}
# Where a numeric field was given a column of dates (an export holds start and birth dates): the date field.
_AS_DATE = {"tenure_months": "hire_date", "tenure_years": "hire_date", "age": "birth_date"}
_CACHE_SIZE = 4
_DAYS_PER_MONTH = 365.2425 / 12  # the Gregorian calendar's mean month, for tenure counted from a date


class CapacityError(InputError):
    """More people at a (level, track) than the scenario has positions there.

    Args:
        message: What is wrong and what is allowed.
        source: The file.
        path: The column.
        held: The file's people per (level, track), so that a lever that converted positions can
            say which of its settings leaves room for them (``Intervention.room_for``).
    """

    def __init__(self, message: str, source: str | None = None, path: str | None = None,
                 held: np.ndarray | None = None):
        super().__init__(message, source=source, path=path)
        self.held = held

    def after_resizing(self, headcount: int, setting: str) -> InputError:
        """The same error, saying that a headcount setting resized the positions below the file's people.

        Otherwise "110 people in the file but 55 positions" leaves the reader looking for the
        mistake in the file or the scenario, when it is the option they typed.
        """
        return InputError(f"{self.detail}; {setting} {headcount:,} resized the positions below the file's "
                          "people: give a larger one, or none to use the scenario's own", source=self.source,
                          path=self.path)


class TrackError(InputError):
    """A level with both tracks, and no track for someone there (no column, or a blank cell)."""


@dataclass(frozen=True)
class _Problem:
    """One kind of mistake in one column of a file, at one or more rows.

    Problems are gathered over the whole file and refused together (``_Loader.refusal``): an
    org-design trial with a 2,400-person export, refused at its first mistake each time, went
    round five times.

    Attributes:
        column: The file's column.
        rows: The data rows (0-based, ascending) that have it; ``detail`` is about the first.
        detail: The message, as it reads when this is the only problem in the file.
        brief: What is wrong in a few words, for the clause that lists it after another's message.
        named: ``detail`` names every row (it lists each bad value with its rows), so when it
            leads, the clause need not list its rows again.
        error: The type raised when this problem leads (callers add hints to ``TrackError``).
    """

    column: str
    rows: np.ndarray
    detail: str
    brief: str
    named: bool = False
    error: type[InputError] = InputError


@dataclass(frozen=True)
class FieldReport:
    """What the file said about one field.

    Attributes:
        column: The file's column used for the field, or None when the file has none.
        read: People whose value came from the file.
        inferred: People whose value is inferred (blank cell, or no column).
        note: How the inferred values are obtained, or why a column was not used.
        derived: How a value was computed from the column when it is not the value itself
            (tenure from hire dates counted to ``as_of``), so that describe says so.
    """

    column: str | None
    read: int
    inferred: int
    note: str = ""
    derived: str = ""


def hidden_note(n: int) -> str:
    """That ``n`` of the people read are on rows the sheet hides, and how to leave people out."""
    return (f"{n} of them {'is' if n == 1 else 'are'} on rows the sheet hides (a filter?), read as every other row: "
            "to leave people out, name them in organisation.source.exclude")


@dataclass(frozen=True)
class OrgTable:
    """A validated headcount file, one entry per person in file order.

    Attributes:
        label: The file as shown in messages.
        sheet: The workbook sheet read (``None`` for a CSV or Parquet file).
        ids: Each person's id (text).
        rows: Each person's row number as the file shows it.
        row_word: ``"row"`` (CSV) or ``"record"`` (Parquet).
        level: Level index.
        track: Track code (0 specialist, 1 management).
        stated_manager: Index of the manager the file names (-1: none).
        manager: Index of the manager who holds the person's team in the model (-1: the
            scenario's default team; see docs/orgdata.md).
        group: Group index, -1 where it must be sampled.
        tenure: Tenure in months, NaN where it must be inferred.
        age: Age in years, NaN where it must be inferred.
        performance: Rating as in the file (after value mapping), NaN where there is none.
        intent: Index into ``OrgSource.INTENTS``; ``no_answer`` for blanks.
        fields: Per field, what was read and what was inferred.
        structure: Counts about reporting lines (stated, re-pointed, without a valid manager).
        ignored_columns: File columns that no field uses.
        blank_rows: Entirely blank rows skipped.
        excluded: Per column of ``organisation.source.exclude``, the rows left out for each value
            listed there (0 for a value no row has, which is often a misspelling).
        n_excluded: Rows left out by ``organisation.source.exclude``. Not the sum of ``excluded``:
            a row can hold two listed values (``Type: Contractor`` and ``Status: Terminated``).
        kept: Per column of ``organisation.source.exclude``, the values of the rows kept, as the
            file writes them, most frequent first (``""`` for a blank cell): a leaver's status the
            list forgot ("Terminated (voluntary)") is otherwise simulated as an employee unseen.
        hidden: People read from rows the sheet hides (by a filter or by hand). They are read,
            as a CSV saved from the sheet would hold them, and said: a sheet filtered to show
            the active staff still holds the leavers.
    """

    label: str
    sheet: str | None
    ids: np.ndarray
    rows: np.ndarray
    row_word: str
    level: np.ndarray
    track: np.ndarray
    stated_manager: np.ndarray
    manager: np.ndarray
    group: np.ndarray
    tenure: np.ndarray
    age: np.ndarray
    performance: np.ndarray
    intent: np.ndarray
    fields: dict[str, FieldReport] = field(default_factory=dict)
    structure: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    excluded: dict[str, dict[str, int]] = field(default_factory=dict)
    n_excluded: int = 0
    kept: dict[str, dict[str, int]] = field(default_factory=dict)
    hidden: int = 0

    @property
    def n(self) -> int:
        """Number of people in the file."""
        return int(self.ids.size)

    def summary_line(self) -> str:
        """One line: how many people were read and, per field, how many values were inferred."""
        inferred = ", ".join(f"{k} {v.inferred}" for k, v in self.fields.items() if v.inferred)
        line = f"{self.label}: read {counted(self.n, 'person', 'people')}; inferred: {inferred or 'nothing'}"
        line += f"; {self.exclusion_note()} by organisation.source.exclude" if self.excluded else ""
        line += "".join(f"; {note}" for note in self.unmatched_exclusions())
        return line + (f"; {hidden_note(self.hidden)}" if self.hidden else "")

    def people(self) -> str:
        """'N people', with the rows ``exclude`` left out and those read from hidden rows, if any (one-line notices)."""
        left_out = self.n_excluded
        said = [f"{counted(left_out, 'row')} left out by organisation.source.exclude"] if left_out else []
        said += [f"{self.hidden} on rows the sheet hides, read as every other row"] if self.hidden else []
        return counted(self.n, "person", "people") + (f" ({'; '.join(said)})" if said else "")

    def exclusion_note(self) -> str:
        """What ``organisation.source.exclude`` left out, per column and value (0: a value no row has)."""
        parts = "; ".join(f"{column}: " + ", ".join(f"{value} {n}" for value, n in by_value.items())
                          for column, by_value in self.excluded.items())
        return f"{counted(self.n_excluded, 'row')} left out ({parts})"

    def unmatched_exclusions(self) -> list[str]:
        """Each ``exclude`` value no row has, with the value kept it likely meant (``unmatched_exclusions``)."""
        return unmatched_exclusions(self.excluded, self.kept)

    def exclusion_lines(self, shown: int = 10) -> list[str]:
        """Per column of ``exclude``, the values left out and the values kept, with their counts.

        For ``org describe``: a value the list does not name is kept, so the kept values show a
        status that was meant to be left out (``Status: left out Terminated 153; kept Active
        1,780, Terminated (voluntary) 3``). At most ``shown`` kept values are named.
        """
        lines = []
        for column, by_value in self.excluded.items():
            left = ", ".join(f"{value} {n:,}" for value, n in by_value.items())
            kept = list(self.kept.get(column, {}).items())
            named = ", ".join(f"{value or '(blank)'} {n:,}" for value, n in kept[:shown])
            if len(kept) > shown:
                rest = kept[shown:]
                named += f", and {len(rest):,} other values in {counted(sum(n for _, n in rest), 'row')}"
            lines.append(f"{column}: left out {left}; kept {named or 'none'}")
        return lines


def unmatched_exclusions(excluded: Mapping[str, Mapping[str, int]], kept: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Each ``exclude`` value no row has, with the value kept it likely meant.

    A misspelt status (``Contractors`` for ``Contractor``) keeps the people it was meant to
    leave out, and "Contractors 0" among the counts was easily read past (an org-design trial).

    Args:
        excluded: Per column, the rows left out per listed value (0: no row has it).
        kept: Per column, the rows kept per value the file holds.
    """
    notes = []
    for column, by_value in excluded.items():
        staying = {value: n for value, n in kept.get(column, {}).items() if value}
        folded = {value.casefold(): value for value in staying}  # values match in any case
        for value in (value for value, n in by_value.items() if n == 0):
            close = folded.get(closest(value.casefold(), folded) or "")
            hint = (f" (did you mean '{close}'? its {counted(staying[close], 'row')} "
                    f"{'is' if staying[close] == 1 else 'are'} kept)" if close else "")
            if not close and any(mark in value for mark in "*?%"):
                hint = " (a value matches whole cells: no wildcards; list each value)"
            notes.append(f"no row has {column} '{value}'{hint}")
    return notes


def resolve_file(source: OrgSource) -> Path:
    """The data file's path.

    A scenario file anchors a relative path to its own folder when it is loaded. A path still
    relative here came from a scenario given as a mapping (an app upload, Python code): it is
    looked up from the working directory, then from the shipped ``scenarios/`` folder.
    """
    path = Path(source.file).expanduser()
    if path.is_absolute():
        return path
    for candidate in (Path.cwd() / path, SCENARIO_DIR / path):
        if candidate.exists():
            return candidate
    return path


def _looked_in(path: Path) -> str:
    """Where ``resolve_file`` looked for a file it did not find, for the error that says so.

    The file's name alone does not say which folder a relative path was read from, and the
    scenario's folder (not the working one) surprises people who run from elsewhere. A path
    written the Windows way (with backslashes) is one file name here.
    """
    windows = "; a Windows path? write its folders with / (../hris.csv)" if "\\" in str(path) else ""
    if path.is_absolute():
        return (f"looked in {path.parent} (a relative organisation.source.file is read from the folder of the "
                f"scenario file that names it){windows}")
    return f"looked in the working folder ({Path.cwd()}) and among the shipped scenarios ({SCENARIO_DIR}){windows}"


def load_org(scenario: Scenario) -> OrgTable:
    """Read, map and validate the scenario's headcount file (cached by file and mapping).

    Raises:
        InputError: One line naming the file, the row and the column, for every kind of bad
            file described in docs/orgdata.md; with the file's other mistakes after the first.
    """
    source = scenario.organisation.source
    if source is None:
        raise ValueError("the scenario has no organisation.source")
    path = resolve_file(source)
    label = display_path(path)
    if not path.exists():
        raise InputError(f"file not found; {_looked_in(path)}", source=label)
    try:
        stat = path.stat()
        stamp: tuple[Any, ...] = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (str(path), None, None)
    shape = [(lv.name, sorted(lv.positions.items())) for lv in scenario.organisation.levels]
    key = (*stamp, source.model_dump_json(), json.dumps(shape), tuple(scenario.group_names), scenario.name)
    if key in _CACHE:
        return _CACHE[key]
    loader = _Loader(scenario, source, read_table(path, label, source.sheet, source.columns.get("level", "level")),
                     label)
    try:
        table = loader.run()
    except InputError as exc:
        raise loader.with_unmatched_exclusions(exc) from None
    for value in vars(table).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)  # shared by every model built from the cache
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = table
    return table


class _Loader:
    """One pass over a raw table: map, check, and build the arrays.

    Kept as one object so that each check can name the row and column without passing them
    around.
    """

    def __init__(self, scenario: Scenario, source: OrgSource, raw: RawTable, label: str):
        self.sc = scenario
        self.src = source
        self.raw = raw
        self.frame = raw.frame
        self.label = label
        self.n = len(raw.frame)
        self.reports: dict[str, FieldReport] = {}
        self.used: set[str] = set()
        self.excluded: dict[str, dict[str, int]] = {}
        self.kept: dict[str, dict[str, int]] = {}
        self.n_excluded = 0
        self.through_excluded = 0
        self.via_excluded: pd.Series | None = None  # per row, the left-out manager its line was re-pointed past
        self.problems: list[_Problem] = []

    # -- messages ---------------------------------------------------------------------------
    def fail(self, i: int, column: str, message: str) -> InputError:
        """An error at data row ``i`` (0-based, after blank rows were skipped).

        An error in the last row of a report that ends in totals ("Total", 314 under the level)
        says so: the value alone ("'314' is not in the mapping") did not (an HR analyst's trial).
        """
        where = f"{self.raw.row_word} {int(self.raw.rows[i])}, column '{column}'"
        if self.totals_at(i):
            message += _TOTALS_HINT
        return InputError(message, source=self.label, path=where)

    def problem(self, rows: np.ndarray, column: str, detail: str, brief: str, *, named: bool = False,
                error: type[InputError] = InputError) -> None:
        """Note a problem at data rows ``rows`` (``detail`` is about the first), to refuse the file with the others."""
        self.problems.append(_Problem(column, np.sort(np.asarray(rows, dtype=np.int64)), detail, brief, named, error))

    def flagged(self, *columns: str | None) -> np.ndarray:
        """Per data row, whether a problem was noted there in any of ``columns``.

        A check whose input another check refused skips those rows: an age of 'forty' is not
        also "outside 16-100", nor a row with an unknown level "without a track".
        """
        out = np.zeros(self.n, dtype=bool)
        for p in self.problems:
            if p.column in columns:
                out[p.rows] = True
        return out

    def refusal(self) -> InputError:
        """Every problem noted, in one line: the first (by row) as it reads alone, then the others by column.

        The rest follows as one clause, ``also, N more cells to fix: column 'age' rows 81-83
        (not a number: 'forty'); ...``, capped per problem (``where``, ``values``) so that a file
        with 20,000 bad rows still gets a short line. A totals row at the end that has a problem
        is named even when the first problem is elsewhere.
        """
        ordered = sorted(self.problems, key=lambda p: int(p.rows[0]))  # stable: a row's problems in check order
        lead = ordered[0]
        first = self.fail(int(lead.rows[0]), lead.column, lead.detail)
        rest = ordered[1:]
        if not lead.named and lead.rows.size > 1:
            rest.append(replace(lead, rows=lead.rows[1:]))
        message = first.detail
        if rest:
            by_column: dict[str, list[_Problem]] = {}
            for p in sorted(rest, key=lambda p: int(p.rows[0])):
                by_column.setdefault(p.column, []).append(p)
            cells = sum(p.rows.size for p in rest)
            said = "; ".join(f"column '{col}' " + ", ".join(f"{self.where(p.rows)} ({p.brief})" for p in found)
                             for col, found in by_column.items())
            message += f"; also, {counted(cells, 'more cell')} to fix: {said}"
        last = self.n - 1
        if self.totals_at(last) and _TOTALS_HINT not in message and any(p.rows[-1] == last for p in self.problems):
            message += (f"; {self.raw.row_word} {int(self.raw.rows[last])} is a totals row? delete it, or leave it out "
                        "with organisation.source.exclude")
        return lead.error(message, source=first.source, path=first.path)

    def where(self, rows: np.ndarray, shown: int = 5) -> str:
        """Data rows as the file numbers them, runs joined (``rows 40, 81-83``): ``shown`` runs, then a count."""
        return row_runs(self.raw.rows[rows], self.raw.row_word, shown)

    def values(self, s: pd.Series, rows: np.ndarray, allowed: Sequence[str] = (), shown: int = 3) -> str:
        """The distinct values of ``s`` at ``rows``, in file order, for a problem's few words: the first ``shown``.

        A value that misspells one of ``allowed`` says which (did-you-mean hints are kept in the
        clause as in a line of their own); one holding an invisible character is written escaped.
        """
        found = pd.unique(s.iloc[rows])
        parts = []
        for value in found[:shown]:
            text = str(value)
            meant = _misspelt(text, allowed) if allowed else None
            odd = any(ch in text for ch in _INVISIBLE)
            parts.append((f"{text!a}" if odd else f"'{text}'") + (f" (did you mean '{meant}'?)" if meant else ""))
        if len(found) > shown:
            others = len(found) - shown
            parts.append(f"and {others:,} other value{'s' if others > 1 else ''}")
        return ", ".join(parts)

    def totals_at(self, i: int) -> bool:
        """Whether data row ``i`` is the file's last and reads as a report's totals ("Total" in a cell)."""
        return i == len(self.frame) - 1 and any(str(cell).strip().casefold() in _TOTAL_WORDS
                                                for cell in self.frame.iloc[i] if isinstance(cell, str))

    def with_unmatched_exclusions(self, exc: InputError) -> InputError:
        """The error, adding each ``exclude`` value that no row has.

        The people a misspelt value (``Ausgeschieden`` for ``Ausgetreten``) was meant to leave
        out are read, and the error they cause (more people than positions, a leaver's blank
        level) named the level or the row, never the list: the counts that show the misspelling
        come only with a file that loads (an HR user's trial). The error keeps its type, which
        callers add their own hints to.
        """
        notes = unmatched_exclusions(self.excluded, self.kept)
        if not notes:
            return exc
        return type(exc)(f"{exc.detail}; also, organisation.source.exclude left nothing out for a value: "
                         f"{'; '.join(notes)}", source=exc.source, path=exc.path)

    # -- columns ----------------------------------------------------------------------------
    def column(self, name: str, *, required: bool = False) -> str | None:
        """The file column for a field, or None when absent and optional."""
        col = self.src.columns.get(name, name)
        if name in self.src.columns:
            return self.named_column(col, f"organisation.source.columns.{name}")
        if col in self.frame.columns:
            self.used.add(col)
            return col
        available = ", ".join(map(str, self.frame.columns)) or "(none)"
        if required:
            instead = " (or give a 'team' column)" if name == "manager" else ""
            raise InputError(
                f"missing required column '{col}' (the {name} of each person; map another column with "
                f"organisation.source.columns.{name}){instead}; columns: {available}",
                source=self.label, path="header",
            )
        return None

    def named_column(self, col: str, setting: str) -> str:
        """A column the scenario names; an error naming ``setting`` when the file has none.

        Found whatever its case (`Job grade` for `Job Grade`), as cell values are, unless two
        columns differ only in case. A field's default name is not (``column``), or a department
        column `Group` would be read as the groups.
        """
        if col not in self.frame.columns:
            same = [c for c in self.frame.columns if str(c).casefold() == str(col).casefold()]
            if len(same) > 1:
                raise InputError(f"column '{col}' ({setting}) could be any of {', '.join(map(repr, same))}, which "
                                 "differ only in case; name one exactly", source=self.label, path="header")
            col = same[0] if same else col
        if col not in self.frame.columns:
            available = ", ".join(map(str, self.frame.columns)) or "(none)"
            raise InputError(f"column '{col}' ({setting}) is not in the file; columns: {available}",
                             source=self.label, path="header")
        self.used.add(col)
        return col

    def text(self, col: str) -> pd.Series:
        return self.frame[col]

    def cells(self, s: pd.Series, where: np.ndarray, limit: int = 6) -> tuple[str, int, int]:
        """The distinct values of ``s`` at positions ``where``, each with its rows, for one message.

        Listing every bad value of a column at once, with how many rows hold it and the first
        of them, saves a round trip per value: an org-design trial needed six ``validate`` runs
        for its gender and rating columns. Values come in file order, so the first is at the
        row the message names.

        Returns:
            The listing (``'Non-binary' (37 rows, first row 3), 'X' (row 9)``; a value in one row
            alone is named without its row, which the message's place names), the number of
            distinct values, and the number of rows.
        """
        if where.size == 1:
            return f"'{s.iloc[int(where[0])]}'", 1, 1
        codes, uniques = pd.factorize(s.iloc[where])
        counts = np.bincount(codes, minlength=len(uniques))
        _, first = np.unique(codes, return_index=True)
        word = self.raw.row_word
        parts = []
        for k in range(min(limit, len(uniques))):
            row, n = int(self.raw.rows[where[first[k]]]), int(counts[k])
            parts.append(f"'{uniques[k]}' ({word} {row})" if n == 1
                         else f"'{uniques[k]}' ({n:,} {word}s, first {word} {row})")
        if len(uniques) > limit:
            rest = int(counts[limit:].sum())
            others = len(uniques) - limit
            parts.append(f"and {others:,} other value{'s' if others > 1 else ''} in {counted(rest, word)}")
        return ", ".join(parts), len(uniques), int(where.size)

    def mapped(self, name: str, col: str, allowed: Sequence[str], noun: str) -> pd.Series:
        """A categorical column mapped to model values; values neither mapped nor allowed are a problem (NaN here).

        The mapping's targets are the scenario's names already (``Scenario`` checks them). The
        error lists every such value of the column, with the way out: a mapping to a model
        value, or to ``null`` for "read as blank", which is the usual fix for a survey's "Prefer
        not to say" and is otherwise found only in the docs.
        """
        s = self.text(col)
        mapping = self.src.values.get(name)
        names = {a: a for a in allowed}
        lookup = _blanks_marked(mapping)
        # Exact matches first (a mapping key, then a model name), then the same ignoring case: a
        # cell 'Lead' is the level Lead even if the mapping has a key 'lead'.
        out = _case_blind_rest(s, _first_found(s, [lookup, names], exact=True), [lookup, names])
        read_as_blank = (out == _AS_BLANK).to_numpy()
        out = out.mask(read_as_blank)
        bad = np.flatnonzero((s.notna() & out.isna()).to_numpy() & ~read_as_blank)
        if bad.size:
            listed, distinct, rows = self.cells(s, bad)
            one, cell = distinct == 1, "cell" if rows == 1 else "cells"
            odd = next((shown for v in pd.unique(s.iloc[bad]) if (shown := _invisible(str(v))) is not None), None)
            hidden = f"; {'the' if rows == 1 else 'a'} cell holds {odd}" if odd is not None else ""
            writable = _writable(mapping, allowed)
            if one and odd is None and (meant := _misspelt(str(s.iloc[bad[0]]), writable)) is not None:
                listed += f" (did you mean '{meant}'?)"
            setting = f"organisation.source.values.{name}"
            if noun == "level":  # a level cannot be read as blank (OrgSource refuses a null target)
                way = (f"; map {'it' if one else 'each'} to a level with {setting}, or leave "
                       f"{'its' if one else 'their'} rows out with organisation.source.exclude")
            else:
                way = (f"; map {'it' if one else 'each'} to {_article(noun)} {noun} with {setting}, or to null to "
                       f"read the {cell} as blank")
            if mapping:
                keys, known = _listing(mapping), f"{_article(noun)} {noun} ({', '.join(allowed)})"
                head = (f"value {listed} is not in the mapping {setting} ({keys}) nor {known}" if one else
                        f"values not in the mapping {setting} ({keys}) nor {known}: {listed}")
            else:
                head = f"unknown {noun}{'' if one else 's'} {listed}; {noun}s: {', '.join(allowed)}"
            some = self.values(s, bad, writable)
            brief = (f"not in the mapping nor {_article(noun)} {noun}: {some}" if mapping
                     else f"unknown {noun}{'' if one else 's'} {some}")
            self.problem(bad, col, head + hidden + way, brief, named=True)
        return out

    def numbers(self, name: str, col: str) -> np.ndarray:
        """A numeric column (rating labels mapped first); text that is not a number is a problem (NaN here).

        In a file separated by semicolons, decimal commas (``3,5``) are read as the spreadsheet
        that wrote it means them. The error lists every cell that is not a number.
        """
        s = self.text(col)
        if self.raw.decimal_comma:
            s = s.str.replace(r"^([-+]?\d*),(\d+)$", r"\1.\2", regex=True)
        mapping = self.src.values.get(name)
        if mapping:
            lookup = _blanks_marked(mapping)
            hit = _case_blind_rest(s, _first_found(s, [lookup], exact=True), [lookup])
            s = s.where(hit.isna(), hit).mask(hit == _AS_BLANK)
        num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(s.notna().to_numpy() & ~np.isfinite(num))
        if bad.size:
            i = int(bad[0])
            listed, distinct, rows = self.cells(s, bad)
            one = distinct == 1
            labels = _writable(mapping, ())  # a rating label misspelt ('Exceeds expectation'); no number is suggested
            if one and (meant := _misspelt(str(s.iloc[i]), labels)) is not None:
                listed += f" (did you mean '{meant}'?)"
            known = f" nor in organisation.source.values.{name} ({_listing(mapping)})" if mapping else ""
            hints = []
            first = str(s.iloc[i])
            if name in _AS_DATE and _date_kind(first, "iso")[0] != "not_date":
                field = _AS_DATE[name]
                hints.append(f"{'a date' if one else 'dates'}: map the column with organisation.source.columns."
                             f"{field} (and set organisation.source.as_of, the date the file describes) to count "
                             f"{OrgSource.DATES[field]} from {'it' if one else 'them'}")
            elif (comma := comma_number(first)) is not None:  # a quoted "9,6" from a European locale
                hints.append(comma)
            if name in OrgSource.MAPPED:
                hints.append(f"map {'it' if one else 'each'} to a number with organisation.source.values.{name}, "
                             f"or to null to read the {'cell' if rows == 1 else 'cells'} as blank")
            head = f"{listed} is not a number{known}" if one else f"not numbers{known}: {listed}"
            brief = f"not {'a number' if one else 'numbers'}: {self.values(s, bad, labels)}"
            self.problem(bad, col, "; ".join([head, *hints]), brief, named=True)
        return num

    def dates(self, name: str, col: str) -> np.ndarray:
        """A column of dates as ``datetime64[D]`` (NaT for a blank cell), read as ``date_format`` says.

        Each distinct text is read once (an export holds a few thousand distinct dates however
        long it is). Cells that are not read are a problem per kind (NaT here), each listing
        every cell of its kind, with what to set or change (``_date_kind`` says what is read).
        """
        s = self.text(col)
        order = self.src.date_format
        codes, uniq = pd.factorize(s)  # -1 for a blank cell
        parsed = [_date_kind(str(v), order) for v in uniq]
        kinds = np.array([k for k, _ in parsed] + ["blank"], dtype=object)[codes]
        found = [np.datetime64(d, "D") if k == "ok" else np.datetime64("NaT") for k, d in parsed]
        values = np.array([*found, np.datetime64("NaT")], dtype="datetime64[D]")[codes]
        bad = np.flatnonzero((kinds != "ok") & (kinds != "blank"))
        for kind in pd.unique(kinds[bad]):  # in file order
            same = np.flatnonzero(kinds == kind)
            message, brief = self._date_problem(s, same, kind, parsed, uniq, name)
            self.problem(same, col, message, f"{brief}: {self.values(s, same)}", named=True)
        return values

    def _date_problem(self, s: pd.Series, same: np.ndarray, kind: str, parsed: list[tuple[str, Any]],
                      uniq: pd.Index, name: str) -> tuple[str, str]:
        """The message for the date cells ``same`` of one ``kind``, and its few words for a clause."""
        order = self.src.date_format
        listed, distinct, _ = self.cells(s, same)
        one = distinct == 1
        setting = "organisation.source.date_format"
        if kind == "order":
            pairs = {str(v): p for v, (k, p) in zip(uniq, parsed, strict=True) if k == "order"}
            texts = [str(v) for v in pd.unique(s.iloc[same])]  # file order
            day = next((t for t in texts if pairs[t][0] > 12), None)  # 22/11/2010: only day first
            month = next((t for t in texts if pairs[t][1] > 12), None)  # 11/22/2010: only month first
            head = f"date {listed} is not year first" if one else f"dates not year first: {listed}"
            if day and month:
                way = (f"the column has both orders ('{day}' reads only day first, '{month}' only month first): "
                       "write every date one way, best year first (2010-11-22)")
            elif day or month:
                ex, what = (day, "day_first") if day else (month, "month_first")
                way = (f"set {setting}: {what}, as the column reads {what.replace('_', ' ')} ('{ex}' has no month "
                       f"{pairs[ex][0] if day else pairs[ex][1]})")
            else:
                a, b = pairs[texts[0]]
                it = "it" if one else f"'{texts[0]}'"
                way = (f"{it} could be {a} {_MONTH_NAMES[b - 1]} or {_MONTH_NAMES[a - 1]} {b}: set {setting} to "
                       "day_first or month_first, as the system that wrote the file does")
            return f"{head}; {way}", f"not year first (set {setting})"
        if kind == "no_such_day":
            how = "no such day" if order == "iso" else f"read {_ORDER_WORDS[order]}, as {setting}: {order} says"
            message = f"{listed} is not a date ({how})" if one else f"not dates ({how}): {listed}"
            if order != "iso":
                message += "; written the other way round in places? write every date one way, best year first"
            return message, "no such day" if order == "iso" else f"no such day, read {order.replace('_', ' ')}"
        if kind == "two_digit_year":
            message = (f"date {listed} has a two-digit year" if one else f"dates with a two-digit year: {listed}")
            return (message + "; 19.. or 20..? write years in full (in Excel: format the column as yyyy-mm-dd before "
                    "saving)"), "a two-digit year"
        if kind == "number":
            instead = {"hire_date": "tenure_years", "birth_date": "age"}[name]
            message = f"{listed} is a number, not a date" if one else f"numbers, not dates: {listed}"
            return (message + f"; in Excel, format the column as a date (yyyy-mm-dd) before saving; or, if it holds "
                    f"{OrgSource.DATES[name]} in years, map it with organisation.source.columns.{instead}"), \
                "a number, not a date"
        message = f"{listed} is not a date" if one else f"not dates: {listed}"
        return (message + f"; dates are read year first (2024-06-30), with a month name in English or German (30 Jun "
                f"2024, 30. Juni 2024), or as {setting} "
                "says (day_first: 30/06/2024, month_first: 06/30/2024); blank a cell that holds no date"), \
            "not a date"

    def counted_to_as_of(self, name: str, col: str, unit_days: float) -> tuple[np.ndarray, str]:
        """Time from a date column to ``as_of``, in units of ``unit_days`` (NaN for a blank cell).

        ``as_of`` is required rather than the day of the run: the same scenario and seed must
        give the same organisation next month. A date after it is an error (a joiner not yet
        started, or an ``as_of`` set too early; a problem, NaN here), never a negative tenure or age.

        Returns:
            The values, and how they were computed (for describe).
        """
        as_of = self.src.as_of
        if as_of is None:  # OrgSource requires it when the column is mapped; here it was found by its name
            raise InputError(f"column '{col}' gives {name.replace('_', ' ')}s: set organisation.source.as_of, the "
                             f"date the file describes (its export date), to count {OrgSource.DATES[name]} to, e.g. "
                             "as_of: 2024-06-30", source=self.label, path="header")
        when = self.dates(name, col)
        days = (np.datetime64(as_of, "D") - when).astype("timedelta64[D]").astype(float)
        days[np.isnat(when)] = np.nan
        late = np.flatnonzero(days < 0)
        if late.size:
            listed, distinct, _ = self.cells(self.text(col), late)
            what = name.replace("_", " ")
            head = (f"{what} {listed} is after" if distinct == 1 else f"{what}s after")
            shown = f"organisation.source.as_of ({as_of.isoformat()})"
            head = f"{head} {shown}" if distinct == 1 else f"{head} {shown}: {listed}"
            way = ("not started yet? leave such rows out with organisation.source.exclude, or set as_of to the date "
                   "the file was exported") if name == "hire_date" else "check the column and as_of"
            self.problem(late, col, f"{head}; {way}", f"after as_of {as_of.isoformat()}: "
                         f"{self.values(self.text(col), late)}", named=True)
            days[late] = np.nan
        what = {"hire_date": "hire dates", "birth_date": "birth dates"}[name]
        derived = f"from the {what} in '{col}', counted to {as_of} (organisation.source.as_of)"
        # Nobody hired for years before as_of: most likely a typo in as_of (2035 for 2025), which
        # ages everyone and lengthens every tenure by the gap (an org-design trial).
        newest = np.nanmin(days) / 365.2425 if name == "hire_date" and np.isfinite(days).any() else 0.0
        if newest >= 2:
            derived += (f"; the latest hire date is {newest:.1f} years before it: is as_of the date the file was "
                        "exported?")
        return days / unit_days, derived

    def report(self, name: str, col: str | None, known: np.ndarray, note: str, derived: str = "") -> None:
        read = int(known.sum())
        self.reports[name] = FieldReport(column=col, read=read, inferred=self.n - read,
                                         note=note if read < self.n else "", derived=derived)

    # -- the pass ---------------------------------------------------------------------------
    def run(self) -> OrgTable:
        """Check every row and refuse the file with all its problems at once, or build the table.

        A row's problem does not stop the read: each column is checked for every row, and the
        checks that need another column's value skip the rows where that value was refused
        (``flagged``). Checks over the whole file (more people than positions, levels listed
        top first) come once every row reads, since fixing the rows changes their counts.
        """
        if self.n == 0:
            raise InputError("the file has a header but no people", source=self.label)
        self._exclude()
        sc, n = self.sc, self.n
        levels = [lv.name for lv in sc.organisation.levels]

        # ids: required, unique
        id_col = self.column("id", required=True)
        ids = self.text(id_col)
        self._require(ids, id_col, "id")
        self._unique(ids, id_col)
        self.reports["id"] = FieldReport(column=id_col, read=n, inferred=0)

        # level and track (-1 where a problem was noted)
        level_col = self.column("level", required=True)
        level_s = self.mapped("level", level_col, levels, "level")
        self._require(level_s, level_col, "level")
        level = pd.Categorical(level_s, categories=levels).codes.astype(np.int16)
        self.reports["level"] = FieldReport(column=level_col, read=n, inferred=0)
        track, track_col = self._tracks(level)
        pos = np.array([[sc.positions(li, t) for t in TRACKS] for li in range(len(levels))], dtype=np.int64)
        self._track_has_positions(level, track, pos, track_col or level_col)

        group = self._groups()
        tenure = self._tenure()
        age = self._age(tenure)
        performance = self._performance()
        intent = self._intent()
        stated, mgr_col = self._stated_managers(ids, level, track, (id_col, level_col, track_col))
        if self.problems:
            raise self.refusal()

        self._capacity(level, track, pos, level_col)
        if mgr_col is not None:
            self._refuse_upside_down(stated, level, mgr_col)
        manager = effective_managers(stated, level, track)
        has = stated >= 0
        structure = {
            "through_excluded": self.through_excluded,
            "stated": int(has.sum()),
            "kept": int((has & (manager == stated)).sum()),
            "repointed": int((has & (manager != stated) & (manager >= 0)).sum()),
            "no_valid_manager": int((has & (manager < 0)).sum()),
            "without_manager": int((~has).sum()),
        }

        ignored = [str(c) for c in self.frame.columns if c not in self.used]
        order = ("id", "level", "track", "manager", "team", "group", "tenure", "age", "performance", "intent")
        fields = {k: self.reports[k] for k in order if k in self.reports}
        return OrgTable(
            label=self.label, sheet=self.raw.sheet, ids=ids.to_numpy(dtype=object), rows=self.raw.rows,
            row_word=self.raw.row_word,
            level=level, track=track, stated_manager=stated, manager=manager.astype(np.int64), group=group,
            tenure=tenure, age=age, performance=performance, intent=intent, fields=fields, structure=structure,
            ignored_columns=ignored, blank_rows=self.raw.blank_rows, excluded=self.excluded,
            n_excluded=self.n_excluded, kept=self.kept,
            hidden=int(np.isin(self.raw.rows, list(self.raw.hidden_rows)).sum()) if self.raw.hidden_rows else 0,
        )

    def _unique(self, ids: pd.Series, col: str) -> None:
        """Note ids given twice (blank ones are ``_require``'s), each at the rows after its first."""
        dup = np.flatnonzero((ids.duplicated(keep="first") & ids.notna()).to_numpy())
        if dup.size:
            i = int(dup[0])
            first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
            also = f"also in {self.raw.row_word} {int(self.raw.rows[first])}"
            self.problem(dup, col, f"duplicate id '{ids.iloc[i]}' ({also}); ids must be unique",
                         f"duplicate id '{ids.iloc[i]}', {also}" if dup.size == 1
                         else f"duplicate ids {self.values(ids, dup)}")

    def _track_has_positions(self, level: np.ndarray, track: np.ndarray, pos: np.ndarray, col: str) -> None:
        """Note people on a track their level has no positions on (rows whose level or track was refused skip)."""
        known = np.flatnonzero((level >= 0) & (track >= 0))
        code = level[known].astype(np.int64) * len(TRACKS) + track[known]
        none_here = known[pos.ravel()[code] == 0]
        if none_here.size:
            i = int(none_here[0])
            what = f"level '{self.sc.organisation.levels[level[i]].name}' has no {TRACKS[track[i]]} positions"
            self.problem(none_here, col, f"{what} (organisation.levels[{level[i]}].positions)",
                         "a track the level has no positions on")

    def _capacity(self, level: np.ndarray, track: np.ndarray, pos: np.ndarray, col: str) -> None:
        """Refuse more people at a (level, track) than the scenario has positions there."""
        code = level.astype(np.int64) * len(TRACKS) + track
        counts = np.bincount(code, minlength=pos.size).reshape(pos.shape)
        over = np.argwhere(counts > pos)
        if over.size:
            li, ti = (int(v) for v in over[0])
            raise CapacityError(
                f"level '{self.sc.organisation.levels[li].name}', track {TRACKS[ti]}: {counts[li, ti]} people in the "
                f"file but {pos[li, ti]} positions in the scenario (organisation.levels[{li}].positions.{TRACKS[ti]})",
                source=self.label, path=f"column '{col}'", held=counts,
            )

    def _exclude(self) -> None:
        """Leave out the rows ``organisation.source.exclude`` names, before anything else is read.

        Values match whatever their case. Someone whose manager is left out reports to that
        manager's own manager (the first one up the line who stays), as the file would say had
        the export been made without them; the file's row numbers stay as the file shows them.
        """
        if not self.src.exclude:
            return
        out = np.zeros(self.n, dtype=bool)
        for setting_column, listed in self.src.exclude.items():
            col = self.named_column(setting_column, f"organisation.source.exclude.{setting_column}")
            cells = self.text(col).str.casefold()
            numbers = pd.to_numeric(self.text(col), errors="coerce")
            counts = self.excluded.setdefault(col, {})  # `Status` and `status` name one column
            for value in listed:
                hit = (cells == value.casefold()).to_numpy()
                number = pd.to_numeric(value, errors="coerce")  # YAML's 007 is 7, its 2.0 a Parquet column's 2
                if not pd.isna(number):
                    hit |= (numbers == number).to_numpy()
                counts[value] = counts.get(value, 0) + int(hit.sum())
                out |= hit
        if out.all():
            raise InputError(f"every person was left out by organisation.source.exclude ({counted(self.n, 'row')})",
                             source=self.label)
        for col in self.excluded:  # what stays, as written: a status the list forgot shows here
            values = self.text(col)[~out].fillna("")
            found = values.value_counts(sort=False)  # in file order; the stable sort keeps it among equal counts
            self.kept[col] = {str(v): int(n) for v, n in sorted(found.items(), key=lambda vn: -vn[1])}
        self.n_excluded = int(out.sum())
        if out.any():
            self._repoint_past(out)
        keep = ~out
        self.frame = self.frame[keep].reset_index(drop=True)
        self.raw = replace(self.raw, frame=self.frame, rows=self.raw.rows[keep])
        if self.via_excluded is not None:
            self.via_excluded = self.via_excluded[keep].reset_index(drop=True)
        self.n = len(self.frame)

    def _repoint_past(self, out: np.ndarray) -> None:
        """Point reports of left-out people at the first manager up the line who stays (or none).

        Each left-out manager's line is walked once, and remembered for those below it. A pass
        over every row per step up the line made a loop among leavers' stale manager cells cost
        one pass per leaver: 7 of the 8 seconds of loading 20,000 rows with 5,000 leavers.
        """
        mgr_col = self.column("manager")
        if mgr_col is None:
            return  # team ids: a team whose lead is left out has no lead, as for any team without one
        id_col = self.column("id", required=True)
        ids, mgr = self.text(id_col), self.text(mgr_col)
        stays = set(ids[~out].dropna())  # an id a staying row also has is that row's, who stays
        up: dict[str, Any] = {}
        for person, boss in zip(ids[out], mgr[out], strict=True):
            if isinstance(person, str) and person not in stays:
                up.setdefault(person, boss)  # a left-out id given twice: its first row
        moved = (~out & mgr.isin(list(up))).to_numpy()
        self.through_excluded = int(moved.sum())
        self.via_excluded = mgr.where(moved)
        above = mgr.where(~moved, mgr.map(_first_staying(up)))
        # A leaver's stale cell can name one of their own reports: the line then comes back to the
        # person, a "reporting cycle 'J1' -> 'J1'" that appears nowhere in the file. No one above stays.
        self.frame = self.frame.assign(**{mgr_col: above.mask(moved & (above == ids).to_numpy())})

    def _require(self, s: pd.Series, col: str, name: str) -> None:
        """Note blank cells of a required field, with how many and, for a level, the way out.

        An export with its leavers still in it gives them a blank level; "blank level (required
        for every person)" at the first of 33 such rows said neither how many nor what to change
        (an org-design trial). A lone blank in the last row is a totals row, which ``fail`` names.
        A cell refused already (a level the scenario lacks, NaN in ``s``) is not blank.
        """
        blank = np.flatnonzero(s.isna().to_numpy() & ~self.flagged(col))
        if blank.size:
            message = f"blank {name} (required for every person)"
            if blank.size > 1:
                message += f" in {blank.size:,} rows"
            if name == "level" and not (blank.size == 1 and blank[0] == len(s) - 1):
                message += ("; leave such rows out (leavers? contractors?) by a status column with "
                            "organisation.source.exclude, or fill in their levels")
            self.problem(blank, col, message, "blank")

    def _tracks(self, level: np.ndarray) -> tuple[np.ndarray, str | None]:
        """Track codes; a blank or absent track is allowed where the level has only one track.

        -1 where a problem was noted, in the track or (for a blank track) in the level.
        """
        sc = self.sc
        only = np.array(
            [next(iter([t for t, name in enumerate(TRACKS) if sc.positions(li, name) > 0]))
             if sum(sc.positions(li, name) > 0 for name in TRACKS) == 1 else -1
             for li in range(sc.n_levels)] + [-2],  # -2: the level was refused, so its tracks are unknown
            dtype=np.int8,
        )
        at = np.where(level >= 0, level, only.size - 1)  # each row's entry of ``only``
        col = self.column("track")
        if col is None:
            mixed = np.flatnonzero(only[at] == -1)
            if mixed.size:
                names = sorted({sc.organisation.levels[int(li)].name for li in level[mixed]})
                raise TrackError(
                    f"missing required column '{self.src.columns.get('track', 'track')}': levels "
                    f"{', '.join(names)} have both tracks (map a column with organisation.source.columns.track)",
                    source=self.label, path="header",
                )
            self.reports["track"] = FieldReport(column=None, read=0, inferred=self.n,
                                                note="set by level (one track there)")
            return np.maximum(only[at], -1).astype(np.int8), None
        s = self.mapped("track", col, TRACKS, "track")
        blank = s.isna().to_numpy() & ~self.flagged(col)
        bad = np.flatnonzero(blank & (only[at] == -1))
        if bad.size:
            i = int(bad[0])
            cell = self.text(col).iloc[i]
            what = "blank track" if pd.isna(cell) else (f"track '{cell}' read as blank "
                                                         "(organisation.source.values.track)")
            self.problem(bad, col, f"{what}, and level '{sc.organisation.levels[level[i]].name}' has both tracks "
                                   "(required there)", "blank track where the level has both", error=TrackError)
        given = pd.Categorical(s, categories=list(TRACKS)).codes
        track = np.where(blank, np.maximum(only[at], -1), given).astype(np.int8)
        self.reports["track"] = FieldReport(column=col, read=int((~blank).sum()), inferred=int(blank.sum()),
                                            note="set by level (one track there)" if blank.any() else "")
        return track, col

    def _groups(self) -> np.ndarray:
        names = self.sc.group_names
        col = self.column("group")
        if col is None:
            self.report("group", None, np.zeros(self.n, bool), "sampled from groups[].workforce_share")
            return np.full(self.n, -1, dtype=np.int8)
        s = self.mapped("group", col, names, "group")
        self.report("group", col, s.notna().to_numpy(), "sampled from groups[].workforce_share")
        return pd.Categorical(s, categories=names).codes.astype(np.int8)

    def _tenure(self) -> np.ndarray:
        """Tenure in months: from hire dates, else months, else years (the first column the file has).

        A hire date is what an export holds and the others are computed from it, so it wins;
        a column not used is listed among the ignored ones.
        """
        note = "drawn given age (as for drawn people)"
        given = [(name, col) for name in ("hire_date", "tenure_months", "tenure_years")
                 if (col := self.column(name)) is not None]
        if not given:
            self.report("tenure", None, np.zeros(self.n, bool), note)
            return np.full(self.n, np.nan)
        (name, col), *unused = given
        for _, other in unused:
            if other != col:  # a column named tenure_years mapped as hire_date is the one read
                self.used.discard(other)
        derived = ""
        if name == "hire_date":
            tenure, derived = self.counted_to_as_of(name, col, _DAYS_PER_MONTH)
        else:
            tenure = self.numbers(name, col) * (12.0 if name == "tenure_years" else 1.0)
            neg = np.flatnonzero(tenure < 0)
            if neg.size:
                i = int(neg[0])
                self.problem(neg, col, f"negative tenure ({self.text(col).iloc[i]}); tenure must be 0 or more",
                             f"negative: {self.values(self.text(col), neg)}")
                tenure[neg] = np.nan
        self._check_working_life(name, col, tenure)
        self.report("tenure", col, np.isfinite(tenure), note, derived)
        return tenure

    def _check_working_life(self, name: str, col: str, tenure: np.ndarray) -> None:
        """Refuse a tenure longer than a working life, as an age outside 16-100 is refused.

        Without an age column the age is drawn to fit the tenure, so a typo such as 300 years (or
        a hire date of 1824) became a person aged 321 who retired in the first month, and a tenure
        past the engine's 32-bit month count turned negative: the upload was accepted without a
        word, and the team lost people the room could not account for (a facilitator's trial).
        """
        long = np.flatnonzero(np.floor(tenure) > 12 * MAX_TENURE_YEARS)  # whole months: a date 86 years ago is 1032.04
        if long.size:
            i = int(long[0])
            cell = self.text(col).iloc[i]
            given = f"hire date {cell}" if name == "hire_date" else f"tenure {cell}"
            self.problem(long, col, f"{given} means {tenure[i] / 12:.4g} years with the organisation, more than a "
                         f"working life (at most {MAX_TENURE_YEARS}: age {MAX_AGE} less the youngest joining age, "
                         f"{MIN_JOINING_AGE}); check the column",
                         f"more than a working life ({MAX_TENURE_YEARS} years): {self.values(self.text(col), long)}")
            tenure[long] = np.nan

    def _age(self, tenure: np.ndarray) -> np.ndarray:
        """Age in years: from birth dates (counted to ``as_of``), else the age column."""
        note = "drawn from employees.age given tenure"
        birth_col, age_col = self.column("birth_date"), self.column("age")
        derived = ""
        if birth_col is not None:
            if age_col is not None and age_col != birth_col:
                self.used.discard(age_col)
            col = birth_col
            age, derived = self.counted_to_as_of("birth_date", col, 365.2425)
        elif age_col is not None:
            col, age = age_col, self.numbers("age", age_col)
        else:
            self.report("age", None, np.zeros(self.n, bool), note)
            return np.full(self.n, np.nan)

        def shown(i: int) -> str:
            """The age as the file gives it: the cell, or the age a birth date gives on ``as_of``."""
            return f"{age[i]:.1f} (born {self.text(col).iloc[i]})" if derived else str(self.text(col).iloc[i])

        bad = np.flatnonzero((age < 16) | (age > MAX_AGE))
        if bad.size:
            i = int(bad[0])
            on = f" on {self.src.as_of.isoformat()} (organisation.source.as_of)" if derived and self.src.as_of else ""
            self.problem(bad, col, f"age {shown(i)}{on} is outside 16-100",
                         f"an age outside 16-100{' on as_of' if derived else ''}: {self.values(self.text(col), bad)}")
            age[bad] = np.nan
        # Each range alone is no guard against a shifted column: age 23 with 19.8 years here. (A refused
        # tenure is NaN, so its row is not checked.)
        joined = age - tenure / 12.0
        bad = np.flatnonzero(joined < MIN_JOINING_AGE)
        if bad.size:
            i = int(bad[0])
            self.problem(bad, col, f"age {shown(i)} with {tenure[i] / 12:.1f} years of tenure "
                                   f"(column '{self.reports['tenure'].column}') means joining at "
                                   f"{joined[i]:.1f}, below {MIN_JOINING_AGE}; check both columns",
                         f"joining below {MIN_JOINING_AGE} given the tenure")
        self.report("age", col, np.isfinite(age), note, derived)
        return age

    def _performance(self) -> np.ndarray:
        col = self.column("performance")
        note = "competence drawn from employees.competence"
        if col is None:
            self.report("performance", None, np.zeros(self.n, bool), note)
            return np.full(self.n, np.nan)
        rating = self.numbers("performance", col)
        scale = self.src.performance_scale
        if scale is not None:
            bad = np.flatnonzero((rating < scale[0]) | (rating > scale[1]))
            if bad.size:
                i = int(bad[0])
                label = self.text(col).iloc[i]
                if label in (self.src.values.get("performance") or {}):  # the label is not the number compared
                    label = f"'{label}' (mapped to {rating[i]:g} by organisation.source.values.performance)"
                self.problem(bad, col, f"rating {label} is outside the scale {scale[0]:g}-{scale[1]:g} "
                                       "(organisation.source.performance_scale)",
                             f"outside the scale {scale[0]:g}-{scale[1]:g}: {self.values(self.text(col), bad)}")
        self.report("performance", col, np.isfinite(rating), note)
        return rating

    def _intent(self) -> np.ndarray:
        col = self.column("intent")
        note = "aspiration drawn from the group's shares"
        if col is None:
            self.report("intent", None, np.zeros(self.n, bool), note)
            return np.full(self.n, NO_ANSWER, dtype=np.int8)
        s = self.mapped("intent", col, INTENTS, "intent")
        codes = pd.Categorical(s, categories=list(INTENTS)).codes
        codes = np.where(codes < 0, NO_ANSWER, codes).astype(np.int8)
        self.report("intent", col, codes != NO_ANSWER, note)
        return codes

    def _stated_managers(self, ids: pd.Series, level: np.ndarray, track: np.ndarray,
                         columns: tuple[str, str, str | None]) -> tuple[np.ndarray, str | None]:
        """Each row's stated manager (-1: none), noting ids that no row has and reporting cycles.

        Cycles are looked for only when every id is fine (a duplicate id makes a line ambiguous),
        and a team's lead only when every level and track is (``columns``: the id, level and
        track columns).

        Returns:
            The stated managers, and the manager column (None when teams give the lines).
        """
        mgr_col = self.column("manager")
        team_col = self.column("team") if mgr_col is None else None
        if mgr_col is None and team_col is None:
            self.column("manager", required=True)
        if mgr_col is not None:
            if self.src.columns.get("team", "team") in self.frame.columns:
                self.reports["team"] = FieldReport(column=None, read=0, inferred=0,
                                                   note="not used: manager ids give the teams")
            mgr = self.text(mgr_col)
            first = np.flatnonzero((~ids.duplicated() & ids.notna()).to_numpy())  # all rows when the ids are fine
            found = pd.Index(ids.iloc[first]).get_indexer(mgr)
            stated = np.where(found >= 0, first[np.maximum(found, 0)], -1).astype(np.int64)
            missing = np.flatnonzero(mgr.notna().to_numpy() & (stated < 0))
            if missing.size:
                i = int(missing[0])
                value = str(mgr.iloc[i])
                hint = ""
                via = self.via_excluded.iloc[i] if self.via_excluded is not None else np.nan
                if isinstance(via, str):  # the cell says someone else: the one left out, whose manager this is
                    hint = f"; it is the manager of '{via}', who was left out by organisation.source.exclude"
                elif value.endswith(".0") and (ids == value[:-2]).any():
                    hint = f"; ids are compared as text and '{value[:-2]}' exists (was the column saved as decimals?)"
                elif (padded := _same_but_leading_zeros(value, ids)) is not None:
                    hint = (f"; ids are compared as text and '{padded}' exists (leading zeros lost, as a spreadsheet "
                            "does to a column it reads as numbers? write the ids the same way in both columns)")
                elif (shown := _invisible(value)) is not None:
                    hint = f"; the cell holds {shown}"
                elif (odd := _id_with_invisible(value, ids)) is not None:
                    hint = f"; the id that looks like it holds {odd}"
                elif (cased := _same_but_case(value, ids)) is not None:
                    hint = (f"; ids are compared as written and '{cased}' exists (the same id in other capitals? "
                            "write it the same way in both columns)")
                self.problem(missing, mgr_col, self._missing_managers(mgr, missing, hint),
                             f"no row has the id: {self.values(mgr, missing)}", named=True)
            # Some HR systems record the head of the organisation (or of a unit) as their own manager.
            own = np.flatnonzero(stated == np.arange(stated.size))
            stated[own] = -1
            if not self.flagged(columns[0]).any():
                self._cycles(stated, ids, mgr_col)
            known = stated >= 0
            note = "no manager in the file: the scenario's default team"
            if own.size:
                note += f" ({counted(own.size, 'person')} named as their own manager, read as having none)"
            self.report("manager", mgr_col, known, note)
            return stated, mgr_col
        assert team_col is not None
        stated = np.full(self.n, NONE, dtype=np.int64)
        if not self.flagged(*columns[1:]).any():
            stated, ambiguous = managers_from_teams(self.text(team_col), level, track)
            if len(ambiguous):  # each team at its second candidate, the first such row's team named
                teams = sorted(((team, rows.to_numpy()) for team, rows in
                                ambiguous.groupby("team", sort=False)["i"]), key=lambda tr: int(tr[1][1]))
                team, rows = teams[0]
                shown = ", ".join(str(int(self.raw.rows[r])) for r in rows[:5])
                self.problem(np.array([int(r[1]) for _, r in teams]), team_col,
                             f"team '{team}' has {rows.size} possible leads on the management track at its top "
                             f"level ({self.raw.row_word}s {shown}); give manager ids instead",
                             "a team with several possible leads")
        known = self.text(team_col).notna().to_numpy()
        self.report("team", team_col, known, "no team in the file: the scenario's default team")
        return stated, None

    def _cycles(self, stated: np.ndarray, ids: pd.Series, col: str) -> None:
        """Note every reporting cycle, each at its first row; the message walks the first cycle from there."""
        cycles = find_cycles(stated)
        if not cycles:
            return
        cycles.sort(key=min)
        cycle = cycles[0]
        i = min(cycle)
        k = cycle.index(i)
        loop = [*cycle[k:], *cycle[:k], i]
        shown = " -> ".join(f"'{ids.iloc[j]}'" for j in loop[:8]) + (" -> ..." if len(loop) > 8 else "")
        self.problem(np.array([min(c) for c in cycles]), col, f"reporting cycle: {shown} (each reports to the next)",
                     "in a reporting cycle")

    def _missing_managers(self, mgr: pd.Series, missing: np.ndarray, hint: str) -> str:
        """The message for manager ids that no row has, with the way out.

        ``hint`` is a cause found for the first one (a lost ``.0`` or leading zero, an invisible
        character, a manager left out by ``exclude``), whose fix is not to blank the cell.
        Otherwise the manager is most likely outside the export (a scoped export lacks the
        board or the holding company): blanking the cell gives the scenario's default team,
        which the message says, since the only other way out was to edit the export blindly.
        Every such id is named, with its rows, so that one pass fixes them all.
        """
        listed, distinct, rows = self.cells(mgr, missing)
        one = rows == 1
        if distinct == 1:
            head = f"manager {listed} does not exist (no row has that id)"
        else:  # the hint is about the first id: say which
            head = f"managers that do not exist (no row has these ids): {listed}"
            hint = hint.replace("; it is the manager", f"; '{mgr.iloc[int(missing[0])]}' is the manager", 1)
        if hint:
            return head + hint
        add = "the manager's row" if distinct == 1 else "the managers' rows"
        return head + (f"; blank {'the cell' if one else 'those cells'} to give {'this person' if one else 'them'} "
                       f"the scenario's default team, or add {add}")

    def _refuse_upside_down(self, stated: np.ndarray, level: np.ndarray, col: str) -> None:
        """Refuse a file whose managers mostly sit below their reports in the scenario's level order.

        That is the mark of ``organisation.levels`` listed top first: every name maps, the
        positions may even fit, but the reporting lines all point down, so nearly everyone is
        left without a manager who can hold a team and the run is of an upside-down
        organisation. The size check in ``Organisation`` catches this only when every level is
        larger than the one before it. Some managers below their reports (a data error, an
        acting role) are kept; only a majority means the order is wrong.
        """
        has = np.flatnonzero(stated >= 0)
        below = int((level[stated[has]] < level[has]).sum())
        if has.size and below * 2 > has.size:
            raise InputError(
                f"{below:,} of the {has.size:,} people with a manager in the file have their manager at a lower "
                "level than their own: levels listed top first? organisation.levels go from the entry level "
                "(first) to the top; reverse the list", source=self.label, path=f"column '{col}'",
            )


# What a value mapped to ``null`` is looked up as, to tell "read as blank" from "not in the mapping".
_AS_BLANK = "\x00blank"


def _writable(mapping: Mapping[str, Any] | None, allowed: Sequence[str]) -> list[str]:
    """What a cell of a mapped column may hold: the mapping's keys, then the model's own names (``allowed``).

    A misspelt cell is compared with these. Compared with the model's names alone, a survey answer
    ``Not rigth now`` got no did-you-mean for the mapping's key ``Not right now``, nor a grade
    ``G 3`` for ``G3``: the model's names are what the cells are read as, not what the file says.
    """
    return [*map(str, mapping or {}), *allowed]


def _misspelt(value: str, allowed: Sequence[str]) -> str | None:
    """The value of ``allowed`` a file value misspells (``Princpal``, ``G 3``), whatever its case, or None.

    Stricter than a scenario key's did-you-mean: a value that only shares a word with a name
    (``senior engineer``) reads as ``Engineer`` at that cutoff, the wrong level to point to.
    """
    folded = {a.casefold(): a for a in allowed}
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.8)
    return folded[close[0]] if close else None


def _blanks_marked(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    """A value mapping with its ``null`` targets marked (``_AS_BLANK``), which a lookup would lose as NaN."""
    return {key: _AS_BLANK if target is None else target for key, target in (mapping or {}).items()}


def _first_staying(up: Mapping[str, Any]) -> dict[str, Any]:
    """For each left-out manager in ``up`` (id to their manager's id), the first manager up their line who stays.

    NaN when the line ends without one, or in a loop of left-out managers; an id in no row is
    returned as it is, for the manager check to report.
    """
    first: dict[str, Any] = {}
    for start in up:
        line: list[str] = []
        seen: set[str] = set()
        boss: Any = start
        while boss in up and boss not in first and boss not in seen:
            line.append(boss)
            seen.add(boss)
            boss = up[boss]
        found = first.get(boss, np.nan if boss in seen else boss)  # known; a loop; the one who stays (or no one)
        for person in line:
            first[person] = found
    return first


# -- dates ------------------------------------------------------------------------------------
# A time after a date is allowed (Parquet timestamps are read as '2010-11-22 00:00:00.000000000+0100',
# spreadsheets write '22/11/2010 00:00'); only the date counts.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")
# A month's name is letters, umlauts included ([^\W\d_]): "1. März 2019" is how German Excel shows a date
# formatted "TT. MMMM JJJJ", and its CSV holds the text as shown.
_DAY_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[-/. ]+([^\W\d_]{3,9})\.?[-/., ]+(\d{4}|\d{2})" + _TIME + "$")
_NAMED_DAY = re.compile(r"^([^\W\d_]{3,9})\.?[-/. ]+(\d{1,2})(?:st|nd|rd|th)?,?[-/. ]+(\d{4}|\d{2})" + _TIME + "$")
# English and German month names and their abbreviations (Austria's Jänner and Feber too); no name
# is one month in one language and another in the other.
_MONTHS = {name: k for k, names in enumerate(
    (("jan", "january", "januar", "jän", "jänner"), ("feb", "february", "februar", "feber"),
     ("mar", "march", "mär", "mrz", "märz", "maerz"), ("apr", "april"), ("may", "mai"), ("jun", "june", "juni"),
     ("jul", "july", "juli"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
     ("nov", "november"), ("dec", "december", "dez", "dezember")), start=1) for name in names}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
# What a report's closing row says in its first cells (English, German, French, Spanish).
_TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "gesamt", "summe", "total général", "totaux",
                          "somme", "suma"})
_TOTALS_HINT = "; a totals row at the end? delete it, or leave it out with organisation.source.exclude"
_ORDER_WORDS = {"day_first": "day first (30/06/2024)", "month_first": "month first (06/30/2024)"}


def _date_kind(text: str, order: str) -> tuple[str, Any]:
    """What a cell of a date column is, read with ``date_format`` ``order``.

    Never guessed: a date such as ``01/02/2020`` is read only when ``order`` says which comes
    first, since a wrong guess gives tenures off by months without a sign. Year-first dates and
    dates with an English or German month name (``30 Jun 2024``, ``1. März 2019``) say their
    order themselves and are read whatever ``order`` is; a two-digit year (19.. or 20..?) is never read.

    Returns:
        ``("ok", date)``; ``("order", (a, b))`` for a date whose day and month order is not
        set (``a``, ``b`` its first two numbers); ``("two_digit_year", None)``; ``("number",
        None)`` for a plain number (Excel's day count); ``("no_such_day", None)`` for a date
        that does not exist in the order read (month 22); ``("not_date", None)``.
    """
    text = text.strip()
    year = month = day = 0
    if (found := _YEAR_FIRST.match(text)) is not None:
        year, month, day = int(found[1]), int(found[3]), int(found[4])
    elif (found := _NUMERIC.match(text)) is not None:
        if len(found[4]) == 2:
            return "two_digit_year", None
        a, b = int(found[1]), int(found[3])
        if order == "iso":
            either = _real(int(found[4]), b, a) or _real(int(found[4]), a, b)
            return ("order", (a, b)) if either else ("no_such_day", None)
        year, day, month = (int(found[4]), a, b) if order == "day_first" else (int(found[4]), b, a)
    elif (found := _DAY_NAMED.match(text) or _NAMED_DAY.match(text)) is not None:
        named_first = found.re is _NAMED_DAY
        name, number = (found[1], found[2]) if named_first else (found[2], found[1])
        if name.lower() not in _MONTHS:
            return "not_date", None
        if len(found[3]) == 2:
            return "two_digit_year", None
        year, month, day = int(found[3]), _MONTHS[name.lower()], int(number)
    elif re.fullmatch(r"\d+(\.0+)?", text):
        return "number", None
    else:
        return "not_date", None
    try:
        return "ok", datetime.date(year, month, day)
    except ValueError:
        return "no_such_day", None


def _real(year: int, month: int, day: int) -> bool:
    """Whether the calendar has this day."""
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def _same_but_leading_zeros(value: str, ids: pd.Series) -> str | None:
    """An id that differs from ``value`` only by leading zeros (``0100002`` for ``100002``), or None."""
    bare = value.lstrip("0")
    if not bare.isdigit():
        return None
    same = ids[ids.astype(str).str.lstrip("0") == bare]
    return str(same.iloc[0]) if len(same) else None


# Characters that look like a space or like nothing in a spreadsheet cell, as an error names them.
_INVISIBLE = {"\u00a0": "a non-breaking space", "\u202f": "a narrow non-breaking space", "\u2007": "a figure space",
              "\u200b": "a zero-width space", "\u200c": "a zero-width non-joiner", "\u200d": "a zero-width joiner",
              "\u2060": "a word joiner", "\ufeff": "a byte-order mark"}


def _same_but_case(value: str, ids: pd.Series) -> str | None:
    """An id that differs from ``value`` only in capitals (``E100004`` for ``e100004``), or None."""
    folded = ids.str.casefold()
    same = ids[(folded == value.casefold()).to_numpy()]
    return str(same.iloc[0]) if len(same) else None


def _invisible(value: str) -> str | None:
    """How a cell that looks like another differs from it (a non-breaking space in 'Grade 6'), or None."""
    found = [name for ch, name in _INVISIBLE.items() if ch in value]
    if not found:
        return None
    return f"{' and '.join(found)} ({value!a}), which looks like a plain space or nothing; retype it"


def _id_with_invisible(value: str, ids: pd.Series) -> str | None:
    """How the id that reads as ``value`` once invisible characters are removed differs from it, or None."""
    table = dict.fromkeys(map(ord, _INVISIBLE), None)
    odd = ids[ids.astype(str).str.contains("|".join(_INVISIBLE), regex=True, na=False)]
    same = odd[odd.astype(str).str.translate(table).str.strip() == value]
    return _invisible(str(same.iloc[0])) if len(same) else None


def _case_blind_rest(s: pd.Series, found: pd.Series, mappings: Sequence[Mapping[str, Any]]) -> pd.Series:
    """``found``, with the cells no exact key matched looked up again, ignoring case.

    Only those cells: a case-blind lookup is a Python call per cell, and most files match exactly.
    """
    miss = found.isna() & s.notna()
    if not miss.any():
        return found
    return found.where(~miss, _first_found(s[miss], mappings, exact=False).reindex(s.index))


def _first_found(s: pd.Series, mappings: Sequence[Mapping[str, Any]], *, exact: bool) -> pd.Series:
    """``s`` looked up in each mapping in turn, exactly or ignoring case; NaN where none has it.

    HR exports write names as their system does ('SENIOR', 'senior'); a scenario's 'Senior'
    should read them all. Ignoring case, keys of one mapping that differ only in case are left
    out, since no choice between them is right.
    """
    out = pd.Series(np.nan, index=s.index, dtype=object)
    for mapping in mappings:
        if exact:
            found = s.map(mapping)
        else:
            folded: dict[str, Any] = {}
            clashes: set[str] = set()
            for key, target in mapping.items():
                k = str(key).casefold()
                if k in folded and folded[k] != target:
                    clashes.add(k)
                folded[k] = target
            for k in clashes:
                del folded[k]
            found = s.map(lambda v, table=folded: table.get(str(v).casefold()) if isinstance(v, str) else None)
        out = out.where(out.notna(), found)
    return out


def _listing(mapping: dict[str, Any] | None, limit: int = 8) -> str:
    """The keys of a value mapping, shortened for one line."""
    keys = [f"'{k}'" for k in (mapping or {})]
    return ", ".join(keys[:limit]) + (f", ... ({len(keys)} in all)" if len(keys) > limit else "")


__all__ = ["NONE", "CapacityError", "FieldReport", "OrgTable", "load_org", "resolve_file", "unmatched_exclusions"]
