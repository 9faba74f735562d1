"""Drive a design's runs through an executor into the store, resumably.

The loop keeps a bounded window of runs submitted (so Ctrl-C stops quickly and memory stays flat
for 100,000-run designs), sized by the executor's width (a Dask cluster's is asked again about
once a second, as workers join or leave), collects outcomes as they finish, and commits them to
the store in small batches (at least once a second). Runs already in the store are skipped,
which is what makes re-running an interrupted command finish the work without repeating any of it.

Two kinds of failure are kept apart. A run whose model raises comes back as a 'failed' outcome
and is recorded with its traceback. A run lost to the machinery (a worker process killed, a
broken pool, a lost Dask worker after Dask's own retries) is retried on a fresh executor, and
only recorded as failed, with the reason, if it is lost again and again. A Dask scheduler lost
and not back is neither: the command stops (:class:`SchedulerLostError`), and the same command
resumes.
"""

from __future__ import annotations

import concurrent.futures as cf
import shutil
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.cli import run_metadata
from sim.errors import ExecutionError, InputError
from sim.experiment.design import Design, RunTask
from sim.experiment.executor import (
    UNREACHABLE,
    ClusterNotStartedError,
    ExecutorSpec,
    RunFunction,
    RunOutcome,
    SchedulerGone,
    WorkerLostError,
    execute_run,
    open_executor,
    window_size,
)
from sim.experiment.progress import NoProgress, Progress
from sim.experiment.store import ResultStore
from sim.wording import counted


@dataclass
class RunStats:
    """What a call to :func:`run_design` did."""

    planned: int
    skipped: int
    ok: int = 0
    failed: int = 0
    retried: int = 0
    elapsed: float = 0.0

    def line(self) -> str:
        """One line for the terminal: how many runs were planned, reused and made, and how the new ones went.

        "12 runs planned, 12 already done, 0 ok" read as twelve failures when every run had
        been reused from an earlier command into the folder (an org-design trial): "0 ok" is
        about the new runs, and there were none.
        """
        new = self.ok + self.failed
        parts = [f"{self.skipped} reused (already in the folder)"] if self.skipped else []
        outcomes = [f"{self.ok} ok"] + [f"{self.failed} failed"] * bool(self.failed) + [
            f"{self.retried} retried after a lost worker"] * bool(self.retried)
        parts.append(f"{new} new ({', '.join(outcomes)})" if new else "none new")
        return f"{counted(self.planned, 'run')} planned: {', '.join(parts)}, in {self.elapsed:.1f} s"


