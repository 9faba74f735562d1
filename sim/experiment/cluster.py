"""A Dask LocalCluster in a process of its own, for ``--dask-local``: ``python -m sim.experiment.cluster N``.

A terminal's Ctrl-C reaches its whole process group, and Dask's worker processes each printed a
KeyboardInterrupt traceback. Started with SIGINT ignored (as pool workers ignore it), they needed
it ignored in the command too while the cluster started, and a Ctrl-C pressed in those seconds
was thrown away: the command then ran the whole experiment (a researcher's trial). Here, in a
session of its own (:func:`sim.experiment.executor.local_cluster` starts it so), the cluster never
sees the terminal's Ctrl-C, and the command keeps its handler throughout.

It prints the scheduler's address on one line, then serves until its stdin closes (the command
is done, or was killed) or it gets SIGTERM (the command stopping at once), and closes the cluster.
A cluster that cannot start prints :data:`NOT_STARTED` and why on that line instead, and no
traceback: the command says it in its own line (Dask's traceback, on the command's screen, came
above it).
"""

from __future__ import annotations

import logging
import signal
import sys
import warnings

NOT_STARTED = "not started: "  # how the line that says why the cluster did not start begins


def cause(exc: BaseException) -> str:
    """The first cause of ``exc`` as one line: Dask's "Cluster failed to start" says less than what failed."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"


def _stop(*_: object) -> None:
    """SIGTERM: exit, so that the cluster is closed, not left behind; once.

    A SIGTERM that came while the process was already on its way out (the cluster did not start, or
    stdin had closed) raised SystemExit inside an exit callback, whose traceback ("Exception ignored in
    atexit callback") then came on the command's screen above its one line.
    """
    _exiting()
    sys.exit(0)


def _exiting() -> None:
    """From here on the process is leaving on its own: a SIGTERM has nothing more to stop."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def main(argv: list[str] | None = None) -> None:
    """Start ``argv[0]`` workers, print the scheduler's address, serve until stdin closes."""
    workers = int((argv if argv is not None else sys.argv[1:])[0])
    signal.signal(signal.SIGTERM, _stop)
    # The scheduler's HTTP server takes another port when 8787 is taken (another Dask, another
    # experiment) and said so in a UserWarning on the command's screen.
    warnings.filterwarnings("ignore", message="Port .* is already in use")
    from distributed import LocalCluster  # noqa: PLC0415 (after the filter: the warning comes at import)

    # Workers log at CRITICAL only: closed at a Ctrl-C, the scheduler can go before a worker's next
    # heartbeat, which then logged "Failed to communicate with scheduler" with two tracebacks; a
    # run's own failure is recorded with its traceback anyway.
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1", silence_logs=logging.CRITICAL)
    except Exception as exc:  # (what failed goes to the command, which says it in one line)
        _exiting()
        print(f"{NOT_STARTED}{cause(exc)}", flush=True)
        sys.exit(1)
    try:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()
    finally:
        _exiting()
        cluster.close()


if __name__ == "__main__":
    main()
