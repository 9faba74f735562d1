"""Reading a spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods) as a headcount file: one sheet's cells as text.

A workbook is what most HR systems export and what most analysts keep. Saving it as CSV first
cost users round trips (Excel's "CSV" is not UTF-8 in many locales, and is separated by
semicolons where the comma is the decimal mark), so the sheet is read as it is, with calamine
(a Rust reader: a 100,000-row sheet in about a second, where openpyxl took ten). Its cells are
typed, which removes two of CSV's ambiguities: a date cell is a date whatever the locale, and a
number has no decimal comma. Cells become the same text a CSV would hold (see
``sim.orgdata.read``), so the loader's checks and messages are the same for both; rows keep the
numbers the spreadsheet shows, so an error points at a row the user can go to.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from sim.errors import InputError
from sim.scenario import OrgSource

WORKBOOKS = OrgSource.WORKBOOKS
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .xlsb and .ods are zip files
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls is an OLE file, as Word's .doc is
SHEET_SETTING = "organisation.source.sheet"


def is_workbook(path: Path) -> bool:
    """Whether ``path`` is a spreadsheet, whatever its name (one renamed to ``.csv`` is read too)."""
    try:
        _open(path, str(path))
    except InputError:
        return False
    return True


def read_workbook(path: Path, label: str, sheet: str | None) -> tuple[pd.DataFrame, list[str], int]:
    """One sheet as text cells: the data rows, the header, and the sheet's row number of the first data row.

    Rows and columns that are empty above and left of the table are skipped (a table placed at
    C3 is common), formulas give the value the spreadsheet last computed, and a hidden sheet
    counts like any other when it is named.

    Raises:
        InputError: The file is not a spreadsheet, the sheet named is not in it, the workbook
            has several sheets with data and none is named, or the sheet is empty or has a
            title above its header.
    """
    book = _open(path, label)
    chosen = _sheet(book, label, sheet)
    try:
        rows = chosen.to_python(skip_empty_area=True)
    except Exception as exc:  # calamine's own error types: a damaged sheet
        raise _unreadable(exc, label) from None
    top = chosen.start[0] if chosen.start is not None else 0
    return _table(rows, label, chosen.name, top)


def sheet_names(path: Path, label: str) -> list[str]:
    """The workbook's sheets, to check that an upload is a spreadsheet before its sheet is known.

    Raises:
        InputError: The file is not a spreadsheet.
    """
    return list(_open(path, label).sheet_names)


def _unreadable(exc: Exception, label: str) -> InputError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no detail"
    return InputError(f"cannot read the workbook ({exc.__class__.__name__}: {detail}); open it in Excel and save it "
                      "again as an Excel workbook (.xlsx), or as CSV UTF-8", source=label)


def _open(path: Path, label: str) -> Any:
    try:
        with path.open("rb") as handle:  # by content, not by name: a workbook renamed to .csv is read too
            return python_calamine.CalamineWorkbook.from_filelike(handle)
    except Exception as exc:  # calamine raises its own error types for a damaged or foreign file
        raise _unreadable(exc, label) from None


def _loaded(book: Any, name: str) -> Any | None:
    """The sheet, loaded (its cells parsed), or ``None`` for a chart sheet or a damaged one."""
    try:
        return book.get_sheet_by_name(name)
    except Exception:  # calamine's own error types
        return None


def _sheet(book: Any, label: str, sheet: str | None) -> Any:
    """The sheet to read: the one named, else the one visible sheet that holds data."""
    names = list(book.sheet_names)
    if sheet is not None:
        wanted = sheet.strip().casefold()
        found = [name for name in names if name.strip().casefold() == wanted]
        if not found:
            raise InputError(f"no sheet named '{sheet}' ({SHEET_SETTING}); the workbook's sheets: "
                             f"{', '.join(names)}", source=label)
        return book.get_sheet_by_name(found[0])
    visible = {meta.name for meta in book.sheets_metadata if meta.visible == python_calamine.SheetVisibleEnum.Visible}
    loaded = [_loaded(book, name) for name in names if name in visible]  # each sheet is parsed once
    with_data = [ws for ws in loaded if ws is not None and ws.start is not None]
    if len(with_data) == 1:
        return with_data[0]
    if not with_data:
        raise InputError("the workbook's sheets hold no data (expected a header row and a row per person)",
                         source=label)
    listed = ", ".join(f"'{ws.name}'" for ws in with_data)
    raise InputError(f"the workbook has {len(with_data)} sheets with data ({listed}): name the one with a row per "
                     f"person in {SHEET_SETTING}", source=label)


def _table(rows: list[list[Any]], label: str, title: str, offset: int) -> tuple[pd.DataFrame, list[str], int]:
    """The cells of ``rows`` (the sheet's from row ``offset + 1``) as text, below the first row with text."""
    width = max((len(row) for row in rows), default=0)
    padded = (row if len(row) == width else [*row, *[None] * (width - len(row))] for row in rows)
    columns = [_texts(column) for column in zip(*padded, strict=True)]
    cells = np.array(columns, dtype=object).T if columns else np.empty((0, 0), dtype=object)
    filled = cells != None  # noqa: E711 (elementwise, on an object array)
    used_rows = np.flatnonzero(filled.any(axis=1))
    if not used_rows.size:
        raise InputError(f"sheet '{title}' is empty (expected a header row)", source=label)
    top = int(used_rows[0])
    left = int(np.flatnonzero(filled.any(axis=0))[0])
    cells, filled = cells[top:, left:], filled[top:, left:]
    header = ["" if c is None else str(c) for c in cells[0]]
    named = sum(1 for c in header if c)
    if named == 1 and len(cells) > 1:
        counts = filled[1:].sum(axis=1)
        wider = np.flatnonzero(counts > 1)
        if wider.size:
            row = offset + top + 2 + int(wider[0])
            raise InputError(f"the first row with text has one cell but row {row} has {int(counts[wider[0]])}: a "
                             "title or note above the column names? delete the rows above the header",
                             source=label, path=f"row {row}")
    body = cells[1:]
    body[~filled[1:]] = np.nan  # blanks as missing, as a CSV's
    frame = pd.DataFrame(body, columns=range(cells.shape[1]))
    return frame, header, offset + top + 2


def _texts(values: tuple[Any, ...]) -> list[str | None]:
    """``_text`` of each cell of a column; each distinct value is turned once (a column repeats its values)."""
    done: dict[tuple[type, Any], str | None] = {}
    out = []
    for value in values:
        key = (value.__class__, value)  # True and 1 are equal keys; their texts are not
        text = done.get(key, _UNSEEN)
        if text is _UNSEEN:
            text = done[key] = _text(value)
        out.append(text)
    return out


_UNSEEN: Any = object()


def _text(value: Any) -> str | None:
    """A cell as the text a CSV of it would hold; ``None`` for a blank one.

    Whole numbers lose Excel's float ``.0`` (an id of 7 is ``7``), other numbers keep the 15
    significant digits Excel shows, and dates are written year first, which the loader reads
    whatever ``date_format`` says. A duration (a time cell) reads as its text.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows them
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value).strip() or None
