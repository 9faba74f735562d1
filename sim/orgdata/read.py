"""Reading a headcount file (CSV, Excel workbook or Parquet) into text columns, with row numbers kept.

Every cell is read as text and blanks become missing values, so that the loader decides what
each column means and nothing is guessed by the reader: an id like ``007`` stays ``007``, and a
rating column with a stray ``n/a`` is reported, not turned into a float column silently. Rows
keep the number a person sees in the file, so that every error can point at one.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.orgdata.workbook import OLE_MAGIC, WORKBOOKS, ZIP_MAGIC, hidden_rows, is_workbook, read_workbook
from sim.wording import counted

NOT_UTF8 = ("cannot read file: not UTF-8 text; save it from Excel as 'CSV UTF-8 (Comma delimited)' "
            "(or from another program as UTF-8)")


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text, one column per header name.

    Attributes:
        frame: The data rows; every cell is a stripped ``str`` or missing (``NaN``).
        rows: For each data row, its number as the file shows it (CSV: the header is row 1;
            Parquet: the first record is 1).
        row_word: ``"row"`` for CSV, ``"record"`` for Parquet, used in messages.
        blank_rows: Entirely empty rows that were skipped (they hold nothing to drop).
        decimal_comma: Numbers may be written with a decimal comma (``3,5``): the file is
            separated by semicolons, as a spreadsheet writes CSV where the comma is the decimal
            mark. The cells stay as written; the loader reads numbers so.
        sheet: The workbook sheet the rows come from (``None`` for a CSV or Parquet file).
        hidden_rows: Row numbers (of ``rows``) that the sheet hides, by a filter or by hand:
            read as every other row, and said (.xlsx, .xlsm and .ods: ``workbook.hidden_rows``).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    row_word: str
    blank_rows: int
    decimal_comma: bool = False
    sheet: str | None = None
    hidden_rows: frozenset[int] = frozenset()


def row_runs(numbers: np.ndarray, word: str = "row", shown: int = 5) -> str:
    """Row numbers as a message gives them, runs joined (``rows 40, 81-83``): ``shown`` runs, then a count.

    Every list of rows in one line (the loader's problems, the reader's ragged rows) is cut the
    same way, so a file with 20,000 bad rows still gets a short line.
    """
    numbers = np.unique(numbers)
    starts = np.flatnonzero(np.diff(numbers, prepend=numbers[0] - 2) != 1)
    ends = np.append(starts[1:], numbers.size) - 1
    parts = [f"{numbers[a]}" if a == b else f"{numbers[a]}-{numbers[b]}"
             for a, b in zip(starts[:shown], ends[:shown], strict=True)]
    if starts.size > shown:
        parts.append(f"and {numbers.size - int(starts[shown]):,} more")
    return f"{word if numbers.size == 1 else f'{word}s'} {', '.join(parts)}"


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_table(path: Path, label: str, sheet: str | None = None, needs: str | None = None) -> RawTable:
    """Read a CSV, Excel workbook or Parquet file into text columns.

    Args:
        path: The file. Its first bytes decide how it is read when they say (a Parquet file or
            a workbook renamed to ``.csv`` is read as what it is).
        label: The file as messages name it.
        sheet: A workbook's sheet to read (``organisation.source.sheet``); ``None`` reads its
            one sheet that holds data, or of several, the one whose header has a column named
            ``needs`` (the level column the scenario reads).
        needs: See ``sheet``.

    Raises:
        InputError: One line naming the file: not found, unreadable, not a table, a header with
            a missing or repeated column name.
    """
    if not path.exists():
        raise InputError("file not found", source=label)
    if path.is_dir():
        raise InputError("is a directory, expected a CSV, Excel or Parquet file", source=label)
    name = path.name.lower()
    start = _first_bytes(path)
    sep = ","
    if name.endswith((".parquet", ".pq")) or start.startswith(PARQUET_MAGIC):  # a Parquet file named .csv too
        frame, header, row_word, first, sheet = _read_parquet(path, label), None, "record", 1, None
    elif start.startswith((ZIP_MAGIC, OLE_MAGIC)) and (name.endswith(WORKBOOKS) or is_workbook(path)):
        # By content: a workbook named .csv is read as one, and a CSV named .xlsx as a CSV.
        frame, header, first, sheet = read_workbook(path, label, sheet, needs)
        row_word = "row"
    else:
        _refuse_workbook(start, label)
        frame, header, first, sep = _read_csv(path, label)
        row_word, sheet = "row", None
    columns = header if header is not None else [str(c) for c in frame.columns]
    columns, frame = _without_empty_tail(columns, frame)
    for j, col in enumerate(columns):
        if not col:
            raise InputError(f"column {j + 1} of the header has no name", source=label, path="header")
        if columns.index(col) != j:
            raise InputError(f"column '{col}' appears twice in the header", source=label, path="header")
    frame.columns = columns
    rows = np.arange(first, first + len(frame), dtype=np.int64)
    blank = frame.isna().all(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    hidden = hidden_rows(path, sheet).intersection(rows.tolist()) if sheet is not None else frozenset()
    return RawTable(frame=frame, rows=rows, row_word=row_word, blank_rows=int(blank.sum()), decimal_comma=sep == ";",
                    sheet=sheet, hidden_rows=hidden)


# The first bytes of a Parquet file, and of the files a user may have renamed to .csv.
PARQUET_MAGIC = b"PAR1"
_RENAMED = {ZIP_MAGIC: "a zip file but not a workbook", OLE_MAGIC: "an Office file but not a workbook"}


def _first_bytes(path: Path) -> bytes:
    """The file's first four bytes as stored (a ``.gz`` is not opened), or ``b""`` when unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(4)
    except OSError:
        return b""  # the reader says what is wrong with the file


