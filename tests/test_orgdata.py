"""Starting organisations read from headcount files (sim/orgdata, docs/orgdata.md).

Reading and mapping, inference conditional on stated intent and ratings (statistically), every
bad-file case as a one-line error with exit code 2 from the real command line, determinism, the
shipped synthetic example (run, experiments, app upload) and ``promosim org describe``.
"""

from __future__ import annotations

import codecs
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import NO_PLOTS, ROOT, TINY, run_cli
from scipy.stats import spearmanr

from sim.errors import InputError
from sim.model import PromotionModel
from sim.orgdata import infer, load_org
from sim.orgdata.loader import INTENTS
from sim.orgdata.structure import effective_managers, find_cycle, find_cycles
from sim.scenario import MANAGEMENT, SPECIALIST, load_scenario

SYNTHETIC = ROOT / "scenarios" / "synthetic_org.yaml"
SYNTHETIC_CSV = ROOT / "scenarios" / "data" / "synthetic_org.csv"

# The tiny scenario's levels: Junior (20 specialist), Senior (8 specialist, 4 management),
# Head (2 management). Rows as the file shows them: the header is row 1, H1 is row 2.
BASE_CSV = """\
id,level,track,manager,tenure_months,group,performance,intent
H1,Head,management,,120,a,4,manage
S1,Senior,management,H1,60,b,3,not_now
S2,Senior,specialist,S1,50,,5,
J1,Junior,specialist,S1,10,a,2,specialist
J2,Junior,,S2,12,b,,no_answer
J3,Junior,specialist,S1,1,a,3,manage
"""


def tiny_with_source(source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(TINY))
    data["organisation"]["source"] = source
    data.update(extra)
    return data


def write_case(tmp_path: Path, content: str | bytes, name: str = "org.csv", **source: Any) -> Path:
    """A headcount file and a scenario naming it (relative to the scenario); returns the scenario."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(tiny_with_source({"file": name, **source})), encoding="utf-8")
    return scenario


def model_from(tmp_path: Path, content: str | bytes, seed: int = 1, **source: Any) -> PromotionModel:
    return PromotionModel(scenario=write_case(tmp_path, content, **source), rng=seed)


def by_id(model: PromotionModel, column: str) -> dict[str, Any]:
    """A workforce column per file id."""
    report = model.orgdata
    rows = model.row_of_uid(report.uids)
    values = getattr(model.workforce, column)[rows]
    return dict(zip(report.table.ids, values.tolist(), strict=True))


def slot_of(model: PromotionModel) -> dict[str, int]:
    return by_id(model, "slot")


# ---------------------------------------------------------------------------------------------
# Reading and mapping


def test_people_are_placed_with_their_level_track_group_and_tenure(tmp_path: Path) -> None:
    model = model_from(tmp_path, BASE_CSV)
    wf, org = model.workforce, model.org
    assert wf.rows.size == 6
    assert by_id(model, "level") == {"H1": 2, "S1": 1, "S2": 1, "J1": 0, "J2": 0, "J3": 0}
    assert by_id(model, "track") == {"H1": MANAGEMENT, "S1": MANAGEMENT, "S2": SPECIALIST, "J1": SPECIALIST,
                                     "J2": SPECIALIST, "J3": SPECIALIST}
    groups = by_id(model, "group")
    assert (groups["H1"], groups["S1"], groups["J1"], groups["J2"]) == (0, 1, 0, 1)
    assert groups["S2"] in (0, 1)  # blank: sampled
    assert by_id(model, "tenure")["H1"] == 120
    # every age is consistent with the stated tenure
    ages, tenure = by_id(model, "age"), by_id(model, "tenure")
    assert all(ages[k] >= 21 + tenure[k] / 12 - 1e-9 for k in ages)
    # manager ids define teams: J1 and J3 report to S1's slot; H1 is at the top
    slots = slot_of(model)
    assert org.parent[slots["J1"]] == slots["S1"] == org.parent[slots["J3"]]
    assert org.parent[slots["S1"]] == slots["H1"]
    assert org.parent[slots["H1"]] == -1
    assert model.manager_of(model.row_of_uid(np.array([model.orgdata.uids[3]]))[0]).row == \
        model.row_of_uid(np.array([model.orgdata.uids[1]]))[0]


def test_people_who_retire_at_once_are_named_in_the_summary(tmp_path: Path) -> None:
    """A tenure over 43.5 years with no age (a typo of 600 for 60 months) drew an age of 65 or more and the
    person retired in the first month without a word (a review); a stated age of 67 does the same."""
    model = model_from(tmp_path, BASE_CSV)
    assert model.orgdata.at_retirement == (0, 0) and "retirement age" not in model.orgdata.summary_line()
    typo = BASE_CSV.replace("J1,Junior,specialist,S1,10,", "J1,Junior,specialist,S1,600,")
    model = model_from(tmp_path, typo)
    assert by_id(model, "age")["J1"] >= 65
    assert model.orgdata.at_retirement == (1, 1)
    assert model.orgdata.summary_line().endswith(
        "; 1 person is at the retirement age (65, exits.retirement_age) or over at the start and retires in the "
        "first month (1 of them by an age drawn from a tenure over 43.5 years, with no age given: give their age "
        "or birth date, or check the tenure column)")
    lines = BASE_CSV.splitlines()
    stated = "\n".join([lines[0] + ",age", *(f"{line},{67 if line.startswith('H1') else 40}" for line in lines[1:])])
    model = model_from(tmp_path, stated + "\n")
    assert model.orgdata.at_retirement == (1, 0)
    assert "1 person is at the retirement age" in model.orgdata.summary_line()
    assert "drawn from a tenure" not in model.orgdata.summary_line()


def test_stated_managers_who_cannot_hold_a_team_are_skipped_upwards(tmp_path: Path) -> None:
    model = model_from(tmp_path, BASE_CSV)
    slots, parent = slot_of(model), model.org.parent
    # S2 reports to S1, a manager at the same level: the line goes up to H1.
    assert parent[slots["S2"]] == slots["H1"]
    # J2 reports to S2, a specialist: the line goes up past S2 and S1 is valid (higher, management).
    assert parent[slots["J2"]] == slots["S1"]
    st = model.orgdata.table.structure
    assert st == {"through_excluded": 0, "stated": 5, "kept": 3, "repointed": 2, "no_valid_manager": 0,
                  "without_manager": 1}


def test_someone_named_as_their_own_manager_has_none(tmp_path: Path) -> None:
    """Some HR systems record the head of the organisation as their own manager: not a cycle."""
    model = model_from(tmp_path, BASE_CSV.replace("H1,Head,management,,", "H1,Head,management,H1,"))
    assert model.org.parent[slot_of(model)["H1"]] == -1
    report = model.orgdata.table.fields["manager"]
    assert (report.read, report.inferred) == (5, 1)
    assert "1 person named as their own manager, read as having none" in report.note
    (tmp_path / "plain").mkdir()
    assert model.orgdata.table.structure == model_from(tmp_path / "plain", BASE_CSV).orgdata.table.structure


# BASE_CSV with a status column, as HR exports have one: S1 (a manager) and one Junior have left.
STATUS_CSV = """\
id,level,track,manager,tenure_months,group,performance,intent,Status
H1,Head,management,,120,a,4,manage,Active
S1,Senior,management,H1,60,b,3,not_now,Terminated
S2,Senior,specialist,S1,50,,5,,Active
J1,Junior,specialist,S1,10,a,2,specialist,active
J2,Junior,,S2,12,b,,no_answer,CONTRACTOR
J3,Junior,specialist,S1,1,a,3,manage,Active
"""


def test_rows_an_export_holds_but_the_model_should_not_are_left_out(tmp_path: Path) -> None:
    """``exclude`` leaves out leavers and contractors (whatever the case of the value), keeps the
    file's row numbers, and points the reports of a manager who left at the next one up."""
    exclude = {"status": ["terminated", "Contractor", "Retired"]}  # the column's case differs too
    model = model_from(tmp_path, STATUS_CSV, exclude=exclude)
    table = model.orgdata.table
    assert list(table.ids) == ["H1", "S2", "J1", "J3"]
    assert table.rows.tolist() == [2, 4, 5, 7]
    assert table.excluded == {"Status": {"terminated": 1, "Contractor": 1, "Retired": 0}}
    assert "Status" not in table.ignored_columns
    # S2, J1 and J3 reported to S1, who left: they now report to H1, the first manager up who stays.
    slots, parent = slot_of(model), model.org.parent
    assert parent[slots["J1"]] == parent[slots["J3"]] == parent[slots["S2"]] == slots["H1"]
    assert table.structure["through_excluded"] == 3
    assert table.summary_line().endswith(
        "; 2 rows left out (Status: terminated 1, Contractor 1, Retired 0) by organisation.source.exclude; no row has "
        "Status 'Retired'")
    out = run_cli("org", "describe", tmp_path / "scenario.yaml")
    assert out.returncode == 0, out.stderr
    assert "org.csv: 4 people; 2 rows left out (Status: terminated 1, Contractor 1, Retired 0)" in out.stdout
    assert "3 with a manager who was left out (organisation.source.exclude) now report to the first" in out.stdout
    # A misspelt value keeps the people it was meant to leave out: said with the value it likely meant.
    typo = model_from(tmp_path, STATUS_CSV, exclude={"Status": ["Terminated", "Contractors"]}).orgdata.table
    assert typo.summary_line().endswith("; no row has Status 'Contractors' (did you mean 'CONTRACTOR'? its 1 row "
                                        "is kept)")


def test_an_error_from_rows_a_misspelt_exclusion_kept_names_the_value(tmp_path: Path) -> None:
    """The rows a misspelt ``exclude`` value was meant to leave out are read, and the error they cause
    named only the level; the value that no row has is said with it (an HR user's trial: 'Ausgeschieden'
    for 'Ausgetreten' gave "153 people in the file but 150 positions" and nothing else)."""
    content = STATUS_CSV + "X1,Intern,specialist,H1,3,a,,,Contractor\n"
    with pytest.raises(InputError) as err:
        load_org(load_scenario(write_case(tmp_path, content, exclude={"Status": ["Terminated", "Contractors"]})))
    assert str(err.value).endswith(
        "row 8, column 'level': unknown level 'Intern'; levels: Junior, Senior, Head; map it to a level with "
        "organisation.source.values.level, or leave its rows out with organisation.source.exclude; also, "
        "organisation.source.exclude left nothing out for a value: no row has Status 'Contractors' (did you mean "
        "'Contractor'? its 1 row is kept)")
    with pytest.raises(InputError, match=r"no row has Status '\*' \(a value matches whole cells: no wildcards"):
        load_org(load_scenario(write_case(tmp_path, content, exclude={"Status": ["*"]})))
    with pytest.raises(InputError) as err:  # every value matched: the error is as it was
        load_org(load_scenario(write_case(tmp_path, content, exclude={"Status": ["Terminated"]})))
    assert "left nothing out" not in str(err.value)


def test_a_chain_or_loop_of_managers_left_out_ends_at_the_default_team(tmp_path: Path) -> None:
    """Left-out managers above left-out managers are walked through; a loop among them ends with none."""
    csv = STATUS_CSV.replace("H1,Head,management,,120,a,4,manage,Active", "H1,Head,management,S1,120,a,4,manage,Left")
    table = model_from(tmp_path, csv, exclude={"Status": ["Left", "Terminated"]}).orgdata.table
    assert list(table.ids) == ["S2", "J1", "J2", "J3"]
    assert table.stated_manager.tolist() == [-1, -1, 0, -1]  # only J2's manager (S2) stays
    assert table.structure["through_excluded"] == 3


def test_rows_left_out_are_counted_once(tmp_path: Path) -> None:
    """A row that two listed values match (two columns, or one value listed in two cases) is one row
    left out; ``Status`` and ``status`` name one column, whose counts are kept together."""
    csv = ("id,level,track,manager,Status,Type\nH1,Head,management,,Active,Employee\n"
           "S1,Senior,management,H1,Terminated,Contractor\nS2,Senior,specialist,S1,Active,Employee\n"
           "J1,Junior,specialist,S1,Active,Employee\nJ2,Junior,,S2,Contractor,Employee\n"
           "J3,Junior,specialist,S1,Active,Employee\n")
    exclude = {"Status": ["Terminated", "CONTRACTOR"], "status": ["terminated"], "Type": ["Contractor"]}
    table = load_org(load_scenario(write_case(tmp_path, csv, exclude=exclude)))
    assert list(table.ids) == ["H1", "S2", "J1", "J3"]
    assert table.excluded == {"Status": {"Terminated": 1, "CONTRACTOR": 1, "terminated": 1}, "Type": {"Contractor": 1}}
    assert table.n_excluded == 2
    assert table.people() == "4 people (2 rows left out by organisation.source.exclude)"
    with pytest.raises(InputError, match=r"every person was left out by organisation\.source\.exclude \(1 row\)$"):
        load_org(load_scenario(write_case(tmp_path, "id,level,track,manager,Status\nH1,Head,management,,Left\n",
                                          exclude={"Status": ["Left"]})))