class SchedulerLostError(ExecutionError):
    """The Dask machinery was lost mid-experiment and did not come back: the runs finished before are saved.

    Its scheduler, a worker while its code was checked, or a LocalCluster the command started
    (which then could not start again). Not an ``InputError`` (exit code 2, as it was): the
    command line was right, and the same command resumes once a scheduler and its workers are
    back. A LocalCluster the command started itself is not for the user to bring back: the same
    command starts a new one, and the line says so ("once a scheduler and its workers are back"
    read as a task for them).

    Args:
        what: The executor as ``ExecutorSpec.describe`` names it ("Dask scheduler at tcp://...").
        finished: This design's runs in the store, those of earlier invocations included.
        planned: This design's distinct runs.
        out: The output folder.
        command: The command that resumes (``experiment run`` names it); else "the same command".
        clusters: For a LocalCluster the command started (``--dask-local``), how many times it
            stopped (the runner starts a fresh one after a loss); 0 for a scheduler at an address.
        local: The executor is a LocalCluster the command starts (by default, when one stopped).
        not_started: Why a LocalCluster did not start (``executor.ClusterNotStartedError``): the first,
            or the one started after ``clusters`` stopped.
        worker: A worker lost while its code was checked (``executor.WorkerLostError``), and ``why``.
        why: What the connection to that worker said.
    """

    def __init__(self, what: str, finished: int, planned: int, out: str | Path, command: str | None = None,
                 clusters: int = 0, *, local: bool | None = None, not_started: str = "", worker: str = "",
                 why: str = ""):
        self.what, self.finished, self.planned, self.out, self.clusters = what, finished, planned, out, clusters
        self.local = bool(clusters) if local is None else local
        self.not_started, self.worker, self.why = not_started, worker, why
        if finished:
            lost = (f"after {finished:,} of {planned:,} runs; the {counted(finished, 'finished run')} "
                    f"{'is' if finished == 1 else 'are'} saved in {out}")
            then = "resume"
        else:
            lost = f"before any of its {counted(planned, 'run')} had finished, so none is saved"
            then = "start"
        if self.local:
            how = (f"{then} with the same command, which starts a new cluster: {command}" if command
                   else f"run the same command again to {then} (it starts a new cluster)")
        else:
            back = "the workers are" if worker else "a scheduler and its workers are"
            how = f"once {back} back, " + (f"{then} with: {command}" if command else f"run the same command again "
                                                                                     f"to {then}")
        if worker:
            what_happened = (f"the Dask worker {worker} was lost ({why}) while this command checked which promosim "
                             f"code the workers of the {what} run,")
        elif clusters and not_started:
            again = "" if clusters == 1 else f" {clusters} times"
            what_happened = f"the {what} that this command started stopped{again}, and a new one did not start " \
                            f"({not_started}),"
        elif clusters:
            again = "" if clusters == 1 else f" {clusters} times, the last"
            what_happened = f"the {what} that this command started stopped{again}"
        elif not_started:
            what_happened = f"the {what} did not start ({not_started}),"
        else:
            what_happened = f"the {what} was lost"
        super().__init__(f"{what_happened} {lost}; {how}")

    def resumed_by(self, command: str) -> SchedulerLostError:
        """The same error, naming ``command`` as the one that resumes."""
        return SchedulerLostError(self.what, self.finished, self.planned, self.out, command, self.clusters,
                                  local=self.local, not_started=self.not_started, worker=self.worker, why=self.why)


class _Committer:
    """Buffers outcomes and commits them to the store in batches."""

    def __init__(self, store: ResultStore, design: Design, tasks: dict[str, RunTask], flush_seconds: float,
                 max_batch: int, progress: Progress, stats: RunStats,
                 on_outcome: Callable[[RunOutcome], None] | None):
        self.store, self.design, self.tasks = store, design, tasks
        self.flush_seconds, self.max_batch = flush_seconds, max_batch
        self.progress, self.stats, self.on_outcome = progress, stats, on_outcome
        self.buffer: list[RunOutcome] = []
        self.since = time.monotonic()

    def add(self, outcome: RunOutcome) -> None:
        if not self.buffer:
            self.since = time.monotonic()
        self.buffer.append(outcome)
        if outcome.status == "ok":
            self.stats.ok += 1
        else:
            self.stats.failed += 1
        self.progress.advance(outcome.status == "ok")
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if self.buffer and (len(self.buffer) >= self.max_batch
                            or time.monotonic() - self.since >= self.flush_seconds):
            self.flush()

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        self.store.write_batch(self.design.name, batch, self.tasks)


def write_plan(store: ResultStore, design: Design, metadata: dict[str, Any] | None) -> None:
    """Record what is about to run: the design, the metadata and each scenario as resolved."""
    store.write_json("experiment.json", design.to_json())
    # The session id ties metadata.json (the latest invocation) to its line of sessions.jsonl and
    # its batches, so a report can tell the runs it made from those of earlier invocations.
    store.write_json("metadata.json", {"session": store.session, **(metadata or {})})
    store.log_session(metadata or {})
    seen: set[str] = set()
    for arm in design.arms:
        if arm.scenario in seen:
            continue
        seen.add(arm.scenario)
        note = f"# scenario '{arm.scenario}' from {arm.source}, fully resolved"
        if arm.parameters:
            note += " (shown at its first grid or sample point)"
        store.write_text(f"scenarios/{arm.scenario}.yaml",
                         note + "\n" + yaml.safe_dump(arm.content, sort_keys=False, allow_unicode=True))


