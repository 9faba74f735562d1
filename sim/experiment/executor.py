"""Where runs execute: one ``concurrent.futures`` seam for in-process, a process pool and Dask.

The runner only ever sees a :class:`concurrent.futures.Executor` and a width (how many runs can
execute at once). Sequential runs use :class:`SequentialExecutor`, the local pool is a
``ProcessPoolExecutor`` and Dask is ``Client.get_executor()``. Because every run is a pure
function of its :class:`~sim.experiment.design.RunTask` (scenario content and seed), the numbers
do not depend on which executor ran them.

:func:`execute_run` is the worker function. It never raises for a problem inside the model: the
traceback goes into the outcome, so one bad run is recorded as failed and the others go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import logging
import math
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from sim.errors import InputError
from sim.experiment.design import RunTask
from sim.wording import counted

ExecutorKind = Literal["sequential", "processes", "dask"]


@dataclass
class RunOutcome:
    """What one run sends back: status, timing, summary and (optionally) its time series and promotions."""

    run_id: str
    status: Literal["ok", "failed"]
    error: str | None
    duration: float
    started: float
    worker: str
    summary: dict[str, float] = field(default_factory=dict)
    timeseries: pd.DataFrame | None = None
    promotions: pd.DataFrame | None = None
    code: tuple[str, str] = ("", "")  # the engine that ran it (``worker_code``), for ``refuse_other_code``


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity and container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (not on Linux)
        return max(1, os.cpu_count() or 1)


@functools.cache
def worker_code() -> tuple[str, str]:
    """``fingerprint.code_digest`` of this process's engine, worked out at its first run and kept.

    Kept, since a worker goes on running the code it loaded whatever happens to the files
    after: a digest taken at the first run describes every run the process makes.
    """
    from sim.experiment import fingerprint  # noqa: PLC0415

    return fingerprint.code_digest()


def execute_run(task: RunTask) -> RunOutcome:
    """Run one simulation; a failure becomes a 'failed' outcome with the traceback, never an exception."""
    from sim.scenario import load_scenario  # noqa: PLC0415 (import in the worker, not at pickling)
    from sim.simulation import promotion_table, run_model  # noqa: PLC0415

    started = time.time()
    clock = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        model = run_model(load_scenario(task.content), seed=task.seed, events=False)  # no run keeps the events
        timeseries = promotions = None
        if task.timeseries != "none":  # "none" keeps a sensitivity analysis's thousands of runs lean
            # Only the tables kept are made ("totals" skips the breakdown rows).
            timeseries = model.recorder.timeseries(breakdown=task.timeseries == "all")
            promotions = promotion_table(model)
        summary = {str(k): float(v) for k, v in model.recorder.summary().items()}
    except Exception:  # (a run's failure is data, recorded with its traceback)
        return RunOutcome(run_id=task.run_id, status="failed", error=traceback.format_exc(),
                          duration=time.perf_counter() - clock, started=started, worker=worker, code=worker_code())
    return RunOutcome(run_id=task.run_id, status="ok", error=None, duration=time.perf_counter() - clock,
                      started=started, worker=worker, summary=summary, timeseries=timeseries, promotions=promotions,
                      code=worker_code())


RunFunction = Callable[[RunTask], RunOutcome]


class SequentialExecutor(cf.Executor):
    """Runs each call in this process when it is submitted: the reference executor for debugging."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        """Call ``fn`` now and return a finished future holding its result or exception."""
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # (handed to the caller through the future)
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing runs in the background, so there is nothing to wait for."""
        self._shutdown = True