def test_a_missing_manager_reached_through_someone_left_out_names_them(tmp_path: Path) -> None:
    """J1's cell says S1; S1 left, and S1's own manager cell names nobody in the file. The error is
    at J1's row (S1's is not read), so it says where 'H9' came from."""
    csv = STATUS_CSV.replace("S1,Senior,management,H1,", "S1,Senior,management,H9,")
    with pytest.raises(InputError) as err:
        load_org(load_scenario(write_case(tmp_path, csv, exclude={"Status": ["Terminated", "Contractor"]})))
    assert str(err.value).endswith("row 4, column 'manager': manager 'H9' (3 rows, first row 4) does not exist (no row "
                                   "has that id); it is the manager of 'S1', who was left out by "
                                   "organisation.source.exclude")


def test_a_value_mapped_to_null_reads_as_a_blank_cell(tmp_path: Path) -> None:
    """A survey's "prefer not to say" or an HR system's "Unknown" is read as if the cell were blank."""
    csv = (BASE_CSV.replace("J1,Junior,specialist,S1,10,a,2,specialist", "J1,Junior,IC,S1,10,Unknown,n/a,Prefer not")
           .replace("S2,Senior,specialist,S1,50,,5,", "S2,Senior,specialist,S1,50,Unknown,5,"))
    source = {"values": {"group": {"unknown": None}, "intent": {"Prefer not": None}, "performance": {"n/a": None},
                         "track": {"IC": None}}}
    table = model_from(tmp_path, csv, **source).orgdata.table
    j1 = list(table.ids).index("J1")
    assert table.group[j1] == table.group[list(table.ids).index("S2")] == -1  # sampled
    assert INTENTS[table.intent[j1]] == "no_answer"
    assert np.isnan(table.performance[j1])
    assert table.track[j1] == SPECIALIST  # Junior has one track
    assert (table.fields["group"].read, table.fields["group"].inferred) == (4, 2)


def test_summary_counts_what_was_read_and_inferred(tmp_path: Path) -> None:
    table = model_from(tmp_path, BASE_CSV.replace("id,level", "id,level").rstrip() + "\n").orgdata.table
    f = table.fields
    assert (f["id"].read, f["level"].read) == (6, 6)
    assert (f["track"].read, f["track"].inferred) == (5, 1)
    assert (f["group"].read, f["group"].inferred) == (5, 1)
    assert (f["performance"].read, f["performance"].inferred) == (5, 1)
    assert (f["intent"].read, f["intent"].inferred) == (4, 2)  # blank and "no_answer"
    assert (f["age"].column, f["age"].inferred) == (None, 6)
    assert table.ignored_columns == []
    assert "read 6 people" in table.summary_line()


def test_column_and_value_mapping(tmp_path: Path) -> None:
    csv = """\
emp,grade,ladder,boss,yrs,sex,score,survey,site
1,L3,MGR,,10,F,exceeds,I want to lead,North
2,L2,MGR,1,5.5,M,meets,Not now,South
3,L1,IC,2,0.5,,meets,,North
"""
    source = {
        "columns": {"id": "emp", "level": "grade", "track": "ladder", "manager": "boss", "tenure_years": "yrs",
                    "group": "sex", "performance": "score", "intent": "survey"},
        "values": {"level": {"L1": "Junior", "L2": "Senior", "L3": "Head"},
                   "track": {"IC": "specialist", "MGR": "management"},
                   "group": {"F": "a", "M": "b"},
                   "performance": {"meets": 3, "exceeds": 4},
                   "intent": {"I want to lead": "manage", "Not now": "not_now"}},
    }
    model = model_from(tmp_path, csv, **source)
    table = model.orgdata.table
    assert list(table.ids) == ["1", "2", "3"]
    assert table.level.tolist() == [2, 1, 0]
    assert table.track.tolist() == [MANAGEMENT, MANAGEMENT, SPECIALIST]
    assert table.group.tolist() == [0, 1, -1]
    assert table.tenure.tolist() == [120.0, 66.0, 6.0]
    assert table.performance.tolist() == [4.0, 3.0, 3.0]
    assert [INTENTS[i] for i in table.intent] == ["manage", "not_now", "no_answer"]
    assert table.ignored_columns == ["site"]
    assert by_id(model, "tenure") == {"1": 120, "2": 66, "3": 6}


AS_OF = datetime.date(2024, 6, 30)
# BASE_CSV's people with a hire date and a birth date instead of tenure: the day, month and year of each.
HIRED_ON = {"H1": (30, 6, 2014), "S1": (1, 2, 2019), "S2": (15, 3, 2020), "J1": (31, 8, 2023), "J2": None,
            "J3": (29, 5, 2024)}
BORN_ON = {"H1": (2, 1, 1975), "S1": (12, 11, 1988), "S2": None, "J1": (3, 4, 2000), "J2": (28, 2, 1999),
           "J3": (1, 6, 2002)}


def _with_dates(form: str) -> str:
    """BASE_CSV with its tenure replaced by 'Hire Date' and a 'Born' column, dates written ``form``."""
    def cell(date: tuple[int, int, int] | None) -> str:
        text = "" if date is None else datetime.date(date[2], date[1], date[0]).strftime(form)
        return f'"{text}"' if "," in text else text  # June 30, 2014

    lines = ["id,level,track,manager,Hire Date,Born,group"]
    for line in BASE_CSV.splitlines()[1:]:
        person, level, track, manager, _, group, *_ = line.split(",")
        lines.append(f"{person},{level},{track},{manager},{cell(HIRED_ON[person])},{cell(BORN_ON[person])},{group}")
    return "\n".join(lines) + "\n"


_GERMAN_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember")


@pytest.mark.parametrize("short", [False, True])
def test_dates_with_a_german_month_name_are_read(tmp_path: Path, short: bool) -> None:
    """German Excel's CSV holds a date formatted "TT. MMMM JJJJ" as shown, ``1. März 2019``: read like
    ``1 Mar 2019``, whatever ``date_format`` says (an HR user's trial: refused, with "dates are read ...
    with a month name" as the way out)."""
    def german(date: tuple[int, int, int] | None) -> str:
        if date is None:
            return ""
        name = _GERMAN_MONTHS[date[1] - 1]
        return f"{date[0]}. {name[:3] + '.' if short else name} {date[2]}"

    lines = ["id;level;track;manager;Eintritt;Geburtsdatum;group"]
    for line in BASE_CSV.splitlines()[1:]:
        person, level, track, manager, _, group, *_ = line.split(",")
        lines.append(f"{person};{level};{track};{manager};{german(HIRED_ON[person])};{german(BORN_ON[person])};{group}")
    source = {"columns": {"hire_date": "Eintritt", "birth_date": "Geburtsdatum"}, "as_of": "2024-06-30"}
    table = model_from(tmp_path, "\n".join(lines) + "\n", **source).orgdata.table
    np.testing.assert_allclose(table.tenure, _expected(HIRED_ON, 365.2425 / 12))
    np.testing.assert_allclose(table.age, _expected(BORN_ON, 365.2425))


def _workbook(sheets: dict[str, list[list[Any]]], *, hidden: tuple[str, ...] = (), corner: tuple[int, int] = (1, 1),
              merged: tuple[str, ...] = (), hidden_rows: tuple[int, ...] = ()) -> bytes:
    """An .xlsx as Excel saves it: each sheet's rows from ``corner`` (row, column), typed cells as given.

    A text such as ``#N/A`` is an error cell, and one starting with ``=`` a formula with no saved
    value (as a program writes it); ``merged`` ranges (``B2:B4``) are merged on the first sheet,
    and its rows ``hidden_rows`` (numbered as the sheet shows them) are hidden, as a filter hides them.
    """
    import openpyxl  # noqa: PLC0415

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.sheet_state = "hidden" if title in hidden else "visible"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.cell(row=corner[0] + r, column=corner[1] + c, value=value)
    for cells in merged:
        book.worksheets[0].merge_cells(cells)
    for row in hidden_rows:
        book.worksheets[0].row_dimensions[row].hidden = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed_rows(text: str) -> list[list[Any]]:
    """A CSV's rows as a spreadsheet holds them: numbers as numbers, blanks as empty cells."""
    def cell(value: str) -> Any:
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            return value
    return [[cell(v) for v in line.split(",")] for line in text.splitlines()]


def _date_cells(cell: Any) -> list[list[Any]]:
    """``_with_dates``' rows as a spreadsheet holds them, its two date columns as ``cell`` makes them of the text."""
    rows = _typed_rows(_with_dates("%Y-%m-%d"))
    for row in rows[1:]:
        for j in (4, 5):
            if row[j] is not None:
                row[j] = cell(row[j])
    return rows


def _expected(dates: dict[str, tuple[int, int, int] | None], unit_days: float) -> list[float]:
    return [np.nan if d is None else (AS_OF - datetime.date(d[2], d[1], d[0])).days / unit_days
            for d in dates.values()]


@pytest.mark.parametrize(("date_format", "form"), [("iso", "%Y-%m-%d"), ("day_first", "%d/%m/%Y"),
                                                   ("month_first", "%m/%d/%Y"), ("day_first", "%d.%m.%Y"),
                                                   ("iso", "%d %b %Y"), ("month_first", "%B %d, %Y"),
                                                   ("iso", "%Y-%m-%d 00:00:00")])
def test_hire_and_birth_dates_give_tenure_and_age(tmp_path: Path, date_format: str, form: str) -> None:
    """An export holds hire and birth dates, not years of service: they are counted to ``as_of``,
    in the order ``date_format`` says (a month name says it itself)."""
    source = {"columns": {"hire_date": "Hire Date", "birth_date": "Born"}, "as_of": "2024-06-30",
              "date_format": date_format}
    model = model_from(tmp_path, _with_dates(form), **source)
    table = model.orgdata.table
    np.testing.assert_allclose(table.tenure, _expected(HIRED_ON, 365.2425 / 12))
    np.testing.assert_allclose(table.age, _expected(BORN_ON, 365.2425))
    assert by_id(model, "tenure")["H1"] == 120 and by_id(model, "tenure")["J3"] == 1
    tenure, age = table.fields["tenure"], table.fields["age"]
    assert (tenure.column, tenure.read, tenure.inferred) == ("Hire Date", 5, 1)
    assert (age.column, age.read, age.inferred) == ("Born", 5, 1)
    assert tenure.derived == "from the hire dates in 'Hire Date', counted to 2024-06-30 (organisation.source.as_of)"
    assert model.scenario.organisation.source.as_of == AS_OF
    assert load_scenario(model.scenario).organisation.source.as_of == AS_OF  # saved and read again (run --out)


def test_date_columns_of_a_parquet_file_give_tenure_and_age(tmp_path: Path) -> None:
    """pandas writes dates as timestamps (or Python dates as date32): both are read as dates."""
    frame = pd.read_csv(io.StringIO(_with_dates("%Y-%m-%d")), dtype=str)
    frame["Hire Date"] = pd.to_datetime(frame["Hire Date"])
    frame["Born"] = [None if pd.isna(d) else datetime.date.fromisoformat(d) for d in frame["Born"]]
    frame.to_parquet(tmp_path / "org.parquet", index=False)
    source = {"file": "org.parquet", "columns": {"hire_date": "Hire Date", "birth_date": "Born"}, "as_of": "2024-06-30"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(tiny_with_source(source)), encoding="utf-8")
    table = load_org(load_scenario(tmp_path / "s.yaml"))
    np.testing.assert_allclose(table.tenure, _expected(HIRED_ON, 365.2425 / 12))
    np.testing.assert_allclose(table.age, _expected(BORN_ON, 365.2425))
    frame["Hire Date"] = frame["Hire Date"].dt.tz_localize("Europe/Berlin")  # a time zone: the date as written
    frame.to_parquet(tmp_path / "org.parquet", index=False)
    np.testing.assert_allclose(load_org(load_scenario(tmp_path / "s.yaml")).tenure, _expected(HIRED_ON, 365.2425 / 12))


def test_a_hire_date_a_whole_working_life_ago_is_read(tmp_path: Path) -> None:
    """86 years is allowed, and a hire date 86 years before ``as_of`` is 1032.04 months (months of
    365.2425/12 days): it was refused as "means 86 years ..., more than a working life (at most 86)"."""
    table = load_org(load_scenario(write_case(tmp_path, _dated("1938-06-30", "2020-01-01"), **HIRED)))
    assert table.tenure[0] == pytest.approx(1032.04, abs=0.01)
    with pytest.raises(InputError, match=r"hire date 1938-05-30 means 86\.09 years"):
        load_org(load_scenario(write_case(tmp_path, _dated("1938-05-30", "2020-01-01"), **HIRED)))


