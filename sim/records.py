"""Append-only records a run keeps: the event log and the ledgers that outcome metrics read.

Events are what happened to whom, in plain words, for people to read. Ledgers hold decisions
whose consequences are judged later (did a promotion stick after the window? did development
spend lead to the move the person wanted?), as growable numpy columns so that phases can update
outcomes in bulk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.compiled import jit

PENDING, FAILED, SUCCEEDED = -1, 0, 1


@dataclass(frozen=True)
class Coded:
    """Per-person details of one batch as codes into the batch's few distinct strings.

    A batch of a hundred thousand hires has only as many different details as there are levels,
    so keeping one small integer per person (and the words once) saves the time and memory of a
    Python string per person; the strings are only built when the log is read.

    Attributes:
        labels: The distinct detail strings of the batch.
        codes: For each person, the index of their detail in ``labels``.
    """

    labels: tuple[str, ...]
    codes: np.ndarray

    @classmethod
    def describe(cls, words: Callable[..., str], *columns: np.ndarray) -> Coded:
        """Code people by their combination of ``columns``; ``words`` says each combination once.

        Args:
            words: Gives the detail for one combination, called with one value per column.
            *columns: Equal-length arrays whose values, person by person, decide the detail.
        """
        key = np.zeros(len(columns[0]), dtype=np.int64)
        values = []
        for column in columns:
            uniq, inverse = _factorise(np.asarray(column))
            key = key * uniq.size + inverse
            values.append(uniq)
        combos, codes = np.unique(key, return_inverse=True)
        picked, rest = [], combos
        for uniq in reversed(values):
            rest, digit = np.divmod(rest, uniq.size)
            picked.append(uniq[digit].tolist())
        labels = tuple(words(*combo) for combo in zip(*reversed(picked), strict=True))
        return cls(labels, codes.reshape(-1).astype(np.min_scalar_type(max(len(labels) - 1, 0))))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int) -> str:
        return self.labels[self.codes[i]]

    def decode(self) -> np.ndarray:
        """Every person's detail string (an object array)."""
        return np.asarray(self.labels, dtype=object)[self.codes]


class Described:
    """Per-person details still to be put into words: the columns that decide them, and how.

    The words are made (as a ``Coded``) the first time the details are read. Most events are
    never read one by one while a run goes on, and describing a batch costs more than the rest
    of recording it, so a month of a large model no longer pays for it.

    Args:
        words: Gives the detail for one combination of column values (see ``Coded.describe``).
        columns: One value per person each, as they were when the event happened.
    """

    def __init__(self, words: Callable[..., str], columns: Sequence[np.ndarray]):
        self._words = words
        self._columns = [np.array(column, copy=True) for column in columns]
        self._coded: Coded | None = None

    @property
    def coded(self) -> Coded:
        """The details as codes into their distinct strings (made once, on first use)."""
        if self._coded is None:
            self._coded = Coded.describe(self._words, *self._columns)
            self._columns = []
        return self._coded

    def __len__(self) -> int:
        return len(self.coded)

    def __getitem__(self, i: int) -> str:
        return self.coded[i]

    def decode(self) -> np.ndarray:
        """Every person's detail string (an object array)."""
        return self.coded.decode()

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (or copied) as words: ``words`` is often a closure, which cannot be pickled."""
        return {"_words": None, "_columns": [], "_coded": self.coded}


Details = Sequence[str] | str | Coded | Described


def _factorise(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values a column may hold and each entry's index among them.

    Integer and boolean columns (levels, flags) span a small range, so the range itself serves
    and no sort is needed; other columns (words) go through ``np.unique``.
    """
    if column.dtype.kind in "biu" and column.size:
        low, high = int(column.min()), int(column.max())
        return np.arange(low, high + 1).astype(column.dtype), column.astype(np.int64) - low
    uniq, inverse = np.unique(column, return_inverse=True)
    return uniq, inverse.reshape(-1)