def run_design(
    design: Design,
    out: str | Path,
    executor: ExecutorSpec | None = None,
    *,
    progress: Progress | None = None,
    run_fn: RunFunction = execute_run,
    retry_failed: bool = False,
    flush_seconds: float = 1.0,
    max_batch: int = 500,
    attempts: int = 3,
    metadata: dict[str, Any] | None = None,
    on_outcome: Callable[[RunOutcome], None] | None = None,
    scheduler_heard: bool = False,
) -> RunStats:
    """Run every planned run not yet in the store at ``out``.

    Args:
        design: The expanded experiment.
        out: The output folder (created; reused when it exists). A new one is removed again when the
            call stops before any run was stored (an unreachable scheduler, a Ctrl-C).
        executor: Where runs execute; defaults to a process pool on all cores.
        progress: Progress reporting (silent by default).
        run_fn: The worker function (tests swap in one that fails on purpose).
        retry_failed: Forget runs recorded as failed and run them again.
        flush_seconds: Commit finished runs at least this often.
        max_batch: Commit at the latest after this many runs.
        attempts: Executors to try before a run lost to the machinery is recorded as failed.
        metadata: Versions and provenance to keep beside the results (default: ``run_metadata``).
        on_outcome: Called in this process after each finished run (before it is committed).
        scheduler_heard: The Dask scheduler at ``executor.address`` answered the caller before this
            call (``hear_scheduler``: the command line asks before it plans and compiles), so one
            that cannot be reached now went away: ``SchedulerLostError``, not the ``InputError`` of
            an address where no scheduler answered (exit code 2, as it was).

    Returns:
        Counts of what happened.

    Raises:
        SchedulerLostError: A Dask scheduler was lost (also while the client connected, or
            before, with ``scheduler_heard``) and a fresh client could not reach one (or no
            attempt was left); the runs finished before are saved, and none lost with it is
            recorded as failed.
        InputError: No Dask scheduler answers at ``executor.address`` (never heard).
    """
    executor = executor or ExecutorSpec()
    progress = progress or NoProgress()
    if metadata is None:
        metadata = run_metadata(design.seed, executor=executor.describe(), experiment=design.name)
    started = time.monotonic()
    folder = Path(out)
    absent = not folder.exists()
    fresh = absent or (folder.is_dir() and not any(folder.iterdir()))
    # Only a folder this call holds is tidied below: one whose lock another process holds is that
    # process's, though it was new a moment ago (two commands started together on one new --out: the
    # one refused removed the other's plan and lock file while it ran).
    with ResultStore(out) as store:
        try:
            stats = _run_in_store(design, store, out, executor, progress, run_fn, retry_failed, flush_seconds,
                                  max_batch, attempts, metadata, on_outcome, scheduler_heard)
        except BaseException:
            # Stopped before any run was stored (an unreachable scheduler, a Ctrl-C, a scheduler lost before
            # the first run finished): a new folder holding only the plan would look like a started run.
            # Removed while the lock is held, so that no other process starts in it meanwhile.
            if fresh and not store.finished():
                if absent:
                    shutil.rmtree(folder, ignore_errors=True)
                else:  # empty it, not remove it: it may be a symlink, or a mount point, the user made
                    for child in folder.iterdir():
                        if child.is_dir() and not child.is_symlink():
                            shutil.rmtree(child, ignore_errors=True)
                        else:
                            child.unlink(missing_ok=True)
            raise
    stats.elapsed = time.monotonic() - started
    return stats


def finished_runs(out: str | Path, design: Design | None = None) -> int:
    """Runs committed in the store at ``out``, only ``design``'s when given; 0 where there is no store.

    Read without the store's lock (committed batches only), and without making a missing folder.
    """
    if not (Path(out) / "runs").is_dir():
        return 0
    done = ResultStore(out).finished()
    return len(done) if design is None else len({task.run_id for task in design.tasks}.intersection(done))