def test_org_describe_says_tenure_came_from_hire_dates(tmp_path: Path) -> None:
    scenario = write_case(tmp_path, _with_dates("%Y-%m-%d"), columns={"hire_date": "Hire Date"}, as_of="2024-06-30")
    out = run_cli("org", "describe", scenario, "--json")
    assert out.returncode == 0, out.stderr
    tenure = json.loads(out.stdout)["inferred"]["fields"]["tenure"]
    assert tenure["column"] == "Hire Date" and tenure["read"] == 5
    assert tenure["derived"] == "from the hire dates in 'Hire Date', counted to 2024-06-30 (organisation.source.as_of)"
    text = run_cli("org", "describe", scenario).stdout
    assert "  tenure: from the hire dates in 'Hire Date', counted to 2024-06-30 (organisation.source.as_of)" in text
    assert "ignored columns: Born;" in text  # not mapped, and not a field's own name
    # An as_of years after the last hire (a typo: 2034 for 2024) ages everyone: describe asks.
    late = write_case(tmp_path, _with_dates("%Y-%m-%d"), columns={"hire_date": "Hire Date"}, as_of="2034-06-30")
    tenure = json.loads(run_cli("org", "describe", late, "--json").stdout)["inferred"]["fields"]["tenure"]
    assert tenure["derived"].endswith("; the latest hire date is 10.1 years before it: is as_of the date the file "
                                      "was exported?"), tenure["derived"]


def test_names_and_mapping_keys_are_matched_whatever_their_case(tmp_path: Path) -> None:
    """HR systems write 'JUNIOR' or 'junior' for the scenario's 'Junior'; an exact key still wins."""
    csv = BASE_CSV.replace("H1,Head,management", "H1,HEAD,Management").replace("J1,Junior,", "J1,junior,")
    csv = csv.replace(",manage\n", ",I Want To Lead\n")
    source = {"values": {"intent": {"i want to lead": "manage", "I Want To Lead": "specialist"}}}
    table = model_from(tmp_path, csv, **source).orgdata.table
    assert table.level.tolist() == [2, 1, 1, 0, 0, 0]
    assert table.track[0] == MANAGEMENT
    assert INTENTS[table.intent[0]] == "specialist"  # the exact key, not the case-blind one
    assert INTENTS[table.intent[5]] == "specialist"  # J3 wrote "I Want To Lead" too
    # A model name written exactly wins over a mapping key that differs from it only in case,
    # and rating labels are matched whatever their case too.
    csv = BASE_CSV.replace(",4,manage", ",Exceeds,manage")
    source = {"values": {"level": {"head": "Junior"}, "performance": {"exceeds": 4}}}
    table = model_from(tmp_path, csv, **source).orgdata.table
    assert table.level[0] == 2 and table.performance[0] == 4.0


def test_column_names_are_matched_whatever_their_case(tmp_path: Path) -> None:
    """An org-design trial's header said `Job grade` where the mapping said `Job Grade`, and got the
    list of columns without a word about the case; cell values were already matched whatever their case."""
    csv = BASE_CSV.replace("id,level,track,manager", "ID,Job grade,track,manager", 1)
    table = model_from(tmp_path, csv, columns={"id": "id", "level": "Job Grade"}).orgdata.table
    assert table.level.tolist() == [2, 1, 1, 0, 0, 0] and table.manager[1] == 0
    # A column the scenario does not name keeps its exact name: a department column `Group` is not the groups.
    csv = BASE_CSV.replace(",group,", ",Group,", 1).replace(",60,b,", ",60,Engineering,", 1)
    model = model_from(tmp_path, csv)
    assert model.orgdata.table.fields["group"].column is None


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "id": [10, 11, 12, 13],
        "level": ["Head", "Senior", "Junior", "Junior"],
        "track": ["management", "management", "specialist", None],
        "manager": [None, 10, 11, 11],  # a float column with gaps: 10.0 must match id 10
        "tenure_months": [100.0, 50.0, None, 3.0],
        "performance": [4, 3, 2, 5],
    })
    frame.to_parquet(tmp_path / "org.parquet", index=False)
    frame.astype({"manager": "Int64"}).to_csv(tmp_path / "org.csv", index=False)
    with_decimals = tmp_path / "decimals.csv"
    frame.to_csv(with_decimals, index=False)  # 10.0: ids are text, so this is an error with a hint
    with pytest.raises(InputError, match=r"row 3, column 'manager': managers that do not exist \(no row has these "
                                         r"ids\): '10\.0' \(row 3\), '11\.0' \(2 rows, first row 4\); .* '10' exists"):
        load_org(load_scenario(tiny_with_source({"file": str(with_decimals)})))
    tables = []
    for name in ("org.parquet", "org.csv"):
        spec = load_scenario(tiny_with_source({"file": str(tmp_path / name)}))
        tables.append(load_org(spec))
    pq, csv = tables
    for attr in ("ids", "level", "track", "stated_manager", "manager", "performance"):
        np.testing.assert_array_equal(getattr(pq, attr), getattr(csv, attr))
    np.testing.assert_array_equal(pq.tenure, csv.tenure)
    assert pq.stated_manager.tolist() == [-1, 0, 1, 1]
    assert (pq.row_word, csv.row_word) == ("record", "row")


def test_teams_instead_of_manager_ids(tmp_path: Path) -> None:
    csv = """\
id,level,track,team
H1,Head,management,top
S1,Senior,management,t1
J1,Junior,specialist,t1
J2,Junior,specialist,t1
S2,Senior,specialist,t2
J3,Junior,specialist,
"""
    model = model_from(tmp_path, csv)
    slots, parent = slot_of(model), model.org.parent
    assert parent[slots["J1"]] == slots["S1"] == parent[slots["J2"]]
    assert model.orgdata.table.stated_manager.tolist() == [-1, -1, 1, 1, -1, -1]
    assert model.orgdata.table.fields["team"].read == 5


def test_named_people_take_vacancies_after_the_file(tmp_path: Path) -> None:
    scenario = write_case(tmp_path, BASE_CSV)
    data = yaml.safe_load(scenario.read_text())
    data["people"] = [{"name": "Sam", "level": "Senior", "track": "management", "ambition": 0.9}]
    scenario.write_text(yaml.safe_dump(data))
    model = PromotionModel(scenario=scenario, rng=3)
    assert model.workforce.rows.size == 7
    (uid, name), = model.names.items()
    sam = model.employee(uid)
    assert name == "Sam" and sam.level == 1 and sam.track == "management"
    assert sam.hidden_state()["ambition"] == pytest.approx(0.9)
    data["people"] = [{"name": n, "level": "Head", "track": "management"} for n in "XY"]  # Head has one vacancy
    scenario.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"people\[1\]: no vacant management position at level 'Head'"):
        PromotionModel(scenario=scenario, rng=3)


def test_a_mapping_block_is_checked_with_the_scenario() -> None:
    with pytest.raises(InputError, match=r"organisation\.source\.columns\.lvl: unknown field \(did you mean 'level'"):
        load_scenario(tiny_with_source({"file": "x.csv", "columns": {"lvl": "grade"}}))
    with pytest.raises(InputError, match=r"values\.intent\.yes: 'maybe' is not allowed"):
        load_scenario(tiny_with_source({"file": "x.csv", "values": {"intent": {"yes": "maybe"}}}))
    with pytest.raises(InputError, match="a key written yes, on or true was read by YAML as the boolean true; quote"):
        load_scenario(tiny_with_source({"file": "x.csv", "values": {"intent": {True: "manage"}}}))
    with pytest.raises(InputError, match=r"a key written no, off or false .* quote it \(e\.g\. 'no'\)"):
        load_scenario(tiny_with_source({"file": "x.csv", "values": {"intent": {False: "not_now"}}}))
    with pytest.raises(InputError, match=r"performance_scale: must be \[low, high\]"):
        load_scenario(tiny_with_source({"file": "x.csv", "performance_scale": [5, 1]}))
    with pytest.raises(InputError, match=r"values\.level\.Intern: a level cannot be read as blank .* "
                                         r"organisation\.source\.exclude"):
        load_scenario(tiny_with_source({"file": "x.csv", "values": {"level": {"Intern": None}}}))
    with pytest.raises(InputError, match=r"exclude\.Current: a value written yes, on or true was read by YAML"):
        load_scenario(tiny_with_source({"file": "x.csv", "exclude": {"Current": [True]}}))
    with pytest.raises(InputError, match=r"exclude\.Status: an empty value matches no row"):
        load_scenario(tiny_with_source({"file": "x.csv", "exclude": {"Status": [" "]}}))
    # Dates are counted to the date the file describes, never silently to the day of the run.
    with pytest.raises(InputError, match=r"organisation\.source\.as_of: is required with columns\.hire_date and "
                                         r"columns\.birth_date: the date the file describes \(its export date\), to "
                                         r"count tenure and age to, e\.g\. as_of: 2024-06-30$"):
        load_scenario(tiny_with_source({"file": "x.csv", "columns": {"hire_date": "Hired", "birth_date": "Born"}}))
    with pytest.raises(InputError, match=r"organisation\.source\.as_of: '30/06/2024' is not a date; write the date the "
                                         r"file describes, year first: 2024-06-30$"):
        load_scenario(tiny_with_source({"file": "x.csv", "as_of": "30/06/2024"}))
    with pytest.raises(InputError, match=r"organisation\.source\.date_format: 'dayfirst' is not allowed; allowed: "
                                         r"'iso', 'day_first' or 'month_first'"):
        load_scenario(tiny_with_source({"file": "x.csv", "date_format": "dayfirst"}))
    # One value may be given without a list, and numbers are read as the file's text.
    spec = load_scenario(tiny_with_source({"file": "x.csv", "exclude": {"Status": "Left", "Code": [3, 4.5]}}))
    assert spec.organisation.source.exclude == {"Status": ["Left"], "Code": ["3", "4.5"]}


# ---------------------------------------------------------------------------------------------
# Structure algorithms


def test_pointer_jumping_finds_cycles_and_only_cycles() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    parent = np.array([-1, *[int(rng.integers(0, i)) for i in range(1, n)]])  # a random tree
    assert find_cycle(parent) is None
    looped = parent.copy()
    looped[0] = 4321  # the root now reports to one of its descendants
    cycle = find_cycle(looped)
    assert cycle is not None and 0 in cycle
    assert all(looped[a] == b for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True))
    assert find_cycle(np.array([0])) == [0]
    assert find_cycle(np.array([-1, 2, 1, 1])) in ([1, 2], [2, 1])
    # Every cycle, each once, also with chains leading into them (a file's mistakes are all said at once).
    many = parent.copy()
    child = {int(p): i for i, p in enumerate(parent) if p >= 0}  # one report of each manager
    picked = rng.choice(np.array(sorted(child)), size=40, replace=False)
    for k, r in enumerate(picked):  # half report to their own report (a loop), half to any later row
        many[r] = child[int(r)] if k % 2 else int(rng.integers(r, n))
    cycles = find_cycles(many)
    assert cycles[0] == find_cycle(many)
    members = [i for c in cycles for i in c]
    assert len(members) == len(set(members))
    assert all(many[a] == b for c in cycles for a, b in zip(c, [*c[1:], c[0]], strict=True))
    on_cycle = set(members)
    for i in range(n):  # a row is on a cycle exactly when walking up from it comes back to it
        node, steps = int(many[i]), 0
        while node >= 0 and node != i and steps < n:
            node, steps = int(many[node]), steps + 1
        assert (node == i) == (i in on_cycle), i
    assert len(cycles) > 1


def test_effective_managers_walk_up_to_a_higher_management_position() -> None:
    parent = np.array([-1, 0, 1, 2, 3])
    level = np.array([3, 2, 2, 1, 0])
    track = np.array([MANAGEMENT, MANAGEMENT, SPECIALIST, SPECIALIST, SPECIALIST])
    assert effective_managers(parent, level, track).tolist() == [-1, 0, 0, 1, 1]


# ---------------------------------------------------------------------------------------------
# Inference, statistically


def _spec(**groups: Any) -> Any:
    data = yaml.safe_load(yaml.safe_dump(TINY))
    data["groups"] = [{"name": "g", "workforce_share": 1.0, "hiring_share": 1.0, **groups}]
    return load_scenario(data)


def _aspiration(code: str, honesty: float, n: int = 40_000, seed: int = 5) -> infer.Aspiration:
    spec = _spec()
    intent = np.full(n, INTENTS.index(code), dtype=np.int8)
    return infer.aspiration(intent, np.zeros(n, dtype=np.int64), spec, honesty, np.random.default_rng(seed))