def _init_worker() -> None:
    """Prepare a pool worker: leave Ctrl-C to the parent, and never outlive it.

    The parent saves finished runs and stops the pool on Ctrl-C, so workers ignore SIGINT. The
    parent stops them with SIGTERM, whose handler a forked worker inherits from the command line
    (``sim.cli``: SIGTERM as Ctrl-C), which printed a KeyboardInterrupt traceback per worker: a
    worker ends at SIGTERM, quietly. After a ``kill -9`` of the parent nothing stops the pool, and
    its workers would wait forever for work: a watchdog thread ends the worker once it has been
    re-parented.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="promosim-orphan-watchdog", daemon=True).start()


def _ready() -> int:
    """A no-op whose only job is to make the pool start its workers."""
    return os.getpid()


def start_method() -> str:
    """``fork`` while this process has no other threads, else ``forkserver``.

    Forked workers start at once with the model already imported, which matters: importing Mesa
    costs seconds, a fair share of a short experiment. Forking a process that runs other threads
    (a progress bar, a Dask client) can copy a lock in a held state, so then workers come from a
    forkserver that has imported the model once, in a clean process.
    """
    return "fork" if threading.active_count() == 1 else "forkserver"


def _stop_now(pool: cf.ProcessPoolExecutor) -> None:
    """On Ctrl-C, end the pool's workers rather than wait for their current (possibly long) runs.

    Their runs are not in the store yet, so the next invocation simply runs them again.
    """
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle on the workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


@dataclass(frozen=True)
class ExecutorSpec:
    """Which executor to open.

    Attributes:
        kind: ``sequential``, ``processes`` (local pool) or ``dask``.
        workers: Pool size, or the number of LocalCluster workers for Dask without an address.
        address: An existing Dask scheduler (``tcp://host:port``).
    """

    kind: ExecutorKind = "processes"
    workers: int | None = None
    address: str | None = None

    def describe(self) -> str:
        """A short description for progress lines and reports, in plain words ("300 runs on 2 worker processes").

        An org-design trial read "process pool (2 workers)" as jargon.
        """
        if self.kind == "sequential":
            return "this process, one run at a time"
        if self.kind == "processes":
            return counted(self.workers or available_cores(), "worker process", "worker processes")
        if self.address:
            return f"Dask scheduler at {self.address}"
        return f"Dask LocalCluster ({counted(self.workers or 2, 'worker')})"  # (2: _dask_client's default)


def executor_from_options(workers: int | None, dask_address: str | None, dask_local: int | None) -> ExecutorSpec:
    """The command-line executor options to a spec: ``--workers 1`` means in-process."""
    if dask_address:
        return ExecutorSpec(kind="dask", address=dask_address)
    if dask_local:
        return ExecutorSpec(kind="dask", workers=dask_local)
    n = workers or available_cores()
    return ExecutorSpec(kind="sequential", workers=1) if n == 1 else ExecutorSpec(kind="processes", workers=n)


@contextlib.contextmanager
def open_executor(spec: ExecutorSpec) -> Iterator[tuple[cf.Executor, int]]:
    """Open the executor; yields it with its width (runs that can execute at once).

    A process pool's width is fixed; a Dask cluster's is the one at the start, and
    :meth:`DaskExecutor.width` tells it again later.

    Raises:
        InputError: When no Dask scheduler answers at the address (``hear_scheduler``).
        SchedulerGone: When the Dask scheduler (a LocalCluster's too) went away after it answered,
            while the client connected, waited for workers or checked their code: not the
            address's fault, so not an ``InputError`` (a scheduler killed then was "cannot check
            which promosim code the Dask workers run", exit code 2, or a traceback).
        WorkerLostError: When a worker was lost while its code was checked (``check_worker_code``).
        ClusterNotStartedError: When a LocalCluster (``--dask-local``) could not start.
    """
    if spec.kind == "sequential":
        yield SequentialExecutor(), 1
        return
    if spec.kind == "processes":
        n = spec.workers or available_cores()
        method = start_method()
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["sim.experiment.executor", "sim.simulation"])
        pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker)
        try:
            if method == "fork":
                pool.submit(_ready).result()  # forks every worker now, before any thread starts
            yield pool, n
        except BaseException:
            _stop_now(pool)
            raise
        pool.shutdown(wait=True, cancel_futures=True)
        return
    source = "--dask-address" if spec.address else "--dask-local"
    with _dask_client(spec) as client:
        try:
            if spec.address and not client.nthreads():
                # A scheduler whose workers never connected (another address, a firewall) showed
                # nothing at all, the bar at 0 when there was one: say what is being waited for.
                print(f"note: the Dask scheduler at {spec.address} has no workers yet; waiting for the first "
                      "to connect (Ctrl-C to stop)", file=sys.stderr, flush=True)
                client.wait_for_workers(1)
            check_worker_code(client, source)
            width = sum(client.nthreads().values()) or 1
        except OSError as exc:  # Dask's words for a lost connection (CommClosedError, a reconnect that timed out)
            raise SchedulerGone(f"the Dask client lost its scheduler as it connected ({exc})") from None
        executor = DaskExecutor(client, source)
        try:
            yield executor, width
        finally:
            executor.shutdown(wait=False)


class WorkerLostError(Exception):
    """A Dask worker was lost while ``check_worker_code`` asked it which code it runs: no fault of the input.

    It was "cannot check which promosim code the Dask workers run", exit code 2, the code of bad
    input, as if the command line or the workers' install were wrong. The runner stops with
    ``runner.SchedulerLostError`` (exit code 1, the command that resumes).

    Args:
        worker: The worker's address.
        why: What the connection to it said, as one line.
    """

    def __init__(self, worker: str, why: str):
        self.worker, self.why = worker, why
        super().__init__(f"the Dask worker {worker} was lost ({why})")


class ClusterNotStartedError(Exception):
    """A LocalCluster (``--dask-local``) did not start; ``reason`` says why, as the cluster's process told it.

    Started again after the one before stopped (workers killed), a cluster that could not start
    ended the command in a traceback; the runner stops with ``runner.SchedulerLostError`` instead.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"the Dask LocalCluster did not start ({reason})")


class SchedulerGone(cf.BrokenExecutor):
    """The Dask client gave up on its scheduler: no run in flight will finish, and no run is to blame.

    Runs lost so are never recorded as failed (which would need ``--retry-failed``): when no
    fresh executor is left to try, the runner stops with ``runner.SchedulerLostError`` instead.
    """


class DaskExecutor(cf.Executor):
    """``Client.get_executor()``, and a way to tell that its client lost the scheduler.

    When the scheduler goes (killed, its machine lost), the client tries to reconnect for a
    while, closes, and the futures of the runs in flight never finish: the command waited for
    them forever (a researcher's trial, with the scheduler killed mid-run). :meth:`lost` says so;
    the runner then counts those runs as lost to the machinery and tries a fresh executor.
    """

    def __init__(self, client: Any, source: str = "--dask-address"):
        from sim.experiment import fingerprint  # noqa: PLC0415

        self.client = client
        self.source = source
        self.code = fingerprint.code_digest()
        self._inner = client.get_executor(pure=False)

    def refuse_other_code(self, outcome: RunOutcome) -> None:
        """Refuse a run made by other promosim code than this command's, before it is stored.

        ``check_worker_code`` checks the workers connected at the start; one that joins later
        (an adaptive cluster, ``dask worker`` started from another checkout after the command)
        now gets its share of runs, so every outcome says which engine made it and is checked
        here. The runs stored before it stay: they were made by this command's code.

        Raises:
            InputError: Naming the worker and where each side's code comes from.
        """
        theirs, where = getattr(outcome, "code", ("", "")) or ("", "")  # an older worker's outcome has none
        if theirs != self.code[0]:
            raise InputError(other_code(outcome.worker or "?", theirs or "none", where or "an older promosim",
                                        *self.code) + "; its run was not stored, the runs stored before it are "
                             "kept: run the same command again to resume", source=self.source)

    def lost(self) -> str | None:
        """Why this executor can finish no more runs, or ``None`` while its client is connected."""
        if self.client.status in ("closing", "closed"):
            return f"the Dask client lost its scheduler ({self.client.status})"
        return None

    def width(self) -> int | None:
        """Threads on the cluster's workers now, or ``None`` when the scheduler does not say in time.

        A cluster can grow (workers joining, an adaptive cluster) or shrink while an experiment
        runs, and the runner sizes its window by this. It is one round trip to the scheduler
        (about a millisecond), given at most ``WIDTH_TIMEOUT``: a busy or lost scheduler never
        holds the runner up, which keeps its window and tells a lost scheduler by :meth:`lost`.
        """
        if self.client.status != "running":
            return None
        try:  # callback_timeout is Client.sync's, which nthreads calls
            return sum(self.client.nthreads(callback_timeout=WIDTH_TIMEOUT).values())
        except Exception:  # (no answer in time, a client closing meanwhile: the window stays as it was)
            return None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        """Submit to the cluster, or raise ``SchedulerGone`` when the scheduler is gone."""
        reason = self.lost()
        if reason:
            raise SchedulerGone(reason)
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel what is still submitted; nothing to cancel on a client that has closed.

        Cancelling through a closed client raised, and that error replaced a Ctrl-C's, so the
        command said "stopped" without where the finished runs are.
        """
        if self.lost():
            return
        self._inner.shutdown(wait=wait)


def check_worker_code(client: Any, source: str = "--dask-address") -> None:
    """Refuse Dask workers whose engine is not the code of this command.

    A worker imports its own ``sim``; one started from another checkout or an older install
    runs other code, while the report and ``metadata.json`` record this command's version (a
    worker started from another folder ran a whole experiment unnoticed). Only the workers
    connected now are checked.

    Raises:
        InputError: Naming the first differing worker and where each side's code comes from.
        WorkerLostError: A worker's connection failed while it was asked (it died, its machine was lost).
        OSError: The client lost its scheduler (no fault of the workers': ``open_executor`` says so).
    """
    import cloudpickle  # noqa: PLC0415 (Dask's own dependency)

    from sim.experiment import fingerprint  # noqa: PLC0415

    # Sent by value: a worker with other code may not have this function at all.
    cloudpickle.register_pickle_by_value(fingerprint)
    here, folder = fingerprint.code_digest()
    try:  # a worker's own error comes back as its answer: only the connection's is raised
        found = client.run(fingerprint.checked_digest, on_error="return")
    except OSError:
        raise
    except Exception as exc:  # (the check could not be sent)
        raise InputError(f"cannot check which promosim code the Dask workers run ({exc})", source=source) from None
    # The check's own errors are answers (checked_digest), so an error here is the connection's (an OSError:
    # Dask's CommClosedError, a connection refused or timed out), or the worker's Python could not unpickle it.
    for address, answer in sorted(found.items()):
        if isinstance(answer, OSError):
            raise WorkerLostError(address, answer.__class__.__name__)
    failed = next((answer for answer in found.values() if isinstance(answer, BaseException)), None)
    if failed is not None:  # (a worker that cannot even run the check)
        raise InputError(f"cannot check which promosim code the Dask workers run ({failed})", source=source)
    for address, (theirs, where) in sorted(found.items()):
        if theirs == fingerprint.FAILED:
            raise InputError(f"cannot check which promosim code the Dask workers run (worker {address}: {where})",
                             source=source)
        if theirs == "none":
            raise InputError(f"worker {address} cannot import promosim (no 'sim' package on its Python path), "
                             "so it cannot run the simulations; install promosim where it runs, or start it with "
                             f"PYTHONPATH={os.path.dirname(folder)} (where this command imports it from)",
                             source=source)
        if theirs != here:
            raise InputError(other_code(address, theirs, where, here, folder), source=source)


def other_code(worker: str, theirs: str, where: str, here: str, folder: str) -> str:
    """Why a worker running other promosim code is refused (``check_worker_code``, ``refuse_other_code``)."""
    return (f"worker {worker} runs other promosim code ({where}, digest {theirs}) than this command ({folder}, "
            f"digest {here}), so the results would not be those of the version the report names; install the "
            "same version on every worker")


WIDTH_TIMEOUT = 0.5  # seconds the runner waits for the scheduler to say how many threads its workers have
UNREACHABLE = "cannot reach the Dask scheduler"  # how that error starts: the runner tells a lost scheduler by it
CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler; Dask may retry within it
GREETING_TIMEOUT = 10.0  # seconds more for a --dask-address scheduler to answer once connected


@contextlib.contextmanager
def _dask_client(spec: ExecutorSpec) -> Iterator[Any]:
    """A Dask client on an existing scheduler or on a LocalCluster started (and stopped) here."""
    try:
        import distributed  # noqa: PLC0415, F401 (optional heavy import)
    except ImportError:  # pragma: no cover (a dependency of the package)
        raise InputError("Dask is not installed: pip install 'dask[distributed]'", source="executor") from None
    if spec.address:
        hear_scheduler(spec.address)
        with _client(spec.address) as client:
            yield client
        return
    with _local_cluster(spec.workers or 2) as address, _client(address) as client:
        yield client


@contextlib.contextmanager
def _client(address: str) -> Iterator[Any]:
    """A client of the scheduler at ``address``, just heard (``hear_scheduler``, or a LocalCluster that started).

    Raises:
        SchedulerGone: When it no longer answers: it went away, the address was right (this was
            "cannot reach the Dask scheduler", exit code 2, the code of a wrong address).
    """
    from distributed import Client  # noqa: PLC0415 (optional heavy import)

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as exc:  # TimeoutError too
        raise SchedulerGone(f"the Dask scheduler at {address} stopped answering ({exc.__class__.__name__})") from None
    with _quiet_lost_connection():  # around close() too: Dask may log as the client closes
        try:
            yield client
        finally:
            client.close()


# Where Dask (and tornado, asyncio under it) log, in this process, that the scheduler was lost.
LOST_CONNECTION_LOGGERS = ("distributed.client", "distributed.batched", "distributed.core", "distributed.utils",
                           "tornado.application", "asyncio")
RECONNECT_FAILED = "Failed to reconnect to scheduler"  # how distributed.client's giving up starts


class _LostConnectionFilter(logging.Filter):
    """Drops a log record about a lost connection to the scheduler: Dask's giving up, or a closed comm's traceback.

    And the traceback of the client's reconnecting, cancelled by its closing: a scheduler lost
    while the command waited for its first worker is given up on at once, while the client is
    still trying to reconnect, and Dask logged two tracebacks of ``CancelledError`` for that.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(RECONNECT_FAILED):
            return False
        import asyncio  # noqa: PLC0415

        from distributed.comm.core import CommClosedError  # noqa: PLC0415 (Dask is imported by now)
        from tornado.iostream import StreamClosedError  # noqa: PLC0415

        return not (record.exc_info and isinstance(record.exc_info[1], (CommClosedError, StreamClosedError,
                                                                        asyncio.CancelledError)))


@contextlib.contextmanager
def _quiet_lost_connection() -> Iterator[None]:
    """Keep Dask's own log records about a lost scheduler off the screen while this command's client is open.

    A scheduler killed mid-experiment printed "distributed.client - ERROR - Failed to reconnect to
    scheduler after 10.00 seconds, closing client", and at times tornado's 40-line traceback of a
    result that could not be gathered, above the command's own line, which says what was lost,
    what is saved and how to resume (a researcher's trial). Only those records, from these loggers,
    while the client is open: Dask's other messages, and anything logged before or after (another
    client of a notebook's), are shown as Dask's configuration says.
    """
    quiet = _LostConnectionFilter()
    loggers = [logging.getLogger(name) for name in LOST_CONNECTION_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def hear_scheduler(address: str) -> None:
    """Make sure a Dask scheduler answers at ``address`` before a client waits on it.

    Dask bounds the connection, not the scheduler's greeting after it: at a port where another
    service listens (``tcp://HOST:8787``, the dashboard's; a web server) the client waited for
    that greeting forever, with no word (a researcher's trial), and a service that answered
    something else had Dask read its bytes as a message length and ask for exabytes ("not enough
    memory for this organisation"). One connection and greeting, within a deadline, in a thread
    of its own (the caller may run an event loop: a notebook), tells both apart from a scheduler.

    The command line asks once before it plans and compiles, so that a wrong address is said
    before that work, and a scheduler that answered then but not when the runs start is told
    from one that never answered (``run_design``'s ``scheduler_heard``).

    Raises:
        InputError: Starting as a scheduler that cannot be reached, and saying what answered.
    """
    import asyncio  # noqa: PLC0415

    from dask.utils import parse_timedelta  # noqa: PLC0415 (optional heavy import)
    from distributed.comm import connect  # noqa: PLC0415
    from distributed.security import Security  # noqa: PLC0415

    # As the Client connects: a tls:// scheduler takes the certificates of Dask's configuration
    # (distributed.comm.tls); without them every TLS scheduler read as "not a Dask scheduler".
    connection_args = Security().get_connection_args("client")

    async def greet() -> None:
        comm = await connect(address, timeout=CONNECT_TIMEOUT, **connection_args)  # its greeting is read inside
        await comm.close()

    deadline = parse_timedelta(CONNECT_TIMEOUT) + GREETING_TIMEOUT
    failed: list[BaseException] = []

    def probe() -> None:
        try:
            asyncio.run(asyncio.wait_for(greet(), deadline))
        except Exception as exc:  # (handed to the caller)
            failed.append(exc)

    thread = threading.Thread(target=probe, name="promosim-scheduler-probe", daemon=True)
    thread.start()
    thread.join()  # a Ctrl-C ends the wait; the thread ends with the process
    if not failed:
        return
    exc = failed[0]
    port = "the scheduler's port (8786 unless `dask scheduler --port` says otherwise), not the dashboard's"
    if isinstance(exc, TimeoutError):
        detail = (f": something there accepted the connection but did not answer as a Dask scheduler within "
                  f"{deadline:g} s; is it {port}?")
    elif isinstance(exc, (OSError, ValueError)):  # ValueError: an address scheme Dask does not know
        detail = f" ({exc.__class__.__name__})"
    elif isinstance(exc, TypeError):  # Dask's words for a tls:// address with no certificates to connect with
        detail = (": a tls:// address needs Dask's TLS configuration (distributed.comm.tls: ca-file, and the client's "
                  "cert and key)")
    else:
        detail = f": something there answered, but not as a Dask scheduler does; is it {port}?"
    raise InputError(f"{UNREACHABLE} at {address}{detail}", source="--dask-address")


@contextlib.contextmanager
def _local_cluster(workers: int) -> Iterator[str]:
    """A Dask LocalCluster in a process of its own session (:mod:`sim.experiment.cluster`); yields its address.

    In a session of its own the cluster never sees the terminal's Ctrl-C, and this process keeps
    its handler throughout, then stops the cluster and saves the finished runs. The cluster
    closes when its stdin does, so also when this process is killed, and at once after a Ctrl-C
    or an error here. Its import path is this process's, so that its workers import the same
    ``sim`` (which ``check_worker_code`` verifies).

    Raises:
        ClusterNotStartedError: When the cluster could not start, with why.
    """
    from sim.experiment.cluster import NOT_STARTED  # noqa: PLC0415 (the cluster's own module, light)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    helper = subprocess.Popen([sys.executable, "-m", "sim.experiment.cluster", str(workers)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert helper.stdin is not None and helper.stdout is not None
    try:
        address = helper.stdout.readline().strip()
        if not address or address.startswith(NOT_STARTED):  # (none: it ended before it could say, with exit code)
            raise ClusterNotStartedError(address.removeprefix(NOT_STARTED) or f"exit code {helper.wait()}")
        yield address
    except BaseException:
        helper.terminate()  # at once, also while it starts; it closes the cluster on its way out
        raise
    finally:
        helper.stdin.close()
        helper.stdout.close()
        try:
            helper.wait(timeout=30)
        except subprocess.TimeoutExpired:  # its workers end with it (Dask's own watch on their parent)
            helper.kill()
            helper.wait()


def window_size(width: int) -> int:
    """How many runs to keep submitted at once: enough to keep workers busy, few enough to stop fast.

    ``width`` is the runs that can execute at once; for Dask, the threads of the workers connected
    now (:meth:`DaskExecutor.width`), re-read while the runs go out.
    """
    return max(2, math.ceil(2 * width))