class EventLog:
    """Events as batches of (step, uid, kind, details); becomes a DataFrame at the end."""

    def __init__(self) -> None:
        self._batches: list[tuple[int, np.ndarray, str, Details]] = []
        self.enabled = True

    def add(self, step: int, uids: np.ndarray, kind: str, details: Details = "") -> None:
        """Record ``kind`` for each uid; ``details`` is one string for all, or one per uid (maybe coded)."""
        if not self.enabled or len(uids) == 0:
            return
        self._batches.append((step, np.asarray(uids, dtype=np.int64).copy(), kind, details))

    def add_described(
        self, step: int, uids: np.ndarray, kind: str, words: Callable[..., str], *columns: Any
    ) -> None:
        """Record ``kind`` with per-person details that follow from a few columns (see ``Coded``).

        Nothing is computed while the log is off (the warm-up), so callers need not check, and
        the words themselves are only made when the log is read (``Described``).

        Args:
            step: The month.
            uids: Who the events happened to.
            kind: The kind of event.
            words: Gives the detail for one combination of column values.
            *columns: One value per uid each; equal values give equal details.
        """
        if not self.enabled or len(uids) == 0:
            return
        self.add(step, uids, kind, Described(words, columns))

    def recent(self, n: int) -> list[tuple[int, int, str, str]]:
        """The last ``n`` events, newest last, for live feeds."""
        out: list[tuple[int, int, str, str]] = []
        for step, uids, kind, details in reversed(self._batches):
            for i in range(len(uids) - 1, -1, -1):
                det = details if isinstance(details, str) else details[i]
                out.append((step, int(uids[i]), kind, det))
                if len(out) >= n:
                    return out[::-1]
        return out[::-1]

    def to_frame(self) -> pd.DataFrame:
        """All events: columns step, employee, kind, details."""
        if not self._batches:
            return pd.DataFrame(
                {"step": pd.Series(dtype="int64"), "employee": pd.Series(dtype="int64"),
                 "kind": pd.Series(dtype="str"), "details": pd.Series(dtype="str")}
            )
        steps = np.concatenate([np.full(len(u), s, dtype=np.int64) for s, u, _, _ in self._batches])
        uids = np.concatenate([u for _, u, _, _ in self._batches])
        kinds = np.concatenate([np.full(len(u), k, dtype=object) for _, u, k, _ in self._batches])
        details = np.concatenate([_detail_column(len(u), d) for _, u, _, d in self._batches])
        return pd.DataFrame({"step": steps, "employee": uids, "kind": kinds, "details": details})


def _detail_column(n: int, details: Details) -> np.ndarray:
    """One batch's details as an object array of ``n`` strings."""
    if isinstance(details, str):
        return np.full(n, details, dtype=object)
    if isinstance(details, Coded | Described):
        return details.decode()
    return np.asarray(details, dtype=object)


class Ledger:
    """Growable numpy columns with an ``outcome`` column that starts PENDING.

    Records are settled roughly in the order they were made (every kind of record has a fixed
    window), so the ledger remembers where the oldest pending record is: asking for the pending
    records then costs the length of the open tail, not of the whole (growing) ledger.

    Args:
        columns: Column names and dtypes (``outcome`` and ``decided`` are added).
    """

    def __init__(self, columns: dict[str, type]):
        self._dtypes = {**columns, "outcome": np.int8, "decided": np.int32}
        self._cap = 64
        self.n = 0
        self.cols = {k: np.zeros(self._cap, dtype=t) for k, t in self._dtypes.items()}
        # Records before this one are all settled (records are never reopened); code that walks
        # the open tail itself (``promotions._settle_rows``) moves it on, as ``pending`` does.
        self.first_pending = 0

    def append(self, **values: np.ndarray | float) -> np.ndarray:
        """Add records (arrays of equal length; a scalar is every record's value); returns their indices."""
        k = next(len(v) for v in values.values() if _ndim(v))
        while self.n + k > self._cap:
            self._cap *= 2
            for name, col in self.cols.items():
                grown = np.zeros(self._cap, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self.cols[name] = grown
        new = slice(self.n, self.n + k)
        for name, value in values.items():
            self.cols[name][new] = value
        self.cols["outcome"][new] = PENDING
        self.cols["decided"][new] = -1
        self.n += k
        return np.arange(new.start, new.stop)

    def decide(self, idx: np.ndarray, outcome: np.ndarray | int, step: int) -> None:
        """Settle pending records (already settled ones are left as they are)."""
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return
        out = np.asarray(outcome, dtype=np.int8)
        if out.size != 1 and out.shape != idx.shape:  # let numpy say what is wrong with the shapes
            np.broadcast_to(out, idx.shape)
        _decide_rows(idx.ravel(), out.ravel(), self.cols["outcome"], self.cols["decided"], self.n, step)

    def pending(self) -> np.ndarray:
        """Indices of the records not yet settled, ascending.

        Only the records from the oldest pending one on are looked at (records are never
        reopened, so those before it stay settled).
        """
        start = self.first_pending
        open_ = np.flatnonzero(self.cols["outcome"][start : self.n] == PENDING)
        self.first_pending = start + (int(open_[0]) if open_.size else self.n - start)
        return open_ + start

    def decide_pending_of(
        self, uids: np.ndarray, outcome: int, step: int, where: tuple[str, np.ndarray] | None = None
    ) -> None:
        """Settle the pending records of ``uids`` with ``outcome``, in one compiled pass over the open tail.

        Args:
            uids: Whose pending records to settle.
            outcome: The outcome they get.
            step: The month.
            where: A column and one value per uid: only the records whose column holds their
                uid's value are settled (a promotion settles the development aimed its way).
        """
        uids = np.asarray(uids, dtype=np.int64)
        column, values = where if where is not None else ("outcome", np.zeros(0, dtype=np.int8))
        if where is not None and len(values) != uids.size:  # the compiled pass reads one value per uid
            raise ValueError(f"decide_pending_of: {len(values)} values for {uids.size} uids")
        self.first_pending = _decide_pending_of(
            self.cols["uid"], self.cols["outcome"], self.cols["decided"], self.first_pending, self.n, uids,
            outcome, step, self.cols[column], np.asarray(values),
        )

    def due(self, month: int, window: int) -> np.ndarray:
        """Indices of pending records at least ``window`` months old at ``month``, ascending."""
        first, due = _due_rows(self.cols["outcome"], self.cols["step"], self.first_pending, self.n, month, window)
        self.first_pending = first
        return due

    def decide_due(self, month: int, window: int, outcome: int) -> None:
        """``decide(due(month, window), outcome, month)`` in one compiled call (a monthly chore)."""
        self.first_pending = _decide_due(
            self.cols["outcome"], self.cols["step"], self.cols["decided"], self.first_pending, self.n, month, window,
            outcome,
        )

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]