def test_stated_intent_informs_aspiration_by_survey_honesty() -> None:
    h, lead, spec_share, later = 0.8, 0.34, 0.215, 0.25
    a = lead + spec_share
    manage = _aspiration("manage", h)
    assert np.mean((manage.ambition >= 0.5) & manage.wants_mgmt) == pytest.approx(h + (1 - h) * lead, abs=0.01)
    spec = _aspiration("specialist", h)
    assert np.mean((spec.ambition >= 0.5) & ~spec.wants_mgmt) == pytest.approx(h + (1 - h) * spec_share, abs=0.01)
    not_now = _aspiration("not_now", h)
    aspiring = not_now.ambition >= 0.5
    assert np.mean(aspiring & (not_now.wait == 0)) == pytest.approx((1 - h) * a * (1 - later), abs=0.01)
    p_later = a * later / ((1 - a) + a * later)
    assert np.mean(aspiring & (not_now.wait > 0)) == pytest.approx(h * p_later + (1 - h) * a * later, abs=0.01)
    silent = _aspiration("no_answer", h)
    assert np.mean(silent.ambition >= 0.5) == pytest.approx(a, abs=0.01)
    assert np.mean(silent.informed) == 0.0
    assert np.mean(manage.informed) == pytest.approx(h, abs=0.01)


def test_fully_honest_answers_are_taken_at_their_word() -> None:
    manage = _aspiration("manage", 1.0, n=5000)
    assert np.all(manage.ambition >= 0.5) and np.all(manage.wants_mgmt)
    not_now = _aspiration("not_now", 1.0, n=5000)
    assert not np.any((not_now.ambition >= 0.5) & (not_now.wait == 0))
    assert np.all(not_now.wait[not_now.ambition >= 0.5] >= 1)


def test_no_answer_matches_the_drawn_organisation() -> None:
    """People without evidence are drawn from the same prior as draw_people draws."""
    from sim.workforce import Workforce, draw_people  # noqa: PLC0415

    spec, n = _spec(leadership_aspiration=0.4, specialist_aspiration=0.2), 40_000
    wf = Workforce(n)
    draw_people(wf, np.arange(n), spec, np.uint64(1), hiring=False)
    got = infer.aspiration(np.full(n, INTENTS.index("no_answer"), dtype=np.int8), np.zeros(n, dtype=np.int64),
                           spec, 0.85, np.random.default_rng(2))
    for mine, theirs in ((got.ambition >= 0.5, wf.ambition >= 0.5), (got.wants_mgmt, wf.wants_mgmt),
                         (got.wait > 0, wf.wait > 0)):
        assert np.mean(mine) == pytest.approx(np.mean(theirs), abs=0.015)
    assert np.mean(got.ambition) == pytest.approx(np.mean(wf.ambition), abs=0.01)


def test_rating_informs_competence_through_its_rank_with_noise() -> None:
    spec, n = _spec(), 20_000
    rng = np.random.default_rng(3)
    rating = rng.random(n) * 4 + 1  # any scale: only the order is used
    comp = infer.competence_from_rating(rating, np.zeros(n, dtype=np.int64), spec, np.random.default_rng(4))
    s, noise = spec.employees.competence.sd, spec.managers.rating_noise
    rho = s / np.hypot(s, noise)
    assert spearmanr(rating, comp.competence).statistic == pytest.approx(rho, abs=0.02)
    assert np.mean(comp.competence) == pytest.approx(spec.employees.competence.mean, abs=0.05)
    assert np.std(comp.competence) == pytest.approx(s, abs=0.05)
    # the manager's view (b_ready) is the rating placed on the model's scale: same order
    assert spearmanr(rating, comp.rating).statistic == pytest.approx(1.0, abs=1e-3)
    # with no rating noise, competence follows the rating's order exactly
    exact = load_scenario(spec, overrides={"managers.rating_noise": 0.0})
    comp0 = infer.competence_from_rating(rating, np.zeros(n, dtype=np.int64), exact, np.random.default_rng(4))
    assert spearmanr(rating, comp0.competence).statistic > 0.999


def test_tied_ratings_are_spread_by_noise_and_ordered_on_average() -> None:
    spec, n = _spec(), 20_000
    rating = np.random.default_rng(6).integers(1, 6, n).astype(float)
    comp = infer.competence_from_rating(rating, np.zeros(n, dtype=np.int64), spec, np.random.default_rng(7))
    means = [comp.competence[rating == r].mean() for r in range(1, 6)]
    assert means == sorted(means)
    assert all(comp.competence[rating == r].std() > 0.3 for r in range(1, 6))


def test_group_rating_bias_is_taken_out_of_competence() -> None:
    data = yaml.safe_load(yaml.safe_dump(TINY))
    data["groups"] = [{"name": "a", "workforce_share": 0.5, "hiring_share": 0.5},
                      {"name": "b", "workforce_share": 0.5, "hiring_share": 0.5, "rating_bias": -1.0}]
    spec, n = load_scenario(data), 40_000
    rng = np.random.default_rng(8)
    rating, group = rng.random(n), rng.integers(0, 2, n)
    comp = infer.competence_from_rating(rating, group, spec, np.random.default_rng(9))
    k = 1.5**2 / (1.5**2 + 1.0)
    diff = comp.competence[group == 1].mean() - comp.competence[group == 0].mean()
    assert diff == pytest.approx(k * 1.0, abs=0.05)


def test_age_respects_tenure() -> None:
    spec = _spec()
    tenure = np.random.default_rng(1).random(10_000) * 480
    age = infer.age_given_tenure(tenure, spec, np.random.default_rng(2))
    assert np.all(age >= 21 + tenure / 12 - 1e-9)
    assert np.all(age <= spec.exits.retirement_age - 0.5 + 1e-9)


def test_intent_and_rating_reach_the_model(tmp_path: Path) -> None:
    """Over a few thousand people in a model: stated intents and ratings shape hidden state."""
    n = 4000
    rng = np.random.default_rng(11)
    intents = rng.choice(["manage", "specialist", "not_now", ""], n)
    rating = rng.integers(1, 6, n)
    lines = ["id,level,track,manager,performance,intent"]
    lines += [f"p{i},Junior,specialist,,{rating[i]},{intents[i]}" for i in range(n)]
    data = tiny_with_source({"file": "org.csv", "survey_honesty": 0.9})
    data["organisation"]["levels"][0]["positions"]["specialist"] = n
    (tmp_path / "org.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    model = PromotionModel(scenario=tmp_path / "s.yaml", rng=1)
    amb = np.array(list(by_id(model, "ambition").values()))
    mgmt = np.array(list(by_id(model, "wants_mgmt").values()))
    comp = np.array(list(by_id(model, "competence").values()))
    group = np.array(list(by_id(model, "group").values()))
    assert np.mean((amb >= 0.5)[intents == "manage"] & mgmt[intents == "manage"]) > 0.85
    assert np.mean((amb >= 0.5)[intents == "specialist"] & ~mgmt[intents == "specialist"]) > 0.85
    # "Not now" leaves an aspirant only those who want to move later (infer.aspiration): an
    # honest answer aspires with the prior's odds of wanting it later, a dishonest one with the
    # prior share. Tested against that expectation within 4 binomial standard errors, not
    # against a fixed bound a few standard errors away from it.
    sc, honesty = model.scenario, 0.9
    either = np.array([g.leadership_aspiration + g.specialist_aspiration for g in sc.groups])[group]
    later = sc.employees.timing_later_share
    p_later = either * later / ((1.0 - either) + either * later)
    not_now = intents == "not_now"
    expected = float(np.mean(honesty * p_later[not_now] + (1.0 - honesty) * either[not_now]))
    share = float(np.mean(amb[not_now] >= 0.5))
    print(f"not now: {share:.3f} aspire, expected {expected:.3f}, prior {either[not_now].mean():.3f}")
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / not_now.sum()), (share, expected)
    assert expected < 0.6 * float(np.mean(either[not_now]))  # about half the prior's 0.56: "not now" is heard
    assert comp[rating == 5].mean() - comp[rating == 1].mean() > 2.0


# ---------------------------------------------------------------------------------------------
# Bad files: one line, the file, the row and column, exit code 2 from the real command line