def _run_in_store(
    design: Design, store: ResultStore, out: str | Path, executor: ExecutorSpec, progress: Progress,
    run_fn: RunFunction, retry_failed: bool, flush_seconds: float, max_batch: int, attempts: int,
    metadata: dict[str, Any], on_outcome: Callable[[RunOutcome], None] | None, scheduler_heard: bool,
) -> RunStats:
    """``run_design`` once its options are settled and its store is open: plan, skip what is done, run the rest."""
    write_plan(store, design, metadata)
    done = store.finished()
    if retry_failed:
        # Only this design's: another design's failed runs in the same folder are its report's to show.
        planned = {t.run_id for t in design.tasks}
        failed = [rid for rid, status in done.items() if status != "ok" and rid in planned]
        store.drop_runs(failed)
        done = {rid: s for rid, s in done.items() if s == "ok"}
    unique: dict[str, RunTask] = {}
    for task in design.tasks:
        unique.setdefault(task.run_id, task)
    todo = [t for rid, t in unique.items() if rid not in done]
    stats = RunStats(planned=len(unique), skipped=len(unique) - len(todo))
    committer = _Committer(store, design, unique, flush_seconds, max_batch, progress, stats, on_outcome)
    showing = False
    gone = 0  # attempts that lost their scheduler (for a LocalCluster, the clusters that stopped)
    try:
        for attempt in range(1, attempts + 1):
            if not todo:
                break
            try:
                with open_executor(executor) as (pool, width):
                    if not showing:  # after the pool started: its workers may be forked from this process
                        progress.start(len(unique), stats.skipped, design.name)
                        showing = True
                    lost = _drive(pool, width, todo, run_fn, committer)
            except SchedulerGone as exc:  # lost while the client connected, after it had answered: no run went out
                lost = [(task, exc) for task in todo]
            except WorkerLostError as exc:  # no run went out, and the workers' code is not known: stop, to resume
                raise _scheduler_lost(executor, stats, out, gone, worker=exc.worker, why=exc.why) from None
            except ClusterNotStartedError as exc:  # (a fresh one after the last stopped, or the first)
                raise _scheduler_lost(executor, stats, out, gone, not_started=exc.reason) from None
            except InputError as exc:
                if (attempt == 1 and not scheduler_heard) or not str(exc.detail).startswith(UNREACHABLE):
                    raise
                # A scheduler heard before and not back: not an input error of the command, and
                # the runs finished so far are kept.
                raise _scheduler_lost(executor, stats, out, gone) from None
            todo = [task for task, _ in lost]
            gone += any(isinstance(exc, SchedulerGone) for _, exc in lost)
            if todo and attempt < attempts:
                stats.retried += len(todo)
                continue
            if any(isinstance(exc, SchedulerGone) for _, exc in lost):  # no run's fault: none recorded as failed
                raise _scheduler_lost(executor, stats, out, gone)
            for task, exc in lost:
                reason = "".join(traceback.format_exception(exc)).strip()
                committer.add(RunOutcome(
                    run_id=task.run_id, status="failed", duration=0.0, started=time.time(), worker="",
                    error=f"lost {attempts} times to the executor, last because of:\n{reason}"))
    finally:
        committer.flush()
        if showing:
            progress.stop()
    store.compact()  # not after an interruption: a resume will merge everything
    return stats


def _scheduler_lost(executor: ExecutorSpec, stats: RunStats, out: str | Path, gone: int,
                    **what_happened: str) -> SchedulerLostError:
    """``SchedulerLostError`` for the runs ``stats`` counts (those still buffered are committed on the way out).

    ``gone``: the tries that lost their scheduler; for a LocalCluster, started afresh at each try, the clusters lost.
    ``what_happened``: ``not_started`` or ``worker`` and ``why``, as ``SchedulerLostError`` takes them.
    """
    return SchedulerLostError(executor.describe(), stats.skipped + stats.ok + stats.failed, stats.planned, out,
                              clusters=0 if executor.address else gone, local=not executor.address, **what_happened)