def _ndim(value: Any) -> int:
    """``np.ndim(value)``, answered directly for arrays and scalars.

    ``np.ndim`` of a plain number goes through numpy's function dispatch and an array made for
    the purpose; ``Ledger.append``, given a scalar or two per call, spent most of its own time there.
    """
    if isinstance(value, np.ndarray):
        return value.ndim
    if isinstance(value, int | float | np.generic):
        return 0
    return np.ndim(value)


@jit
def _decide_rows(idx, out, outcome, decided, n, step) -> None:
    """``Ledger.decide`` on the flat ``idx``; ``out`` holds one outcome per index, or one for all.

    As the numpy version: which records are pending is read before any is settled, and of
    repeated indices the last one's outcome stands.
    """
    pending = np.zeros(idx.size, np.bool_)
    for j in range(idx.size):
        i = idx[j]
        pending[j] = i >= 0 and i < n and outcome[i] == PENDING
    one = out.size == 1
    for j in range(idx.size):
        if pending[j]:
            outcome[idx[j]] = out[0] if one else out[j]
            decided[idx[j]] = step


@jit
def _due_rows(outcome, step, start, n, month, window):
    """``Ledger.due`` in one pass over the open tail: (the new oldest pending record, the due ones)."""
    first = n
    due = np.empty(n - start, np.int64)
    n_due = 0
    for i in range(start, n):
        if outcome[i] == PENDING:
            if first == n:
                first = i
            if month - step[i] >= window:
                due[n_due] = i
                n_due += 1
    return first, due[:n_due]


@jit
def _decide_due(outcome, step, decided, start, n, month, window, result):
    """``Ledger.decide_due``: settle the records ``_due_rows`` finds; returns the new oldest pending record."""
    first, due = _due_rows(outcome, step, start, n, month, window)
    _decide_rows(due, np.full(1, result, np.int8), outcome, decided, n, month)
    return first


@jit
def _uid_table(uids):
    """A lookup table over ``uids``' range: ``table[u - low]`` says whether ``u`` is among them."""
    if uids.size == 0:
        return np.zeros(0, np.bool_), 0
    low, high = uids.min(), uids.max()
    table = np.zeros(high - low + 1, np.bool_)
    for u in uids:
        table[u - low] = True
    return table, low


@jit
def _decide_pending_of(uid, outcome, decided, start, n, uids, result, step, column, values):
    """Settle the pending records (from ``start`` on) of ``uids``; returns the first pending index.

    With ``values`` (one per uid; empty for none), only a record whose ``column`` holds its
    uid's value is settled.
    """
    table, low = _uid_table(uids)
    wanted = np.empty(table.size if values.size else 0, values.dtype)
    for k in range(values.size):
        wanted[uids[k] - low] = values[k]
    first = n
    for i in range(start, n):
        if outcome[i] != PENDING:
            continue
        if first == n:
            first = i
        j = uid[i] - low
        if j >= 0 and j < table.size and table[j] and (values.size == 0 or column[i] == wanted[j]):
            outcome[i] = result
            decided[i] = step
    return first