def _edit(line_no: int, old: str, new: str) -> str:
    """BASE_CSV with ``old`` replaced by ``new`` on the file's row ``line_no`` (header = 1)."""
    lines = BASE_CSV.splitlines()
    assert old in lines[line_no - 1], (old, lines[line_no - 1])
    lines[line_no - 1] = lines[line_no - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


def _dated(*hired: str) -> str:
    """A small file with a hire date column: H1 (the head), then one Junior per further date."""
    rows = [f"H1,Head,management,,{hired[0]}"]
    rows += [f"J{k},Junior,specialist,H1,{date}" for k, date in enumerate(hired[1:], start=1)]
    return "id,level,track,manager,Hire Date\n" + "\n".join(rows) + "\n"


HIRED = {"columns": {"hire_date": "Hire Date"}, "as_of": "2024-06-30"}

BAD_FILES: list[tuple[str, str | bytes | None, dict[str, Any], list[str]]] = [
    ("unknown level", _edit(7, "Junior", "Intern"), {},
     ["row 7, column 'level'", "unknown level 'Intern'; levels: Junior, Senior, Head"]),
    # an org-design trial's export spelt a grade 'Princpal': the line names the level meant
    ("misspelt level", _edit(7, "Junior", "junoir"), {},
     ["row 7, column 'level'", "unknown level 'junoir' (did you mean 'Junior'?); levels: Junior, Senior, Head"]),
    ("unknown track", _edit(5, "specialist", "manager"), {},
     ["row 5, column 'track'", "unknown track 'manager'"]),
    ("no positions on that track", _edit(5, "specialist", "management"), {},
     ["row 5, column 'track'", "level 'Junior' has no management positions"]),
    ("blank track where required", _edit(4, "specialist", ""), {},
     ["row 4, column 'track'", "blank track, and level 'Senior' has both tracks"]),
    ("manager does not exist", _edit(7, ",S1,", ",X9,"), {},
     ["row 7, column 'manager'", "manager 'X9' does not exist (no row has that id); blank the cell to give this "
      "person the scenario's default team, or add the manager's row"]),
    ("managers that do not exist, all named",
     _edit(7, ",S1,", ",X9,").replace(",S2,", ",Y8,").replace(",S1,1", ",Y8,1"), {},
     ["row 5, column 'manager'", "managers that do not exist (no row has these ids): 'Y8' (2 rows, first row 5), "
      "'X9' (row 7); blank those cells to give them the scenario's default team, or add the managers' rows"]),
    ("reporting cycle", _edit(2, "management,,", "management,J3,"), {},
     ["row 2, column 'manager'", "reporting cycle: 'H1' -> 'J3' -> 'S1' -> 'H1'"]),
    ("manager id without its leading zeros",  # a spreadsheet read one id column as numbers
     BASE_CSV.replace("H1", "0071").replace("S1,Senior,management,0071,", "S1,Senior,management,71,"), {},
     ["row 3, column 'manager'", "manager '71' does not exist", "'0071' exists (leading zeros lost"]),
    ("manager id in other capitals", BASE_CSV.replace("S1,Senior,management,H1,", "S1,Senior,management,h1,"), {},
     ["row 3, column 'manager'", "manager 'h1' does not exist", "ids are compared as written and 'H1' exists (the "
      "same id in other capitals?"]),
    ("a title above the header", "Headcount June 2024\n" + BASE_CSV, {},
     ["row 2: the first line with text has one cell but row 2 has 8", "delete the lines above the header"]),
    ("a non-breaking space in a level", _edit(7, "Junior", "Jun\u00a0ior"), {},
     ["row 7, column 'level'", "unknown level", "a non-breaking space ('Jun\\xa0ior')"]),
    ("a zero-width space in a manager's id", _edit(2, "H1,", "H1\u200b,"), {},
     ["row 3, column 'manager'", "manager 'H1' does not exist", "a zero-width space ('H1\\u200b')"]),
    ("duplicate id", _edit(7, "J3", "J1"), {},
     ["row 7, column 'id'", "duplicate id 'J1' (also in row 5)"]),
    ("blank id", _edit(6, "J2", ""), {},
     ["row 6, column 'id'", "blank id"]),
    ("blank levels, leavers left in the export", _edit(6, "Junior", "").replace("J3,Junior", "J3,"), {},
     ["row 6, column 'level'", "blank level (required for every person) in 2 rows; leave such rows out (leavers? "
      "contractors?) by a status column with organisation.source.exclude, or fill in their levels"]),
    ("negative tenure", _edit(4, ",50,", ",-5,"), {},
     ["row 4, column 'tenure_months'", "negative tenure (-5)"]),
    # A typo of 1200 for 120 months, or a number past the engine's 32-bit month count, was accepted
    # without a word: the person was drawn an age to fit and retired in the first month.
    ("tenure longer than a working life", _edit(4, ",50,", ",1200,"), {},
     ["row 4, column 'tenure_months'", "tenure 1200 means 100 years with the organisation, more than a working "
      "life (at most 86: age 100 less the youngest joining age, 14); check the column"]),
    ("tenure past the engine's month count", _edit(4, ",50,", ",99999999999999999999999,"), {},
     ["row 4, column 'tenure_months'", "tenure 99999999999999999999999 means 8.333e+21 years"]),
    ("a hire date longer ago than a working life", _dated("1900-01-01", "2020-01-01"), {**HIRED},
     ["row 2, column 'Hire Date'", "hire date 1900-01-01 means 124.5 years with the organisation, more than a "
      "working life"]),
    ("tenure not a number", _edit(4, ",50,", ",fifty,"), {},
     ["row 4, column 'tenure_months'", "'fifty' is not a number"]),
    ("value not in the mapping", _edit(5, ",2,specialist", ",2,Maybe"),
     {"values": {"intent": {"Yes please": "manage"}}},
     ["row 5, column 'intent'", "value 'Maybe' is not in the mapping organisation.source.values.intent",
      "; map it to an intent with organisation.source.values.intent, or to null to read the cell as blank"]),
    ("values not in the mapping, all in one line",
     _edit(5, ",2,specialist", ",2,Maybe").replace(",not_now", ",Dunno").replace(",manage\n", ",Maybe\n"),
     {"values": {"intent": {"Yes please": "manage"}}},
     ["row 2, column 'intent'", "values not in the mapping organisation.source.values.intent ('Yes please') nor an "
      "intent (manage, specialist, not_now, no_answer): 'Maybe' (3 rows, first row 2), 'Dunno' (row 3); map each to "
      "an intent with organisation.source.values.intent, or to null to read the cells as blank"]),
    ("unknown group", _edit(5, ",a,", ",c,"), {},
     ["row 5, column 'group'", "unknown group 'c'; groups: a, b; map it to a group with "
      "organisation.source.values.group, or to null to read the cell as blank"]),
    ("unknown levels, all in one line", _edit(7, "Junior", "Intern").replace("J2,Junior", "J2,Trainee"), {},
     ["row 6, column 'level'", "unknown levels 'Trainee' (row 6), 'Intern' (row 7); levels: Junior, Senior, Head; map "
      "each to a level with organisation.source.values.level, or leave their rows out with "
      "organisation.source.exclude"]),
    ("ratings that are not numbers, all in one line", _edit(3, ",3,", ",N/A,").replace(",2,spec", ",New,spec")
     .replace(",4,manage", ",N/A,manage"), {},
     ["row 2, column 'performance'", "not numbers: 'N/A' (2 rows, first row 2), 'New' (row 5); map each to a number "
      "with organisation.source.values.performance, or to null to read the cells as blank"]),
    ("rating outside the scale", _edit(5, ",2,", ",7,"), {"performance_scale": [1, 5]},
     ["row 5, column 'performance'", "rating 7 is outside the scale 1-5"]),
    ("missing required column", BASE_CSV.replace("id,level,", "id,grade,"), {},
     ["header", "missing required column 'level'"]),
    ("neither manager nor team column", "id,level,track\nH1,Head,management\n", {},
     ["header", "missing required column 'manager'", "(or give a 'team' column)"]),
    ("mapped column missing", BASE_CSV, {"columns": {"level": "grade"}},
     ["header", "column 'grade' (organisation.source.columns.level) is not in the file"]),
    ("more people than positions", BASE_CSV + "H2,Head,management,,1,a,3,\nH3,Head,management,,1,a,3,\n", {},
     ["column 'level'", "level 'Head', track management: 3 people in the file but 2 positions"]),
    ("repeated column", BASE_CSV.replace("performance,intent", "performance,group"), {},
     ["header", "column 'group' appears twice in the header"]),
    ("age out of range", BASE_CSV.replace("intent\n", "intent,age\n").replace(",manage\n", ",manage,40\n", 1)
     .replace(",specialist\n", ",specialist,12\n"), {},
     ["row 5, column 'age'", "age 12 is outside 16-100"]),
    ("age and tenure that do not fit",
     BASE_CSV.replace("intent\n", "intent,age\n").replace(",manage\n", ",manage,40\n", 1)
     .replace(",not_now\n", ",not_now,17\n"), {},
     ["row 3, column 'age'", "age 17 with 5.0 years of tenure (column 'tenure_months') means joining at 12.0"]),
    ("ragged row", _edit(5, "specialist", "specialist,extra"), {},
     ["row 5: ", "cells where the header has", "needs quotes"]),
    ("decimal comma", _edit(5, ",2,", ",2,5,"), {},
     ["row 5: ", "cells where the header has", "a decimal comma such as 3,5"]),
    ("unclosed quote", _edit(5, "J1,", '"J1,'), {},
     ["row 5: a quote (\") opens a value that no quote closes before the end of the file"]),
    ("blank lines above the header", "\n \n" + _edit(7, "Junior", "Intern"), {},
     ["row 9, column 'level'", "unknown level 'Intern'"]),  # rows numbered as the file shows them
    ("not UTF-8", b"id,level\n\xff\xfe\x00\x01,Junior\n", {}, ["cannot read file: not UTF-8 text"]),
    ("a Windows-1252 export", _edit(7, "J3", "Jé3").encode("cp1252"), {},
     ["cannot read file: not UTF-8 text; save it from Excel as 'CSV UTF-8 (Comma delimited)'"]),
    ("tab-separated with a cell too many", BASE_CSV.replace(",", "\t").replace("\tspecialist\t", "\ta\tb\t", 1), {},
     ["row 4: ", "cells where the header has", "a value holding a tab needs quotes"]),
    ("a decimal comma in quotes", _edit(4, ",50,", ',"50,5",'), {},
     ["row 4, column 'tenure_months'", "'50,5' is not a number; a decimal comma: write 50.5, with a point"]),
    ("an unnamed column with values", BASE_CSV.replace("intent\n", "intent,\n").replace(",not_now\n", ",not_now,x\n"),
     {}, ["header", "column 9 of the header has no name"]),
    ("tenure as a date", _edit(4, ",50,", ",18/03/2020,"), {},
     ["row 4, column 'tenure_months'", "'18/03/2020' is not a number; a date: map the column with "
      "organisation.source.columns.hire_date (and set organisation.source.as_of, the date the file describes) to "
      "count tenure from it"]),
    ("hire dates in both orders", _dated("22/11/2010", "11/22/2010"), {**HIRED},
     ["row 2, column 'Hire Date'", "dates not year first: '22/11/2010' (row 2), '11/22/2010' (row 3); the column has "
      "both orders ('22/11/2010' reads only day first, '11/22/2010' only month first): write every date one way, "
      "best year first (2010-11-22)"]),
    ("a hire date that could be day or month first", _dated("2010-11-22", "01/02/2020"), {**HIRED},
     ["row 3, column 'Hire Date'", "date '01/02/2020' is not year first; it could be 1 February or January 2: set "
      "organisation.source.date_format to day_first or month_first, as the system that wrote the file does"]),
    ("hire dates day first without date_format", _dated("22/11/2010", "01/02/2020"), {**HIRED},
     ["row 2, column 'Hire Date'", "dates not year first: '22/11/2010' (row 2), '01/02/2020' (row 3); set "
      "organisation.source.date_format: day_first, as the column reads day first ('22/11/2010' has no month 22)"]),
    ("a hire date month first where date_format says day first", _dated("22/11/2010", "11/22/2010"),
     {**HIRED, "date_format": "day_first"},
     ["row 3, column 'Hire Date'", "'11/22/2010' is not a date (read day first (30/06/2024), as "
      "organisation.source.date_format: day_first says); written the other way round in places?"]),
    ("a hire date after as_of", _dated("2024-07-01"), {**HIRED},
     ["row 2, column 'Hire Date'", "hire date '2024-07-01' is after organisation.source.as_of (2024-06-30); not "
      "started yet? leave such rows out with organisation.source.exclude, or set as_of to the date the file was "
      "exported"]),
    ("a two-digit year", _dated("22-Nov-10"), {**HIRED},
     ["row 2, column 'Hire Date'", "date '22-Nov-10' has a two-digit year; 19.. or 20..? write years in full"]),
    ("a hire date that is no date", _dated("2010-11-22", "soon", "soon"), {**HIRED},
     ["row 3, column 'Hire Date'", "'soon' (2 rows, first row 3) is not a date; dates are read year first "
      "(2024-06-30), with a month name in English or German (30 Jun 2024, 30. Juni 2024), or as "
      "organisation.source.date_format says"]),
    ("a hire_date column found by its name, without as_of", BASE_CSV.replace("tenure_months", "hire_date")
     .replace(",120,", ",2014-06-30,").replace(",60,", ",,").replace(",50,", ",,").replace(",10,", ",,")
     .replace(",12,", ",,").replace(",1,", ",,"), {},
     ["header", "column 'hire_date' gives hire dates: set organisation.source.as_of, the date the file describes "
      "(its export date), to count tenure to"]),
    ("a birth date giving an age below 16", BASE_CSV.replace("intent\n", "intent,born\n")
     .replace(",manage\n", ",manage,1970-01-01\n", 1).replace(",specialist\n", ",specialist,2010-03-01\n"),
     {"columns": {"birth_date": "born"}, "as_of": "2024-06-30"},
     ["row 5, column 'born'",
      "age 14.3 (born 2010-03-01) on 2024-06-30 (organisation.source.as_of) is outside 16-100"]),
    ("rating label outside the scale", _edit(5, ",2,", ",Outstanding,"),
     {"values": {"performance": {"Outstanding": 6}}, "performance_scale": [1, 5]},
     ["row 5, column 'performance'", "rating 'Outstanding' (mapped to 6 by organisation.source.values.performance) "
      "is outside the scale 1-5"]),
    ("empty file", "", {}, ["file is empty"]),
    ("header only", "id,level,track,manager\n", {}, ["the file has a header but no people"]),
    ("semicolons, an error keeps the row", "\n" + _edit(7, "Junior", "Intern").replace(",", ";"), {},
     ["row 8, column 'level'", "unknown level 'Intern'"]),
    ("semicolons with a cell too many", BASE_CSV.replace(",", ";").replace(";specialist;", ";a;b;", 1), {},
     ["row 4: ", "cells where the header has", "a value holding a semicolon needs quotes"]),
    ("rows separated by commas below a header separated by semicolons",
     BASE_CSV.splitlines()[0].replace(",", ";") + "\n" + "\n".join(BASE_CSV.splitlines()[1:]) + "\n", {},
     ["row 2: one cell holding commas where the header has 8 columns separated by semicolons: rows written with "
      "another separator? save the file again with one separator throughout"]),
    ("a zip file renamed to .csv", b"PK\x03\x04\x14\x00\x06\x00rest of a zip", {},
     ["cannot read file: it is a zip file but not a workbook, not a CSV (renamed?); save the sheet as an Excel "
      "workbook (.xlsx) or as CSV UTF-8"]),
    ("a workbook with a title above its header",
     _workbook({"People": [["Headcount June 2024"], [], *_typed_rows(BASE_CSV)]}), {"name": "org.xlsx"},
     ["row 3: the first row with text has one cell but row 3 has 8: a title or note above the column names? delete "
      "the rows above the header"]),
    ("a damaged workbook", b"PK\x03\x04 not really a zip", {"name": "org.xlsx"},
     ["cannot read the workbook (", "save it again as an Excel workbook (.xlsx), or as CSV UTF-8"]),
    ("a workbook whose sheets are empty", _workbook({"Sheet1": []}), {"name": "org.xlsx"},
     ["the workbook's sheets hold no data (expected a header row and a row per person)"]),
    ("a totals row at the end", BASE_CSV + "Total,6,,,,,,\n", {},
     ["row 8, column 'level'", "; a totals row at the end? delete it, or leave it out with "
      "organisation.source.exclude"]),
    ("file not found", None, {"file": "missing.csv"}, ["missing.csv", "file not found; looked in "]),
    # One file name with backslashes on Linux and macOS (an org-design trial).
    ("a Windows path", None, {"file": "..\\data\\org.csv"},
     ["file not found; looked in ", "; a Windows path? write its folders with / (../hris.csv)"]),
    ("empty file name", None, {"file": ""},
     ["organisation.source.file: is empty; give the path of a .csv, .csv.gz, .xlsx, .xlsm, .xlsb, .xls, .ods, "
      ".parquet, .pq file"]),
    ("corrupt parquet", b"this is not parquet", {"name": "org.parquet"}, ["cannot read Parquet file"]),
    ("ambiguous team", "id,level,track,team\nA,Head,management,t\nB,Head,management,t\n", {},
     ["row 3, column 'team'", "team 't' has 2 possible leads"]),
    ("exclude names a column not in the file", BASE_CSV, {"exclude": {"Status": ["Left"]}},
     ["header", "column 'Status' (organisation.source.exclude.Status) is not in the file; columns: id, level"]),
    ("everyone left out", BASE_CSV, {"exclude": {"track": ["management", "specialist"], "id": ["J2"]}},
     ["every person was left out by organisation.source.exclude (6 rows)"]),
    ("a track read as blank where the level has both", _edit(4, "specialist", "Unknown"),
     {"values": {"track": {"Unknown": None}}},
     ["row 4, column 'track'", "track 'Unknown' read as blank (organisation.source.values.track), and level "
      "'Senior' has both tracks"]),
    ("an error after rows left out names the file's row", STATUS_CSV.replace("J3,Junior", "J3,Intern"),
     {"exclude": {"Status": ["Terminated"]}}, ["row 7, column 'level'", "unknown level 'Intern'"]),
    # A file's other mistakes follow the first one's message (an export refused at one mistake a time went
    # round five times): every cycle, every kind of bad date, a totals row below another mistake.
    ("two reporting cycles", _edit(2, "management,,", "management,J3,").replace("Senior,specialist,S1,",
                                                                                  "Senior,specialist,J2,"), {},
     ["row 2, column 'manager'", "reporting cycle: 'H1' -> 'J3' -> 'S1' -> 'H1' (each reports to the next); also, "
      "1 more cell to fix: column 'manager' row 4 (in a reporting cycle)"]),
    ("dates of two kinds", _dated("22-Nov-10", "soon"), {**HIRED},
     ["row 2, column 'Hire Date'", "date '22-Nov-10' has a two-digit year; 19.. or 20..?",
      "; also, 1 more cell to fix: column 'Hire Date' row 3 (not a date: 'soon')"]),
    ("a totals row below another mistake", _edit(3, ",3,", ",three,") + "Total,6,,,,,,\n", {},
     ["row 3, column 'performance'", "'three' is not a number; ",
      "; also, 1 more cell to fix: column 'level' row 8 (unknown level '6'); row 8 is a totals row? delete it, or "
      "leave it out with organisation.source.exclude"]),
]


@pytest.mark.parametrize(("case", "content", "source", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_fail_with_one_line_and_exit_code_2(tmp_path: Path, case: str, content: str | bytes | None,
                                                      source: dict[str, Any], expected: list[str]) -> None:
    source = dict(source)
    name = source.pop("name", "org.csv")
    if content is None:
        scenario = write_case(tmp_path, "unused", name=name, **source)
    else:
        scenario = write_case(tmp_path, content, name=name, **source)
    # Both entry points that build a model; alternate between them.
    command = ("run", str(scenario), "--quiet") if len(case) % 2 else ("org", "describe", str(scenario))
    out = run_cli(*command, cwd=tmp_path)
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    shown = source.get("file", name)
    assert shown in lines[0]
    for part in expected:
        assert part in lines[0], lines[0]


def test_every_mistake_of_a_file_is_said_in_one_line(tmp_path: Path) -> None:
    """A file refused at its first mistake each time (an org-design trial's 2,400-person export went round five
    times) is refused with all of them: the first row's message as it reads alone, then the others by column.

    Checks that need another column skip its refused rows: the unknown level is not also a track without
    positions, nor the duplicate id a cause of a manager's line being ambiguous.
    """
    first = _edit(3, ",3,", ",three,")
    several = (first.replace(",50,", ",fifty,").replace("J1,Junior", "J1,junoir").replace("J2,Junior", "J1,Junior")
               .replace("J3,Junior,specialist,S1", "J3,Junior,specialist,X9"))
    alone = run_cli("org", "describe", str(write_case(tmp_path, first)), cwd=tmp_path)
    out = run_cli("org", "describe", str(write_case(tmp_path, several)), cwd=tmp_path)
    assert alone.returncode == out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    lead, _, rest = out.stderr.strip().partition("; also, ")
    assert lead == alone.stderr.strip(), "the first mistake reads as it does alone"
    assert "row 3, column 'performance': 'three' is not a number" in lead
    assert rest == ("4 more cells to fix: column 'tenure_months' row 4 (not a number: 'fifty'); column 'level' row 5 "
                    "(unknown level 'junoir' (did you mean 'Junior'?)); column 'id' row 6 (duplicate id 'J1', also in "
                    "row 5); column 'manager' row 7 (no row has the id: 'X9')")
    # Rows with the same mistake as the first, which its message does not list, follow it by their rows.
    blank = BASE_CSV.replace("J2,Junior", ",Junior").replace("J3,Junior", ",Junior")
    with pytest.raises(InputError) as refused:
        load_org(load_scenario(write_case(tmp_path, blank)))
    assert str(refused.value).endswith("row 6, column 'id': blank id (required for every person) in 2 rows; also, "
                                       "1 more cell to fix: column 'id' row 7 (blank)")


def test_a_file_with_thousands_of_bad_rows_is_refused_in_a_short_line(tmp_path: Path) -> None:
    """Each column's rows are cut to a few runs and its values to a few, with how many more: not 20,000 rows."""
    n = 20_000
    rows = [f"J{k},{'Jnr' if k % 2 else 'Junior'},specialist,H1,{'x' if k % 3 == 0 else k % 100},a,{k % 7},\n"
            for k in range(n)]
    content = "id,level,track,manager,tenure_months,group,performance,intent\nH1,Head,management,,120,a,4,\n"
    scenario = write_case(tmp_path, content + "".join(rows), performance_scale=[1, 5])
    with pytest.raises(InputError) as refused:
        load_org(load_scenario(scenario))
    message = str(refused.value)
    assert len(message) < 1000 and "\n" not in message
    levels, ratings = n // 2, sum(k % 7 in (0, 6) for k in range(n))
    assert f"row 3, column 'tenure_months': 'x' ({n // 3 + 1:,} rows, first row 3) is not a number" in message
    assert message.endswith(f"; also, {levels + ratings:,} more cells to fix: column 'performance' rows 3, 9-10, "
                            f"16-17, 23-24, 30-31, and {ratings - 9:,} more (outside the scale 1-5: '0', '6'); column "
                            f"'level' rows 4, 6, 8, 10, 12, and {levels - 5:,} more (unknown level 'Jnr')")


def test_every_ragged_row_of_a_file_is_said_in_one_line(tmp_path: Path) -> None:
    """The CSV reader stopped at the first row with more cells than the header, so a file with ten went round
    ten times, while the loader's own mistakes come all at once: the rows follow the first, cut to a few runs
    as the loader's are, then a quote left open below them. Rows in another separator than the header's too."""
    lines = BASE_CSV.splitlines()
    ragged = [*lines[:3], *("X{k},Junior,specialist,S1,1,a,3,manage" + (",extra" if k % 3 else "")
                            for k in range(30)), *lines[3:]]  # rows 4-33, every third of them whole
    refused = run_cli("org", "describe", str(write_case(tmp_path, "\n".join(ragged) + "\n")), cwd=tmp_path)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert refused.stderr.strip().endswith(
        "org.csv: row 5: 9 cells where the header has 8; a value holding a comma (a decimal comma such as 3,5, or a "
        "name) needs quotes, or write decimals with a point; also, 19 more rows with more cells than the header: "
        "rows 6, 8-9, 11-12, 14-15, 17-18, and 10 more")
    with pytest.raises(InputError) as quote:
        load_org(load_scenario(write_case(tmp_path, "\n".join([*ragged[:8], 'Q1,"Junior', *ragged[8:]]) + "\n")))
    assert str(quote.value).endswith("rows 6, 8; and in row 9, a quote (\") opens a value that no quote closes "
                                     "before the end of the file")
    pasted = "\n".join([lines[0].replace(",", ";"), *(line.replace(",", ";") for line in lines[1:3]), *lines[3:]])
    with pytest.raises(InputError) as separators:
        load_org(load_scenario(write_case(tmp_path, pasted + "\n")))
    assert str(separators.value).endswith("row 4: one cell holding commas where the header has 8 columns separated "
                                          "by semicolons: rows written with another separator? save the file again "
                                          "with one separator throughout; also, 3 more such rows: rows 5-7")


def test_a_file_in_the_home_folder_is_found_by_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``file: ~/org.csv`` was looked for in a folder named '~' beside the scenario (an org-design trial)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "org.csv").write_text(BASE_CSV, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(tiny_with_source({"file": "~/org.csv"})), encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.yaml")
    assert scenario.organisation.source.file == str(home / "org.csv")
    assert PromotionModel(scenario=scenario, rng=1).orgdata.table.ids.size == BASE_CSV.count("\n") - 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_with_its_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode text" is UTF-16 with a byte-order mark, which says the encoding unambiguously."""
    text = BASE_CSV.replace("J3,", "Jé3,")
    content = (codecs.BOM_UTF16_BE + text.encode(encoding)) if encoding.endswith("-be") else text.encode(encoding)
    table = model_from(tmp_path, content).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "Jé3"]
    assert table.tenure.tolist() == [120, 60, 50, 10, 12, 1]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_a_tab_separated_file_is_read(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode text" is UTF-16 and tab-separated (docs/orgdata.md 1); its cells may hold commas."""
    lines = BASE_CSV.replace(",", "\t").replace("J3\t", "Jé3\t").splitlines()
    lines[0] += "\tnote"
    lines[1] += "\tSmith, J."
    table = model_from(tmp_path, ("\n".join(lines) + "\n").encode(encoding)).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "Jé3"]
    assert table.tenure.tolist() == [120, 60, 50, 10, 12, 1]
    assert table.ignored_columns == ["note"]


def test_a_semicolon_file_with_decimal_commas_is_read(tmp_path: Path) -> None:
    """A German or French Excel writes CSV, even "CSV UTF-8 (Comma delimited)", with semicolons and decimal
    commas; refusing it sent the user in a loop. Quotes, the byte-order mark and row numbers work as in a CSV."""
    text = (BASE_CSV.replace(",", ";").replace("intent\n", "intent;note\n", 1)
            .replace(";120;", ";120,5;").replace(";4;manage\n", ';4;manage;"Smith; J."\n')
            .replace(";5;\n", ";4,5;\n").replace("J3;", "Jé3;"))
    table = model_from(tmp_path, ("\n" + text).encode("utf-8-sig")).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "Jé3"]
    assert table.tenure.tolist() == [120.5, 60, 50, 10, 12, 1]
    assert table.performance[2] == 4.5
    assert table.rows.tolist() == [3, 4, 5, 6, 7, 8]  # the blank line above the header counts
    assert table.ignored_columns == ["note"]
    # A header with a comma of its own ("Name, Vorname") is still a semicolon file (a review).
    named = text.replace("intent;note\n", "intent;Name, Vorname\n", 1)
    table = model_from(tmp_path, named.encode("utf-8")).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "Jé3"] and table.ignored_columns == ["Name, Vorname"]


