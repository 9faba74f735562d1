"""Reading a spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods) as a headcount file: one sheet's cells as text.

A workbook is what most HR systems export and what most analysts keep. Saving it as CSV first
cost users round trips (Excel's "CSV" is not UTF-8 in many locales, and is separated by
semicolons where the comma is the decimal mark), so the sheet is read as it is, with calamine
(a Rust reader: a 100,000-row sheet in about a second, where openpyxl took 35 s). Its cells are
typed, which removes two of CSV's ambiguities: a date cell is a date whatever the locale, and a
number has no decimal comma. Cells become the same text a CSV would hold (see
``sim.orgdata.read``), so the loader's checks and messages are the same for both; rows keep the
numbers the spreadsheet shows, so an error points at a row the user can go to.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

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


def read_workbook(path: Path, label: str, sheet: str | None, needs: str | None = None
                  ) -> tuple[pd.DataFrame, list[str], int, str]:
    """One sheet as text cells: the data rows, the header, the sheet's row number of the first data row, its name.

    Without ``sheet``, the one visible sheet with data is read, or of several, the one whose
    header has a column ``needs`` (the scenario's level column): a workbook with a Notes or
    ReadMe sheet beside the people could not be uploaded alone in the app (an HR analyst's
    trial). Two sheets that both have it are an error naming them, never a guess.

    Rows and columns that are empty above and left of the table are skipped (a table placed at
    C3 is common), formulas give the value the spreadsheet last computed, and a hidden sheet
    counts like any other when it is named. Three things a reader of the sheet would see
    otherwise than its cells say are made plain (an HR analyst's trial of real workbooks found
    each read as blank, silently): a value merged down a column is each row's; an error cell
    (``#N/A``, ``#REF!``) reads as its code, as a CSV saved from it would, so a mapped column
    refuses it; and a formula with no saved value (a file written by a program, never opened
    in Excel) reads as a note saying so.

    Raises:
        InputError: The file is not a spreadsheet, the sheet named is not in it, the workbook
            has several sheets with data and none is named, or the sheet is empty or has a
            title above its header.
    """
    book = _open(path, label)
    chosen = _sheet(book, label, sheet, needs)
    try:
        rows = [list(row) for row in chosen.to_python(skip_empty_area=True)]
    except Exception as exc:  # calamine's own error types: a damaged sheet
        raise _unreadable(exc, label) from None
    top, left = chosen.start if chosen.start is not None else (0, 0)
    for (r0, c0), (r1, c1) in chosen.merged_cell_ranges or []:
        if c0 == c1 and top <= r0 < r1:  # merged down one column: the value holds for every row of it
            for r in range(r0 + 1, min(r1, top + len(rows) - 1) + 1):
                if c0 - left < len(rows[r - top]):
                    rows[r - top][c0 - left] = rows[r0 - top][c0 - left]
    for (r, c), text in _unread_cells(path, chosen.name).items():  # .xlsx and .xlsm: {} for the others
        if 0 <= r - top < len(rows) and 0 <= c - left < len(rows[r - top]) and rows[r - top][c - left] == "":
            rows[r - top][c - left] = text
    return (*_table(rows, label, chosen.name, top, left), chosen.name)


def _unread_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Error cells and formulas with no saved value of an .xlsx sheet, by (row, column) from 0: their text.

    calamine gives both as empty. They are found in the sheet's XML, which is read only when it
    holds an error cell or a formula at all (a plain export holds neither).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            part = _sheet_part(archive, sheet)
            if part is None or part not in names:
                return {}
            data = archive.read(part)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    if b't="e"' not in data and b"<f" not in data:
        return {}
    found = {}
    for cell in _CELL.finditer(data):
        attrs, body = cell.group(1), cell.group(3) or b""
        ref = _REF.search(attrs)
        if ref is None:
            continue
        value = _VALUE.search(body)
        formula = _FORMULA.search(body)
        if _ERROR_TYPE.search(attrs) and value is not None:
            text = value.group(1).decode("utf-8", "replace")
        elif formula is not None and (value is None or not value.group(1)) and not _STRING_TYPE.search(attrs):
            # (t="str" is a formula whose saved result is text, which may be empty: =IF(A2, "", B2).)
            shown = html.unescape(formula.group(1).decode("utf-8", "replace"))
            text = f"(a formula with no saved value: ={shown[:40]}; open the file in Excel and save it)"
        else:
            continue
        column = 0
        for letter in ref.group(1).decode():
            column = column * 26 + ord(letter) - 64
        found[int(ref.group(2)) - 1, column - 1] = text
    return found


def hidden_rows(path: Path, sheet: str) -> frozenset[int]:
    """The row numbers (from 1, as the sheet shows them) that an .xlsx or .ods sheet hides: by a filter or by hand.

    They are read like any other row, as Excel's own "Save as CSV" keeps them; this only lets
    the reader be told (an HR export filtered to show active staff holds the leavers too).
    Calamine does not give row visibility, so the sheet's XML is read for it; empty for the
    binary formats (.xls, .xlsb).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "content.xml" in names and "xl/workbook.xml" not in names:  # LibreOffice's own format
                return _ods_hidden_rows(archive, sheet)
            part = _sheet_part(archive, sheet)
            data = archive.read(part) if part is not None and part in names else b""
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):  # a damaged part: nothing said
        return frozenset()
    if b"hidden=" not in data:
        return frozenset()
    return frozenset(int(row.group(1)) for row in _HIDDEN_ROW.finditer(data))


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_hidden_rows(archive: zipfile.ZipFile, sheet: str) -> frozenset[int]:
    """The rows an .ods sheet hides: ``table:visibility`` "filter" (a filter) or "collapse" (by hand).

    LibreOffice writes a run of like rows once, with ``table:number-rows-repeated``, so rows are
    counted, not read off an attribute as in an .xlsx. The rows of the sheet's header-row and
    row-group elements count as its own.
    """
    data = archive.read("content.xml")
    if b"visibility=" not in data:  # most sheets hide nothing: not parsed again (calamine has read it)
        return frozenset()
    hidden: set[int] = set()
    row, inside = 0, False
    with io.BytesIO(data) as content:
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            if element.tag == f"{_ODS_TABLE}table":
                if event == "start":
                    inside = element.get(f"{_ODS_TABLE}name") == sheet
                elif inside:
                    break
                continue
            if not inside or event != "end" or element.tag != f"{_ODS_TABLE}table-row":
                continue
            repeated = int(element.get(f"{_ODS_TABLE}number-rows-repeated") or 1)
            # An empty row holds no one (a sheet ends in a million of them, hidden or not).
            if element.get(f"{_ODS_TABLE}visibility") in ("filter", "collapse") and any(
                    len(cell) or cell.get(f"{_ODS_OFFICE}value-type") for cell in element):
                hidden.update(range(row + 1, row + 1 + repeated))
            row += repeated
            element.clear()
    return frozenset(hidden)


_HIDDEN_ROW = re.compile(rb'<row\b(?=[^>]*\bhidden="(?:1|true)")[^>]*?\br="([0-9]+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_STRING_TYPE = re.compile(rb'\bt="str"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA = re.compile(rb"<f\b[^>]*>([^<]*)</f>")


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the sheet named ``sheet`` (through workbook.xml and its relationships)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rid = next((el.get(f"{{{ns['r']}}}id") for el in book.iterfind("m:sheets/m:sheet", ns) if el.get("name") == sheet),
               None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((el.get("Target") for el in rels if el.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def sheet_names(path: Path, label: str) -> list[str]:
    """The workbook's sheets, to check that an upload is a spreadsheet before its sheet is known.

    Raises:
        InputError: The file is not a spreadsheet.
    """
    return list(_open(path, label).sheet_names)


def _first_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(512)
    except OSError:
        return b"?"  # calamine says what is wrong with the file


def _unreadable(exc: Exception, label: str) -> InputError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no detail"
    return InputError(f"cannot read the workbook ({exc.__class__.__name__}: {detail}); open it in Excel and save it "
                      "again as an Excel workbook (.xlsx), or as CSV UTF-8", source=label)


def _open(path: Path, label: str) -> Any:
    start = _first_bytes(path)
    if not start:
        raise InputError("file is empty", source=label)
    if not start.startswith((ZIP_MAGIC, OLE_MAGIC)) and b"\0" not in start:  # text, not a workbook
        raise InputError(f"it is a text file, not a workbook: a CSV named {path.suffix}? name it .csv",
                         source=label)
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


def named_sheet(names: list[str], sheet: str) -> str | None:
    """The sheet of ``names`` that ``sheet`` names, whatever its case and surrounding spaces, or None."""
    wanted = sheet.strip().casefold()
    return next((name for name in names if name.strip().casefold() == wanted), None)


def _sheet(book: Any, label: str, sheet: str | None, needs: str | None = None) -> Any:
    """The sheet to read: the one named, else the one visible sheet that holds data (see ``read_workbook``)."""
    names = list(book.sheet_names)
    if sheet is not None:
        found = named_sheet(names, sheet)
        if found is None:
            raise InputError(f"no sheet named '{sheet}' ({SHEET_SETTING}); the workbook's sheets: "
                             f"{', '.join(names)}", source=label)
        return book.get_sheet_by_name(found)
    visible, with_data = _visible_with_data(book)
    candidates = _candidates(with_data, needs)
    if len(candidates) == 1:
        return candidates[0]
    if not with_data:
        hidden = _hidden_with_data(book, visible)
        if hidden:
            raise InputError(f"the visible sheets hold no data, but hidden sheet{'s' if len(hidden) > 1 else ''} "
                             f"{', '.join(repr(n) for n in hidden)} {'do' if len(hidden) > 1 else 'does'}: name "
                             f"the one with a row per person in {SHEET_SETTING}", source=label)
        raise InputError("the workbook's sheets hold no data (expected a header row and a row per person)",
                         source=label)
    listed = ", ".join(f"'{ws.name}'" for ws in with_data)
    # sheet is refused for a file not named as a workbook, so one renamed to .csv must get its name back first
    rename = "" if label.lower().endswith(WORKBOOKS) else " (after renaming the file to .xlsx: it is a workbook)"
    raise InputError(f"the workbook has {len(with_data)} sheets with data ({listed}): name the one with a row per "
                     f"person in {SHEET_SETTING}{rename}", source=label)


def _visible_with_data(book: Any) -> tuple[set[str], list[Any]]:
    """The names of the visible sheets, and those of them that hold data, loaded (each sheet parsed once)."""
    visible = {meta.name for meta in book.sheets_metadata if meta.visible == python_calamine.SheetVisibleEnum.Visible}
    loaded = [_loaded(book, name) for name in book.sheet_names if name in visible]
    return visible, [ws for ws in loaded if ws is not None and ws.start is not None]


def _candidates(with_data: list[Any], needs: str | None) -> list[Any]:
    """The sheets with data that may be the one to read: of several, those with the column ``needs``, if any."""
    if needs is not None and len(with_data) > 1:
        having = [ws for ws in with_data if needs in _header_names(ws)]
        if having:
            return having
    return with_data


def candidate_sheets(path: Path, label: str, needs: str | None = None) -> list[str]:
    """The visible sheets ``read_workbook`` would choose among without ``sheet``, by name.

    The app offers them when a workbook holds two (a People sheet and a Leavers sheet, both
    with levels): a workshop room had no way to name one short of writing a scenario file.

    When no visible sheet holds data, the hidden ones that do, which the refusal asks to name
    (the app said "choose the sheet below" above no button).

    Raises:
        InputError: The file is not a spreadsheet.
    """
    book = _open(path, label)
    visible, with_data = _visible_with_data(book)
    return [ws.name for ws in _candidates(with_data, needs)] if with_data else _hidden_with_data(book, visible)


def _hidden_with_data(book: Any, visible: set[str]) -> list[str]:
    """The names of the hidden sheets that hold data."""
    return [name for name in book.sheet_names if name not in visible
            and (ws := _loaded(book, name)) is not None and ws.start is not None]


def _header_names(worksheet: Any) -> set[str]:
    """The names in a sheet's first row with text, as ``_table`` reads them."""
    for row in worksheet.iter_rows():
        names = {" ".join(text.split()) for text in (_text(cell) for cell in row) if text}
        if names:
            return names
    return set()


def _table(rows: list[list[Any]], label: str, title: str, offset: int, left: int = 0
           ) -> tuple[pd.DataFrame, list[str], int]:
    """The cells of ``rows`` (the sheet's from row ``offset + 1``, column ``left + 1``) as text.

    The header is the first row with text. A wholly empty column in the table (a spacer) is
    dropped; a value right of the header's last name (a note typed beside the table) and a
    column with values and no name are errors naming the cell (K6, K3), since users of a sheet
    count columns in letters.
    """
    width = max((len(row) for row in rows), default=0)
    padded = (row if len(row) == width else [*row, *[None] * (width - len(row))] for row in rows)
    columns = [_texts(column) for column in zip(*padded, strict=True)]
    cells = np.array(columns, dtype=object).T if columns else np.empty((0, 0), dtype=object)
    filled = cells != None  # noqa: E711 (elementwise, on an object array)
    used_rows = np.flatnonzero(filled.any(axis=1))
    if not used_rows.size:
        raise InputError(f"sheet '{title}' is empty (expected a header row)", source=label)
    top = int(used_rows[0])
    first = int(np.flatnonzero(filled.any(axis=0))[0])
    cells, filled = cells[top:, first:], filled[top:, first:]
    header_row = offset + top + 1
    # A header cell's line break (Alt+Enter) shows as a space in Excel: "Employee\nID" is "Employee ID".
    header = ["" if c is None else " ".join(str(c).split()) for c in cells[0]]
    named = sum(1 for c in header if c)
    if named == 1 and len(cells) > 1:
        counts = filled[1:].sum(axis=1)
        wider = np.flatnonzero(counts > 1)
        if wider.size:
            row = header_row + 1 + int(wider[0])
            raise InputError(f"the first row with text has one cell but row {row} has {int(counts[wider[0]])}: a "
                             "title or note above the column names? delete the rows above the header",
                             source=label, path=f"row {row}")
    keep = [j for j, name in enumerate(header) if name or filled[1:, j].any()]  # empty spacer columns go
    last = max((j for j, c in enumerate(header) if c), default=-1)
    for j in keep:
        if not header[j] and j < last:
            cell = f"{column_letters(left + first + j)}{header_row}"
            raise InputError(f"cell {cell} of the header row is empty, but {int(filled[1:, j].sum())} rows below "
                             "it hold values: a title or a second header row above the column names? delete the "
                             "rows above the header, or name the column", source=label, path=f"row {header_row}")
    stray = np.argwhere(filled[1:, last + 1:])
    if stray.size:
        i, j = (int(k) for k in stray[0])
        cell = f"{column_letters(left + first + last + 1 + j)}{header_row + 1 + i}"
        raise InputError(f"cell {cell} holds '{cells[1 + i, last + 1 + j]}' right of the last column name: a note "
                         "beside the table? delete it, or give its column a name in the header", source=label,
                         path=f"row {header_row + 1 + i}")
    body = cells[1:][:, keep]
    body[~filled[1:][:, keep]] = np.nan  # blanks as missing, as a CSV's
    frame = pd.DataFrame(body, columns=range(len(keep)))
    return frame, [header[j] for j in keep], header_row + 1


def column_letters(index: int) -> str:
    """A column's letters as the spreadsheet shows them, from its index from 0 (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