def _refuse_workbook(start: bytes, label: str) -> None:
    """Refuse a zip file or an old workbook renamed to ``.csv``, which would otherwise be called "not UTF-8 text".

    A workbook so renamed is read (``is_workbook``); what is left is another zip or Office file
    (a Word document), and the way out is to save the sheet.
    """
    for magic, what in _RENAMED.items():
        if start.startswith(magic):
            raise InputError(f"cannot read file: it is {what}, not a CSV (renamed?); save the sheet as an Excel "
                             "workbook (.xlsx) or as CSV UTF-8 (Excel: File › Save As)", source=label)  # noqa: RUF001 (Excel's menu)


def _without_empty_tail(columns: list[str], frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """The columns without the unnamed, wholly empty ones at the end of the header.

    Excel writes a separator for every column ever touched (``a,b,c,,,``), so such a tail is
    the spreadsheet's, not the data's. An unnamed column that holds a value, or one before a
    named column, is kept, for the header check to refuse.
    """
    keep = len(columns)
    while keep and not columns[keep - 1] and frame.iloc[:, keep - 1].isna().all():
        keep -= 1
    return columns[:keep], frame.iloc[:, :keep]


def _encoding(path: Path) -> str:
    """UTF-16 for a file that starts with its byte-order mark (Excel's "Unicode text"), else UTF-8.

    The mark makes UTF-16 unambiguous, so such a file is read as it is; any other encoding
    (Windows-1252, say) cannot be told apart reliably and is refused with the way to save it.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            start = handle.read(2)
    except OSError:
        return "utf-8-sig"  # unreadable: pandas names the problem
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def _read_csv(path: Path, label: str) -> tuple[pd.DataFrame, list[str], int, str]:
    """All cells as text, the header, the file's row number of the first data row, and the separator.

    The header is read as a row so that repeated names are not renamed. Blank lines above it
    (some exports start with one) are skipped, and rows keep the numbers the file shows. The
    separator is the header's (``_separator``).
    """
    encoding = _encoding(path)
    above = _blank_lines_above_header(path, encoding)
    first = _header_line(path, encoding)
    sep = _separator(first)
    try:
        raw = pd.read_csv(
            path, header=None, dtype=str, keep_default_na=False, na_values=[""],
            skip_blank_lines=False, encoding=encoding, skiprows=above, sep=sep,
        )
    except pd.errors.EmptyDataError:
        raise InputError("file is empty (expected a header row)", source=label) from None
    except pd.errors.ParserError as exc:
        raise _parse_error(str(exc), label, sep, lambda: _rest_of_the_rows(path, encoding, above, sep)) from None
    except UnicodeDecodeError:
        raise InputError(NOT_UTF8, source=label) from None
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__}: {_first_line(exc)})", source=label) from None
    if raw.empty:
        raise InputError("file is empty (expected a header row)", source=label)
    header = ["" if pd.isna(c) else str(c).strip() for c in raw.iloc[0]]
    frame = _strip(raw.iloc[1:].reset_index(drop=True))
    _refuse_other_separator(frame, sep, above + 2, label)
    return frame, header, above + 2, sep


def _text_lines(path: Path, encoding: str) -> IO[str]:
    """The file as lines of text, through gzip for a ``.gz`` (undecodable bytes replaced)."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, errors="replace")
    return path.open(encoding=encoding, errors="replace")


def _blank_lines_above_header(path: Path, encoding: str, limit: int = 1000) -> int:
    """How many blank (or whitespace-only) lines come before the first line with text."""
    try:
        with _text_lines(path, encoding) as handle:
            for n, line in enumerate(handle):
                if line.strip() or n >= limit:
                    return n
    except (OSError, EOFError):
        return 0  # read_csv says what is wrong with the file
    return 0


def _header_line(path: Path, encoding: str) -> str:
    """The file's first line with text (its header, below any blank lines), or ``""``."""
    try:
        with _text_lines(path, encoding) as handle:
            return next((line for line in handle if line.strip()), "")
    except (OSError, EOFError):
        return ""  # read_csv says what is wrong with the file


_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _separator(header: str) -> str:
    """The separator of a file whose header line is ``header``: the one it holds most, a comma on a tie.

    Besides commas: tabs (Excel's "Unicode text" and "Text (Tab delimited)", whose cells may hold
    unquoted commas) or semicolons: a spreadsheet set to a locale whose decimal mark is the comma
    (German, French, ...) writes its "CSV", even "CSV UTF-8 (Comma delimited)", with
    semicolons, and cannot be told to do otherwise without changing the computer's regional
    settings. The most frequent wins because such a header may hold a comma of its own
    (``Name, Vorname;Abteilung;...``). Quoted names are left out of the count.
    """
    bare = re.sub(r'"[^"]*"', "", header)
    counts = {sep: bare.count(sep) for sep in (",", "\t", ";")}  # a comma first: it wins a tie
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _refuse_other_separator(frame: pd.DataFrame, sep: str, first: int, label: str) -> None:
    """Refuse rows written with another separator than the header's (two exports pasted together), all in one line.

    Such a row reads as one cell holding the whole line, and the error would otherwise be a
    blank level in a file whose levels are all there.
    """
    if frame.shape[1] < 2 or frame.empty:
        return
    # The second cell first: blank in few rows, so the whole-row check runs on few (100,000 rows: 1 ms, not 50).
    maybe = np.flatnonzero(frame.iloc[:, 1].isna().to_numpy() & frame.iloc[:, 0].notna().to_numpy())
    alone = maybe[frame.iloc[maybe, 2:].isna().all(axis=1).to_numpy()]
    if not alone.size:
        return
    cells = frame.iloc[alone, 0]
    enough = max(1, frame.shape[1] // 2)  # a whole row's worth of separators, not a name's one comma
    for other in (o for o in _SEPARATOR_NAMES if o != sep):
        holds = np.flatnonzero(cells.str.count(re.escape(other)).to_numpy() >= enough)
        if holds.size:
            rows = first + alone[holds]
            also = f"; also, {counted(rows.size - 1, 'more such row')}: {row_runs(rows[1:])}" if rows.size > 1 else ""
            raise InputError(f"one cell holding {_SEPARATOR_NAMES[other]}s where the header has {frame.shape[1]} "
                             f"columns separated by {_SEPARATOR_NAMES[sep]}s: rows written with another separator? "
                             f"save the file again with one separator throughout{also}", source=label,
                             path=f"row {int(rows[0])}")


def _parse_error(message: str, label: str, sep: str = ",",
                 rest: Callable[[], tuple[list[int], int | None]] | None = None) -> InputError:
    """The tokenizer's message in the words of the other row errors, with the usual cause.

    A row with more cells than the header is nearly always an unquoted separator inside a
    value: in a comma-separated file, a decimal comma from a spreadsheet set to a European
    locale (``3,5``) or a name. The tokenizer counts every line of the file, the skipped blank
    ones above the header too. It stops at the first such row; ``rest`` (:func:`_rest_of_the_rows`)
    finds the others, and a quote left open below them, so that all are said in the one line,
    capped as the loader's problems are (:func:`row_runs`), rather than one per attempt.
    """
    quote = _open_quote(message)
    if quote is not None:
        return InputError(f"{OPEN_QUOTE}; close it, or remove it", source=label, path=f"row {quote}")
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found is None:
        detail = message.strip().splitlines()[-1] if message.strip() else "malformed CSV"
        return InputError(f"cannot parse CSV: {detail}", source=label)
    expected, line, saw = found.groups()
    if expected == "1" and int(saw) > 1:  # a report title above the header: the header read as one cell
        return InputError(f"the first line with text has one cell but row {line} has {saw}: a title or note above "
                          "the column names? delete the lines above the header", source=label, path=f"row {line}")
    if sep != ",":
        detail = f"{saw} cells where the header has {expected}; a value holding a {_SEPARATOR_NAMES[sep]} needs quotes"
    else:
        detail = (f"{saw} cells where the header has {expected}; a value holding a comma (a decimal comma such as 3,5, "
                  "or a name) needs quotes, or write decimals with a point")
    long_rows, quote = rest() if rest is not None else ([], None)
    others = [n for n in long_rows if n != int(line)]
    if others:
        detail += (f"; also, {counted(len(others), 'more row')} with more cells than the header: "
                   f"{row_runs(np.array(others))}")
    if quote is not None:
        detail += f"; {'and' if others else 'also,'} in row {quote}, {OPEN_QUOTE}"
    return InputError(detail, source=label, path=f"row {line}")


OPEN_QUOTE = "a quote (\") opens a value that no quote closes before the end of the file"


def _open_quote(message: str) -> int | None:
    """The row of the file where the tokenizer's "EOF inside string" error says the open quote is, or None."""
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    return int(quote.group(1)) + 1 if quote is not None else None  # the tokenizer counts rows from 0, the file from 1


def _rest_of_the_rows(path: Path, encoding: str, above: int, sep: str) -> tuple[list[int], int | None]:
    """Every row with more cells than the header, and the row of a quote no quote closes (or None).

    Numbered as the tokenizer's error numbers the first such row: the file is read again by the
    same tokenizer, told to skip such rows and warn of each (pandas says them only as warnings).
    Only a file already refused is read so. A quote left open ends the read, as it would a good one.
    """
    quote = None
    with warnings.catch_warnings(record=True) as caught:  # process-wide, but only for a file already refused
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False,
                        encoding=encoding, skiprows=above, sep=sep, on_bad_lines="warn")
        except pd.errors.ParserError as exc:
            quote = _open_quote(str(exc))
        except (UnicodeDecodeError, OSError, EOFError, ValueError):
            pass  # the first read said nothing of these: the rows found so far
    return [int(n) for w in caught for n in re.findall(r"Skipping line (\d+): expected", str(w.message))], quote


def _read_parquet(path: Path, label: str) -> pd.DataFrame:
    """A Parquet file with every column turned to text (integral floats lose their ``.0``)."""
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many unrelated types for a bad file
        raise InputError(f"cannot read Parquet file ({exc.__class__.__name__}: {_first_line(exc)})",
                         source=label) from None
    out = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            out[str(name)] = _text(_as_string(column.combine_chunks()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(f"column '{name}' of type {column.type} cannot be read as text ({_first_line(exc)})",
                             source=label, path="header") from None
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))


def _as_string(arr: pa.Array) -> pa.Array:
    """A typed Arrow column as text: ``7.0`` in a float column (ids with gaps) reads as ``7``.

    A timestamp column of dates only (pandas' type for dates) reads as the dates, so that a
    message quotes a hire date as the user knows it.
    """
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_timestamp(arr.type) and arr.type.tz is None:  # dates as pandas writes them: midnight each
        with contextlib.suppress(pa.ArrowInvalid):  # a time of day somewhere: kept; a date column reads the date
            arr = pc.cast(arr, pa.date32())  # '2010-11-22', not '2010-11-22 00:00:00.000000000'
    if pa.types.is_floating(arr.type):
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
        values = arr.to_numpy(zero_copy_only=False)
        finite = values[np.isfinite(values)]
        if np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53):
            arr = pc.cast(arr, pa.int64())
    if pa.types.is_large_string(arr.type) or not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _text(arr: pa.Array) -> np.ndarray:
    """Trimmed text as an object array, blanks as missing.

    Done with Arrow's string kernels: pandas' ``.str.strip`` loops in Python, which alone took
    seconds on a 100,000-row file.
    """
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    values = arr.to_numpy(zero_copy_only=False).astype(object)
    values[arr.is_null().to_numpy(zero_copy_only=False)] = np.nan
    return values


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip spaces around every cell of a text frame; a cell of only spaces is blank."""
    out = {col: _text(pa.array(frame[col].to_numpy(dtype=object), type=pa.string(), from_pandas=True))
           for col in frame.columns}
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"