def test_a_parquet_file_named_csv_is_read_as_parquet(tmp_path: Path) -> None:
    """A Parquet file named .csv was called "not UTF-8 text", with the advice to save it from Excel."""
    frame = pd.read_csv(io.StringIO(BASE_CSV), dtype=str)
    frame.to_parquet(tmp_path / "org.csv", index=False)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(tiny_with_source({"file": "org.csv"})), encoding="utf-8")
    table = load_org(load_scenario(tmp_path / "s.yaml"))
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "J3"] and table.row_word == "record"


def test_an_excel_workbook_reads_like_csv(tmp_path: Path) -> None:
    """HR exports are workbooks; saving one as CSV cost users round trips (encodings, semicolons). Typed cells
    (ids and tenures as numbers), a table placed at B3 and rows as Excel numbers them."""
    rows = _typed_rows(BASE_CSV)
    rows[1][4] = 120.0  # a whole number Excel stores as a float
    rows[3][6] = 4.5  # a rating with a fraction
    content = _workbook({"People": rows, "Notes": [["exported by HR"]]}, hidden=("Notes",), corner=(3, 2))
    xlsx = model_from(tmp_path, content, name="org.xlsx").orgdata.table
    csv = model_from(tmp_path, BASE_CSV.replace(",5,\n", ",4.5,\n", 1)).orgdata.table
    for attr in ("ids", "level", "track", "stated_manager", "manager", "performance", "tenure", "group"):
        np.testing.assert_array_equal(getattr(xlsx, attr), getattr(csv, attr), err_msg=attr)
    assert xlsx.performance[2] == 4.5 and xlsx.row_word == "row"
    assert xlsx.rows.tolist() == [4, 5, 6, 7, 8, 9]  # the header is in row 3
    with pytest.raises(InputError, match=r"org\.xlsx: row 6, column 'level': .*unknown level 'Intern'"):
        rows[3][1] = "Intern"
        model_from(tmp_path, _workbook({"People": rows}, corner=(3, 2)), name="org.xlsx")


