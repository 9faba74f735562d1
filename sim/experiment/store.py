"""The result store: a folder of partitioned Parquet that survives Ctrl-C, kill -9 and re-runs.

Layout of an output folder::

    experiment.json            the resolved design (arms, seeds, planned run ids)
    metadata.json              versions, git revision, executor, command of the latest invocation
    sessions.jsonl             the same for every invocation; batch ids start with the session id
    scenarios/<scenario>.yaml  each scenario as it ran (every default spelled out; a grid's at its first point)
    runs/part-<batch>.parquet                  one row per finished run (the commit record)
    summaries/scenario=<label>/part-<batch>.parquet   run_id, arm, replication, metric, value
    timeseries/scenario=<label>/part-<batch>.parquet  run_id, arm, replication, step, year, metric, ...

Every part of a table is written with that table's one Arrow schema, pandas metadata included
(:func:`with_pandas_dtypes`), so a store reads back with the same dtypes (``level`` Int64,
``group`` string) whatever executor, batching or merging produced its parts.

When an invocation ends normally its batches are merged into one part per table and partition
(:meth:`ResultStore.compact`), so a long experiment does not leave thousands of small files. The
merged parts are named after the run ids they hold (``part-merged-<digest>``) and sorted by run,
so the summaries, time series and promotions of the same runs are the same bytes in every folder
(docs/experiments.md, "What is byte-identical").

Finished runs are written in small batches as they arrive. Each file is written to a hidden
temporary name and renamed into place (atomic on POSIX), and a batch's ``runs`` part is written
last: a batch is committed exactly when its runs part exists. Opening the store deletes parts of
uncommitted batches, so a kill between files leaves no half batch behind. A run is skipped on
re-run when its id is in the runs table, so nothing is lost and nothing duplicated. A lock file
keeps two processes from writing the same folder at once.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.errors import InputError, output_folder
from sim.experiment.design import RunTask, canonical_json
from sim.experiment.executor import RunOutcome
from sim.scenario import closest, read_yaml, unknown_key


def with_pandas_dtypes(schema: pa.Schema, notes: Mapping[str, str] | None = None, **dtypes: str) -> pa.Schema:
    """``schema`` with the pandas metadata of a frame of these dtypes (the rest as Arrow maps them).

    pandas restores dtypes from the metadata pyarrow records in each file, and pyarrow records
    the dtypes of whatever frame was written. Parts come from many frames (a batch, a merge, a
    rewrite after :meth:`ResultStore.drop_runs`), and a part written without the record reads a
    nullable integer back as float64, so one store read Int64 and another float64 for the same
    numbers. Fixing the record once per table, and stamping it on every part, ends that.

    Args:
        schema: The table's Arrow schema.
        notes: This table's own column notes (``described``).
        **dtypes: pandas dtypes for columns whose Arrow default is not wanted (``level="Int64"``).
    """
    template = schema.empty_table().to_pandas().astype(dtypes)
    return described(pa.Table.from_pandas(template, schema=schema, preserve_index=False).schema, notes)


# What each column holds, written into the files (a field's "description"), so that a table read
# without these docs (an archived dataset, another language's Parquet reader) says what it is.
COLUMN_NOTES = {
    "run_id": "the run's id: a hash of its resolved scenario, parameters, replication and seed",
    "experiment": "the experiment's name",
    "scenario": "the arm's scenario label",
    "arm": "the arm (scenario or grid point) the run belongs to",
    "point": "the grid or sample point's index (0 when there is none)",
    "parameters": "the point's parameter values, as JSON",
    "replication": "the replication number; runs of the same replication share a seed across arms",
    "seed": "the run seed: promosim run SCENARIO --seed SEED repeats the run",
    "status": "ok or failed",
    "error": "a failed run's traceback",
    "duration": "seconds the run took",
    "started": "when the run started (UTC)",
    "worker": "host:pid of the process that ran it",
    "batch": "the commit batch, prefixed by the session that wrote it (sessions.jsonl)",
    "step": "recorded month, 1 = the first month after the warm-up",
    "year": "recorded year, (step - 1) // 12 + 1",
    "metric": "the metric's name (docs/ODD.md 7.12; report.md says what each means)",
    "value": "the metric's value (NaN where it is undefined)",
    "level": "the level, 0 = entry; empty on rows that are not by level",
    "group": "the group; empty on rows that are not by group",
    "track": "specialist or management, the track of the post held; empty on rows that are not by track",
    "employee": "the person's id in the engine (the events' employee)",
    "kind": "the event's kind",
    "details": "what happened, in words",
    "id": "the person's id in the organisation file",
    "from_level": "the level promoted from, 0 = entry",
    "to_level": "the level promoted to",
    "unwanted": "the person did not want to move up, or wanted the other track",
    "timing": "the person wanted this move, but later",
    "wrong_fit": "competence below promotion.fit_threshold on arrival",
    "outcome": "stuck, failed (stepped back, left, or below the fit threshold when the window closed) or pending",
    "settled_step": "the month the outcome was settled; empty while pending",
}


def described(schema: pa.Schema, own: Mapping[str, str] | None = None) -> pa.Schema:
    """``schema`` with each column's note as its field's ``description`` metadata.

    Args:
        schema: The table's columns.
        own: Notes of this table that replace ``COLUMN_NOTES``'s: a name shared by tables may
            mean another thing in one (the promotions' ``group`` is never empty, as the time
            series' is on rows that are not by group).
    """
    notes = {**COLUMN_NOTES, **(own or {})}
    return pa.schema([field.with_metadata({"description": notes[field.name]})
                      if field.name in notes else field for field in schema], metadata=schema.metadata)


RUNS_SCHEMA = with_pandas_dtypes(pa.schema([
    ("run_id", pa.string()),
    ("experiment", pa.string()),
    ("scenario", pa.string()),
    ("arm", pa.string()),
    ("point", pa.int64()),
    ("parameters", pa.string()),
    ("replication", pa.int64()),
    ("seed", pa.int64()),
    ("status", pa.string()),
    ("error", pa.string()),
    ("duration", pa.float64()),
    ("started", pa.timestamp("ms", tz="UTC")),
    ("worker", pa.string()),
    ("batch", pa.string()),
]))
SUMMARY_SCHEMA = with_pandas_dtypes(pa.schema([
    ("run_id", pa.string()),
    ("arm", pa.string()),
    ("replication", pa.int64()),
    ("metric", pa.string()),
    ("value", pa.float64()),
]))
# level, group and track are null on the totals rows: the engine's own dtypes (SimulationResult.timeseries).
TIMESERIES_SCHEMA = with_pandas_dtypes(pa.schema([
    ("run_id", pa.string()),
    ("arm", pa.string()),
    ("replication", pa.int64()),
    ("step", pa.int64()),
    ("year", pa.int64()),
    ("metric", pa.string()),
    ("value", pa.float64()),
    ("level", pa.int64()),
    ("group", pa.string()),
    ("track", pa.string()),
]), level="Int64", group="string", track="string")
# One row per promotion of a run (``sim.simulation.promotion_table``), so that ledger rates such as
# the stick rate can be broken down by group, level or track: in ``run --out``'s promotions.parquet
# and, over every replication, in an experiment's ``promotions`` table.
PROMOTION_COLUMNS = [
    ("step", pa.int64()), ("employee", pa.int64()), ("group", pa.string()), ("from_level", pa.int64()),
    ("to_level", pa.int64()), ("track", pa.string()), ("unwanted", pa.bool_()), ("timing", pa.bool_()),
    ("wrong_fit", pa.bool_()), ("outcome", pa.string()), ("settled_step", pa.int64()),
]
# A name shared with the time series means another thing here: a promotion always has a group and a
# track (that of the post promoted into), where the time series' are empty on rows not by group.
PROMOTION_NOTES = {"group": "the person's group",
                   "track": "specialist or management, the track of the post promoted into"}
PROMOTIONS_SCHEMA = with_pandas_dtypes(
    pa.schema([("run_id", pa.string()), ("arm", pa.string()), ("replication", pa.int64()), *PROMOTION_COLUMNS]),
    PROMOTION_NOTES, group="string", track="string", outcome="string", settled_step="Int64")
PARTITION = ds.partitioning(pa.schema([("scenario", pa.string())]), flavor="hive")
# The tables written per scenario beside the runs table, each batch's part committed by the runs part.
RUN_TABLES = {"summaries": SUMMARY_SCHEMA, "timeseries": TIMESERIES_SCHEMA, "promotions": PROMOTIONS_SCHEMA}
TABLES = ("runs", *RUN_TABLES)
_HELD: set[Path] = set()  # folders this process is writing
COMPACTION = "_compaction.json"
# Each table's row order in a merged part: run_id, then the keys that make a row unique within a
# run (the totals rows of the time series, whose level, group and track are empty, last), so that
# the order is total and the same whatever order the runs finished in.
SORT_KEYS = {"runs": ("run_id",), "summaries": ("run_id", "metric"),
             "timeseries": ("run_id", "step", "metric", "level", "group", "track"),
             "promotions": ("run_id", "step", "employee")}
MERGE_ROWS = 500_000  # rows of a merged part read into memory at once, and so of its row groups
READ_TRIES = 5  # reads of a table that a writer keeps merging away under it, before giving up


def refuse_inside_tables(out: str | Path) -> None:
    """Refuse an output folder inside another experiment's tables (``runs/``, ``summaries/``, ...).

    Each table is read as one Parquet dataset of every file under its folder, so results written
    there (an experiment's ``experiment.json``, a run's ``summary.parquet``) become part of the
    other experiment's table, and its report then fails on files that are not its parts.

    Raises:
        InputError: One line naming the folder and the table it would be written into.
    """
    folder = Path(out).resolve()  # ".." and symlinks too: the folder the files would land in
    for parent in folder.parents:
        if parent.name in TABLES and (parent.parent / "experiment.json").is_file():
            raise InputError(f"is inside the '{parent.name}' table of the experiment in {parent.parent}, which "
                             "reads every file under it; give an --out outside that folder's tables",
                             source=str(out))
    if folder.name in TABLES and (folder.parent / "experiment.json").is_file():
        raise InputError(f"is the '{folder.name}' table of the experiment in {folder.parent}; give another --out",
                         source=str(out))


class ResultStore:
    """One experiment's output folder.

    Use as a context manager to write (it takes the lock and tidies interrupted batches);
    reading needs no lock.

    Args:
        root: The output folder (created when writing).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock_fd: int | None = None
        self._key: Path | None = None
        self._session = uuid.uuid4().hex[:8]
        self._batches = 0

    # -- writing -------------------------------------------------------------------------------
    def __enter__(self) -> ResultStore:
        """Create the folder, take the lock and drop what an interrupted writer left half done."""
        refuse_inside_tables(self.root)
        output_folder(self.root)
        busy = InputError("another promosim process is writing to this folder; wait for it or choose another "
                          "--out", source=str(self.root))
        key = self.root.resolve()
        # POSIX record locks belong to the process (and closing any descriptor of the file drops
        # them), so writers inside this process are kept apart here, before the file is opened.
        if key in _HELD:
            raise busy
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            # A record lock, not flock: forked pool workers do not inherit it, so it goes with
            # this process even when a worker outlives it for a moment.
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise busy from None
        _HELD.add(key)
        self._lock_fd, self._key = fd, key
        self.tidy()
        return self

    def __exit__(self, *exc: object) -> None:
        """Release the lock (the kernel also releases it if the process is killed)."""
        if self._lock_fd is not None:
            fcntl.lockf(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            _HELD.discard(self._key)
            self._lock_fd = None

    def tidy(self) -> list[Path]:
        """Delete temporary files and parts of batches whose runs part was never written.

        An interrupted compaction is finished when its merged runs part exists (then the parts
        it merged go) and undone otherwise (then its merged parts go).
        """
        removed = []
        marker = self.root / COMPACTION
        if marker.exists():
            plan = json.loads(marker.read_text(encoding="utf-8"))
            done = (self.root / "runs" / f"part-{plan['new']}.parquet").exists()
            stale = set(plan["old"]) if done else {plan["new"]}
            for table in TABLES:
                for path in (self.root / table).rglob("part-*.parquet"):
                    if path.stem.removeprefix("part-") in stale:
                        path.unlink()
                        removed.append(path)
            marker.unlink()
        committed = {p.stem.removeprefix("part-") for p in (self.root / "runs").glob("part-*.parquet")}
        for table in TABLES:
            folder = self.root / table
            if not folder.exists():
                continue
            for path in folder.rglob("*"):
                if not path.is_file():
                    continue
                temporary = path.name.startswith(".") and path.name.endswith(".tmp")
                uncommitted = (table != "runs" and path.suffix == ".parquet"
                               and path.stem.removeprefix("part-") not in committed)
                if temporary or uncommitted:
                    path.unlink()
                    removed.append(path)
        return removed

    @property
    def session(self) -> str:
        """The id of this writer: the prefix of every batch it commits."""
        return self._session

    def log_session(self, metadata: dict[str, Any]) -> None:
        """Append this invocation's provenance to sessions.jsonl (one JSON object a line).

        Batches are named after their session, so a report can say which versions made which runs
        even when an experiment was resumed with another version of the code.
        """
        self._require_lock()
        line = json.dumps({"session": self._session, **metadata}, default=str)
        with (self.root / "sessions.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def sessions(self) -> list[dict[str, Any]]:
        """Every logged session, oldest first (a torn last line from a kill is skipped)."""
        path = self.root / "sessions.jsonl"
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def write_json(self, name: str, value: Any) -> None:
        """Write a JSON file beside the tables, atomically."""
        self._atomic_bytes(self.root / name, json.dumps(value, indent=2, default=str).encode("utf-8"))

    def write_text(self, name: str, text: str) -> None:
        """Write a text file (a scenario, a report) beside the tables, atomically."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self._atomic_bytes(path, text.encode("utf-8"))

    def write_batch(self, experiment: str, outcomes: Sequence[RunOutcome], tasks: dict[str, RunTask]) -> str | None:
        """Commit finished runs: summaries and time series first, the runs part last.

        Returns:
            The batch id, or None when there was nothing to write.
        """
        if not outcomes:
            return None
        self._require_lock()
        self._batches += 1
        batch = f"{self._session}-{self._batches:06d}"
        runs = []
        parts: dict[str, dict[str, list[pd.DataFrame]]] = {table: {} for table in RUN_TABLES}
        for out in outcomes:
            task = tasks[out.run_id]
            runs.append({
                "run_id": out.run_id, "experiment": experiment, "scenario": task.scenario, "arm": task.arm,
                "point": task.point, "parameters": canonical_json(task.parameters), "replication": task.replication,
                "seed": task.seed, "status": out.status, "error": out.error, "duration": out.duration,
                "started": pd.Timestamp(int(out.started * 1000), unit="ms", tz="UTC"), "worker": out.worker,
                "batch": batch,
            })
            if out.summary:
                parts["summaries"].setdefault(task.scenario, []).append(pd.DataFrame({
                    "run_id": out.run_id, "arm": task.arm, "replication": task.replication,
                    "metric": list(out.summary), "value": list(out.summary.values()),
                }))
            for table, rows in (("timeseries", out.timeseries), ("promotions", out.promotions)):
                if rows is not None and len(rows):
                    frame = rows[RUN_TABLES[table].names[3:]].copy()  # after run_id, arm, replication
                    frame.insert(0, "replication", task.replication)
                    frame.insert(0, "arm", task.arm)
                    frame.insert(0, "run_id", out.run_id)
                    parts[table].setdefault(task.scenario, []).append(frame)
        for table, by_scenario in parts.items():
            for scenario, frames in by_scenario.items():
                self._write_parquet(self.root / table / f"scenario={scenario}" / f"part-{batch}.parquet",
                                    pd.concat(frames, ignore_index=True), RUN_TABLES[table])
        self._write_parquet(self.root / "runs" / f"part-{batch}.parquet", pd.DataFrame(runs), RUNS_SCHEMA)
        return batch

    def compact(self) -> int:
        """Merge every committed batch into one part per table and partition, in a canonical form.

        Runs are committed about once a second, so a long experiment leaves thousands of small
        files, which slow every later read. The merged parts are also what a finished experiment
        is archived as, so they depend on its runs alone: rows sorted by :data:`SORT_KEYS`, and
        the name :meth:`_canonical_batch` of the run ids they hold. Two folders made by the same
        command then hold byte-identical summaries, time series and promotions, whichever
        executor ran them and in whatever order the runs finished (a researcher archiving results
        with checksums could not tell "same results" from "different results" when rows followed
        the order of arrival and names carried the session id).

        Merging is crash-safe: a marker names the merged batch and the batches it replaces; the
        merged runs part is written last (the commit), and :meth:`tidy` finishes or undoes a merge
        that was interrupted.

        Returns:
            The number of batches merged or rewritten (0 when the folder was already canonical).
        """
        self._require_lock()
        old = sorted(self._runs_parts())
        if not old:
            return 0
        name = self._canonical_batch()
        if old == [name]:
            return 0
        merged = old
        if name in old:
            # drop_runs rewrote the canonical part and the retried runs came back with the same ids: the
            # name is taken by a part being merged, and a marker cannot tell the merge from that part. Merge
            # under a fresh name first, then rename that one part.
            self._batches += 1
            merged = [f"{self._session}-{self._batches:06d}"]
            self._merge_batches(old, merged[0])
        self._merge_batches(merged, name)
        return len(old)

    def _canonical_batch(self) -> str:
        """The name of the merged part of the committed runs: a digest of their sorted run ids.

        A name taken from the content, not from the session that merged it, is the same in every
        folder holding the same runs; it cannot be mistaken for a batch id
        (``<session>-<number>``), and it changes whenever the set of runs does.
        """
        ids: set[str] = set()
        for part in (self.root / "runs").glob("part-*.parquet"):
            ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
        digest = hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()
        return f"merged-{digest[:16]}"

    def _merge_batches(self, old: Sequence[str], new: str) -> None:
        """Merge the parts of batches ``old`` into batch ``new``, table by table, the runs part last."""
        self._atomic_bytes(self.root / COMPACTION, json.dumps({"new": new, "old": list(old)}).encode("utf-8"))
        for table, schema in RUN_TABLES.items():
            for folder in sorted((self.root / table).glob("scenario=*")):
                parts = [path for batch in old if (path := folder / f"part-{batch}.parquet").exists()]
                if parts:
                    self._merge(parts, folder / f"part-{new}.parquet", schema, SORT_KEYS[table])
        self._merge([self.root / "runs" / f"part-{batch}.parquet" for batch in old],
                    self.root / "runs" / f"part-{new}.parquet", RUNS_SCHEMA, SORT_KEYS["runs"])
        self.tidy()  # the merged runs part exists: drops the old parts and the marker

    def _merge(self, parts: Sequence[Path], target: Path, schema: pa.Schema, keys: Sequence[str]) -> None:
        """Write the rows of ``parts`` into one file, sorted by ``keys``, a bounded slice of runs at a time.

        The sorted run ids are cut into consecutive ranges of at most about :data:`MERGE_ROWS`
        rows (a run is never split), and each range, sorted, is one row group: memory stays flat
        however large the table, and since the cuts depend only on the runs held (not on how they
        were batched), so do the row groups and the file's bytes. With more than one range, each
        part is read once and its rows dealt into a temporary file per range first (reading every
        part again for each range made a 10,000-run table's merge quadratic).
        """
        ranges = _run_ranges(parts)
        order = [(key, "ascending") for key in keys]
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:6]}.tmp")
        with contextlib.ExitStack() as scratch:
            sources = [list(parts)] if len(ranges) == 1 else self._dealt(parts, ranges, schema, target, scratch)
            with tmp.open("wb") as fh:
                with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
                    for (first, last), source in zip(ranges, sources, strict=True):
                        table = ds.dataset([str(p) for p in source], format="parquet", schema=schema).to_table(
                            filter=(ds.field("run_id") >= first) & (ds.field("run_id") <= last))
                        table = table.take(pc.sort_indices(table, sort_keys=order))  # empty keys last
                        writer.write_table(_conform(table, schema), row_group_size=max(table.num_rows, 1))
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)

    @staticmethod
    def _dealt(parts: Sequence[Path], ranges: Sequence[tuple[str, str]], schema: pa.Schema, target: Path,
               scratch: contextlib.ExitStack) -> list[list[Path]]:
        """Deal the rows of ``parts`` into one temporary file per range of run ids; returns each range's file.

        Every part is read once. The files are removed when ``scratch`` closes, after the merge or
        on an error; a crash leaves hidden ``.tmp`` names, which no reader lists.
        """
        files = [target.with_name(f".{target.name}.{uuid.uuid4().hex[:6]}.range{k}.tmp") for k in range(len(ranges))]
        for path in files:
            scratch.callback(path.unlink, missing_ok=True)
        firsts = [first for first, _ in ranges]
        writers = [pq.ParquetWriter(str(path), schema) for path in files]
        try:
            for part in parts:
                table = _conform(pq.read_table(part, schema=schema), schema)
                # Each row's range, through its run's (a part holds few runs, a run many rows).
                runs = pc.unique(table.column("run_id"))
                range_of_run = np.array([bisect.bisect_right(firsts, run) - 1 for run in runs.to_pylist()])
                where = range_of_run[pc.index_in(table.column("run_id"), value_set=runs).to_numpy()]
                for k in np.unique(where):
                    writers[k].write_table(table.filter(pa.array(where == k)))
        finally:
            for writer in writers:
                writer.close()
        return [[path] for path in files]

    def drop_runs(self, run_ids: Iterable[str]) -> int:
        """Forget runs (e.g. failed ones before a retry), rewriting the parts that hold them."""
        self._require_lock()
        drop = set(run_ids)
        count = 0
        for path in sorted((self.root / "runs").glob("part-*.parquet")):
            table = pq.read_table(path, schema=RUNS_SCHEMA)
            ids = table.column("run_id").to_pylist()
            hit = sum(1 for i in ids if i in drop)
            if not hit:
                continue
            count += hit
            kept = table.filter(pa.array([i not in drop for i in ids]))
            # Summaries, series and promotions of the dropped runs would become orphans: drop them too.
            for sub, schema in RUN_TABLES.items():
                for part in (self.root / sub).glob(f"scenario=*/{path.name}"):
                    other = pq.read_table(part, schema=schema)
                    other = other.filter(pa.array([i not in drop for i in other.column("run_id").to_pylist()]))
                    if other.num_rows:
                        self._write_table(part, other, schema)
                    else:
                        part.unlink()
                        self._remove_if_empty(part.parent)
            if kept.num_rows:
                self._write_table(path, kept, RUNS_SCHEMA)
            else:
                path.unlink()
        return count

    @staticmethod
    def _remove_if_empty(folder: Path) -> None:
        """Remove a ``scenario=`` folder left with no part: an empty one read as a scenario without runs."""
        with contextlib.suppress(OSError):  # not empty (another part, or a reader's own file)
            folder.rmdir()

    def _require_lock(self) -> None:
        if self._lock_fd is None:
            raise RuntimeError("open the store with 'with ResultStore(dir) as store:' before writing")

    def _write_parquet(self, path: Path, frame: pd.DataFrame, schema: pa.Schema) -> None:
        table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
        self._write_table(path, table, schema)

    def _write_table(self, path: Path, table: pa.Table, schema: pa.Schema) -> None:
        """Write one part atomically, in exactly ``schema`` (see :func:`with_pandas_dtypes`)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
        with tmp.open("wb") as fh:
            pq.write_table(_conform(table, schema), fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def _atomic_bytes(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    # -- reading -------------------------------------------------------------------------------
    def exists(self) -> bool:
        """True when the folder holds an experiment (its design was written)."""
        return (self.root / "experiment.json").exists()

    def read_json(self, name: str) -> dict[str, Any]:
        """A JSON file beside the tables ({} when missing)."""
        path = self.root / name
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def design(self) -> dict[str, Any]:
        """The design as the run wrote it.

        Raises:
            InputError: When the folder holds no experiment.
        """
        if not self.exists():
            raise InputError("no experiment here (experiment.json is missing)", source=str(self.root))
        return self.read_json("experiment.json")

    def scenarios(self) -> list[Any]:
        """Each scenario as it ran (empty for a folder written before they were kept)."""
        self._check_readable()
        return [read_yaml(path) for path in sorted((self.root / "scenarios").glob("*.yaml"))]

    def scenario(self, label: str) -> dict[str, Any]:
        """The scenario of this label as it ran ({} when the folder keeps no scenarios: before they were kept).

        ``label`` is a scenario's (``design()['arms'][i]['scenario']``), which is also its arms' label
        outside a grid; a grid's or a sensitivity analysis's scenario is kept at its first point.

        Raises:
            InputError: The folder keeps its scenarios, but none of this label: a mistyped label
                read as {}, and ``scenario["years"]`` then failed with a bare KeyError. An arm's
                label at a grid or sample point is named with its scenario's.
        """
        self._check_readable()
        path = self.root / "scenarios" / f"{label}.yaml"
        if path.is_file():
            return read_yaml(path) or {}
        kept = sorted(p.stem for p in (self.root / "scenarios").glob("*.yaml"))
        if not kept:
            return {}
        arm = next((a for a in self.read_json("experiment.json").get("arms") or []
                    if isinstance(a, dict) and a.get("label") == label and a.get("scenario") in kept), None)
        if arm is not None:
            # A grid's or a sample's arm label ("baseline[voice_rate=0.16]") is not a file name: the
            # docs' own example, design()['arms'][0]['label'], failed on a grid with a hint to itself.
            at = ", ".join(f"{key}={value}" for key, value in (arm.get("parameters") or {}).items())
            raise InputError(f"'{label}' is an arm of scenario '{arm['scenario']}': read scenario('{arm['scenario']}') "
                             f"(kept at its first grid or sample point; this arm ran it at {at}, its parameters in "
                             "design()['arms'])", source=str(self.root))
        raise InputError(f"{unknown_key(str(label), kept, 'scenario label')} (the arms' scenarios, as in "
                         "design()['arms'][i]['scenario'])", source=str(self.root))

    def runs(self, design_only: bool = False) -> pd.DataFrame:
        """Every committed run (one row per run id); with ``design_only``, only the current design's.

        A folder keeps every run ever written to it (a trial with ``--replications 2``, another
        comparison into the same ``--out``); ``design_only`` keeps those of ``experiment.json``,
        the runs its report counts.
        """
        self._check_readable()
        return self._read("runs", RUNS_SCHEMA, partitioned=False, where=self._design_filter(design_only))

    def finished(self) -> dict[str, str]:
        """run_id -> status for every committed run."""
        runs = self._read("runs", pa.schema([RUNS_SCHEMA.field("run_id"), RUNS_SCHEMA.field("status")]),
                          partitioned=False)
        return dict(zip(runs["run_id"], runs["status"], strict=True))

    def summaries(self, design_only: bool = False) -> pd.DataFrame:
        """Per-run summary values: scenario, run_id, arm, replication, metric, value (``design_only``: as ``runs``)."""
        self._check_readable()
        return self._read("summaries", SUMMARY_SCHEMA, where=self._design_filter(design_only))

    def timeseries(self, metrics: str | Sequence[str] | None = None, design_only: bool = False, *,
                   missing_ok: bool = False) -> pd.DataFrame:
        """Stored time series, optionally only some metrics (filtered while reading; ``design_only``: as ``runs``).

        Args:
            metrics: A metric name or names; None for every metric.
            design_only: Only the current design's runs, as in ``runs``.
            missing_ok: Leave out names the folder does not store instead of refusing them (the
                report asks for metrics that older folders, or the summary alone, hold).

        Raises:
            InputError: A metric the folder's time series does not hold: a mistyped name, or
                one name given as a plain string, read as its letters, gave an empty table.
        """
        self._check_readable()
        names = [metrics] if isinstance(metrics, str) else list(metrics or ())
        filt = ds.field("metric").isin(names) if names else None
        frame = self._read("timeseries", TIMESERIES_SCHEMA, where=_both(filt, self._design_filter(design_only)))
        if names and not missing_ok:
            self._refuse_unstored(set(names) - set(frame["metric"].unique()))
        return frame

    def _refuse_unstored(self, missing: set[str]) -> None:
        """Name the metrics asked for that the time series does not hold, and those it does."""
        if not missing:
            return
        stored = sorted(set(self._read("timeseries", TIMESERIES_SCHEMA)["metric"].unique()))
        missing -= set(stored)  # only absent from the runs asked for (``design_only``)
        if not missing:
            return
        if not stored:
            raise InputError("holds no time series (runs with timeseries: none, such as a sensitivity "
                             "analysis's, keep only their summaries)", source=str(self.root))
        named = ", ".join(f"'{m}'" + (f" (did you mean '{close}'?)" if (close := closest(m, stored)) else "")
                          for m in sorted(missing))
        raise InputError(f"the time series holds no {named}; it holds {', '.join(stored)} (each group's ledger "
                         "rates are in summaries() only: ODD 7.12.5)", source=str(self.root))

    def promotions(self, design_only: bool = False) -> pd.DataFrame:
        """Every stored run's promotions and how each settled (runs with ``timeseries: none`` store none).

        ``outcome == "stuck"`` among a run's promotions made by ``months - stick_window_months`` is
        its ``promotion_stick_rate``, so the same share by ``to_level`` or ``track`` is its
        breakdown, run by run and so with replications to put an interval on. ``design_only``:
        as ``runs``.
        """
        self._check_readable()
        return self._read("promotions", PROMOTIONS_SCHEMA, where=self._design_filter(design_only))

    def _check_readable(self) -> None:
        """Refuse to read a folder that is not an experiment's results.

        A missing folder (a typo in the path), a file, or a folder holding neither a design nor
        runs (``promosim run --out``'s single run) read as empty tables: a notebook then
        computed its means over nothing, with no word of why.

        Raises:
            InputError: The folder is missing, is a file, or holds no experiment.
        """
        if not self.root.exists():
            raise InputError("no such folder", source=str(self.root))
        if not self.root.is_dir():
            raise InputError("is a file, not a results folder", source=str(self.root))
        if not self.exists() and not (self.root / "runs").is_dir():
            single = (self.root / "summary.parquet").exists() or (self.root / "summary.csv").exists()
            hint = ("it holds one run's tables (promosim run --out): read them with pandas.read_parquet" if single
                    else "promosim compare and promosim experiment run write one")
            raise InputError(f"not an experiment's results folder (no experiment.json, no runs/); {hint}",
                             source=str(self.root))

    def _design_filter(self, design_only: bool) -> Any:
        """A read filter keeping the current design's runs, or None for every run."""
        if not design_only:
            return None
        return ds.field("run_id").isin([task[0] for task in self.design()["tasks"]])

    def _read(self, table: str, schema: pa.Schema, partitioned: bool = True, where: Any = None) -> pd.DataFrame:
        folder = self.root / table
        # With the schema's pandas metadata, so this reader and pd.read_parquet give the same dtypes.
        full = (pa.schema([*schema, pa.field("scenario", pa.string())], metadata=schema.metadata) if partitioned
                else schema)
        for _ in range(READ_TRIES):
            seen = self._runs_stamps()
            committed = set(seen)
            parts = self._committed_parts(table, committed)
            try:
                frame = (ds.dataset([str(p) for p in parts], format="parquet", schema=full,
                                    partitioning=PARTITION if partitioned else None, partition_base_dir=str(folder))
                         .to_table(filter=where).to_pandas()) if parts else full.empty_table().to_pandas()
            except FileNotFoundError:
                # A writer (another process) merged or dropped parts after they were listed: that is no
                # damage, and "move that file away" was the wrong advice. List them again.
                continue
            except (pa.ArrowInvalid, OSError) as exc:
                # Parts are written under a temporary name and renamed, so a kill leaves none half written; a
                # damaged one (a disk, a copy cut short) was a pyarrow traceback, also on every resume.
                raise InputError(f"a part of its '{table}' table cannot be read ({str(exc).splitlines()[0]}); move "
                                 "that file away together with runs/part-<batch>.parquet of the same name, then run "
                                 "the same command again: the runs of that batch run again",
                                 source=str(self.root)) from None
            # A batch committed meanwhile is simply not read; a runs part gone meanwhile (a merge's tidy-up)
            # may have taken parts of this table with it before they were listed, and one written anew
            # (drop_runs, or a merge whose name, taken from the runs, was that of a part it replaced) may
            # have changed them while they were read: read again.
            now = self._runs_stamps()
            if all(now.get(batch) == stamp for batch, stamp in seen.items()):
                return frame
        raise InputError(f"its '{table}' table kept changing while it was read (another promosim process is "
                         "merging or dropping its parts); run the command again once that process is done",
                         source=str(self.root))

    def _runs_stamps(self) -> dict[str, tuple[int, int, int]]:
        """Each committed batch with the inode, time and size of its runs part, to tell a rewrite from the same file.

        A merged part is named after the runs it holds (:meth:`_canonical_batch`), so a name can
        come back with other contents: a name alone cannot tell a reader that what it listed
        was replaced while it read.
        """
        stamps = {}
        for path in (self.root / "runs").glob("part-*.parquet"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # merged away meanwhile: not committed now
                continue
            stamps[path.stem.removeprefix("part-")] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        return stamps

    def _runs_parts(self) -> set[str]:
        """The batches whose runs part is on disk: the committed ones."""
        return {p.stem.removeprefix("part-") for p in (self.root / "runs").glob("part-*.parquet")}

    def _committed_parts(self, table: str, committed: set[str] | None = None) -> list[Path]:
        """The parts of ``table`` that :meth:`tidy` would keep: those of committed batches, a merge's once committed.

        Reading needs no lock, so a folder can be read before a writer has tidied it: after a kill
        during :meth:`compact`, both the merged parts and the parts they replace are on disk, and
        reading every file counted each run twice (``experiment report`` failed on the duplicates;
        ``summaries()`` returned them). The same rule as ``tidy``: a merge counts once its runs part
        exists, and then the parts it merged do not. Only batches in ``committed`` (by default those
        committed now) are kept, the runs table's too: a merged runs part written by a writer after
        ``committed`` was listed would otherwise be read beside the parts it merges.
        """
        folder = self.root / table
        if not folder.is_dir():
            return []
        committed = self._runs_parts() if committed is None else committed
        stale: set[str] = set()
        marker = self.root / COMPACTION
        if marker.exists():
            try:
                plan = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # gone meanwhile: the writer finished its merge
                plan = None
            if plan is not None:
                stale = set(plan["old"]) if plan["new"] in committed else {plan["new"]}
        return sorted(path for path in folder.rglob("part-*.parquet")
                      if (batch := path.stem.removeprefix("part-")) not in stale and batch in committed)


def _both(first: Any, second: Any) -> Any:
    """Two read filters (either may be None) as one."""
    return second if first is None else first if second is None else first & second


def _run_ranges(parts: Sequence[Path]) -> list[tuple[str, str]]:
    """The run ids of ``parts`` cut, in sorted order, into ranges of at most about :data:`MERGE_ROWS` rows.

    A run is never split (a run larger than that is a range of its own); no rows give one
    empty range, so that a merge still writes its file with the table's schema.
    """
    rows: dict[str, int] = {}
    for part in parts:
        counts = pq.read_table(part, columns=["run_id"]).column("run_id").value_counts()
        for run_id, n in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True):
            rows[run_id] = rows.get(run_id, 0) + n
    ranges: list[tuple[str, str]] = []
    size = 0
    for run_id in sorted(rows):
        if ranges and size + rows[run_id] <= MERGE_ROWS:
            ranges[-1] = (ranges[-1][0], run_id)
            size += rows[run_id]
        else:
            ranges.append((run_id, run_id))
            size = rows[run_id]
    return ranges or [("", "")]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` in ``schema``'s column order and types, with its metadata and no other.

    ``from_pandas`` records the dtypes of the frame at hand and a read with an explicit schema
    drops the record, so the metadata is replaced here rather than trusted.
    """
    return table.select(schema.names).cast(schema).replace_schema_metadata(schema.metadata)
