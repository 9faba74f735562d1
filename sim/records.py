"""Append-only records a run keeps: the event log and the ledgers that outcome metrics read.

Events are what happened to whom, in plain words, for people to read. Ledgers hold decisions
whose consequences are judged later (did a promotion stick after the window? did development
spend lead to the move the person wanted?), as growable numpy columns so that phases can update
outcomes in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PENDING, FAILED, SUCCEEDED = -1, 0, 1


class EventLog:
    """Events as batches of (step, uid, kind, details); becomes a DataFrame at the end."""

    def __init__(self) -> None:
        self._batches: list[tuple[int, np.ndarray, str, Sequence[str] | str]] = []
        self.enabled = True

    def add(self, step: int, uids: np.ndarray, kind: str, details: Sequence[str] | str = "") -> None:
        """Record ``kind`` for each uid; ``details`` is one string for all or one per uid."""
        if not self.enabled or len(uids) == 0:
            return
        self._batches.append((step, np.asarray(uids, dtype=np.int64).copy(), kind, details))

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
        details = np.concatenate(
            [np.full(len(u), d, dtype=object) if isinstance(d, str) else np.asarray(d, dtype=object)
             for _, u, _, d in self._batches]
        )
        return pd.DataFrame({"step": steps, "employee": uids, "kind": kinds, "details": details})


class Ledger:
    """Growable numpy columns with an ``outcome`` column that starts PENDING.

    Args:
        columns: Column names and dtypes (``outcome`` and ``decided`` are added).
    """

    def __init__(self, columns: dict[str, type]):
        self._dtypes = {**columns, "outcome": np.int8, "decided": np.int32}
        self._cap = 64
        self.n = 0
        self.cols = {k: np.zeros(self._cap, dtype=t) for k, t in self._dtypes.items()}

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Add records (all columns of equal length); returns their indices."""
        k = len(next(iter(values.values())))
        while self.n + k > self._cap:
            self._cap *= 2
            for name, col in self.cols.items():
                grown = np.zeros(self._cap, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self.cols[name] = grown
        idx = np.arange(self.n, self.n + k)
        for name, value in values.items():
            self.cols[name][idx] = value
        self.cols["outcome"][idx] = PENDING
        self.cols["decided"][idx] = -1
        self.n += k
        return idx

    def decide(self, idx: np.ndarray, outcome: np.ndarray | int, step: int) -> None:
        """Settle pending records (already settled ones are left as they are)."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.broadcast_to(np.asarray(outcome, dtype=np.int8), idx.shape)
        ok = (idx >= 0) & (idx < self.n)
        idx, out = idx[ok], out[ok]
        pending = self.cols["outcome"][idx] == PENDING
        self.cols["outcome"][idx[pending]] = out[pending]
        self.cols["decided"][idx[pending]] = step

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]