def test_rows_a_filter_hides_are_read_and_said(tmp_path: Path) -> None:
    """An HR export filtered to show the active staff still holds the leavers: they were simulated unseen."""
    rows = _typed_rows(BASE_CSV)
    content = _workbook({"People": rows}, hidden_rows=(4, 5))  # S2 and J1 (the header is row 1)
    table = model_from(tmp_path, content, name="org.xlsx").orgdata.table
    assert table.n == 6 and table.hidden == 2  # read as Excel's "Save as CSV" keeps them
    assert table.summary_line().endswith("; 2 of them are on rows the sheet hides (a filter?), read as every other "
                                         "row: to leave people out, name them in organisation.source.exclude")
    described = run_cli("org", "describe", tmp_path / "scenario.yaml").stdout
    assert "org.xlsx, sheet 'People': 6 people.\nNote: 2 of them are on rows the sheet hides" in described
    # Left out by exclude, a hidden row is not counted; a workbook without hidden rows says nothing.
    left_out = model_from(tmp_path, content, name="org.xlsx", exclude={"id": ["S2"]}).orgdata.table
    assert left_out.hidden == 1 and "; 1 of them is on rows the sheet hides" in left_out.summary_line()
    assert left_out.people() == ("5 people (1 row left out by organisation.source.exclude; 1 on rows the sheet "
                                 "hides, read as every other row)")  # the app's notice
    plain = model_from(tmp_path, _workbook({"People": rows}), name="org.xlsx").orgdata.table
    assert plain.hidden == 0 and "the sheet hides" not in plain.summary_line()


def test_rows_an_ods_filter_hides_are_said_too(tmp_path: Path) -> None:
    """LibreOffice's filter hides rows as Excel's does, but only an .xlsx's were said: the same export
    saved as .ods simulated its leavers unseen. Empty rows hidden past the table count for no one."""
    content = _ods(_typed_rows(BASE_CSV), hidden_rows=(4, 5))  # S2 and J1 (the header is row 1)
    table = model_from(tmp_path, content, name="org.ods").orgdata.table
    assert table.n == 6 and table.hidden == 2
    assert "; 2 of them are on rows the sheet hides (a filter?)" in table.summary_line()
    assert model_from(tmp_path, content, name="org.ods", exclude={"id": ["J1"]}).orgdata.table.hidden == 1
    assert model_from(tmp_path, _ods(_typed_rows(BASE_CSV)), name="org.ods").orgdata.table.hidden == 0


def test_date_cells_of_a_workbook_are_read_whatever_date_format_says(tmp_path: Path) -> None:
    """A date cell says its own day and month; a text date in the same column is read as date_format says."""
    rows = _date_cells(datetime.datetime.fromisoformat)
    rows[2][4] = "01/02/2019"  # S1's hire date, typed as text in day_first order
    table = model_from(tmp_path, _workbook({"Sheet1": rows}), name="org.xlsx",
                       columns={"hire_date": "Hire Date", "birth_date": "Born"}, as_of="2024-06-30",
                       date_format="day_first").orgdata.table
    np.testing.assert_allclose(table.tenure, _expected(HIRED_ON, 365.2425 / 12))
    np.testing.assert_allclose(table.age, _expected(BORN_ON, 365.2425))