def _lost(pool: cf.Executor) -> str | None:
    """Why ``pool`` can finish no more runs, for executors that can tell (``DaskExecutor.lost``)."""
    check = getattr(pool, "lost", None)
    return check() if callable(check) else None


WIDTH_SECONDS = 1.0  # how often to ask an executor whose width can change (a Dask cluster) for it


def _say_idle(idle: bool) -> None:
    """Say that a Dask cluster has lost every worker, or that workers are back.

    With every worker gone (killed, their machines lost) the runs wait for one to connect, and the
    command said nothing for as long as that took (a researcher's trial: 30 s of silence).
    """
    if idle:
        print("note: the Dask cluster has no workers now (they left or were lost); the runs wait for one to "
              "connect (Ctrl-C to stop: the finished runs are saved)", file=sys.stderr, flush=True)
    else:
        print("note: Dask workers are back; the runs go on", file=sys.stderr, flush=True)


def _drive(pool: cf.Executor, width: int, todo: Sequence[RunTask], run_fn: RunFunction,
           committer: _Committer) -> list[tuple[RunTask, BaseException]]:
    """Submit ``todo`` through a bounded window; returns the runs lost to the machinery.

    The window follows an executor that can tell its width again (``DaskExecutor.width``): read
    once at the start, workers that joined later sat idle for the whole experiment (a researcher's
    trial). Runs are identified by their seed and stored one by one, so the window changes only
    how many are out at once, never the numbers.
    """
    pending = deque(todo)
    inflight: dict[cf.Future, RunTask] = {}
    lost: list[tuple[RunTask, BaseException]] = []
    window = window_size(width)
    read_width = getattr(pool, "width", None)
    width_read = time.monotonic()
    broken: BaseException | None = None
    idle = False  # the cluster has no workers now: said once, and again when they are back
    while pending or inflight:
        if callable(read_width) and time.monotonic() - width_read >= WIDTH_SECONDS:
            now = read_width()
            width_read = time.monotonic()
            if now is not None:
                window = window_size(now)
                if (now == 0) != idle:
                    idle = now == 0
                    _say_idle(idle)
        while pending and broken is None and len(inflight) < window:
            task = pending.popleft()
            try:
                inflight[pool.submit(run_fn, task)] = task
            except (cf.BrokenExecutor, RuntimeError) as exc:
                lost.append((task, exc))
                broken = exc
        if broken is not None and pending:
            lost.extend((task, broken) for task in pending)
            pending.clear()
        if not inflight:
            break
        finished, _ = cf.wait(inflight, timeout=committer.flush_seconds, return_when=cf.FIRST_COMPLETED)
        gone = _lost(pool) if not finished else None
        if gone:  # the runs in flight will never finish (a Dask scheduler that died)
            broken = SchedulerGone(gone)
            lost.extend((task, broken) for task in inflight.values())
            lost.extend((task, broken) for task in pending)
            inflight.clear()
            pending.clear()
            break
        for future in finished:
            task = inflight.pop(future)
            try:
                outcome = future.result()
            except cf.CancelledError:  # only Dask cancels a run, all of them, when its client loses the scheduler
                lost.append((task, SchedulerGone("the Dask client lost its scheduler (the runs in flight were "
                                                 "cancelled)")))
                continue
            except Exception as exc:  # (lost to the machinery, not to the model)
                lost.append((task, exc))
                if isinstance(exc, cf.BrokenExecutor):
                    broken = exc
                continue
            if callable(refuse := getattr(pool, "refuse_other_code", None)):
                refuse(outcome)  # a Dask worker that joined with other code: stop before storing its run
            committer.add(outcome)
        committer.maybe_flush()
    return lost