def test_a_workbook_with_several_sheets_needs_the_sheet_named(tmp_path: Path) -> None:
    """Of several sheets with data, the one whose header has the level column is read (a Notes sheet beside
    the people kept a workbook from being uploaded alone in the app); when two have it, it must be named."""
    rows = _typed_rows(BASE_CSV)
    noted = _workbook({"Notes": [["exported by HR on 30 June"]], "People": rows})
    scenario = write_case(tmp_path, noted, name="org.xlsx")
    out = run_cli("org", "describe", str(scenario), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Read from org.xlsx, sheet 'People': 6 people." in out.stdout
    content = _workbook({"Summary": [["level", "people"], ["Head", 2]], "People": rows, "Old": [["x"]]},
                        hidden=("Old",))
    scenario = write_case(tmp_path, content, name="org.xlsx")
    out = run_cli("org", "describe", str(scenario), cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == ("promosim org: org.xlsx: the workbook has 2 sheets with data ('Summary', 'People'): "
                                  "name the one with a row per person in organisation.source.sheet")
    assert list(model_from(tmp_path, content, name="org.xlsx", sheet=" people ").orgdata.table.ids) == [
        "H1", "S1", "S2", "J1", "J2", "J3"]
    with pytest.raises(InputError, match=r"org\.xlsx: no sheet named 'Staff' \(organisation\.source\.sheet\); the "
                                         r"workbook's sheets: Summary, People, Old$"):
        model_from(tmp_path, content, name="org.xlsx", sheet="Staff")


def _ods(rows: list[list[Any]], hidden_rows: tuple[int, ...] = ()) -> bytes:
    """A minimal OpenDocument spreadsheet (LibreOffice's .ods) of one sheet: text, number and date cells.

    Its rows ``hidden_rows`` (numbered as the sheet shows them) are hidden as LibreOffice's
    filter hides them, and the sheet ends in a run of empty hidden rows, written once.
    """
    import zipfile  # noqa: PLC0415
    from xml.sax.saxutils import escape  # noqa: PLC0415

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, datetime.date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
        if isinstance(value, int | float):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    def row_tag(number: int) -> str:
        return '<table:table-row table:visibility="filter">' if number in hidden_rows else "<table:table-row>"

    body = "".join(row_tag(i) + "".join(cell(v) for v in row) + "</table:table-row>" for i, row in enumerate(rows, 1))
    if hidden_rows:
        body += ('<table:table-row table:number-rows-repeated="1048000" table:visibility="collapse">'
                 "<table:table-cell/></table:table-row>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="People">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_an_opendocument_spreadsheet_reads_like_csv(tmp_path: Path) -> None:
    """LibreOffice's own format, with a date cell: the same people, tenures from the hire dates."""
    rows = _date_cells(datetime.date.fromisoformat)
    source = {"columns": {"hire_date": "Hire Date", "birth_date": "Born"}, "as_of": "2024-06-30"}
    table = model_from(tmp_path, _ods(rows), name="org.ods", **source).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "J3"]
    np.testing.assert_allclose(table.tenure, _expected(HIRED_ON, 365.2425 / 12))
    np.testing.assert_allclose(table.age, _expected(BORN_ON, 365.2425))


def test_what_a_reader_of_the_sheet_sees_is_read_not_blanks(tmp_path: Path) -> None:
    """An HR analyst's trial of real workbooks: a manager merged down a sorted column, error cells and
    formulas a program wrote without values were all read as blank, silently (279 of 313 reporting lines
    lost to merges). A merged value is each row's; the others are refused in a mapped column."""
    rows = _typed_rows(BASE_CSV)
    rows[5][3] = rows[6][3] = None  # J1's manager S1 merged down over J2 (S2 in the CSV) and J3 (S1)
    merged = _workbook({"People": rows}, merged=("D5:D7",))
    table = model_from(tmp_path, merged, name="org.xlsx").orgdata.table
    assert table.stated_manager.tolist() == [-1, 0, 1, 1, 1, 1]  # J2 (row 6) reports to S1 too, as merged
    for value, words in (("#N/A", r"row 3, column 'performance': .*'#N/A'"),
                         ("=NOW()-1", r"row 3, column 'performance': .*a formula with no saved value: =NOW\(\)-1; "
                                      r"open the file in Excel and save it")):
        rows = _typed_rows(BASE_CSV)
        rows[2][6] = value
        with pytest.raises(InputError, match=words):
            model_from(tmp_path, _workbook({"People": rows}), name="org.xlsx")
    rows = _typed_rows(BASE_CSV)
    rows[3].append("#REF!")  # in a column the model does not read: ignored, as in a CSV
    rows[0].append("note")
    assert model_from(tmp_path, _workbook({"People": rows}), name="org.xlsx").orgdata.table.ignored_columns == ["note"]


def test_a_formula_whose_saved_result_is_empty_text_is_blank_not_unsaved(tmp_path: Path) -> None:
    """Excel saves =IF(A2, "", B2) with an empty text result (t="str"): a blank cell, not a formula to re-save."""
    import zipfile  # noqa: PLC0415

    from sim.orgdata.workbook import _unread_cells  # noqa: PLC0415

    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(_workbook({"People": [["id", "x", "y"], ["a", "=1+1", "=2+2"]]}))
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(saved, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("sheet1.xml"):  # B2 as Excel saves an empty text result
                data = data.replace(b'<c r="B2"><f>1+1</f><v /></c>', b'<c r="B2" t="str"><f>1+1</f><v></v></c>')
            out.writestr(item, data)
    assert set(_unread_cells(plain, "People")) == {(1, 1), (1, 2)}
    assert set(_unread_cells(saved, "People")) == {(1, 2)}


def test_a_workbooks_header_is_read_as_excel_shows_it(tmp_path: Path) -> None:
    """A line break in a header cell (Alt+Enter) shows as a space; an empty spacer column is dropped; an
    unnamed column with values is named by its cell; a sheet named 2024 may be written unquoted."""
    rows = [[*r[:2], None, *r[2:]] for r in _typed_rows(BASE_CSV)]
    rows[0][0] = "person\nid"
    table = model_from(tmp_path, _workbook({"2024": rows}), name="org.xlsx", sheet=2024,
                       columns={"id": "person id"}).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "J3"] and table.ignored_columns == []
    rows = _typed_rows(BASE_CSV)
    rows[0][5] = None  # the group column loses its name
    with pytest.raises(InputError, match=r"org\.xlsx: row 1: cell F1 of the header row is empty, but 5 rows below it "
                                         r"hold values: a title or a second header row above the column names\? "
                                         r"delete the rows above the header, or name the column$"):
        model_from(tmp_path, _workbook({"People": rows}), name="org.xlsx")


def test_files_that_are_not_what_their_name_says(tmp_path: Path) -> None:
    """A CSV named .xlsx is read as a CSV, an empty .xlsx is empty, and data only on a hidden sheet is named."""
    assert list(model_from(tmp_path, BASE_CSV, name="org.xlsx").orgdata.table.ids)[:2] == ["H1", "S1"]
    with pytest.raises(InputError, match=r"org\.xlsx: file is empty"):
        model_from(tmp_path, b"", name="org.xlsx")
    hidden = _workbook({"Cover": [], "Data": _typed_rows(BASE_CSV)}, hidden=("Data",))
    with pytest.raises(InputError, match=r"the visible sheets hold no data, but hidden sheet 'Data' does: name the "
                                         r"one with a row per person in organisation\.source\.sheet"):
        model_from(tmp_path, hidden, name="org.xlsx")


def test_a_workbook_renamed_to_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    """Renaming .xlsx to .csv is what users tried when workbooks were refused."""
    table = model_from(tmp_path, _workbook({"People": _typed_rows(BASE_CSV)}), name="org.csv").orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "J3"]


def test_a_value_beside_a_workbooks_table_is_named_by_its_cell(tmp_path: Path) -> None:
    """A note typed right of the table (a common sight in a workbook) was reported as "header: column 8 of the
    header has no name", pointing at a header that is fine; the cell is named as Excel names it."""
    rows = _typed_rows(BASE_CSV)
    rows[3] = [*rows[3], None, "checked"]
    with pytest.raises(InputError, match=r"org\.xlsx: row 6: cell K6 holds 'checked' right of the last column name"):
        model_from(tmp_path, _workbook({"People": rows}, corner=(3, 2)), name="org.xlsx")


def test_a_renamed_workbook_of_several_sheets_is_told_to_get_its_name_back(tmp_path: Path) -> None:
    """organisation.source.sheet is refused for a file named .csv, so "name the sheet" alone was a dead end."""
    content = _workbook({"Summary": [["level", "people"], ["Head", 2]], "People": _typed_rows(BASE_CSV)})
    with pytest.raises(InputError, match=r"organisation\.source\.sheet \(after renaming the file to \.xlsx"):
        model_from(tmp_path, content, name="org.csv")


def test_empty_unnamed_columns_at_the_end_are_ignored(tmp_path: Path) -> None:
    """Excel writes a separator for every column ever touched: ``a,b,c,,,`` is a three-column file."""
    csv = "".join(f"{line},,,\r\n" for line in BASE_CSV.splitlines())
    table = model_from(tmp_path, csv).orgdata.table
    assert list(table.ids) == ["H1", "S1", "S2", "J1", "J2", "J3"]
    assert table.ignored_columns == []


def _reversed_levels(tmp_path: Path, csv: str) -> Path:
    """A scenario naming ``csv`` with the tiny levels listed top first (Head, Senior, Junior).

    Junior is cut to 10 positions, so the sizes (2, 12, 10) do not grow level on level and the
    scenario's own size check lets the order through.
    """
    scenario = write_case(tmp_path, csv)
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    levels = data["organisation"]["levels"]
    levels[0]["positions"] = {"specialist": 10}
    data["organisation"]["levels"] = levels[::-1]
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    return scenario


def test_levels_listed_top_first_are_refused(tmp_path: Path) -> None:
    """Levels top first ran an upside-down organisation: nearly every stated manager at a 'lower' level."""
    out = run_cli("org", "describe", str(_reversed_levels(tmp_path, BASE_CSV)), cwd=tmp_path)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert out.stderr.strip().endswith(
        "org.csv: column 'manager': 4 of the 5 people with a manager in the file have their manager at a lower level "
        "than their own: levels listed top first? organisation.levels go from the entry level (first) to the top; "
        "reverse the list")


def test_a_few_managers_below_their_reports_are_kept(tmp_path: Path) -> None:
    """A minority (an acting lead, a data error) is no sign of reversed levels: the line is followed upwards."""
    csv = _edit(4, ",S1,", ",J4,") + "J4,Junior,specialist,S1,1,a,3,\n"  # S2 (Senior) reports to J4 (Junior)
    table = model_from(tmp_path, csv).orgdata.table
    assert table.structure["stated"] == 6
    assert table.stated_manager[2] == 6 and table.manager[2] == 0  # S2's line goes up past J4 to H1


def test_lever_that_moves_positions_is_named_in_the_capacity_error() -> None:
    spec = load_scenario(SYNTHETIC, overrides={"interventions": {"parallel_ladders": {}}})
    with pytest.raises(InputError, match=r"after parallel_ladders changed the positions"):
        PromotionModel(scenario=spec, rng=1)


# ---------------------------------------------------------------------------------------------
# Determinism


def test_same_seed_same_organisation_and_structure_independent_of_seed(tmp_path: Path) -> None:
    scenario = write_case(tmp_path, BASE_CSV)
    a, b, c = (PromotionModel(scenario=scenario, rng=s) for s in (7, 7, 8))
    columns = ("group", "ambition", "wants_mgmt", "wait", "competence", "age", "tenure", "visibility", "b_ready")
    for col in columns:
        np.testing.assert_array_equal(getattr(a.workforce, col), getattr(b.workforce, col))
    np.testing.assert_array_equal(a.org.parent, b.org.parent)
    np.testing.assert_array_equal(a.org.parent, c.org.parent)
    np.testing.assert_array_equal(a.org.occupant, c.org.occupant)
    assert not np.array_equal(a.workforce.ambition, c.workforce.ambition)


# ---------------------------------------------------------------------------------------------
# The shipped synthetic example


def test_the_script_makes_the_shipped_file(tmp_path: Path) -> None:
    out = tmp_path / "again.csv"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_org.py"), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SYNTHETIC_CSV.read_bytes()
    frame = pd.read_csv(SYNTHETIC_CSV)
    assert 200 <= len(frame) <= 600
    assert frame["grade"].nunique() == 6
    assert frame[["ladder", "years_of_service", "gender", "rating", "career_intent"]].isna().any().all()


def test_synthetic_scenario_runs_from_anywhere(tmp_path: Path) -> None:
    out = run_cli("run", "scenarios/synthetic_org.yaml", "--years", "0.5", "--quiet")
    assert out.returncode == 0, out.stderr
    assert "synthetic_org" in out.stdout
    # relative to another working directory
    rel = os.path.relpath(SYNTHETIC, tmp_path)
    out = run_cli("run", rel, "--years", "0.25", "--quiet", "--out", "res", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    written = yaml.safe_load((tmp_path / "res" / "scenario.yaml").read_text())
    assert Path(written["organisation"]["source"]["file"]) == SYNTHETIC_CSV


def test_run_out_joins_events_to_the_files_ids(tmp_path: Path) -> None:
    """The events name agent ids; ``people`` maps them to the HR export's ids, so a team can see
    what happened to whom (the ids were reachable only through ``model.orgdata`` in Python)."""
    out = run_cli("run", str(SYNTHETIC), "--years", "1", "--quiet", "--out", "res", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "people (the file's ids)" in out.stdout
    people = pd.read_parquet(tmp_path / "res" / "people.parquet")
    file_ids = pd.read_csv(SYNTHETIC_CSV, dtype=str)["employee_id"]
    assert list(people.columns) == ["employee", "id"] and people["employee"].is_unique
    assert list(people["id"]) == list(file_ids)  # file order, every person once
    events = pd.read_parquet(tmp_path / "res" / "events.parquet")
    first = events[events["step"] == 1]["employee"]
    assert first.isin(people["employee"]).any()  # the people in the file act from month 1
    drawn = run_cli("run", "baseline", "--headcount", "60", "--years", "0.25", "--quiet", "--out", "drawn",
                    cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert not (tmp_path / "drawn" / "people.parquet").exists()  # no file, no ids to join


def test_synthetic_scenario_in_an_experiment(tmp_path: Path) -> None:
    from sim.experiment.design import build_design, load_experiment  # noqa: PLC0415

    (tmp_path / "variants").mkdir()
    variant = tmp_path / "variants" / "random.yaml"
    variant.write_text(yaml.safe_dump({"extends": os.path.relpath(SYNTHETIC, variant.parent), "name": "random",
                                       "policy": {"name": "random"}}))
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump({
        "name": "byo", "seed": 1, "replications": 2, "years": 0.25,
        "scenarios": {"baseline": os.path.relpath(SYNTHETIC, tmp_path), "variants": {"random": "variants/random.yaml"}},
    }))
    design = build_design(load_experiment(experiment), experiment)
    for arm in design.arms:
        assert Path(arm.content["organisation"]["source"]["file"]) == SYNTHETIC_CSV
        # what a worker does with the arm's content
        model = PromotionModel(scenario=arm.content, rng=1)
        assert model.workforce.rows.size == len(pd.read_csv(SYNTHETIC_CSV))
    out = run_cli("compare", os.path.relpath(SYNTHETIC, tmp_path), "variants/random.yaml", "--replications", "2",
                  "--years", "0.25", "--workers", "1", "--out", "cmp", "--quiet", *NO_PLOTS, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "cmp" / "effects.csv").exists()


def test_synthetic_scenario_as_an_app_upload() -> None:
    workshop = pytest.importorskip("sim.app.workshop")
    parse_upload = getattr(workshop, "parse_upload", None)
    if parse_upload is None:
        pytest.skip("the app has no parse_upload")
    text = SYNTHETIC.read_text(encoding="utf-8")
    spec = parse_upload("synthetic_org.yaml", text, len(text))
    # The upload has no folder: its relative data path is looked up from the working
    # directory, then the shipped scenarios/ folder.
    model = PromotionModel(scenario=spec, rng=1)
    assert model.orgdata.table.n == len(pd.read_csv(SYNTHETIC_CSV))
    elsewhere = text.replace("file: data/synthetic_org.csv", "file: nowhere/org.csv")
    with pytest.raises(InputError, match=r"^mine.yaml: organisation.source.file: 'nowhere/org\.csv' has not been "
                                         r"uploaded"):  # said at the upload, not later when people are placed
        parse_upload("mine.yaml", elsewhere, len(elsewhere))


# ---------------------------------------------------------------------------------------------
# org describe


def test_org_describe_prints_the_starting_organisation() -> None:
    out = run_cli("org", "describe", "scenarios/synthetic_org.yaml")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    n = len(pd.read_csv(SYNTHETIC_CSV))
    for part in ("Pyramid:", "Spans of control", "Group representation by level", "What was read and what was "
                 "inferred", f"Read from scenarios/data/synthetic_org.csv: {n} people", "career_intent",
                 "re-pointed", "ignored columns: site"):
        assert part in text, part
    frame = pd.read_csv(SYNTHETIC_CSV)
    execs = int((frame["grade"] == "G6").sum())
    assert any(line.split()[:2] == ["Executive", "management"] and line.split()[3] == str(execs)
               for line in text.splitlines())


def test_org_describe_json_matches_the_file() -> None:
    out = run_cli("org", "describe", "scenarios/synthetic_org.yaml", "--json", "--seed", "4")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    frame = pd.read_csv(SYNTHETIC_CSV)
    assert d["headcount"] == len(frame) == sum(p["filled"] for p in d["pyramid"])
    inf = d["inferred"]
    assert inf["fields"]["performance"]["inferred"] == int(frame["rating"].isna().sum())
    assert inf["fields"]["group"]["inferred"] == int(frame["gender"].isna().sum())
    assert inf["hidden"]["competence"]["informed_by_rating"] == int(frame["rating"].notna().sum())
    assert sum(s["reports"] for s in d["spans"]) + d["at_top"] == len(frame)
    assert d["groups"][-1]["people"] == len(frame)


def test_org_describe_works_for_a_drawn_organisation() -> None:
    out = run_cli("org", "describe", "baseline", "--headcount", "120")
    assert out.returncode == 0, out.stderr
    assert "Drawn from the scenario's distributions" in out.stdout
    assert "before the 24-month warm-up" in out.stdout
    assert "Spans of control" in out.stdout


def test_org_describe_says_when_hires_will_move_the_files_group_mix(tmp_path: Path) -> None:
    """Hiring follows groups[].hiring_share, not the file: a 70 %-women hospital hired at 50/50 drifts
    toward 50/50 over a run, which an org-design trial read as a lever's effect on representation."""
    frame = pd.read_csv(SYNTHETIC_CSV)
    frame["gender"] = np.where(np.arange(len(frame)) % 10 < 7, "women", "men")
    frame.to_csv(tmp_path / "people.csv", index=False)
    scenario = yaml.safe_load((ROOT / "scenarios/synthetic_org.yaml").read_text(encoding="utf-8"))
    scenario["extends"] = str(ROOT / "scenarios" / "baseline.yaml")
    scenario["organisation"]["source"]["file"] = str(tmp_path / "people.csv")
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    text = run_cli("org", "describe", tmp_path / "org.yaml").stdout
    assert "note: the people placed are men 30%, women 70%, but hires follow groups[].hiring_share" in text
    assert "to keep it, set each group's hiring_share to its share here (men 0.30, women 0.70)" in text
    balanced = run_cli("org", "describe", "scenarios/synthetic_org.yaml").stdout
    assert "hires follow" not in balanced


def test_exclude_matches_numbers_as_numbers_and_refuses_an_empty_list(tmp_path: Path) -> None:
    """YAML turns an unquoted 007 into 7 and a Parquet column's 2 is 2.0 in YAML: they still match."""
    csv = STATUS_CSV.replace(",Active\n", ",007\n", 1).replace(",CONTRACTOR\n", ",2\n")
    table = model_from(tmp_path, csv, exclude={"Status": [7, 2.0]}).orgdata.table
    assert table.excluded == {"Status": {"7": 1, "2.0": 1}} and table.n_excluded == 2
    with pytest.raises(InputError, match=r"exclude\.Status: lists no values"):
        load_scenario(tiny_with_source({"file": "x.csv", "exclude": {"Status": None}}))


def test_a_column_named_in_any_case_must_be_one_column(tmp_path: Path) -> None:
    csv = STATUS_CSV.replace("intent,Status", "intent,STATUS").replace("id,level", "id,level").replace(
        ",Active\n", ",Active,x\n").replace("STATUS\n", "STATUS,status\n")
    lines = [line if i == 0 or line.count(",") == 9 else line + ",x" for i, line in enumerate(csv.splitlines())]
    scenario = write_case(tmp_path, "\n".join(lines) + "\n", exclude={"Status": ["Left"]})
    with pytest.raises(InputError, match=r"column 'Status' \(organisation\.source\.exclude\.Status\) could be any of "
                                         r"'STATUS', 'status', which differ only in case; name one exactly"):
        PromotionModel(scenario=scenario, rng=1)


def test_a_line_through_someone_left_out_back_to_oneself_ends_at_the_default_team(tmp_path: Path) -> None:
    """S1 (left out) is stated to report to J1, one of S1's own reports: J1's line came back to J1, an error
    naming a reporting cycle 'J1' -> 'J1' that the file does not hold."""
    csv = STATUS_CSV.replace("S1,Senior,management,H1,", "S1,Senior,management,J1,")
    table = model_from(tmp_path, csv, exclude={"Status": ["Terminated", "Contractor"]}).orgdata.table
    j1 = list(table.ids).index("J1")
    assert table.stated_manager[j1] == -1  # no one above stays on J1's line


def test_org_describe_lists_the_values_exclude_kept(tmp_path: Path) -> None:
    """A leaver's status the list forgot ('Terminated (voluntary)') was simulated as an employee without a word:
    describe names the values of each exclude column that were kept, with their counts."""
    csv = STATUS_CSV.replace("J3,Junior,specialist,S1,1,a,3,manage,Active", "J3,Junior,specialist,S1,1,a,3,manage,"
                             "Terminated (voluntary)").replace("manage,Active\n", "manage,\n", 1)
    scenario = write_case(tmp_path, csv, exclude={"Status": ["Terminated", "Contractor"]})
    table = load_org(load_scenario(scenario))
    assert table.kept == {"Status": {"Active": 1, "": 1, "active": 1, "Terminated (voluntary)": 1}}
    out = run_cli("org", "describe", scenario)
    assert out.returncode == 0, out.stderr
    assert ("  Status: left out Terminated 1, Contractor 1; kept (blank) 1, Active 1, active 1, Terminated (voluntary) "
            "1 (organisation.source.exclude)") in out.stdout
    d = json.loads(run_cli("org", "describe", scenario, "--json").stdout)["inferred"]
    assert d["kept"] == {"Status": {"Active": 1, "": 1, "active": 1, "Terminated (voluntary)": 1}}
    assert d["exclusion_lines"] == ["Status: left out Terminated 1, Contractor 1; kept (blank) 1, Active 1, active 1, "
                                    "Terminated (voluntary) 1"]
